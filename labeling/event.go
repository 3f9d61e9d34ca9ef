package labeling

import (
	"encoding/json"
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
