package importer

import (
	"bytes"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"encoding/xml"
	"io"
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
	attrs            map[string]string
}

var (
	lsLayoutTags  = []string{"View", "Header", "Style", "Collapse", "Panel", "Filter", "Choice", "Label"}
	lsObjectTags  = []string{"Text", "HyperText", "List", "Paragraphs"}
	lsControlTags = []string{"Choices", "Labels", "ParagraphLabels", "Rating", "TextArea", "Pairwise", "Ranker"}
)

// ParseLSConfig maps a Label Studio labeling config to our task type and a
// normalised schema. It takes the XML itself or a template config.yml that
// holds the XML under a top-level `config:` key.
func ParseLSConfig(config []byte) (tasktype.TaskType, json.RawMessage, error) {
	tt, schema, _, err := parseLSConfig(config)
	return tt, schema, err
}

// ParseLSConfigNames is ParseLSConfig that also returns the control and
// object names the config's results carry.
func ParseLSConfigNames(config []byte) (tasktype.TaskType, json.RawMessage, LSNames, error) {
	return parseLSConfig(config)
}

func parseLSConfig(config []byte) (tasktype.TaskType, json.RawMessage, LSNames, error) {
	var names LSNames
	x, err := lsConfigXML(config)
	if err != nil {
		return "", nil, names, err
	}
	objects, controls, err := lsScanConfig(x)
	if err != nil {
		return "", nil, names, err
	}
	if len(controls) == 0 {
		return "", nil, names, ErrLSConfig.With("Label Studio config: no control tag found (supported: %s)", strings.Join(lsControlTags, ", "))
	}
	for _, c := range controls[1:] {
		if c.tag != controls[0].tag || c.tag != "Rating" {
			return "", nil, names, ErrLSConfig.With("Label Studio config: <%s name=%q> and <%s name=%q> cannot share a project; copyhold projects have one task type (only several <Rating> tags combine, into a rubric)",
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
	// A <Paragraphs layout="dialogue"> object is a conversation (chat.go
	// converts its author/text entries at import).
	dialogue := func(c lsControl, toName string) (string, bool, error) {
		o := objects[toName]
		if o.tag != "Paragraphs" {
			return "", false, nil
		}
		if l := o.attrs["layout"]; l != "dialogue" {
			return "", false, ErrLSConfig.With("Label Studio config: <Paragraphs name=%q> needs layout=\"dialogue\" to be a conversation, not %q", o.name, l)
		}
		// Entries are {author, text} (the defaults) or copyhold's own messages
		// {role, content} (nameKey="role" textKey="content", as its exports write).
		name, text := o.attrs["nameKey"], o.attrs["textKey"]
		if (name != "" && name != "author" && name != "role") || (text != "" && text != "text" && text != "content") ||
			(name == "role") != (text == "content") {
			return "", false, ErrLSConfig.With("Label Studio config: <Paragraphs name=%q> nameKey=%q textKey=%q: copyhold reads dialogue entries with the default keys author and text, or as messages with nameKey=\"role\" textKey=\"content\"", o.name, name, text)
		}
		names.AuthorText = name != "role"
		return o.value, true, nil
	}
	var (
		tt     tasktype.TaskType
		schema any
	)
	c := controls[0]
	names = LSNames{Control: c.name, Object: c.toName}
	switch c.tag {
	case "Choices":
		f, err := field(c, c.toName, "Text", "HyperText", "Paragraphs")
		if err != nil {
			return "", nil, names, err
		}
		conv, isConv, err := dialogue(c, c.toName)
		if err != nil {
			return "", nil, names, err
		}
		if isConv {
			f = ""
		}
		opts := make([]tasktype.ChoiceOption, 0, len(c.children))
		for _, ch := range c.children {
			opts = append(opts, lsOption(ch))
		}
		switch c.attrs["choice"] {
		case "", "single", "single-radio":
			tt, schema = tasktype.TaskClassification, tasktype.ClassificationSchema{Field: f, Choices: opts, ConversationField: conv}
		case "multiple":
			tt, schema = tasktype.TaskMultiLabel, tasktype.MultiLabelSchema{Field: f, Choices: opts, ConversationField: conv}
		default:
			return "", nil, names, ErrLSConfig.With("Label Studio config: <Choices name=%q> has choice=%q; expected single, single-radio or multiple", c.name, c.attrs["choice"])
		}
	case "Labels":
		f, err := field(c, c.toName, "Text")
		if err != nil {
			return "", nil, names, err
		}
		labels := make([]tasktype.SpanLabel, 0, len(c.children))
		for _, ch := range c.children {
			o := lsOption(ch)
			labels = append(labels, tasktype.SpanLabel{Value: o.Value, Label: o.Label, Hotkey: o.Hotkey, Color: ch["background"]})
		}
		// Label Studio lets spans overlap; keep that so its annotations import.
		tt, schema = tasktype.TaskSpans, tasktype.SpansSchema{Field: f, Labels: labels, AllowOverlap: true}
	case "ParagraphLabels": // spans inside the turns of a dialogue
		if _, err := field(c, c.toName, "Paragraphs"); err != nil {
			return "", nil, names, err
		}
		conv, _, err := dialogue(c, c.toName)
		if err != nil {
			return "", nil, names, err
		}
		labels := make([]tasktype.SpanLabel, 0, len(c.children))
		for _, ch := range c.children {
			o := lsOption(ch)
			labels = append(labels, tasktype.SpanLabel{Value: o.Value, Label: o.Label, Hotkey: o.Hotkey, Color: ch["background"]})
		}
		tt, schema = tasktype.TaskSpans, tasktype.SpansSchema{Labels: labels, AllowOverlap: true, ConversationField: conv, Turn: tasktype.TurnEach}
	case "Rating":
		rs := tasktype.RubricSchema{}
		for _, c := range controls {
			f, err := field(c, c.toName, "Text", "HyperText", "Paragraphs")
			if err != nil {
				return "", nil, names, err
			}
			if conv, isConv, err := dialogue(c, c.toName); err != nil {
				return "", nil, names, err
			} else if isConv {
				// A Label Studio rating rates the task: here, the dialogue's last assistant turn.
				rs.ConversationField, rs.Turn, f = conv, tasktype.TurnLastAssistant, "response"
			}
			if rs.ResponseField != "" && rs.ResponseField != f {
				return "", nil, names, ErrLSConfig.With("Label Studio config: <Rating> tags rate different fields (%q and %q); a rubric rates one response", rs.ResponseField, f)
			}
			rs.ResponseField = f
			max := 5
			if m, ok := c.attrs["maxRating"]; ok {
				if max, err = strconv.Atoi(m); err != nil || max < 2 || max > tasktype.MaxScalePoints {
					return "", nil, names, ErrLSConfig.With("Label Studio config: <Rating name=%q> maxRating=%q must be a number from 2 to %d", c.name, m, tasktype.MaxScalePoints)
				}
			}
			scale := make([]tasktype.ScalePoint, max)
			for i := range scale {
				scale[i] = tasktype.ScalePoint{Value: i + 1}
			}
			rs.Criteria = append(rs.Criteria, tasktype.Criterion{ID: c.name, Scale: scale})
			if names.Ratings == nil {
				names.Ratings = map[string]string{}
			}
			names.Ratings[c.name] = c.toName
		}
		rs.PromptField = promptField()
		tt, schema = tasktype.TaskRubric, rs
	case "TextArea":
		f, err := field(c, c.toName, "Text", "HyperText", "Paragraphs")
		if err != nil {
			return "", nil, names, err
		}
		if conv, isConv, err := dialogue(c, c.toName); err != nil {
			return "", nil, names, err
		} else if isConv { // a text area under a dialogue writes the next turn
			tt, schema = tasktype.TaskRewrite, tasktype.RewriteSchema{ConversationField: conv, Turn: tasktype.TurnNext}
			break
		}
		tt, schema = tasktype.TaskRewrite, tasktype.RewriteSchema{Field: &f, PromptField: promptField()}
	case "Pairwise":
		objs := strings.Split(c.toName, ",")
		if len(objs) != 2 {
			return "", nil, names, ErrLSConfig.With("Label Studio config: <Pairwise name=%q> toName=%q must name two objects", c.name, c.toName)
		}
		a, err := field(c, strings.TrimSpace(objs[0]), "Text", "HyperText")
		if err != nil {
			return "", nil, names, err
		}
		b, err := field(c, strings.TrimSpace(objs[1]), "Text", "HyperText")
		if err != nil {
			return "", nil, names, err
		}
		names.Object = c.name // Label Studio's pairwise results point at the control itself
		// Label Studio only records left or right; keep exports convertible.
		tt, schema = tasktype.TaskPairwise, tasktype.PairwiseSchema{PromptField: promptField(), AField: a, BField: b, AllowTie: boolPtr(false), AllowBothBad: boolPtr(false)}
	case "Ranker":
		if len(c.childTags) > 0 {
			return "", nil, names, ErrLSConfig.With("Label Studio config: <Ranker name=%q> with <%s> children (sorting into buckets) is not supported; copyhold ranks one ordered list", c.name, c.childTags[0])
		}
		f, err := field(c, c.toName, "List")
		if err != nil {
			return "", nil, names, err
		}
		// Label Studio rankings have no ties; keep exports convertible.
		tt, schema = tasktype.TaskRanking, tasktype.RankingSchema{PromptField: promptField(), ResponsesField: f, AllowTies: boolPtr(false)}
	}
	raw, err := tasktype.CanonicalJSON(schema)
	if err != nil {
		return "", nil, names, err
	}
	norm, err := tasktype.ValidateSchema(tt, raw)
	if err != nil {
		return "", nil, names, ErrLSConfig.With("Label Studio config: the %s schema built from it is invalid: %s", tt, err.Error())
	}
	return tt, norm, names, nil
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
				objects[attrs["name"]] = lsObject{tag: tag, name: attrs["name"], value: v[1:], attrs: attrs}
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
