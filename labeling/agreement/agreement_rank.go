package agreement

import "math"

// KendallTau is Kendall's tau-b between two annotators' rankings: units are
// the ranked things and values their ranks or scores (numbers, or positions
// in order). With more than two annotators it averages over pairs.
func KendallTau(ratings []Rating, order []string) (Result, error) {
	t, err := NewRatingTable(ratings)
	if err != nil {
		return Result{}, err
	}
	res := Result{Metric: MetricKendallTau}
	res.Units, res.Pairable, res.Annotators = t.Pairable()
	if len(t.Annotators) < 2 {
		return res, undefinedNoPairs("Kendall's tau", t)
	}
	scale, err := ratingScale(t.Values(), order)
	if err != nil {
		return res, err
	}
	tau := func(x, y []string) (float64, error) {
		fx := make([]float64, len(x))
		fy := make([]float64, len(y))
		for i := range x {
			fx[i], fy[i] = scale[x[i]], scale[y[i]]
		}
		return KendallTauB(fx, fy)
	}
	if len(t.Annotators) == 2 {
		x, y := t.PairValues(0, 1)
		res.Value, err = tau(x, y)
		return res, err
	}
	mean, pairs, err := agreePairMean(t, "Kendall's tau", tau)
	if err != nil {
		return res, err
	}
	res.Value = mean
	res.Details = map[string]float64{"pairs": float64(pairs)}
	return res, nil
}

// KendallTauB is (concordant − discordant) / sqrt(pairs untied in x × pairs
// untied in y), which handles ties in either ranking. It is O(n²); rankings
// labelled by hand are short.
func KendallTauB(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, ErrBadRatingValue.With("Kendall's tau needs two rankings of the same length, got %d and %d", len(x), len(y))
	}
	if len(x) < 2 {
		return 0, ErrMetricUndefined.With("Kendall's tau is undefined: it needs at least two items ranked by both, got %d", len(x))
	}
	var conc, disc, untiedX, untiedY float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx := kendallSign(x[i] - x[j])
			dy := kendallSign(y[i] - y[j])
			if dx != 0 {
				untiedX++
			}
			if dy != 0 {
				untiedY++
			}
			switch dx * dy {
			case 1:
				conc++
			case -1:
				disc++
			}
		}
	}
	if untiedX == 0 || untiedY == 0 {
		return 0, ErrMetricUndefined.With("Kendall's tau is undefined: one ranking gives every item the same rank")
	}
	return (conc - disc) / math.Sqrt(untiedX*untiedY), nil
}

func kendallSign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
