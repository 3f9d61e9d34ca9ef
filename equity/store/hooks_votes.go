package store

import (
	"encoding/json"
	"fmt"

	"copyhold/equity"
	"copyhold/equity/vote"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

var _ labelstore.CoopLimits = Hooks{}

// defaultCard is the rate card a new project starts with: the one the
// members voted (default_rate_card), else the hooks' own default.
func (h Hooks) defaultCard(tx *gorm.DB) (equity.RateCard, error) {
	var d vote.DefaultCard
	_, found, err := (&Rules{}).Rule(tx, vote.RuleDefaultRateCard, 0, &d)
	if err != nil || !found {
		return h.DefaultRateCard, err
	}
	return d.Card.RateCard(), nil
}

// WorkLimits are the co-op's voted daily limits, which the labelling engine
// clamps projects' stints and members' sensitive caps to.
func (h Hooks) WorkLimits(tx *gorm.DB) (stint, sensitiveMax int, err error) {
	l, err := (&Rules{}).WorkLimits(tx)
	return l.DailyStint, l.SensitiveMax, err
}

// WorkLimitsSQL reads the stored work-limits rule inside a claim's own
// statement (see labelstore.CoopLimits).
func (h Hooks) WorkLimitsSQL() string {
	return `(SELECT r.body FROM equity_rule_versions r WHERE r.rule = '` + vote.RuleWorkLimits +
		`' AND r.scope_id = 0 ORDER BY r.version DESC LIMIT 1)`
}

// ParseWorkLimits is WorkLimits from what WorkLimitsSQL read (nil: never voted).
func (h Hooks) ParseWorkLimits(stored *string) (stint, sensitiveMax int, err error) {
	l := vote.DefaultWorkLimits()
	if stored != nil {
		if err := json.Unmarshal([]byte(*stored), &l); err != nil {
			return 0, 0, fmt.Errorf("rule %s: %w", vote.RuleWorkLimits, err)
		}
	}
	return l.DailyStint, l.SensitiveMax, nil
}
