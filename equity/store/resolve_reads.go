package store

import (
	"database/sql"
	"fmt"

	"copyhold/equity"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// What resolving a pending credit reads before it writes, in three
// statements where it took ten: the answer already stored under the
// decision's key and the pending credit, both with their postings; the rules
// in force with the labeller's receivable and entry fee; and whether the
// labeller and the reviewer are active members (labelling's table, through
// its store).

// keyed is a transaction found by its idempotency key, with its body hash.
type keyed struct {
	t    equity.Transaction
	hash string
}

// txsByKeys loads the transactions stored under keys, and the one that
// resolved the transaction stored under resolved (if any), with their
// postings, in one statement.
func txsByKeys(tx *gorm.DB, resolved string, keys ...string) (map[string]keyed, error) {
	rows, err := tx.Raw(`SELECT `+txColumns+`, p.seq, p.unit, p.account, p.amount, p.category
        FROM equity_transactions t LEFT JOIN equity_postings p ON p.tx_id = t.id
        WHERE t.idempotency_key IN ?
           OR t.resolves_id = (SELECT r.id FROM equity_transactions r WHERE r.idempotency_key = ?)
        ORDER BY t.id, p.seq`, keys, resolved).Rows()
	if err != nil {
		return nil, fmt.Errorf("load ledger transactions: %w", err)
	}
	defer rows.Close()
	out := map[string]keyed{}
	for rows.Next() {
		var r txRow
		var seq, amount sql.NullInt64
		var unit, account, cat sql.NullString
		if err := rows.Scan(&r.ID, &r.IdempotencyKey, &r.BodyHash, &r.Kind, &r.ModelID, &r.ReversesID, &r.ResolvesID,
			&r.RateCardID, &r.GovernanceID, &r.ActorID, &r.MemberID, &r.ProjectID, &r.ItemID, &r.SubmissionID,
			&r.ReviewID, &r.Reason, &r.Meta, &r.CreatedAt, &seq, &unit, &account, &amount, &cat); err != nil {
			return nil, err
		}
		k, ok := out[r.IdempotencyKey]
		if !ok {
			k = keyed{t: r.tx(), hash: r.BodyHash}
		}
		if seq.Valid {
			k.t.Postings = append(k.t.Postings, equity.Posting{Seq: int(seq.Int64), Unit: unit.String, Account: account.String,
				Amount: amount.Int64, Category: equity.Category(cat.String)})
		}
		out[r.IdempotencyKey] = k
	}
	return out, rows.Err()
}

// replayOf answers a key already used: the stored transaction for the same
// body, a conflict for another (as existing does).
func replayOf(k keyed, key, hash string) (equity.Transaction, error) {
	if k.hash != hash {
		return equity.Transaction{}, equity.ErrIdempotency.With("idempotency key %q was already used with a different request", key)
	}
	t := k.t
	t.Existing = true
	return t, nil
}

// labellerState is what vesting units to a member depends on.
type labellerState struct {
	known, active bool
	receivable    int64 // ≤ 0: units owed from an earlier clawback
	fee           EntryFee
}

// rulesFor reads the project's current rate card and the current
// governance, with the member's receivable in unit and entry fee, in one
// statement.
func rulesFor(tx *gorm.DB, projectID int64, unit string, member int64) (equity.RateCard, equity.Governance, labellerState, error) {
	rows, err := tx.Raw(`SELECT rc.id, rc.project_id, rc.version, rc.annotation_accepted, rc.correction, rc.review_decision,
    rc.correction_labeller_bp, rc.difficulty, rc.reason, COALESCE(rc.actor_id, 0), rc.created_at, COALESCE(rc.proposal_id, 0),
    g.id, COALESCE(g.version, 0), COALESCE(g.transfer_fee_bp, 0), COALESCE(g.holding_cap_bp, 0), COALESCE(g.cap_floor, 0),
    COALESCE(g.reserve_share_bp, 0), COALESCE(g.exit_rule, ''), COALESCE(g.reason, ''), COALESCE(g.actor_id, 0), g.created_at,
    COALESCE(g.proposal_id, 0),
    COALESCE((SELECT b.balance FROM equity_balances b WHERE b.unit = ? AND b.account = ?), 0),
    f.fee,
    CASE WHEN f.fee IS NULL THEN 0 ELSE COALESCE((SELECT SUM(p.amount) FROM equity_postings p
        WHERE p.account = ? AND p.category = ?), 0) END
FROM equity_rate_cards AS rc
LEFT JOIN equity_governance AS g ON g.version = (SELECT MAX(version) FROM equity_governance)
LEFT JOIN equity_entry_fees AS f ON f.member_id = ?
WHERE rc.project_id = ? AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = ?)`,
		unit, equity.Receivable(member), equity.Vested(member), string(equity.CatEntryFee), member, projectID, projectID).Rows()
	if err != nil {
		return equity.RateCard{}, equity.Governance{}, labellerState{}, fmt.Errorf("read rules: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return equity.RateCard{}, equity.Governance{}, labellerState{}, fmt.Errorf("read rules: %w", err)
		}
		return equity.RateCard{}, equity.Governance{}, labellerState{}, equity.ErrNoRateCard.With("project %d has no rate card yet; a coordinator must set one", projectID)
	}
	var rc rateCardRow
	var g governanceRow
	var gid, fee sql.NullInt64
	var gCreated sql.NullTime
	var receivable, feePaid int64
	if err := rows.Scan(&rc.ID, &rc.ProjectID, &rc.Version, &rc.AnnotationAccepted, &rc.Correction, &rc.ReviewDecision,
		&rc.CorrectionLabellerBP, &rc.Difficulty, &rc.Reason, &rc.ActorID, &rc.CreatedAt, &rc.ProposalID,
		&gid, &g.Version, &g.TransferFeeBP, &g.HoldingCapBP, &g.CapFloor, &g.ReserveShareBP, &g.ExitRule, &g.Reason, &g.ActorID,
		&gCreated, &g.ProposalID, &receivable, &fee, &feePaid); err != nil {
		return equity.RateCard{}, equity.Governance{}, labellerState{}, fmt.Errorf("read rules: %w", err)
	}
	gov := equity.DefaultGovernance()
	if gid.Valid {
		g.ID, g.CreatedAt = gid.Int64, gCreated.Time
		gov = g.gov()
	}
	st := labellerState{receivable: receivable, fee: EntryFee{MemberID: member}}
	if fee.Valid {
		st.fee.Fee, st.fee.Settled = fee.Int64, -feePaid
	}
	return rc.card(), gov, st, rows.Err()
}

// withActive fills in whether member (and reviewer, if not 0) are active.
func withActive(tx *gorm.DB, st *labellerState, member, reviewer int64) (reviewerActive bool, err error) {
	ids := []int64{member}
	if reviewer != 0 && reviewer != member {
		ids = append(ids, reviewer)
	}
	act, err := labelstore.ActiveOf(tx, ids...)
	if err != nil {
		return false, err
	}
	st.active = act[member]
	_, st.known = act[member]
	return act[reviewer], nil
}
