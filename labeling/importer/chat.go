package importer

import (
	"bytes"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"fmt"
	"strings"
)

// Chat rows: in a project whose schema reads a conversation, a record in
// one of the common chat dataset shapes is converted to the project's item
// data before it is checked (docs/TASKTYPES.md, "Importing conversations"):
//
//   - OpenAI chat fine-tuning and TRL conversational rows: {"messages": […], "tools": […]}
//   - TRL prompt-only, prompt-completion and preference rows: "prompt", "completion", "chosen", "rejected"
//   - ShareGPT: {"conversations": [{"from": "human", "value": …}], "system": …, "tools": "…"}
//   - Label Studio <Paragraphs layout="dialogue">: [{"author": "user", "text": …}]

// chatShape converts data to the shape the schema reads, or returns it
// unchanged when it already has it (or is no chat row at all: the schema
// check then names what is missing).
func chatShape(s tasktype.Schema, data json.RawMessage) (json.RawMessage, error) {
	field, _ := tasktype.ConversationOf(s)
	if field == "" {
		return data, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return data, nil
	}
	pair, _ := s.(*tasktype.PairwiseSchema)
	changed := false
	take := func(k string) (json.RawMessage, bool) {
		v, ok := obj[k]
		if ok && isArray(v) {
			delete(obj, k)
			changed = true
			return v, true
		}
		return nil, false
	}
	switch {
	case obj[field] != nil:
		if v, err := fixMessages(field, obj[field]); err != nil {
			return nil, err
		} else if v != nil {
			obj[field], changed = v, true
		}
	case isArray(obj["conversations"]):
		msgs, err := fromShareGPT(obj)
		if err != nil {
			return nil, err
		}
		delete(obj, "conversations")
		delete(obj, "system")
		obj[field], changed = msgs, true
	case isArray(obj["chosen"]) && isArray(obj["rejected"]):
		if pair == nil {
			return nil, fmt.Errorf("a preference row (chosen, rejected) fits a pairwise project; this project is %s", taskOf(s))
		}
		prompt, _ := take("prompt")
		chosen, _ := take("chosen")
		rejected, _ := take("rejected")
		history, a, b, err := splitPreference(prompt, chosen, rejected)
		if err != nil {
			return nil, err
		}
		obj[field], obj[pair.AField], obj[pair.BField] = history, a, b
	case isArray(obj["prompt"]):
		prompt, _ := take("prompt")
		msgs, err := fixMessages("prompt", prompt)
		if err != nil {
			return nil, err
		}
		if msgs == nil {
			msgs = prompt
		}
		if completion, ok := take("completion"); ok {
			c, err := fixMessagesFrom("completion", completion, callsOf(msgs))
			if err != nil {
				return nil, err
			}
			if c == nil {
				c = completion
			}
			msgs = concatArrays(msgs, c)
		}
		obj[field] = msgs
	case field != "messages" && isArray(obj["messages"]):
		m, _ := take("messages")
		if v, err := fixMessages("messages", m); err != nil {
			return nil, err
		} else if v != nil {
			m = v
		}
		obj[field] = m
	}
	if !changed {
		return data, nil
	}
	return tasktype.CanonicalJSON(obj)
}

func taskOf(s tasktype.Schema) string {
	return strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", s), "*tasktype."), "Schema")
}

func isArray(v json.RawMessage) bool {
	t := bytes.TrimSpace(v)
	return len(t) > 0 && t[0] == '['
}

func concatArrays(a, b json.RawMessage) json.RawMessage {
	a = bytes.TrimSpace(a)
	b = bytes.TrimSpace(b)
	if string(a) == "[]" {
		return b
	}
	if string(b) == "[]" {
		return a
	}
	out := append([]byte{}, a[:len(a)-1]...)
	out = append(out, ',')
	return append(out, b[1:]...)
}

// chatMessage is a message as the chat formats write it: OpenAI (arguments
// a string), TRL and transformers (arguments an object, tool calls without
// ids, tool results linked by order), Label Studio dialogue (author/text).
type chatMessage map[string]json.RawMessage

// fixMessages brings a message array to the conversation value: tool call
// arguments given as objects are written as JSON text, tool calls without
// an id get "call_<message>_<n>", tool messages without tool_call_id answer
// the oldest unanswered call, and Label Studio dialogue entries become
// messages. It returns nil when nothing changed (the bytes are kept).
func fixMessages(path string, raw json.RawMessage) (json.RawMessage, error) {
	return fixMessagesFrom(path, raw, nil)
}

func fixMessagesFrom(path string, raw json.RawMessage, pending []string) (json.RawMessage, error) {
	var arr []chatMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, nil // not an array of objects: the schema check names it
	}
	changed := false
	for i, m := range arr {
		p := fmt.Sprintf("%s[%d]", path, i)
		if m == nil {
			return nil, nil
		}
		if _, ok := m["role"]; !ok {
			if err := fromDialogue(p, m); err != nil {
				return nil, err
			}
			changed = true
		}
		var calls []map[string]json.RawMessage
		if v, ok := m["tool_calls"]; ok && json.Unmarshal(v, &calls) == nil && len(calls) > 0 {
			callChanged := false
			for j, c := range calls {
				if c == nil {
					return nil, nil
				}
				if id, ok := c["id"]; !ok || string(id) == `""` || string(id) == "null" {
					c["id"], _ = json.Marshal(fmt.Sprintf("call_%d_%d", i, j))
					callChanged = true
				}
				if _, ok := c["type"]; !ok {
					c["type"] = json.RawMessage(`"function"`)
					callChanged = true
				}
				var fn map[string]json.RawMessage
				if json.Unmarshal(c["function"], &fn) == nil && fn != nil {
					if a := bytes.TrimSpace(fn["arguments"]); len(a) > 0 && a[0] == '{' {
						var compact bytes.Buffer
						_ = json.Compact(&compact, a)
						fn["arguments"], _ = json.Marshal(compact.String())
						c["function"], _ = tasktype.CanonicalJSON(fn)
						callChanged = true
					}
				}
				var id string
				_ = json.Unmarshal(c["id"], &id)
				pending = append(pending, id)
			}
			if callChanged {
				m["tool_calls"], _ = tasktype.CanonicalJSON(calls)
				changed = true
			}
		}
		var role string
		_ = json.Unmarshal(m["role"], &role)
		if role == tasktype.RoleTool {
			if _, ok := m["tool_call_id"]; !ok && len(pending) > 0 {
				m["tool_call_id"], _ = json.Marshal(pending[0])
				changed = true
			}
			var answered string
			_ = json.Unmarshal(m["tool_call_id"], &answered)
			for k, id := range pending {
				if id == answered {
					pending = append(pending[:k:k], pending[k+1:]...)
					break
				}
			}
		}
	}
	if !changed {
		return nil, nil
	}
	return tasktype.CanonicalJSON(arr)
}

func callsOf(msgs json.RawMessage) []string {
	var arr []tasktype.Message
	_ = json.Unmarshal(msgs, &arr)
	var pending []string
	for _, m := range arr {
		for _, c := range m.ToolCalls {
			pending = append(pending, c.ID)
		}
		if m.Role == tasktype.RoleTool {
			for k, id := range pending {
				if id == m.ToolCallID {
					pending = append(pending[:k:k], pending[k+1:]...)
					break
				}
			}
		}
	}
	return pending
}

// dialogueRoles maps Label Studio dialogue authors to roles.
var dialogueRoles = map[string]string{
	"system": tasktype.RoleSystem, "user": tasktype.RoleUser, "human": tasktype.RoleUser, "customer": tasktype.RoleUser,
	"assistant": tasktype.RoleAssistant, "bot": tasktype.RoleAssistant, "agent": tasktype.RoleAssistant,
	"ai": tasktype.RoleAssistant, "gpt": tasktype.RoleAssistant, "model": tasktype.RoleAssistant, "tool": tasktype.RoleTool,
}

// fromDialogue turns a Label Studio dialogue entry {"author", "text"} (the
// default nameKey and textKey of <Paragraphs layout="dialogue">) into a
// message. The message keys copyhold's own export writes beside them (id,
// name, tool_call_id as strings, tool_calls as an array) are kept; any other
// key (Label Studio's start, duration, …) is dropped.
func fromDialogue(p string, m chatMessage) error {
	var author, text string
	if json.Unmarshal(m["author"], &author) != nil || author == "" {
		return fmt.Errorf("%s.role is required (a Label Studio dialogue entry needs \"author\")", p)
	}
	if json.Unmarshal(m["text"], &text) != nil {
		return fmt.Errorf("%s.text must be a string", p)
	}
	role, ok := dialogueRoles[strings.ToLower(strings.TrimSpace(author))]
	if !ok {
		return fmt.Errorf("%s.author %s is not a role; name the speakers user, assistant, system or tool (also: human, bot, agent, ai)", p, tasktype.QuoteShort(author))
	}
	for k, v := range m {
		t := bytes.TrimSpace(v)
		keep := len(t) > 0 && ((k == "tool_calls" && t[0] == '[') || ((k == "id" || k == "name" || k == "tool_call_id") && t[0] == '"'))
		if !keep {
			delete(m, k)
		}
	}
	m["role"], _ = json.Marshal(role)
	m["content"], _ = json.Marshal(text)
	return nil
}

// shareGPTRoles maps ShareGPT "from" values to roles.
var shareGPTRoles = map[string]string{
	"system": tasktype.RoleSystem, "human": tasktype.RoleUser, "user": tasktype.RoleUser,
	"gpt": tasktype.RoleAssistant, "assistant": tasktype.RoleAssistant, "chatgpt": tasktype.RoleAssistant,
	"bard": tasktype.RoleAssistant, "bing": tasktype.RoleAssistant, "model": tasktype.RoleAssistant,
	"function_call": tasktype.RoleAssistant, "observation": tasktype.RoleTool, "tool": tasktype.RoleTool,
	"function": tasktype.RoleTool,
}

// fromShareGPT converts {"conversations": [{"from", "value"}], "system",
// "tools"} to messages (and obj["tools"] to an array when it is JSON text).
// A function_call turn's value is {"name", "arguments"}; it becomes an
// assistant tool call answered by the next observation.
func fromShareGPT(obj map[string]json.RawMessage) (json.RawMessage, error) {
	var turns []struct {
		From  *string          `json:"from"`
		Value *json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(obj["conversations"], &turns); err != nil {
		return nil, fmt.Errorf("conversations must be an array of {\"from\", \"value\"} objects")
	}
	var msgs []tasktype.Message
	var sys string
	if raw, ok := obj["system"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &sys) != nil {
			return nil, fmt.Errorf("system must be a string, got %s", tasktype.ShortRaw(raw))
		}
		if strings.TrimSpace(sys) != "" {
			msgs = append(msgs, tasktype.Message{Role: tasktype.RoleSystem, Content: sys})
		}
	}
	var pending []string
	for i, t := range turns {
		p := fmt.Sprintf("conversations[%d]", i)
		if t.From == nil {
			return nil, fmt.Errorf("%s.from is required", p)
		}
		role, ok := shareGPTRoles[strings.ToLower(*t.From)]
		if !ok {
			return nil, fmt.Errorf("%s.from %s is not a ShareGPT role (human, gpt, system, function_call, observation)", p, tasktype.QuoteShort(*t.From))
		}
		var value string
		if t.Value == nil || json.Unmarshal(*t.Value, &value) != nil {
			return nil, fmt.Errorf("%s.value must be a string", p)
		}
		m := tasktype.Message{Role: role, Content: value}
		switch strings.ToLower(*t.From) {
		case "function_call":
			var fc struct {
				Name      string          `json:"name"`
				Arguments json.RawMessage `json:"arguments"`
			}
			if err := json.Unmarshal([]byte(value), &fc); err != nil || fc.Name == "" {
				return nil, fmt.Errorf("%s.value must be a JSON object {\"name\", \"arguments\"} for a function_call", p)
			}
			args := string(bytes.TrimSpace(fc.Arguments))
			if len(args) > 0 && args[0] == '"' {
				_ = json.Unmarshal(fc.Arguments, &args)
			} else if args == "" {
				args = "{}"
			}
			id := fmt.Sprintf("call_%d_0", len(msgs))
			m.Content = ""
			m.ToolCalls = []tasktype.ToolCall{{ID: id, Type: "function", Function: tasktype.FunctionCall{Name: fc.Name, Arguments: args}}}
			pending = append(pending, id)
		case "observation", "tool", "function":
			if len(pending) == 0 {
				return nil, fmt.Errorf("%s: an %s turn answers no earlier function_call", p, *t.From)
			}
			m.ToolCallID, pending = pending[0], pending[1:]
		}
		msgs = append(msgs, m)
	}
	if raw, ok := obj["tools"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if strings.TrimSpace(s) == "" {
				delete(obj, "tools")
			} else {
				var defs []json.RawMessage
				if err := json.Unmarshal([]byte(s), &defs); err != nil {
					return nil, fmt.Errorf("tools must be a JSON array of function definitions")
				}
				obj["tools"], _ = tasktype.CanonicalJSON(wrapTools(defs))
			}
		}
	}
	return tasktype.CanonicalJSON(msgs)
}

// wrapTools turns bare function definitions {"name", …} (as ShareGPT files
// write them) into {"type":"function","function":{…}}.
func wrapTools(defs []json.RawMessage) []json.RawMessage {
	out := make([]json.RawMessage, len(defs))
	for i, d := range defs {
		var probe map[string]json.RawMessage
		if json.Unmarshal(d, &probe) == nil && probe["type"] == nil && probe["name"] != nil {
			out[i], _ = tasktype.CanonicalJSON(map[string]any{"type": "function", "function": d})
			continue
		}
		out[i] = d
	}
	return out
}

// splitPreference turns a TRL preference row into a history and two
// candidates. With a prompt (explicit), the completions are the candidates;
// without (implicit), the longest shared prefix of chosen and rejected is
// the history.
func splitPreference(prompt, chosen, rejected json.RawMessage) (history, a, b json.RawMessage, err error) {
	fix := func(path string, v json.RawMessage, pending []string) (json.RawMessage, error) {
		out, err := fixMessagesFrom(path, v, pending)
		if out == nil && err == nil {
			out = v
		}
		return out, err
	}
	if prompt != nil {
		if history, err = fix("prompt", prompt, nil); err != nil {
			return nil, nil, nil, err
		}
		pending := callsOf(history)
		if a, err = fix("chosen", chosen, pending); err != nil {
			return nil, nil, nil, err
		}
		b, err = fix("rejected", rejected, pending)
		return history, a, b, err
	}
	var ca, cb []json.RawMessage
	if err := json.Unmarshal(chosen, &ca); err != nil {
		return nil, nil, nil, fmt.Errorf("chosen must be an array of messages")
	}
	if err := json.Unmarshal(rejected, &cb); err != nil {
		return nil, nil, nil, fmt.Errorf("rejected must be an array of messages")
	}
	n := 0
	for n < len(ca) && n < len(cb) && sameJSON(ca[n], cb[n]) {
		n++
	}
	if n == 0 {
		return nil, nil, nil, fmt.Errorf("chosen and rejected share no prompt (an implicit preference row needs the same first messages in both)")
	}
	if n == len(ca) || n == len(cb) {
		return nil, nil, nil, fmt.Errorf("chosen and rejected do not differ after their shared prompt")
	}
	enc := func(v []json.RawMessage) json.RawMessage { b, _ := json.Marshal(v); return b }
	return splitPreference(enc(ca[:n]), enc(ca[n:]), enc(cb[n:]))
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}
