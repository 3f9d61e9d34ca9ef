package webhook

// Which committed events become webhook messages, and what they carry. The
// events table is the only source: a message is built from one committed
// event row, or (review.decided) from several, gathered per project.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling/event/feed"
)

// Message is a webhook about to be queued: its type, the batch it may join
// ("" for none) and its body.
type Message struct {
	Type     string
	BatchKey string
	Body     []byte
}

// Body is the JSON every webhook carries, as the Standard Webhooks
// specification suggests: the type, when it happened, and the data.
type Body struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// ReviewBatch is review.decided's data: the decisions made in one project
// during one gathering window, counted, never listed one by one.
type ReviewBatch struct {
	ProjectID  int64          `json:"project_id"`
	Decisions  int            `json:"decisions"`
	ByDecision map[string]int `json:"by_decision"`
	Final      int            `json:"final"`
	FromSeq    int64          `json:"from_seq"`
	ToSeq      int64          `json:"to_seq"`
}

// FromEvent maps a committed event to the webhook message it makes, and
// false when it makes none. The source event types:
//
//	snapshot.created, release.created, import.finished, proposal.closed → the same name
//	project.status_changed to "closed"                                 → project.completed
//	register.checkpoint                                                → checkpoint.signed
//	review.decided (its review:<project> row only)                     → review.decided, gathered
func FromEvent(e feed.Event) (Message, bool, error) {
	typ := ""
	switch e.Type {
	case SnapshotCreated, ReleaseCreated, ImportFinished, ProposalClosed:
		typ = e.Type
	case "register.checkpoint":
		typ = CheckpointSigned
	case "project.status_changed":
		var p struct{ To string }
		if json.Unmarshal(e.Payload, &p) != nil || p.To != "closed" {
			return Message{}, false, nil
		}
		typ = ProjectCompleted
	case "review.decided":
		id, ok := scopeID(e.Scope, "review:")
		if !ok {
			return Message{}, false, nil // the member and project copies of the same decision
		}
		b := ReviewBatch{ProjectID: id, ByDecision: map[string]int{}, FromSeq: e.ID}
		body, err := addDecision(b, e)
		return Message{Type: ReviewDecided, BatchKey: e.Scope, Body: body}, err == nil, err
	default:
		return Message{}, false, nil
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(e.Payload, &data); err != nil || data == nil {
		data = map[string]json.RawMessage{}
	}
	data["seq"] = json.RawMessage(strconv.FormatInt(e.ID, 10))
	if id, ok := scopeID(e.Scope, "project:"); ok {
		if _, has := data["project_id"]; !has {
			data["project_id"] = json.RawMessage(strconv.FormatInt(id, 10))
		}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return Message{}, false, err
	}
	body, err := json.Marshal(Body{Type: typ, Timestamp: e.CreatedAt.UTC(), Data: raw})
	return Message{Type: typ, Body: body}, err == nil, err
}

// MergeDecision adds one more review.decided event (FromEvent's batch key
// matched) to a gathered body.
func MergeDecision(body []byte, e feed.Event) ([]byte, error) {
	var b Body
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("gathered review.decided body: %w", err)
	}
	var batch ReviewBatch
	if err := json.Unmarshal(b.Data, &batch); err != nil {
		return nil, fmt.Errorf("gathered review.decided data: %w", err)
	}
	if batch.ByDecision == nil {
		batch.ByDecision = map[string]int{}
	}
	return addDecision(batch, e)
}

func addDecision(b ReviewBatch, e feed.Event) ([]byte, error) {
	var p struct {
		Decision string
		Final    bool
	}
	_ = json.Unmarshal(e.Payload, &p)
	if p.Decision == "" {
		p.Decision = "unknown"
	}
	b.Decisions++
	b.ByDecision[p.Decision]++
	if p.Final {
		b.Final++
	}
	b.ToSeq = e.ID
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Body{Type: ReviewDecided, Timestamp: e.CreatedAt.UTC(), Data: data})
}

func scopeID(scope, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(scope, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}
