package store

import (
	"fmt"
	"sort"
	"time"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Secret ballots. Who has voted (equity_proposal_voters) and the ballots
// (equity_ballots, keyed by the hash of a random receipt) are separate rows
// with nothing in common: no member on a secret ballot, no time and no
// serial id on either. Writing a secret ballot rewrites all of the
// proposal's ballots in receipt order, so on PostgreSQL every live ballot
// row carries the same transaction id and sits in receipt order, and
// neither says which ballot the latest voter cast (SQLite stores the table
// WITHOUT ROWID, in key order). See docs/GOVERNANCE.md for what remains.

// HasVoted reports whether the member has voted on the proposal.
func (v *Votes) HasVoted(tx *gorm.DB, proposalID, member int64) (bool, error) {
	var n int64
	err := tx.Raw("SELECT COUNT(*) FROM equity_proposal_voters WHERE proposal_id = ? AND member_id = ?", proposalID, member).Scan(&n).Error
	return n > 0, err
}

// MarkVoted records that the member voted, and nothing else.
func (v *Votes) MarkVoted(tx *gorm.DB, proposalID, member int64) error {
	return tx.Exec("INSERT INTO equity_proposal_voters (proposal_id, member_id) VALUES (?, ?)", proposalID, member).Error
}

// VoterIDs lists who has voted on a proposal.
func (v *Votes) VoterIDs(tx *gorm.DB, proposalID int64) ([]int64, error) {
	var ids []int64
	err := tx.Raw("SELECT member_id FROM equity_proposal_voters WHERE proposal_id = ? ORDER BY member_id", proposalID).Scan(&ids).Error
	return ids, err
}

// Ballot is one running ballot.
type Ballot struct {
	ReceiptHash string
	Choice      vote.Choice
	MemberID    int64 // open ballots only
}

// Ballots reads a proposal's running ballots in receipt order.
func (v *Votes) Ballots(tx *gorm.DB, proposalID int64) ([]Ballot, error) {
	var rows []struct {
		ReceiptHash string
		Choice      string
		MemberID    int64
	}
	if err := tx.Raw(`SELECT receipt_hash, choice, COALESCE(member_id, 0) AS member_id FROM equity_ballots
        WHERE proposal_id = ? ORDER BY receipt_hash`, proposalID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Ballot, len(rows))
	for i, r := range rows {
		out[i] = Ballot{r.ReceiptHash, vote.Choice(r.Choice), r.MemberID}
	}
	return out, nil
}

// PutSecretBallot casts (or, for a hash already there, changes) a secret
// ballot, rewriting all of the proposal's ballots in receipt order.
func (v *Votes) PutSecretBallot(tx *gorm.DB, proposalID int64, hash string, choice vote.Choice) error {
	bs, err := v.Ballots(tx, proposalID)
	if err != nil {
		return err
	}
	found := false
	for i := range bs {
		if bs[i].ReceiptHash == hash {
			bs[i].Choice, found = choice, true
		}
	}
	if !found {
		bs = append(bs, Ballot{ReceiptHash: hash, Choice: choice})
	}
	return v.writeBallots(tx, proposalID, bs)
}

// PutOpenBallot replaces the member's open ballot.
func (v *Votes) PutOpenBallot(tx *gorm.DB, proposalID, member int64, hash string, choice vote.Choice) error {
	if err := tx.Exec("DELETE FROM equity_ballots WHERE proposal_id = ? AND member_id = ?", proposalID, member).Error; err != nil {
		return err
	}
	return tx.Exec("INSERT INTO equity_ballots (proposal_id, receipt_hash, choice, member_id) VALUES (?, ?, ?, ?)",
		proposalID, hash, string(choice), member).Error
}

func (v *Votes) writeBallots(tx *gorm.DB, proposalID int64, bs []Ballot) error {
	if err := tx.Exec("DELETE FROM equity_ballots WHERE proposal_id = ?", proposalID).Error; err != nil {
		return err
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].ReceiptHash < bs[j].ReceiptHash })
	for start := 0; start < len(bs); start += 500 {
		end := min(start+500, len(bs))
		q := "INSERT INTO equity_ballots (proposal_id, receipt_hash, choice, member_id) VALUES "
		args := make([]any, 0, 4*(end-start))
		for i, b := range bs[start:end] {
			if i > 0 {
				q += ", "
			}
			q += "(?, ?, ?, ?)"
			args = append(args, proposalID, b.ReceiptHash, string(b.Choice), nz(b.MemberID))
		}
		if err := tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("write ballots: %w", err)
		}
	}
	return nil
}

// DiscardBallots forgets every ballot and voter of a proposal (an amendment
// restarts the vote).
func (v *Votes) DiscardBallots(tx *gorm.DB, proposalID int64) error {
	if err := tx.Exec("DELETE FROM equity_ballots WHERE proposal_id = ?", proposalID).Error; err != nil {
		return err
	}
	return tx.Exec("DELETE FROM equity_proposal_voters WHERE proposal_id = ?", proposalID).Error
}

// PublishBallots puts every ballot of a closing proposal on the register, in
// receipt order, as (receipt hash, choice), with the member only for open
// ballots; the running ballots are then removed.
func (v *Votes) PublishBallots(tx *gorm.DB, proposalID int64) ([]vote.PublishedBallot, error) {
	bs, err := v.Ballots(tx, proposalID)
	if err != nil {
		return nil, err
	}
	now := sqldb.Now(tx)
	out := make([]vote.PublishedBallot, 0, len(bs))
	for _, b := range bs {
		pb := vote.PublishedBallot{ProposalID: proposalID, Receipt: b.ReceiptHash, Choice: b.Choice, MemberID: b.MemberID, CreatedAt: now}
		var ids []int64
		if err := tx.Raw(`INSERT INTO equity_published_ballots (proposal_id, receipt_hash, choice, member_id, created_at)
            VALUES (?, ?, ?, ?, ?) RETURNING id`, proposalID, pb.Receipt, string(pb.Choice), nz(pb.MemberID), now).Scan(&ids).Error; err != nil {
			return nil, fmt.Errorf("publish ballot: %w", err)
		}
		pb.ID = ids[0]
		if err := appendLog(tx, equity.LogBallot, pb.ID); err != nil {
			return nil, err
		}
		out = append(out, pb)
	}
	return out, tx.Exec("DELETE FROM equity_ballots WHERE proposal_id = ?", proposalID).Error
}

// PublishedBallots reads the ballots published at close (all proposals when id is 0).
func (v *Votes) PublishedBallots(tx *gorm.DB, proposalID int64) ([]vote.PublishedBallot, error) {
	q := `SELECT id, proposal_id, receipt_hash, choice, COALESCE(member_id, 0) AS member_id, created_at FROM equity_published_ballots`
	var args []any
	if proposalID != 0 {
		q += " WHERE proposal_id = ?"
		args = append(args, proposalID)
	}
	var rows []struct {
		ID          int64
		ProposalID  int64
		ReceiptHash string
		Choice      string
		MemberID    int64
		CreatedAt   time.Time
	}
	if err := tx.Raw(q+" ORDER BY id", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]vote.PublishedBallot, len(rows))
	for i, r := range rows {
		out[i] = vote.PublishedBallot{ID: r.ID, ProposalID: r.ProposalID, Receipt: r.ReceiptHash, Choice: vote.Choice(r.Choice),
			MemberID: r.MemberID, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
