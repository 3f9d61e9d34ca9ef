package agreement

import (
	"errors"
	"math"
	"os"
	"testing"
)

// TestDawidSkenePaper fits the worked example of Dawid & Skene (1979),
// "Maximum likelihood estimation of observer error-rates using the EM
// algorithm", Applied Statistics 28(1):20–28: Table 1's 45 patients rated
// on a 4-point scale by five clinicians, clinician 1 three times
// (testdata/dawid_skene_1979.csv, 315 ratings; transcribed as also
// distributed with dallascard/dawid_skene and the R package rater's
// `anesthesia` data). The paper fits plain maximum likelihood, so smoothing
// is 0, and EM starts from each patient's vote shares as in its section 3.
// The expected figures are the paper's estimates, to its two decimals: the
// class marginals and observer 1's error rates (Table 2).
func TestDawidSkenePaper(t *testing.T) {
	f, err := os.Open("testdata/dawid_skene_1979.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ratings, err := ReadRatings(f, RatingsCSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 315 {
		t.Fatalf("%d ratings, want 315", len(ratings))
	}
	zero := 0.0
	res, err := DawidSkene(ratings, DawidSkeneOptions{Smoothing: &zero})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Fatalf("not converged after %d iterations", res.Iterations)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 0.005 {
			t.Errorf("%s = %.4f, want %.2f", what, got, want)
		}
	}
	for k, want := range []float64{0.40, 0.42, 0.11, 0.07} {
		near("prior of class "+res.Classes[k], res.Priors[k], want)
	}
	obs1 := [][]float64{
		{0.89, 0.11, 0.00, 0.00},
		{0.07, 0.88, 0.05, 0.00},
		{0.00, 0.34, 0.66, 0.00},
		{0.00, 0.00, 0.56, 0.44},
	}
	for k, row := range obs1 {
		for l, want := range row {
			near("observer 1 error rate "+res.Classes[k]+"→"+res.Classes[l], res.Confusion["1"][k][l], want)
		}
	}
	labels := map[string]string{}
	for _, it := range res.Items {
		labels[it.Unit] = it.Label
		sum := 0.0
		for _, p := range it.Posterior {
			sum += p
		}
		near("posterior sum of patient "+it.Unit, sum, 1)
	}
	// Patient 2 (clinician 1 said 3 three times, two others 4) is class 4;
	// patient 7 (votes 1,2,2,2,1,1,1) is class 1.
	for p, want := range map[string]string{"2": "4", "7": "1", "11": "4", "12": "3", "38": "3"} {
		if labels[p] != want {
			t.Errorf("patient %s: label %s, want %s", p, labels[p], want)
		}
	}

	// The default smoothing keeps every cell off zero.
	res, err = DawidSkene(ratings, DawidSkeneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Confusion["2"][0][3]; c <= 0 {
		t.Errorf("smoothed confusion cell = %v, want > 0", c)
	}
	neg := -1.0
	if _, err := DawidSkene(ratings, DawidSkeneOptions{Smoothing: &neg}); !errors.Is(err, ErrBadRatingValue) {
		t.Errorf("negative smoothing: %v", err)
	}
}
