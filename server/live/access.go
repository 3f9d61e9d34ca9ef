package live

// Channel access policy: which channels exist, who may subscribe to which
// and with what view, and how events that change that end subscriptions.

import (
	"encoding/json"
	"strconv"
	"strings"

	"copyhold/labeling/event/feed"
	"copyhold/labeling/member"
)

type channelKind int

const (
	chCoop channelKind = iota
	chProject
	chReview
	chMember
	chCoordinators
)

type channel struct {
	name string
	kind channelKind
	id   int64
}

// parseChannel accepts exactly the scope names events carry. "audit" and
// anything else is unknown.
func parseChannel(s string) (channel, bool) {
	if s == feed.CoopScope {
		return channel{name: s, kind: chCoop}, true
	}
	if s == feed.CoordinatorScope {
		return channel{name: s, kind: chCoordinators}, true
	}
	prefix, num, ok := strings.Cut(s, ":")
	if !ok {
		return channel{}, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return channel{}, false
	}
	switch prefix {
	case "project":
		return channel{name: s, kind: chProject, id: id}, true
	case "review":
		return channel{name: s, kind: chReview, id: id}, true
	case "member":
		return channel{name: s, kind: chMember, id: id}, true
	}
	return channel{}, false
}

func isStaff(m member.Member) bool {
	return m.Has(member.RoleReviewer) || m.Has(member.RoleCoordinator)
}

// access decides whether m may subscribe to ch and whether they get the full
// view. projectMember is whether m is a member of the channel's project.
// Labellers see their projects' progress but not who else did what: their
// view is redacted (see redactFor).
func access(m member.Member, ch channel, projectMember bool) (ok, full bool) {
	if !m.Active {
		return false, false
	}
	switch ch.kind {
	case chCoop:
		return true, true
	case chMember:
		return ch.id == m.ID, true
	case chReview:
		return isStaff(m), true
	case chCoordinators:
		return m.Has(member.RoleCoordinator), true
	case chProject:
		if isStaff(m) {
			return true, true
		}
		return projectMember, false
	}
	return false, false
}

// memberPayload is the subject of events that change authorisation.
type memberPayload struct {
	MemberID  int64       `json:"member_id"`
	ProjectID int64       `json:"project_id"`
	Role      member.Role `json:"role"`
}

// applyAuthChangeLocked updates what connected members may see from the
// events that change it, and ends subscriptions they lost.
func (h *Hub) applyAuthChangeLocked(e feed.Event) {
	h.endCredentialsLocked(e)
	switch e.Type {
	case "role.revoked", "role.granted", "member.deactivated", "project.member_added", "project.member_removed":
	default:
		return
	}
	var p memberPayload
	if json.Unmarshal(e.Payload, &p) != nil || p.MemberID == 0 {
		return
	}
	h.authSeq[p.MemberID] = e.ID
	for c := range h.byMember[p.MemberID] {
		switch e.Type {
		case "member.deactivated":
			c.member.Active = false
			h.endLocked(c, "membership ended")
			continue
		case "role.revoked":
			roles := c.member.Roles[:0:0]
			for _, r := range c.member.Roles {
				if r != p.Role {
					roles = append(roles, r)
				}
			}
			c.member.Roles = roles
		case "role.granted":
			if !c.member.Has(p.Role) {
				c.member.Roles = append(append([]member.Role{}, c.member.Roles...), p.Role)
			}
		case "project.member_added", "project.member_removed":
			if sub := c.subs[feed.ProjectScope(p.ProjectID)]; sub != nil {
				sub.projectMember = e.Type == "project.member_added"
			}
		}
		for _, sub := range c.subs {
			ok, full := access(c.member, sub.ch, sub.projectMember)
			if ok {
				sub.full = full
				continue
			}
			h.removeSubLocked(sub)
			c.pushLocked(h, frame(errorFrame{Op: "error", Code: "forbidden", Channel: sub.ch.name,
				Message: "you may no longer see this channel; it has been unsubscribed"}))
		}
	}
}
