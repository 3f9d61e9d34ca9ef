package agreement

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"sort"
	"strconv"
)

// Disagreement summarises where an item's submissions differ, for the
// reviewer's screen. Keys lists every answer-key value with the submissions
// that gave it; Fields groups "name=value" keys (ranking ranks, rubric
// scores, moderation severity) by name; Spans groups overlapping spans of
// one label whose boundaries differ.
type Disagreement struct {
	Unanimous bool        `json:"unanimous"`
	Keys      []KeyVotes  `json:"keys"`
	Differing []string    `json:"differing"` // keys not given by every submission
	Fields    []FieldDiff `json:"fields,omitempty"`
	Spans     []SpanDiff  `json:"spans,omitempty"`
	// Turns lists the conversation turns whose answers differ (per-turn
	// rubric scores or exclude marks, per-turn spans), sorted by id.
	Turns []string `json:"turns,omitempty"`
}

// KeyVotes is one answer-key value and the submissions that gave it.
type KeyVotes struct {
	Key         string  `json:"key"`
	Submissions []int64 `json:"submissions"`
}

// FieldDiff is one named part of the answer (a response's rank, a criterion's
// score) across submissions.
type FieldDiff struct {
	Name   string           `json:"name"`
	Values map[int64]string `json:"values"` // submission id → value
	Differ bool             `json:"differ"`
	Spread float64          `json:"spread,omitempty"` // max − min for numeric values
}

// SpanDiff is a cluster of overlapping spans with one label whose boundaries
// are not the same in every submission.
type SpanDiff struct {
	TurnID string          `json:"turn_id,omitempty"` // the conversation turn, for per-turn spans
	Label  string          `json:"label"`
	Marks  []SubmittedSpan `json:"marks"`
}

// SubmittedSpan is one submission's span in a SpanDiff.
type SubmittedSpan struct {
	Submission int64 `json:"submission"`
	Start      int   `json:"start"`
	End        int   `json:"end"`
}

// SubmissionAnswer pairs a submission id with its answer.
type SubmissionAnswer struct {
	ID     int64
	Answer json.RawMessage
}

// Disagree computes the disagreement summary of an item's submissions.
func Disagree(tt tasktype.TaskType, subs []SubmissionAnswer) (Disagreement, error) {
	d := Disagreement{Keys: []KeyVotes{}, Differing: []string{}}
	votes := map[string][]int64{}
	keys := make(map[int64][]string, len(subs))
	for _, s := range subs {
		k, err := tasktype.AnswerKey(tt, s.Answer)
		if err != nil {
			return d, err
		}
		keys[s.ID] = k
		for _, v := range k {
			votes[v] = append(votes[v], s.ID)
		}
	}
	for _, k := range agreeSortedKeys(votes) {
		d.Keys = append(d.Keys, KeyVotes{Key: k, Submissions: votes[k]})
		if len(votes[k]) != len(subs) {
			d.Differing = append(d.Differing, k)
		}
	}
	d.Unanimous = len(d.Differing) == 0
	switch tt {
	case tasktype.TaskRanking, tasktype.TaskRubric, tasktype.TaskModeration:
		fields := map[string]map[int64]string{}
		for _, s := range subs {
			for _, k := range keys[s.ID] {
				name, v, ok := cutLast(k, "=")
				if !ok || (tt == tasktype.TaskModeration && name == "category") {
					continue
				}
				if fields[name] == nil {
					fields[name] = map[int64]string{}
				}
				fields[name][s.ID] = v
			}
		}
		for _, name := range agreeSortedKeys(fields) {
			f := FieldDiff{Name: name, Values: fields[name]}
			lo, hi, numeric := 0.0, 0.0, true
			first := true
			var seen string
			for i, s := range subs {
				v, ok := f.Values[s.ID]
				if !ok {
					f.Differ = true
					continue
				}
				if i == 0 || seen == "" {
					seen = v
				} else if v != seen {
					f.Differ = true
				}
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					numeric = false
					continue
				}
				if first {
					lo, hi, first = n, n, false
				}
				lo, hi = min(lo, n), max(hi, n)
			}
			if numeric && !first {
				f.Spread = hi - lo
			}
			d.Fields = append(d.Fields, f)
		}
	case tasktype.TaskSpans:
		var all []SubmittedSpan
		labels := map[int]string{}
		for _, s := range subs {
			marks, err := spanMarksFromKey(keys[s.ID])
			if err != nil {
				return d, err
			}
			for _, m := range marks {
				labels[len(all)] = m.Label // turn + TurnLabelSep + label for per-turn spans: clusters never cross turns
				all = append(all, SubmittedSpan{Submission: s.ID, Start: m.Start, End: m.End})
			}
		}
		d.Spans = spanClusters(all, labels, len(subs))
		seen := map[string]bool{}
		for _, sd := range d.Spans {
			if sd.TurnID != "" && !seen[sd.TurnID] {
				seen[sd.TurnID] = true
				d.Turns = append(d.Turns, sd.TurnID)
			}
		}
		sort.Strings(d.Turns)
	}
	if len(subs) > 0 && IsPerTurn(tt, subs[0].Answer) {
		recs := make([]AnswerRecord, len(subs))
		for i, s := range subs {
			recs[i] = AnswerRecord{Annotator: strconv.FormatInt(s.ID, 10), Answer: s.Answer}
		}
		turns, err := TurnsDiffering(recs)
		if err != nil {
			return d, err
		}
		d.Turns = turns
		d.Unanimous = d.Unanimous && len(turns) == 0
	}
	return d, nil
}

// spanClusters groups overlapping spans of one label and keeps the clusters
// where not every submission marked exactly the same boundaries.
func spanClusters(all []SubmittedSpan, labels map[int]string, nSubs int) []SpanDiff {
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := idx[a], idx[b]
		if labels[x] != labels[y] {
			return labels[x] < labels[y]
		}
		return all[x].Start < all[y].Start
	})
	var out []SpanDiff
	for i := 0; i < len(idx); {
		label := labels[idx[i]]
		end := all[idx[i]].End
		cluster := []SubmittedSpan{all[idx[i]]}
		j := i + 1
		for j < len(idx) && labels[idx[j]] == label && all[idx[j]].Start < end {
			end = max(end, all[idx[j]].End)
			cluster = append(cluster, all[idx[j]])
			j++
		}
		same := len(cluster) == nSubs
		for _, m := range cluster {
			if m.Start != cluster[0].Start || m.End != cluster[0].End {
				same = false
			}
		}
		subsIn := map[int64]bool{}
		for _, m := range cluster {
			subsIn[m.Submission] = true
		}
		if len(subsIn) != len(cluster) {
			same = false
		}
		if !same {
			d := SpanDiff{Label: label, Marks: cluster}
			d.TurnID, d.Label = SplitTurnLabel(label)
			out = append(out, d)
		}
		i = j
	}
	return out
}
