package work_test

import (
	"fmt"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
)

func wantReasons(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reasons = %v, want %v", got, want)
	}
}

func myWork(t *testing.T, f *storetest.Lab, member, projectID int64) map[int64]labeling.MyWorkItem {
	t.Helper()
	items, err := f.S.Leases.MySubmissions(f.Ctx, member, labeling.MyWorkFilter{ProjectID: projectID}, page.All)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]labeling.MyWorkItem{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}
