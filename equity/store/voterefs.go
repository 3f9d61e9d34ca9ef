package store

import (
	"time"

	"copyhold/equity"

	"gorm.io/gorm"
)

// voteRefs reads which proposal made each rule version, with its tally, so
// that a rule changed by a vote says so wherever it is shown.
func voteRefs(tx *gorm.DB, proposalIDs []int64) (map[int64]*equity.VoteRef, error) {
	out := map[int64]*equity.VoteRef{}
	var ids []int64
	for _, id := range proposalIDs {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ProposalID int64
		Title      string
		Yes        int
		No         int
		Abstain    int
		Eligible   int
		CreatedAt  time.Time
	}
	if err := tx.Raw(`SELECT t.proposal_id, p.title, t.yes, t.no, t.abstain, t.eligible, t.created_at
        FROM equity_tallies t JOIN equity_proposals p ON p.id = t.proposal_id WHERE t.proposal_id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ProposalID] = &equity.VoteRef{ProposalID: r.ProposalID, Title: r.Title, Yes: r.Yes, No: r.No, Abstain: r.Abstain,
			Eligible: r.Eligible, ClosedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// withVotes fills the Vote of governance versions made by a vote.
func withVotes(tx *gorm.DB, gs []equity.Governance) error {
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.ProposalID
	}
	refs, err := voteRefs(tx, ids)
	for i := range gs {
		gs[i].Vote = refs[gs[i].ProposalID]
	}
	return err
}

// withCardVotes fills the Vote of rate card versions made by a vote.
func withCardVotes(tx *gorm.DB, rs []equity.RateCard) error {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ProposalID
	}
	refs, err := voteRefs(tx, ids)
	for i := range rs {
		rs[i].Vote = refs[rs[i].ProposalID]
	}
	return err
}

// registerVotes lists every decided proposal, oldest first.
func registerVotes(tx *gorm.DB) ([]equity.RegisterVote, error) {
	out := []equity.RegisterVote{}
	err := tx.Raw(`SELECT t.proposal_id, p.title, p.kind, t.status, t.yes, t.no, t.abstain, t.eligible,
            t.executed_what AS executed, t.created_at AS closed_at
        FROM equity_tallies t JOIN equity_proposals p ON p.id = t.proposal_id ORDER BY t.id`).Scan(&out).Error
	for i := range out {
		out[i].ClosedAt = out[i].ClosedAt.UTC()
	}
	return out, err
}
