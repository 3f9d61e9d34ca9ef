package equity

import "time"

// Register entry kinds of collective rule (docs/GOVERNANCE.md): the
// constitution, each opened or amended proposal, each published ballot, each
// tally, and the rule versions that have no table of their own.
const (
	LogConstitution = "constitution"
	LogProposal     = "proposal"
	LogBallot       = "ballot"
	LogTally        = "tally"
	LogRule         = "rule"
)

// VoteRef says which passing proposal made a rule version, and how it was
// carried: shown wherever the rule is shown.
type VoteRef struct {
	ProposalID int64     `json:"proposal_id"`
	Title      string    `json:"title"`
	Yes        int       `json:"yes"`
	No         int       `json:"no"`
	Abstain    int       `json:"abstain"`
	Eligible   int       `json:"eligible"`
	ClosedAt   time.Time `json:"closed_at"`
}
