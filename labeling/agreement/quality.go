package agreement

import (
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Quality: scoring an item's submissions against each other and against
// gold, and shaping answers into ratings for the agreement metrics.

// AnswerRecord is one annotator's answer to one unit (an item).
type AnswerRecord struct {
	Unit      string          // the item id as a string
	Annotator string          // the member id as a string
	Answer    json.RawMessage // normalised answer
}

// unitSep joins an item and a sub-unit (a criterion, a response id).
const unitSep = MultilabelUnitSep

// PrimaryMetric is the metric an item is scored with: classification,
// pairwise and moderation use percent agreement on the answer key (chance-
// corrected metrics are undefined within a single item); multilabel percent
// agreement per label; spans overlap F1; ranking Kendall's tau; rubric
// interval alpha over its criteria; rewrite none ("").
func PrimaryMetric(tt tasktype.TaskType) string {
	switch tt {
	case tasktype.TaskClassification, tasktype.TaskPairwise, tasktype.TaskModeration, tasktype.TaskMultiLabel:
		return MetricPercent
	case tasktype.TaskSpans:
		return MetricSpanOverlapF1
	case tasktype.TaskRanking:
		return MetricKendallTau
	case tasktype.TaskRubric:
		return MetricAlphaInterval
	}
	return ""
}

// Ratings turns answers into long-format ratings in the shape the metrics of
// MetricsFor(tt) expect: one value per item (classification, pairwise,
// moderation: the key; spans: a JSON list of marks), one binary unit per item
// and label (multilabel, expanded), one unit per item and criterion (rubric)
// or item and response (ranking, value = rank). Rewrite has none.
func Ratings(tt tasktype.TaskType, recs []AnswerRecord) ([]Rating, error) {
	var out []Rating
	for _, r := range recs {
		key, err := tasktype.AnswerKey(tt, r.Answer)
		if err != nil {
			return nil, err
		}
		switch tt {
		case tasktype.TaskClassification, tasktype.TaskPairwise:
			v := ""
			if len(key) > 0 {
				v = key[0]
			}
			out = append(out, Rating{Unit: r.Unit, Annotator: r.Annotator, Value: v})
		case tasktype.TaskModeration:
			out = append(out, Rating{Unit: r.Unit, Annotator: r.Annotator, Value: strings.Join(key, "|")})
		case tasktype.TaskMultiLabel:
			b, _ := json.Marshal(key)
			out = append(out, Rating{Unit: r.Unit, Annotator: r.Annotator, Value: string(b)})
		case tasktype.TaskSpans:
			marks, err := spanMarksFromKey(key)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(marks)
			out = append(out, Rating{Unit: r.Unit, Annotator: r.Annotator, Value: string(b)})
		case tasktype.TaskRanking, tasktype.TaskRubric:
			for _, k := range key {
				name, v, ok := cutLast(k, "=")
				if !ok {
					return nil, ErrBadRatingValue.With("answer key %q has no '='", k)
				}
				out = append(out, Rating{Unit: r.Unit + unitSep + name, Annotator: r.Annotator, Value: v})
			}
		case tasktype.TaskRewrite:
		default:
			return nil, tasktype.ErrUnknownTaskType.With("unknown task type %q", tt)
		}
	}
	if tt == tasktype.TaskMultiLabel {
		return ExpandMultilabel(out, "")
	}
	return out, nil
}

// spanMarksFromKey parses "start:end:label" keys (labels may contain ':'),
// and "turn/start:end:label" keys of spans in a conversation turn, whose
// mark label is turn + TurnLabelSep + label: spans of different turns never
// match, so span agreement is per turn.
func spanMarksFromKey(key []string) ([]SpanMark, error) {
	marks := make([]SpanMark, 0, len(key))
	for _, k := range key {
		turn := ""
		if i, j := strings.IndexByte(k, '/'), strings.IndexByte(k, ':'); i > 0 && i < j {
			turn, k = k[:i], k[i+1:]
		}
		parts := strings.SplitN(k, ":", 3)
		if len(parts) != 3 {
			return nil, ErrBadRatingValue.With("span key %q is not start:end:label", k)
		}
		s, err1 := strconv.Atoi(parts[0])
		e, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil {
			return nil, ErrBadRatingValue.With("span key %q is not start:end:label", k)
		}
		label := parts[2]
		if turn != "" {
			label = turn + TurnLabelSep + label
		}
		marks = append(marks, SpanMark{Start: s, End: e, Label: label})
	}
	return marks, nil
}

// TurnLabelSep joins a turn id and a span label in the marks of per-turn
// spans (a control character: no label or turn id contains one).
const TurnLabelSep = "\x1f"

// SplitTurnLabel splits a mark label into its turn ("" for plain spans) and label.
func SplitTurnLabel(l string) (turn, label string) {
	if t, rest, ok := strings.Cut(l, TurnLabelSep); ok {
		return t, rest
	}
	return "", l
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// ItemScore is the agreement among one item's submissions.
type ItemScore struct {
	Metric string   `json:"metric"`
	Value  *float64 `json:"value"`            // nil when undefined
	BP     *int     `json:"agreement_bp"`     // Value in basis points
	Reason string   `json:"reason,omitempty"` // why it is undefined
}

// ScoreItem computes the item's agreement with the task type's primary
// metric. Identical answers score 1 even where a chance-corrected metric
// would be undefined for lack of variation; a single answer, a rewrite, or a
// metric undefined for the data leave Value nil with a reason.
func ScoreItem(tt tasktype.TaskType, unit string, answers []AnswerRecord) (ItemScore, error) {
	sc := ItemScore{Metric: PrimaryMetric(tt)}
	if sc.Metric == "" {
		sc.Reason = "this task type has no agreement metric"
		return sc, nil
	}
	if len(answers) < 2 {
		sc.Reason = "agreement needs at least two submissions"
		return sc, nil
	}
	same := true
	var first []string
	for i, a := range answers {
		k, err := tasktype.AnswerKey(tt, a.Answer)
		if err != nil {
			return sc, err
		}
		if i == 0 {
			first = k
		} else if !slices.Equal(first, k) {
			same = false
		}
	}
	if same {
		return sc.with(1), nil
	}
	recs := make([]AnswerRecord, len(answers))
	for i, a := range answers {
		recs[i] = AnswerRecord{Unit: unit, Annotator: a.Annotator, Answer: a.Answer}
	}
	ratings, err := Ratings(tt, recs)
	if err != nil {
		return sc, err
	}
	res, err := Compute(ratings, sc.Metric, Options{})
	if err != nil {
		if isMetricUndefined(err) {
			sc.Reason = err.Error()
			return sc, nil
		}
		return sc, err
	}
	return sc.with(res.Value), nil
}

func (sc ItemScore) with(v float64) ItemScore {
	bp := ToBP(v)
	sc.Value, sc.BP = &v, &bp
	return sc
}

// ToBP turns a score in [-1, 1] into basis points, rounded.
func ToBP(v float64) int {
	if v >= 0 {
		return int(v*10_000 + 0.5)
	}
	return -int(-v*10_000 + 0.5)
}

// GoldResult is one submission checked against the gold answer.
type GoldResult struct {
	Correct  bool   `json:"correct"`
	ScoreBP  int    `json:"score_bp"` // Jaccard overlap of the answer keys
	Expected string `json:"expected"` // ConsensusLabel of the gold answer
	Given    string `json:"given"`
}

// CheckGold compares an answer with the gold answer: correct when their
// answer keys are equal; ScoreBP gives partial credit (shared keys over all
// keys) for multi-valued types.
func CheckGold(tt tasktype.TaskType, gold, answer json.RawMessage) (GoldResult, error) {
	gk, err := tasktype.AnswerKey(tt, gold)
	if err != nil {
		return GoldResult{}, fmt.Errorf("gold answer: %w", err)
	}
	ak, err := tasktype.AnswerKey(tt, answer)
	if err != nil {
		return GoldResult{}, err
	}
	r := GoldResult{Correct: slices.Equal(sortedCopy(gk), sortedCopy(ak)),
		Expected: ConsensusLabel(tt, gk), Given: ConsensusLabel(tt, ak)}
	union := map[string]int{}
	for _, k := range gk {
		union[k] |= 1
	}
	for _, k := range ak {
		union[k] |= 2
	}
	both := 0
	for _, v := range union {
		if v == 3 {
			both++
		}
	}
	switch {
	case r.Correct:
		r.ScoreBP = 10_000
	case len(union) > 0:
		r.ScoreBP = both * 10_000 / len(union)
	}
	return r, nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// ConsensusLabel is the comparable label of an answer key: the choice for
// classification and pairwise, otherwise the key as a JSON list.
func ConsensusLabel(tt tasktype.TaskType, key []string) string {
	if (tt == tasktype.TaskClassification || tt == tasktype.TaskPairwise) && len(key) == 1 {
		return key[0]
	}
	if key == nil {
		key = []string{}
	}
	b, _ := json.Marshal(key)
	return string(b)
}

// LabelAgreement is agreement on one label (binary: chosen or not), one
// rubric criterion, or one span label, across a project.
type LabelAgreement struct {
	Label  string   `json:"label"`
	Metric string   `json:"metric"`
	Value  *float64 `json:"value"`
	Units  int      `json:"units"`
	Reason string   `json:"reason,omitempty"`
}

// PerLabelAgreement breaks a project's agreement down: per label for the
// choice types (nominal alpha on "chosen or not"), per criterion for rubric
// (interval alpha), per label for spans (overlap F1). Ranking and rewrite
// have no breakdown.
func PerLabelAgreement(tt tasktype.TaskType, recs []AnswerRecord) ([]LabelAgreement, error) {
	out := []LabelAgreement{}
	add := func(label, metric string, ratings []Rating) error {
		la := LabelAgreement{Label: label, Metric: metric}
		res, err := Compute(ratings, metric, Options{})
		la.Units = res.Units
		switch {
		case err == nil:
			v := res.Value
			la.Value = &v
		case isMetricUndefined(err):
			la.Reason = err.Error()
		default:
			return err
		}
		out = append(out, la)
		return nil
	}
	switch tt {
	case tasktype.TaskClassification, tasktype.TaskPairwise, tasktype.TaskMultiLabel, tasktype.TaskModeration:
		chosen := make([][]string, len(recs))
		labels := map[string]bool{}
		for i, r := range recs {
			k, err := tasktype.AnswerKey(tt, r.Answer)
			if err != nil {
				return nil, err
			}
			chosen[i] = k
			for _, l := range k {
				labels[l] = true
			}
		}
		for _, l := range agreeSortedKeys(labels) {
			ratings := make([]Rating, len(recs))
			for i, r := range recs {
				v := "0"
				if slices.Contains(chosen[i], l) {
					v = "1"
				}
				ratings[i] = Rating{Unit: r.Unit, Annotator: r.Annotator, Value: v}
			}
			if err := add(l, MetricAlphaNominal, ratings); err != nil {
				return nil, err
			}
		}
	case tasktype.TaskRubric:
		ratings, err := Ratings(tt, recs)
		if err != nil {
			return nil, err
		}
		by := map[string][]Rating{}
		for _, r := range ratings {
			_, crit, _ := strings.Cut(r.Unit, unitSep)
			// Per-turn scores ("turn/criterion") pool into their criterion:
			// each turn is a unit of it.
			if _, c, ok := strings.Cut(crit, "/"); ok {
				crit = c
			}
			by[crit] = append(by[crit], r)
		}
		for _, c := range agreeSortedKeys(by) {
			if err := add(c, MetricAlphaInterval, by[c]); err != nil {
				return nil, err
			}
		}
	case tasktype.TaskSpans:
		by := map[string][]Rating{}
		type row struct {
			unit, ann string
			marks     []SpanMark
		}
		var rows []row
		labels := map[string]bool{}
		for _, r := range recs {
			k, err := tasktype.AnswerKey(tt, r.Answer)
			if err != nil {
				return nil, err
			}
			marks, err := spanMarksFromKey(k)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row{r.Unit, r.Annotator, marks})
			for _, m := range marks {
				_, l := SplitTurnLabel(m.Label)
				labels[l] = true
			}
		}
		for l := range labels {
			for _, rw := range rows {
				var ms []SpanMark
				for _, m := range rw.marks {
					if _, ml := SplitTurnLabel(m.Label); ml == l {
						ms = append(ms, m)
					}
				}
				if ms == nil {
					ms = []SpanMark{}
				}
				b, _ := json.Marshal(ms)
				by[l] = append(by[l], Rating{Unit: rw.unit, Annotator: rw.ann, Value: string(b)})
			}
		}
		for _, l := range agreeSortedKeys(by) {
			if err := add(l, MetricSpanOverlapF1, by[l]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// MetricValue is one project-wide metric, or why it is undefined.
type MetricValue struct {
	Metric string  `json:"metric"`
	Result *Result `json:"result,omitempty"`
	Reason string  `json:"reason,omitempty"`
	// Interval is the 95% bootstrap interval over items (bootstrap.go), when computed.
	Interval *Interval `json:"interval,omitempty"`
	// IntervalSkipped says why a defined value has no interval:
	// "too_many_ratings" (over BootstrapBudget) or "undefined" (no resample had a value).
	IntervalSkipped string `json:"interval_skipped,omitempty"`
}

// bootstrapSeed makes the project's intervals the same on every read.
const bootstrapSeed = 1

// ProjectMetrics computes every metric of MetricsFor(tt) over the ratings,
// each defined value with its 95% bootstrap interval over items.
func ProjectMetrics(tt tasktype.TaskType, ratings []Rating) ([]MetricValue, error) {
	out := []MetricValue{}
	for _, m := range MetricsFor(string(tt)) {
		res, err := Compute(ratings, m, Options{})
		mv := MetricValue{Metric: m}
		switch {
		case err == nil:
			mv.Result = &res
			if n := BootstrapResampleCount(len(ratings)); n == 0 {
				mv.IntervalSkipped = "too_many_ratings"
			} else if iv, ok := Bootstrap(ratings, m, Options{}, n, bootstrapSeed); ok {
				mv.Interval = &iv
			} else {
				mv.IntervalSkipped = "undefined"
			}
		case isMetricUndefined(err) || isBadRatingValue(err):
			mv.Reason = err.Error()
		default:
			return nil, err
		}
		out = append(out, mv)
	}
	return out, nil
}

func isBadRatingValue(err error) bool {
	e, ok := err.(*fault.Error)
	return ok && (e.Code == ErrBadRatingValue.Code || e.Code == ErrDuplicateRating.Code)
}

// Median of lead times, 0 for none.
func MedianInt64(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	c := slices.Clone(xs)
	slices.Sort(c)
	m := len(c) / 2
	if len(c)%2 == 1 {
		return c[m]
	}
	return (c[m-1] + c[m]) / 2
}

// SchemaLabelOrder lists the choice/label/category values of a schema in
// schema order (for the schema_order tie policy); nil for other types.
func SchemaLabelOrder(schema json.RawMessage) []string {
	var s struct {
		Choices    []struct{ Value string } `json:"choices"`
		Labels     []struct{ Value string } `json:"labels"`
		Categories []struct{ Value string } `json:"categories"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	var out []string
	for _, l := range [][]struct{ Value string }{s.Choices, s.Labels, s.Categories} {
		for _, v := range l {
			out = append(out, v.Value)
		}
	}
	return out
}
