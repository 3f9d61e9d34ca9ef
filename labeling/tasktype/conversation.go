package tasktype

import (
	"bytes"
	"copyhold/labeling/textrule"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The conversation value: a list of chat messages held in one item data
// field (see docs/TASKTYPES.md, "Conversations").

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Conversation limits.
const (
	MaxConversationTurns = 500
	MaxTurnLen           = 100_000 // code points of one message's content
	MaxConversationLen   = 500_000 // code points of all contents together
	maxToolCalls         = 64
	maxTools             = 128
	maxNameLen           = 64
)

// Message is one turn. ID is copyhold's stable turn id; the other fields
// are the OpenAI chat message fields, in that order when encoded.
type Message struct {
	ID         string     `json:"id,omitempty"`
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	Name       string     `json:"name,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	// Weight is OpenAI's per-message training weight (0 or 1, assistant only).
	Weight *int `json:"weight,omitempty"`
}

// ToolCall is one function call of an assistant message. Arguments is JSON
// text (an object), as OpenAI writes it.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function and carries its arguments as JSON text.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

var turnIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`) })

// rawMessage receives a message before checking; Content is raw so that a
// null or an array can be named in the error.
type rawMessage struct {
	ID         string          `json:"id"`
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  []ToolCall      `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
	Weight     *int            `json:"weight"`
}

// convCheck carries what one conversation check needs: the path prefix for
// messages, the id prefix for missing ids (none for candidates), and the
// tool call ids seen so far (the history's, for a candidate).
type convCheck struct {
	path     string
	idPrefix string
	calls    map[string]bool
	ids      map[string]string
	total    int
}

// ParseMessages checks a conversation value (a JSON array of messages) and
// returns it with turn ids assigned: a message without "id" gets "t<index>".
func ParseMessages(field string, raw json.RawMessage) ([]Message, error) {
	c := &convCheck{path: field, idPrefix: "t", calls: map[string]bool{}, ids: map[string]string{}}
	return c.messages(raw, 1)
}

// parseCandidate checks a candidate continuation: a string (one assistant
// message) or an array of messages starting with an assistant message. Its
// tool messages may answer calls of the history (calls).
func parseCandidate(field string, raw json.RawMessage, calls map[string]bool) ([]Message, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return nil, ErrInvalidItemData.With("%s: %s", field, JSONErrText(err))
		}
		if strings.TrimSpace(s) == "" {
			return nil, ErrInvalidItemData.With("item data field %q is empty", field)
		}
		if err := textrule.CheckString(field, s); err != nil {
			return nil, err
		}
		return []Message{{Role: RoleAssistant, Content: s}}, nil
	}
	seen := make(map[string]bool, len(calls))
	for k := range calls {
		seen[k] = true
	}
	c := &convCheck{path: field, calls: seen, ids: map[string]string{}}
	msgs, err := c.messages(raw, 1)
	if err != nil {
		return nil, err
	}
	if msgs[0].Role != RoleAssistant {
		return nil, ErrInvalidItemData.With("%s[0].role must be assistant (a candidate is the next assistant turn), not %q", field, msgs[0].Role)
	}
	return msgs, nil
}

func (c *convCheck) messages(raw json.RawMessage, min int) ([]Message, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, ErrInvalidItemData.With("item data is missing field %q", c.path)
	}
	if t[0] != '[' {
		return nil, ErrInvalidItemData.With("%s must be an array of messages, got %s", c.path, ShortRaw(t))
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(t, &arr); err != nil {
		return nil, ErrInvalidItemData.With("%s: %s", c.path, JSONErrText(err))
	}
	if len(arr) < min {
		return nil, ErrInvalidItemData.With("%s must hold at least %d message(s)", c.path, min)
	}
	if len(arr) > MaxConversationTurns {
		return nil, ErrInvalidItemData.With("%s has %d messages; the limit is %d", c.path, len(arr), MaxConversationTurns)
	}
	out := make([]Message, len(arr))
	for i, e := range arr {
		m, err := c.message(fmt.Sprintf("%s[%d]", c.path, i), i, e)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

func (c *convCheck) message(p string, i int, raw json.RawMessage) (Message, error) {
	bad := func(format string, args ...any) (Message, error) {
		return Message{}, ErrInvalidItemData.With(p+format, args...)
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return bad(" must be an object, got %s", ShortRaw(raw))
	}
	var r rawMessage
	if err := decodeStrict(raw, &r); err != nil {
		msg := err.Error()
		if strings.HasPrefix(msg, "top level: ") {
			return bad(": %s", strings.TrimPrefix(msg, "top level: "))
		}
		return bad(".%s", msg)
	}
	m := Message{ID: r.ID, Role: r.Role, Name: r.Name, ToolCalls: r.ToolCalls, ToolCallID: r.ToolCallID, Weight: r.Weight}
	switch m.Role {
	case RoleSystem, RoleUser, RoleAssistant, RoleTool:
	case "":
		return bad(".role is required (one of system, user, assistant, tool)")
	default:
		return bad(".role must be one of system, user, assistant, tool, not %s", QuoteShort(m.Role))
	}
	switch ct := bytes.TrimSpace(r.Content); {
	case len(ct) == 0 || string(ct) == "null":
	case ct[0] == '"':
		_ = json.Unmarshal(ct, &m.Content)
	case ct[0] == '[':
		return bad(".content must be a string; content parts (arrays) are not supported")
	default:
		return bad(".content must be a string, got %s", ShortRaw(ct))
	}
	if err := textrule.CheckString(p+".content", m.Content); err != nil {
		return Message{}, err
	}
	n := utf8.RuneCountInString(m.Content)
	if n > MaxTurnLen {
		return bad(".content is %d characters long; the limit is %d", n, MaxTurnLen)
	}
	if c.total += n; c.total > MaxConversationLen {
		return bad(": the conversation is over the limit of %d characters", MaxConversationLen)
	}
	if strings.TrimSpace(m.Content) == "" && !(m.Role == RoleAssistant && len(m.ToolCalls) > 0) && m.Role != RoleTool {
		return bad(".content must not be empty")
	}
	if m.Name != "" {
		if utf8.RuneCountInString(m.Name) > maxNameLen || HasControl(m.Name) {
			return bad(".name %s must be at most %d characters without control characters", QuoteShort(m.Name), maxNameLen)
		}
		if err := textrule.CheckString(p+".name", m.Name); err != nil {
			return Message{}, err
		}
	}
	if m.ID == "" && c.idPrefix != "" {
		m.ID = fmt.Sprintf("%s%d", c.idPrefix, i)
	}
	if m.ID != "" {
		if !turnIDRE().MatchString(m.ID) {
			return bad(".id %s must be 1-64 letters, digits, '_', '.' or '-', starting with a letter", QuoteShort(m.ID))
		}
		if q, dup := c.ids[m.ID]; dup {
			return bad(".id %q is also the id of %s", m.ID, q)
		}
		c.ids[m.ID] = p
	}
	if m.Weight != nil {
		if m.Role != RoleAssistant {
			return bad(".weight is only allowed on assistant messages")
		}
		if *m.Weight != 0 && *m.Weight != 1 {
			return bad(".weight must be 0 or 1, not %d", *m.Weight)
		}
	}
	if len(m.ToolCalls) > 0 && m.Role != RoleAssistant {
		return bad(".tool_calls is only allowed on assistant messages, not on %s", m.Role)
	}
	if len(m.ToolCalls) > maxToolCalls {
		return bad(".tool_calls has %d calls; the limit is %d", len(m.ToolCalls), maxToolCalls)
	}
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		q := fmt.Sprintf("%s.tool_calls[%d]", p, j)
		if tc.ID == "" {
			return Message{}, ErrInvalidItemData.With("%s.id is required", q)
		}
		if len(tc.ID) > 200 || HasControl(tc.ID) {
			return Message{}, ErrInvalidItemData.With("%s.id %s must be at most 200 bytes without control characters", q, QuoteShort(tc.ID))
		}
		if c.calls[tc.ID] {
			return Message{}, ErrInvalidItemData.With("%s.id %q is used by an earlier tool call", q, tc.ID)
		}
		c.calls[tc.ID] = true
		if tc.Type == "" {
			tc.Type = "function"
		}
		if tc.Type != "function" {
			return Message{}, ErrInvalidItemData.With("%s.type must be \"function\", not %s", q, QuoteShort(tc.Type))
		}
		if tc.Function.Name == "" || len(tc.Function.Name) > 200 || HasControl(tc.Function.Name) {
			return Message{}, ErrInvalidItemData.With("%s.function.name must be 1-200 bytes without control characters", q)
		}
		if err := textrule.CheckString(q+".function.arguments", tc.Function.Arguments); err != nil {
			return Message{}, err
		}
		a := bytes.TrimSpace([]byte(tc.Function.Arguments))
		if !json.Valid(a) || len(a) == 0 || a[0] != '{' {
			return Message{}, ErrInvalidItemData.With("%s.function.arguments must be a JSON object written as a string, got %s", q, QuoteShort(tc.Function.Arguments))
		}
	}
	if m.Role == RoleTool {
		if m.ToolCallID == "" {
			return bad(".tool_call_id is required on tool messages")
		}
		if !c.calls[m.ToolCallID] {
			return bad(".tool_call_id %s does not name an earlier tool call", QuoteShort(m.ToolCallID))
		}
	} else if m.ToolCallID != "" {
		return bad(".tool_call_id is only allowed on tool messages")
	}
	return m, nil
}

// toolCallIDs returns the ids of every tool call in msgs.
func toolCallIDs(msgs []Message) map[string]bool {
	out := map[string]bool{}
	for _, m := range msgs {
		for _, tc := range m.ToolCalls {
			out[tc.ID] = true
		}
	}
	return out
}

// LastAssistant returns the index of the last assistant message, or -1.
func LastAssistant(msgs []Message) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == RoleAssistant {
			return i
		}
	}
	return -1
}

// TurnIndex returns the index of the message with the id, or -1.
func TurnIndex(msgs []Message, id string) int {
	for i, m := range msgs {
		if m.ID == id {
			return i
		}
	}
	return -1
}

// CheckTools checks the optional "tools" field of item data: an array of
// {"type":"function","function":{"name":…,"parameters":…}} objects.
func CheckTools(d ItemFields) error {
	raw, ok := d[ToolsField]
	if !ok || string(raw) == "null" {
		return nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return ErrInvalidItemData.With("tools must be an array of function definitions, got %s", ShortRaw(raw))
	}
	if len(arr) > maxTools {
		return ErrInvalidItemData.With("tools has %d entries; the limit is %d", len(arr), maxTools)
	}
	for i, e := range arr {
		var t struct {
			Type     string `json:"type"`
			Function *struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		if err := json.Unmarshal(e, &t); err != nil {
			return ErrInvalidItemData.With("tools[%d] must be an object, got %s", i, ShortRaw(e))
		}
		if t.Type != "function" {
			return ErrInvalidItemData.With("tools[%d].type must be \"function\", not %s", i, QuoteShort(t.Type))
		}
		if t.Function == nil || t.Function.Name == "" {
			return ErrInvalidItemData.With("tools[%d].function.name is required", i)
		}
	}
	return nil
}

// ToolsField is the item data field holding tool definitions, as in an
// OpenAI chat fine-tuning row.
const ToolsField = "tools"

// EncodeMessages writes messages canonically; withIDs false leaves the turn
// ids out (the form exports write).
func EncodeMessages(msgs []Message, withIDs bool) (json.RawMessage, error) {
	if !withIDs {
		c := make([]Message, len(msgs))
		for i, m := range msgs {
			m.ID = ""
			c[i] = m
		}
		msgs = c
	}
	return CanonicalJSON(msgs)
}
