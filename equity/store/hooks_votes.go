package store

import (
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
