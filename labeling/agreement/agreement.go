// Package agreement measures how far annotators agree, and derives consensus, item scores and gold checks from their answers.
package agreement

import (
	"copyhold/labeling/fault"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Agreement errors. A metric that cannot be computed for the data returns
// ErrMetricUndefined with the reason, never NaN or Inf.
var (
	ErrMetricUndefined  = fault.New(fault.KindInvalid, "metric_undefined", "the agreement metric is undefined for this data")
	ErrUnknownMetric    = fault.New(fault.KindInvalid, "unknown_metric", "unknown agreement metric")
	ErrBadRatingValue   = fault.New(fault.KindInvalid, "bad_rating_value", "a rating value does not fit the metric")
	ErrDuplicateRating  = fault.New(fault.KindInvalid, "duplicate_rating", "an annotator rated the same unit twice")
	ErrBadRatingRow     = fault.New(fault.KindInvalid, "bad_rating_row", "the ratings file has malformed rows")
	ErrUnknownRatingFmt = fault.New(fault.KindInvalid, "unknown_rating_format", "ratings files are csv or jsonl")
)

// Rating is one annotator's value for one unit, in long format. Value "" is missing.
type Rating struct {
	Unit      string `json:"item"`
	Annotator string `json:"annotator"`
	Value     string `json:"value"`
}

// Metric names accepted by Compute and returned by MetricsFor.
const (
	MetricPercent        = "percent"
	MetricCohen          = "cohen"
	MetricCohenLinear    = "cohen_linear"
	MetricCohenQuadratic = "cohen_quadratic"
	MetricFleiss         = "fleiss"
	MetricAlphaNominal   = "alpha_nominal"
	MetricAlphaOrdinal   = "alpha_ordinal"
	MetricAlphaInterval  = "alpha_interval"
	MetricAlphaRatio     = "alpha_ratio"
	MetricSpanExactF1    = "span_exact_f1"
	MetricSpanOverlapF1  = "span_overlap_f1"
	MetricKendallTau     = "kendall_tau"
)

// Metrics lists every metric name Compute knows.
func Metrics() []string {
	return []string{
		MetricPercent, MetricCohen, MetricCohenLinear, MetricCohenQuadratic, MetricFleiss,
		MetricAlphaNominal, MetricAlphaOrdinal, MetricAlphaInterval, MetricAlphaRatio,
		MetricSpanExactF1, MetricSpanOverlapF1, MetricKendallTau,
	}
}

// MetricsFor says which agreement metrics make sense for a task type.
// Multilabel metrics apply to ratings passed through ExpandMultilabel (one
// binary unit per label). Unknown types and free-text rewrites get none.
func MetricsFor(taskType string) []string {
	switch taskType {
	case "classification", "moderation", "pairwise":
		return []string{MetricPercent, MetricCohen, MetricFleiss, MetricAlphaNominal}
	case "multilabel":
		return []string{MetricPercent, MetricAlphaNominal}
	case "rubric":
		return []string{MetricAlphaOrdinal, MetricAlphaInterval, MetricCohenLinear, MetricCohenQuadratic, MetricPercent}
	case "spans":
		return []string{MetricSpanExactF1, MetricSpanOverlapF1}
	case "ranking":
		return []string{MetricKendallTau, MetricAlphaOrdinal}
	default: // "rewrite" and anything unknown
		return []string{}
	}
}

// Options carries what some metrics need beyond the ratings.
type Options struct {
	// Order lists ordered categories, lowest first, for ordinal alpha,
	// weighted Cohen and Kendall's tau. Nil means values must be numbers.
	Order []string
}

// Result is one metric computed over a set of ratings.
type Result struct {
	Metric     string             `json:"metric"`
	Level      string             `json:"level,omitempty"` // alpha level or kappa weights
	Value      float64            `json:"value"`
	Units      int                `json:"units"`      // units that contributed
	Annotators int                `json:"annotators"` // annotators with a value in a contributing unit
	Pairable   int                `json:"pairable"`   // values in units with at least two values
	Details    map[string]float64 `json:"details,omitempty"`
}

// Compute computes the named metric. For cohen and kendall_tau with
// more than two annotators it averages over annotator pairs (for Cohen this is
// Light's kappa); span metrics expect values encoded as by ParseSpanMarks.
func Compute(ratings []Rating, metric string, opts Options) (Result, error) {
	switch metric {
	case MetricPercent:
		return PercentAgreement(ratings)
	case MetricCohen:
		return CohenKappa(ratings, KappaUnweighted, opts.Order)
	case MetricCohenLinear:
		return CohenKappa(ratings, KappaLinear, opts.Order)
	case MetricCohenQuadratic:
		return CohenKappa(ratings, KappaQuadratic, opts.Order)
	case MetricFleiss:
		return FleissKappa(ratings)
	case MetricAlphaNominal:
		return KrippendorffAlpha(ratings, AlphaNominal, opts.Order)
	case MetricAlphaOrdinal:
		return KrippendorffAlpha(ratings, AlphaOrdinal, opts.Order)
	case MetricAlphaInterval:
		return KrippendorffAlpha(ratings, AlphaInterval, opts.Order)
	case MetricAlphaRatio:
		return KrippendorffAlpha(ratings, AlphaRatio, opts.Order)
	case MetricKendallTau:
		return KendallTau(ratings, opts.Order)
	case MetricSpanExactF1, MetricSpanOverlapF1:
		marks, err := SpanMarksFromRatings(ratings)
		if err != nil {
			return Result{}, err
		}
		match := SpanExact
		if metric == MetricSpanOverlapF1 {
			match = SpanOverlap
		}
		return SpanAgreement(marks, match)
	}
	return Result{}, ErrUnknownMetric.With("unknown agreement metric %q (known: %s)", metric, strings.Join(Metrics(), ", "))
}

// PairAgreement is one cell of the annotator-by-annotator agreement matrix.
type PairAgreement struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Result Result `json:"result"`
	Err    error  `json:"-"`
	Reason string `json:"reason,omitempty"` // why the metric is undefined for this pair
}

// PairwiseAgreement computes metric for every annotator pair (A < B), for a
// heatmap. A pair whose metric is undefined keeps its error in Err; only
// errors that would hit every pair (unknown metric, bad data) are returned.
func PairwiseAgreement(ratings []Rating, metric string, opts Options) ([]PairAgreement, error) {
	if !slices.Contains(Metrics(), metric) {
		return nil, ErrUnknownMetric.With("unknown agreement metric %q", metric)
	}
	byAnnotator := map[string][]Rating{}
	for _, r := range ratings {
		byAnnotator[r.Annotator] = append(byAnnotator[r.Annotator], r)
	}
	names := agreeSortedKeys(byAnnotator)
	var out []PairAgreement
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, b := names[i], names[j]
			pair := append(append([]Rating(nil), byAnnotator[a]...), byAnnotator[b]...)
			res, err := Compute(pair, metric, opts)
			p := PairAgreement{A: a, B: b, Result: res, Err: err}
			if err != nil {
				if !isMetricUndefined(err) {
					return nil, err
				}
				p.Reason = err.Error()
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func isMetricUndefined(err error) bool {
	e, ok := err.(*fault.Error)
	return ok && e.Code == ErrMetricUndefined.Code
}

// RatingCell is one non-missing value in a RatingTable.
type RatingCell struct {
	Annotator int // index into RatingTable.Annotators
	Value     string
}

// RatingTable is ratings grouped by unit, sparse so that large crowds with
// few ratings each stay small. Units and annotators are sorted so results do
// not depend on input order.
type RatingTable struct {
	Units      []string
	Annotators []string
	Cells      [][]RatingCell // Cells[u]: unit u's non-missing values, by annotator index
}

// NewRatingTable groups long-format ratings. Missing values are dropped; an
// annotator giving two values for one unit is an error because no metric
// here can say which one counts.
func NewRatingTable(ratings []Rating) (*RatingTable, error) {
	unitSet := map[string]int{}
	annSet := map[string]int{}
	for _, r := range ratings {
		if r.Value == "" {
			continue
		}
		unitSet[r.Unit] = 0
		annSet[r.Annotator] = 0
	}
	t := &RatingTable{Units: agreeSortedKeys(unitSet), Annotators: agreeSortedKeys(annSet)}
	for i, u := range t.Units {
		unitSet[u] = i
	}
	for i, a := range t.Annotators {
		annSet[a] = i
	}
	t.Cells = make([][]RatingCell, len(t.Units))
	for _, r := range ratings {
		if r.Value == "" {
			continue
		}
		u := unitSet[r.Unit]
		t.Cells[u] = append(t.Cells[u], RatingCell{Annotator: annSet[r.Annotator], Value: r.Value})
	}
	for u, cells := range t.Cells {
		sort.SliceStable(cells, func(i, j int) bool { return cells[i].Annotator < cells[j].Annotator })
		for i := 1; i < len(cells); i++ {
			if cells[i].Annotator == cells[i-1].Annotator {
				return nil, ErrDuplicateRating.With("annotator %q rated unit %q twice", t.Annotators[cells[i].Annotator], t.Units[u])
			}
		}
	}
	return t, nil
}

// Values returns the distinct values, sorted as strings.
func (t *RatingTable) Values() []string {
	set := map[string]int{}
	for _, cells := range t.Cells {
		for _, c := range cells {
			set[c.Value] = 0
		}
	}
	return agreeSortedKeys(set)
}

// Pairable returns the units with at least two values, the number of
// values in them, and how many distinct annotators gave those values.
func (t *RatingTable) Pairable() (units, values, annotators int) {
	seen := make([]bool, len(t.Annotators))
	for _, cells := range t.Cells {
		if len(cells) < 2 {
			continue
		}
		units++
		values += len(cells)
		for _, c := range cells {
			if !seen[c.Annotator] {
				seen[c.Annotator] = true
				annotators++
			}
		}
	}
	return units, values, annotators
}

// PairValues returns the values annotators a and b gave to the units they
// both rated, in unit order.
func (t *RatingTable) PairValues(a, b int) (x, y []string) {
	for _, cells := range t.Cells {
		va, vb, okA, okB := "", "", false, false
		for _, c := range cells {
			switch c.Annotator {
			case a:
				va, okA = c.Value, true
			case b:
				vb, okB = c.Value, true
			}
		}
		if okA && okB {
			x = append(x, va)
			y = append(y, vb)
		}
	}
	return x, y
}

// PercentAgreement is the mean over units with at least two values of the
// share of agreeing value pairs in the unit. With two annotators it is the
// share of shared units on which they agree.
func PercentAgreement(ratings []Rating) (Result, error) {
	t, err := NewRatingTable(ratings)
	if err != nil {
		return Result{}, err
	}
	res := Result{Metric: MetricPercent}
	res.Units, res.Pairable, res.Annotators = t.Pairable()
	if res.Units == 0 {
		return res, undefinedNoPairs("percent agreement", t)
	}
	sum := 0.0
	for _, cells := range t.Cells {
		m := len(cells)
		if m < 2 {
			continue
		}
		counts := map[string]int{}
		for _, c := range cells {
			counts[c.Value]++
		}
		agree := 0
		for _, n := range counts {
			agree += n * (n - 1) / 2
		}
		sum += float64(agree) / float64(m*(m-1)/2)
	}
	res.Value = sum / float64(res.Units)
	return res, nil
}

// undefinedNoPairs explains why no unit has two values.
func undefinedNoPairs(metric string, t *RatingTable) error {
	if len(t.Annotators) < 2 {
		return ErrMetricUndefined.With("%s is undefined: it needs at least two annotators, found %d", metric, len(t.Annotators))
	}
	return ErrMetricUndefined.With("%s is undefined: no unit has values from two or more annotators", metric)
}

// ratingScale places each value on a number line: its position in order if
// order is given, otherwise its numeric value.
func ratingScale(values []string, order []string) (map[string]float64, error) {
	scale := make(map[string]float64, len(values))
	if order != nil {
		pos := make(map[string]float64, len(order))
		for i, v := range order {
			if _, dup := pos[v]; !dup {
				pos[v] = float64(i)
			}
		}
		for _, v := range values {
			p, ok := pos[v]
			if !ok {
				return nil, ErrBadRatingValue.With("value %q is not in the category order %q", v, order)
			}
			scale[v] = p
		}
		return scale, nil
	}
	for _, v := range values {
		f, err := parseRatingNumber(v)
		if err != nil {
			return nil, err
		}
		scale[v] = f
	}
	return scale, nil
}

func parseRatingNumber(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, ErrBadRatingValue.With("value %q is not a number; give numeric values or a category order", v)
	}
	return f, nil
}

// sortByRatingScale sorts values along scale, ties broken by string.
func sortByRatingScale(values []string, scale map[string]float64) {
	sort.Slice(values, func(i, j int) bool {
		a, b := scale[values[i]], scale[values[j]]
		if a != b {
			return a < b
		}
		return values[i] < values[j]
	})
}

func agreeSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// agreePairMean averages a two-annotator metric over all annotator pairs, skipping
// pairs for which it is undefined.
func agreePairMean(t *RatingTable, name string, f func(x, y []string) (float64, error)) (float64, int, error) {
	sum, n := 0.0, 0
	var lastErr error
	for a := range t.Annotators {
		for b := a + 1; b < len(t.Annotators); b++ {
			x, y := t.PairValues(a, b)
			v, err := f(x, y)
			if err != nil {
				if !isMetricUndefined(err) {
					return 0, 0, err
				}
				lastErr = err
				continue
			}
			sum += v
			n++
		}
	}
	if n == 0 {
		if lastErr != nil {
			return 0, 0, ErrMetricUndefined.With("%s is undefined for every annotator pair (e.g. %s)", name, lastErr.Error())
		}
		return 0, 0, ErrMetricUndefined.With("%s is undefined: it needs at least two annotators, found %d", name, len(t.Annotators))
	}
	return sum / float64(n), n, nil
}

// MultilabelUnitSep joins unit and label in the units ExpandMultilabel makes.
const MultilabelUnitSep = "\x1f"

// ExpandMultilabel turns multilabel ratings (a JSON list of labels, or labels
// joined by sep) into one binary unit per unit and label: "1" if the
// annotator chose the label, "0" if they rated the unit without it. Labels
// come from the whole data set, so agreeing that a label is absent counts
// too. New units are unit + MultilabelUnitSep + label.
func ExpandMultilabel(ratings []Rating, sep string) ([]Rating, error) {
	type chosen struct {
		unit, annotator string
		labels          map[string]bool
	}
	var rows []chosen
	all := map[string]bool{}
	for _, r := range ratings {
		if r.Value == "" {
			continue
		}
		var labels []string
		if strings.HasPrefix(strings.TrimSpace(r.Value), "[") {
			if err := json.Unmarshal([]byte(r.Value), &labels); err != nil {
				return nil, ErrBadRatingValue.With("unit %q, annotator %q: multilabel value is not a JSON list of strings", r.Unit, r.Annotator)
			}
		} else if sep != "" {
			labels = strings.Split(r.Value, sep)
		} else {
			labels = []string{r.Value}
		}
		c := chosen{unit: r.Unit, annotator: r.Annotator, labels: map[string]bool{}}
		for _, l := range labels {
			if l = strings.TrimSpace(l); l != "" {
				c.labels[l] = true
				all[l] = true
			}
		}
		rows = append(rows, c)
	}
	names := agreeSortedKeys(all)
	out := make([]Rating, 0, len(rows)*len(names))
	for _, c := range rows {
		for _, l := range names {
			v := "0"
			if c.labels[l] {
				v = "1"
			}
			out = append(out, Rating{Unit: c.unit + MultilabelUnitSep + l, Annotator: c.annotator, Value: v})
		}
	}
	return out, nil
}
