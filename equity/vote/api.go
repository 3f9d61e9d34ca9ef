package vote

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"copyhold/labeling/page"
)

// The shapes collective rule takes at the API: what a member sends, and how
// proposals, ballots and constitution versions are shown.

// ProposalRequest is what a member sends to open or amend a proposal.
type ProposalRequest struct {
	Title       string `json:"title"`
	Reason      string `json:"reason"`
	Change      Change `json:"change"`
	PeriodHours int    `json:"period_hours,omitempty"`
	Key         string `json:"idempotency_key,omitempty"`
}

// Cast is the answer to a vote. The receipt of a secret ballot is shown
// this once; the server keeps only its hash.
type Cast struct {
	Receipt string `json:"receipt"`
	Choice  Choice `json:"choice"`
	Changed bool   `json:"changed"`
}

// Person is a member named on a proposal (the proposer, or the voter of an
// open ballot).
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// MyVote is whether the viewer voted; the choice only for open ballots (the
// browser keeps a secret ballot's receipt and choice itself).
type MyVote struct {
	Voted  bool    `json:"voted"`
	Choice *Choice `json:"choice"`
}

// Executed is the rule version a passing proposal made.
type Executed struct {
	What    string    `json:"what"`
	Version int       `json:"version"`
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
}

// ProposalView is a proposal as the API shows it (docs/GOVERNANCE.md, "Over HTTP").
type ProposalView struct {
	ID             int64      `json:"id"`
	Title          string     `json:"title"`
	Reason         string     `json:"reason"`
	Kind           Kind       `json:"kind"`
	Special        bool       `json:"special"`
	Change         Change     `json:"change"`
	Current        *Change    `json:"current"`
	Status         Status     `json:"status"`
	Revision       int        `json:"revision"`
	Ballot         string     `json:"ballot"`
	PeriodHours    int        `json:"period_hours"`
	Proposer       Person     `json:"proposer"`
	Sponsors       int        `json:"sponsors"`
	SponsorsNeeded int        `json:"sponsors_needed"`
	CreatedAt      time.Time  `json:"created_at"`
	OpenedAt       *time.Time `json:"opened_at"`
	ClosesAt       *time.Time `json:"closes_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	Eligible       int        `json:"eligible"`
	Voted          int        `json:"voted"`
	QuorumNeeded   int        `json:"quorum_needed"`
	Tally          *Result    `json:"tally"`
	MyVote         MyVote     `json:"my_vote"`
	Executed       *Executed  `json:"executed"`
	ExecutionError string     `json:"execution_error"`
	RegisterSeq    int64      `json:"register_seq"`
}

// BallotView is a ballot as published at close; Member only for open ballots.
type BallotView struct {
	Receipt string `json:"receipt"` // SHA-256 hex of the voter's receipt token
	Choice  Choice `json:"choice"`
	Member  string `json:"member,omitempty"`
}

// Ballots are a closed proposal's published ballots and its tally: anyone
// can recount them, and a voter finds the hash of their receipt.
type Ballots struct {
	Ballots []BallotView `json:"ballots"`
	Tally   *Result      `json:"tally"`
}

// ConstitutionVersion is a recorded version with the tally of the vote that made it.
type ConstitutionVersion struct {
	Constitution
	Tally *Result `json:"tally"`
}

// ListFilter selects proposals for a page.
type ListFilter struct {
	Status string // "open" (open and seeking sponsors), "closed", or "" for all
	Page   page.Page
}

// PageKey is the proposal's place in the list's order: those still open
// (rank 0) before the closed (rank 1), newest first within each.
func (v ProposalView) PageKey() page.Key {
	rank := int64(1)
	if !v.Status.Final() {
		rank = 0
	}
	return page.Key{Rank: rank, ID: v.ID}
}

// Validate trims and checks a proposal request; the change validates itself.
func (r *ProposalRequest) Validate(now time.Time) error {
	r.Title, r.Reason = strings.TrimSpace(r.Title), strings.TrimSpace(r.Reason)
	switch {
	case r.Title == "" || utf8.RuneCountInString(r.Title) > 200:
		return ErrInvalidProposal.With("title is required (at most 200 characters)")
	case r.Reason == "" || len(r.Reason) > 20000:
		return ErrInvalidProposal.With("reason is required (at most 20000 characters): why the co-op should decide this")
	case r.PeriodHours < 0:
		return ErrInvalidPeriod.With("period_hours must not be negative")
	}
	return r.Change.Validate(now)
}

// Hash identifies the request's content, for idempotent retries.
func (r ProposalRequest) Hash() string {
	b, _ := json.Marshal(struct {
		Title, Reason, Change string
		Period                int
	}{r.Title, r.Reason, r.Change.JSON(), r.PeriodHours})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
