package agreement

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestMajorityVoteTies(t *testing.T) {
	ratings := []Rating{
		{"u1", "a", "cat"}, {"u1", "b", "cat"}, {"u1", "c", "dog"},
		{"u2", "a", "dog"}, {"u2", "b", "cat"},
		{"u3", "a", ""},
	}
	got, err := MajorityVote(ratings, MajorityOptions{Tie: TieNone})
	if err != nil || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	if u1 := got[0]; u1.Label != "cat" || !u1.Decided || u1.Votes != 3 || u1.Support != 2 || math.Abs(u1.Share-2.0/3) > 1e-12 {
		t.Errorf("u1 = %+v", u1)
	}
	if u2 := got[1]; u2.Decided || u2.Label != "" || !reflect.DeepEqual(u2.Tied, []string{"cat", "dog"}) {
		t.Errorf("u2 with TieNone = %+v, want undecided tie of cat and dog", u2)
	}
	if u3 := got[2]; u3.Decided || u3.Votes != 0 || u3.Unit != "u3" {
		t.Errorf("u3 = %+v, want undecided with no votes", u3)
	}

	got, _ = MajorityVote(ratings, MajorityOptions{Tie: TieFirstInOrder, Order: []string{"dog", "cat"}})
	if u2 := got[1]; !u2.Decided || u2.Label != "dog" || !reflect.DeepEqual(u2.Tied, []string{"dog", "cat"}) {
		t.Errorf("u2 with order dog,cat = %+v", u2)
	}
	got, _ = MajorityVote(ratings, MajorityOptions{Tie: TieFirstInOrder})
	if got[1].Label != "cat" {
		t.Errorf("u2 with no order = %+v, want alphabetical first", got[1])
	}

	// Seeded ties are reproducible and do not depend on row order.
	many := []Rating{}
	for u := range 200 {
		unit := fmt.Sprint("t", u)
		many = append(many, Rating{unit, "a", "x"}, Rating{unit, "b", "y"})
	}
	r1, _ := MajorityVote(many, MajorityOptions{Tie: TieRandomSeeded, Seed: 7})
	rev := make([]Rating, len(many))
	for i, r := range many {
		rev[len(many)-1-i] = r
	}
	r2, _ := MajorityVote(rev, MajorityOptions{Tie: TieRandomSeeded, Seed: 7})
	if !reflect.DeepEqual(r1, r2) {
		t.Errorf("seeded tie-breaking depends on row order")
	}
	xs := 0
	for _, r := range r1 {
		if !r.Decided {
			t.Fatalf("seeded tie left %s undecided", r.Unit)
		}
		if r.Label == "x" {
			xs++
		}
	}
	if xs < 60 || xs > 140 {
		t.Errorf("seeded ties chose x %d of 200 times; not a fair pick", xs)
	}
}

// dawidSkeneWorld simulates annotators with known confusion matrices.
// conf[a][true] is annotator a's distribution over given labels.
func dawidSkeneWorld(rng *rand.Rand, items int, prior []float64, conf [][][]float64, coverage float64) (ratings []Rating, truth map[string]string) {
	draw := func(p []float64) int {
		x := rng.Float64()
		for i, v := range p {
			if x < v {
				return i
			}
			x -= v
		}
		return len(p) - 1
	}
	classes := []string{"a", "b", "c"}
	truth = map[string]string{}
	for i := range items {
		unit := fmt.Sprintf("item-%04d", i)
		k := draw(prior)
		truth[unit] = classes[k]
		for a := range conf {
			if rng.Float64() < coverage {
				ratings = append(ratings, Rating{unit, fmt.Sprint("ann", a), classes[draw(conf[a][k])]})
			}
		}
	}
	return ratings, truth
}

func dawidSkeneAccuracy(t map[string]string, labels map[string]string) float64 {
	right := 0
	for u, l := range t {
		if labels[u] == l {
			right++
		}
	}
	return float64(right) / float64(len(t))
}

func TestDawidSkeneBeatsMajority(t *testing.T) {
	good := [][]float64{{0.9, 0.05, 0.05}, {0.05, 0.9, 0.05}, {0.05, 0.05, 0.9}}
	noisy := [][]float64{{0.5, 0.25, 0.25}, {0.25, 0.5, 0.25}, {0.25, 0.25, 0.5}}
	spammer := [][]float64{{0.34, 0.33, 0.33}, {0.34, 0.33, 0.33}, {0.34, 0.33, 0.33}}
	// Swaps every class for the next one: useless to a vote, informative to DS.
	adversarial := [][]float64{{0.05, 0.9, 0.05}, {0.05, 0.05, 0.9}, {0.9, 0.05, 0.05}}
	conf := [][][]float64{good, good, noisy, noisy, spammer, adversarial, adversarial}
	rng := rand.New(rand.NewPCG(11, 12))
	ratings, truth := dawidSkeneWorld(rng, 600, []float64{0.5, 0.3, 0.2}, conf, 0.8)

	mv, err := MajorityVote(ratings, MajorityOptions{Tie: TieRandomSeeded, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	mvLabels := map[string]string{}
	for _, r := range mv {
		mvLabels[r.Unit] = r.Label
	}
	ds, err := DawidSkene(ratings, DawidSkeneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dsLabels := map[string]string{}
	for _, it := range ds.Items {
		dsLabels[it.Unit] = it.Label
		sum := 0.0
		for _, p := range it.Posterior {
			sum += p
		}
		if math.Abs(sum-1) > 1e-9 || it.Confidence < 1.0/3 {
			t.Fatalf("item %s: posterior %v", it.Unit, it.Posterior)
		}
	}
	mvAcc, dsAcc := dawidSkeneAccuracy(truth, mvLabels), dawidSkeneAccuracy(truth, dsLabels)
	t.Logf("majority %.3f, Dawid–Skene %.3f after %d iterations (converged %v)", mvAcc, dsAcc, ds.Iterations, ds.Converged)
	if dsAcc <= mvAcc || dsAcc < 0.9 {
		t.Errorf("Dawid–Skene accuracy %.3f, majority %.3f: want DS ahead and ≥ 0.9", dsAcc, mvAcc)
	}
	if !ds.Converged || ds.Iterations > 100 {
		t.Errorf("did not converge: %d iterations", ds.Iterations)
	}
	// The fitted matrices should recognise who is who.
	if c := ds.Confusion["ann0"]; c[0][0] < 0.8 {
		t.Errorf("good annotator's P(a|a) = %.2f", c[0][0])
	}
	if c := ds.Confusion["ann5"]; c[0][1] < 0.8 || c[1][2] < 0.8 {
		t.Errorf("adversarial annotator's matrix = %v", c)
	}
	if math.Abs(ds.Priors[0]-0.5) > 0.07 {
		t.Errorf("priors = %v, want about 0.5 0.3 0.2", ds.Priors)
	}

	// Deterministic, whatever the row order.
	rng.Shuffle(len(ratings), func(i, j int) { ratings[i], ratings[j] = ratings[j], ratings[i] })
	again, _ := DawidSkene(ratings, DawidSkeneOptions{})
	if !reflect.DeepEqual(ds, again) {
		t.Errorf("Dawid–Skene depends on row order")
	}
}

func TestDawidSkeneEdgeCases(t *testing.T) {
	if _, err := DawidSkene(nil, DawidSkeneOptions{}); err == nil {
		t.Errorf("no ratings: want an error")
	}
	ratings := []Rating{{"u1", "a", "x"}, {"u1", "b", "z"}}
	if _, err := DawidSkene(ratings, DawidSkeneOptions{Classes: []string{"x", "y"}}); err == nil {
		t.Errorf("value outside classes: want an error")
	}
	res, err := DawidSkene(ratings, DawidSkeneOptions{Classes: []string{"x", "y", "z"}})
	if err != nil || len(res.Items) != 1 || len(res.Items[0].Posterior) != 3 || len(res.Confusion) != 2 {
		t.Fatalf("res = %+v, %v", res, err)
	}
	for _, p := range append(res.Items[0].Posterior, res.LogLikelihood) {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			t.Errorf("non-finite output %v", res)
		}
	}
}
