package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestClaimAndSubmit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 3)
		p := f.Project("basic", nil)
		f.ImportLines(p.ID, `{"data":{"text":"great phone"},"id":"a1","prediction":"positive"}`)

		task := f.Claim(ls[0], p.ID)
		if task.ProjectID != p.ID || task.TaskType != tasktype.TaskClassification || len(task.LeaseToken) != 32 {
			t.Fatalf("task = %+v", task)
		}
		var data map[string]string
		if err := json.Unmarshal(task.Data, &data); err != nil || data["text"] != "great phone" {
			t.Fatalf("task data = %s (%v)", task.Data, err)
		}
		if len(task.Prediction) == 0 || !strings.Contains(string(task.Prediction), "positive") {
			t.Fatalf("prediction = %s", task.Prediction)
		}
		if !task.LeaseExpiresAt.Equal(f.Clock.Now().Add(10 * time.Minute)) {
			t.Fatalf("lease expires %v, want now + 600 s", task.LeaseExpiresAt)
		}
		if got := f.Item(task.ItemID); got.Held != 1 || got.Done != 0 {
			t.Fatalf("after claim item = %+v", got)
		}
		// Reload: the same lease comes back.
		again := f.Claim(ls[0], p.ID)
		if again.AssignmentID != task.AssignmentID || again.LeaseToken != task.LeaseToken {
			t.Fatalf("resume gave %+v, want assignment %d", again, task.AssignmentID)
		}

		// An invalid answer passes the task type's code through and changes nothing.
		_, err := f.W.Submit(f.Ctx, ls[0], labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: "k0",
			Answer: json.RawMessage(`{"choice":"meh"}`)})
		storetest.WantCode(t, err, tasktype.ErrUnknownLabel)
		if n := f.Count(`SELECT COUNT(*) FROM submissions`); n != 0 {
			t.Fatalf("%d submissions after a rejected answer", n)
		}

		sub := f.Submit(ls[0], task, "k1")
		if sub.Replayed || sub.ItemID != task.ItemID || sub.Status != labeling.SubmissionSubmitted || sub.LeadTimeMs != 1200 {
			t.Fatalf("submission = %+v", sub)
		}
		if got := f.Item(task.ItemID); got.Held != 0 || got.Done != 1 || got.Status != "open" {
			t.Fatalf("after submit item = %+v", got)
		}
		// The member never gets the same item twice.
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, ls[0], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks)

		f.Submit(ls[1], f.Claim(ls[1], p.ID), "k1")
		f.Submit(ls[2], f.Claim(ls[2], p.ID), "k1")
		if got := f.Item(task.ItemID); got.Done != 3 || got.Held != 0 || got.Status != "complete" {
			t.Fatalf("after 3 submits item = %+v", got)
		}
		f.CheckInvariants(p.ID, 3)
		for typ, want := range map[string]int64{"task.claimed": 3, "task.submitted": 3, "item.completed": 1,
			"project.created": 1, "project.status_changed": 1, "import.finished": 1, "model.created": 1} {
			if got := f.Events(typ); got != want {
				t.Errorf("%d %s events, want %d", got, typ, want)
			}
		}
		prog, err := f.S.Projects.ProjectProgress(f.Ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prog.Items != 1 || prog.SlotsTotal != 3 || prog.SlotsDone != 3 || prog.SlotsLeft != 0 || prog.CompleteItems != 1 || len(prog.Today) != 3 {
			t.Fatalf("progress = %+v", prog)
		}
	})
}

func TestProjectRulesOnClaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("lab", "labeller")
		ps := labeling.ProjectSettings{ModelID: f.Model.ID, Name: "rules", TaskType: tasktype.TaskClassification,
			Schema: json.RawMessage(storetest.SentimentSchema), Overlap: 1}
		p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, ps, true)
		if err != nil {
			t.Fatal(err)
		}
		f.Items(p.ID, 2)
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrProjectNotOpen)

		outsider := f.Member("outsider", "labeller") // joined after the project was created
		if _, err := f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectOpen); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, outsider, p.ID)
		storetest.WantCode(t, err, labeling.ErrNotProjectMember)
		if err := f.S.Projects.AddProjectMember(f.Ctx, &f.Coord, p.ID, outsider); err != nil {
			t.Fatal(err)
		}
		held := f.Claim(outsider, p.ID)

		if _, err := f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectPaused); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrProjectPaused)
		// Work in flight may still be handed in while paused.
		f.Submit(outsider, held, "paused-submit")

		if _, err := f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectClosed); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrProjectClosed)
		_, err = f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectOpen)
		storetest.WantCode(t, err, labeling.ErrProjectClosed)
		_, err = f.S.Projects.ImportItems(f.Ctx, &f.Coord, p.ID, strings.NewReader(`{"text":"late"}`), "jsonl", "")
		storetest.WantCode(t, err, labeling.ErrProjectClosed)
		_, err = f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{Stint: new(int)})
		storetest.WantCode(t, err, labeling.ErrProjectClosed)

		// Transitions.
		p2 := f.Project("transitions", nil)
		_, err = f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p2.ID, labeling.ProjectDraft)
		storetest.WantCode(t, err, labeling.ErrBadTransition)
	})
}

func TestCreateProjectValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		base := labeling.ProjectSettings{ModelID: f.Model.ID, Name: "p", TaskType: tasktype.TaskClassification,
			Schema: json.RawMessage(storetest.SentimentSchema), Overlap: 3}
		cases := []struct {
			name string
			edit func(*labeling.ProjectSettings)
			want *fault.Error
		}{
			{"invalid schema", func(p *labeling.ProjectSettings) { p.Schema = json.RawMessage(`{"choices":[]}`) }, tasktype.ErrInvalidSchema},
			{"unknown task type", func(p *labeling.ProjectSettings) { p.TaskType = "poetry" }, tasktype.ErrUnknownTaskType},
			{"overlap 0", func(p *labeling.ProjectSettings) { p.Overlap = 0 }, fault.ErrInvalid},
			{"overlap 11", func(p *labeling.ProjectSettings) { p.Overlap = 11 }, fault.ErrInvalid},
			{"lease 29 s", func(p *labeling.ProjectSettings) { p.LeaseSeconds = 29 }, fault.ErrInvalid},
			{"gold above half", func(p *labeling.ProjectSettings) { p.GoldRateBP = 5001 }, fault.ErrInvalid},
			{"bad ordering", func(p *labeling.ProjectSettings) { p.Ordering = "alphabetical" }, fault.ErrInvalid},
			{"no model", func(p *labeling.ProjectSettings) { p.ModelID = 999 }, fault.ErrNotFound},
		}
		for _, c := range cases {
			ps := base
			c.edit(&ps)
			_, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, ps, false)
			if !storetest.HasCode(err, c.want) {
				t.Errorf("%s: got %v, want %s", c.name, err, c.want.Code)
			}
		}
		if n := f.Count(`SELECT COUNT(*) FROM projects`); n != 0 {
			t.Fatalf("%d projects stored after failed creates", n)
		}
		p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, base, false)
		if err != nil {
			t.Fatal(err)
		}
		if p.LeaseSeconds != 600 || p.Ordering != labeling.OrderPriority || p.Status != labeling.ProjectDraft {
			t.Fatalf("defaults: %+v", p)
		}
		_, err = f.S.Projects.CreateProject(f.Ctx, &f.Coord, base, false)
		storetest.WantCode(t, err, labeling.ErrProjectNameTaken)
		_, err = f.S.Projects.CreateModel(f.Ctx, &f.Coord, labeling.Model{Name: "demo-model"})
		storetest.WantCode(t, err, labeling.ErrModelNameTaken)

		// Schema is locked once open; overlap may only grow.
		if _, err := f.S.Projects.SetProjectStatus(f.Ctx, &f.Coord, p.ID, labeling.ProjectOpen); err != nil {
			t.Fatal(err)
		}
		other := json.RawMessage(`{"field":"text","choices":[{"value":"a"},{"value":"b"}]}`)
		_, err = f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{Schema: &other})
		storetest.WantCode(t, err, labeling.ErrProjectLocked)
		two := 2
		_, err = f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{Overlap: &two})
		storetest.WantCode(t, err, labeling.ErrProjectLocked)
		same := json.RawMessage(storetest.SentimentSchema)
		four, stint := 4, 5
		up, err := f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{Schema: &same, Overlap: &four, Stint: &stint})
		if err != nil {
			t.Fatal(err)
		}
		if up.Overlap != 4 || up.Stint != 5 {
			t.Fatalf("updated = %+v", up)
		}
	})
}

func TestLeaseExpiryAndTakeover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 3)
		p := f.Project("expiry", func(ps *labeling.ProjectSettings) { ps.Overlap = 1; ps.LeaseSeconds = 60 })
		f.Items(p.ID, 1)

		a := f.Claim(ls[0], p.ID)
		_, err := f.S.Leases.ClaimNextTask(f.Ctx, ls[1], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks) // the only slot is leased

		// Heartbeat extends the lease; a wrong or foreign token is fenced off.
		f.Clock.Advance(50 * time.Second)
		exp, err := f.S.Leases.Heartbeat(f.Ctx, ls[0], a.LeaseToken, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		if !exp.Equal(f.Clock.Now().Add(60 * time.Second)) {
			t.Fatalf("heartbeat expiry %v", exp)
		}
		_, err = f.S.Leases.Heartbeat(f.Ctx, ls[0], "0123456789abcdef0123456789abcdef", 0)
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		_, err = f.S.Leases.Heartbeat(f.Ctx, ls[1], a.LeaseToken, 0)
		storetest.WantCode(t, err, labeling.ErrLeaseLost)

		f.Clock.Advance(50 * time.Second) // still live thanks to the heartbeat
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, ls[1], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks)

		if _, err := f.S.Leases.SaveDraft(f.Ctx, ls[0], a.LeaseToken, json.RawMessage(`{"choice":"nega`+`tive"}`)); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(11 * time.Second) // expired now; nobody needed a sweeper
		b := f.Claim(ls[1], p.ID)
		if b.ItemID != a.ItemID || b.AssignmentID == a.AssignmentID || b.LeaseToken == a.LeaseToken {
			t.Fatalf("takeover gave %+v (old %+v)", b, a)
		}
		if len(b.Draft) != 0 {
			t.Fatalf("the new holder sees the old holder's draft: %s", b.Draft)
		}
		var state string
		db.Raw(`SELECT state FROM assignments WHERE id = ?`, a.AssignmentID).Scan(&state)
		if state != "expired" {
			t.Fatalf("old assignment state %q, want expired", state)
		}
		if f.Events("task.expired") != 1 {
			t.Fatal("no task.expired event")
		}
		if got := f.Item(a.ItemID); got.Held != 1 || got.Done != 0 {
			t.Fatalf("after takeover item = %+v", got)
		}

		// The old holder is fenced off.
		_, err = f.S.Leases.Heartbeat(f.Ctx, ls[0], a.LeaseToken, 0)
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		storetest.WantCode(t, f.S.Leases.Release(f.Ctx, ls[0], a.LeaseToken), labeling.ErrLeaseLost)
		// Their late submit has no room (k=1, held by the new holder): lease_lost, answer kept as draft.
		_, err = f.W.Submit(f.Ctx, ls[0], labeling.SubmitRequest{LeaseToken: a.LeaseToken, IdempotencyKey: "late",
			Answer: json.RawMessage(`{"choice":"negative"}`)})
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		var draft string
		db.Raw(`SELECT draft FROM assignments WHERE id = ?`, a.AssignmentID).Scan(&draft)
		if !strings.Contains(draft, "negative") {
			t.Fatalf("late answer not kept as draft: %q", draft)
		}
		// Saving a draft on a lost lease stores it and says so.
		_, err = f.S.Leases.SaveDraft(f.Ctx, ls[0], a.LeaseToken, json.RawMessage(`{"choice":"positive"}`))
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		db.Raw(`SELECT draft FROM assignments WHERE id = ?`, a.AssignmentID).Scan(&draft)
		if !strings.Contains(draft, "positive") {
			t.Fatalf("draft on a lost lease not stored: %q", draft)
		}
		// The old holder is not offered the item again; the new holder completes it.
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, ls[0], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks)
		f.Submit(ls[1], b, "b1")
		if got := f.Item(a.ItemID); got.Done != 1 || got.Held != 0 || got.Status != "complete" {
			t.Fatalf("item = %+v", got)
		}
		f.CheckInvariants(p.ID, 1)
	})
}

func TestOwnExpiredLeaseIsRenewed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("renew", func(ps *labeling.ProjectSettings) { ps.LeaseSeconds = 60 })
		f.Items(p.ID, 3)
		a := f.Claim(l, p.ID)
		if _, err := f.S.Leases.SaveDraft(f.Ctx, l, a.LeaseToken, json.RawMessage(`{"half":"done"}`)); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(time.Hour)
		b := f.Claim(l, p.ID)
		if b.AssignmentID != a.AssignmentID || b.LeaseToken != a.LeaseToken || !b.LeaseExpiresAt.Equal(f.Clock.Now().Add(time.Minute)) {
			t.Fatalf("renew gave %+v, was %+v", b, a)
		}
		if !strings.Contains(string(b.Draft), "half") {
			t.Fatalf("draft lost on resume: %s", b.Draft)
		}
		if got := f.Item(a.ItemID); got.Held != 1 {
			t.Fatalf("item = %+v", got)
		}
		f.CheckInvariants(p.ID, 3)
	})
}

func TestSkipAndRelease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 2)
		p := f.Project("skip", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.Items(p.ID, 2)

		a := f.Claim(ls[0], p.ID)
		if err := f.S.Leases.Release(f.Ctx, ls[0], a.LeaseToken); err != nil {
			t.Fatal(err)
		}
		storetest.WantCode(t, f.S.Leases.Release(f.Ctx, ls[0], a.LeaseToken), labeling.ErrLeaseLost)
		if got := f.Item(a.ItemID); got.Held != 0 {
			t.Fatalf("after release item = %+v", got)
		}
		// Released: the same member may get it again, on the same row with a new token.
		again := f.Claim(ls[0], p.ID)
		if again.ItemID != a.ItemID || again.AssignmentID != a.AssignmentID || again.LeaseToken == a.LeaseToken {
			t.Fatalf("re-claim gave %+v, released %+v", again, a)
		}
		_, err := f.S.Leases.Heartbeat(f.Ctx, ls[0], a.LeaseToken, 0)
		storetest.WantCode(t, err, labeling.ErrLeaseLost)

		if err := f.S.Leases.Skip(f.Ctx, ls[0], again.LeaseToken, "cannot read it"); err != nil {
			t.Fatal(err)
		}
		second := f.Claim(ls[0], p.ID)
		if second.ItemID == a.ItemID {
			t.Fatal("skipped item offered again")
		}
		if err := f.S.Leases.Skip(f.Ctx, ls[0], second.LeaseToken, ""); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, ls[0], p.ID)
		storetest.WantCode(t, err, labeling.ErrNoTasks)
		// Another member still gets both.
		f.Submit(ls[1], f.Claim(ls[1], p.ID), "x")
		f.Submit(ls[1], f.Claim(ls[1], p.ID), "y")
		if n := f.Count(`SELECT COUNT(*) FROM skips WHERE member_id = ?`, ls[0]); n != 2 {
			t.Fatalf("%d skips", n)
		}
		if f.Events("task.skipped") != 2 || f.Events("task.released") != 1 {
			t.Fatal("missing skip/release events")
		}
		f.CheckInvariants(p.ID, 1)
	})
}

func TestStintCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("stint", func(ps *labeling.ProjectSettings) { ps.Stint = 2 })
		f.Items(p.ID, 5)
		f.Submit(l, f.Claim(l, p.ID), "1")
		f.Submit(l, f.Claim(l, p.ID), "2")
		_, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrStintReached)
		var se *labeling.StintReachedError
		if !errors.As(err, &se) || !se.ResetAt.Equal(time.Date(2031, 3, 5, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("stint error %v, want reset at next UTC midnight", err)
		}
		my, err := f.S.Projects.MyProgress(f.Ctx, l, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if my.DoneToday != 2 || my.StintLeft == nil || *my.StintLeft != 0 || my.ItemsLeft != 3 || my.SensitiveLeftToday != 20 {
			t.Fatalf("my progress = %+v", my)
		}
		f.Clock.Advance(14 * time.Hour) // past midnight UTC
		f.Submit(l, f.Claim(l, p.ID), "3")
	})
}

func TestSensitiveCap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("sensitive", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.ImportLines(p.ID,
			`{"data":{"text":"s1"},"sensitive":true,"priority":9}`,
			`{"data":{"text":"s2"},"sensitive":true,"priority":8}`,
			`{"data":{"text":"plain"},"priority":1}`)
		storetest.WantCode(t, f.S.Leases.SetSensitiveCap(f.Ctx, l, 21), labeling.ErrSensitiveCapAbove)
		if err := f.S.Leases.SetSensitiveCap(f.Ctx, l, 1); err != nil {
			t.Fatal(err)
		}
		first := f.Claim(l, p.ID)
		if !first.Sensitive {
			t.Fatal("priority order not followed")
		}
		f.Submit(l, first, "1")
		second := f.Claim(l, p.ID)
		if second.Sensitive {
			t.Fatal("sensitive item given past the member's cap")
		}
		f.Submit(l, second, "2")
		_, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrSensitiveCap)
		if err := f.S.Leases.SetSensitiveCap(f.Ctx, l, 2); err != nil {
			t.Fatal(err)
		}
		f.Submit(l, f.Claim(l, p.ID), "3")
		if c, _ := f.S.Leases.SensitiveCap(f.Ctx, l); c != 2 {
			t.Fatalf("cap %d", c)
		}
	})
}

func TestDrafts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("drafts", nil)
		f.Items(p.ID, 1)
		task := f.Claim(l, p.ID)
		// An incomplete answer is fine as a draft.
		if _, err := f.S.Leases.SaveDraft(f.Ctx, l, task.LeaseToken, json.RawMessage(`{"choice":""}`)); err != nil {
			t.Fatal(err)
		}
		_, err := f.S.Leases.SaveDraft(f.Ctx, l, task.LeaseToken, json.RawMessage(`[1,2]`))
		storetest.WantCode(t, err, labeling.ErrInvalidDraft)
		big := `{"x":"` + strings.Repeat("a", labeling.MaxDraftBytes) + `"}`
		_, err = f.S.Leases.SaveDraft(f.Ctx, l, task.LeaseToken, json.RawMessage(big))
		storetest.WantCode(t, err, labeling.ErrDraftTooLarge)
		_, err = f.S.Leases.SaveDraft(f.Ctx, l+100, task.LeaseToken, json.RawMessage(`{}`))
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
		if got := f.Claim(l, p.ID); string(got.Draft) != `{"choice": ""}` && string(got.Draft) != `{"choice":""}` {
			t.Fatalf("draft = %s", got.Draft)
		}
		f.Submit(l, task, "d")
		_, err = f.S.Leases.SaveDraft(f.Ctx, l, task.LeaseToken, json.RawMessage(`{}`))
		storetest.WantCode(t, err, labeling.ErrAlreadySubmitted)
	})
}

func TestGoldItems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 4)
		p := f.Project("gold", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.GoldRateBP = 5000 })
		var lines []string
		for i := range 20 {
			lines = append(lines, fmt.Sprintf(`{"text":"plain %d"}`, i))
		}
		for i := range 4 {
			lines = append(lines, fmt.Sprintf(`{"data":{"text":"gold %d"},"gold":"positive"}`, i))
		}
		if rep := f.ImportLines(p.ID, lines...); rep.Imported != 24 {
			t.Fatalf("report %+v", rep)
		}
		seen := map[int64]map[int64]bool{}
		for _, l := range ls {
			seen[l] = map[int64]bool{}
			for n := 0; ; n++ {
				task, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
				if storetest.HasCode(err, labeling.ErrNoTasks) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if seen[l][task.ItemID] {
					t.Fatalf("member %d got item %d twice", l, task.ItemID)
				}
				seen[l][task.ItemID] = true
				b, _ := json.Marshal(task)
				if strings.Contains(string(b), "gold\"") || strings.Contains(string(b), "is_gold") {
					t.Fatalf("task exposes gold: %s", b)
				}
				sub := f.Submit(l, task, fmt.Sprint(n))
				b, _ = json.Marshal(sub)
				if strings.Contains(string(b), "gold") {
					t.Fatalf("submission exposes gold: %s", b)
				}
			}
		}
		// Non-gold items got exactly k; gold items never complete.
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE project_id = ? AND status = 'complete'`, p.ID); n != 20 {
			t.Fatalf("%d complete items, want 20", n)
		}
		if n := f.Count(`SELECT COUNT(*) FROM submissions WHERE is_gold = ?`, true); n == 0 {
			t.Fatal("no gold item was ever mixed in at 50 %")
		}
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE status = 'gold' AND done > 4`); n != 0 {
			t.Fatal("a gold item was answered more than once per member")
		}
		prog, _ := f.S.Projects.ProjectProgress(f.Ctx, p.ID)
		if prog.GoldItems != 4 || prog.SlotsTotal != 40 || prog.SlotsDone != 40 {
			t.Fatalf("progress = %+v", prog)
		}
		f.CheckInvariants(p.ID, 2)
	})
}

func TestRandomOrdering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		order := func(p labeling.Project) []string {
			var got []string
			for i := range 10 {
				task := f.Claim(l, p.ID)
				var d map[string]string
				json.Unmarshal(task.Data, &d)
				got = append(got, d["text"])
				f.Submit(l, task, fmt.Sprintf("%d-%d", p.ID, i))
			}
			return got
		}
		pr := f.Project("by-priority", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.Items(pr.ID, 10)
		byImport := order(pr)
		for i, s := range byImport {
			if s != fmt.Sprintf("item %d", i) {
				t.Fatalf("priority ordering: %v", byImport)
			}
		}
		rnd := f.Project("random", func(ps *labeling.ProjectSettings) {
			ps.Overlap = 1
			ps.Ordering = labeling.OrderRandom
			ps.RandomSeed = 42
		})
		f.Items(rnd.ID, 10)
		shuffled := order(rnd)
		if strings.Join(shuffled, ",") == strings.Join(byImport, ",") {
			t.Fatalf("random ordering kept import order: %v", shuffled)
		}
		// Changing the ordering re-keys the items.
		keyed := func(id int64) int64 {
			return f.Count(`SELECT COUNT(*) FROM items WHERE project_id = ? AND order_key = seq`, id)
		}
		random, seed := labeling.OrderRandom, int64(7)
		if _, err := f.S.Projects.UpdateProject(f.Ctx, &f.Coord, pr.ID, labeling.ProjectPatch{Ordering: &random, RandomSeed: &seed}); err != nil {
			t.Fatal(err)
		}
		if n := keyed(pr.ID); n != 0 {
			t.Fatalf("%d items kept their import-order key", n)
		}
		byPriority := labeling.OrderPriority
		if _, err := f.S.Projects.UpdateProject(f.Ctx, &f.Coord, pr.ID, labeling.ProjectPatch{Ordering: &byPriority}); err != nil {
			t.Fatal(err)
		}
		if n := keyed(pr.ID); n != 10 {
			t.Fatalf("%d of 10 items back on their import-order key", n)
		}
	})
}

func TestRemoveAndReAddMember(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		p := f.Project("members", nil)
		ok, err := f.S.Projects.IsProjectMember(f.Ctx, p.ID, l)
		if err != nil || !ok {
			t.Fatalf("labeller not added at creation: %v %v", ok, err)
		}
		if ok, _ := f.S.Projects.IsProjectMember(f.Ctx, p.ID, f.Coord); ok {
			t.Fatal("coordinator-only member added as labeller")
		}
		if err := f.S.Projects.RemoveProjectMember(f.Ctx, &f.Coord, p.ID, l); err != nil {
			t.Fatal(err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrNotProjectMember)
		if err := f.S.Projects.AddProjectMember(f.Ctx, &f.Coord, p.ID, l); err != nil {
			t.Fatal(err)
		}
		if err := f.S.Projects.AddProjectMember(f.Ctx, &f.Coord, p.ID, l); err != nil {
			t.Fatal(err)
		}
		ids, _ := f.S.Projects.ProjectMemberIDs(f.Ctx, p.ID, page.All)
		if len(ids) != 1 || ids[0] != l {
			t.Fatalf("members = %v", ids)
		}
	})
}
