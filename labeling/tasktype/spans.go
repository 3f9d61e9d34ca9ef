package tasktype

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// SpansSchema: mark labelled spans of the text in Field.
type SpansSchema struct {
	Field        string      `json:"field"`
	Labels       []SpanLabel `json:"labels"`
	AllowOverlap bool        `json:"allow_overlap"`
	// ConversationField, when set, names a conversation whose messages are
	// marked instead of Field; each span then names its turn (Turn "each").
	ConversationField string `json:"conversation_field,omitempty"`
	Turn              string `json:"turn,omitempty"`
	// CharacterPrecise keeps spans exactly as selected in the editor; by
	// default the editor snaps a selection to whole words and trims spaces.
	CharacterPrecise bool `json:"character_precise,omitempty"`
}

// SpanLabel is one entity type of a spans schema.
type SpanLabel struct {
	Value       string `json:"value"`
	Label       string `json:"label"`
	Hotkey      string `json:"hotkey,omitempty"`
	Description string `json:"description,omitempty"`
	Color       string `json:"color,omitempty"` // CSS colour for highlights
}

// SpansAnswer is {"spans":[…]}, sorted by start, end, label.
type SpansAnswer struct {
	Spans []AnswerSpan `json:"spans"`
}

// AnswerSpan is one labelled span: Start and End are code point offsets into
// the item text, End exclusive; Text is the covered text.
type AnswerSpan struct {
	// TurnID names the message of a conversation schema; Start and End are
	// then relative to that message's content. Absent otherwise.
	TurnID string `json:"turn_id,omitempty"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Label  string `json:"label"`
	Text   string `json:"text"`
}

var cssColorRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9., %]{1,40}\))$`)
})

func (s *SpansSchema) normalise() error {
	if err := requiredField("field", &s.Field, "text"); err != nil {
		return err
	}
	if len(s.Labels) < 1 || len(s.Labels) > maxOptions {
		return fmt.Errorf("labels: needs 1 to %d labels, got %d", maxOptions, len(s.Labels))
	}
	seen := map[string]int{}
	keys := make([]*string, len(s.Labels))
	for i := range s.Labels {
		l := &s.Labels[i]
		p := fmt.Sprintf("labels[%d]", i)
		if err := checkValue(p+".value", l.Value); err != nil {
			return err
		}
		if j, dup := seen[l.Value]; dup {
			return fmt.Errorf("%s.value: %q is also the value of labels[%d]", p, l.Value, j)
		}
		seen[l.Value] = i
		if l.Label = strings.TrimSpace(l.Label); l.Label == "" {
			l.Label = l.Value
		}
		if err := checkText(p+".label", l.Label, maxLabelLen); err != nil {
			return err
		}
		l.Description = strings.TrimSpace(l.Description)
		if err := checkText(p+".description", l.Description, maxDescriptionLen); err != nil {
			return err
		}
		if l.Color = strings.TrimSpace(l.Color); l.Color != "" && !cssColorRE().MatchString(l.Color) {
			return fmt.Errorf("%s.color: %s is not a CSS colour (#rgb, #rrggbb, a name or rgb(…))", p, QuoteShort(l.Color))
		}
		keys[i] = &l.Hotkey
	}
	if err := normaliseConv(TaskSpans, s.ConversationField, &s.Turn); err != nil {
		return err
	}
	return assignHotkeys("labels", keys, true)
}

func (s *SpansSchema) hasLabel(v string) bool {
	for _, l := range s.Labels {
		if l.Value == v {
			return true
		}
	}
	return false
}

func (s *SpansSchema) labelValues() string {
	vs := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		vs[i] = strconv.Quote(l.Value)
	}
	return strings.Join(vs, ", ")
}

func (s *SpansSchema) ItemData(data json.RawMessage) (ItemFields, error) {
	d, err := parseItemData(data)
	if err != nil {
		return nil, err
	}
	if s.ConversationField != "" {
		_, err := conversationFor(d, s.ConversationField, s.Turn)
		return d, err
	}
	err = d.CheckText(s.Field, false)
	return d, err
}

func (s *SpansSchema) Answer(d ItemFields, raw json.RawMessage) (any, error) {
	var a SpansAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	if len(a.Spans) > maxSpans {
		return nil, ErrInvalidAnswer.With("invalid answer: spans: %d spans; the limit is %d", len(a.Spans), maxSpans)
	}
	// texts gives the text each span is in: the item text, or the content
	// of the span's turn; order sorts spans by turn, then offsets.
	var msgs []Message
	if s.ConversationField != "" {
		var err error
		if msgs, err = d.Conversation(s.ConversationField); err != nil {
			return nil, err
		}
	}
	idxs := map[string]*TextIndex{}
	textOf := func(p, turn string) (*TextIndex, error) {
		if idx, ok := idxs[turn]; ok {
			return idx, nil
		}
		var text string
		if msgs == nil {
			if turn != "" {
				return nil, ErrInvalidAnswer.With("invalid answer: %s.turn_id: this schema marks one text, not conversation turns", p)
			}
			t, err := d.Text(s.Field, false)
			if err != nil {
				return nil, err
			}
			text = t
		} else {
			if turn == "" {
				return nil, ErrInvalidAnswer.With("invalid answer: %s.turn_id: is required (the id of the message the span is in)", p)
			}
			j := TurnIndex(msgs, turn)
			if j < 0 {
				return nil, ErrUnknownLabel.With("unknown label: %s.turn_id %s is not a turn of this conversation", p, QuoteShort(turn))
			}
			text = msgs[j].Content
		}
		idxs[turn] = NewTextIndex(text)
		return idxs[turn], nil
	}
	order := func(turn string) int { return TurnIndex(msgs, turn) }
	for i := range a.Spans {
		sp := &a.Spans[i]
		p := fmt.Sprintf("spans[%d]", i)
		idx, err := textOf(p, sp.TurnID)
		if err != nil {
			return nil, err
		}
		if !s.hasLabel(sp.Label) {
			return nil, ErrUnknownLabel.With("unknown label: %s.label %s is not one of %s", p, QuoteShort(sp.Label), s.labelValues())
		}
		if sp.Start < 0 || sp.End > idx.len() || sp.Start >= sp.End {
			return nil, ErrOffsetOutOfRange.With("offset out of range: %s: start %d, end %d; need 0 <= start < end <= %d (text length in code points)", p, sp.Start, sp.End, idx.len())
		}
		covered, _ := idx.slice(sp.Start, sp.End)
		if sp.Text == "" {
			sp.Text = covered
		} else if sp.Text != covered {
			return nil, ErrInvalidAnswer.With("invalid answer: %s.text %s does not match the text at code points %d..%d, which is %s", p, QuoteShort(sp.Text), sp.Start, sp.End, QuoteShort(covered))
		}
	}
	slices.SortFunc(a.Spans, func(x, y AnswerSpan) int {
		return cmp.Or(cmp.Compare(order(x.TurnID), order(y.TurnID)), cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End), cmp.Compare(x.Label, y.Label))
	})
	for i := 1; i < len(a.Spans); i++ {
		prev, cur := a.Spans[i-1], a.Spans[i]
		if prev.TurnID == cur.TurnID && prev.Start == cur.Start && prev.End == cur.End && prev.Label == cur.Label {
			return nil, ErrInvalidAnswer.With("invalid answer: spans: %d..%d %q appears twice", cur.Start, cur.End, cur.Label)
		}
	}
	if !s.AllowOverlap {
		// Sorted by start, so any overlap shows up against the furthest end so far.
		far := -1
		for i, sp := range a.Spans {
			if far >= 0 && a.Spans[far].TurnID != sp.TurnID {
				far = -1
			}
			if far >= 0 && sp.Start < a.Spans[far].End {
				o := a.Spans[far]
				return nil, ErrInvalidAnswer.With("invalid answer: spans overlap: %d..%d %q and %d..%d %q (this schema does not allow overlapping spans)", o.Start, o.End, o.Label, sp.Start, sp.End, sp.Label)
			}
			if far < 0 || sp.End > a.Spans[far].End {
				far = i
			}
		}
	}
	if a.Spans == nil {
		a.Spans = []AnswerSpan{}
	}
	return a, nil
}

func spansKey(raw json.RawMessage) ([]string, error) {
	var a SpansAnswer
	if err := decodeAnswer(raw, &a); err != nil {
		return nil, err
	}
	// A conversation answer is normalised in turn order, which the key
	// cannot see; its order is kept.
	if len(a.Spans) == 0 || a.Spans[0].TurnID == "" {
		slices.SortFunc(a.Spans, func(x, y AnswerSpan) int {
			return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End), cmp.Compare(x.Label, y.Label))
		})
	}
	out := make([]string, len(a.Spans))
	for i, sp := range a.Spans {
		out[i] = fmt.Sprintf("%d:%d:%s", sp.Start, sp.End, sp.Label)
		if sp.TurnID != "" {
			out[i] = sp.TurnID + "/" + out[i]
		}
	}
	return out, nil
}
