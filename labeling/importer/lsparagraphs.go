package importer

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Spans inside a conversation and Label Studio's paragraph regions: a
// conversation is a <Paragraphs layout="dialogue"> object (one paragraph per
// message), a span of one turn a "paragraphlabels" result whose start and
// end are that message's index and whose startOffset/endOffset count UTF-16
// units of its content. copyhold stores code points of the content; the
// conversion happens here, in both directions.

// lsIndex is a paragraph index or a text offset: a number, or a string
// holding one (Label Studio writes paragraph indices as strings).
type lsIndex int

func (x *lsIndex) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*x = lsIndex(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("start/end must be a number, got %s", tasktype.ShortRaw(b))
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("start/end %s is not an index (xpath regions are not supported)", tasktype.QuoteShort(s))
	}
	*x = lsIndex(n)
	return nil
}

// lsParagraphSpans reads paragraphlabels results into spans of the
// conversation data[field], each relative to its turn.
func lsParagraphSpans(d tasktype.ItemFields, field string, vals []lsValue) ([]tasktype.AnswerSpan, error) {
	msgs, err := d.Conversation(field)
	if err != nil {
		return nil, err
	}
	spans := []tasktype.AnswerSpan{}
	for i, v := range vals {
		if len(v.ParagraphLabels) == 0 {
			continue
		}
		if v.Start == nil || v.End == nil || v.StartOffset == nil || v.EndOffset == nil {
			return nil, ErrLSResult.With("Label Studio result[%d]: paragraphlabels need start, end, startOffset and endOffset", i)
		}
		p := int(*v.Start)
		if p < 0 || p >= len(msgs) {
			return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.start: paragraph %d is not a message of %s (%d messages)", i, p, field, len(msgs))
		}
		if int(*v.End) != p {
			return nil, ErrLSResult.With("Label Studio result[%d]: the region runs from paragraph %d to %d; copyhold spans stay inside one turn", i, p, int(*v.End))
		}
		idx := tasktype.NewTextIndex(msgs[p].Content)
		start, err := idx.FromUTF16(*v.StartOffset)
		if err != nil {
			return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.startOffset: %s", i, err.Error())
		}
		end, err := idx.FromUTF16(*v.EndOffset)
		if err != nil {
			return nil, tasktype.ErrOffsetOutOfRange.With("Label Studio result[%d].value.endOffset: %s", i, err.Error())
		}
		var covered string
		_ = json.Unmarshal(v.Text, &covered) // checked against the turn by ValidateAnswer
		for _, l := range v.ParagraphLabels {
			spans = append(spans, tasktype.AnswerSpan{TurnID: msgs[p].ID, Start: start, End: end, Label: l, Text: covered})
		}
	}
	return spans, nil
}

// lsParagraphResults writes spans of the conversation data[field] as
// paragraphlabels results: the message index as a string (as Label Studio
// writes it), the offsets in UTF-16 units of that message's content.
func lsParagraphResults(d tasktype.ItemFields, field string, spans []tasktype.AnswerSpan, names LSNames, add func(from, to, typ string, value map[string]any)) error {
	msgs, err := d.Conversation(field)
	if err != nil {
		return err
	}
	at := make(map[string]int, len(msgs))
	for i, m := range msgs {
		at[m.ID] = i
	}
	idx := map[int]*tasktype.TextIndex{}
	for _, sp := range spans {
		p, ok := at[sp.TurnID]
		if !ok { // ValidateAnswer checked the turn ids; keep the error plain anyway
			return ErrLSResult.With("span turn_id %s is not a message of %s", tasktype.QuoteShort(sp.TurnID), field)
		}
		if idx[p] == nil {
			idx[p] = tasktype.NewTextIndex(msgs[p].Content)
		}
		para := strconv.Itoa(p)
		add(names.Control, names.Object, "paragraphlabels", map[string]any{
			"start": para, "end": para, "startOffset": idx[p].ToUTF16(sp.Start), "endOffset": idx[p].ToUTF16(sp.End),
			"text": sp.Text, "paragraphlabels": []string{sp.Label},
		})
	}
	return nil
}

// lsDialogueConfig writes the config of a conversation project: the
// conversation as <Paragraphs layout="dialogue"> reading copyhold's messages
// (nameKey role, textKey content), with <Choices> (classification and
// multilabel over the conversation or its last assistant turn),
// <ParagraphLabels> (spans per turn) or <Rating> (a rubric of the last
// assistant turn, as the importer reads it). Other task types over a
// conversation have no Label Studio form.
func lsDialogueConfig(b *strings.Builder, tt tasktype.TaskType, s tasktype.Schema, conv string) error {
	fmt.Fprintf(b, "  <Paragraphs name=%s value=%s layout=\"dialogue\" nameKey=\"role\" textKey=\"content\"/>\n", xmlAttr(conv), xmlAttr("$"+conv))
	var opts []tasktype.ChoiceOption
	choice := "single"
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema:
		opts = sc.Choices
	case *tasktype.MultiLabelSchema:
		opts, choice = sc.Choices, "multiple"
	case *tasktype.SpansSchema:
		fmt.Fprintf(b, "  <ParagraphLabels name=%s toName=%s>\n", xmlAttr(lsChoicesName), xmlAttr(conv))
		for _, l := range sc.Labels {
			fmt.Fprintf(b, "    <Label value=%s alias=%s%s%s/>\n", xmlAttr(l.Label), xmlAttr(l.Value), optAttr("hotkey", l.Hotkey), optAttr("background", l.Color))
		}
		b.WriteString("  </ParagraphLabels>\n")
		return nil
	case *tasktype.RubricSchema:
		if sc.Turn != tasktype.TurnLastAssistant {
			return ErrLSConfig.With("Label Studio has no rating per dialogue turn; a rubric over a conversation needs turn last_assistant")
		}
		return lsRatings(b, sc.Criteria, conv)
	default:
		return ErrLSConfig.With("Label Studio has no labeling config for %s projects over a conversation", tt)
	}
	fmt.Fprintf(b, "  <Choices name=%s toName=%s choice=%q>\n", xmlAttr(lsChoicesName), xmlAttr(conv), choice)
	for _, o := range opts {
		fmt.Fprintf(b, "    <Choice value=%s alias=%s%s/>\n", xmlAttr(o.Label), xmlAttr(o.Value), optAttr("hotkey", o.Hotkey))
	}
	b.WriteString("  </Choices>\n")
	return nil
}
