package agreement

import "math"

// KappaWeights picks the disagreement weights of Cohen's kappa.
type KappaWeights string

const (
	KappaUnweighted KappaWeights = ""
	KappaLinear     KappaWeights = "linear"    // |i-j|
	KappaQuadratic  KappaWeights = "quadratic" // (i-j)^2
)

// CohenKappa compares two annotators over the units both rated. Weighted
// kappa needs ordered categories: order gives them, lowest first; without it
// values must be numbers and distances are numeric (so a 1–5 scale with no
// 3s still counts 2→4 as two steps). With more than two annotators the
// result is the mean pairwise kappa (Light's kappa).
func CohenKappa(ratings []Rating, weights KappaWeights, order []string) (Result, error) {
	metric := MetricCohen
	switch weights {
	case KappaUnweighted:
	case KappaLinear:
		metric = MetricCohenLinear
	case KappaQuadratic:
		metric = MetricCohenQuadratic
	default:
		return Result{}, ErrUnknownMetric.With("kappa weights are linear or quadratic, not %q", weights)
	}
	t, err := NewRatingTable(ratings)
	if err != nil {
		return Result{}, err
	}
	res := Result{Metric: metric, Level: string(weights)}
	res.Units, res.Pairable, res.Annotators = t.Pairable()
	if len(t.Annotators) < 2 {
		return res, undefinedNoPairs("Cohen's kappa", t)
	}
	if len(t.Annotators) == 2 {
		x, y := t.PairValues(0, 1)
		k, obs, exp, err := cohenPair(x, y, weights, order)
		if err != nil {
			return res, err
		}
		res.Value = k
		res.Details = map[string]float64{"observed_disagreement": obs, "expected_disagreement": exp}
		return res, nil
	}
	mean, pairs, err := agreePairMean(t, "Cohen's kappa", func(x, y []string) (float64, error) {
		k, _, _, err := cohenPair(x, y, weights, order)
		return k, err
	})
	if err != nil {
		return res, err
	}
	res.Value = mean
	res.Details = map[string]float64{"pairs": float64(pairs)}
	return res, nil
}

func cohenPair(x, y []string, weights KappaWeights, order []string) (kappa, obs, exp float64, err error) {
	if len(x) == 0 {
		return 0, 0, 0, ErrMetricUndefined.With("Cohen's kappa is undefined: the two annotators share no rated unit")
	}
	set := map[string]int{}
	for i := range x {
		set[x[i]] = 0
		set[y[i]] = 0
	}
	cats := agreeSortedKeys(set)
	pos := make([]float64, len(cats))
	if weights != KappaUnweighted {
		scale, err := ratingScale(cats, order)
		if err != nil {
			return 0, 0, 0, err
		}
		sortByRatingScale(cats, scale)
		for i, c := range cats {
			pos[i] = scale[c]
		}
	}
	for i, c := range cats {
		set[c] = i
	}
	table := make([][]float64, len(cats))
	for i := range table {
		table[i] = make([]float64, len(cats))
	}
	for i := range x {
		table[set[x[i]]][set[y[i]]]++
	}
	return kappaFromTable(table, pos, weights)
}

// CohenKappaTable computes kappa from a square contingency table (rows:
// first annotator, columns: second). Weighted kappa uses row index distance.
func CohenKappaTable(table [][]float64, weights KappaWeights) (float64, error) {
	for _, row := range table {
		if len(row) != len(table) {
			return 0, ErrBadRatingValue.With("contingency table must be square")
		}
		for _, v := range row {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, ErrBadRatingValue.With("contingency table counts must be finite and non-negative")
			}
		}
	}
	pos := make([]float64, len(table))
	for i := range pos {
		pos[i] = float64(i)
	}
	k, _, _, err := kappaFromTable(table, pos, weights)
	return k, err
}

// kappaFromTable uses the disagreement form 1 - Σw·o / Σw·e, which is the
// usual (po-pe)/(1-pe) when w is 1 off the diagonal.
func kappaFromTable(table [][]float64, pos []float64, weights KappaWeights) (kappa, obs, exp float64, err error) {
	k := len(table)
	rows := make([]float64, k)
	cols := make([]float64, k)
	n := 0.0
	for i := range table {
		for j, v := range table[i] {
			rows[i] += v
			cols[j] += v
			n += v
		}
	}
	if n == 0 {
		return 0, 0, 0, ErrMetricUndefined.With("Cohen's kappa is undefined: the table is empty")
	}
	w := func(i, j int) float64 {
		if i == j {
			return 0
		}
		d := math.Abs(pos[i] - pos[j])
		switch weights {
		case KappaLinear:
			return d
		case KappaQuadratic:
			return d * d
		}
		return 1
	}
	for i := range k {
		for j := range k {
			wij := w(i, j)
			obs += wij * table[i][j] / n
			exp += wij * rows[i] * cols[j] / (n * n)
		}
	}
	if exp == 0 {
		return 0, obs, exp, ErrMetricUndefined.With("Cohen's kappa is undefined: expected disagreement is 0 (both annotators used one and the same category)")
	}
	return 1 - obs/exp, obs, exp, nil
}

// FleissKappa needs the same number of ratings on every unit it uses. Units
// with fewer than two ratings carry no agreement and are skipped; any other
// difference in counts is an error, since Fleiss' chance term assumes a
// fixed number of raters (use Krippendorff's alpha for uneven data).
func FleissKappa(ratings []Rating) (Result, error) {
	t, err := NewRatingTable(ratings)
	if err != nil {
		return Result{}, err
	}
	res := Result{Metric: MetricFleiss}
	res.Units, res.Pairable, res.Annotators = t.Pairable()
	if res.Units == 0 {
		return res, undefinedNoPairs("Fleiss' kappa", t)
	}
	cats := t.Values()
	idx := map[string]int{}
	for i, c := range cats {
		idx[c] = i
	}
	var counts [][]int
	raters, firstUnit := 0, ""
	for u, cells := range t.Cells {
		if len(cells) < 2 {
			continue
		}
		if raters == 0 {
			raters, firstUnit = len(cells), t.Units[u]
		} else if len(cells) != raters {
			return res, ErrMetricUndefined.With("Fleiss' kappa needs the same number of ratings per unit: unit %q has %d, unit %q has %d (use alpha for uneven data)",
				firstUnit, raters, t.Units[u], len(cells))
		}
		row := make([]int, len(cats))
		for _, c := range cells {
			row[idx[c.Value]]++
		}
		counts = append(counts, row)
	}
	k, pbar, pe, err := fleissFromCounts(counts)
	if err != nil {
		return res, err
	}
	res.Value = k
	res.Details = map[string]float64{"observed_agreement": pbar, "expected_agreement": pe, "raters_per_unit": float64(raters)}
	return res, nil
}

// FleissKappaCounts computes Fleiss' kappa from a subjects × categories
// table of how many raters put each subject in each category.
func FleissKappaCounts(counts [][]int) (float64, error) {
	k, _, _, err := fleissFromCounts(counts)
	return k, err
}

func fleissFromCounts(counts [][]int) (kappa, pbar, pe float64, err error) {
	if len(counts) == 0 {
		return 0, 0, 0, ErrMetricUndefined.With("Fleiss' kappa is undefined: no subjects")
	}
	n := 0
	for i, row := range counts {
		s := 0
		for _, c := range row {
			if c < 0 {
				return 0, 0, 0, ErrBadRatingValue.With("Fleiss' kappa counts must be non-negative")
			}
			s += c
		}
		if i == 0 {
			n = s
		} else if s != n {
			return 0, 0, 0, ErrMetricUndefined.With("Fleiss' kappa needs the same number of ratings per subject: subject 1 has %d, subject %d has %d", n, i+1, s)
		}
	}
	if n < 2 {
		return 0, 0, 0, ErrMetricUndefined.With("Fleiss' kappa is undefined: it needs at least two ratings per subject")
	}
	cols := make([]float64, len(counts[0]))
	for _, row := range counts {
		if len(row) != len(cols) {
			return 0, 0, 0, ErrBadRatingValue.With("Fleiss' kappa rows must have the same number of categories")
		}
		agree := 0
		for j, c := range row {
			agree += c * (c - 1)
			cols[j] += float64(c)
		}
		pbar += float64(agree) / float64(n*(n-1))
	}
	subjects := float64(len(counts))
	pbar /= subjects
	for _, c := range cols {
		p := c / (subjects * float64(n))
		pe += p * p
	}
	if pe >= 1 {
		return 0, pbar, pe, ErrMetricUndefined.With("Fleiss' kappa is undefined: every rating is the same category, so chance agreement is 1")
	}
	return (pbar - pe) / (1 - pe), pbar, pe, nil
}
