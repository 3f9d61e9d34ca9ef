// Package feed is the shape of a committed event and the scopes that say who may see it, with no database behind it.
package feed

import (
	"encoding/json"
	"fmt"
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
