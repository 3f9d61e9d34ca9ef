package govern

import (
	"fmt"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/labeling/fault"
	lmember "copyhold/labeling/member"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// Ledger is the register's labelling hooks with the entry rule: it tells
// the invite flow whether admission is by vote, opens the admission
// proposal for an applicant, and records a new member's entry fee. It is
// what cmd/copyhold wires into the labelling store (labeling/store.Admissions).
type Ledger struct {
	equitystore.Hooks
	svc *Service
}

// NewLedger is the register's hooks with collective rule's admission.
func NewLedger(db *gorm.DB, clock sqldb.Clock) Ledger {
	return Ledger{Hooks: equitystore.NewHooks(), svc: New(db, clock, nil)}
}

// AdmissionByVote reports whether the voted entry rule admits by vote.
func (l Ledger) AdmissionByVote(tx *gorm.DB) (bool, error) {
	r, err := l.svc.rules.EntryRule(tx)
	return r.Admission == vote.AdmissionVote, err
}

// Admitted records the entry fee a member admitted by invite owes.
func (l Ledger) Admitted(tx *gorm.DB, memberID, proposalID int64) error {
	_, err := equitystore.RecordEntryFee(tx, memberID, proposalID)
	return err
}

// Applied opens the admission proposal of an applicant, proposed by the
// invite's creator, in the invite's transaction.
func (l Ledger) Applied(tx *gorm.DB, applicant lmember.Member, inviter int64) error {
	_, err := l.svc.openAdmission(tx, applicant, inviter)
	return err
}

var errNotApplicant = fault.New(fault.KindConflict, "not_applicant", "this person is not an applicant")

// openAdmission opens an ordinary resolution to admit the applicant. It
// opens at once (the constitution's co-sponsors are for members' own
// proposals), with the default period.
func (s *Service) openAdmission(tx *gorm.DB, applicant lmember.Member, inviter int64) (vote.Proposal, error) {
	now := s.clock.Now() // the invite's transaction runs on the labelling store's clock, not collective rule's
	c, err := s.rules.Constitution(tx)
	if err != nil {
		return vote.Proposal{}, err
	}
	req := vote.ProposalRequest{
		Title:  fmt.Sprintf("Admit %s as a member", applicant.DisplayName),
		Reason: fmt.Sprintf("%s accepted an invitation to join. The entry rule admits new members by a vote of the members.", applicant.DisplayName),
		Change: vote.Change{Kind: vote.KindAdmission, ApplicantID: applicant.ID},
		Key:    fmt.Sprintf("admission-%d", applicant.ID),
	}
	if err := req.Validate(now); err != nil {
		return vote.Proposal{}, err
	}
	p := vote.Proposal{ProposerID: inviter, Key: req.Key, BodyHash: req.Hash(), Revision: 1, Title: req.Title, Reason: req.Reason,
		Kind: vote.KindAdmission, Change: req.Change, PeriodHours: c.DefaultPeriodHours,
		ConstitutionVersion: c.Version, Ballot: c.Ballot, CreatedAt: now, UpdatedAt: now}
	open(&p, c, now)
	if err := s.votes.InsertProposal(tx, &p); err != nil {
		return p, err
	}
	if err := s.record(tx, &p); err != nil {
		return p, err
	}
	return p, opened(tx, p)
}

// admit executes a passing admission: the applicant becomes an active
// member from now, and owes the entry fee in force.
func (s *Service) admit(tx *gorm.DB, p vote.Proposal) (string, int64, int, error) {
	id := p.Change.ApplicantID
	ok, err := labelstore.Admit(tx, id, &p.ProposerID, sqldb.Now(tx))
	if err != nil {
		return "", 0, 0, err
	}
	if !ok {
		return "", 0, 0, errNotApplicant.With("member %d is no longer an applicant", id)
	}
	if _, err := equitystore.RecordEntryFee(tx, id, p.ID); err != nil {
		return "", 0, 0, err
	}
	return string(vote.KindAdmission), id, 0, nil
}

// refuseApplicant ends an application whose proposal failed or was withdrawn.
func refuseApplicant(tx *gorm.DB, p vote.Proposal) error {
	if p.Kind != vote.KindAdmission {
		return nil
	}
	_, err := labelstore.Refuse(tx, p.Change.ApplicantID, sqldb.Now(tx))
	return err
}
