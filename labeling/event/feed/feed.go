// Package feed is the shape of a committed event and the scopes that say who may see it, with no database behind it.
package feed

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event is one committed state change. Scope says who may see it:
// "coop", "project:<id>", "review:<project id>" or "member:<id>".
type Event struct {
	ID        int64           `json:"seq"`
	Type      string          `json:"type"`
	Scope     string          `json:"scope"`
	ActorID   *int64          `json:"actor_id,omitempty"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"at"`
}

// CoopScope events are for every member: the register and activity feed.
const CoopScope = "coop"

// AuditScope events are kept for the record and never delivered live.
const AuditScope = "audit"

// ProjectScope names a project's events.
func ProjectScope(id int64) string { return fmt.Sprintf("project:%d", id) }

// ReviewScope names a project's review-queue events.
func ReviewScope(id int64) string { return fmt.Sprintf("review:%d", id) }

// MemberScope names one member's own events.
func MemberScope(id int64) string { return fmt.Sprintf("member:%d", id) }

// OtherWorkFields are the payload fields that say whose work, or which
// item, an event on a project channel is about. A labeller sees them only
// in their own events: how often an item comes up in others' work would
// tell a gold item (they take any number of answers) from the rest.
var OtherWorkFields = []string{"member_id", "item_id", "submission_id", "assignment_id", "review_id"}

// LabellerView is a project event as a labeller who is not staff sees it:
// the acting member and OtherWorkFields are dropped unless the event is the
// viewer's own (they acted, or it names them as member_id); in their own
// event only a member_id that is not theirs is dropped. viewer 0 is the view
// of every labeller the event is not about.
func LabellerView(e Event, viewer int64) Event {
	var p map[string]json.RawMessage
	_ = json.Unmarshal(e.Payload, &p)
	me := strconv.FormatInt(viewer, 10)
	own := viewer != 0 && ((e.ActorID != nil && *e.ActorID == viewer) || string(p["member_id"]) == me)
	changed := false
	for _, k := range OtherWorkFields {
		raw, ok := p[k]
		if !ok || own && (k != "member_id" || string(raw) == me) {
			continue
		}
		delete(p, k)
		changed = true
	}
	if changed {
		e.Payload, _ = json.Marshal(p)
	}
	if e.ActorID != nil && *e.ActorID != viewer {
		e.ActorID = nil
	}
	return e
}
