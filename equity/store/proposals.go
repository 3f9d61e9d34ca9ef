package store

import (
	labelstore "copyhold/labeling/store"

	"errors"
	"fmt"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

type proposalRow struct {
	ID                  int64
	ProposerID          int64
	IdempotencyKey      string
	BodyHash            string
	Revision            int
	Title               string
	Reason              string
	Kind                string
	Special             bool
	Change              string
	PeriodHours         int
	Status              string
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

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r proposalRow) proposal() (vote.Proposal, error) {
	ch, err := vote.ParseChange(r.Change)
	if err != nil {
		return vote.Proposal{}, fmt.Errorf("proposal %d: stored change: %w", r.ID, err)
	}
	return vote.Proposal{ID: r.ID, ProposerID: r.ProposerID, Key: r.IdempotencyKey, BodyHash: r.BodyHash, Revision: r.Revision,
		Title: r.Title, Reason: r.Reason, Kind: vote.Kind(r.Kind), Special: r.Special, Change: ch, PeriodHours: r.PeriodHours,
		Status: vote.Status(r.Status), SponsorsNeeded: r.SponsorsNeeded, ConstitutionVersion: r.ConstitutionVersion,
		Ballot: r.Ballot, OpenedAt: utcPtr(r.OpenedAt), ClosesAt: utcPtr(r.ClosesAt), ClosedAt: utcPtr(r.ClosedAt),
		ClosingSoonSent: r.ClosingSoonSent, RegisterSeq: r.RegisterSeq, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

const proposalColumns = `id, proposer_id, idempotency_key, body_hash, revision, title, reason, kind, special, change,
    period_hours, status, sponsors_needed, constitution_version, ballot, opened_at, closes_at, closed_at,
    closing_soon_sent, created_at, updated_at,
    COALESCE((SELECT MAX(l.seq) FROM equity_log l WHERE
        (l.kind = 'proposal' AND l.ref_id IN (SELECT pv.id FROM equity_proposal_versions pv WHERE pv.proposal_id = equity_proposals.id))
        OR (l.kind = 'tally' AND l.ref_id IN (SELECT t.id FROM equity_tallies t WHERE t.proposal_id = equity_proposals.id))), 0) AS register_seq`

// register_seq is the place on the roll of the proposal's latest version or
// tally: 0 until the integrator has taken that entry (roll_integrate.go).

func (v *Votes) proposals(tx *gorm.DB, q string, args ...any) ([]vote.Proposal, error) {
	var rows []proposalRow
	if err := tx.Raw("SELECT "+proposalColumns+" FROM equity_proposals "+q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]vote.Proposal, 0, len(rows))
	for _, r := range rows {
		p, err := r.proposal()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Proposal loads a proposal; lock takes its row lock (PostgreSQL) so that
// votes, amendments and the close of one proposal queue behind each other.
func (v *Votes) Proposal(tx *gorm.DB, id int64, lock bool) (vote.Proposal, error) {
	q := "WHERE id = ?"
	if lock {
		q += forUpdate(tx)
	}
	ps, err := v.proposals(tx, q, id)
	if err != nil {
		return vote.Proposal{}, err
	}
	if len(ps) == 0 {
		return vote.Proposal{}, vote.ErrNotFound.With("proposal %d not found", id)
	}
	return ps[0], nil
}

// ProposalByKey finds a member's proposal by its idempotency key.
func (v *Votes) ProposalByKey(tx *gorm.DB, proposer int64, key string) (vote.Proposal, bool, error) {
	ps, err := v.proposals(tx, "WHERE proposer_id = ? AND idempotency_key = ?", proposer, key)
	if err != nil || len(ps) == 0 {
		return vote.Proposal{}, false, err
	}
	return ps[0], true, nil
}

// InsertProposal stores a new proposal and sets its id.
func (v *Votes) InsertProposal(tx *gorm.DB, p *vote.Proposal) error {
	var ids []int64
	err := tx.Raw(`INSERT INTO equity_proposals (proposer_id, idempotency_key, body_hash, revision, title, reason, kind, special,
        change, period_hours, status, sponsors_needed, constitution_version, ballot, opened_at, closes_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.ProposerID, p.Key, p.BodyHash, p.Revision, p.Title, p.Reason, string(p.Kind), p.Special, p.Change.JSON(), p.PeriodHours,
		string(p.Status), p.SponsorsNeeded, p.ConstitutionVersion, p.Ballot, p.OpenedAt, p.ClosesAt, p.CreatedAt, p.UpdatedAt).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("insert proposal: %w", err)
	}
	p.ID = ids[0]
	return nil
}

// UpdateProposal writes a proposal's changing state.
func (v *Votes) UpdateProposal(tx *gorm.DB, p vote.Proposal) error {
	return tx.Exec(`UPDATE equity_proposals SET revision = ?, title = ?, reason = ?, kind = ?, special = ?, change = ?,
        period_hours = ?, status = ?, constitution_version = ?, ballot = ?, opened_at = ?, closes_at = ?, closed_at = ?,
        closing_soon_sent = ?, updated_at = ? WHERE id = ?`,
		p.Revision, p.Title, p.Reason, string(p.Kind), p.Special, p.Change.JSON(), p.PeriodHours, string(p.Status),
		p.ConstitutionVersion, p.Ballot, p.OpenedAt, p.ClosesAt, p.ClosedAt, p.ClosingSoonSent, p.UpdatedAt, p.ID).Error
}

// ClaimClose moves an open proposal whose period has ended to closing, and
// reports whether this caller won it. Two closers on one PostgreSQL queue on
// the row lock; the second re-reads the row (READ COMMITTED), finds it no
// longer open and gets false. On SQLite the single writer does the same.
func (v *Votes) ClaimClose(tx *gorm.DB, id int64, now time.Time) (bool, error) {
	res := tx.Exec(`UPDATE equity_proposals SET status = ?, updated_at = ? WHERE id = ? AND status = ? AND closes_at <= ?`,
		string(vote.StatusClosing), now, id, string(vote.StatusOpen), now)
	return res.RowsAffected == 1, res.Error
}

// Due lists open proposals whose period has ended at now, oldest first.
func (v *Votes) Due(tx *gorm.DB, now time.Time) ([]int64, error) {
	var ids []int64
	err := tx.Raw("SELECT id FROM equity_proposals WHERE status = ? AND closes_at <= ? ORDER BY closes_at, id",
		string(vote.StatusOpen), now).Scan(&ids).Error
	return ids, err
}

// ClosingSoon lists open proposals closing before until that have not been
// announced as closing soon.
func (v *Votes) ClosingSoon(tx *gorm.DB, until time.Time) ([]vote.Proposal, error) {
	return v.proposals(tx, "WHERE status = ? AND closing_soon_sent = ? AND closes_at <= ? ORDER BY closes_at, id",
		string(vote.StatusOpen), false, until)
}

// MarkClosingSoon records that closing soon was announced; false when
// another instance did it first (the announcement is sent once).
func (v *Votes) MarkClosingSoon(tx *gorm.DB, id int64) (bool, error) {
	res := tx.Exec("UPDATE equity_proposals SET closing_soon_sent = ? WHERE id = ? AND closing_soon_sent = ? AND status = ?",
		true, id, false, string(vote.StatusOpen))
	return res.RowsAffected == 1, res.Error
}

// ListProposals lists a page of proposals: open ones first, then the
// newest; a page's key is the group (vote.ProposalView.PageKey) and the id.
func (v *Votes) ListProposals(tx *gorm.DB, f vote.ListFilter) ([]vote.Proposal, error) {
	const group = `(CASE WHEN status IN ('open', 'seeking_sponsors', 'closing') THEN 0 ELSE 1 END)`
	where := []string{"1 = 1"}
	var args []any
	switch f.Status {
	case "open":
		where = append(where, group+" = 0")
	case "closed":
		where = append(where, group+" = 1")
	case "":
	default:
		return nil, vote.ErrInvalidProposal.With("status is open or closed")
	}
	if k := f.Page.After; k != nil {
		where = append(where, "("+group+" > ? OR ("+group+" = ? AND id < ?))")
		args = append(args, k.Rank, k.Rank, k.ID)
	}
	tail := " ORDER BY " + group + ", id DESC"
	if f.Page.Limit > 0 {
		tail += " LIMIT ?"
		args = append(args, f.Page.Limit)
	}
	return v.proposals(tx, "WHERE "+strings.Join(where, " AND ")+tail, args...)
}

// RecordVersion appends the proposal as it stands to the register.
func (v *Votes) RecordVersion(tx *gorm.DB, p vote.Proposal) error {
	pv := p.Version()
	pv.CreatedAt = sqldb.Now(tx)
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_proposal_versions (proposal_id, revision, status, title, reason, kind, special, change,
        period_hours, proposer_id, constitution_version, ballot, opened_at, closes_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		pv.ProposalID, pv.Revision, string(pv.Status), pv.Title, pv.Reason, string(pv.Kind), pv.Special, pv.Change, pv.PeriodHours,
		pv.ProposerID, pv.ConstitutionVersion, pv.Ballot, pv.OpenedAt, pv.ClosesAt, pv.CreatedAt).Scan(&ids).Error; err != nil {
		return fmt.Errorf("insert proposal version: %w", err)
	}
	return appendLog(tx, equity.LogProposal, ids[0])
}

type proposalVersionRow struct {
	ID                  int64
	ProposalID          int64
	Revision            int
	Status              string
	Title               string
	Reason              string
	Kind                string
	Special             bool
	Change              string
	PeriodHours         int
	ProposerID          int64
	ConstitutionVersion int
	Ballot              string
	OpenedAt            *time.Time
	ClosesAt            *time.Time
	CreatedAt           time.Time
}

func (v *Votes) proposalVersions(tx *gorm.DB) ([]vote.ProposalVersion, error) {
	var rows []proposalVersionRow
	if err := tx.Raw(`SELECT id, proposal_id, revision, status, title, reason, kind, special, change, period_hours, proposer_id,
        constitution_version, ballot, opened_at, closes_at, created_at FROM equity_proposal_versions ORDER BY id`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]vote.ProposalVersion, len(rows))
	for i, r := range rows {
		out[i] = vote.ProposalVersion{ID: r.ID, ProposalID: r.ProposalID, Revision: r.Revision, Status: vote.Status(r.Status),
			Title: r.Title, Reason: r.Reason, Kind: vote.Kind(r.Kind), Special: r.Special, Change: r.Change,
			PeriodHours: r.PeriodHours, ProposerID: r.ProposerID, ConstitutionVersion: r.ConstitutionVersion, Ballot: r.Ballot,
			OpenedAt: utcPtr(r.OpenedAt), ClosesAt: utcPtr(r.ClosesAt), CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ---- sponsors ----

// AddSponsor records a co-sponsor; false if they already sponsor it.
func (v *Votes) AddSponsor(tx *gorm.DB, proposalID, member int64) (bool, error) {
	res := tx.Exec("INSERT INTO equity_proposal_sponsors (proposal_id, member_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		proposalID, member, sqldb.Now(tx))
	return res.RowsAffected == 1, res.Error
}

// Sponsors counts a proposal's co-sponsors.
func (v *Votes) Sponsors(tx *gorm.DB, proposalID int64) (int, error) {
	var n int64
	err := tx.Raw("SELECT COUNT(*) FROM equity_proposal_sponsors WHERE proposal_id = ?", proposalID).Scan(&n).Error
	return int(n), err
}

// ---- tallies ----

type tallyRow struct {
	ID                  int64
	ProposalID          int64
	Revision            int
	Status              string
	Yes                 int
	No                  int
	Abstain             int
	Eligible            int
	QuorumBP            int `gorm:"column:quorum_bp"`
	MajorityBP          int `gorm:"column:majority_bp"`
	Special             bool
	QuorumMet           bool
	Passed              bool
	Reason              string
	ConstitutionVersion int
	ExecutedWhat        string
	ExecutedID          int64
	ExecutedVersion     int
	ExecutionError      string
	CreatedAt           time.Time
}

func (r tallyRow) record() vote.TallyRecord {
	return vote.TallyRecord{ID: r.ID, ProposalID: r.ProposalID, Revision: r.Revision, Status: vote.Status(r.Status),
		Result: vote.Result{Yes: r.Yes, No: r.No, Abstain: r.Abstain, Eligible: r.Eligible, QuorumMet: r.QuorumMet,
			Passed: r.Passed, Reason: r.Reason},
		QuorumBP: r.QuorumBP, MajorityBP: r.MajorityBP, Special: r.Special, ConstitutionVersion: r.ConstitutionVersion,
		ExecutedWhat: r.ExecutedWhat, ExecutedID: r.ExecutedID, ExecutedVersion: r.ExecutedVersion,
		ExecutionError: r.ExecutionError, CreatedAt: r.CreatedAt.UTC()}
}

// Tallies reads the tallies of the given proposals (all when ids is nil).
func (v *Votes) Tallies(tx *gorm.DB, ids []int64) (map[int64]vote.TallyRecord, error) {
	q := "SELECT * FROM equity_tallies"
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return map[int64]vote.TallyRecord{}, nil
		}
		q += " WHERE proposal_id IN ?"
		args = append(args, ids)
	}
	var rows []tallyRow
	if err := tx.Raw(q+" ORDER BY id", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]vote.TallyRecord, len(rows))
	for _, r := range rows {
		out[r.ProposalID] = r.record()
	}
	return out, nil
}

// RecordTally appends how a proposal ended to the register, once (the
// proposal_id is unique).
func (v *Votes) RecordTally(tx *gorm.DB, t vote.TallyRecord) (vote.TallyRecord, error) {
	t.CreatedAt = sqldb.Now(tx)
	r := t.Result
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_tallies (proposal_id, revision, status, yes, no, abstain, eligible, quorum_bp, majority_bp,
        special, quorum_met, passed, reason, constitution_version, executed_what, executed_id, executed_version,
        execution_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.ProposalID, t.Revision, string(t.Status), r.Yes, r.No, r.Abstain, r.Eligible, t.QuorumBP, t.MajorityBP, t.Special,
		r.QuorumMet, r.Passed, r.Reason, t.ConstitutionVersion, t.ExecutedWhat, t.ExecutedID, t.ExecutedVersion,
		t.ExecutionError, t.CreatedAt).Scan(&ids).Error; err != nil {
		return t, fmt.Errorf("insert tally: %w", err)
	}
	t.ID = ids[0]
	return t, appendLog(tx, equity.LogTally, t.ID)
}

// ---- what the checks of a change read ----

// ProjectStatus is a project's status and model ("" when it does not exist).
func (rl *Rules) ProjectStatus(tx *gorm.DB, projectID int64) (status string, modelID int64, err error) {
	status, modelID, _, err = labelstore.ProjectStatus(tx, projectID)
	return status, modelID, err
}

// ModelExists reports whether a model exists.
func (rl *Rules) ModelExists(tx *gorm.DB, modelID int64) (bool, error) {
	err := modelExists(tx, modelID)
	if errors.Is(err, equity.ErrUnknownModel) {
		return false, nil
	}
	return err == nil, err
}

// ReleaseExists reports whether a model release exists.
func (rl *Rules) ReleaseExists(tx *gorm.DB, releaseID int64) (bool, error) {
	return labelstore.ReleaseExists(tx, releaseID)
}

// HasAcceptedWork reports whether any work in a project has been accepted
// (vested, corrected or reinstated): after that it is no longer new, and its
// rate card changes only by vote.
func (rl *Rules) HasAcceptedWork(tx *gorm.DB, projectID int64) (bool, error) {
	var n int64
	err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE project_id = ? AND kind IN ('vest', 'correct', 'reinstate')",
		projectID).Scan(&n).Error
	return n > 0, err
}
