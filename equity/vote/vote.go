// Package vote is collective rule's pure domain: the constitution, typed proposal changes and their validation, the tally, receipts, register entries and the what-if preview.
package vote

import (
	"time"

	"copyhold/labeling/fault"
)

// Sentinel errors; the server maps kinds to statuses.
var (
	ErrInvalidChange    = fault.New(fault.KindInvalid, "invalid_change", "the proposed change is invalid")
	ErrInvalidProposal  = fault.New(fault.KindInvalid, "invalid_proposal", "the proposal is invalid")
	ErrInvalidChoice    = fault.New(fault.KindInvalid, "invalid_choice", "vote yes, no or abstain")
	ErrInvalidReceipt   = fault.New(fault.KindInvalid, "invalid_receipt", "this receipt is not one of this proposal's ballots")
	ErrInvalidPeriod    = fault.New(fault.KindInvalid, "invalid_period", "the voting period is outside the constitution's limits")
	ErrNotFound         = fault.New(fault.KindNotFound, "proposal_not_found", "proposal not found")
	ErrClosed           = fault.New(fault.KindConflict, "proposal_closed", "this proposal is closed")
	ErrNotOpen          = fault.New(fault.KindConflict, "proposal_not_open", "this proposal is not open for votes yet")
	ErrStillOpen        = fault.New(fault.KindConflict, "proposal_open", "the ballots are published when the proposal closes")
	ErrHasVotes         = fault.New(fault.KindConflict, "proposal_has_votes", "a proposal can be withdrawn only before its first vote")
	ErrAlreadyVoted     = fault.New(fault.KindConflict, "already_voted", "you have voted; send your receipt to change your vote")
	ErrAlreadySponsored = fault.New(fault.KindConflict, "already_sponsored", "you already sponsor this proposal")
	ErrOwnProposal      = fault.New(fault.KindConflict, "own_proposal", "the proposer cannot co-sponsor their own proposal")
	ErrNotSeeking       = fault.New(fault.KindConflict, "not_seeking_sponsors", "this proposal is not seeking co-sponsors")
	ErrNotEligible      = fault.New(fault.KindForbidden, "not_eligible", "only active members admitted before the proposal opened may vote")
	ErrNotProposer      = fault.New(fault.KindForbidden, "not_proposer", "only the proposer may do this")
	ErrNeedsVote        = fault.New(fault.KindForbidden, "needs_vote", "this change needs a vote of the members: propose it with POST /api/proposals")
	ErrIdempotency      = fault.New(fault.KindConflict, "idempotency_conflict", "this idempotency key was already used with a different proposal")
)

// ProposalRoute is the route that opens a proposal; refusals name it.
const ProposalRoute = "POST /api/proposals"

// Status is where a proposal is in its life.
type Status string

const (
	StatusSeeking       Status = "seeking_sponsors"
	StatusOpen          Status = "open"
	StatusClosing       Status = "closing" // only inside the closing transaction
	StatusPassed        Status = "passed"
	StatusFailed        Status = "failed"
	StatusNotExecutable Status = "passed_not_executable"
	StatusWithdrawn     Status = "withdrawn"
)

// Final reports whether the proposal is decided (or withdrawn).
func (s Status) Final() bool {
	return s == StatusPassed || s == StatusFailed || s == StatusNotExecutable || s == StatusWithdrawn
}

// Ballot types.
const (
	BallotSecret = "secret"
	BallotOpen   = "open"
)

// Proposal is one typed change put to the members.
type Proposal struct {
	ID                  int64
	ProposerID          int64
	Key                 string
	BodyHash            string
	Revision            int
	Title               string
	Reason              string
	Kind                Kind
	Special             bool
	Change              Change
	PeriodHours         int
	Status              Status
	SponsorsNeeded      int
	ConstitutionVersion int
	Ballot              string
	OpenedAt            *time.Time
	ClosesAt            *time.Time
	ClosedAt            *time.Time
	ClosingSoonSent     bool
	RegisterSeq         int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Due reports whether an open proposal's period has ended at now.
func (p Proposal) Due(now time.Time) bool {
	return p.Status == StatusOpen && p.ClosesAt != nil && !now.Before(*p.ClosesAt)
}

// Version is the proposal as one register entry records it.
func (p Proposal) Version() ProposalVersion {
	return ProposalVersion{ProposalID: p.ID, Revision: p.Revision, Status: p.Status, Title: p.Title, Reason: p.Reason,
		Kind: p.Kind, Special: p.Special, Change: p.Change.JSON(), PeriodHours: p.PeriodHours, ProposerID: p.ProposerID,
		ConstitutionVersion: p.ConstitutionVersion, Ballot: p.Ballot, OpenedAt: p.OpenedAt, ClosesAt: p.ClosesAt}
}
