package importer

import (
	"bytes"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Label Studio results: converting annotations to our answers and back.

// lsResultItem is one region/result of a Label Studio annotation or prediction.
type lsResultItem struct {
	ID       string          `json:"id,omitempty"`
	FromName string          `json:"from_name"`
	ToName   string          `json:"to_name"`
	Type     string          `json:"type"`
	Origin   string          `json:"origin,omitempty"`
	Value    json.RawMessage `json:"value"`
}

type lsValue struct {
	Choices  []string        `json:"choices,omitempty"`
	Labels   []string        `json:"labels,omitempty"`
	Start    *lsIndex        `json:"start,omitempty"`
	End      *lsIndex        `json:"end,omitempty"`
	Text     json.RawMessage `json:"text,omitempty"` // string for labels, array for textarea
	Rating   *float64        `json:"rating,omitempty"`
	Selected string          `json:"selected,omitempty"`
	Ranker   json.RawMessage `json:"ranker,omitempty"`
	// Paragraph regions (<ParagraphLabels> on <Paragraphs>): start and end
	// are paragraph indices (Label Studio writes them as strings, its docs
	// as numbers), the offsets UTF-16 units inside those paragraphs.
	ParagraphLabels []string `json:"paragraphlabels,omitempty"`
	StartOffset     *int     `json:"startOffset,omitempty"`
	EndOffset       *int     `json:"endOffset,omitempty"`
}

// LSResultToAnswer converts a Label Studio `result` array into our answer for
// the task type, then validates it like any answer. Result items of other
// kinds (e.g. a textarea comment next to choices) are ignored; text span
// offsets are converted from UTF-16 units to code points.
func LSResultToAnswer(tt tasktype.TaskType, schema, data, result json.RawMessage) (json.RawMessage, error) {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return nil, err
	}
	d, err := s.ItemData(data)
	if err != nil {
		return nil, err
	}
	var items []lsResultItem
	if err := json.Unmarshal(result, &items); err != nil {
		return nil, ErrLSResult.With("Label Studio result: expected an array of result objects: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	type typed struct {
		item lsResultItem
		v    lsValue
	}
	var all []typed
	for i, it := range items {
		var v lsValue
		if err := json.Unmarshal(it.Value, &v); err != nil {
			return nil, ErrLSResult.With("Label Studio result[%d].value: %s", i, strings.TrimPrefix(err.Error(), "json: "))
		}
		all = append(all, typed{it, v})
	}
	none := func(what string) error {
		return ErrLSResult.With("Label Studio result: no %s result to make a %s answer from", what, tt)
	}
	var answer any
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema:
		var got []string
		for _, t := range all {
			got = append(got, t.v.Choices...)
		}
		if len(got) == 0 {
			return nil, none("choices")
		}
		if len(got) > 1 {
			return nil, ErrLSResult.With("Label Studio result: %d choices (%s) for a single-choice classification", len(got), tasktype.QuoteList(got))
		}
		answer = tasktype.ClassificationAnswer{Choice: got[0]}
	case *tasktype.MultiLabelSchema:
		got := []string{}
		for _, t := range all {
			got = append(got, t.v.Choices...)
		}
		answer = tasktype.MultiLabelAnswer{Choices: got}
	case *tasktype.SpansSchema:
		if sc.ConversationField != "" {
			vals := make([]lsValue, len(all))
			for i, t := range all {
				vals[i] = t.v
			}
			spans, err := lsParagraphSpans(d, sc.ConversationField, vals)
			if err != nil {
				return nil, err
			}
			answer = tasktype.SpansAnswer{Spans: spans}
			break
		}
		text, err := d.Text(sc.Field, false)
		if err != nil {
			return nil, err
		}
		idx := tasktype.NewTextIndex(text)
		spans := []tasktype.AnswerSpan{}
		for i, t := range all {
			if len(t.v.Labels) == 0 {
				continue
			}
			if t.v.Start == nil || t.v.End == nil {
				return nil, ErrLSResult.With("Label Studio result[%d]: labels without start/end text offsets (HyperText/xpath regions are not supported)", i)
			}
			start, err := idx.FromUTF16(int(*t.v.Start))
			if err != nil {
				return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.start: %s", i, err.Error())
			}
			end, err := idx.FromUTF16(int(*t.v.End))
			if err != nil {
				return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.end: %s", i, err.Error())
			}
			var covered string
			_ = json.Unmarshal(t.v.Text, &covered) // checked against the item text by ValidateAnswer
			for _, l := range t.v.Labels {
				spans = append(spans, tasktype.AnswerSpan{Start: start, End: end, Label: l, Text: covered})
			}
		}
		answer = tasktype.SpansAnswer{Spans: spans}
	case *tasktype.PairwiseSchema:
		var sel string
		for _, t := range all {
			if t.v.Selected != "" {
				sel = t.v.Selected
			}
		}
		switch sel {
		case "left":
			answer = tasktype.PairwiseAnswer{Choice: tasktype.PairwiseA}
		case "right":
			answer = tasktype.PairwiseAnswer{Choice: tasktype.PairwiseB}
		case "":
			return nil, none("pairwise")
		default:
			return nil, ErrLSResult.With("Label Studio result: pairwise selected=%q; expected \"left\" or \"right\"", sel)
		}
	case *tasktype.RankingSchema:
		var ids []string
		found := false
		for _, t := range all {
			if len(t.v.Ranker) == 0 {
				continue
			}
			found = true
			if ids, err = lsRankerIDs(t.v.Ranker); err != nil {
				return nil, err
			}
		}
		if !found {
			return nil, none("ranker")
		}
		tiers := make([][]string, len(ids))
		for i, id := range ids {
			tiers[i] = []string{id}
		}
		answer = tasktype.RankingAnswer{Ranking: tiers}
	case *tasktype.RubricSchema:
		scores := map[string]int{}
		for i, t := range all {
			if t.v.Rating == nil {
				continue
			}
			r := *t.v.Rating
			if r != math.Trunc(r) {
				return nil, ErrLSResult.With("Label Studio result[%d]: rating %v is not a whole number", i, r)
			}
			id := t.item.FromName
			if len(sc.Criteria) == 1 {
				id = sc.Criteria[0].ID
			}
			scores[id] = int(r)
		}
		if len(scores) == 0 {
			return nil, none("rating")
		}
		answer = tasktype.RubricAnswer{Scores: scores}
	case *tasktype.RewriteSchema:
		var parts []string
		for _, t := range all {
			if t.item.Type != "textarea" || len(t.v.Text) == 0 {
				continue
			}
			var texts []string
			if err := json.Unmarshal(t.v.Text, &texts); err != nil {
				var one string
				if json.Unmarshal(t.v.Text, &one) != nil {
					return nil, ErrLSResult.With("Label Studio result: textarea text must be a string or an array of strings")
				}
				texts = []string{one}
			}
			parts = append(parts, texts...)
		}
		if len(parts) == 0 {
			return nil, none("textarea")
		}
		answer = tasktype.RewriteAnswer{Text: strings.Join(parts, "\n")}
	default:
		return nil, ErrLSResult.With("Label Studio has no result type for %s answers", tt)
	}
	raw, err := tasktype.CanonicalJSON(answer)
	if err != nil {
		return nil, err
	}
	return tasktype.ValidateAnswer(tt, schema, data, raw)
}

// lsRankerIDs reads {"ranker":[ids]} or {"ranker":{"<list>":[ids]}} (one list).
func lsRankerIDs(raw json.RawMessage) ([]string, error) {
	var ids []string
	if err := json.Unmarshal(raw, &ids); err == nil {
		return ids, nil
	}
	var buckets map[string][]string
	if err := json.Unmarshal(raw, &buckets); err != nil {
		return nil, ErrLSResult.With("Label Studio result: ranker must be a list of ids or an object of id lists")
	}
	if len(buckets) != 1 {
		names := make([]string, 0, len(buckets))
		for k := range buckets {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, ErrLSResult.With("Label Studio result: ranker has %d buckets (%s); only a single ordered list converts to a ranking", len(buckets), tasktype.QuoteList(names))
	}
	for _, v := range buckets {
		ids = v
	}
	return ids, nil
}

// Names used in exported results. Label Studio matches results to its config
// by from_name/to_name; SchemaToLSConfig generates a config with these names.
const (
	lsChoicesName  = "label"
	lsPairwiseName = "pairwise"
	lsRankerName   = "rank"
	lsTextAreaName = "rewrite"
)

// AnswerToLSResult converts one of our answers into a Label Studio `result`
// array (for exports), with the names of the generated config
// (DefaultLSNames); AnswerToLSResultNamed takes a project's names. Lossy where LS has no equivalent: pairwise strength,
// rationale and shown order and rubric rationales are dropped; pairwise
// tie/both_bad, tied rankings and moderation answers cannot be converted.
func AnswerToLSResult(tt tasktype.TaskType, schema, data, answer json.RawMessage) (json.RawMessage, error) {
	return AnswerToLSResultNamed(tt, schema, data, answer, DefaultLSNames(tt, schema))
}

// AnswerToLSResultNamed is AnswerToLSResult with the control and object
// names of the project's labelling config.
func AnswerToLSResultNamed(tt tasktype.TaskType, schema, data, answer json.RawMessage, names LSNames) (json.RawMessage, error) {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return nil, err
	}
	norm, err := tasktype.ValidateAnswer(tt, schema, data, answer)
	if err != nil {
		return nil, err
	}
	d, err := s.ItemData(data)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	add := func(from, to, typ string, value map[string]any) {
		out = append(out, map[string]any{
			"id": fmt.Sprintf("%s-%d", from, len(out)+1), "from_name": from, "to_name": to,
			"type": typ, "origin": "manual", "value": value,
		})
	}
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema:
		var a tasktype.ClassificationAnswer
		_ = json.Unmarshal(norm, &a)
		add(names.Control, names.Object, "choices", map[string]any{"choices": []string{a.Choice}})
	case *tasktype.MultiLabelSchema:
		var a tasktype.MultiLabelAnswer
		_ = json.Unmarshal(norm, &a)
		add(names.Control, names.Object, "choices", map[string]any{"choices": a.Choices})
	case *tasktype.SpansSchema:
		var a tasktype.SpansAnswer
		_ = json.Unmarshal(norm, &a)
		if sc.ConversationField != "" {
			if err := lsParagraphResults(d, sc.ConversationField, a.Spans, names, add); err != nil {
				return nil, err
			}
			break
		}
		text, _ := d.Text(sc.Field, false)
		idx := tasktype.NewTextIndex(text)
		for _, sp := range a.Spans {
			add(names.Control, names.Object, "labels", map[string]any{
				"start": idx.ToUTF16(sp.Start), "end": idx.ToUTF16(sp.End), "text": sp.Text, "labels": []string{sp.Label},
			})
		}
	case *tasktype.PairwiseSchema:
		var a tasktype.PairwiseAnswer
		_ = json.Unmarshal(norm, &a)
		sel := map[string]string{tasktype.PairwiseA: "left", tasktype.PairwiseB: "right"}[a.Choice]
		if sel == "" {
			return nil, ErrLSResult.With("Label Studio pairwise results are left or right; %q has no equivalent", a.Choice)
		}
		add(names.Control, names.Object, "pairwise", map[string]any{"selected": sel})
	case *tasktype.RankingSchema:
		var a tasktype.RankingAnswer
		_ = json.Unmarshal(norm, &a)
		ids := []string{}
		for t, tier := range a.Ranking {
			if len(tier) > 1 {
				return nil, ErrLSResult.With("Label Studio rankings have no ties; ranking[%d] ties %s", t, tasktype.QuoteList(tier))
			}
			ids = append(ids, tier[0])
		}
		add(names.Control, names.Object, "ranker", map[string]any{"ranker": ids})
	case *tasktype.RubricSchema:
		var a tasktype.RubricAnswer
		_ = json.Unmarshal(norm, &a)
		for _, c := range sc.Criteria { // schema order
			if v, ok := a.Scores[c.ID]; ok {
				to := names.Ratings[c.ID]
				if to == "" {
					to = sc.ResponseField
				}
				add(c.ID, to, "rating", map[string]any{"rating": v})
			}
		}
	case *tasktype.RewriteSchema:
		var a tasktype.RewriteAnswer
		_ = json.Unmarshal(norm, &a)
		add(names.Control, names.Object, "textarea", map[string]any{"text": []string{a.Text}})
	default:
		return nil, ErrLSResult.With("Label Studio has no result type for %s answers", tt)
	}
	if out == nil {
		out = []map[string]any{}
	}
	return tasktype.CanonicalJSON(out)
}

// SchemaToLSConfig writes a Label Studio labeling config for a schema, using
// the from_name/to_name values that AnswerToLSResult puts in results, so an
// export can be imported into Label Studio together with this config. Object
// tag names equal the data field names.
func SchemaToLSConfig(tt tasktype.TaskType, schema json.RawMessage) (string, error) {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	text := func(field string) {
		fmt.Fprintf(&b, "  <Text name=%s value=%s/>\n", xmlAttr(field), xmlAttr("$"+field))
	}
	prompt := func(p *string) {
		if *p != "" {
			text(*p)
		}
	}
	b.WriteString("<View>\n")
	if conv, _ := tasktype.ConversationOf(s); conv != "" {
		if err := lsDialogueConfig(&b, tt, s, conv); err != nil {
			return "", err
		}
		b.WriteString("</View>\n")
		return b.String(), nil
	}
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema, *tasktype.MultiLabelSchema:
		field, choice, opts := "", "single", []tasktype.ChoiceOption(nil)
		if c, ok := sc.(*tasktype.ClassificationSchema); ok {
			field, opts = c.Field, c.Choices
		} else {
			m := sc.(*tasktype.MultiLabelSchema)
			field, opts, choice = m.Field, m.Choices, "multiple"
		}
		text(field)
		fmt.Fprintf(&b, "  <Choices name=%s toName=%s choice=%q>\n", xmlAttr(lsChoicesName), xmlAttr(field), choice)
		for _, o := range opts {
			fmt.Fprintf(&b, "    <Choice value=%s alias=%s%s/>\n", xmlAttr(o.Label), xmlAttr(o.Value), optAttr("hotkey", o.Hotkey))
		}
		b.WriteString("  </Choices>\n")
	case *tasktype.SpansSchema:
		fmt.Fprintf(&b, "  <Labels name=%s toName=%s>\n", xmlAttr(lsChoicesName), xmlAttr(sc.Field))
		for _, l := range sc.Labels {
			fmt.Fprintf(&b, "    <Label value=%s alias=%s%s%s/>\n", xmlAttr(l.Label), xmlAttr(l.Value), optAttr("hotkey", l.Hotkey), optAttr("background", l.Color))
		}
		b.WriteString("  </Labels>\n")
		text(sc.Field)
	case *tasktype.PairwiseSchema:
		prompt(sc.PromptField)
		text(sc.AField)
		text(sc.BField)
		fmt.Fprintf(&b, "  <Pairwise name=%s toName=%s/>\n", xmlAttr(lsPairwiseName), xmlAttr(sc.AField+","+sc.BField))
	case *tasktype.RankingSchema:
		prompt(sc.PromptField)
		fmt.Fprintf(&b, "  <List name=%s value=%s/>\n", xmlAttr(sc.ResponsesField), xmlAttr("$"+sc.ResponsesField))
		fmt.Fprintf(&b, "  <Ranker name=%s toName=%s/>\n", xmlAttr(lsRankerName), xmlAttr(sc.ResponsesField))
	case *tasktype.RubricSchema:
		prompt(sc.PromptField)
		text(sc.ResponseField)
		if err := lsRatings(&b, sc.Criteria, sc.ResponseField); err != nil {
			return "", err
		}
	case *tasktype.RewriteSchema:
		prompt(sc.PromptField)
		to := *sc.Field
		if to != "" {
			text(to)
		} else {
			to = *sc.PromptField
		}
		fmt.Fprintf(&b, "  <TextArea name=%s toName=%s/>\n", xmlAttr(lsTextAreaName), xmlAttr(to))
	default:
		return "", ErrLSConfig.With("Label Studio has no labeling config for %s projects", tt)
	}
	b.WriteString("</View>\n")
	return b.String(), nil
}

// optAttr renders ` name="value"`, or nothing for an empty value.
func optAttr(name, v string) string {
	if v == "" {
		return ""
	}
	return " " + name + "=" + xmlAttr(v)
}

func xmlAttr(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	_ = xml.EscapeText(&b, []byte(s))
	b.WriteByte('"')
	return b.String()
}

func boolPtr(b bool) *bool { return &b }

// lsRatings writes one <Rating> per criterion, pointing at object to.
func lsRatings(b *strings.Builder, criteria []tasktype.Criterion, to string) error {
	for _, c := range criteria {
		lo, hi := c.Scale[0].Value, c.Scale[len(c.Scale)-1].Value
		if lo != 1 || hi != len(c.Scale) {
			return ErrLSConfig.With("Label Studio ratings run 1..N; criterion %q has scale %s", c.ID, tasktype.ScaleValues(c.Scale))
		}
		fmt.Fprintf(b, "  <Header value=%s/>\n  <Rating name=%s toName=%s maxRating=\"%d\"/>\n", xmlAttr(c.Label), xmlAttr(c.ID), xmlAttr(to), hi)
	}
	return nil
}
