package agreement

import "math"

// AlphaLevel is the measurement level of Krippendorff's alpha.
type AlphaLevel string

const (
	AlphaNominal  AlphaLevel = "nominal"
	AlphaOrdinal  AlphaLevel = "ordinal"
	AlphaInterval AlphaLevel = "interval"
	AlphaRatio    AlphaLevel = "ratio"
)

// KrippendorffAlpha follows Krippendorff (2011), "Computing Krippendorff's
// Alpha-Reliability": values are paired within units through the coincidence
// matrix, units with fewer than two values drop out, so any number of
// annotators and missing values are fine. Ordinal values are ordered by
// order (lowest first) or numerically; interval and ratio need numbers, and
// ratio needs them non-negative.
func KrippendorffAlpha(ratings []Rating, level AlphaLevel, order []string) (Result, error) {
	var metric string
	switch level {
	case AlphaNominal:
		metric = MetricAlphaNominal
	case AlphaOrdinal:
		metric = MetricAlphaOrdinal
	case AlphaInterval:
		metric = MetricAlphaInterval
	case AlphaRatio:
		metric = MetricAlphaRatio
	default:
		return Result{}, ErrUnknownMetric.With("alpha levels are nominal, ordinal, interval and ratio, not %q", level)
	}
	t, err := NewRatingTable(ratings)
	if err != nil {
		return Result{}, err
	}
	res := Result{Metric: metric, Level: string(level)}
	res.Units, res.Pairable, res.Annotators = t.Pairable()
	if res.Units == 0 {
		return res, undefinedNoPairs("Krippendorff's alpha", t)
	}

	values, o, err := CoincidenceMatrix(t, level, order)
	if err != nil {
		return res, err
	}
	k := len(values)
	nc := make([]float64, k)
	n := 0.0
	for c := range k {
		for _, v := range o[c] {
			nc[c] += v
		}
		n += nc[c]
	}
	var scale map[string]float64
	if level == AlphaInterval || level == AlphaRatio {
		if scale, err = ratingScale(values, nil); err != nil {
			return res, err
		}
	}
	if level == AlphaRatio {
		for _, v := range values {
			if scale[v] < 0 {
				return res, ErrBadRatingValue.With("ratio alpha needs non-negative values, got %q", v)
			}
		}
	}
	// cum[i] = n_0 + … + n_{i-1}, for the ordinal metric.
	cum := make([]float64, k+1)
	for i := range k {
		cum[i+1] = cum[i] + nc[i]
	}
	delta2 := func(c, kk int) float64 {
		if c == kk {
			return 0
		}
		switch level {
		case AlphaOrdinal:
			lo, hi := min(c, kk), max(c, kk)
			d := cum[hi+1] - cum[lo] - (nc[c]+nc[kk])/2
			return d * d
		case AlphaInterval:
			d := scale[values[c]] - scale[values[kk]]
			return d * d
		case AlphaRatio:
			a, b := scale[values[c]], scale[values[kk]]
			if a+b == 0 {
				return 0
			}
			d := (a - b) / (a + b)
			return d * d
		}
		return 1
	}
	obs, exp := 0.0, 0.0
	for c := range k {
		for kk := range k {
			d := delta2(c, kk)
			obs += o[c][kk] * d
			exp += nc[c] * nc[kk] * d
		}
	}
	do := obs / n
	de := exp / (n * (n - 1))
	res.Details = map[string]float64{"observed_disagreement": do, "expected_disagreement": de}
	if de == 0 || math.IsNaN(de) {
		return res, ErrMetricUndefined.With("Krippendorff's alpha is undefined: all %d pairable values are the same, so expected disagreement is 0", int(n))
	}
	res.Value = 1 - do/de
	return res, nil
}

// CoincidenceMatrix returns the distinct values (ordered for non-nominal
// levels) and the matrix o[c][k] = Σ_u (number of c–k pairs in u)/(m_u − 1),
// over units with m_u ≥ 2 values.
func CoincidenceMatrix(t *RatingTable, level AlphaLevel, order []string) ([]string, [][]float64, error) {
	values := t.Values()
	if level != AlphaNominal {
		scale, err := ratingScale(values, order)
		if err != nil {
			return nil, nil, err
		}
		sortByRatingScale(values, scale)
	}
	idx := make(map[string]int, len(values))
	for i, v := range values {
		idx[v] = i
	}
	o := make([][]float64, len(values))
	for i := range o {
		o[i] = make([]float64, len(values))
	}
	counts := map[int]float64{}
	for _, cells := range t.Cells {
		m := len(cells)
		if m < 2 {
			continue
		}
		clear(counts)
		for _, c := range cells {
			counts[idx[c.Value]]++
		}
		for c, nc := range counts {
			for k, nk := range counts {
				pairs := nc * nk
				if c == k {
					pairs = nc * (nc - 1)
				}
				o[c][k] += pairs / float64(m-1)
			}
		}
	}
	return values, o, nil
}
