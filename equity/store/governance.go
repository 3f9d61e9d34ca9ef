package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"copyhold/equity"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// ---- labelling's members, projects and models ----
//
// The register reads them through labeling/store's transaction-level
// functions, never by SELECTing labelling's tables.

// activeMember reports whether id is an active member (false if unknown).
func activeMember(tx *gorm.DB, id int64) (known, active bool, err error) {
	return labelstore.MemberActive(tx, id)
}

func projectModel(tx *gorm.DB, projectID int64) (int64, error) {
	id, ok, err := labelstore.ProjectModel(tx, projectID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, equity.ErrUnknownProject.With("project %d not found", projectID)
	}
	return id, nil
}

func modelExists(tx *gorm.DB, modelID int64) error {
	_, ok, err := labelstore.ModelName(tx, modelID)
	if err != nil {
		return err
	}
	if !ok {
		return equity.ErrUnknownModel.With("model %d not found", modelID)
	}
	return nil
}

// ensureUnit registers a unit with its scale, or checks the scale it has.
func ensureUnit(tx *gorm.DB, code string, modelID int64, scale int32) error {
	var sc []int32
	if err := tx.Raw("SELECT scale FROM equity_units WHERE code = ?", code).Scan(&sc).Error; err != nil {
		return err
	}
	if len(sc) == 0 {
		if err := tx.Exec("INSERT INTO equity_units (code, model_id, scale, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			code, nz(modelID), scale, sqldb.Now(tx)).Error; err != nil {
			return fmt.Errorf("register unit %s: %w", code, err)
		}
		if err := tx.Raw("SELECT scale FROM equity_units WHERE code = ?", code).Scan(&sc).Error; err != nil {
			return err
		}
	}
	if len(sc) == 1 && sc[0] != scale {
		return equity.ErrScaleMismatch.With("%s is used with scale %d, not %d", code, sc[0], scale)
	}
	return nil
}

// checkUnit is ensureUnit for a caller that has read the unit's scale
// (not valid: unregistered, so register it).
func checkUnit(tx *gorm.DB, code string, modelID int64, scale sql.NullInt32) error {
	if !scale.Valid {
		return ensureUnit(tx, code, modelID, equity.UnitScale)
	}
	if scale.Int32 != equity.UnitScale {
		return equity.ErrScaleMismatch.With("%s is used with scale %d, not %d", code, scale.Int32, equity.UnitScale)
	}
	return nil
}

// issued is the number of units of a model issued so far (minus the derived
// issuance balance): the sum of every stored balance in the unit.
func issued(tx *gorm.DB, unit string) (int64, error) {
	var n []int64
	if err := tx.Raw("SELECT COALESCE(SUM(balance), 0) FROM equity_balances WHERE unit = ?", unit).Scan(&n).Error; err != nil {
		return 0, err
	}
	if len(n) == 0 {
		return 0, nil
	}
	return n[0], nil
}

func balance(tx *gorm.DB, unit, account string) (int64, error) {
	var n []int64
	if err := tx.Raw("SELECT balance FROM equity_balances WHERE unit = ? AND account = ?", unit, account).Scan(&n).Error; err != nil {
		return 0, err
	}
	if len(n) == 0 {
		return 0, nil
	}
	return n[0], nil
}

// capCheck refuses a change that puts a member above the holding cap. after
// holds the new balances of the locked accounts; the member's other account
// (pending or vested) is read as it stands.
func capCheck(tx *gorm.DB, g equity.Governance, unit string, member int64, after map[balKey]int64, issuedDelta int64) error {
	if !g.Capped() {
		return nil
	}
	held := int64(0)
	for _, acc := range []string{equity.Pending(member), equity.Vested(member)} {
		if b, ok := after[balKey{unit, acc}]; ok {
			held += b
			continue
		}
		b, err := balance(tx, unit, acc)
		if err != nil {
			return err
		}
		held += b
	}
	total, err := issued(tx, unit)
	if err != nil {
		return err
	}
	total += issuedDelta
	if !g.WithinCap(held, total) {
		return equity.ErrHoldingCap.With("member %d would hold %s of %s issued %s units, above the cap of %d bp",
			member, equity.Format(held, equity.UnitScale), equity.Format(total, equity.UnitScale), unit, g.HoldingCapBP)
	}
	return nil
}

// ---- rate cards ----

type rateCardRow struct {
	ID                   int64
	ProjectID            int64
	Version              int
	AnnotationAccepted   int64
	Correction           int64
	ReviewDecision       int64
	CorrectionLabellerBP int `gorm:"column:correction_labeller_bp"`
	Difficulty           string
	Reason               string
	ActorID              int64
	CreatedAt            time.Time
	ProposalID           int64
}

func (r rateCardRow) card() equity.RateCard {
	c := equity.RateCard{ID: r.ID, ProjectID: r.ProjectID, Version: r.Version, AnnotationAccepted: r.AnnotationAccepted,
		Correction: r.Correction, ReviewDecision: r.ReviewDecision, CorrectionLabellerBP: r.CorrectionLabellerBP,
		Reason: r.Reason, ActorID: r.ActorID, CreatedAt: r.CreatedAt.UTC(), Difficulty: map[string]int{}, ProposalID: r.ProposalID}
	json.Unmarshal([]byte(r.Difficulty), &c.Difficulty)
	return c
}

const rateCardColumns = `id, project_id, version, annotation_accepted, correction, review_decision, correction_labeller_bp,
    difficulty, reason, COALESCE(actor_id, 0) AS actor_id, created_at, COALESCE(proposal_id, 0) AS proposal_id`

// CurrentRateCard is the newest rate card of a project.
func CurrentRateCard(tx *gorm.DB, projectID int64) (equity.RateCard, error) {
	var rows []rateCardRow
	if err := tx.Raw("SELECT "+rateCardColumns+" FROM equity_rate_cards WHERE project_id = ? ORDER BY version DESC LIMIT 1", projectID).Scan(&rows).Error; err != nil {
		return equity.RateCard{}, err
	}
	if len(rows) == 0 {
		return equity.RateCard{}, equity.ErrNoRateCard.With("project %d has no rate card yet; a coordinator must set one", projectID)
	}
	return rows[0].card(), nil
}

func rateCards(tx *gorm.DB, where string, args ...any) ([]equity.RateCard, error) {
	var rows []rateCardRow
	if err := tx.Raw("SELECT "+rateCardColumns+" FROM equity_rate_cards WHERE "+where+" ORDER BY id", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]equity.RateCard, len(rows))
	for i, r := range rows {
		out[i] = r.card()
	}
	return out, nil
}

// SetRateCard appends a new version of a project's rate card: a governance
// action, recorded on the register (hash chain) and as an event.
func SetRateCard(tx *gorm.DB, actorID int64, rc equity.RateCard) (equity.RateCard, error) {
	if err := rc.Validate(); err != nil {
		return rc, err
	}
	if rc.AnnotationAccepted <= 0 {
		return rc, equity.ErrInvalidRateCard.With("annotation_accepted must be greater than zero")
	}
	modelID, err := projectModel(tx, rc.ProjectID)
	if err != nil {
		return rc, err
	}
	var v []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM equity_rate_cards WHERE project_id = ?", rc.ProjectID).Scan(&v).Error; err != nil {
		return rc, err
	}
	rc.Version = v[0] + 1
	rc.ActorID = actorID
	rc.CreatedAt = sqldb.Now(tx)
	if rc.Difficulty == nil {
		rc.Difficulty = map[string]int{}
	}
	diff, _ := json.Marshal(rc.Difficulty)
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_rate_cards (project_id, version, annotation_accepted, correction, review_decision,
        correction_labeller_bp, difficulty, reason, actor_id, created_at, proposal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		rc.ProjectID, rc.Version, rc.AnnotationAccepted, rc.Correction, rc.ReviewDecision, rc.CorrectionLabellerBP,
		string(diff), rc.Reason, nz(actorID), rc.CreatedAt, nz(rc.ProposalID)).Scan(&ids).Error; err != nil {
		return rc, fmt.Errorf("insert rate card: %w", err)
	}
	rc.ID = ids[0]
	if err := ensureUnit(tx, equity.ModelUnit(modelID), modelID, equity.UnitScale); err != nil {
		return rc, err
	}
	if err := appendLog(tx, equity.LogRateCard, rc.ID); err != nil {
		return rc, err
	}
	err = event.Append(tx, "equity.rate_card_changed", event.CoopScope, actorPtr(actorID), map[string]any{
		"rate_card_id": rc.ID, "project_id": rc.ProjectID, "model_id": modelID, "version": rc.Version, "reason": rc.Reason,
		"annotation_accepted":    equity.Format(rc.AnnotationAccepted, equity.UnitScale),
		"correction":             equity.Format(rc.Correction, equity.UnitScale),
		"review_decision":        equity.Format(rc.ReviewDecision, equity.UnitScale),
		"correction_labeller_bp": rc.CorrectionLabellerBP, "difficulty": rc.Difficulty, "proposal_id": rc.ProposalID,
	})
	return rc, err
}

// ---- governance ----

type governanceRow struct {
	ID             int64
	Version        int
	TransferFeeBP  int `gorm:"column:transfer_fee_bp"`
	HoldingCapBP   int `gorm:"column:holding_cap_bp"`
	CapFloor       int64
	ReserveShareBP int `gorm:"column:reserve_share_bp"`
	ExitRule       string
	Reason         string
	ActorID        int64
	CreatedAt      time.Time
	ProposalID     int64
}

func (r governanceRow) gov() equity.Governance {
	return equity.Governance{ID: r.ID, Version: r.Version, TransferFeeBP: r.TransferFeeBP, HoldingCapBP: r.HoldingCapBP,
		CapFloor: r.CapFloor, ReserveShareBP: r.ReserveShareBP, ExitRule: equity.ExitRule(r.ExitRule), Reason: r.Reason,
		ActorID: r.ActorID, CreatedAt: r.CreatedAt.UTC(), ProposalID: r.ProposalID}
}

const governanceColumns = `id, version, transfer_fee_bp, holding_cap_bp, cap_floor, reserve_share_bp, exit_rule, reason,
    COALESCE(actor_id, 0) AS actor_id, created_at, COALESCE(proposal_id, 0) AS proposal_id`

// CurrentGovernance is the newest governance version, or the defaults.
func CurrentGovernance(tx *gorm.DB) (equity.Governance, error) {
	var rows []governanceRow
	if err := tx.Raw("SELECT " + governanceColumns + " FROM equity_governance ORDER BY version DESC LIMIT 1").Scan(&rows).Error; err != nil {
		return equity.Governance{}, err
	}
	if len(rows) == 0 {
		return equity.DefaultGovernance(), nil
	}
	return rows[0].gov(), nil
}

func governanceHistory(tx *gorm.DB) ([]equity.Governance, error) {
	var rows []governanceRow
	if err := tx.Raw("SELECT " + governanceColumns + " FROM equity_governance ORDER BY version").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]equity.Governance, len(rows))
	for i, r := range rows {
		out[i] = r.gov()
	}
	return out, nil
}

// SetGovernance appends a new version of the co-op's ledger parameters,
// recorded on the register and as an event.
func SetGovernance(tx *gorm.DB, actorID int64, g equity.Governance) (equity.Governance, error) {
	if err := g.Validate(); err != nil {
		return g, err
	}
	var v []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM equity_governance").Scan(&v).Error; err != nil {
		return g, err
	}
	g.Version = v[0] + 1
	g.ActorID = actorID
	g.CreatedAt = sqldb.Now(tx)
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_governance (version, transfer_fee_bp, holding_cap_bp, cap_floor, reserve_share_bp,
        exit_rule, reason, actor_id, created_at, proposal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		g.Version, g.TransferFeeBP, g.HoldingCapBP, g.CapFloor, g.ReserveShareBP, string(g.ExitRule), g.Reason, nz(actorID), g.CreatedAt,
		nz(g.ProposalID)).Scan(&ids).Error; err != nil {
		return g, fmt.Errorf("insert governance: %w", err)
	}
	g.ID = ids[0]
	if err := appendLog(tx, equity.LogGovernance, g.ID); err != nil {
		return g, err
	}
	err := event.Append(tx, "equity.governance_changed", event.CoopScope, actorPtr(actorID), map[string]any{
		"governance_id": g.ID, "version": g.Version, "transfer_fee_bp": g.TransferFeeBP, "holding_cap_bp": g.HoldingCapBP,
		"cap_floor": equity.Format(g.CapFloor, equity.UnitScale), "reserve_share_bp": g.ReserveShareBP,
		"exit_rule": g.ExitRule, "reason": g.Reason, "proposal_id": g.ProposalID,
	})
	return g, err
}

func actorPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// SetRateCard is the own-transaction form of the package function.
func (s *Store) SetRateCard(ctx context.Context, actorID int64, rc equity.RateCard) (out equity.RateCard, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		out, err = SetRateCard(tx, actorID, rc)
		return err
	})
	return out, err
}

// SetGovernance is the own-transaction form of the package function.
func (s *Store) SetGovernance(ctx context.Context, actorID int64, g equity.Governance) (out equity.Governance, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		out, err = SetGovernance(tx, actorID, g)
		return err
	})
	return out, err
}

// Governance is the current governance version (or the defaults).
func (s *Store) Governance(ctx context.Context) (equity.Governance, error) {
	g, err := CurrentGovernance(s.db.WithContext(ctx))
	if err != nil {
		return g, err
	}
	gs := []equity.Governance{g}
	err = withVotes(s.db.WithContext(ctx), gs)
	return gs[0], err
}

// RateCard is a project's current rate card.
func (s *Store) RateCard(ctx context.Context, projectID int64) (equity.RateCard, error) {
	rc, err := CurrentRateCard(s.db.WithContext(ctx), projectID)
	if err != nil {
		return rc, err
	}
	rs := []equity.RateCard{rc}
	err = withCardVotes(s.db.WithContext(ctx), rs)
	return rs[0], err
}
