package vote

import (
	"encoding/json"
	"strconv"
	"time"

	"copyhold/equity"
)

// The register entries of collective rule. Each is hashed into the chain as
// canonical JSON of a fixed-order struct rebuilt from the stored row:
// integers of money as decimal strings, times as Unix microseconds, stored
// JSON texts (a change, a rule body) verbatim.

// ProposalVersion is a proposal as the register records it when it is
// created, opens, is amended or withdrawn.
type ProposalVersion struct {
	ID                  int64      `json:"id"`
	ProposalID          int64      `json:"proposal_id"`
	Revision            int        `json:"revision"`
	Status              Status     `json:"status"`
	Title               string     `json:"title"`
	Reason              string     `json:"reason"`
	Kind                Kind       `json:"kind"`
	Special             bool       `json:"special"`
	Change              string     `json:"change"`
	PeriodHours         int        `json:"period_hours"`
	ProposerID          int64      `json:"proposer_id"`
	ConstitutionVersion int        `json:"constitution_version"`
	Ballot              string     `json:"ballot"`
	OpenedAt            *time.Time `json:"opened_at"`
	ClosesAt            *time.Time `json:"closes_at"`
	CreatedAt           time.Time  `json:"created_at"`
}

// PublishedBallot is one ballot as published at close: the hash of its
// receipt and its choice; the member only for open ballots.
type PublishedBallot struct {
	ID         int64     `json:"id"`
	ProposalID int64     `json:"proposal_id"`
	Receipt    string    `json:"receipt"` // SHA-256 hex of the receipt token
	Choice     Choice    `json:"choice"`
	MemberID   int64     `json:"member_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// TallyRecord is how a proposal ended, recorded once at close.
type TallyRecord struct {
	ID                  int64     `json:"id"`
	ProposalID          int64     `json:"proposal_id"`
	Revision            int       `json:"revision"`
	Status              Status    `json:"status"`
	Result              Result    `json:"result"`
	QuorumBP            int       `json:"quorum_bp"`
	MajorityBP          int       `json:"majority_bp"`
	Special             bool      `json:"special"`
	ConstitutionVersion int       `json:"constitution_version"`
	ExecutedWhat        string    `json:"executed_what"`
	ExecutedID          int64     `json:"executed_id"`
	ExecutedVersion     int       `json:"executed_version"`
	ExecutionError      string    `json:"execution_error"`
	CreatedAt           time.Time `json:"created_at"`
}

// RuleVersion is one version of a rule without a table of its own.
type RuleVersion struct {
	ID         int64     `json:"id"`
	Rule       string    `json:"rule"`
	ScopeID    int64     `json:"scope_id"`
	Version    int       `json:"version"`
	Body       string    `json:"body"`
	ProposalID int64     `json:"proposal_id"`
	ActorID    int64     `json:"actor_id"`
	CreatedAt  time.Time `json:"created_at"`
}

func micros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMicro()
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

func canon(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// CanonicalProposal is the bytes of a proposal version that the chain hashes.
func CanonicalProposal(v ProposalVersion) []byte {
	return canon(struct {
		Entry               string `json:"entry"`
		ID                  string `json:"id"`
		ProposalID          string `json:"proposal_id"`
		Revision            int    `json:"revision"`
		Status              string `json:"status"`
		Title               string `json:"title"`
		Reason              string `json:"reason"`
		Kind                string `json:"kind"`
		Special             bool   `json:"special"`
		Change              string `json:"change"`
		PeriodHours         int    `json:"period_hours"`
		ProposerID          string `json:"proposer_id"`
		ConstitutionVersion int    `json:"constitution_version"`
		Ballot              string `json:"ballot"`
		OpenedAt            int64  `json:"opened_at"`
		ClosesAt            int64  `json:"closes_at"`
		CreatedAt           int64  `json:"created_at"`
	}{equity.LogProposal, i64(v.ID), i64(v.ProposalID), v.Revision, string(v.Status), v.Title, v.Reason, string(v.Kind),
		v.Special, v.Change, v.PeriodHours, i64(v.ProposerID), v.ConstitutionVersion, v.Ballot, micros(v.OpenedAt),
		micros(v.ClosesAt), v.CreatedAt.UnixMicro()})
}

// CanonicalBallot is the bytes of a published ballot that the chain hashes.
func CanonicalBallot(b PublishedBallot) []byte {
	return canon(struct {
		Entry      string `json:"entry"`
		ID         string `json:"id"`
		ProposalID string `json:"proposal_id"`
		Receipt    string `json:"receipt"`
		Choice     string `json:"choice"`
		MemberID   string `json:"member_id"`
		CreatedAt  int64  `json:"created_at"`
	}{equity.LogBallot, i64(b.ID), i64(b.ProposalID), b.Receipt, string(b.Choice), i64(b.MemberID), b.CreatedAt.UnixMicro()})
}

// CanonicalTally is the bytes of a tally that the chain hashes.
func CanonicalTally(t TallyRecord) []byte {
	return canon(struct {
		Entry               string `json:"entry"`
		ID                  string `json:"id"`
		ProposalID          string `json:"proposal_id"`
		Revision            int    `json:"revision"`
		Status              string `json:"status"`
		Yes                 int    `json:"yes"`
		No                  int    `json:"no"`
		Abstain             int    `json:"abstain"`
		Eligible            int    `json:"eligible"`
		QuorumBP            int    `json:"quorum_bp"`
		MajorityBP          int    `json:"majority_bp"`
		Special             bool   `json:"special"`
		QuorumMet           bool   `json:"quorum_met"`
		Passed              bool   `json:"passed"`
		Reason              string `json:"reason"`
		ConstitutionVersion int    `json:"constitution_version"`
		ExecutedWhat        string `json:"executed_what"`
		ExecutedID          string `json:"executed_id"`
		ExecutedVersion     int    `json:"executed_version"`
		ExecutionError      string `json:"execution_error"`
		CreatedAt           int64  `json:"created_at"`
	}{equity.LogTally, i64(t.ID), i64(t.ProposalID), t.Revision, string(t.Status), t.Result.Yes, t.Result.No, t.Result.Abstain,
		t.Result.Eligible, t.QuorumBP, t.MajorityBP, t.Special, t.Result.QuorumMet, t.Result.Passed, t.Result.Reason,
		t.ConstitutionVersion, t.ExecutedWhat, i64(t.ExecutedID), t.ExecutedVersion, t.ExecutionError, t.CreatedAt.UnixMicro()})
}

// CanonicalRule is the bytes of a rule version that the chain hashes.
func CanonicalRule(r RuleVersion) []byte {
	return canon(struct {
		Entry      string `json:"entry"`
		ID         string `json:"id"`
		Rule       string `json:"rule"`
		ScopeID    string `json:"scope_id"`
		Version    int    `json:"version"`
		Body       string `json:"body"`
		ProposalID string `json:"proposal_id"`
		ActorID    string `json:"actor_id"`
		CreatedAt  int64  `json:"created_at"`
	}{equity.LogRule, i64(r.ID), r.Rule, i64(r.ScopeID), r.Version, r.Body, i64(r.ProposalID), i64(r.ActorID), r.CreatedAt.UnixMicro()})
}

// CanonicalConstitution is the bytes of a constitution version that the chain hashes.
func CanonicalConstitution(c Constitution) []byte {
	var pid int64
	if c.ProposalID != nil {
		pid = *c.ProposalID
	}
	return canon(struct {
		Entry              string `json:"entry"`
		ID                 string `json:"id"`
		Version            int    `json:"version"`
		QuorumBP           int    `json:"quorum_bp"`
		OrdinaryMajorityBP int    `json:"ordinary_majority_bp"`
		SpecialMajorityBP  int    `json:"special_majority_bp"`
		MinPeriodHours     int    `json:"min_period_hours"`
		DefaultPeriodHours int    `json:"default_period_hours"`
		MaxPeriodHours     int    `json:"max_period_hours"`
		Cosponsors         int    `json:"cosponsors"`
		Ballot             string `json:"ballot"`
		Eligibility        string `json:"eligibility"`
		ProposalID         string `json:"proposal_id"`
		Reason             string `json:"reason"`
		ActorID            string `json:"actor_id"`
		CreatedAt          int64  `json:"created_at"`
	}{equity.LogConstitution, i64(c.ID), c.Version, c.QuorumBP, c.OrdinaryMajorityBP, c.SpecialMajorityBP, c.MinPeriodHours,
		c.DefaultPeriodHours, c.MaxPeriodHours, c.Cosponsors, c.Ballot, c.Eligibility, i64(pid), c.Reason, i64(c.ActorID),
		micros(c.CreatedAt)})
}
