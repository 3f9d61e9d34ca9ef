package dataset

import (
	"copyhold/labeling/fault"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// btWorld simulates judgements between players of known Elo strength:
// P(i beats j) = 1 / (1 + 10^((Rj − Ri)/400)), with a share of ties.
func btWorld(rng *rand.Rand, elo map[string]float64, n int, ties float64) []BTComparison {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range elo {
			if !yield(k) {
				return
			}
		}
	})
	out := make([]BTComparison, 0, n)
	for range n {
		i := rng.IntN(len(names))
		j := rng.IntN(len(names) - 1)
		if j >= i {
			j++
		}
		a, b := names[i], names[j]
		if rng.Float64() < ties {
			out = append(out, BTComparison{Winner: a, Loser: b, Tie: true})
			continue
		}
		if rng.Float64() < 1/(1+math.Pow(10, (elo[b]-elo[a])/400)) {
			out = append(out, BTComparison{Winner: a, Loser: b})
		} else {
			out = append(out, BTComparison{Winner: b, Loser: a})
		}
	}
	return out
}

var btTruth = map[string]float64{"v1": 800, "v2": 900, "v3": 1000, "v4": 1100, "v5": 1200}

func TestBradleyTerryRecoversOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	comps := btWorld(rng, btTruth, 3000, 0.1)
	res, err := BradleyTerry(comps, BTOptions{Seed: 7, Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Error("did not converge")
	}
	var order []string
	mean := 0.0
	for _, r := range res.Ratings {
		order = append(order, r.Player)
		mean += r.Score
		if !(r.Lower <= r.Score && r.Score <= r.Upper) || r.Upper-r.Lower > 120 {
			t.Errorf("%s: interval [%.1f, %.1f] around %.1f", r.Player, r.Lower, r.Upper, r.Score)
		}
		// True scores already have mean 1000; ties add noise, not bias.
		if math.Abs(r.Score-btTruth[r.Player]) > 60 {
			t.Errorf("%s scored %.1f, truth %.0f", r.Player, r.Score, btTruth[r.Player])
		}
	}
	if want := []string{"v5", "v4", "v3", "v2", "v1"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if math.Abs(mean/5-BTBase) > 1e-6 {
		t.Errorf("mean score %.6f, want %v", mean/5, BTBase)
	}
	wins := 0
	for _, r := range res.Ratings {
		wins += r.Wins + r.Losses + r.Ties
	}
	if wins != 2*len(comps) {
		t.Errorf("wins+losses+ties = %d, want %d", wins, 2*len(comps))
	}
}

// 95% intervals should contain the truth about 95% of the time; check
// "most" over several seeds, and that the same seed gives the same answer.
func TestBradleyTerryIntervalsCoverTruth(t *testing.T) {
	covered, total := 0, 0
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 99))
		comps := btWorld(rng, btTruth, 600, 0)
		res, err := BradleyTerry(comps, BTOptions{Seed: seed, Resamples: 150})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Ratings {
			total++
			if r.Lower <= btTruth[r.Player] && btTruth[r.Player] <= r.Upper {
				covered++
			}
		}
	}
	t.Logf("intervals covered the truth %d of %d times", covered, total)
	if share := float64(covered) / float64(total); share < 0.8 {
		t.Errorf("intervals covered the truth %d of %d times (%.0f%%)", covered, total, 100*share)
	}
}

func TestBradleyTerryDeterministic(t *testing.T) {
	comps := btWorld(rand.New(rand.NewPCG(3, 4)), btTruth, 400, 0.05)
	a, _ := BradleyTerry(comps, BTOptions{Seed: 42, Resamples: 100})
	b, _ := BradleyTerry(comps, BTOptions{Seed: 42, Resamples: 100})
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different result")
	}
	c, _ := BradleyTerry(comps, BTOptions{Seed: 43, Resamples: 100})
	if reflect.DeepEqual(a.Ratings, c.Ratings) {
		t.Error("the seed does not matter")
	}
	for i := range a.Ratings { // the point estimate does not depend on the seed
		if a.Ratings[i].Score != c.Ratings[i].Score {
			t.Errorf("score changed with the seed")
		}
	}
}

func TestBradleyTerryEdgeCases(t *testing.T) {
	// An undefeated player stays finite thanks to the prior, and leads.
	comps := []BTComparison{{Winner: "new", Loser: "old"}, {Winner: "new", Loser: "old"}, {Winner: "new", Loser: "mid"},
		{Winner: "mid", Loser: "old"}, {Winner: "old", Loser: "mid"}}
	res, err := BradleyTerry(comps, BTOptions{Resamples: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ratings[0].Player != "new" || math.IsInf(res.Ratings[0].Score, 0) || math.IsNaN(res.Ratings[0].Score) || res.Ratings[0].Score > 1600 {
		t.Errorf("ratings %+v", res.Ratings)
	}
	// All ties: everyone equal.
	res, _ = BradleyTerry([]BTComparison{{Winner: "a", Loser: "b", Tie: true}, {Winner: "b", Loser: "c", Tie: true}}, BTOptions{Resamples: -1})
	for _, r := range res.Ratings {
		if math.Abs(r.Score-1000) > 1e-6 || r.Lower != r.Score {
			t.Errorf("tied players: %+v", res.Ratings)
		}
	}
	// Anchor: the anchor scores 1000, differences are unchanged.
	comps = btWorld(rand.New(rand.NewPCG(5, 6)), btTruth, 500, 0)
	free, _ := BradleyTerry(comps, BTOptions{Resamples: -1})
	anch, _ := BradleyTerry(comps, BTOptions{Resamples: -1, Anchor: "v1"})
	score := func(res BTResult, p string) float64 {
		for _, r := range res.Ratings {
			if r.Player == p {
				return r.Score
			}
		}
		return math.NaN()
	}
	if score(anch, "v1") != 1000 || math.Abs((score(anch, "v5")-score(anch, "v1"))-(score(free, "v5")-score(free, "v1"))) > 1e-6 {
		t.Errorf("anchor: v1 %.3f, v5 %.3f", score(anch, "v1"), score(anch, "v5"))
	}
	for _, bad := range [][]BTComparison{nil, {{Winner: "a", Loser: "a"}}, {{Winner: "a"}}} {
		if _, err := BradleyTerry(bad, BTOptions{}); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%v: err = %v", bad, err)
		}
	}
	if _, err := BradleyTerry(comps, BTOptions{Anchor: "nobody"}); err == nil {
		t.Error("unknown anchor accepted")
	}
}

func TestBTWinRateMatrix(t *testing.T) {
	comps := []BTComparison{{Winner: "a", Loser: "b"}, {Winner: "a", Loser: "b"}, {Winner: "b", Loser: "a"},
		{Winner: "a", Loser: "c", Tie: true}}
	res, err := BradleyTerry(comps, BTOptions{Resamples: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := res.WinRates
	if !reflect.DeepEqual(m.Players, []string{"a", "b", "c"}) {
		t.Fatalf("players %v", m.Players)
	}
	if r, ok := m.Rate(0, 1); !ok || math.Abs(r-2.0/3) > 1e-12 {
		t.Errorf("a over b = %v", r)
	}
	if r, ok := m.Rate(2, 0); !ok || r != 0.5 {
		t.Errorf("c over a = %v", r)
	}
	if _, ok := m.Rate(1, 2); ok {
		t.Error("b and c never met")
	}
	b, _ := json.Marshal(m)
	if want := `"rate":[[null,0.6667,0.5],[0.3333,null,null],[0.5,null,null]]`; !strings.Contains(string(b), want) {
		t.Errorf("json %s lacks %s", b, want)
	}
}

func TestBTFromAnswers(t *testing.T) {
	cases := map[string]BTComparison{
		`{"choice":"a"}`:        {Winner: "r1", Loser: "r2"},
		`{"choice":"b"}`:        {Winner: "r2", Loser: "r1"},
		`{"choice":"tie"}`:      {Winner: "r1", Loser: "r2", Tie: true},
		`{"choice":"both_bad"}`: {Winner: "r1", Loser: "r2", Tie: true},
	}
	for ans, want := range cases {
		got, err := BTFromPairwise("r1", "r2", json.RawMessage(ans))
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v", ans, got, err)
		}
	}
	got, err := BTFromRanking(map[string]string{"x": "v1", "y": "v2", "z": "v3", "w": "v1"}, json.RawMessage(`{"ranking":[["x"],["w","y"],["z"]]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []BTComparison{{Winner: "v1", Loser: "v2"}, {Winner: "v1", Loser: "v3"}, // x over y, z (not over w: same release)
		{Winner: "v1", Loser: "v2", Tie: true}, {Winner: "v1", Loser: "v3"}, {Winner: "v2", Loser: "v3"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ranking comparisons\n got %+v\nwant %+v", got, want)
	}
}

func TestBTRubricMeans(t *testing.T) {
	var scores []BTRubricScore
	for _, v := range []float64{4, 5, 3, 4, 4} {
		scores = append(scores, BTRubricScore{"v2", "helpful", v})
	}
	scores = append(scores, BTRubricScore{"v1", "helpful", 2})
	got := BTRubricMeans(scores)
	if len(got) != 2 || got[0].Release != "v1" || got[1].Release != "v2" {
		t.Fatalf("means %+v", got)
	}
	if got[0].Interval || got[0].Lower != 2 || got[0].N != 1 {
		t.Errorf("single score: %+v", got[0])
	}
	// mean 4, sd sqrt(0.5), t(0.975, 4) = 2.776: half-width 2.776·0.7071/√5 = 0.8779.
	m := got[1]
	if m.Mean != 4 || math.Abs(m.SD-math.Sqrt(0.5)) > 1e-12 || math.Abs(m.Lower-(4-0.87781)) > 1e-4 || math.Abs(m.Upper-(4+0.87781)) > 1e-4 {
		t.Errorf("mean %+v", m)
	}
	for df, want := range map[int]float64{1: 12.706, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980, 1 << 30: 1.960, 50: 2.009} {
		if got := btT975(df); math.Abs(got-want) > 0.0015 {
			t.Errorf("t(0.975, %d) = %.4f, want %.3f", df, got, want)
		}
	}
}
