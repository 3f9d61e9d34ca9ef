package importer

import (
	"bytes"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Label Studio interoperability: labeling configs (XML) become a task type
// and schema; LS annotation results convert to and from our answers.
//
// One copyhold project has one task type, so a config must use one kind of
// control tag (several <Rating> tags become one rubric). Layout tags (View,
// Header, Style, …) are ignored; any other tag is refused by name.

// lsControl is one control tag of a labeling config.
type lsControl struct {
	tag, name, toName string
	attrs             map[string]string
	children          []map[string]string // <Choice>/<Label> attributes
	childTags         []string
}

type lsObject struct {
	tag, name, value string
}

var (
	lsLayoutTags  = []string{"View", "Header", "Style", "Collapse", "Panel", "Filter", "Choice", "Label"}
	lsObjectTags  = []string{"Text", "HyperText", "List"}
	lsControlTags = []string{"Choices", "Labels", "Rating", "TextArea", "Pairwise", "Ranker"}
)

// ParseLSConfig maps a Label Studio labeling config to our task type and a
// normalised schema. It takes the XML itself or a template config.yml that
// holds the XML under a top-level `config:` key.
func ParseLSConfig(config []byte) (tasktype.TaskType, json.RawMessage, error) {
	x, err := lsConfigXML(config)
	if err != nil {
		return "", nil, err
	}
	objects, controls, err := lsScanConfig(x)
	if err != nil {
		return "", nil, err
	}
	if len(controls) == 0 {
		return "", nil, ErrLSConfig.With("Label Studio config: no control tag found (supported: %s)", strings.Join(lsControlTags, ", "))
	}
	for _, c := range controls[1:] {
		if c.tag != controls[0].tag || c.tag != "Rating" {
			return "", nil, ErrLSConfig.With("Label Studio config: <%s name=%q> and <%s name=%q> cannot share a project; copyhold projects have one task type (only several <Rating> tags combine, into a rubric)",
				controls[0].tag, controls[0].name, c.tag, c.name)
		}
	}
	used := map[string]bool{}
	field := func(c lsControl, toName string, tags ...string) (string, error) {
		o, ok := objects[toName]
		if !ok {
			return "", ErrLSConfig.With("Label Studio config: <%s name=%q> has toName=%q, but no object tag has that name", c.tag, c.name, toName)
		}
		if !slices.Contains(tags, o.tag) {
			return "", ErrLSConfig.With("Label Studio config: <%s name=%q> points at <%s name=%q>; supported here: %s", c.tag, c.name, o.tag, o.name, strings.Join(tags, ", "))
		}
		used[toName] = true
		return o.value, nil
	}
	// An unused Text object (the prompt shown above the responses) becomes the prompt field.
	promptField := func() *string {
		var free []string
		for name, o := range objects {
			if !used[name] && (o.tag == "Text" || o.tag == "HyperText") {
				free = append(free, o.value)
			}
		}
		p := ""
		if len(free) == 1 {
			p = free[0]
		}
		return &p
	}
	var (
		tt     tasktype.TaskType
		schema any
	)
	c := controls[0]
	switch c.tag {
	case "Choices":
		f, err := field(c, c.toName, "Text", "HyperText")
		if err != nil {
			return "", nil, err
		}
		opts := make([]tasktype.ChoiceOption, 0, len(c.children))
		for _, ch := range c.children {
			opts = append(opts, lsOption(ch))
		}
		switch c.attrs["choice"] {
		case "", "single", "single-radio":
			tt, schema = tasktype.TaskClassification, tasktype.ClassificationSchema{Field: f, Choices: opts}
		case "multiple":
			tt, schema = tasktype.TaskMultiLabel, tasktype.MultiLabelSchema{Field: f, Choices: opts}
		default:
			return "", nil, ErrLSConfig.With("Label Studio config: <Choices name=%q> has choice=%q; expected single, single-radio or multiple", c.name, c.attrs["choice"])
		}
	case "Labels":
		f, err := field(c, c.toName, "Text")
		if err != nil {
			return "", nil, err
		}
		labels := make([]tasktype.SpanLabel, 0, len(c.children))
		for _, ch := range c.children {
			o := lsOption(ch)
			labels = append(labels, tasktype.SpanLabel{Value: o.Value, Label: o.Label, Hotkey: o.Hotkey, Color: ch["background"]})
		}
		// Label Studio lets spans overlap; keep that so its annotations import.
		tt, schema = tasktype.TaskSpans, tasktype.SpansSchema{Field: f, Labels: labels, AllowOverlap: true}
	case "Rating":
		rs := tasktype.RubricSchema{}
		for _, c := range controls {
			f, err := field(c, c.toName, "Text", "HyperText")
			if err != nil {
				return "", nil, err
			}
			if rs.ResponseField != "" && rs.ResponseField != f {
				return "", nil, ErrLSConfig.With("Label Studio config: <Rating> tags rate different fields (%q and %q); a rubric rates one response", rs.ResponseField, f)
			}
			rs.ResponseField = f
			max := 5
			if m, ok := c.attrs["maxRating"]; ok {
				if max, err = strconv.Atoi(m); err != nil || max < 2 || max > tasktype.MaxScalePoints {
					return "", nil, ErrLSConfig.With("Label Studio config: <Rating name=%q> maxRating=%q must be a number from 2 to %d", c.name, m, tasktype.MaxScalePoints)
				}
			}
			scale := make([]tasktype.ScalePoint, max)
			for i := range scale {
				scale[i] = tasktype.ScalePoint{Value: i + 1}
			}
			rs.Criteria = append(rs.Criteria, tasktype.Criterion{ID: c.name, Scale: scale})
		}
		rs.PromptField = promptField()
		tt, schema = tasktype.TaskRubric, rs
	case "TextArea":
		f, err := field(c, c.toName, "Text", "HyperText")
		if err != nil {
			return "", nil, err
		}
		tt, schema = tasktype.TaskRewrite, tasktype.RewriteSchema{Field: &f, PromptField: promptField()}
	case "Pairwise":
		names := strings.Split(c.toName, ",")
		if len(names) != 2 {
			return "", nil, ErrLSConfig.With("Label Studio config: <Pairwise name=%q> toName=%q must name two objects", c.name, c.toName)
		}
		a, err := field(c, strings.TrimSpace(names[0]), "Text", "HyperText")
		if err != nil {
			return "", nil, err
		}
		b, err := field(c, strings.TrimSpace(names[1]), "Text", "HyperText")
		if err != nil {
			return "", nil, err
		}
		// Label Studio only records left or right; keep exports convertible.
		tt, schema = tasktype.TaskPairwise, tasktype.PairwiseSchema{PromptField: promptField(), AField: a, BField: b, AllowTie: boolPtr(false), AllowBothBad: boolPtr(false)}
	case "Ranker":
		if len(c.childTags) > 0 {
			return "", nil, ErrLSConfig.With("Label Studio config: <Ranker name=%q> with <%s> children (sorting into buckets) is not supported; copyhold ranks one ordered list", c.name, c.childTags[0])
		}
		f, err := field(c, c.toName, "List")
		if err != nil {
			return "", nil, err
		}
		// Label Studio rankings have no ties; keep exports convertible.
		tt, schema = tasktype.TaskRanking, tasktype.RankingSchema{PromptField: promptField(), ResponsesField: f, AllowTies: boolPtr(false)}
	}
	raw, err := tasktype.CanonicalJSON(schema)
	if err != nil {
		return "", nil, err
	}
	norm, err := tasktype.ValidateSchema(tt, raw)
	if err != nil {
		return "", nil, ErrLSConfig.With("Label Studio config: the %s schema built from it is invalid: %s", tt, err.Error())
	}
	return tt, norm, nil
}

// lsOption maps <Choice>/<Label> attributes: results carry the alias when
// there is one, so alias becomes our value and value our display label.
func lsOption(attrs map[string]string) tasktype.ChoiceOption {
	o := tasktype.ChoiceOption{Value: attrs["value"], Hotkey: attrs["hotkey"], Description: attrs["hint"]}
	if a := attrs["alias"]; a != "" {
		o.Value, o.Label = a, attrs["value"]
	}
	return o
}

func lsScanConfig(x []byte) (map[string]lsObject, []lsControl, error) {
	dec := xml.NewDecoder(bytes.NewReader(x))
	dec.Strict = false // LS configs are HTML-ish (unquoted attributes, entities)
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	objects := map[string]lsObject{}
	var controls []lsControl
	var current *lsControl // the control whose children we are reading
	depth, controlDepth := 0, -1
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, ErrLSConfig.With("Label Studio config: invalid XML: %s", err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = strings.TrimSpace(a.Value)
			}
			tag := t.Name.Local
			if current != nil && depth > controlDepth {
				if tag == "Choice" || tag == "Label" {
					if attrs["value"] == "" {
						return nil, nil, ErrLSConfig.With("Label Studio config: a <%s> inside <%s name=%q> has no value", tag, current.tag, current.name)
					}
					current.children = append(current.children, attrs)
				} else {
					current.childTags = append(current.childTags, tag)
				}
				continue
			}
			switch {
			case slices.Contains(lsControlTags, tag):
				controls = append(controls, lsControl{tag: tag, name: attrs["name"], toName: attrs["toName"], attrs: attrs})
				current, controlDepth = &controls[len(controls)-1], depth
				if current.name == "" || current.toName == "" {
					return nil, nil, ErrLSConfig.With("Label Studio config: <%s> needs name and toName attributes", tag)
				}
			case slices.Contains(lsObjectTags, tag):
				v := attrs["value"]
				if !strings.HasPrefix(v, "$") || len(v) < 2 {
					return nil, nil, ErrLSConfig.With("Label Studio config: <%s name=%q> value=%q must be a $variable naming a data field", tag, attrs["name"], v)
				}
				objects[attrs["name"]] = lsObject{tag: tag, name: attrs["name"], value: v[1:]}
			case slices.Contains(lsLayoutTags, tag):
			default:
				return nil, nil, ErrLSConfig.With("Label Studio config: tag <%s> is not supported (supported controls: %s; objects: %s)", tag, strings.Join(lsControlTags, ", "), strings.Join(lsObjectTags, ", "))
			}
		case xml.EndElement:
			if current != nil && depth == controlDepth {
				current, controlDepth = nil, -1
			}
			depth--
		}
	}
	return objects, controls, nil
}

// lsConfigXML returns the XML of a config: the input itself, or the value of
// the top-level `config:` key of a Label Studio template config.yml. Only
// the scalar styles those templates use are understood (quoted, block, plain).
func lsConfigXML(b []byte) ([]byte, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if len(t) > 0 && t[0] == '<' {
		return t, nil
	}
	s := string(b)
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "config:") {
			continue
		}
		rest := strings.TrimSpace(strings.TrimPrefix(line, "config:"))
		tail := strings.Join(lines[i+1:], "")
		switch {
		case strings.HasPrefix(rest, "'"):
			body := strings.TrimPrefix(strings.TrimPrefix(line, "config:"), " ")
			body = strings.TrimPrefix(strings.TrimLeft(body, " "), "'") + tail
			var out strings.Builder
			for j := 0; j < len(body); j++ {
				if body[j] == '\'' {
					if j+1 < len(body) && body[j+1] == '\'' {
						out.WriteByte('\'')
						j++
						continue
					}
					return []byte(strings.TrimSpace(out.String())), nil
				}
				out.WriteByte(body[j])
			}
			return nil, ErrLSConfig.With("Label Studio config.yml: the quoted config: value is not closed")
		case strings.HasPrefix(rest, `"`):
			body := strings.TrimPrefix(strings.TrimLeft(strings.TrimPrefix(line, "config:"), " "), `"`) + tail
			var out strings.Builder
			for j := 0; j < len(body); j++ {
				switch c := body[j]; {
				case c == '\\' && j+1 < len(body):
					j++
					switch body[j] {
					case 'n':
						out.WriteByte('\n')
					case 't':
						out.WriteByte('\t')
					default:
						out.WriteByte(body[j])
					}
				case c == '"':
					return []byte(strings.TrimSpace(out.String())), nil
				default:
					out.WriteByte(c)
				}
			}
			return nil, ErrLSConfig.With("Label Studio config.yml: the quoted config: value is not closed")
		default: // block scalar (| or >) or plain scalar: the indented lines that follow
			var out strings.Builder
			if !strings.HasPrefix(rest, "|") && !strings.HasPrefix(rest, ">") {
				out.WriteString(rest + "\n")
			}
			for _, l := range lines[i+1:] {
				if strings.TrimSpace(l) != "" && l[0] != ' ' && l[0] != '\t' {
					break
				}
				out.WriteString(l)
			}
			if x := strings.TrimSpace(out.String()); x != "" {
				return []byte(x), nil
			}
			return nil, ErrLSConfig.With("Label Studio config.yml: the config: value is empty")
		}
	}
	return nil, ErrLSConfig.With("Label Studio config: expected XML starting with <View> or a config.yml with a config: key")
}

// ---- results ----

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
	Start    *int            `json:"start,omitempty"`
	End      *int            `json:"end,omitempty"`
	Text     json.RawMessage `json:"text,omitempty"` // string for labels, array for textarea
	Rating   *float64        `json:"rating,omitempty"`
	Selected string          `json:"selected,omitempty"`
	Ranker   json.RawMessage `json:"ranker,omitempty"`
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
			start, err := idx.FromUTF16(*t.v.Start)
			if err != nil {
				return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.start: %s", i, err.Error())
			}
			end, err := idx.FromUTF16(*t.v.End)
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
// array (for exports). Lossy where LS has no equivalent: pairwise strength,
// rationale and shown order and rubric rationales are dropped; pairwise
// tie/both_bad, tied rankings and moderation answers cannot be converted.
func AnswerToLSResult(tt tasktype.TaskType, schema, data, answer json.RawMessage) (json.RawMessage, error) {
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
		add(lsChoicesName, sc.Field, "choices", map[string]any{"choices": []string{a.Choice}})
	case *tasktype.MultiLabelSchema:
		var a tasktype.MultiLabelAnswer
		_ = json.Unmarshal(norm, &a)
		add(lsChoicesName, sc.Field, "choices", map[string]any{"choices": a.Choices})
	case *tasktype.SpansSchema:
		var a tasktype.SpansAnswer
		_ = json.Unmarshal(norm, &a)
		text, _ := d.Text(sc.Field, false)
		idx := tasktype.NewTextIndex(text)
		for _, sp := range a.Spans {
			add(lsChoicesName, sc.Field, "labels", map[string]any{
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
		add(lsPairwiseName, lsPairwiseName, "pairwise", map[string]any{"selected": sel})
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
		add(lsRankerName, sc.ResponsesField, "ranker", map[string]any{"ranker": ids})
	case *tasktype.RubricSchema:
		var a tasktype.RubricAnswer
		_ = json.Unmarshal(norm, &a)
		for _, c := range sc.Criteria { // schema order
			if v, ok := a.Scores[c.ID]; ok {
				add(c.ID, sc.ResponseField, "rating", map[string]any{"rating": v})
			}
		}
	case *tasktype.RewriteSchema:
		var a tasktype.RewriteAnswer
		_ = json.Unmarshal(norm, &a)
		to := *sc.Field
		if to == "" {
			to = *sc.PromptField
		}
		add(lsTextAreaName, to, "textarea", map[string]any{"text": []string{a.Text}})
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
		for _, c := range sc.Criteria {
			lo, hi := c.Scale[0].Value, c.Scale[len(c.Scale)-1].Value
			if lo != 1 || hi != len(c.Scale) {
				return "", ErrLSConfig.With("Label Studio ratings run 1..N; criterion %q has scale %s", c.ID, tasktype.ScaleValues(c.Scale))
			}
			fmt.Fprintf(&b, "  <Header value=%s/>\n  <Rating name=%s toName=%s maxRating=\"%d\"/>\n", xmlAttr(c.Label), xmlAttr(c.ID), xmlAttr(sc.ResponseField), hi)
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
