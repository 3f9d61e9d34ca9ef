package server

import (
	"net/http"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/shortcut"

	"github.com/gin-gonic/gin"
)

// Member preferences (the keyboard map, sensitive-content choices) and the
// co-op's wellbeing settings, notices and sums (docs/API.md, "Wellbeing").

// shortcutsAnswer is the caller's keyboard map with the defaults beside it.
type shortcutsAnswer struct {
	Shortcuts []shortcut.Binding `json:"shortcuts"` // every action, with the caller's key
	Defaults  []shortcut.Binding `json:"defaults"`
	Reserved  []string           `json:"reserved"` // keys no action may take
}

type shortcutsRequest struct {
	// Keys are the caller's own keys, action to key: the whole set they
	// changed (an action left out takes its default; {} resets them all).
	Keys map[shortcut.Action]string `json:"keys"`
}

func (s *Server) answerShortcuts(c *gin.Context, memberID int64) {
	own, err := s.wellbeing.Shortcuts(c.Request.Context(), memberID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, shortcutsAnswer{Shortcuts: shortcut.Resolve(own), Defaults: shortcut.Defaults(), Reserved: shortcut.Reserved()})
}

func (s *Server) handleMyShortcuts(c *gin.Context) {
	m, _ := currentMember(c)
	s.answerShortcuts(c, m.ID)
}

func (s *Server) handleSetMyShortcuts(c *gin.Context) {
	m, _ := currentMember(c)
	var req shortcutsRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Keys == nil {
		fail(c, fault.ErrInvalid.With("keys is required ({} resets every key to its default)"))
		return
	}
	if err := s.wellbeing.SetShortcuts(c.Request.Context(), m.ID, shortcut.Map(req.Keys)); err != nil {
		fail(c, err)
		return
	}
	s.answerShortcuts(c, m.ID)
}

func (s *Server) answerMyWellbeing(c *gin.Context, memberID int64, status int) {
	w, err := s.wellbeing.Mine(c.Request.Context(), memberID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, w)
}

func (s *Server) handleMyWellbeing(c *gin.Context) {
	m, _ := currentMember(c)
	s.answerMyWellbeing(c, m.ID, http.StatusOK)
}

func (s *Server) handleSetMyWellbeing(c *gin.Context) {
	m, _ := currentMember(c)
	var req labeling.WellbeingChoices
	if !bindJSON(c, &req) {
		return
	}
	if err := s.wellbeing.SetMine(c.Request.Context(), m.ID, req); err != nil {
		fail(c, err)
		return
	}
	s.answerMyWellbeing(c, m.ID, http.StatusOK)
}

// affectedAnswer says the pause is on and whether the co-op's contact was told.
type affectedAnswer struct {
	Paused   bool `json:"paused"`
	Notified bool `json:"notified"`
}

func (s *Server) handleAffected(c *gin.Context) {
	m, _ := currentMember(c)
	var req labeling.Affected
	if !bindJSON(c, &req) {
		return
	}
	notified, err := s.wellbeing.Affected(c.Request.Context(), m.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, affectedAnswer{Paused: true, Notified: notified})
}

func (s *Server) handleResumeSensitive(c *gin.Context) {
	m, _ := currentMember(c)
	if err := s.wellbeing.Resume(c.Request.Context(), m.ID); err != nil {
		fail(c, err)
		return
	}
	s.answerMyWellbeing(c, m.ID, http.StatusOK)
}

// handleWellbeingNotices answers the notices addressed to the caller as the
// co-op's designated contact: an empty list for everyone else, coordinators
// and reviewers included.
func (s *Server) handleWellbeingNotices(c *gin.Context) {
	p, ok := readPage(c, "wellbeing-notices")
	if !ok {
		return
	}
	m, _ := currentMember(c)
	ns, err := s.wellbeing.Notices(c.Request.Context(), m.ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("wellbeing-notices", p, ns, func(n labeling.WellbeingNotice) page.Key { return byID(n.ID) }))
}

func (s *Server) handleWellbeingSettings(c *gin.Context) {
	w, err := s.wellbeing.Settings(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) handleSetWellbeingSettings(c *gin.Context) {
	actor, _ := currentMember(c)
	var req labeling.WellbeingSettings
	if !bindJSON(c, &req) {
		return
	}
	if err := s.wellbeing.SetSettings(c.Request.Context(), actor.ID, req); err != nil {
		fail(c, err)
		return
	}
	s.handleWellbeingSettings(c)
}

// maxSummaryDays bounds the coordinator's look back.
const maxSummaryDays = 90

func (s *Server) handleWellbeingSummary(c *gin.Context) {
	days := 14
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSummaryDays {
			fail(c, fault.ErrInvalid.With("days must be a whole number from 1 to %d", maxSummaryDays))
			return
		}
		days = n
	}
	since := labeling.DayStart(time.Now()).AddDate(0, 0, -(days - 1))
	out, err := s.wellbeing.Summary(c.Request.Context(), since)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"days": out})
}
