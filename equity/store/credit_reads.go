package store

import (
	"database/sql"
	"fmt"

	"copyhold/equity"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// What a pending credit reads before it writes, in one statement where it
// took seven: the transaction already stored under the credit's key (with
// its postings), and on the same row the project's model (labelling's table, through the SQL its store
// gives), whether the
// labeller is an active member, the project's rate card, the governance in
// force and the scale the model's unit is registered with.

// creditState is what creditReads found.
type creditState struct {
	prior        keyed // prior.t.ID 0: the key is unused
	modelID      int64
	projectKnown bool
	memberKnown  bool
	memberActive bool
	card         equity.RateCard // ID 0: the project has no rate card
	gov          equity.Governance
	scale        sql.NullInt32 // the unit's registered scale; not valid when unregistered
	nextID       int64         // the id drawn for the credit (PostgreSQL; 0 on SQLite)
}

// creditReads reads what crediting the submission stored under key needs
// (both dialects).
func creditReads(tx *gorm.DB, key string, projectID, memberID int64) (creditState, error) {
	rows, err := sqldb.Query(tx, `WITH prj AS (SELECT `+labelstore.ProjectModelSQL("?")+` AS model_id),
    rules AS (SELECT prj.model_id AS p_model_id, `+labelstore.ActiveSQL("?")+` AS member_active,
            `+rulesColumns+`,
            (SELECT u.scale FROM equity_units u WHERE u.code = 'unit:' || prj.model_id) AS unit_scale,
            `+nextTxIDSQL(tx)+` AS next_id
        FROM prj
        LEFT JOIN equity_rate_cards AS rc ON rc.project_id = ?
            AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = ?)
        LEFT JOIN equity_governance AS g ON g.version = (SELECT MAX(version) FROM equity_governance))
SELECT COALESCE(t.id, 0), COALESCE(t.body_hash, ''), COALESCE(t.kind, ''), COALESCE(t.model_id, 0),
    COALESCE(t.reverses_id, 0), COALESCE(t.resolves_id, 0), COALESCE(t.rate_card_id, 0), COALESCE(t.governance_id, 0),
    COALESCE(t.actor_id, 0), COALESCE(t.member_id, 0), COALESCE(t.project_id, 0), COALESCE(t.item_id, 0),
    COALESCE(t.submission_id, 0), COALESCE(t.review_id, 0), COALESCE(t.reason, ''), COALESCE(t.meta, ''), t.created_at,
    p.seq, p.unit, p.account, p.amount, p.category, rules.*
FROM rules
LEFT JOIN equity_transactions t ON t.idempotency_key = ?
LEFT JOIN equity_postings p ON p.tx_id = t.id
ORDER BY p.seq`, projectID, memberID, projectID, projectID, key)
	if err != nil {
		return creditState{}, fmt.Errorf("read the credit's rules: %w", err)
	}
	defer rows.Close()
	var st creditState
	first := true
	for rows.Next() {
		var r txRow
		var created sql.NullTime
		var seq, amount, modelID sql.NullInt64
		var unit, account, cat sql.NullString
		var active sql.NullBool
		var rl rulesRow
		var scale sql.NullInt32
		var nextID sql.NullInt64
		dest := append([]any{&r.ID, &r.BodyHash, &r.Kind, &r.ModelID, &r.ReversesID, &r.ResolvesID, &r.RateCardID,
			&r.GovernanceID, &r.ActorID, &r.MemberID, &r.ProjectID, &r.ItemID, &r.SubmissionID, &r.ReviewID, &r.Reason,
			&r.Meta, &created, &seq, &unit, &account, &amount, &cat, &modelID, &active}, rl.dest()...)
		if err := rows.Scan(append(dest, &scale, &nextID)...); err != nil {
			return creditState{}, fmt.Errorf("read the credit's rules: %w", err)
		}
		if first { // the rules are the same on every row
			first = false
			if r.ID != 0 {
				r.IdempotencyKey, r.CreatedAt = key, created.Time
				st.prior = keyed{t: r.tx(), hash: r.BodyHash}
			}
			st.modelID, st.projectKnown = modelID.Int64, modelID.Valid
			st.memberKnown, st.memberActive = active.Valid, active.Bool
			st.card, st.gov = rl.rules()
			st.scale, st.nextID = scale, nextID.Int64
		}
		if seq.Valid {
			st.prior.t.Postings = append(st.prior.t.Postings, equity.Posting{Seq: int(seq.Int64), Unit: unit.String,
				Account: account.String, Amount: amount.Int64, Category: equity.Category(cat.String)})
		}
	}
	if err := rows.Err(); err != nil {
		return creditState{}, fmt.Errorf("read the credit's rules: %w", err)
	}
	if first {
		return creditState{}, fmt.Errorf("read the credit's rules: no row")
	}
	return st, nil
}
