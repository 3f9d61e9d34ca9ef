package live

// Encoding events once per view, and the labeller's redacted view (feed.LabellerView).

import (
	"encoding/json"

	"copyhold/labeling/event/feed"
)

// encodedEvent encodes an event once per view, shared by every subscriber.
type encodedEvent struct {
	e        feed.Event
	full     []byte
	redacted []byte
	subjects []int64 // actor and payload member_id: whose own event it is
	parsed   bool
}

func (ev *encodedEvent) encode(actor *int64, payload json.RawMessage) []byte {
	if !json.Valid(payload) {
		payload = json.RawMessage("null")
	}
	return frame(eventFrame{Op: "event", Channel: ev.e.Scope, Seq: ev.e.ID, Type: ev.e.Type,
		At: ev.e.CreatedAt.UTC(), ActorID: actor, Payload: payload})
}

func (ev *encodedEvent) fullFrame() []byte {
	if ev.full == nil {
		ev.full = ev.encode(ev.e.ActorID, ev.e.Payload)
	}
	return ev.full
}

func (ev *encodedEvent) frameFor(sub *subscription) []byte {
	if sub.full {
		return ev.fullFrame()
	}
	viewer := sub.conn.member.ID
	if !ev.parsed {
		ev.parsed = true
		if ev.e.ActorID != nil {
			ev.subjects = append(ev.subjects, *ev.e.ActorID)
		}
		var p struct {
			MemberID *int64 `json:"member_id"`
		}
		if json.Unmarshal(ev.e.Payload, &p) == nil && p.MemberID != nil {
			ev.subjects = append(ev.subjects, *p.MemberID)
		}
	}
	for _, id := range ev.subjects {
		if id == viewer {
			return ev.view(viewer) // their own action: not cached, rare
		}
	}
	if ev.redacted == nil {
		ev.redacted = ev.view(0)
	}
	return ev.redacted
}

// view is the labeller's view of a project event (feed.LabellerView): who
// did what, and on which item, only for the viewer's own work.
func (ev *encodedEvent) view(viewer int64) []byte {
	v := feed.LabellerView(ev.e, viewer)
	return ev.encode(v.ActorID, v.Payload)
}

// coopView is the hook for the co-op feed's view of an event: when equity
// brings pseudonyms, member ids in coop events are swapped for the member's
// chosen public name here. Today it passes events through.
func coopView(e feed.Event) feed.Event { return e }
