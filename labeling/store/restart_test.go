package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/work"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// A server killed while labellers hold leases loses no submitted or
// autosaved work, and the leased tasks come back when the leases expire.
func TestRestartKeepsWorkAndLeasesExpire(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			src := dbtest.Source(t, d)
			db, err := migrations.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			f := storetest.NewLab(t, db)
			p := f.Project("restart", func(s *labeling.ProjectSettings) { s.Overlap = 1; s.LeaseSeconds = 60 })
			f.Items(p.ID, 3)
			ana, ben, cai := f.Member("ana", "labeller"), f.Member("ben", "labeller"), f.Member("cai", "labeller")
			for _, m := range []int64{ana, ben, cai} {
				if err := f.S.Projects.AddProjectMember(ctx, &f.Coord, p.ID, m); err != nil {
					t.Fatal(err)
				}
			}
			done := f.Submit(ana, f.Claim(ana, p.ID), "ana-1")
			held := f.Claim(ben, p.ID)
			draft := json.RawMessage(`{"choice":"negative"}`)
			if _, err := f.S.Leases.SaveDraft(ctx, ben, held.LeaseToken, draft); err != nil {
				t.Fatal(err)
			}

			// The process dies: the handle goes away without any clean-up.
			sqlDB, _ := db.DB()
			sqlDB.Close()

			db2, err := migrations.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s, _ := db2.DB(); s.Close() }()
			s2 := store.New(db2).WithClock(f.Clock.Now)
			var n int64
			db2.Table("submissions").Where("id = ?", done.ID).Count(&n)
			if n != 1 {
				t.Fatal("a submitted answer was lost in the restart")
			}
			again, err := s2.Leases.ClaimNextTask(ctx, ben, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Choice string }
			json.Unmarshal(again.Draft, &got)
			if again.LeaseToken != held.LeaseToken || got.Choice != "negative" {
				t.Fatalf("after restart ben got lease %s draft %s, want his lease and draft", again.LeaseToken, again.Draft)
			}

			// Ben never comes back; once the lease expires the task returns to the queue.
			f.Clock.Advance(61 * time.Second)
			first, err := s2.Leases.ClaimNextTask(ctx, cai, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			second := first
			if first.ItemID != held.ItemID {
				work.New(s2).Submit(ctx, cai, labeling.SubmitRequest{LeaseToken: first.LeaseToken, IdempotencyKey: "cai-1", Answer: json.RawMessage(`{"choice":"positive"}`)})
				if second, err = s2.Leases.ClaimNextTask(ctx, cai, p.ID); err != nil {
					t.Fatal(err)
				}
			}
			if second.ItemID != held.ItemID {
				t.Fatalf("the expired lease's item %d did not come back (got %d then %d)", held.ItemID, first.ItemID, second.ItemID)
			}
		})
	}
}
