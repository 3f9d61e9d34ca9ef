package live

// A socket lives no longer than the credential that opened it: the session
// (logout, password change, expiry) or the API token (revocation), and the
// membership. Events that end credentials close the sockets they opened at
// once, on every instance (the events table is shared); a subscribe and a
// timer (RecheckEvery) re-check the credential in the database, which also
// catches sessions that simply expire. Either way the socket closes with
// 1008 (policy violation) and a reason, and the browser goes back to login.
// This file also caps open sockets per member and per client address.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"copyhold/labeling/event/feed"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"

	"github.com/gorilla/websocket"
)

// credentialEnded names why err means the credential has ended ("" when it
// does not: no error, or one worth retrying).
func credentialEnded(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, member.ErrMemberInactive):
		return "membership ended"
	case errors.Is(err, fault.ErrUnauthenticated):
		return "credential ended: " + err.Error()
	}
	return ""
}

// end closes c with 1008 and reason.
func (h *Hub) end(c *wsConn, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endLocked(c, reason)
}

func (h *Hub) endLocked(c *wsConn, reason string) {
	h.dropLocked(c)
	if len(reason) > 120 { // a close frame's reason is at most 123 bytes
		reason = reason[:120]
	}
	c.out.close(websocket.ClosePolicyViolation, reason)
}

// credentialsPayload names the credentials an event ended.
type credentialsPayload struct {
	MemberID int64   `json:"member_id"`
	Sessions []int64 `json:"sessions"`
	Tokens   []int64 `json:"tokens"`
}

// endCredentialsLocked closes the sockets opened by the credentials that
// e ended (session.ended, token.revoked, member.password_changed).
func (h *Hub) endCredentialsLocked(e feed.Event) {
	var reason string
	switch e.Type {
	case "session.ended":
		reason = "logged out"
	case "token.revoked":
		reason = "API token revoked"
	case "member.password_changed":
		reason = "password changed"
	default:
		return
	}
	var p credentialsPayload
	if json.Unmarshal(e.Payload, &p) != nil || p.MemberID == 0 {
		return
	}
	for c := range h.byMember[p.MemberID] {
		ended := c.cred.Kind == member.CredentialSession && slices.Contains(p.Sessions, c.cred.ID) ||
			c.cred.Kind == member.CredentialToken && slices.Contains(p.Tokens, c.cred.ID)
		if ended {
			h.endLocked(c, reason)
		}
	}
}

// recheckLoop re-checks every open socket's credential each RecheckEvery.
func (h *Hub) recheckLoop(ctx context.Context) {
	t := time.NewTicker(h.cfg.RecheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.recheck(ctx)
		}
	}
}

// recheck asks the database once per distinct credential; a session past
// its expiry ends without asking.
func (h *Hub) recheck(ctx context.Context) {
	h.mu.Lock()
	byCred := map[member.Credential][]*wsConn{}
	for c := range h.conns {
		byCred[c.cred] = append(byCred[c.cred], c)
	}
	h.mu.Unlock()
	now := time.Now()
	for cred, conns := range byCred {
		reason := ""
		if !cred.ExpiresAt.IsZero() && !now.Before(cred.ExpiresAt) {
			reason = "session expired"
		} else {
			cctx, cancel := context.WithTimeout(ctx, h.cfg.WriteWait)
			_, err := h.cfg.Members.CredentialMember(cctx, cred)
			cancel()
			if ctx.Err() != nil {
				return
			}
			reason = credentialEnded(err)
		}
		if reason == "" {
			continue
		}
		h.mu.Lock()
		for _, c := range conns {
			h.endLocked(c, reason)
		}
		h.mu.Unlock()
	}
}

// reserve takes one of the member's and the address's socket slots; it
// says why not ("") when either is full. Each slot is given back once, by
// release: when the handshake fails or the connection is dropped.
func (h *Hub) reserve(memberID int64, ip string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perMember[memberID] >= h.cfg.MaxConnsPerMember {
		return fmt.Sprintf("you have %d live connections open already (the most per member); close a tab and try again", h.cfg.MaxConnsPerMember)
	}
	if h.perIP[ip] >= h.cfg.MaxConnsPerIP {
		return fmt.Sprintf("your address has %d live connections open already (the most per address); try again later", h.cfg.MaxConnsPerIP)
	}
	h.perMember[memberID]++
	h.perIP[ip]++
	return ""
}

func (h *Hub) release(memberID int64, ip string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.releaseLocked(memberID, ip)
}

func (h *Hub) releaseLocked(memberID int64, ip string) {
	if h.perMember[memberID]--; h.perMember[memberID] <= 0 {
		delete(h.perMember, memberID)
	}
	if h.perIP[ip]--; h.perIP[ip] <= 0 {
		delete(h.perIP, ip)
	}
}
