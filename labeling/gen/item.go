package gen

import (
	"encoding/json"
	"fmt"

	"copyhold/labeling/tasktype"
)

// BuildItem makes the item data of one source's K candidates (in slot order) for a pairwise or
// ranking project, fills each origin's Field, and checks the data against the schema. Pairwise:
// slot 0 is a_field, slot 1 b_field; ranking: slot i is response "r<i+1>". Positions are shuffled
// when the item is shown, as for any item.
func BuildItem(tt tasktype.TaskType, schemaRaw json.RawMessage, src Source, cands []Candidate) (json.RawMessage, []Origin, error) {
	schema, err := tasktype.ParseSchema(tt, schemaRaw)
	if err != nil {
		return nil, nil, err
	}
	if allSame(cands) {
		return nil, nil, ErrInvalidOutput.With("the %d candidates are the same text: nothing to compare (does the endpoint ignore seeds? vary the temperature)", len(cands))
	}
	data := map[string]any{}
	origins := make([]Origin, len(cands))
	switch s := schema.(type) {
	case *tasktype.PairwiseSchema:
		if len(cands) != 2 {
			return nil, nil, ErrInvalidJob.With("a pairwise item needs 2 candidates, got %d", len(cands))
		}
		conv := s.ConversationField != ""
		if err := putContext(data, conv, s.ConversationField, s.PromptField, src); err != nil {
			return nil, nil, err
		}
		for i, f := range []string{s.AField, s.BField} {
			data[f] = candidateValue(cands[i].Message, conv)
			origins[i] = cands[i].Origin
			origins[i].Field = f
		}
	case *tasktype.RankingSchema:
		conv := s.ConversationField != ""
		if err := putContext(data, conv, s.ConversationField, s.PromptField, src); err != nil {
			return nil, nil, err
		}
		resp := make([]map[string]any, len(cands))
		for i, c := range cands {
			id := fmt.Sprintf("r%d", i+1)
			resp[i] = map[string]any{"id": id}
			if conv && len(c.Message.ToolCalls) > 0 {
				resp[i]["messages"] = []tasktype.Message{c.Message}
			} else {
				resp[i]["text"] = c.Message.Content
			}
			origins[i] = c.Origin
			origins[i].Field = id
		}
		data[s.ResponsesField] = resp
	default:
		return nil, nil, ErrInvalidJob.With("candidates go into a pairwise or ranking project, not %s", tt)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, nil, err
	}
	if _, err := schema.ItemData(raw); err != nil {
		return nil, nil, ErrInvalidOutput.With("the generated item does not fit the project: %s", err.Error())
	}
	return raw, origins, nil
}

// putContext writes the shared history (conversation projects) or the prompt text.
func putContext(data map[string]any, conv bool, convField string, promptField *string, src Source) error {
	if conv {
		data[convField] = src.Messages
		return nil
	}
	if promptField == nil || *promptField == "" {
		return nil
	}
	p, ok := PromptText(src)
	if !ok {
		return ErrInvalidJob.With("this project has a text prompt, not a conversation: each source must be one user message")
	}
	data[*promptField] = p
	return nil
}

// PromptText is a source's prompt when it is a single user turn (a system turn before it is allowed
// and dropped).
func PromptText(src Source) (string, bool) {
	var users []tasktype.Message
	for _, m := range src.Messages {
		switch m.Role {
		case "system":
		case "user":
			users = append(users, m)
		default:
			return "", false
		}
	}
	if len(users) != 1 {
		return "", false
	}
	return users[0].Content, true
}

func candidateValue(m tasktype.Message, conv bool) any {
	if conv && len(m.ToolCalls) > 0 {
		return []tasktype.Message{m}
	}
	return m.Content
}

// SourceFromItem reads a project item's prompt or conversation as a source, by the item's schema:
// its conversation field (without the candidate turns), or its prompt field as one user turn.
func SourceFromItem(itemID int64, tt tasktype.TaskType, schemaRaw, data json.RawMessage) (Source, error) {
	schema, err := tasktype.ParseSchema(tt, schemaRaw)
	if err != nil {
		return Source{}, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Source{}, ErrInvalidJob.With("item %d: data is not an object", itemID)
	}
	convField, _ := tasktype.ConversationOf(schema)
	var msgs []tasktype.Message
	if convField != "" {
		m, err := tasktype.ParseMessages(convField, fields[convField])
		if err != nil {
			return Source{}, ErrInvalidJob.With("item %d: %s", itemID, err.Error())
		}
		msgs = m
		// A conversation that already ends in the assistant's turn is continued from the turn before it.
		for len(msgs) > 0 && msgs[len(msgs)-1].Role == "assistant" {
			msgs = msgs[:len(msgs)-1]
		}
	} else {
		f := promptFieldOf(schema)
		var text string
		if f == "" || json.Unmarshal(fields[f], &text) != nil || text == "" {
			return Source{}, ErrInvalidJob.With("item %d has no prompt to generate from", itemID)
		}
		msgs = []tasktype.Message{{Role: "user", Content: text}}
	}
	src, err := NewSource(msgs)
	if err != nil {
		return Source{}, ErrInvalidJob.With("item %d: %s", itemID, err.Error())
	}
	src.Key = fmt.Sprintf("item-%d", itemID)
	return src, nil
}

func promptFieldOf(s tasktype.Schema) string {
	switch x := s.(type) {
	case *tasktype.PairwiseSchema:
		if x.PromptField != nil {
			return *x.PromptField
		}
	case *tasktype.RankingSchema:
		if x.PromptField != nil {
			return *x.PromptField
		}
	case *tasktype.RubricSchema:
		if x.PromptField != nil {
			return *x.PromptField
		}
	case *tasktype.ClassificationSchema:
		return x.Field
	}
	return ""
}

// allSame reports whether every candidate is the same turn.
func allSame(cands []Candidate) bool {
	if len(cands) < 2 {
		return false
	}
	first, _ := json.Marshal(cands[0].Message)
	for _, c := range cands[1:] {
		b, _ := json.Marshal(c.Message)
		if string(b) != string(first) {
			return false
		}
	}
	return true
}
