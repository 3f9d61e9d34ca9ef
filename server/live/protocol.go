package live

// Live tracking over a websocket: GET /ws.
//
// Authentication is the session cookie or "Authorization: Bearer <token>",
// as for the API; anonymous upgrades get 401. A browser's Origin must be the
// page's own host, the configured base URL or one of the allowed origins,
// otherwise 403 (cross-site websocket hijacking). Both are checked by the
// server before it hands the request to Hub.ServeWS. Frames are JSON text, at
// most 4 KB from the client; a bigger frame closes the connection with 1009.
//
// A socket lives no longer than the session or API token that opened it:
// logout, a password change, the token's revocation, the session's expiry or
// the end of the membership closes it with 1008 and a reason ("logged out",
// "password changed", "API token revoked", "session expired", "membership
// ended", "credential ended: …"). The credential is re-checked on every
// subscribe and every 30 s (--ws-recheck). Each member may hold 16 sockets
// and each client address 256 (--ws-max-per-member, --ws-max-per-ip); beyond
// that the upgrade is refused with 429 {"code":"too_many_connections"}.
//
// Client → server
//
//	{"op":"subscribe","channel":"project:7","since":123,"presence":true}
//	    since (optional) is the last seq the client saw on this channel: the
//	    server replays the channel's events after it, then goes live, with no
//	    duplicate and no reordering. presence (default true) = false keeps
//	    the member out of the project's presence list while this
//	    subscription lasts. Subscribing again to a channel replaces the
//	    subscription.
//	{"op":"unsubscribe","channel":"project:7"}
//	{"op":"ping"}
//
// Server → client
//
//	{"op":"event","channel":"project:7","seq":130,"type":"task.submitted",
//	 "at":"2025-01-01T12:00:00Z","actor_id":4,"payload":{...}}
//	    seq is the global, gap-tolerant event sequence; per channel it only
//	    grows. Keep the last seq per channel to resume.
//	{"op":"subscribed","channel":"project:7","head":130,"replayed":3}
//	    the subscription is on; replayed events (all with seq <= head) came
//	    before it, live events follow.
//	{"op":"unsubscribed","channel":"project:7"}
//	{"op":"presence","channel":"project:7","count":3,"you":true,"members":[1,4,9]}
//	    who is working in the project now (live lease, or connected and not
//	    opted out). members only for reviewers and coordinators.
//	{"op":"reset","channel":"project:7","reason":"too_far_behind"}
//	    the server cannot bring the client up to date from events (since is
//	    older than the retention window, too many events to replay, or an
//	    event committed out of order): re-fetch the state over HTTP. The
//	    subscription stays on and live events continue.
//	{"op":"error","code":"forbidden","channel":"review:7","message":"..."}
//	    codes: unknown_channel, forbidden, malformed_frame, too_far_behind,
//	    too_many_channels, unavailable. A forbidden error for a channel that
//	    was subscribed (role revoked, removed from the project) means the
//	    subscription has ended.
//	{"op":"pong"}
//
// Channels: "coop" (any member: register and activity feed), "project:<id>"
// (project members, reviewers and coordinators; labellers see who did what
// only for their own actions), "review:<project id>" (reviewers and
// coordinators), "member:<own id>".
//
// Close codes: 1001 server shutting down; 1008 the credential or the
// membership ended (log in again); 1009 frame too big; 4008 slow consumer (the client did not
// keep up: reconnect and resume from the last seq per channel).

import (
	"encoding/json"
	"time"
)

const closeSlowConsumer = 4008

// clientFrame is every command a client may send.
type clientFrame struct {
	Op       string `json:"op"`
	Channel  string `json:"channel"`
	Since    *int64 `json:"since"`
	Presence *bool  `json:"presence"`
}

type eventFrame struct {
	Op      string          `json:"op"`
	Channel string          `json:"channel"`
	Seq     int64           `json:"seq"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	ActorID *int64          `json:"actor_id,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

type subscribedFrame struct {
	Op       string `json:"op"`
	Channel  string `json:"channel"`
	Head     int64  `json:"head"`
	Replayed int    `json:"replayed"`
}

type errorFrame struct {
	Op      string `json:"op"`
	Code    string `json:"code"`
	Channel string `json:"channel,omitempty"`
	Message string `json:"message"`
}

type resetFrame struct {
	Op      string `json:"op"`
	Channel string `json:"channel"`
	Reason  string `json:"reason"`
}

type presenceFrame struct {
	Op      string  `json:"op"`
	Channel string  `json:"channel"`
	Count   int     `json:"count"`
	Members []int64 `json:"members,omitempty"`
	You     bool    `json:"you"`
}

func frame(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types reach here
	}
	return b
}
