package server

import (
	"net/http"

	"copyhold/labeling/fault"
	"copyhold/labeling/webhook"
)

// webhookOps are the coordinator's outbound webhook endpoints
// (handle_webhooks.go; docs/API.md, "Webhooks").
func webhookOps() []*op {
	gone := []*fault.Error{fault.ErrInvalid, webhook.ErrNotFound, errWebhooksOff}
	return []*op{
		opGet("/api/webhooks", "The webhook endpoints, oldest first, and the event types", coordinators).
			paged(webhook.Endpoint{}, fields{"event_types": []string{}}).fails(errWebhooksOff),
		opPost("/api/webhooks", "Register a webhook endpoint: its signing secret is in this answer only", coordinators).
			in(webhook.NewEndpoint{}).ok(http.StatusCreated, webhook.Endpoint{}).
			fails(webhook.ErrInvalidEndpoint, webhook.ErrURLScheme, webhook.ErrURLRefused, webhook.ErrURLSelf,
				webhook.ErrUnknownType, webhook.ErrTooMany, errWebhooksOff),
		opGet("/api/webhooks/:id", "A webhook endpoint", coordinators).ok(http.StatusOK, webhook.Endpoint{}).fails(gone...),
		opDelete("/api/webhooks/:id", "Delete a webhook endpoint, its queue and its log", coordinators).
			empty(http.StatusNoContent).fails(gone...),
		opPost("/api/webhooks/:id/enable", "Try a disabled endpoint again from the message it stopped at", coordinators).
			ok(http.StatusOK, webhook.Endpoint{}).fails(gone...),
		opGet("/api/webhooks/:id/attempts", "An endpoint's delivery attempts, newest first", coordinators).
			paged(webhook.Attempt{}, nil).fails(gone...),
	}
}
