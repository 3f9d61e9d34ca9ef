package store

import (
	"errors"
	"fmt"

	"copyhold/equity"
	"copyhold/labeling"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// Hooks connects the labelling store to the register: every submission,
// review decision and ended membership posts here inside the labelling
// transaction that causes it (labelstore.Ledger). The other way, labelling
// reads the register through Reads (labelstore.Register).
type Hooks struct {
	// DefaultRateCard prices the work of a project until a coordinator sets its own.
	DefaultRateCard equity.RateCard
}

var _ labelstore.Ledger = Hooks{}

// NewHooks uses the co-op's default rates.
func NewHooks() Hooks { return Hooks{DefaultRateCard: DefaultRateCard()} }

// DefaultRateCard: one unit per accepted annotation, half a unit for a
// correction, a tenth for each review decision; a corrected labeller keeps half.
func DefaultRateCard() equity.RateCard {
	return equity.RateCard{
		AnnotationAccepted:   1_000_000,
		Correction:           500_000,
		ReviewDecision:       100_000,
		CorrectionLabellerBP: 5000,
	}
}

func actorOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// ProjectCreated records the project's first rate card on the register.
func (h Hooks) ProjectCreated(tx *gorm.DB, p labeling.Project, actor *int64) error {
	return h.ensureRateCard(tx, p.ID, actorOf(actor), "the co-op's default rates, set when the project was created")
}

func (h Hooks) ensureRateCard(tx *gorm.DB, projectID, actor int64, reason string) error {
	_, err := CurrentRateCard(tx, projectID)
	if !errors.Is(err, equity.ErrNoRateCard) {
		return err
	}
	rc, err := h.defaultCard(tx)
	if err != nil {
		return err
	}
	rc.ProjectID = projectID
	rc.Reason = reason
	_, err = SetRateCard(tx, actor, rc)
	return err
}

// Submitted credits the submission's pending units.
// A project without a rate card gets the co-op's default one first.
func (h Hooks) Submitted(tx *gorm.DB, sub labeling.Submission) error {
	return h.credit(tx, sub, nil)
}

// CreditReadsSQL reads what Submitted reads, inside the submit's first
// statement (credit_prefetch.go): a scalar subquery over the SQL
// expressions of the project's and the member's ids.
func (h Hooks) CreditReadsSQL(tx *gorm.DB, project, member string) string {
	return creditReadsSQL(tx, project, member)
}

// SubmittedRead is Submitted from what CreditReadsSQL read.
func (h Hooks) SubmittedRead(tx *gorm.DB, sub labeling.Submission, read string) error {
	st, err := parseCreditReads(read)
	if err != nil {
		return err
	}
	return h.credit(tx, sub, &st)
}

// credit is Submitted from pre (nil: read now).
func (h Hooks) credit(tx *gorm.DB, sub labeling.Submission, pre *creditState) error {
	in := PendingCredit{SubmissionID: sub.ID, ProjectID: sub.ProjectID, ItemID: sub.ItemID, MemberID: sub.MemberID}
	_, err := creditPending(tx, in, pre)
	if !errors.Is(err, equity.ErrNoRateCard) {
		return err
	}
	if err := h.ensureRateCard(tx, sub.ProjectID, 0, "the co-op's default rates (the project had none when work began)"); err != nil {
		return err
	}
	_, err = CreditPending(tx, in)
	return err
}

// Decided vests, corrects or voids the pending credit. A dispute's final
// acceptance reinstates a voided credit; a final rejection changes nothing,
// since the first rejection already voided it.
func (h Hooks) Decided(tx *gorm.DB, rec labeling.DecisionRecord) error {
	d := Decision{SubmissionID: rec.SubmissionID, ReviewID: rec.ID, ReviewerID: actorOf(rec.ReviewerID),
		ActorID: actorOf(rec.ReviewerID), Reason: rec.Reason}
	if d.ActorID == 0 {
		d.ActorID = rec.LabellerID
	}
	var err error
	switch {
	case rec.Final && rec.Status == labeling.SubmissionAccepted:
		_, err = Reinstate(tx, d)
	case rec.Final:
	case rec.Status == labeling.SubmissionAccepted:
		_, err = Vest(tx, d)
	case rec.Status == labeling.SubmissionCorrected:
		_, err = Correct(tx, d)
	case rec.Status == labeling.SubmissionRejected:
		_, err = Void(tx, d)
	}
	return err
}

// MemberEnded passes a former member's vested holdings on by the exit rule.
func (h Hooks) MemberEnded(tx *gorm.DB, memberID int64, actor *int64) error {
	_, err := Exit(tx, memberID, actorOf(actor))
	return err
}

// Recorded enters a snapshot or release on the register.
func (h Hooks) Recorded(tx *gorm.DB, kind string, id int64) error {
	if kind != equity.LogSnapshot && kind != equity.LogRelease {
		return fmt.Errorf("equity: %q is not a snapshot or release", kind)
	}
	return appendLog(tx, kind, id)
}
