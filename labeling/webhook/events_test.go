package webhook

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"copyhold/labeling/event/feed"
)

// TestEveryTypeComesFromItsSourceEvent: each webhook type an endpoint may
// subscribe to is made from the committed event the docs name (docs/API.md,
// "Events"), with the event's data and its seq; the events that make none
// make none.
func TestEveryTypeComesFromItsSourceEvent(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ev := func(id int64, typ, scope, payload string) feed.Event {
		return feed.Event{ID: id, Type: typ, Scope: scope, Payload: json.RawMessage(payload), CreatedAt: at}
	}
	cases := []struct {
		event feed.Event
		want  string
		field string // a field of the source payload the data keeps
	}{
		{ev(1, "snapshot.created", "coop", `{"snapshot_id":3,"hash":"ab"}`), SnapshotCreated, "hash"},
		{ev(2, "release.created", "coop", `{"release_id":4,"snapshot_hashes":["ab"]}`), ReleaseCreated, "snapshot_hashes"},
		{ev(3, "project.status_changed", "project:7", `{"from":"open","to":"closed"}`), ProjectCompleted, "project_id"},
		{ev(4, "import.finished", "project:7", `{"import_id":2,"imported":10}`), ImportFinished, "imported"},
		{ev(5, "review.decided", "review:7", `{"decision":"accept","final":true}`), ReviewDecided, "by_decision"},
		{ev(6, "proposal.closed", "coop", `{"id":9,"status":"passed","tally":{"yes":3}}`), ProposalClosed, "tally"},
		{ev(7, "register.checkpoint", "coop", `{"size":12,"root":"cm9vdA=="}`), CheckpointSigned, "root"},
	}
	var made []string
	for _, c := range cases {
		m, ok, err := FromEvent(c.event)
		if err != nil || !ok || m.Type != c.want {
			t.Fatalf("%s: %v %v %q, want %s", c.event.Type, ok, err, m.Type, c.want)
		}
		var b struct {
			Type      string                     `json:"type"`
			Timestamp time.Time                  `json:"timestamp"`
			Data      map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(m.Body, &b); err != nil {
			t.Fatal(err)
		}
		if b.Type != c.want || !b.Timestamp.Equal(at) || b.Data[c.field] == nil {
			t.Errorf("%s: body %s", c.want, m.Body)
		}
		seq := "seq"
		if c.want == ReviewDecided {
			seq = "to_seq"
		}
		if string(b.Data[seq]) != strconv.FormatInt(c.event.ID, 10) {
			t.Errorf("%s: %s is %s, want %d", c.want, seq, b.Data[seq], c.event.ID)
		}
		made = append(made, m.Type)
	}
	for _, typ := range Types {
		if !slices.Contains(made, typ) {
			t.Errorf("webhook type %s is made from no event in this test", typ)
		}
	}
	for _, e := range []feed.Event{
		ev(8, "project.status_changed", "project:7", `{"from":"open","to":"paused"}`),
		ev(9, "review.decided", "project:7", `{"decision":"accept"}`), // the project copy of a decision
		ev(10, "task.submitted", "project:7", `{}`),
		ev(11, "webhook.disabled", "member:1", `{}`),
	} {
		if m, ok, err := FromEvent(e); ok || err != nil {
			t.Errorf("%s (%s) made %q, %v", e.Type, e.Scope, m.Type, err)
		}
	}
}
