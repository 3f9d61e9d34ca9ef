package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/page"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/shortcut"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// setWellbeing sets the co-op's settings, failing the test on error.
func setWellbeing(f *storetest.Lab, w labeling.WellbeingSettings) {
	f.T.Helper()
	if err := f.S.Wellbeing.SetSettings(f.Ctx, f.Coord, w); err != nil {
		f.T.Fatal(err)
	}
}

func textOf(t labeling.Task) string {
	var d struct{ Text string }
	_ = json.Unmarshal(t.Data, &d)
	return d.Text
}

func optInto(f *storetest.Lab, member int64, cs ...sensitive.Category) {
	f.T.Helper()
	if err := f.S.Wellbeing.SetMine(f.Ctx, member, labeling.WellbeingChoices{Categories: &cs}); err != nil {
		f.T.Fatal(err)
	}
}

// A member is never sent an item of a category they did not opt into, by
// any claim path (open items, another member's expired lease), and is sent
// it once they opt in.
func TestClaimNeverSendsANonOptedCategory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		setWellbeing(f, labeling.WellbeingSettings{DailyMinutes: 480, TaskCapMinutes: 5})
		l, other := f.Member("l", "labeller"), f.Member("other", "labeller")
		p := f.Project("cats", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.ImportLines(p.ID,
			`{"data":{"text":"hate"},"categories":["hate"],"priority":9}`,
			`{"data":{"text":"sexual"},"categories":["sexual"],"priority":8}`,
			`{"data":{"text":"violence"},"categories":["violence"],"priority":7}`,
			`{"data":{"text":"both"},"categories":["violence","self_harm"],"priority":6}`,
			`{"data":{"text":"veiled"},"sensitive":true,"priority":5}`,
			`{"data":{"text":"plain"},"priority":1}`)
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE categories <> 0 AND sensitive`); n != 4 {
			t.Fatalf("%d items carry categories, want 4 (and categories make an item sensitive)", n)
		}
		// other (opted into everything) holds the hate item and lets it expire.
		optInto(f, other, sensitive.All...)
		held := f.Claim(other, p.ID)
		if textOf(held) != "hate" {
			t.Fatalf("other got %s", held.Data)
		}
		f.Clock.Advance(time.Hour)

		optInto(f, l, sensitive.Violence)
		var got []string
		for {
			task, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
			if errors.Is(err, labeling.ErrNoTasks) {
				// hate (held by other, expired), sexual and self_harm+violence are left.
				if !strings.Contains(err.Error(), "the 2 left are sensitive items of kinds you have not opted into") {
					t.Fatalf("no tasks, without saying why: %v", err)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, textOf(task))
			if err := f.S.Leases.Skip(f.Ctx, l, task.LeaseToken, ""); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"violence", "veiled", "plain"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sent %v, want %v", got, want)
		}
		if n := f.Count(`SELECT COUNT(*) FROM assignments a JOIN items i ON i.id = a.item_id
WHERE a.member_id = ? AND (i.categories & ?) <> 0`, l, int64(sensitive.Every&^1)); n != 0 {
			t.Fatalf("%d assignments on items of categories l did not opt into", n)
		}
		optInto(f, l, sensitive.Violence, sensitive.SelfHarm, sensitive.Hate)
		if task := f.Claim(l, p.ID); textOf(task) != "hate" {
			t.Fatalf("after opting into hate, got %s (want the expired hate lease)", task.Data)
		}
	})
}

// A run of break_after sensitive items starts a break that the claim
// enforces, in every project, until it ends; the coordinator's sums count it.
func TestBreakAfterARunIsEnforced(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		setWellbeing(f, labeling.WellbeingSettings{DailyMinutes: 480, TaskCapMinutes: 5, BreakAfter: 3, BreakMinutes: 10})
		l := f.Member("l", "labeller")
		p := f.Project("run", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		plain := f.Project("plain", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		for i := range 5 {
			f.ImportLines(p.ID, fmt.Sprintf(`{"data":{"text":"s%d"},"sensitive":true}`, i))
		}
		f.Items(plain.ID, 2)
		for i := range 3 {
			f.Clock.Advance(time.Minute)
			f.Submit(l, f.Claim(l, p.ID), fmt.Sprint(i))
		}
		last := f.Clock.Now()
		for _, pid := range []int64{p.ID, plain.ID} {
			_, err := f.S.Leases.ClaimNextTask(f.Ctx, l, pid)
			var be *labeling.BreakError
			if !errors.As(err, &be) || !errors.Is(err, labeling.ErrOnBreak) {
				t.Fatalf("claim in project %d during the break: %v", pid, err)
			}
			if !be.ResumeAt.Equal(last.Add(10 * time.Minute)) {
				t.Fatalf("resume at %v, want %v", be.ResumeAt, last.Add(10*time.Minute))
			}
		}
		mine, err := f.S.Wellbeing.Mine(f.Ctx, l)
		if err != nil || mine.BreakUntil == nil {
			t.Fatalf("mine %+v %v", mine, err)
		}
		f.Clock.Advance(10 * time.Minute)
		f.Submit(l, f.Claim(l, p.ID), "after")
		days, err := f.S.Wellbeing.Summary(f.Ctx, f.Clock.Now().Add(-24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0].Breaks != 1 || days[0].SensitiveItems != 4 || days[0].MembersExposed != 1 {
			t.Fatalf("summary %+v", days)
		}
		if f.Events("wellbeing.break") != 1 {
			t.Fatal("no wellbeing.break event")
		}
	})
}

// Sensitive minutes count from claim to submit or skip, capped per task;
// a spent budget refuses sensitive items with its own code and still gives
// plain ones.
func TestExposureBudget(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		setWellbeing(f, labeling.WellbeingSettings{DailyMinutes: 3, TaskCapMinutes: 2})
		l, l2 := f.Member("l", "labeller"), f.Member("l2", "labeller")
		p := f.Project("budget", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		for i := range 4 {
			f.ImportLines(p.ID, fmt.Sprintf(`{"data":{"text":"s%d"},"sensitive":true,"priority":9}`, i))
		}
		task := f.Claim(l, p.ID)
		f.Clock.Advance(5 * time.Minute) // counts 2: the cap per task
		f.Submit(l, task, "1")
		task = f.Claim(l, p.ID)
		f.Clock.Advance(time.Minute)
		if err := f.S.Leases.Skip(f.Ctx, l, task.LeaseToken, ""); err != nil {
			t.Fatal(err)
		}
		mine, err := f.S.Wellbeing.Mine(f.Ctx, l)
		if err != nil || mine.UsedMs != 3*60_000 || mine.BudgetMinutes != 3 {
			t.Fatalf("mine %+v %v", mine, err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrSensitiveBudget)
		f.ImportLines(p.ID, `{"data":{"text":"plain"}}`)
		if task := f.Claim(l, p.ID); task.Sensitive {
			t.Fatal("a sensitive item past the budget")
		}
		// A member may lower their own budget, never raise it over the co-op's.
		zero, ten := 0, 10
		if err := f.S.Wellbeing.SetMine(f.Ctx, l2, labeling.WellbeingChoices{OwnMinutes: &ten}); err != nil {
			t.Fatal(err)
		}
		if m, _ := f.S.Wellbeing.Mine(f.Ctx, l2); m.BudgetMinutes != 3 {
			t.Fatalf("own 10 over the co-op's 3 gives %d", m.BudgetMinutes)
		}
		if err := f.S.Wellbeing.SetMine(f.Ctx, l2, labeling.WellbeingChoices{OwnMinutes: &zero}); err != nil {
			t.Fatal(err)
		}
		// l holds the plain item: only sensitive ones are left, and l2's own budget is 0.
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l2, p.ID)
		storetest.WantCode(t, err, labeling.ErrSensitiveBudget)
	})
}

// "This affected me" pauses the member's sensitive work and writes a
// notice that only the co-op's contact reads, on the contact's channel.
func TestAffectedNotifiesOnlyTheContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l, contact, rev := f.Member("l", "labeller"), f.Member("contact", "labeller"), f.Member("rev", "reviewer")
		p := f.Project("affected", func(ps *labeling.ProjectSettings) { ps.Overlap = 1 })
		f.ImportLines(p.ID, `{"data":{"text":"s"},"sensitive":true}`)
		nobody := int64(99999)
		if notified, err := f.S.Wellbeing.Affected(f.Ctx, l, labeling.Affected{}); err != nil || notified {
			t.Fatalf("with no contact: notified %v, %v", notified, err)
		}
		if err := f.S.Wellbeing.SetSettings(f.Ctx, f.Coord, labeling.WellbeingSettings{ContactMemberID: &nobody,
			DailyMinutes: 60, TaskCapMinutes: 5}); !errors.Is(err, labeling.ErrNoContact) {
			t.Fatalf("an unknown contact: %v", err)
		}
		setWellbeing(f, labeling.WellbeingSettings{ContactMemberID: &contact, DailyMinutes: 60, TaskCapMinutes: 5})
		notified, err := f.S.Wellbeing.Affected(f.Ctx, l, labeling.Affected{ProjectID: &p.ID, Note: "the last one"})
		if err != nil || !notified {
			t.Fatalf("notified %v, %v", notified, err)
		}
		_, err = f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		storetest.WantCode(t, err, labeling.ErrSensitivePaused)
		for _, who := range []int64{rev, f.Coord, l} {
			if ns, err := f.S.Wellbeing.Notices(f.Ctx, who, page.Page{Limit: 50}); err != nil || len(ns) != 0 {
				t.Fatalf("member %d reads %d notices (%v)", who, len(ns), err)
			}
		}
		ns, err := f.S.Wellbeing.Notices(f.Ctx, contact, page.Page{Limit: 50})
		if err != nil || len(ns) != 1 || ns[0].MemberID != l || ns[0].MemberName != "l" || ns[0].Note != "the last one" {
			t.Fatalf("contact's notices %+v %v", ns, err)
		}
		if n := f.Count(`SELECT COUNT(*) FROM events WHERE type = 'wellbeing.affected'`); n != 1 {
			t.Fatalf("%d wellbeing.affected events", n)
		}
		if n := f.Count(`SELECT COUNT(*) FROM events WHERE type = 'wellbeing.affected' AND scope = ? AND actor_id IS NULL`,
			fmt.Sprintf("member:%d", contact)); n != 1 {
			t.Fatal("the notice event is not on the contact's own channel alone")
		}
		if err := f.S.Wellbeing.Resume(f.Ctx, l); err != nil {
			t.Fatal(err)
		}
		if task := f.Claim(l, p.ID); !task.Sensitive {
			t.Fatal("resumed, yet no sensitive item")
		}
	})
}

func TestShortcutsStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		l := f.Member("l", "labeller")
		storetest.WantCode(t, f.S.Wellbeing.SetShortcuts(f.Ctx, l, shortcut.Map{"skip": "i"}), shortcut.ErrKeyConflict)
		if err := f.S.Wellbeing.SetShortcuts(f.Ctx, l, shortcut.Map{"skip": "q"}); err != nil {
			t.Fatal(err)
		}
		own, err := f.S.Wellbeing.Shortcuts(f.Ctx, l)
		if err != nil || len(own) != 1 || own["skip"] != "q" {
			t.Fatalf("own %v %v", own, err)
		}
		if err := f.S.Wellbeing.SetShortcuts(f.Ctx, l, shortcut.Map{}); err != nil {
			t.Fatal(err)
		}
		if own, _ := f.S.Wellbeing.Shortcuts(f.Ctx, l); len(own) != 0 {
			t.Fatalf("after a reset: %v", own)
		}
	})
}

// A project's own run length forces the break even when the co-op's is off.
func TestProjectBreakAfter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		setWellbeing(f, labeling.WellbeingSettings{DailyMinutes: 480, TaskCapMinutes: 5, BreakAfter: 0, BreakMinutes: 0})
		l := f.Member("l", "labeller")
		p := f.Project("own run", func(ps *labeling.ProjectSettings) { ps.Overlap = 1; ps.SensitiveBreakAfter = 2 })
		if p.SensitiveBreakAfter != 2 {
			t.Fatalf("stored %d", p.SensitiveBreakAfter)
		}
		for i := range 3 {
			f.ImportLines(p.ID, fmt.Sprintf(`{"data":{"text":"s%d"},"sensitive":true}`, i))
		}
		f.Submit(l, f.Claim(l, p.ID), "1")
		f.Submit(l, f.Claim(l, p.ID), "2")
		_, err := f.S.Leases.ClaimNextTask(f.Ctx, l, p.ID)
		var be *labeling.BreakError
		if !errors.As(err, &be) || !be.ResumeAt.Equal(f.Clock.Now().Add(10*time.Minute)) {
			t.Fatalf("after the project's run: %v", err)
		}
		// Back to the co-op's (off): no break after a run.
		zero := 0
		if _, err := f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{SensitiveBreakAfter: &zero}); err != nil {
			t.Fatal(err)
		}
		bad := -1
		if _, err := f.S.Projects.UpdateProject(f.Ctx, &f.Coord, p.ID, labeling.ProjectPatch{SensitiveBreakAfter: &bad}); err == nil {
			t.Fatal("a negative run length was accepted")
		}
	})
}
