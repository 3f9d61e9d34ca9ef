package tasktype

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// How the task types read a conversation: the schema keys
// conversation_field and turn, and the item data checks they imply.

// Turn settings (the schema key "turn"): which part of the conversation is labelled.
const (
	TurnConversation  = "conversation"   // the whole conversation (classification, multilabel, moderation)
	TurnLastAssistant = "last_assistant" // the last assistant message
	TurnEachAssistant = "each_assistant" // every assistant message, answers keyed by turn id (rubric)
	TurnEach          = "each"           // any message (spans, offsets relative to the message)
	TurnNext          = "next"           // a new assistant message after the conversation (rewrite)
)

// turnsFor lists the turn settings of each task type, the default first.
// Pairwise and ranking compare candidate next turns and take none.
func turnsFor(tt TaskType) []string {
	switch tt {
	case TaskClassification, TaskMultiLabel, TaskModeration:
		return []string{TurnConversation, TurnLastAssistant}
	case TaskSpans:
		return []string{TurnEach}
	case TaskRubric:
		return []string{TurnEachAssistant, TurnLastAssistant}
	case TaskRewrite:
		return []string{TurnLastAssistant, TurnNext}
	}
	return nil
}

// normaliseConv checks conversation_field and fills in the default turn.
func normaliseConv(tt TaskType, field string, turn *string) error {
	if field == "" {
		if *turn != "" {
			return fmt.Errorf("turn: %s needs conversation_field", QuoteShort(*turn))
		}
		return nil
	}
	if err := checkFieldName("conversation_field", field); err != nil {
		return err
	}
	allowed := turnsFor(tt)
	if len(allowed) == 0 {
		if *turn != "" {
			return fmt.Errorf("turn: %s schemas take no turn setting (the candidates are the next turn)", tt)
		}
		return nil
	}
	if *turn == "" {
		*turn = allowed[0]
	}
	if !slices.Contains(allowed, *turn) {
		return fmt.Errorf("turn: %s must be one of %s", QuoteShort(*turn), strings.Join(allowed, ", "))
	}
	return nil
}

// Conversation returns the checked messages of data[field], ids assigned.
func (d ItemFields) Conversation(field string) ([]Message, error) {
	raw, ok := d[field]
	if !ok || string(raw) == "null" {
		return nil, ErrInvalidItemData.With("item data is missing field %q", field)
	}
	return ParseMessages(field, raw)
}

// conversationFor reads and checks the conversation and tools of an item
// for a turn setting: the labelled turn must exist.
func conversationFor(d ItemFields, field, turn string) ([]Message, error) {
	msgs, err := d.Conversation(field)
	if err != nil {
		return nil, err
	}
	if err := CheckTools(d); err != nil {
		return nil, err
	}
	switch turn {
	case TurnLastAssistant, TurnEachAssistant:
		i := LastAssistant(msgs)
		if i < 0 {
			return nil, ErrInvalidItemData.With("%s has no assistant turn; this schema labels %s", field, strings.ReplaceAll(turn, "_", " ")+" turn")
		}
	}
	return msgs, nil
}

// ConversationOf reports a schema's conversation field and turn setting
// ("" when the schema does not read a conversation).
func ConversationOf(s Schema) (field, turn string) {
	switch x := s.(type) {
	case *ClassificationSchema:
		return x.ConversationField, x.Turn
	case *MultiLabelSchema:
		return x.ConversationField, x.Turn
	case *ModerationSchema:
		return x.ConversationField, x.Turn
	case *SpansSchema:
		return x.ConversationField, x.Turn
	case *PairwiseSchema:
		return x.ConversationField, ""
	case *RankingSchema:
		return x.ConversationField, ""
	case *RubricSchema:
		return x.ConversationField, x.Turn
	case *RewriteSchema:
		return x.ConversationField, x.Turn
	}
	return "", ""
}

// NormaliseItemData checks item data against the schema and returns it as
// it is stored: compact, and for a conversation schema with the messages
// written canonically and every turn id assigned (so the ids are stable).
// Data of other schemas keeps its bytes apart from compaction.
func NormaliseItemData(s Schema, data json.RawMessage) (json.RawMessage, error) {
	d, err := s.ItemData(data)
	if err != nil {
		return nil, err
	}
	field, _ := ConversationOf(s)
	if field == "" {
		return nil, nil
	}
	msgs, err := d.Conversation(field)
	if err != nil {
		return nil, err
	}
	if d[field], err = EncodeMessages(msgs, true); err != nil {
		return nil, err
	}
	calls := toolCallIDs(msgs)
	recode := func(f string) error {
		if raw, ok := d[f]; ok && len(raw) > 0 && raw[0] == '[' {
			c, err := parseCandidate(f, raw, calls)
			if err != nil {
				return err
			}
			d[f], err = EncodeMessages(c, true)
			return err
		}
		return nil
	}
	switch x := s.(type) {
	case *PairwiseSchema:
		if err := recode(x.AField); err != nil {
			return nil, err
		}
		if err := recode(x.BField); err != nil {
			return nil, err
		}
	case *RankingSchema:
		var arr []map[string]json.RawMessage
		if err := json.Unmarshal(d[x.ResponsesField], &arr); err != nil {
			return nil, ErrInvalidItemData.With("item data field %q must be an array of responses", x.ResponsesField)
		}
		for i, r := range arr {
			if raw, ok := r["messages"]; ok {
				c, err := parseCandidate(fmt.Sprintf("%s[%d].messages", x.ResponsesField, i), raw, calls)
				if err != nil {
					return nil, err
				}
				if r["messages"], err = EncodeMessages(c, true); err != nil {
					return nil, err
				}
			}
		}
		if d[x.ResponsesField], err = CanonicalJSON(arr); err != nil {
			return nil, err
		}
	}
	return CanonicalJSON(d)
}

// Candidate returns a candidate next turn of a pairwise item (data[field]):
// one assistant message for a string, the messages for an array.
func (d ItemFields) Candidate(field string, history []Message) ([]Message, error) {
	raw, ok := d[field]
	if !ok || string(raw) == "null" {
		return nil, ErrInvalidItemData.With("item data is missing field %q", field)
	}
	return parseCandidate(field, raw, toolCallIDs(history))
}
