package dataset

import (
	"bytes"
	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/csvout"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"slices"
	"strconv"
)

// Tabular exports: csv (one row per item, RFC 4180 by csvout, formula cells neutralised), the
// long format (one row per annotator and unit) that ReadRatings reads, so
// `copyhold agreement` takes an export as it is, and jsonl (one object per
// item, the data and answer unflattened).

type exportCSVState struct {
	cw     *csvout.Writer
	fields []string // csv: data columns, in order
	names  []string // csv: their header names
	header bool
	rec    []string
	label  bool // csv: classification gets a label column
}

// csv columns besides the data fields; a data field with one of these names
// is written as "data.<name>".
var exportCSVFixed = []string{"external_id", "item_id", "label", "answer", "annotator", "confidence"}

func (w *exportWriter) initCSV() {
	w.csv = &exportCSVState{cw: csvout.NewWriter(w.bw), label: w.opts.TaskType == tasktype.TaskClassification}
	if w.opts.CSVFields != nil {
		w.csv.setFields(slices.Clone(w.opts.CSVFields))
	}
}

func (c *exportCSVState) setFields(fields []string) {
	c.fields = fields
	c.names = make([]string, len(fields))
	for i, f := range fields {
		c.names[i] = f
		if slices.Contains(exportCSVFixed, f) {
			c.names[i] = "data." + f
		}
	}
}

func (w *exportWriter) emitCSV(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	answers := w.answers(row)
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	c := w.csv
	if !c.header {
		if c.fields == nil {
			keys := make([]string, 0, len(d))
			for k := range d {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			c.setFields(keys)
		}
		head := append([]string{"external_id", "item_id"}, c.names...)
		if c.label {
			head = append(head, "label")
		}
		head = append(head, "answer", "annotator", "confidence")
		if err := c.cw.Write(head); err != nil {
			return "", err
		}
		c.header = true
	}
	for k := range d {
		if !slices.Contains(c.fields, k) {
			w.tally.drop(ExportDropCSVExtraField)
			break
		}
	}
	for _, a := range answers {
		rec := append(c.rec[:0], row.ExternalID, strconv.FormatInt(row.ItemID, 10))
		for _, f := range c.fields {
			rec = append(rec, exportCell(d[f]))
		}
		if c.label {
			var ca tasktype.ClassificationAnswer
			if err := json.Unmarshal(a.answer, &ca); err != nil {
				return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, tasktype.JSONErrText(err))
			}
			rec = append(rec, ca.Choice)
		}
		ans, err := w.compact(a.answer)
		if err != nil {
			return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, tasktype.JSONErrText(err))
		}
		rec = append(rec, string(ans), a.annotator, row.Confidence)
		c.rec = rec
		if err := c.cw.Write(rec); err != nil {
			return "", err
		}
		w.tally.rows++
	}
	return "", nil
}

// exportCell renders a data value: strings as they are, anything else as
// compact JSON, absent or null as "".
func exportCell(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return ""
	}
	if t[0] == '"' {
		var s string
		if json.Unmarshal(t, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, t) != nil {
		return string(t)
	}
	return b.String()
}

// ---- long format ----

func (w *exportWriter) initLong() {
	w.csv = &exportCSVState{}
	if w.opts.Format == ExportLong {
		w.csv.cw = csvout.NewWriter(w.bw)
	}
}

type exportLongLine struct {
	Item      string          `json:"item"`
	Annotator string          `json:"annotator"`
	Value     json.RawMessage `json:"value"`
}

// exportLongValue is one unit's value: unit suffix ("" = the item itself),
// the value as text, and whether JSON lines should write it as raw JSON.
type exportLongValue struct {
	suffix, text string
	raw          bool
}

// ExportLongConsensusAnnotator names the annotator of an accepted answer
// that has no annotator (a consensus) in the long format.
const ExportLongConsensusAnnotator = "consensus"

// emitLong writes one line per annotation (every writable annotation, or
// the accepted answer when the row has none) and unit. Units are the item
// id, or "<item id>/<response id>" (ranking, value = 1-based tier) and
// "<item id>/<criterion>" (rubric, value = score): the units Kendall's tau
// and ordinal alpha compare.
func (w *exportWriter) emitLong(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	var answers []exportAnswer
	for i, a := range row.Annotations {
		if exportWritable(a) {
			answers = append(answers, exportAnswer{a.Annotator, a.Answer, a.LeadTimeMs, &row.Annotations[i]})
		}
	}
	if len(answers) == 0 {
		answers = exportAccepted(row)
	}
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	item := strconv.FormatInt(row.ItemID, 10)
	if !w.csv.header && w.csv.cw != nil {
		if err := w.csv.cw.Write([]string{"item", "annotator", "value"}); err != nil {
			return "", err
		}
		w.csv.header = true
	}
	for _, a := range answers {
		who := a.annotator
		if who == "" {
			who = ExportLongConsensusAnnotator
		}
		vals, err := exportLongValues(w.opts.TaskType, a.answer)
		if err != nil {
			return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, err.Error())
		}
		for _, v := range vals {
			unit := item
			if v.suffix != "" {
				unit += "/" + v.suffix
			}
			if w.csv.cw != nil {
				w.csv.rec = append(w.csv.rec[:0], unit, who, v.text)
				if err := w.csv.cw.Write(w.csv.rec); err != nil {
					return "", err
				}
				w.tally.rows++
				continue
			}
			val := json.RawMessage(v.text)
			if !v.raw {
				val, _ = json.Marshal(v.text)
			}
			if err := w.line(exportLongLine{unit, who, val}); err != nil {
				return "", err
			}
		}
	}
	return "", nil
}

// exportLongValues encodes an answer as the values the agreement metrics
// read (see MetricsFor): a choice, a JSON list of choices (ExpandMultilabel),
// a JSON list of {start,end,label} (ParseSpanMarks), the AnswerKey list for
// moderation, the text for rewrite.
func exportLongValues(tt tasktype.TaskType, answer json.RawMessage) ([]exportLongValue, error) {
	list := func(v any) ([]exportLongValue, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return []exportLongValue{{text: string(b), raw: true}}, nil
	}
	switch tt {
	case tasktype.TaskClassification:
		var a tasktype.ClassificationAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		return []exportLongValue{{text: a.Choice}}, nil
	case tasktype.TaskPairwise:
		var a tasktype.PairwiseAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		return []exportLongValue{{text: a.Choice}}, nil
	case tasktype.TaskRewrite:
		var a tasktype.RewriteAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		return []exportLongValue{{text: a.Text}}, nil
	case tasktype.TaskMultiLabel:
		var a tasktype.MultiLabelAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		if a.Choices == nil {
			a.Choices = []string{}
		}
		return list(a.Choices)
	case tasktype.TaskSpans:
		var a tasktype.SpansAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		if len(a.Spans) > 0 && a.Spans[0].TurnID != "" {
			return exportLongTurnSpans(a.Spans)
		}
		marks := make([]agreement.SpanMark, len(a.Spans))
		for i, s := range a.Spans {
			marks[i] = agreement.SpanMark{Start: s.Start, End: s.End, Label: s.Label}
		}
		return list(marks)
	case tasktype.TaskModeration:
		key, err := tasktype.AnswerKey(tt, answer)
		if err != nil {
			return nil, err
		}
		return list(key)
	case tasktype.TaskRanking:
		var a tasktype.RankingAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		var out []exportLongValue
		for t, tier := range a.Ranking {
			for _, id := range tier {
				out = append(out, exportLongValue{suffix: id, text: strconv.Itoa(t + 1), raw: true})
			}
		}
		return out, nil
	case tasktype.TaskRubric:
		if agreement.IsPerTurn(tt, answer) {
			return exportLongTurnScores(answer)
		}
		var a tasktype.RubricAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(a.Scores))
		for id := range a.Scores {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		out := make([]exportLongValue, len(ids))
		for i, id := range ids {
			out[i] = exportLongValue{suffix: id, text: strconv.Itoa(a.Scores[id]), raw: true}
		}
		return out, nil
	}
	return nil, tasktype.ErrUnknownTaskType.With("unknown task type %q", tt)
}

// ---- jsonl ----

type exportJSONLLine struct {
	ItemID      int64                   `json:"item_id"`
	ExternalID  string                  `json:"external_id"`
	Data        json.RawMessage         `json:"data"`
	Answer      json.RawMessage         `json:"answer"`
	Annotator   string                  `json:"annotator,omitempty"`
	Confidence  string                  `json:"confidence,omitempty"`
	Annotations []exportJSONLAnnotation `json:"annotations,omitempty"`
}

type exportJSONLAnnotation struct {
	Annotator  string          `json:"annotator"`
	Answer     json.RawMessage `json:"answer"`
	LeadTimeMs int64           `json:"lead_time_ms"`
	Status     string          `json:"status,omitempty"`
	// Suggestion: the answer began from a model's suggestion (up_front or after_answer).
	Suggestion         string `json:"suggestion,omitempty"`
	SuggestionAccepted *bool  `json:"suggestion_accepted,omitempty"`
}

// emitJSONL writes the item with its accepted answer; with AllAnnotations
// also every writable annotation. Items with neither are skipped.
func (w *exportWriter) emitJSONL(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	l := exportJSONLLine{ItemID: row.ItemID, ExternalID: row.ExternalID, Data: row.Data,
		Answer: row.Answer, Annotator: row.Annotator, Confidence: row.Confidence}
	if len(bytes.TrimSpace(l.Answer)) == 0 {
		l.Answer = json.RawMessage("null")
	}
	if w.opts.AllAnnotations {
		for _, a := range row.Annotations {
			if exportWritable(a) {
				ja := exportJSONLAnnotation{Annotator: a.Annotator, Answer: a.Answer, LeadTimeMs: labeling.ClampLeadTime(a.LeadTimeMs), Status: a.Status}
				if a.Suggestion != "" {
					ja.Suggestion, ja.SuggestionAccepted = a.Suggestion, &a.SuggestionAccepted
				}
				l.Annotations = append(l.Annotations, ja)
			}
		}
	}
	if string(l.Answer) == "null" && len(l.Annotations) == 0 {
		return ExportSkipNoAnswer, nil
	}
	return "", w.line(l)
}
