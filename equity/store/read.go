package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"copyhold/equity"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

func head(tx *gorm.DB) (equity.Head, error) {
	var h []equity.Head
	if err := tx.Raw("SELECT seq, hash FROM equity_log_head WHERE id = 1").Scan(&h).Error; err != nil {
		return equity.Head{}, err
	}
	if len(h) == 0 {
		return equity.Head{}, fmt.Errorf("equity log head row missing")
	}
	return h[0], nil
}

// Head reads the register head.
func (s *Store) Head(ctx context.Context) (equity.Head, error) { return head(s.db.WithContext(ctx)) }

// StatementFor is a member's statement for one model over [from, to). The
// totals come from one aggregate query; maxLines > 0 keeps only the newest
// lines (a statement page), 0 lists them all (CSV).
func (s *Store) StatementFor(ctx context.Context, member, modelID int64, from, to time.Time, maxLines int) (equity.Statement, error) {
	st := equity.Statement{MemberID: member, ModelID: modelID, Unit: equity.ModelUnit(modelID), From: from.UTC(), To: to.UTC()}
	if !to.After(from) {
		return st, equity.ErrRecordDate.With("the period must end after it starts")
	}
	err := s.readTx(ctx, func(tx *gorm.DB) error {
		if err := modelExists(tx, modelID); err != nil {
			return err
		}
		vested, recv, pend := equity.Vested(member), equity.Receivable(member), equity.Pending(member)
		// Opening from the postings before the period; closing from the stored
		// balances when the period runs to now, so the statement's check also
		// cross-checks the balance counters against the postings.
		var opening []struct {
			Account string
			Sum     int64
		}
		if err := tx.Raw(`SELECT account, COALESCE(SUM(amount), 0) AS sum FROM equity_postings
            WHERE account IN (?, ?, ?) AND unit = ? AND created_at < ? GROUP BY account`,
			vested, recv, pend, st.Unit, st.From).Scan(&opening).Error; err != nil {
			return err
		}
		for _, r := range opening {
			if r.Account == pend {
				st.PendingOpening = r.Sum
			} else {
				st.Opening += r.Sum
			}
		}
		var closing []struct {
			Account string
			Sum     int64
		}
		q := `SELECT account, COALESCE(SUM(amount), 0) AS sum FROM equity_postings
            WHERE account IN (?, ?, ?) AND unit = ? AND created_at < ? GROUP BY account`
		args := []any{vested, recv, pend, st.Unit, st.To}
		if st.To.After(time.Now()) {
			q, args = `SELECT account, balance AS sum FROM equity_balances WHERE account IN (?, ?, ?) AND unit = ?`, args[:4]
		}
		if err := tx.Raw(q, args...).Scan(&closing).Error; err != nil {
			return err
		}
		for _, r := range closing {
			if r.Account == pend {
				st.PendingClosing = r.Sum
			} else {
				st.Closing += r.Sum
			}
		}
		var moves []struct {
			Account  string
			Category string
			Plus     int64
			Minus    int64
			N        int64
		}
		if err := tx.Raw(`SELECT account, category,
                COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS plus,
                COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0) AS minus,
                COUNT(*) AS n
            FROM equity_postings WHERE account IN (?, ?, ?) AND unit = ? AND created_at >= ? AND created_at < ?
            GROUP BY account, category`, vested, recv, pend, st.Unit, st.From, st.To).Scan(&moves).Error; err != nil {
			return err
		}
		for _, m := range moves {
			book := equity.BookHolding
			if m.Account == pend {
				book = equity.BookPending
			}
			st.Movements = append(st.Movements, equity.Movement{Book: book, Category: equity.Category(m.Category), In: m.Plus, Out: m.Minus, Count: m.N})
		}
		const lineCols = `p.tx_id, p.created_at, p.account, p.amount, p.category, t.kind, t.idempotency_key,
                COALESCE(t.project_id, 0), COALESCE(t.item_id, 0), COALESCE(t.submission_id, 0), COALESCE(t.review_id, 0)`
		q = `SELECT ` + lineCols + ` FROM equity_postings p JOIN equity_transactions t ON t.id = p.tx_id
            WHERE p.account IN (?, ?, ?) AND p.unit = ? AND p.created_at >= ? AND p.created_at < ?
            ORDER BY p.created_at, p.tx_id, p.seq`
		args = []any{vested, recv, pend, st.Unit, st.From, st.To}
		if maxLines > 0 {
			// The newest page: one backward index scan per account, merged.
			page := func() string {
				return `SELECT * FROM (SELECT ` + lineCols + ` FROM equity_postings p JOIN equity_transactions t ON t.id = p.tx_id
                    WHERE p.account = ? AND p.unit = ? AND p.created_at >= ? AND p.created_at < ?
                    ORDER BY p.created_at DESC, p.tx_id DESC LIMIT ?) x`
			}
			q = page() + " UNION ALL " + page() + " UNION ALL " + page() + " ORDER BY 2 DESC, 1 DESC LIMIT ?"
			args = nil
			for _, acc := range []string{vested, recv, pend} {
				args = append(args, acc, st.Unit, st.From, st.To, maxLines)
			}
			args = append(args, maxLines)
		}
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l equity.StatementLine
			var cat, kind string
			if err := rows.Scan(&l.TxID, &l.At, &l.Account, &l.Amount, &cat, &kind, &l.Key,
				&l.Cause.ProjectID, &l.Cause.ItemID, &l.Cause.SubmissionID, &l.Cause.ReviewID); err != nil {
				return err
			}
			l.At = l.At.UTC()
			l.Category, l.Kind, l.Book = equity.Category(cat), equity.TxKind(kind), equity.BookHolding
			if l.Account == pend {
				l.Book = equity.BookPending
			}
			st.Lines = append(st.Lines, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if maxLines > 0 {
			slices.Reverse(st.Lines)
		}
		rows.Close()
		if err := registerIndexes(tx, st.Lines); err != nil {
			return err
		}
		var pays []struct {
			TxID      int64
			CreatedAt time.Time
			Unit      string
			Amount    int64
			Scale     int32
		}
		if err := tx.Raw(`SELECT p.tx_id, p.created_at, p.unit, p.amount, u.scale
            FROM equity_postings p JOIN equity_transactions t ON t.id = p.tx_id JOIN equity_units u ON u.code = p.unit
            WHERE p.account = ? AND t.model_id = ? AND p.created_at >= ? AND p.created_at < ?
            ORDER BY p.created_at, p.tx_id, p.seq`, equity.Payout(member), modelID, st.From, st.To).Scan(&pays).Error; err != nil {
			return err
		}
		for _, p := range pays {
			st.Payouts = append(st.Payouts, equity.PayoutLine{TxID: p.TxID, At: p.CreatedAt.UTC(), Currency: p.Unit, Scale: p.Scale, Amount: p.Amount})
		}
		h, err := head(tx)
		st.HeadSeq, st.HeadHash = h.Seq, h.Hash
		return err
	})
	if err != nil {
		return st, err
	}
	return equity.BuildStatement(st)
}

// HoldingsOverTime is the member's vested (net of receivables) and pending
// units of a model at the end of each day with a movement, for a chart.
func (s *Store) HoldingsOverTime(ctx context.Context, member, modelID int64) ([]equity.HoldingPoint, error) {
	rows, err := s.db.WithContext(ctx).Raw(`SELECT created_at, account, amount FROM equity_postings
        WHERE account IN (?, ?, ?) AND unit = ? ORDER BY created_at, tx_id, seq`,
		equity.Vested(member), equity.Receivable(member), equity.Pending(member), equity.ModelUnit(modelID)).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []equity.HoldingPoint{}
	var vested, pending int64
	day := ""
	flush := func() {
		if day != "" {
			out = append(out, equity.HoldingPoint{Day: day, Vested: equity.Format(vested, equity.UnitScale), Pending: equity.Format(pending, equity.UnitScale)})
		}
	}
	for rows.Next() {
		var at time.Time
		var acc string
		var amt int64
		if err := rows.Scan(&at, &acc, &amt); err != nil {
			return nil, err
		}
		d := at.UTC().Format("2006-01-02")
		if d != day {
			flush()
			day = d
		}
		if acc == equity.Pending(member) {
			pending += amt
		} else {
			vested += amt
		}
	}
	flush()
	return out, rows.Err()
}

// RegisterFor builds a model's public register. Members who hide their name
// appear under their pseudonym.
func (s *Store) RegisterFor(ctx context.Context, modelID int64) (equity.Register, error) {
	reg := equity.Register{ModelID: modelID, Unit: equity.ModelUnit(modelID), Holders: []equity.RegisterHolder{}, Distributions: []equity.RegisterDistribution{}}
	err := s.readTx(ctx, func(tx *gorm.DB) error {
		name, ok, err := labelstore.ModelName(tx, modelID)
		if err != nil {
			return err
		}
		if !ok {
			return equity.ErrUnknownModel
		}
		reg.ModelName = name
		var bals []equity.StoredBalance
		if err := tx.Raw("SELECT unit, account, balance FROM equity_balances WHERE unit = ?", reg.Unit).Scan(&bals).Error; err != nil {
			return err
		}
		var issuedN, vested, pending, reserve, recv int64
		for _, b := range bals {
			issuedN += b.Balance
			a, _ := equity.ParseAccount(b.Account)
			switch {
			case a.Kind == equity.AccountReserve:
				reserve += b.Balance
			case a.Sub == "vested":
				vested += b.Balance
			case a.Sub == "pending":
				pending += b.Balance
			case a.Sub == "receivable":
				recv += b.Balance
			}
		}
		f := func(v int64) string { return equity.Format(v, equity.UnitScale) }
		reg.Issued, reg.Vested, reg.Pending, reg.Reserve, reg.Receivables = f(issuedN), f(vested), f(pending), f(reserve), f(recv)
		hs, err := registerHolders(tx, bals)
		if err != nil {
			return err
		}
		for _, h := range hs {
			share := "0.000000"
			if issuedN > 0 {
				share = decimal.NewFromInt(h.Balance).DivRound(decimal.NewFromInt(issuedN), 6).StringFixed(6)
			}
			rh := equity.RegisterHolder{Name: h.DisplayName, Units: f(h.Balance), Share: share}
			if h.Hidden != nil && *h.Hidden && h.Pseudonym != nil {
				rh.Name = *h.Pseudonym
			} else {
				id := h.MemberID
				rh.MemberID = &id
			}
			reg.Holders = append(reg.Holders, rh)
		}
		if reg.Governance, err = governanceHistory(tx); err != nil {
			return err
		}
		projects, err := labelstore.ModelProjects(tx, modelID)
		if err != nil {
			return err
		}
		reg.RateCards = []equity.RateCard{}
		if len(projects) > 0 {
			if reg.RateCards, err = rateCards(tx, "project_id IN ?", projects); err != nil {
				return err
			}
		}
		if err := withVotes(tx, reg.Governance); err != nil {
			return err
		}
		if err := withCardVotes(tx, reg.RateCards); err != nil {
			return err
		}
		if reg.Votes, err = registerVotes(tx); err != nil {
			return err
		}
		var ds []struct {
			TxID                  int64
			Currency              string
			Amount, ReserveAmount int64
			Source, Inputs        string
			RecordDate, CreatedAt time.Time
		}
		if err := tx.Raw(`SELECT tx_id, currency, amount, reserve_amount, source, inputs, record_date, created_at
            FROM equity_distributions WHERE model_id = ? ORDER BY tx_id`, modelID).Scan(&ds).Error; err != nil {
			return err
		}
		var hidden []struct {
			MemberID  int64
			Pseudonym string
		}
		if err := tx.Raw("SELECT member_id, pseudonym FROM equity_member_privacy WHERE hidden = ?", true).Scan(&hidden).Error; err != nil {
			return err
		}
		pseudonyms := map[int64]string{}
		for _, h := range hidden {
			pseudonyms[h.MemberID] = h.Pseudonym
		}
		for _, d := range ds {
			var in equity.DistributionInputs
			if err := jsonUnmarshal(d.Inputs, &in); err != nil {
				return err
			}
			// The inputs let anyone recompute the split; a holder who hides
			// their name is listed by pseudonym, not by member id.
			for i, h := range in.Holders {
				if p, ok := pseudonyms[h.MemberID]; ok {
					in.Holders[i].MemberID = 0
					in.Holders[i].Holder = p
				}
			}
			reg.Distributions = append(reg.Distributions, equity.RegisterDistribution{TxID: d.TxID, Currency: d.Currency,
				Amount: equity.Format(d.Amount, in.Scale), Reserve: equity.Format(d.ReserveAmount, in.Scale), Source: d.Source,
				RecordDate: d.RecordDate.UTC(), CreatedAt: d.CreatedAt.UTC(), Inputs: in})
		}
		releases, err := labelstore.ModelReleases(tx, modelID)
		if err != nil {
			return err
		}
		reg.Releases = make([]equity.RegisterRelease, len(releases))
		for i, r := range releases {
			reg.Releases[i] = equity.RegisterRelease{ID: r.ID, Version: r.Version, BaseModel: r.BaseModel, Checkpoint: r.Checkpoint,
				Hash: r.Hash, LedgerSeq: r.LedgerSeq, LedgerHead: r.LedgerHead, CreatedAt: r.CreatedAt}
		}
		reg.Head, err = head(tx)
		return err
	})
	return reg, err
}

// registerHolder is a member's vested balance with their name and privacy.
type registerHolder struct {
	MemberID    int64
	DisplayName string
	Balance     int64
	Hidden      *bool
	Pseudonym   *string
}

// registerHolders are the members with a positive vested balance among bals
// (one unit's stored balances), largest first, with their display names
// (from labelling's members) and privacy settings.
func registerHolders(tx *gorm.DB, bals []equity.StoredBalance) ([]registerHolder, error) {
	var hs []registerHolder
	var ids []int64
	for _, b := range bals {
		a, ok := equity.ParseAccount(b.Account)
		if !ok || a.Kind != "member" || a.Sub != "vested" || b.Account != equity.Vested(a.MemberID) || b.Balance <= 0 {
			continue
		}
		hs = append(hs, registerHolder{MemberID: a.MemberID, Balance: b.Balance})
		ids = append(ids, a.MemberID)
	}
	if len(hs) == 0 {
		return nil, nil
	}
	names, err := labelstore.DisplayNames(tx, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		MemberID  int64
		Hidden    bool
		Pseudonym string
	}
	if err := tx.Raw("SELECT member_id, hidden, pseudonym FROM equity_member_privacy WHERE member_id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	privacy := make(map[int64]int, len(rows))
	for i, p := range rows {
		privacy[p.MemberID] = i
	}
	out := hs[:0]
	for _, h := range hs {
		name, ok := names[h.MemberID]
		if !ok {
			continue // not a member: the register lists members only
		}
		h.DisplayName = name
		if i, ok := privacy[h.MemberID]; ok {
			h.Hidden, h.Pseudonym = &rows[i].Hidden, &rows[i].Pseudonym
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b registerHolder) int {
		if a.Balance != b.Balance {
			return cmp.Compare(b.Balance, a.Balance)
		}
		return cmp.Compare(a.MemberID, b.MemberID)
	})
	return out, nil
}

// SetPrivacy hides (or shows) the member's name on the public register. A
// hidden member appears under a random pseudonym that stays the same.
func (s *Store) SetPrivacy(ctx context.Context, member int64, hidden bool) (equity.Privacy, error) {
	var p equity.Privacy
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var cur []string
		if err := tx.Raw("SELECT pseudonym FROM equity_member_privacy WHERE member_id = ?", member).Scan(&cur).Error; err != nil {
			return err
		}
		if len(cur) == 0 {
			b := make([]byte, 5)
			rand.Read(b)
			cur = []string{"holder-" + hex.EncodeToString(b)}
			if err := tx.Exec("INSERT INTO equity_member_privacy (member_id, hidden, pseudonym, updated_at) VALUES (?, ?, ?, ?)",
				member, hidden, cur[0], sqldb.Now(tx)).Error; err != nil {
				return err
			}
		} else if err := tx.Exec("UPDATE equity_member_privacy SET hidden = ?, updated_at = ? WHERE member_id = ?", hidden, sqldb.Now(tx), member).Error; err != nil {
			return err
		}
		p = equity.Privacy{Hidden: hidden, Pseudonym: cur[0]}
		return event.Append(tx, "equity.privacy_changed", event.MemberScope(member), &member, map[string]any{"hidden": hidden})
	})
	return p, err
}

// MemberBalances lists the member's current balances in every unit.
func (s *Store) MemberBalances(ctx context.Context, member int64) ([]equity.Balance, error) {
	var rows []struct {
		Unit, Account string
		Balance       int64
		Scale         int32
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT b.unit, b.account, b.balance, COALESCE(u.scale, 6) AS scale
        FROM equity_balances b LEFT JOIN equity_units u ON u.code = b.unit
        WHERE b.account IN (?, ?, ?, ?) ORDER BY b.unit, b.account`,
		equity.Vested(member), equity.Pending(member), equity.Receivable(member), equity.Payout(member)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]equity.Balance, len(rows))
	for i, r := range rows {
		out[i] = equity.Balance{Unit: r.Unit, Account: r.Account, Amount: equity.Format(r.Balance, r.Scale)}
	}
	return out, nil
}

// registerIndexes sets each line's register_index: the leaf index of its
// transaction, when a checkpoint covers it (null: pending).
func registerIndexes(tx *gorm.DB, lines []equity.StatementLine) error {
	if len(lines) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(lines))
	for _, l := range lines {
		ids = append(ids, l.TxID)
	}
	var rows []struct {
		RefID int64
		Seq   int64
	}
	if err := tx.Raw(`SELECT ref_id, seq FROM equity_log WHERE kind = 'tx' AND ref_id IN (` + idList(ids) + `)
        AND seq <= (SELECT COALESCE(MAX(size), 0) FROM equity_roll_checkpoints)`).Scan(&rows).Error; err != nil {
		return err
	}
	at := make(map[int64]int64, len(rows))
	for _, r := range rows {
		at[r.RefID] = r.Seq - 1
	}
	for i := range lines {
		if idx, ok := at[lines[i].TxID]; ok {
			lines[i].RegisterIndex = &idx
		}
	}
	return nil
}

// RecentUnitValue is what a vested unit of the model received in its latest
// distribution within equity.UnitValueWindow; nil when there is none.
func (s *Store) RecentUnitValue(ctx context.Context, modelID int64) (*equity.UnitValue, error) {
	var out *equity.UnitValue
	err := s.readTx(ctx, func(tx *gorm.DB) error {
		var ds []struct {
			Currency              string
			Inputs                string
			RecordDate, CreatedAt time.Time
		}
		if err := tx.Raw(`SELECT currency, inputs, record_date, created_at FROM equity_distributions
WHERE model_id = ? AND created_at >= ? ORDER BY tx_id DESC LIMIT 1`, modelID, s.clock.Now().Add(-equity.UnitValueWindow)).Scan(&ds).Error; err != nil {
			return err
		}
		if len(ds) == 0 {
			return nil
		}
		var in equity.DistributionInputs
		if err := jsonUnmarshal(ds[0].Inputs, &in); err != nil {
			return err
		}
		per, paid, units, ok := equity.ValueOfUnit(in)
		if !ok {
			return nil
		}
		out = &equity.UnitValue{ModelID: modelID, Currency: ds[0].Currency, PerUnit: per, Paid: paid, Units: units,
			RecordDate: ds[0].RecordDate.UTC(), DistributedAt: ds[0].CreatedAt.UTC()}
		return nil
	})
	return out, err
}
