package work_test

import (
	"fmt"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// My work narrows by project, status and the UTC days the work was made,
// and pages within the filter.
func TestMyWorkFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		lab := f.Member("lab", "labeller")
		other := f.Member("other", "labeller")
		a := f.Project("a", func(ps *labeling.ProjectSettings) { ps.Overlap = 2 })
		b := f.Project("b", func(ps *labeling.ProjectSettings) { ps.Overlap = 2 })
		f.Items(a.ID, 3)
		f.Items(b.ID, 3)
		// Day 1 (2031-03-04): two in a. Day 3: one in b, one in a, late in the evening.
		a1 := f.ClaimAnswer(lab, a.ID, "positive")
		a2 := f.ClaimAnswer(lab, a.ID, "negative")
		f.Clock.Advance(48 * time.Hour)
		b1 := f.ClaimAnswer(lab, b.ID, "positive")
		f.Clock.Advance(13*time.Hour + 59*time.Minute)
		a3 := f.ClaimAnswer(lab, a.ID, "positive")
		f.ClaimAnswer(other, a.ID, "positive")
		if err := f.DB.Exec(`UPDATE submissions SET status = 'accepted' WHERE id IN (?, ?)`, a2.ID, b1.ID).Error; err != nil {
			t.Fatal(err)
		}
		day := func(s string) *time.Time {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				t.Fatal(err)
			}
			return &d
		}
		ids := func(flt labeling.MyWorkFilter, p page.Page) string {
			t.Helper()
			items, err := f.S.Leases.MySubmissions(f.Ctx, lab, flt, p)
			if err != nil {
				t.Fatalf("filter %+v: %v", flt, err)
			}
			out := make([]int64, len(items))
			for i, w := range items {
				out[i] = w.ID
			}
			return fmt.Sprint(out)
		}
		for _, c := range []struct {
			name string
			flt  labeling.MyWorkFilter
			want []int64
		}{
			{"all, newest first", labeling.MyWorkFilter{}, []int64{a3.ID, b1.ID, a2.ID, a1.ID}},
			{"project", labeling.MyWorkFilter{ProjectID: b.ID}, []int64{b1.ID}},
			{"status", labeling.MyWorkFilter{Status: labeling.SubmissionAccepted}, []int64{b1.ID, a2.ID}},
			{"project and status", labeling.MyWorkFilter{ProjectID: a.ID, Status: labeling.SubmissionSubmitted}, []int64{a3.ID, a1.ID}},
			{"one day", labeling.MyWorkFilter{From: day("2031-03-04"), To: day("2031-03-04")}, []int64{a2.ID, a1.ID}},
			{"to includes its whole day", labeling.MyWorkFilter{From: day("2031-03-05"), To: day("2031-03-06")}, []int64{a3.ID, b1.ID}},
			{"from only", labeling.MyWorkFilter{From: day("2031-03-06")}, []int64{a3.ID, b1.ID}},
			{"to only", labeling.MyWorkFilter{To: day("2031-03-05")}, []int64{a2.ID, a1.ID}},
			{"nothing that day", labeling.MyWorkFilter{From: day("2031-03-05"), To: day("2031-03-05")}, []int64{}},
			{"disputed", labeling.MyWorkFilter{Status: labeling.SubmissionDisputed}, []int64{}},
		} {
			if got := ids(c.flt, page.All); got != fmt.Sprint(c.want) {
				t.Errorf("%s: got %s, want %v", c.name, got, c.want)
			}
		}
		// A page of one, then the next after it, stays within the filter.
		flt := labeling.MyWorkFilter{ProjectID: a.ID}
		if got := ids(flt, page.Page{Limit: 1}); got != fmt.Sprint([]int64{a3.ID}) {
			t.Fatalf("first page = %s", got)
		}
		if got := ids(flt, page.Page{Limit: 5, After: &page.Key{ID: a3.ID}}); got != fmt.Sprint([]int64{a2.ID, a1.ID}) {
			t.Fatalf("second page = %s", got)
		}
		// Bad filters are refused with codes, never run.
		_, err := f.S.Leases.MySubmissions(f.Ctx, lab, labeling.MyWorkFilter{Status: "pending"}, page.All)
		storetest.WantCode(t, err, fault.ErrInvalid)
		_, err = f.S.Leases.MySubmissions(f.Ctx, lab, labeling.MyWorkFilter{From: day("2031-03-06"), To: day("2031-03-04")}, page.All)
		storetest.WantCode(t, err, fault.ErrInvalid)
	})
}
