package agreement

import (
	"encoding/json"
	"strings"
)

// SpanMark is one labelled span, [Start, End) in Unicode code points.
type SpanMark struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
}

// SpanMatch says when two spans count as the same.
type SpanMatch int

const (
	SpanExact   SpanMatch = iota // same start, end and label
	SpanOverlap                  // same label and at least one shared code point
)

// SpanScore compares annotator B's spans against annotator A's.
type SpanScore struct {
	Precision float64 `json:"precision"` // share of B's spans matched in A
	Recall    float64 `json:"recall"`    // share of A's spans matched in B
	F1        float64 `json:"f1"`
	TotalA    int     `json:"total_a"`
	TotalB    int     `json:"total_b"`
	MatchedA  int     `json:"matched_a"`
	MatchedB  int     `json:"matched_b"`
}

// ParseSpanMarks reads a span rating value: a JSON array of
// {"start":…,"end":…,"label":…}. "[]" means the annotator marked nothing.
func ParseSpanMarks(value string) ([]SpanMark, error) {
	var marks []SpanMark
	dec := json.NewDecoder(strings.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&marks); err != nil {
		return nil, ErrBadRatingValue.With("span value %q is not a JSON list of {start,end,label}: %v", agreeAbbrev(value, 60), err)
	}
	for _, m := range marks {
		if m.Start < 0 || m.End <= m.Start {
			return nil, ErrBadRatingValue.With("span [%d,%d) is empty or negative", m.Start, m.End)
		}
	}
	return marks, nil
}

// SpanMarksFromRatings parses span values into unit → annotator → spans.
func SpanMarksFromRatings(ratings []Rating) (map[string]map[string][]SpanMark, error) {
	out := map[string]map[string][]SpanMark{}
	for _, r := range ratings {
		if r.Value == "" {
			continue
		}
		marks, err := ParseSpanMarks(r.Value)
		if err != nil {
			return nil, ErrBadRatingValue.With("unit %q, annotator %q: %s", r.Unit, r.Annotator, err.Error())
		}
		if out[r.Unit] == nil {
			out[r.Unit] = map[string][]SpanMark{}
		}
		if _, dup := out[r.Unit][r.Annotator]; dup {
			return nil, ErrDuplicateRating.With("annotator %q rated unit %q twice", r.Annotator, r.Unit)
		}
		out[r.Unit][r.Annotator] = marks
	}
	return out, nil
}

// SpanF1 pools span matches over units: a[i] and b[i] are the spans the two
// annotators marked in unit i. Exact matching pairs spans one to one;
// overlap matching counts a span as found if any span of the other
// annotator with the same label overlaps it. Both are symmetric in F1.
func SpanF1(a, b [][]SpanMark, match SpanMatch) (SpanScore, error) {
	if len(a) != len(b) {
		return SpanScore{}, ErrBadRatingValue.With("span F1 needs the same units for both annotators, got %d and %d", len(a), len(b))
	}
	var s SpanScore
	for i := range a {
		s.TotalA += len(a[i])
		s.TotalB += len(b[i])
		switch match {
		case SpanExact:
			left := map[SpanMark]int{}
			for _, m := range a[i] {
				left[m]++
			}
			for _, m := range b[i] {
				if left[m] > 0 {
					left[m]--
					s.MatchedA++
					s.MatchedB++
				}
			}
		case SpanOverlap:
			s.MatchedA += spanCountOverlapping(a[i], b[i])
			s.MatchedB += spanCountOverlapping(b[i], a[i])
		default:
			return SpanScore{}, ErrUnknownMetric.With("unknown span match %d", match)
		}
	}
	if s.TotalA+s.TotalB == 0 {
		return s, ErrMetricUndefined.With("span F1 is undefined: neither annotator marked any span")
	}
	if s.TotalB > 0 {
		s.Precision = float64(s.MatchedB) / float64(s.TotalB)
	}
	if s.TotalA > 0 {
		s.Recall = float64(s.MatchedA) / float64(s.TotalA)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s, nil
}

// spanCountOverlapping counts spans in xs that overlap a same-label span in ys.
func spanCountOverlapping(xs, ys []SpanMark) int {
	n := 0
	for _, x := range xs {
		for _, y := range ys {
			if x.Label == y.Label && x.Start < y.End && y.Start < x.End {
				n++
				break
			}
		}
	}
	return n
}

// SpanAgreement averages SpanF1 over annotator pairs; marks maps unit →
// annotator → spans, and each pair is compared on the units both annotated.
func SpanAgreement(marks map[string]map[string][]SpanMark, match SpanMatch) (Result, error) {
	metric := MetricSpanExactF1
	if match == SpanOverlap {
		metric = MetricSpanOverlapF1
	}
	res := Result{Metric: metric}
	annSet := map[string]bool{}
	contributing := map[string]bool{}
	for _, byAnn := range marks {
		for a := range byAnn {
			annSet[a] = true
		}
		if len(byAnn) >= 2 {
			res.Units++
			res.Pairable += len(byAnn)
			for a := range byAnn {
				contributing[a] = true
			}
		}
	}
	res.Annotators = len(contributing)
	names := agreeSortedKeys(annSet)
	if len(names) < 2 {
		return res, ErrMetricUndefined.With("span F1 is undefined: it needs at least two annotators, found %d", len(names))
	}
	units := agreeSortedKeys(marks)
	sum, pairs := 0.0, 0
	var last SpanScore
	var lastErr error
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			var a, b [][]SpanMark
			for _, u := range units {
				ma, okA := marks[u][names[i]]
				mb, okB := marks[u][names[j]]
				if okA && okB {
					a, b = append(a, ma), append(b, mb)
				}
			}
			if len(a) == 0 {
				lastErr = ErrMetricUndefined.With("annotators %q and %q share no unit", names[i], names[j])
				continue
			}
			s, err := SpanF1(a, b, match)
			if err != nil {
				if !isMetricUndefined(err) {
					return res, err
				}
				lastErr = err
				continue
			}
			sum += s.F1
			pairs++
			last = s
		}
	}
	if pairs == 0 {
		return res, ErrMetricUndefined.With("span F1 is undefined for every annotator pair (e.g. %s)", lastErr.Error())
	}
	res.Value = sum / float64(pairs)
	res.Details = map[string]float64{"pairs": float64(pairs)}
	if pairs == 1 {
		res.Details["precision"] = last.Precision
		res.Details["recall"] = last.Recall
	}
	return res, nil
}

func agreeAbbrev(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
