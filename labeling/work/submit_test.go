package work_test

import (
	"encoding/json"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestLateSubmitWithRoomIsSaved(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 3)
		p := f.Project("late", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.LeaseSeconds = 60 })
		f.Items(p.ID, 1)

		a := f.Claim(ls[0], p.ID)
		f.Clock.Advance(2 * time.Minute)
		// Expired but not taken over: still counted in held, so it is saved normally.
		sub := f.Submit(ls[0], a, "a1")
		if got := f.Item(a.ItemID); got.Done != 1 || got.Held != 0 {
			t.Fatalf("item = %+v", got)
		}

		b := f.Claim(ls[1], p.ID)
		f.Clock.Advance(2 * time.Minute)
		c := f.Claim(ls[2], p.ID) // takes over b's expired lease
		if c.ItemID != b.ItemID {
			t.Fatalf("c got item %d, want %d", c.ItemID, b.ItemID)
		}
		// b submits late: done 1 + held 1 = 2 = k, no room.
		_, err := f.W.Submit(f.Ctx, ls[1], labeling.SubmitRequest{LeaseToken: b.LeaseToken, IdempotencyKey: "b1",
			Answer: json.RawMessage(`{"choice":"positive"}`)})
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		f.Submit(ls[2], c, "c1")
		f.CheckInvariants(p.ID, 2)
		if got := f.Item(a.ItemID); got.Done != 2 || got.Status != "complete" {
			t.Fatalf("item = %+v", got)
		}
		_ = sub

		// With room: k=3, one slot left after a takeover.
		p3 := f.Project("late-room", func(ps *labeling.ProjectSettings) { ps.Overlap = 3; ps.LeaseSeconds = 60 })
		f.Items(p3.ID, 1)
		x := f.Claim(ls[0], p3.ID)
		f.Clock.Advance(2 * time.Minute)
		y := f.Claim(ls[1], p3.ID) // takes over x
		if y.ItemID != x.ItemID {
			t.Fatalf("y got item %d, want %d", y.ItemID, x.ItemID)
		}
		late := f.Submit(ls[0], x, "x1") // held 1 + done 0 < 3: saved
		if late.Replayed {
			t.Fatal("late submit marked replayed")
		}
		f.Submit(ls[1], y, "y1")
		f.Submit(ls[2], f.Claim(ls[2], p3.ID), "z1")
		if got := f.Item(x.ItemID); got.Done != 3 || got.Held != 0 || got.Status != "complete" {
			t.Fatalf("item = %+v", got)
		}
		f.CheckInvariants(p3.ID, 3)
	})
}

func TestIdempotentSubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("idem", nil)
		f.Items(p.ID, 2)
		task := f.Claim(l, p.ID)
		req := labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: "key-1",
			Answer: json.RawMessage(`{"choice":"negative"}`), LeadTimeMs: 900}
		first, err := f.W.Submit(f.Ctx, l, req)
		if err != nil {
			t.Fatal(err)
		}
		// Whitespace in the answer does not change the body.
		req.Answer = json.RawMessage(`{ "choice": "negative" }`)
		again, err := f.W.Submit(f.Ctx, l, req)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Replayed || again.ID != first.ID || first.Replayed {
			t.Fatalf("retry = %+v, first = %+v", again, first)
		}
		if got := f.Item(task.ItemID); got.Done != 1 {
			t.Fatalf("retry counted twice: %+v", got)
		}
		changed := req
		changed.Answer = json.RawMessage(`{"choice":"positive"}`)
		_, err = f.W.Submit(f.Ctx, l, changed)
		storetest.WantCode(t, err, labeling.ErrIdempotencyReuse)
		// The same key on the next task is a conflict too: keys are per member.
		next := f.Claim(l, p.ID)
		req.LeaseToken = next.LeaseToken
		_, err = f.W.Submit(f.Ctx, l, req)
		storetest.WantCode(t, err, labeling.ErrIdempotencyReuse)
		_, err = f.W.Submit(f.Ctx, l, labeling.SubmitRequest{LeaseToken: next.LeaseToken, Answer: req.Answer})
		storetest.WantCode(t, err, labeling.ErrIdempotencyKey)
		// A second key on an answered task.
		_, err = f.W.Submit(f.Ctx, l, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: "key-2", Answer: req.Answer})
		storetest.WantCode(t, err, labeling.ErrAlreadySubmitted)
		if n := f.Events("task.submitted"); n != 1 {
			t.Fatalf("%d submitted events", n)
		}
		f.CheckInvariants(p.ID, 3)
	})
}
