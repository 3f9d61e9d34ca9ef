package store

import (
	"database/sql"
	"fmt"

	"copyhold/equity"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// What resolving a pending credit reads before it writes, in one statement
// where it took ten: the answer already stored under the decision's key and
// the pending credit, both with their postings, and any earlier resolution of
// the credit; and, on every row, the rules in force for the credit's project,
// the labeller's receivable and entry fee, and whether the labeller and the
// reviewer are active members (labelling's table, through the SQL its store
// gives).

// keyed is a transaction found by its idempotency key, with its body hash.
type keyed struct {
	t    equity.Transaction
	hash string
}

// labellerState is what vesting units to a member depends on.
type labellerState struct {
	known, active bool
	receivable    int64 // ≤ 0: units owed from an earlier clawback
	fee           EntryFee
}

// resolution is what resolveReads found.
type resolution struct {
	found          map[string]keyed // by idempotency key, and the earlier resolution (if any) under its own
	card           equity.RateCard  // ID 0: the project has no rate card
	gov            equity.Governance
	labeller       labellerState
	reviewerActive bool
	nextID         int64 // the id drawn for the transaction to write (PostgreSQL; 0 on SQLite)
}

// The account names of equity.ModelUnit, equity.Receivable and equity.Vested,
// as SQL over the pending credit's row (TestVestStatements and the
// receivable and entry-fee tests fail if they drift apart).
const (
	pendUnitSQL       = `'unit:' || pend.model_id`
	pendReceivableSQL = `'member:' || pend.member_id || ':receivable'`
	pendVestedSQL     = `'member:' || pend.member_id || ':vested'`
)

// resolveReads reads what resolving the credit stored under pendKey by the
// decision stored under key needs, in one statement (both dialects).
func resolveReads(tx *gorm.DB, key, pendKey string, reviewer int64) (resolution, error) {
	rows, err := sqldb.Query(tx, `WITH pend AS (SELECT t.id, t.model_id, t.member_id, t.project_id
        FROM (SELECT 1 AS one) AS one LEFT JOIN equity_transactions t ON t.idempotency_key = ?),
    rules AS (SELECT `+rulesColumns+`,
            COALESCE((SELECT b.balance FROM equity_balances b WHERE b.unit = `+pendUnitSQL+` AND b.account = `+pendReceivableSQL+`), 0) AS receivable,
            f.fee AS fee,
            CASE WHEN f.fee IS NULL THEN 0 ELSE COALESCE((SELECT SUM(p.amount) FROM equity_postings p
                WHERE p.account = `+pendVestedSQL+` AND p.category = ?), 0) END AS fee_paid,
            `+labelstore.ActiveSQL("pend.member_id")+` AS labeller_active,
            `+labelstore.ActiveSQL("?")+` AS reviewer_active,
            `+nextTxIDSQL(tx)+` AS next_id
        FROM pend
        LEFT JOIN equity_rate_cards AS rc ON rc.project_id = pend.project_id
            AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = pend.project_id)
        LEFT JOIN equity_governance AS g ON g.version = (SELECT MAX(version) FROM equity_governance)
        LEFT JOIN equity_entry_fees AS f ON f.member_id = pend.member_id)
SELECT `+txColumns+`, p.seq, p.unit, p.account, p.amount, p.category, rules.*
FROM equity_transactions t LEFT JOIN equity_postings p ON p.tx_id = t.id CROSS JOIN rules
WHERE t.idempotency_key IN (?, ?) OR t.resolves_id = (SELECT id FROM pend)
ORDER BY t.id, p.seq`, pendKey, string(equity.CatEntryFee), reviewer, key, pendKey)
	if err != nil {
		return resolution{}, fmt.Errorf("read ledger transactions and rules: %w", err)
	}
	defer rows.Close()
	res := resolution{found: map[string]keyed{}}
	first := true
	for rows.Next() {
		var r txRow
		var seq, amount sql.NullInt64
		var unit, account, cat sql.NullString
		var rl rulesRow
		var fee sql.NullInt64
		var receivable, feePaid int64
		var labellerActive, reviewerActive sql.NullBool
		var nextID sql.NullInt64
		dest := append([]any{&r.ID, &r.IdempotencyKey, &r.BodyHash, &r.Kind, &r.ModelID, &r.ReversesID, &r.ResolvesID,
			&r.RateCardID, &r.GovernanceID, &r.ActorID, &r.MemberID, &r.ProjectID, &r.ItemID, &r.SubmissionID,
			&r.ReviewID, &r.Reason, &r.Meta, &r.CreatedAt, &seq, &unit, &account, &amount, &cat}, rl.dest()...)
		if err := rows.Scan(append(dest, &receivable, &fee, &feePaid, &labellerActive, &reviewerActive, &nextID)...); err != nil {
			return resolution{}, fmt.Errorf("read ledger transactions and rules: %w", err)
		}
		k, ok := res.found[r.IdempotencyKey]
		if !ok {
			k = keyed{t: r.tx(), hash: r.BodyHash}
		}
		if seq.Valid {
			k.t.Postings = append(k.t.Postings, equity.Posting{Seq: int(seq.Int64), Unit: unit.String, Account: account.String,
				Amount: amount.Int64, Category: equity.Category(cat.String)})
		}
		res.found[r.IdempotencyKey] = k
		if first { // the rules are the same on every row
			res.card, res.gov = rl.rules()
			res.labeller = labellerState{known: labellerActive.Valid, active: labellerActive.Bool, receivable: receivable}
			if fee.Valid {
				res.labeller.fee = EntryFee{Fee: fee.Int64, Settled: -feePaid}
			}
			res.reviewerActive, res.nextID = reviewerActive.Bool, nextID.Int64
			first = false
		}
	}
	return res, rows.Err()
}

// rulesColumns select the rate card (rc) and the governance (g) in force, as
// resolveReads and creditReads join them; rulesRow scans them.
const rulesColumns = `COALESCE(rc.id, 0) AS rc_id, COALESCE(rc.project_id, 0) AS rc_project_id, COALESCE(rc.version, 0) AS rc_version,
            COALESCE(rc.annotation_accepted, 0) AS annotation_accepted, COALESCE(rc.correction, 0) AS correction,
            COALESCE(rc.review_decision, 0) AS review_decision, COALESCE(rc.correction_labeller_bp, 0) AS correction_labeller_bp,
            COALESCE(rc.difficulty, '') AS difficulty, COALESCE(rc.reason, '') AS rc_reason, COALESCE(rc.actor_id, 0) AS rc_actor_id,
            rc.created_at AS rc_created_at, COALESCE(rc.proposal_id, 0) AS rc_proposal_id,
            g.id AS g_id, COALESCE(g.version, 0) AS g_version, COALESCE(g.transfer_fee_bp, 0) AS transfer_fee_bp,
            COALESCE(g.holding_cap_bp, 0) AS holding_cap_bp, COALESCE(g.cap_floor, 0) AS cap_floor,
            COALESCE(g.reserve_share_bp, 0) AS reserve_share_bp, COALESCE(g.exit_rule, '') AS exit_rule,
            COALESCE(g.reason, '') AS g_reason, COALESCE(g.actor_id, 0) AS g_actor_id, g.created_at AS g_created_at,
            COALESCE(g.proposal_id, 0) AS g_proposal_id`

// rulesRow is one row's rulesColumns.
type rulesRow struct {
	rc                  rateCardRow
	g                   governanceRow
	rcCreated, gCreated sql.NullTime
	gid                 sql.NullInt64
}

// dest are the scan destinations of rulesColumns, in order.
func (r *rulesRow) dest() []any {
	return []any{&r.rc.ID, &r.rc.ProjectID, &r.rc.Version, &r.rc.AnnotationAccepted, &r.rc.Correction, &r.rc.ReviewDecision,
		&r.rc.CorrectionLabellerBP, &r.rc.Difficulty, &r.rc.Reason, &r.rc.ActorID, &r.rcCreated, &r.rc.ProposalID,
		&r.gid, &r.g.Version, &r.g.TransferFeeBP, &r.g.HoldingCapBP, &r.g.CapFloor, &r.g.ReserveShareBP, &r.g.ExitRule,
		&r.g.Reason, &r.g.ActorID, &r.gCreated, &r.g.ProposalID}
}

// rules are the rate card (ID 0: the project has none) and the governance
// in force (the defaults when none was ever set).
func (r *rulesRow) rules() (equity.RateCard, equity.Governance) {
	var card equity.RateCard
	if r.rc.ID != 0 {
		r.rc.CreatedAt = r.rcCreated.Time
		card = r.rc.card()
	}
	gov := equity.DefaultGovernance()
	if r.gid.Valid {
		r.g.ID, r.g.CreatedAt = r.gid.Int64, r.gCreated.Time
		gov = r.g.gov()
	}
	return card, gov
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
