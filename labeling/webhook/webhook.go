// Package webhook is outbound webhooks' domain: endpoints, the event types they subscribe to, the Standard Webhooks signature, the URL and dial checks, and the retry schedule.
package webhook

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling/fault"
)

// The event types an endpoint may subscribe to (docs/API.md, "Webhooks").
const (
	SnapshotCreated  = "snapshot.created"
	ReleaseCreated   = "release.created"
	ProjectCompleted = "project.completed"
	ImportFinished   = "import.finished"
	ReviewDecided    = "review.decided"
	ProposalClosed   = "proposal.closed"
	CheckpointSigned = "checkpoint.signed"
)

// Types lists every event type, in the order the docs give them.
var Types = []string{SnapshotCreated, ReleaseCreated, ProjectCompleted, ImportFinished, ReviewDecided, ProposalClosed, CheckpointSigned}

// DisabledEvent is the event type appended (to the registering coordinator's
// member channel) when an endpoint is disabled after repeated failures
// (labeling/webhook/store writes the same literal, for the events audit).
const DisabledEvent = "webhook.disabled"

// Errors, each with its own stable code.
var (
	ErrInvalidEndpoint = fault.New(fault.KindInvalid, "invalid_webhook", "the webhook endpoint is invalid")
	ErrURLScheme       = fault.New(fault.KindInvalid, "webhook_url_scheme", "a webhook URL must be http:// or https://")
	ErrURLRefused      = fault.New(fault.KindInvalid, "webhook_url_refused", "webhooks cannot be sent to a loopback, private, link-local or otherwise internal address")
	ErrURLSelf         = fault.New(fault.KindInvalid, "webhook_url_self", "webhooks cannot be sent to this server itself")
	ErrUnknownType     = fault.New(fault.KindInvalid, "unknown_webhook_event", "unknown webhook event type")
	ErrNotFound        = fault.New(fault.KindNotFound, "webhook_not_found", "no such webhook endpoint")
	ErrTooMany         = fault.New(fault.KindConflict, "too_many_webhooks", "the co-op has as many webhook endpoints as it may register")
)

// MaxEndpoints bounds how many endpoints the co-op may register.
const MaxEndpoints = 100

// Endpoint is a registered receiver. Secret is shown once, when it is made.
type Endpoint struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	EventTypes     []string   `json:"event_types"`
	Secret         string     `json:"secret,omitempty"`
	CreatedBy      int64      `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason"`
	Pending        int64      `json:"pending"`
}

// Attempt is one try at delivering one message, as logged.
type Attempt struct {
	ID          int64     `json:"id"`
	EndpointID  int64     `json:"endpoint_id"`
	DeliveryID  int64     `json:"delivery_id"`
	MessageID   string    `json:"message_id"`
	EventType   string    `json:"event_type"`
	Attempt     int       `json:"attempt"`
	StatusCode  int       `json:"status_code"`
	Error       string    `json:"error"`
	DurationMS  int64     `json:"duration_ms"`
	AttemptedAt time.Time `json:"attempted_at"`
}

// NewEndpoint is what a coordinator registers.
type NewEndpoint struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
}

// Normalize checks the event types and description and returns the request
// with its types sorted and unique. The URL is checked by a Policy.
func (n NewEndpoint) Normalize() (NewEndpoint, error) {
	if len(n.Description) > 200 {
		return n, ErrInvalidEndpoint.With("description is at most 200 bytes")
	}
	if len(n.EventTypes) == 0 {
		return n, ErrUnknownType.With("event_types must name at least one of: %s", strings.Join(Types, ", "))
	}
	var out []string
	for _, t := range n.EventTypes {
		if !slices.Contains(Types, t) {
			return n, ErrUnknownType.With("unknown event type %q; known: %s", t, strings.Join(Types, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	n.EventTypes = out
	return n, nil
}

// MessageID is the webhook-id of a delivery: the same on every retry.
func MessageID(deliveryID int64) string { return "msg_" + strconv.FormatInt(deliveryID, 10) }
