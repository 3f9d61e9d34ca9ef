package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// What a pending credit reads, read ahead inside the submit's own first
// statement: labelling's StartSubmit selects CreditReadsSQL as one more
// column and hands what it read to SubmittedRead (Hooks), so a submit sends
// one statement fewer. The column is one JSON object (jsonObject, the
// dialect's function) that parseCreditReads turns into the creditState that
// creditReads returns, less the transaction stored under the credit's key:
// the submission was inserted in the same transaction, so none can exist
// yet (and were one there, the write's ON CONFLICT would find it).

// creditReadsSQL is a scalar subquery over the SQL expressions of a
// project's and a member's ids: the rules a pending credit reads
// (creditReads), as JSON text.
func creditReadsSQL(tx *gorm.DB, project, member string) string {
	return `(SELECT ` + jsonObject(tx) + `('model_id', prj.model_id, 'active', ` + labelstore.ActiveSQL(member) + `,
        'rc_id', rc.id, 'rc_project_id', rc.project_id, 'rc_version', rc.version,
        'annotation_accepted', rc.annotation_accepted, 'correction', rc.correction, 'review_decision', rc.review_decision,
        'correction_labeller_bp', rc.correction_labeller_bp, 'difficulty', rc.difficulty, 'rc_reason', rc.reason,
        'rc_actor_id', rc.actor_id, 'rc_created_at', rc.created_at, 'rc_proposal_id', rc.proposal_id,
        'g_id', g.id, 'g_version', g.version, 'transfer_fee_bp', g.transfer_fee_bp, 'holding_cap_bp', g.holding_cap_bp,
        'cap_floor', g.cap_floor, 'reserve_share_bp', g.reserve_share_bp, 'exit_rule', g.exit_rule, 'g_reason', g.reason,
        'g_actor_id', g.actor_id, 'g_created_at', g.created_at, 'g_proposal_id', g.proposal_id,
        'unit_scale', (SELECT u.scale FROM equity_units u WHERE u.code = 'unit:' || prj.model_id),
        'next_id', ` + nextTxIDSQL(tx) + `)
    FROM (SELECT ` + labelstore.ProjectModelSQL(project) + ` AS model_id) prj
    LEFT JOIN equity_rate_cards rc ON rc.project_id = ` + project + `
        AND rc.version = (SELECT MAX(version) FROM equity_rate_cards WHERE project_id = ` + project + `)
    LEFT JOIN equity_governance g ON g.version = (SELECT MAX(version) FROM equity_governance))`
}

// creditReadsRow is creditReadsSQL's object; a missing or null member is
// what creditReads reads as NULL (and its COALESCE as 0 or ”).
type creditReadsRow struct {
	ModelID              *int64   `json:"model_id"`
	Active               *sqlBool `json:"active"`
	RcID                 int64    `json:"rc_id"`
	RcProjectID          int64    `json:"rc_project_id"`
	RcVersion            int      `json:"rc_version"`
	AnnotationAccepted   int64    `json:"annotation_accepted"`
	Correction           int64    `json:"correction"`
	ReviewDecision       int64    `json:"review_decision"`
	CorrectionLabellerBP int      `json:"correction_labeller_bp"`
	Difficulty           string   `json:"difficulty"`
	RcReason             string   `json:"rc_reason"`
	RcActorID            int64    `json:"rc_actor_id"`
	RcCreatedAt          *sqlTime `json:"rc_created_at"`
	RcProposalID         int64    `json:"rc_proposal_id"`
	GID                  *int64   `json:"g_id"`
	GVersion             int      `json:"g_version"`
	TransferFeeBP        int      `json:"transfer_fee_bp"`
	HoldingCapBP         int      `json:"holding_cap_bp"`
	CapFloor             int64    `json:"cap_floor"`
	ReserveShareBP       int      `json:"reserve_share_bp"`
	ExitRule             string   `json:"exit_rule"`
	GReason              string   `json:"g_reason"`
	GActorID             int64    `json:"g_actor_id"`
	GCreatedAt           *sqlTime `json:"g_created_at"`
	GProposalID          int64    `json:"g_proposal_id"`
	UnitScale            *int32   `json:"unit_scale"`
	NextID               int64    `json:"next_id"`
}

// parseCreditReads is the creditState (without prior) that read holds.
func parseCreditReads(read string) (creditState, error) {
	var r creditReadsRow
	if err := json.Unmarshal([]byte(read), &r); err != nil {
		return creditState{}, fmt.Errorf("read the credit's rules: %w", err)
	}
	var st creditState
	if r.ModelID != nil {
		st.modelID, st.projectKnown = *r.ModelID, true
	}
	if r.Active != nil {
		st.memberKnown, st.memberActive = true, bool(*r.Active)
	}
	rl := rulesRow{
		rc: rateCardRow{ID: r.RcID, ProjectID: r.RcProjectID, Version: r.RcVersion, AnnotationAccepted: r.AnnotationAccepted,
			Correction: r.Correction, ReviewDecision: r.ReviewDecision, CorrectionLabellerBP: r.CorrectionLabellerBP,
			Difficulty: r.Difficulty, Reason: r.RcReason, ActorID: r.RcActorID, ProposalID: r.RcProposalID},
		g: governanceRow{Version: r.GVersion, TransferFeeBP: r.TransferFeeBP, HoldingCapBP: r.HoldingCapBP, CapFloor: r.CapFloor,
			ReserveShareBP: r.ReserveShareBP, ExitRule: r.ExitRule, Reason: r.GReason, ActorID: r.GActorID, ProposalID: r.GProposalID},
	}
	if r.RcCreatedAt != nil {
		rl.rcCreated = sql.NullTime{Time: time.Time(*r.RcCreatedAt), Valid: true}
	}
	if r.GCreatedAt != nil {
		rl.gCreated = sql.NullTime{Time: time.Time(*r.GCreatedAt), Valid: true}
	}
	if r.GID != nil {
		rl.gid = sql.NullInt64{Int64: *r.GID, Valid: true}
	}
	st.card, st.gov = rl.rules()
	if r.UnitScale != nil {
		st.scale = sql.NullInt32{Int32: *r.UnitScale, Valid: true}
	}
	st.nextID = r.NextID
	return st, nil
}

// sqlBool is a boolean as either database puts it in JSON: true or false on
// PostgreSQL, 1 or 0 on SQLite.
type sqlBool bool

func (b *sqlBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", "1":
		*b = true
	case "false", "0":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

// sqlTime is a timestamp as either database puts it in JSON: ISO 8601 with
// a T on PostgreSQL, the stored text (a space, an offset) on SQLite.
type sqlTime time.Time

var sqlTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999"}

func (t *sqlTime) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("not a timestamp: %s", data)
	}
	for _, layout := range sqlTimeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = sqlTime(v)
			return nil
		}
	}
	return fmt.Errorf("not a timestamp: %s", data)
}
