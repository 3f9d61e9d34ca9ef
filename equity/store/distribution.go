package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// Distribute records revenue and distributes it at once: the reserve share
// (governance) to the reserve, the rest pro rata over vested units at the
// record date by the largest-remainder method, all in one transaction in
// the currency's unit: revenue → distribution:<id> → reserve + payouts.
func Distribute(tx *gorm.DB, r equity.Revenue) (equity.Transaction, error) {
	if err := equity.ValidKey(r.Key); err != nil {
		return equity.Transaction{}, err
	}
	if !equity.ValidCurrency(r.Currency) {
		return equity.Transaction{}, equity.ErrInvalidCurrency
	}
	if r.Scale < 0 || r.Scale > equity.MaxScale {
		return equity.Transaction{}, equity.ErrScaleMismatch.With("currency scale must be 0-%d", equity.MaxScale)
	}
	if r.Amount <= 0 {
		return equity.Transaction{}, equity.ErrNotPositive
	}
	if r.RecordDate.IsZero() || r.RecordDate.After(time.Now()) {
		return equity.Transaction{}, equity.ErrRecordDate
	}
	r.RecordDate = r.RecordDate.UTC().Truncate(time.Microsecond)
	key := fmt.Sprintf("distribution:%d:%s", r.ModelID, r.Key)
	return post(tx, key, r, func() (*draft, error) {
		if err := modelExists(tx, r.ModelID); err != nil {
			return nil, err
		}
		if err := ensureUnit(tx, r.Currency, 0, r.Scale); err != nil {
			return nil, err
		}
		holders, err := HoldersAt(tx, r.ModelID, r.RecordDate)
		if err != nil {
			return nil, err
		}
		g, err := CurrentGovernance(tx)
		if err != nil {
			return nil, err
		}
		reserve := g.ReserveShare(r.Amount)
		shares := equity.SplitLargestRemainder(r.Amount-reserve, holders)
		if len(shares) == 0 {
			return nil, equity.ErrNoHolders.With("nobody held vested units of model %d on %s", r.ModelID, r.RecordDate.Format(time.RFC3339))
		}
		in := equity.DistributionInputs{Currency: r.Currency, Scale: r.Scale, Amount: r.Amount, Source: r.Source, RecordDate: r.RecordDate,
			ReserveShareBP: g.ReserveShareBP, ReserveAmount: reserve, Method: "largest_remainder", Holders: shares}
		cu := r.Currency
		ps := []equity.Posting{
			{Unit: cu, Account: equity.AccountRevenue, Amount: -r.Amount, Category: equity.CatRevenue},
			{Unit: cu, Account: placeholderDistribution, Amount: r.Amount, Category: equity.CatRevenue},
		}
		if reserve > 0 {
			ps = append(ps, equity.Posting{Unit: cu, Account: placeholderDistribution, Amount: -reserve, Category: equity.CatReserve},
				equity.Posting{Unit: cu, Account: equity.AccountReserve, Amount: reserve, Category: equity.CatReserve})
		}
		for _, s := range shares {
			if s.Amount > 0 {
				ps = append(ps, equity.Posting{Unit: cu, Account: placeholderDistribution, Amount: -s.Amount, Category: equity.CatPayout},
					equity.Posting{Unit: cu, Account: equity.Payout(s.MemberID), Amount: s.Amount, Category: equity.CatPayout})
			}
		}
		inputs, _ := json.Marshal(in)
		d := &draft{Transaction: equity.Transaction{Kind: equity.KindDistribution, ModelID: r.ModelID, GovernanceID: g.ID,
			ActorID: r.ActorID, Reason: r.Source, Postings: ps, Meta: string(inputs)}}
		d.afterInsert = func(tx *gorm.DB, t *equity.Transaction) error {
			return tx.Exec(`INSERT INTO equity_distributions (tx_id, model_id, currency, amount, reserve_share_bp, reserve_amount,
                source, record_date, inputs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.ID, r.ModelID, r.Currency, r.Amount, g.ReserveShareBP, reserve, r.Source, r.RecordDate, string(inputs), t.CreatedAt).Error
		}
		d.events = []ledgerEvent{{"equity.distributed", event.CoopScope, map[string]any{
			"currency": r.Currency, "amount": equity.Format(r.Amount, r.Scale), "reserve": equity.Format(reserve, r.Scale),
			"holders": len(shares), "record_date": r.RecordDate}}}
		return d, nil
	})
}

// Distribute runs the package function in its own transaction.
func (s *Store) Distribute(ctx context.Context, r equity.Revenue) (t equity.Transaction, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		t, err = Distribute(tx, r)
		return err
	})
	return t, err
}

// HoldersAt is every member's vested units of a model at a moment, from the
// postings (so it is exact for any past date).
func HoldersAt(tx *gorm.DB, modelID int64, at time.Time) ([]equity.Holder, error) {
	var rows []struct {
		Account string
		Units   int64
	}
	if err := tx.Raw(`SELECT account, SUM(amount) AS units FROM equity_postings
        WHERE unit = ? AND account LIKE 'member:%:vested' AND created_at <= ?
        GROUP BY account HAVING SUM(amount) > 0`, equity.ModelUnit(modelID), at.UTC()).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("holders at record date: %w", err)
	}
	out := make([]equity.Holder, 0, len(rows))
	for _, r := range rows {
		id, _ := strconv.ParseInt(strings.Split(r.Account, ":")[1], 10, 64)
		out = append(out, equity.Holder{MemberID: id, Units: r.Units})
	}
	return out, nil
}
