package store

import (
	"encoding/json"
	"fmt"
	"time"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/event"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Collective rule's SQL (docs/GOVERNANCE.md) is two store types whose
// methods run in the caller's transaction; the service in
// equity/vote/govern owns transactions and the order of steps.
//
//   - Votes: proposals and their sponsors, who has voted, the ballots and
//     the tallies (proposals.go, ballots.go);
//   - Rules: the constitution and the rule versions a vote executes, and
//     what a change is checked against (constitution.go, history.go).

// Votes is proposals, sponsors, voters, ballots and tallies.
type Votes struct {
	db *gorm.DB
}

// NewVotes returns the votes store on db (already migrated).
func NewVotes(db *gorm.DB) *Votes { return &Votes{db: db} }

// DB is the underlying database.
func (v *Votes) DB() *gorm.DB { return v.db }

// Rules is the constitution, the voted rule versions, and the reads a
// change is checked and previewed against.
type Rules struct{}

// NewRules returns the rules store.
func NewRules() *Rules { return &Rules{} }

// ---- the constitution ----

type constitutionRow struct {
	ID                 int64
	Version            int
	QuorumBP           int `gorm:"column:quorum_bp"`
	OrdinaryMajorityBP int `gorm:"column:ordinary_majority_bp"`
	SpecialMajorityBP  int `gorm:"column:special_majority_bp"`
	MinPeriodHours     int
	DefaultPeriodHours int
	MaxPeriodHours     int
	Cosponsors         int
	Ballot             string
	Eligibility        string
	ProposalID         int64
	Reason             string
	ActorID            int64
	CreatedAt          time.Time
}

func (r constitutionRow) constitution() vote.Constitution {
	at := r.CreatedAt.UTC()
	c := vote.Constitution{ID: r.ID, Version: r.Version, QuorumBP: r.QuorumBP, OrdinaryMajorityBP: r.OrdinaryMajorityBP,
		SpecialMajorityBP: r.SpecialMajorityBP, MinPeriodHours: r.MinPeriodHours, DefaultPeriodHours: r.DefaultPeriodHours,
		MaxPeriodHours: r.MaxPeriodHours, Cosponsors: r.Cosponsors, Ballot: r.Ballot, Eligibility: r.Eligibility,
		Reason: r.Reason, ActorID: r.ActorID, CreatedAt: &at}
	if r.ProposalID != 0 {
		id := r.ProposalID
		c.ProposalID = &id
	}
	return c
}

const constitutionColumns = `id, version, quorum_bp, ordinary_majority_bp, special_majority_bp, min_period_hours,
    default_period_hours, max_period_hours, cosponsors, ballot, eligibility, COALESCE(proposal_id, 0) AS proposal_id,
    reason, COALESCE(actor_id, 0) AS actor_id, created_at`

func constitutions(tx *gorm.DB, where string, args ...any) ([]vote.Constitution, error) {
	var rows []constitutionRow
	if err := tx.Raw("SELECT "+constitutionColumns+" FROM equity_constitution WHERE "+where, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]vote.Constitution, len(rows))
	for i, r := range rows {
		out[i] = r.constitution()
	}
	return out, nil
}

// Constitution is the constitution in force: the newest version, or the
// shipped defaults (version 0).
func (rl *Rules) Constitution(tx *gorm.DB) (vote.Constitution, error) {
	cs, err := constitutions(tx, "1 = 1 ORDER BY version DESC LIMIT 1")
	if err != nil || len(cs) == 0 {
		return vote.DefaultConstitution(), err
	}
	return cs[0], nil
}

// ConstitutionVersion is one version (0: the shipped defaults).
func (rl *Rules) ConstitutionVersion(tx *gorm.DB, version int) (vote.Constitution, error) {
	if version == 0 {
		return vote.DefaultConstitution(), nil
	}
	cs, err := constitutions(tx, "version = ?", version)
	if err != nil {
		return vote.Constitution{}, err
	}
	if len(cs) == 0 {
		return vote.Constitution{}, fmt.Errorf("constitution version %d missing", version)
	}
	return cs[0], nil
}

// ConstitutionHistory is every recorded version, oldest first.
func (rl *Rules) ConstitutionHistory(tx *gorm.DB) ([]vote.Constitution, error) {
	return rl.ConstitutionVersions(tx, page.All)
}

// ConstitutionVersions is a page of ConstitutionHistory; a page's key is
// the version.
func (rl *Rules) ConstitutionVersions(tx *gorm.DB, p page.Page) ([]vote.Constitution, error) {
	where, args := "1 = 1", []any{}
	if p.After != nil {
		where, args = "version > ?", append(args, p.After.ID)
	}
	where += " ORDER BY version"
	if p.Limit > 0 {
		where, args = where+" LIMIT ?", append(args, p.Limit)
	}
	return constitutions(tx, where, args...)
}

// RecordConstitution appends a constitution version (validated) to the
// register; c.ProposalID links it to the vote that made it.
func (rl *Rules) RecordConstitution(tx *gorm.DB, actorID int64, c vote.Constitution) (vote.Constitution, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	var n []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM equity_constitution").Scan(&n).Error; err != nil {
		return c, err
	}
	now := sqldb.Now(tx)
	c.Version, c.CreatedAt, c.ActorID = n[0]+1, &now, actorID
	var pid int64
	if c.ProposalID != nil {
		pid = *c.ProposalID
	}
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_constitution (version, quorum_bp, ordinary_majority_bp, special_majority_bp,
        min_period_hours, default_period_hours, max_period_hours, cosponsors, ballot, eligibility, proposal_id, reason,
        actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Version, c.QuorumBP, c.OrdinaryMajorityBP, c.SpecialMajorityBP, c.MinPeriodHours, c.DefaultPeriodHours,
		c.MaxPeriodHours, c.Cosponsors, c.Ballot, c.Eligibility, nz(pid), c.Reason, nz(actorID), now).Scan(&ids).Error; err != nil {
		return c, fmt.Errorf("insert constitution: %w", err)
	}
	c.ID = ids[0]
	if err := appendLog(tx, equity.LogConstitution, c.ID); err != nil {
		return c, err
	}
	return c, event.Append(tx, "constitution.changed", event.CoopScope, nil, map[string]any{"version": c.Version, "proposal_id": pid})
}

// ---- rule versions without a table of their own ----

type ruleRow struct {
	ID         int64
	Rule       string
	ScopeID    int64
	Version    int
	Body       string
	ProposalID int64
	ActorID    int64
	CreatedAt  time.Time
}

func (r ruleRow) version() vote.RuleVersion {
	return vote.RuleVersion{ID: r.ID, Rule: r.Rule, ScopeID: r.ScopeID, Version: r.Version, Body: r.Body,
		ProposalID: r.ProposalID, ActorID: r.ActorID, CreatedAt: r.CreatedAt.UTC()}
}

const ruleColumns = `id, rule, scope_id, version, body, COALESCE(proposal_id, 0) AS proposal_id,
    COALESCE(actor_id, 0) AS actor_id, created_at`

func ruleVersions(tx *gorm.DB, where string, args ...any) ([]vote.RuleVersion, error) {
	var rows []ruleRow
	if err := tx.Raw("SELECT "+ruleColumns+" FROM equity_rule_versions WHERE "+where, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]vote.RuleVersion, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

// Rule reads the newest version of a rule into dst; found is false (and dst
// untouched) when the rule has never been voted.
func (rl *Rules) Rule(tx *gorm.DB, rule string, scope int64, dst any) (vote.RuleVersion, bool, error) {
	rs, err := ruleVersions(tx, "rule = ? AND scope_id = ? ORDER BY version DESC LIMIT 1", rule, scope)
	if err != nil || len(rs) == 0 {
		return vote.RuleVersion{}, false, err
	}
	if err := json.Unmarshal([]byte(rs[0].Body), dst); err != nil {
		return rs[0], false, fmt.Errorf("rule %s version %d: %w", rule, rs[0].Version, err)
	}
	return rs[0], true, nil
}

// RecordRule appends a version of a rule to the register.
func (rl *Rules) RecordRule(tx *gorm.DB, rule string, scope int64, body any, proposalID, actorID int64) (vote.RuleVersion, error) {
	var n []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM equity_rule_versions WHERE rule = ? AND scope_id = ?", rule, scope).Scan(&n).Error; err != nil {
		return vote.RuleVersion{}, err
	}
	r := vote.RuleVersion{Rule: rule, ScopeID: scope, Version: n[0] + 1, Body: vote.RuleBody(body), ProposalID: proposalID,
		ActorID: actorID, CreatedAt: sqldb.Now(tx)}
	var ids []int64
	if err := tx.Raw(`INSERT INTO equity_rule_versions (rule, scope_id, version, body, proposal_id, actor_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Rule, r.ScopeID, r.Version, r.Body, nz(proposalID), nz(actorID), r.CreatedAt).Scan(&ids).Error; err != nil {
		return r, fmt.Errorf("insert rule version: %w", err)
	}
	r.ID = ids[0]
	if err := appendLog(tx, equity.LogRule, r.ID); err != nil {
		return r, err
	}
	return r, event.Append(tx, "rule.changed", event.CoopScope, nil, map[string]any{
		"rule": rule, "scope_id": scope, "version": r.Version, "proposal_id": proposalID})
}

// DefaultCard is the voted default rate card and band, or the shipped one.
func (rl *Rules) DefaultCard(tx *gorm.DB) (vote.DefaultCard, error) {
	d := vote.ShippedDefaultCard()
	_, _, err := rl.Rule(tx, vote.RuleDefaultRateCard, 0, &d)
	return d, err
}

// EntryRule is the voted entry rule, or the default.
func (rl *Rules) EntryRule(tx *gorm.DB) (vote.EntryRule, error) {
	r := vote.DefaultEntryRule()
	_, _, err := rl.Rule(tx, vote.RuleEntryRule, 0, &r)
	return r, err
}

// WorkLimits are the voted work limits, or the defaults.
func (rl *Rules) WorkLimits(tx *gorm.DB) (vote.WorkLimits, error) {
	l := vote.DefaultWorkLimits()
	_, _, err := rl.Rule(tx, vote.RuleWorkLimits, 0, &l)
	return l, err
}

// ReleaseLicense is a release's voted licence terms (nil: none yet).
func (rl *Rules) ReleaseLicense(tx *gorm.DB, releaseID int64) (*vote.ReleaseLicense, error) {
	var l vote.ReleaseLicense
	_, found, err := rl.Rule(tx, vote.RuleReleaseLicense, releaseID, &l)
	if err != nil || !found {
		return nil, err
	}
	return &l, nil
}
