package labeling

import "testing"

func TestInControlShareAndStability(t *testing.T) {
	for _, bp := range []int{0, 1000, 5000} {
		n := 0
		for id := int64(1); id <= 20_000; id++ {
			if InControl(id, bp) {
				n++
			}
			if InControl(id, bp) != InControl(id, bp) {
				t.Fatal("not deterministic")
			}
		}
		want := 20_000 * bp / 10_000
		if d := n - want; d < -want/10-50 || d > want/10+50 {
			t.Errorf("control share %d bp: %d of 20000, want about %d", bp, n, want)
		}
	}
	// A smaller share is a subset of a larger one: raising it never un-controls an item.
	for id := int64(1); id <= 5000; id++ {
		if InControl(id, 1000) && !InControl(id, 2000) {
			t.Fatalf("item %d is control at 10 %% but not at 20 %%", id)
		}
	}
}

func TestParseSuggestionPolicyAndScore(t *testing.T) {
	for in, want := range map[string]SuggestionPolicy{"": SuggestUpFront, "off": SuggestOff, "after_answer": SuggestAfterAnswer, "up_front": SuggestUpFront} {
		if got, err := ParseSuggestionPolicy(in); err != nil || got != want {
			t.Errorf("%q → %q, %v", in, got, err)
		}
	}
	if _, err := ParseSuggestionPolicy("later"); err == nil {
		t.Error("later accepted")
	}
	for in, want := range map[string]int{"0.82": 8200, "1": 10000, "0": 0} {
		if got, ok := ScoreBP(in); !ok || got != want {
			t.Errorf("ScoreBP(%q) = %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "1.5", "-0.1", "high"} {
		if _, ok := ScoreBP(bad); ok {
			t.Errorf("ScoreBP(%q) accepted", bad)
		}
	}
}
