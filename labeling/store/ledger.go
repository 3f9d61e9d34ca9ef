package store

import (
	"copyhold/labeling"
	"copyhold/labeling/member"

	"gorm.io/gorm"
)

// Ledger is told about labelling outcomes inside the transactions that
// cause them, so a credit commits (or rolls back) with the work that earns
// it. The equity register implements it; cmd/copyhold wires it in. It lives
// here as an interface because the register depends on this package, not
// the other way round.
type Ledger interface {
	// ProjectCreated may give the project its first rate card.
	ProjectCreated(tx *gorm.DB, p labeling.Project, actor *int64) error
	// Submitted credits a submission's pending units.
	Submitted(tx *gorm.DB, sub labeling.Submission) error
	// Decided vests, corrects or voids them after a review decision.
	Decided(tx *gorm.DB, rec labeling.DecisionRecord) error
	// MemberEnded passes a former member's holdings on by the exit rule.
	MemberEnded(tx *gorm.DB, memberID int64, actor *int64) error
	// Recorded enters a snapshot ("snapshot") or release ("release") made
	// in tx on the register.
	Recorded(tx *gorm.DB, kind string, id int64) error
}

// CreditPrefetch is implemented by a Ledger that reads what crediting a
// submission needs inside the submit's first statement (StartSubmit), which
// saves the credit a statement of its own. CreditReadsSQL is a scalar
// subquery over the SQL expressions of the project's and the member's ids;
// SubmittedRead is Submitted given what it read.
type CreditPrefetch interface {
	CreditReadsSQL(tx *gorm.DB, project, member string) string
	SubmittedRead(tx *gorm.DB, sub labeling.Submission, read string) error
}

// creditReadsSQL is the column StartSubmit reads for the ledger ("NULL" for
// one that reads on its own).
func (s *base) creditReadsSQL(tx *gorm.DB, project, member string) string {
	if l, ok := s.ledger.(CreditPrefetch); ok {
		return l.CreditReadsSQL(tx, project, member)
	}
	return "NULL"
}

// Admissions is implemented by a Ledger that knows the co-op's entry rule
// (collective rule, in equity). All run in the invite's transaction.
type Admissions interface {
	// AdmissionByVote reports whether new members are admitted by a vote.
	AdmissionByVote(tx *gorm.DB) (bool, error)
	// Applied opens the vote on an applicant's admission, proposed by the
	// invite's creator.
	Applied(tx *gorm.DB, applicant member.Member, inviter int64) error
	// Admitted records what a newly admitted member owes on entry
	// (proposalID 0: admitted by invite).
	Admitted(tx *gorm.DB, memberID, proposalID int64) error
}

// noLedger is the ledger of a store nobody asked to keep one: labelling
// works on its own, for tests and benchmarks of the engine alone.
type noLedger struct{}

func (noLedger) ProjectCreated(*gorm.DB, labeling.Project, *int64) error { return nil }
func (noLedger) Submitted(*gorm.DB, labeling.Submission) error           { return nil }
func (noLedger) Decided(*gorm.DB, labeling.DecisionRecord) error         { return nil }
func (noLedger) MemberEnded(*gorm.DB, int64, *int64) error               { return nil }
func (noLedger) Recorded(*gorm.DB, string, int64) error                  { return nil }

// LedgerHooks passes labelling outcomes to the stores' Ledger inside a
// service's transaction: the "ledger" step of the work service.
type LedgerHooks struct{ base }

// Submitted credits a submission's pending units, from what StartSubmit
// read for it (st.CreditRead) when the ledger reads ahead.
func (h *LedgerHooks) Submitted(tx Tx, sub labeling.Submission, st SubmitStart) error {
	if l, ok := h.ledger.(CreditPrefetch); ok && st.CreditRead != nil {
		return l.SubmittedRead(tx.db, sub, *st.CreditRead)
	}
	return h.ledger.Submitted(tx.db, sub)
}

// Decided vests, corrects or voids them after a review decision.
func (h *LedgerHooks) Decided(tx Tx, rec labeling.DecisionRecord) error {
	return h.ledger.Decided(tx.db, rec)
}
