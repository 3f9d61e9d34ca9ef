package agreement

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// agreeRows builds ratings from one row of values per annotator; "." is missing.
func agreeRows(rows map[string][]string) []Rating {
	var out []Rating
	for _, a := range agreeSortedKeys(rows) {
		for u, v := range rows[a] {
			if v == "." {
				v = ""
			}
			out = append(out, Rating{Unit: fmt.Sprintf("u%02d", u+1), Annotator: a, Value: v})
		}
	}
	return out
}

func agreeSplit(s string) []string { return strings.Fields(s) }

func agreeRound3(v float64) float64 { return math.Round(v*1000) / 1000 }

func agreeMustValue(t *testing.T, res Result, err error) float64 {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", res.Metric, err)
	}
	if math.IsNaN(res.Value) || math.IsInf(res.Value, 0) {
		t.Fatalf("%s: value %v", res.Metric, res.Value)
	}
	return res.Value
}

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
// section E: four observers, twelve units, missing values.
var krippendorff2011 = map[string][]string{
	"A": agreeSplit("1 2 3 3 2 1 4 1 2 . . ."),
	"B": agreeSplit("1 2 3 3 2 2 4 1 2 5 . 3"),
	"C": agreeSplit(". 3 3 3 2 3 4 2 2 5 1 ."),
	"D": agreeSplit("1 2 3 3 2 4 4 1 2 5 1 ."),
}

func TestAlphaKrippendorff2011(t *testing.T) {
	ratings := agreeRows(krippendorff2011)
	want := map[AlphaLevel]float64{AlphaNominal: 0.743, AlphaOrdinal: 0.815, AlphaInterval: 0.849, AlphaRatio: 0.797}
	for level, w := range want {
		res, err := KrippendorffAlpha(ratings, level, nil)
		if got := agreeRound3(agreeMustValue(t, res, err)); got != w {
			t.Errorf("alpha %s = %.4f, want %.3f", level, res.Value, w)
		}
		// Unit 12 has a single value and drops out: 11 units, 40 values.
		if res.Units != 11 || res.Pairable != 40 || res.Annotators != 4 {
			t.Errorf("alpha %s: units %d pairable %d annotators %d, want 11, 40, 4", level, res.Units, res.Pairable, res.Annotators)
		}
	}
}

// Krippendorff (2011), section A: two observers, binary data, alpha = 0.095.
func TestAlphaBinaryTwoObservers(t *testing.T) {
	ratings := agreeRows(map[string][]string{
		"A": agreeSplit("0 1 0 0 0 0 0 0 1 0"),
		"B": agreeSplit("1 1 1 0 0 1 0 0 0 0"),
	})
	res, err := KrippendorffAlpha(ratings, AlphaNominal, nil)
	if got := agreeRound3(agreeMustValue(t, res, err)); got != 0.095 {
		t.Errorf("alpha = %.4f, want 0.095", res.Value)
	}
}

// Fleiss (1971) as reproduced on Wikipedia "Fleiss' kappa": 10 subjects,
// 14 raters, 5 categories; P̄ = 0.378, P̄e = 0.213, kappa = 0.210.
var fleissWikipedia = [][]int{
	{0, 0, 0, 0, 14},
	{0, 2, 6, 4, 2},
	{0, 0, 3, 5, 6},
	{0, 3, 9, 2, 0},
	{2, 2, 8, 1, 1},
	{7, 7, 0, 0, 0},
	{3, 2, 6, 3, 0},
	{2, 5, 3, 2, 2},
	{6, 5, 2, 1, 0},
	{0, 2, 2, 3, 7},
}

func TestFleissWikipedia(t *testing.T) {
	k, err := FleissKappaCounts(fleissWikipedia)
	if err != nil || agreeRound3(k) != 0.210 {
		t.Fatalf("FleissKappaCounts = %.4f, %v; want 0.210", k, err)
	}
	// The same data as long-format ratings; which rater gave what is arbitrary.
	var ratings []Rating
	for s, row := range fleissWikipedia {
		r := 0
		for c, n := range row {
			for range n {
				ratings = append(ratings, Rating{Unit: fmt.Sprint("s", s), Annotator: fmt.Sprint("r", r), Value: fmt.Sprint(c + 1)})
				r++
			}
		}
	}
	res, err := FleissKappa(ratings)
	if agreeRound3(agreeMustValue(t, res, err)) != 0.210 {
		t.Errorf("FleissKappa = %.4f, want 0.210", res.Value)
	}
	if agreeRound3(res.Details["observed_agreement"]) != 0.378 || agreeRound3(res.Details["expected_agreement"]) != 0.213 {
		t.Errorf("details %v, want P̄ 0.378 and P̄e 0.213", res.Details)
	}
}

func TestFleissUnequalRaters(t *testing.T) {
	ratings := []Rating{
		{"u1", "a", "x"}, {"u1", "b", "x"}, {"u1", "c", "y"},
		{"u2", "a", "x"}, {"u2", "b", "y"},
		{"u3", "c", "y"}, // a single rating carries no agreement and is skipped
	}
	_, err := FleissKappa(ratings)
	if !errors.Is(err, ErrMetricUndefined) {
		t.Fatalf("err = %v, want ErrMetricUndefined for unequal rater counts", err)
	}
}

// Wikipedia "Cohen's kappa": 50 proposals, Yes/Yes 20, Yes/No 5, No/Yes 10,
// No/No 15; po = 0.7, pe = 0.5, kappa = 0.4.
func TestCohenKappaTextbook(t *testing.T) {
	k, err := CohenKappaTable([][]float64{{20, 5}, {10, 15}}, KappaUnweighted)
	if err != nil || agreeRound3(k) != 0.400 {
		t.Fatalf("table kappa = %.4f, %v; want 0.400", k, err)
	}
	var ratings []Rating
	add := func(a, b string, n int) {
		for range n {
			u := fmt.Sprint("p", len(ratings)/2)
			ratings = append(ratings, Rating{u, "A", a}, Rating{u, "B", b})
		}
	}
	add("Yes", "Yes", 20)
	add("Yes", "No", 5)
	add("No", "Yes", 10)
	add("No", "No", 15)
	res, err := CohenKappa(ratings, KappaUnweighted, nil)
	if agreeRound3(agreeMustValue(t, res, err)) != 0.400 {
		t.Errorf("CohenKappa = %.4f, want 0.400", res.Value)
	}
	if res.Units != 50 || res.Pairable != 100 {
		t.Errorf("units %d pairable %d, want 50 and 100", res.Units, res.Pairable)
	}
}

// Weighted kappa worked by hand. Categories 1 < 2 < 3, N = 10,
//
//	        B=1 B=2 B=3 | row
//	A=1      3   1   0  |  4
//	A=2      0   2   1  |  3
//	A=3      1   0   2  |  3
//	col      4   3   3
//
// Kappa_w = 1 - Σ w·o / Σ w·r·c/N (the weight scale cancels).
// Linear w=|i-j|: Σ w·o = 1+1+2 = 4;
// Σ w·r·c = 1·12 + 2·12 + 1·12 + 1·9 + 2·12 + 1·9 = 90, /N = 9;
// kappa = 1 - 4/9 = 0.556.
// Quadratic w=(i-j)²: Σ w·o = 1+1+4 = 6;
// Σ w·r·c = 12 + 48 + 12 + 9 + 48 + 9 = 138, /N = 13.8;
// kappa = 1 - 6/13.8 = 0.565.
// Unweighted: po = 0.7, pe = (16+9+9)/100 = 0.34, kappa = 0.36/0.66 = 0.545.
func TestCohenKappaWeightedByHand(t *testing.T) {
	table := [][]int{{3, 1, 0}, {0, 2, 1}, {1, 0, 2}}
	var ratings []Rating
	for i, row := range table {
		for j, n := range row {
			for range n {
				u := fmt.Sprint("u", len(ratings))
				ratings = append(ratings, Rating{u, "A", strconv.Itoa(i + 1)}, Rating{u, "B", strconv.Itoa(j + 1)})
			}
		}
	}
	want := map[KappaWeights]float64{KappaUnweighted: 0.545, KappaLinear: 0.556, KappaQuadratic: 0.565}
	for w, v := range want {
		res, err := CohenKappa(ratings, w, nil)
		if got := agreeRound3(agreeMustValue(t, res, err)); got != v {
			t.Errorf("kappa %q = %.4f, want %.3f", w, res.Value, v)
		}
	}
	// Same answer with named categories and an explicit order.
	named := slices.Clone(ratings)
	names := map[string]string{"1": "low", "2": "mid", "3": "high"}
	for i := range named {
		named[i].Value = names[named[i].Value]
	}
	res, err := CohenKappa(named, KappaQuadratic, []string{"low", "mid", "high"})
	if agreeRound3(agreeMustValue(t, res, err)) != 0.565 {
		t.Errorf("ordered quadratic kappa = %.4f, want 0.565", res.Value)
	}
	if _, err := CohenKappa(named, KappaLinear, nil); !errors.Is(err, ErrBadRatingValue) {
		t.Errorf("weighted kappa on unordered names: err = %v, want ErrBadRatingValue", err)
	}
}

// Hand-checked: x = 1 2 2 3, y = 1 2 3 3. Of the 6 pairs, 4 are concordant,
// none discordant, one tied in x only and one in y only, so
// tau-b = 4 / sqrt(5·5) = 0.8. And 1 2 3 4 5 vs 1 3 2 5 4 has 8 concordant,
// 2 discordant pairs: tau = 0.6.
func TestKendallTauB(t *testing.T) {
	if v, err := KendallTauB([]float64{1, 2, 2, 3}, []float64{1, 2, 3, 3}); err != nil || math.Abs(v-0.8) > 1e-12 {
		t.Errorf("tau-b with ties = %v, %v; want 0.8", v, err)
	}
	if v, err := KendallTauB([]float64{1, 2, 3, 4, 5}, []float64{1, 3, 2, 5, 4}); err != nil || math.Abs(v-0.6) > 1e-12 {
		t.Errorf("tau = %v, %v; want 0.6", v, err)
	}
	if v, err := KendallTauB([]float64{1, 2, 3}, []float64{3, 2, 1}); err != nil || v != -1 {
		t.Errorf("reversed tau = %v, %v; want -1", v, err)
	}
	ratings := agreeRows(map[string][]string{"A": agreeSplit("1 2 2 3"), "B": agreeSplit("1 2 3 3")})
	res, err := KendallTau(ratings, nil)
	if math.Abs(agreeMustValue(t, res, err)-0.8) > 1e-12 {
		t.Errorf("KendallTau = %v, want 0.8", res.Value)
	}
}

func TestSpanF1(t *testing.T) {
	a := [][]SpanMark{
		{{0, 5, "PER"}, {10, 15, "ORG"}},
		{{3, 8, "LOC"}},
	}
	b := [][]SpanMark{
		{{0, 5, "PER"}, {11, 15, "ORG"}, {20, 22, "PER"}},
		{{3, 8, "PER"}}, // right place, wrong label: never a match
	}
	// Exact: one shared span; P = 1/4, R = 1/3, F1 = 2/7.
	s, err := SpanF1(a, b, SpanExact)
	if err != nil || math.Abs(s.F1-2.0/7) > 1e-12 || s.Precision != 0.25 {
		t.Errorf("exact = %+v, %v; want F1 2/7", s, err)
	}
	// Overlap: ORG 10–15 and 11–15 overlap too; P = 2/4, R = 2/3, F1 = 4/7.
	s, err = SpanF1(a, b, SpanOverlap)
	if err != nil || math.Abs(s.F1-4.0/7) > 1e-12 {
		t.Errorf("overlap = %+v, %v; want F1 4/7", s, err)
	}
	// Adjacent half-open spans do not overlap.
	s, _ = SpanF1([][]SpanMark{{{0, 5, "X"}}}, [][]SpanMark{{{5, 9, "X"}}}, SpanOverlap)
	if s.F1 != 0 {
		t.Errorf("adjacent spans F1 = %v, want 0", s.F1)
	}
	// F1 is symmetric.
	s1, _ := SpanF1(a, b, SpanOverlap)
	s2, _ := SpanF1(b, a, SpanOverlap)
	if math.Abs(s1.F1-s2.F1) > 1e-12 {
		t.Errorf("overlap F1 not symmetric: %v vs %v", s1.F1, s2.F1)
	}
}

func TestSpanAgreementFromRatings(t *testing.T) {
	ratings := []Rating{
		{"d1", "ann", `[{"start":0,"end":5,"label":"PER"}]`},
		{"d1", "bob", `[{"start":0,"end":5,"label":"PER"}]`},
		{"d1", "cat", `[{"start":1,"end":5,"label":"PER"}]`},
		{"d2", "ann", `[]`},
		{"d2", "bob", `[]`},
		{"d2", "cat", ``}, // missing, not "no spans"
	}
	res, err := Compute(ratings, MetricSpanExactF1, Options{})
	// ann–bob 1, ann–cat 0, bob–cat 0.
	if math.Abs(agreeMustValue(t, res, err)-1.0/3) > 1e-12 || res.Details["pairs"] != 3 {
		t.Errorf("exact span agreement = %+v, want 1/3 over 3 pairs", res)
	}
	res, err = Compute(ratings, MetricSpanOverlapF1, Options{})
	if agreeMustValue(t, res, err) != 1 {
		t.Errorf("overlap span agreement = %v, want 1", res.Value)
	}
	bad := append(slices.Clone(ratings), Rating{"d3", "ann", `[{"start":4,"end":2,"label":"X"}]`})
	if _, err := Compute(bad, MetricSpanExactF1, Options{}); !errors.Is(err, ErrBadRatingValue) {
		t.Errorf("backwards span: err = %v, want ErrBadRatingValue", err)
	}
}

func TestPercentAgreement(t *testing.T) {
	ratings := []Rating{
		{"u1", "a", "x"}, {"u1", "b", "x"}, {"u1", "c", "y"}, // 1 of 3 pairs agree
		{"u2", "a", "x"}, {"u2", "b", "x"}, // 1 of 1
		{"u3", "a", "z"}, // alone: not counted
	}
	res, err := PercentAgreement(ratings)
	if math.Abs(agreeMustValue(t, res, err)-(1.0/3+1)/2) > 1e-12 || res.Units != 2 || res.Pairable != 5 {
		t.Errorf("percent = %+v, want 2/3 over 2 units and 5 values", res)
	}
}

// agreeRandom makes ratings for units × annotators with values 1..k, some
// missing, where annotators copy a hidden true value with probability p.
func agreeRandom(rng *rand.Rand, units, annotators, k int, p, missing float64) []Rating {
	var out []Rating
	for u := range units {
		truth := rng.IntN(k) + 1
		for a := range annotators {
			v := truth
			if rng.Float64() > p {
				v = rng.IntN(k) + 1
			}
			val := strconv.Itoa(v)
			if rng.Float64() < missing {
				val = ""
			}
			out = append(out, Rating{Unit: fmt.Sprintf("unit-%d", u), Annotator: fmt.Sprintf("ann-%d", a), Value: val})
		}
	}
	return out
}

func TestAgreePerfectAgreementIsOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		ratings := agreeRandom(rng, 5+trial, 2+trial%4, 4, 1, 0)
		if trial%2 == 1 { // missing values do not spoil perfect agreement
			for i := range ratings {
				if rng.Float64() < 0.2 {
					ratings[i].Value = ""
				}
			}
		}
		metrics := []string{MetricPercent, MetricAlphaNominal, MetricAlphaOrdinal, MetricAlphaInterval, MetricAlphaRatio,
			MetricCohen, MetricCohenLinear, MetricCohenQuadratic}
		if trial%2 == 0 {
			metrics = append(metrics, MetricFleiss)
		}
		for _, m := range metrics {
			res, err := Compute(ratings, m, Options{})
			if errors.Is(err, ErrMetricUndefined) {
				continue // e.g. every unit drew the same value
			}
			if v := agreeMustValue(t, res, err); math.Abs(v-1) > 1e-12 {
				t.Errorf("trial %d: %s = %v on perfect agreement, want 1", trial, m, v)
			}
		}
	}
	x := []float64{3, 1, 2, 2, 5}
	if v, err := KendallTauB(x, x); err != nil || math.Abs(v-1) > 1e-12 {
		t.Errorf("tau-b of a ranking with itself = %v, %v", v, err)
	}
}

func TestAgreePermutationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 10 {
		n := 4
		if trial%2 == 0 {
			n = 2
		}
		missing := 0.15
		if trial%3 == 0 {
			missing = 0 // Fleiss needs equal counts
		}
		ratings := agreeRandom(rng, 40, n, 4, 0.6, missing)
		// Rename annotators and units through random bijections and shuffle rows.
		annPerm, unitPerm := rng.Perm(n), rng.Perm(40)
		perm := slices.Clone(ratings)
		for i := range perm {
			var a, u int
			fmt.Sscanf(perm[i].Annotator, "ann-%d", &a)
			fmt.Sscanf(perm[i].Unit, "unit-%d", &u)
			perm[i].Annotator = fmt.Sprintf("ann-%d", annPerm[a])
			perm[i].Unit = fmt.Sprintf("unit-%d", unitPerm[u])
		}
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for _, m := range Metrics() {
			if m == MetricSpanExactF1 || m == MetricSpanOverlapF1 {
				continue
			}
			r1, err1 := Compute(ratings, m, Options{})
			r2, err2 := Compute(perm, m, Options{})
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("trial %d %s: errors differ: %v vs %v", trial, m, err1, err2)
			}
			if err1 != nil {
				continue
			}
			if math.Abs(r1.Value-r2.Value) > 1e-9 || r1.Units != r2.Units || r1.Pairable != r2.Pairable {
				t.Errorf("trial %d %s: %+v vs %+v after permuting", trial, m, r1, r2)
			}
		}
	}
}

// With two coders and no missing data, alpha = pi + (1 - pi)/(2N), where
// pi is Scott's pi and N the number of units: alpha corrects pi for small
// samples, and the difference vanishes as N grows.
func TestAlphaApproachesScottsPi(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	prevGap := math.Inf(1)
	for _, n := range []int{10, 100, 1000, 10000} {
		ratings := agreeRandom(rng, n, 2, 3, 0.7, 0)
		x, y := map[string]string{}, map[string]string{}
		for _, r := range ratings {
			if r.Annotator == "ann-0" {
				x[r.Unit] = r.Value
			} else {
				y[r.Unit] = r.Value
			}
		}
		agree, pooled := 0.0, map[string]float64{}
		for u := range x {
			if x[u] == y[u] {
				agree++
			}
			pooled[x[u]]++
			pooled[y[u]]++
		}
		po, pe := agree/float64(n), 0.0
		for _, c := range pooled {
			pe += (c / float64(2*n)) * (c / float64(2*n))
		}
		pi := (po - pe) / (1 - pe)
		res, err := KrippendorffAlpha(ratings, AlphaNominal, nil)
		alpha := agreeMustValue(t, res, err)
		gap := alpha - pi
		if want := (1 - pi) / float64(2*n); math.Abs(gap-want) > 1e-9 {
			t.Errorf("N=%d: alpha-pi = %v, want (1-pi)/2N = %v", n, gap, want)
		}
		if math.Abs(gap) >= prevGap {
			t.Errorf("N=%d: |alpha-pi| = %v did not shrink from %v", n, math.Abs(gap), prevGap)
		}
		prevGap = math.Abs(gap)
	}
}

func TestAgreeUndefinedNeverNaN(t *testing.T) {
	single := []Rating{{"u1", "a", "1"}, {"u2", "a", "2"}}
	disjoint := []Rating{{"u1", "a", "1"}, {"u2", "b", "2"}}
	constant := []Rating{{"u1", "a", "1"}, {"u1", "b", "1"}, {"u2", "a", "1"}, {"u2", "b", "1"}}
	cases := map[string][]Rating{"empty": nil, "single annotator": single, "no pairable values": disjoint, "no variation": constant}
	for name, ratings := range cases {
		for _, m := range Metrics() {
			if m == MetricSpanExactF1 || m == MetricSpanOverlapF1 {
				continue
			}
			if name == "no variation" && m == MetricPercent {
				res, err := Compute(ratings, m, Options{})
				if err != nil || res.Value != 1 {
					t.Errorf("percent on identical values = %v, %v; want 1", res.Value, err)
				}
				continue
			}
			res, err := Compute(ratings, m, Options{})
			if !errors.Is(err, ErrMetricUndefined) {
				t.Errorf("%s, %s: err = %v, want ErrMetricUndefined", name, m, err)
			}
			if math.IsNaN(res.Value) || math.IsInf(res.Value, 0) {
				t.Errorf("%s, %s: value %v", name, m, res.Value)
			}
			if err != nil && err.Error() == ErrMetricUndefined.Message {
				t.Errorf("%s, %s: error does not say why", name, m)
			}
		}
	}
	noSpans := []Rating{{"d1", "a", "[]"}, {"d1", "b", "[]"}}
	if _, err := Compute(noSpans, MetricSpanExactF1, Options{}); !errors.Is(err, ErrMetricUndefined) {
		t.Errorf("no spans: err = %v, want ErrMetricUndefined", err)
	}
	if _, err := KendallTauB([]float64{1, 1, 1}, []float64{1, 2, 3}); !errors.Is(err, ErrMetricUndefined) {
		t.Errorf("constant ranking: err = %v, want ErrMetricUndefined", err)
	}
	if _, err := CohenKappaTable([][]float64{{5, 0}, {0, 0}}, KappaUnweighted); !errors.Is(err, ErrMetricUndefined) {
		t.Errorf("one-category table: err = %v, want ErrMetricUndefined", err)
	}
}

func TestAgreeBadInput(t *testing.T) {
	dup := []Rating{{"u1", "a", "1"}, {"u1", "a", "2"}, {"u1", "b", "1"}}
	if _, err := PercentAgreement(dup); !errors.Is(err, ErrDuplicateRating) {
		t.Errorf("duplicate: err = %v", err)
	}
	words := []Rating{{"u1", "a", "x"}, {"u1", "b", "y"}}
	if _, err := KrippendorffAlpha(words, AlphaInterval, nil); !errors.Is(err, ErrBadRatingValue) {
		t.Errorf("interval on words: err = %v", err)
	}
	neg := []Rating{{"u1", "a", "-1"}, {"u1", "b", "2"}}
	if _, err := KrippendorffAlpha(neg, AlphaRatio, nil); !errors.Is(err, ErrBadRatingValue) {
		t.Errorf("ratio on negatives: err = %v", err)
	}
	if _, err := Compute(words, "vibes", Options{}); !errors.Is(err, ErrUnknownMetric) {
		t.Errorf("unknown metric: err = %v", err)
	}
	// Ordinal alpha with an explicit order matches numeric codes.
	coded := agreeRows(krippendorff2011)
	named := slices.Clone(coded)
	words5 := []string{"", "one", "two", "three", "four", "five"}
	for i := range named {
		if named[i].Value != "" {
			n, _ := strconv.Atoi(named[i].Value)
			named[i].Value = words5[n]
		}
	}
	r1, _ := KrippendorffAlpha(coded, AlphaOrdinal, nil)
	r2, err := KrippendorffAlpha(named, AlphaOrdinal, words5[1:])
	if err != nil || math.Abs(r1.Value-r2.Value) > 1e-12 {
		t.Errorf("ordinal with order = %v, %v; want %v", r2.Value, err, r1.Value)
	}
}

func TestAgreeLightsKappaAndPairwise(t *testing.T) {
	ratings := agreeRows(map[string][]string{
		"A": agreeSplit("x y x y x y"),
		"B": agreeSplit("x y x y x y"),
		"C": agreeSplit("y x y x y x"),
	})
	pairs, err := PairwiseAgreement(ratings, MetricCohen, Options{})
	if err != nil || len(pairs) != 3 {
		t.Fatalf("pairs = %v, %v", pairs, err)
	}
	want := map[[2]string]float64{{"A", "B"}: 1, {"A", "C"}: -1, {"B", "C"}: -1}
	for _, p := range pairs {
		if p.Err != nil || math.Abs(p.Result.Value-want[[2]string{p.A, p.B}]) > 1e-12 {
			t.Errorf("pair %s-%s = %v, %v", p.A, p.B, p.Result.Value, p.Err)
		}
	}
	res, err := CohenKappa(ratings, KappaUnweighted, nil)
	if math.Abs(agreeMustValue(t, res, err)-(-1.0/3)) > 1e-12 || res.Details["pairs"] != 3 {
		t.Errorf("Light's kappa = %+v, want -1/3 over 3 pairs", res)
	}
	// A pair with nothing in common is reported, not fatal.
	ratings = append(ratings, Rating{"other", "D", "x"})
	pairs, err = PairwiseAgreement(ratings, MetricCohen, Options{})
	if err != nil || len(pairs) != 6 {
		t.Fatalf("pairs with D = %d, %v", len(pairs), err)
	}
	for _, p := range pairs {
		if p.B == "D" && (!errors.Is(p.Err, ErrMetricUndefined) || p.Reason == "") {
			t.Errorf("pair %s-D: err %v reason %q", p.A, p.Err, p.Reason)
		}
	}
}

func TestAgreeMetricsFor(t *testing.T) {
	for _, tt := range []string{"classification", "multilabel", "spans", "pairwise", "ranking", "rubric", "rewrite", "moderation", "nonsense"} {
		ms := MetricsFor(tt)
		if ms == nil {
			t.Errorf("%s: nil", tt)
		}
		for _, m := range ms {
			if !slices.Contains(Metrics(), m) {
				t.Errorf("%s: %q is not a known metric", tt, m)
			}
		}
	}
	if !slices.Contains(MetricsFor("classification"), MetricFleiss) || len(MetricsFor("rewrite")) != 0 ||
		!slices.Contains(MetricsFor("rubric"), MetricCohenQuadratic) || !slices.Contains(MetricsFor("ranking"), MetricKendallTau) {
		t.Errorf("unexpected selection")
	}
}

func TestAgreeExpandMultilabel(t *testing.T) {
	ratings := []Rating{
		{"u1", "a", `["red","blue"]`},
		{"u1", "b", "red"},
		{"u2", "a", "[]"},
		{"u2", "b", "blue|red"},
		{"u3", "a", ""},
	}
	got, err := ExpandMultilabel(ratings, "|")
	if err != nil || len(got) != 8 {
		t.Fatalf("expanded = %v, %v", got, err)
	}
	ones := map[string]bool{}
	for _, r := range got {
		if r.Value == "1" {
			ones[r.Unit+"/"+r.Annotator] = true
		}
	}
	for _, k := range []string{"u1\x1fred/a", "u1\x1fblue/a", "u1\x1fred/b", "u2\x1fblue/b", "u2\x1fred/b"} {
		if !ones[k] {
			t.Errorf("missing %q in %v", k, ones)
		}
	}
	res, err := PercentAgreement(got)
	if math.Abs(agreeMustValue(t, res, err)-0.25) > 1e-12 { // only u1/red agrees
		t.Errorf("percent = %v, want 0.25", res.Value)
	}
}
