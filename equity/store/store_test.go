package store_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestVestingLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 3)
		lab, rev := f.members[0], f.members[1]
		unit := equity.ModelUnit(f.model)

		sub, p := f.submit(lab)
		if p.Kind != equity.KindPending || f.bal(equity.Pending(lab)) != 1_000_000 {
			t.Fatalf("pending: %+v, balance %d", p, f.bal(equity.Pending(lab)))
		}
		// The same submission again is the same transaction.
		_, again := f.submitSame(sub, lab)
		if !again.Existing || again.ID != p.ID {
			t.Fatalf("replay: %+v", again)
		}
		v := f.vest(sub, rev)
		if f.bal(equity.Pending(lab)) != 0 || f.bal(equity.Vested(lab)) != 1_000_000 || f.bal(equity.Vested(rev)) != 100_000 {
			t.Fatalf("after vest: %+v", v)
		}
		// Resolving twice is refused; voiding after vesting too.
		_, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Void(tx, store.Decision{SubmissionID: sub, ReviewID: 77})
		})
		wantCode(t, err, equity.ErrAlreadyResolved)

		// Rejection voids; correction splits.
		sub2, _ := f.submit(lab)
		if _, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Void(tx, store.Decision{SubmissionID: sub2, ReviewID: 2002, ReviewerID: rev})
		}); err != nil {
			t.Fatal(err)
		}
		sub3, _ := f.submit(lab)
		if _, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Correct(tx, store.Decision{SubmissionID: sub3, ReviewID: 2003, ReviewerID: rev})
		}); err != nil {
			t.Fatal(err)
		}
		if got := f.bal(equity.Vested(lab)); got != 1_500_000 {
			t.Fatalf("labeller vested %d, want 1.5 units", got)
		}
		if got := f.bal(equity.Vested(rev)); got != 100_000*3+300_000 {
			t.Fatalf("reviewer vested %d", got)
		}
		// Overturn claws the first acceptance back.
		cb, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Clawback(tx, store.Overturn{SubmissionID: sub, ReviewID: 3001, ActorID: rev, Reason: "gold mismatch"})
		})
		must(t, err)
		if cb.ReversesID != v.ID || f.bal(equity.Vested(lab)) != 500_000 {
			t.Fatalf("clawback %+v, vested %d", cb, f.bal(equity.Vested(lab)))
		}
		_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Clawback(tx, store.Overturn{SubmissionID: sub, ReviewID: 3002})
		})
		wantCode(t, err, equity.ErrAlreadyReversed)

		rep := f.verify()
		if rep.Txs != 7 || rep.Entries != 8 { // 1 rate card + 7 transactions
			t.Fatalf("report %+v", rep)
		}

		st, err := f.st.StatementFor(ctx, lab, f.model, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
		must(t, err)
		if st.Opening != 0 || st.Closing != 500_000 || st.Totals.Annotations != 1_500_000 || st.Totals.Reversals != -1_000_000 {
			t.Fatalf("statement %+v", st)
		}
		if st.Lines[0].Cause.SubmissionID != sub || st.HeadHash != rep.HeadHash {
			t.Fatalf("drill-down or head: %+v %s", st.Lines[0], st.HeadHash)
		}
		var csv bytes.Buffer
		must(t, st.WriteCSV(&csv))
		if !strings.Contains(csv.String(), "closing,0.500000") || !strings.Contains(csv.String(), rep.HeadHash) {
			t.Fatalf("csv:\n%s", csv.String())
		}
		reg, err := f.st.RegisterFor(ctx, f.model)
		must(t, err)
		if reg.Unit != unit || len(reg.Holders) != 2 || reg.Issued != "1.100000" {
			t.Fatalf("register %+v", reg)
		}
	})
}

func (f *fixture) submitSame(sub, member int64) (int64, equity.Transaction) {
	t, err := f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
		return store.CreditPending(tx, store.PendingCredit{SubmissionID: sub, ProjectID: f.project, ItemID: sub * 10, MemberID: member})
	})
	must(f.t, err)
	return sub, t
}

func TestBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 4)
		a, b, c, gone := f.members[0], f.members[1], f.members[2], f.members[3]
		for i := 0; i < 3; i++ {
			sub, _ := f.submit(a)
			f.vest(sub, 0)
		}
		f.deactivate(gone)
		head0, _ := f.st.Head(ctx)
		tr := func(key string, to, amount int64) error {
			_, err := f.st.Transfer(ctx, equity.TransferRequest{Key: key, ModelID: f.model, From: a, To: to, Amount: amount, ActorID: a})
			return err
		}
		wantCode(t, tr("k1", gone, 1), equity.ErrNotMember)
		wantCode(t, tr("k2", 999999, 1), equity.ErrNotMember)
		wantCode(t, tr("k3", b, 3_000_001), equity.ErrInsufficient)
		wantCode(t, tr("k4", b, 0), equity.ErrNotPositive)
		wantCode(t, tr("k5", b, -5), equity.ErrNotPositive)
		wantCode(t, tr("k6", a, 5), equity.ErrSelfTransfer)
		_, err := equity.ParseAmount("0.0000001", equity.UnitScale)
		wantCode(t, err, equity.ErrPrecision)
		_, err = equity.ParseAmount("-1", equity.UnitScale)
		wantCode(t, err, equity.ErrNotPositive)
		if head1, _ := f.st.Head(ctx); head1 != head0 {
			t.Fatalf("a refused request moved the head")
		}

		must(t, tr("same", b, 1_000_000))
		wantCode(t, tr("same", b, 2_000_000), equity.ErrIdempotency)
		must(t, tr("same", b, 1_000_000)) // a replay is fine

		// Holding cap: 40% once 1 unit is issued.
		_, err = f.st.SetGovernance(ctx, f.coord, equity.Governance{TransferFeeBP: 100, HoldingCapBP: 4000, CapFloor: 1_000_000,
			ReserveShareBP: 1000, ExitRule: equity.ExitSuccessorElseReserve, Reason: "AGM 2026"})
		must(t, err)
		wantCode(t, tr("cap", b, 1_000_000), equity.ErrHoldingCap)
		// The cap also refuses issuance above it.
		_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.CreditPending(tx, store.PendingCredit{SubmissionID: 9_000_500, ProjectID: f.project, MemberID: a})
		})
		wantCode(t, err, equity.ErrHoldingCap)
		// Fee: 1% rounded up, paid to the reserve.
		must(t, tr("fee", c, 100_001))
		if f.bal(equity.AccountReserve) != 1001 || f.bal(equity.Vested(c)) != 100_001 {
			t.Fatalf("fee: reserve %d, c %d", f.bal(equity.AccountReserve), f.bal(equity.Vested(c)))
		}

		// Reversing twice.
		tx1, _ := f.st.Transfer(ctx, equity.TransferRequest{Key: "fee", ModelID: f.model, From: a, To: c, Amount: 100_001, ActorID: a})
		_, err = f.st.Reverse(ctx, tx1.ID, "", f.coord, "mistake")
		must(t, err)
		_, err = f.st.Reverse(ctx, tx1.ID, "other-key", f.coord, "mistake")
		wantCode(t, err, equity.ErrAlreadyReversed)

		// Distribution with no holders (a model nobody holds).
		var empty int64
		must(t, db.Raw("INSERT INTO models (name, created_at) VALUES ('empty', ?) RETURNING id", time.Now().UTC()).Scan(&empty).Error)
		_, err = f.st.Distribute(ctx, equity.Revenue{Key: "r1", ModelID: empty, Amount: 1000, Currency: "EUR", Scale: 2, Source: "x", RecordDate: time.Now()})
		wantCode(t, err, equity.ErrNoHolders)
		f.verify()
	})
}

func TestDistributionAndSuccession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 3)
		a, b, heir := f.members[0], f.members[1], f.members[2]
		for _, m := range []int64{a, a, b} {
			sub, _ := f.submit(m)
			f.vest(sub, 0)
		}
		_, err := f.st.SetGovernance(ctx, f.coord, equity.Governance{HoldingCapBP: 10000, ReserveShareBP: 1000, ExitRule: equity.ExitSuccessorElseReserve, Reason: "reserve"})
		must(t, err)
		time.Sleep(2 * time.Millisecond)
		if v, err := f.st.RecentUnitValue(ctx, f.model); err != nil || v != nil {
			t.Fatalf("recent value before a distribution = %+v, %v", v, err)
		}
		d, err := f.st.Distribute(ctx, equity.Revenue{Key: "q1", ModelID: f.model, Amount: 10001, Currency: "EUR", Scale: 2, Source: "API sales Q1", RecordDate: time.Now(), ActorID: f.coord})
		must(t, err)
		var paid = map[string]int64{}
		for _, p := range d.Postings {
			if p.Amount > 0 {
				paid[p.Account] += p.Amount
			}
		}
		// 10% of 100.01 to the reserve (10.00), 90.01 split 2:1 → 60.01 / 30.00 by largest remainder.
		if paid[equity.AccountReserve] != 1000 || paid[equity.Payout(a)] != 6001 || paid[equity.Payout(b)] != 3000 {
			t.Fatalf("distribution %+v", paid)
		}
		// 90.01 EUR paid over the vested units: the value of a unit, to six decimals.
		v, err := f.st.RecentUnitValue(ctx, f.model)
		if err != nil || v == nil || v.Currency != "EUR" || v.Paid != "90.01" || len(v.PerUnit) < 8 || v.PerUnit[len(v.PerUnit)-7] != '.' {
			t.Fatalf("recent value = %+v, %v", v, err)
		}
		// A year later it is no longer recent.
		if v, err := f.st.WithClock(func() time.Time { return time.Now().Add(equity.UnitValueWindow + time.Hour) }).RecentUnitValue(ctx, f.model); err != nil || v != nil {
			t.Fatalf("recent value a year on = %+v, %v", v, err)
		}
		_, err = f.st.Distribute(ctx, equity.Revenue{Key: "q2", ModelID: f.model, Amount: 100, Currency: "EUR", Scale: 3, Source: "x", RecordDate: time.Now()})
		wantCode(t, err, equity.ErrScaleMismatch)

		must(t, f.st.NameSuccessor(ctx, a, heir))
		f.deactivate(a)
		ex, err := f.st.Exit(ctx, a, f.coord)
		must(t, err)
		if ex.Kind != equity.KindExit || f.bal(equity.Vested(a)) != 0 || f.bal(equity.Vested(heir)) != 2_000_000 {
			t.Fatalf("exit %+v", ex)
		}
		// b leaves without a successor: the reserve receives the units.
		f.deactivate(b)
		_, err = f.st.Exit(ctx, b, f.coord)
		must(t, err)
		if f.bal(equity.AccountReserve) != 1_000_000 {
			t.Fatalf("reserve %d", f.bal(equity.AccountReserve))
		}
		st, err := f.st.StatementFor(ctx, a, f.model, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
		must(t, err)
		if len(st.Payouts) != 1 || st.Payouts[0].Amount != 6001 || st.Totals.SuccessionOut != -2_000_000 || st.Closing != 0 {
			t.Fatalf("statement %+v", st)
		}
		reg, err := f.st.RegisterFor(ctx, f.model)
		must(t, err)
		if len(reg.Distributions) != 1 || len(reg.Governance) != 1 {
			t.Fatalf("register %+v", reg)
		}
		f.verify()
	})
}

func TestClawbackAfterTransferRecordsReceivable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		a, b := f.members[0], f.members[1]
		sub, _ := f.submit(a)
		f.vest(sub, 0)
		_, err := f.st.Transfer(ctx, equity.TransferRequest{Key: "all", ModelID: f.model, From: a, To: b, Amount: 800_000, ActorID: a})
		must(t, err)
		_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
			return store.Clawback(tx, store.Overturn{SubmissionID: sub, ReviewID: 9})
		})
		must(t, err)
		if f.bal(equity.Vested(a)) != 0 || f.bal(equity.Receivable(a)) != -800_000 || f.bal(equity.Vested(b)) != 800_000 {
			t.Fatalf("vested %d receivable %d", f.bal(equity.Vested(a)), f.bal(equity.Receivable(a)))
		}
		// The next acceptance settles the debt first.
		sub2, _ := f.submit(a)
		f.vest(sub2, 0)
		if f.bal(equity.Receivable(a)) != 0 || f.bal(equity.Vested(a)) != 200_000 {
			t.Fatalf("after settle: vested %d receivable %d", f.bal(equity.Vested(a)), f.bal(equity.Receivable(a)))
		}
		f.verify()
	})
}

func TestAppendOnlyAndTamper(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		var subs []int64
		for i := 0; i < 5; i++ {
			sub, _ := f.submit(f.members[0])
			subs = append(subs, sub)
		}
		f.integrate()
		for _, q := range []string{
			"UPDATE equity_postings SET amount = amount + 1",
			"DELETE FROM equity_postings",
			"UPDATE equity_transactions SET reason = 'x'",
			"DELETE FROM equity_transactions",
			"UPDATE equity_log SET hash = 'x'",
			"DELETE FROM equity_log",
			"UPDATE equity_rate_cards SET annotation_accepted = 5",
		} {
			if err := db.Exec(q).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want append-only refusal", q, err)
			}
		}
		f.verify()

		// Tamper with the third transaction's amount behind the trigger's back.
		var txID, seq int64
		must(t, db.Raw("SELECT id FROM equity_transactions WHERE submission_id = ?", subs[2]).Scan(&txID).Error)
		must(t, db.Raw("SELECT seq FROM equity_log WHERE kind = 'tx' AND ref_id = ?", txID).Scan(&seq).Error)
		if db.Dialector.Name() == "postgres" {
			must(t, db.Exec("ALTER TABLE equity_postings DISABLE TRIGGER equity_postings_append_only").Error)
		} else {
			must(t, db.Exec("DROP TRIGGER equity_postings_no_update").Error)
		}
		must(t, db.Exec("UPDATE equity_postings SET amount = amount * 2 WHERE tx_id = ?", txID).Error)
		rep, err := f.st.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || rep.First.Seq != seq || rep.First.RefID != txID || !strings.Contains(rep.First.Reason, "hash mismatch") {
			t.Fatalf("verify after tamper: %+v %v", rep, rep.First)
		}
	})
}

// A holder who hides their name is never named on the register, not even in
// the published inputs of a distribution.
func TestRegisterKeepsPseudonymsInDistributionInputs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		shy, open := f.members[0], f.members[1]
		for _, m := range []int64{shy, open} {
			sub, _ := f.submit(m)
			f.vest(sub, 0)
		}
		p, err := f.st.SetPrivacy(ctx, shy, true)
		must(t, err)
		_, err = f.st.Distribute(ctx, equity.Revenue{Key: "q1", ModelID: f.model, Amount: 1000, Currency: "EUR", Scale: 2, Source: "API", RecordDate: time.Now(), ActorID: f.coord})
		must(t, err)
		reg, err := f.st.RegisterFor(ctx, f.model)
		must(t, err)
		for _, h := range reg.Holders {
			if h.MemberID != nil && *h.MemberID == shy {
				t.Fatalf("the register names a hidden holder: %+v", h)
			}
		}
		if len(reg.Distributions) != 1 {
			t.Fatalf("distributions: %+v", reg.Distributions)
		}
		var sawPseudonym, sawOpen bool
		for _, h := range reg.Distributions[0].Inputs.Holders {
			switch {
			case h.MemberID == shy:
				t.Fatalf("distribution inputs name a hidden holder: %+v", h)
			case h.Holder == p.Pseudonym:
				sawPseudonym = true
			case h.MemberID == open:
				sawOpen = true
			}
		}
		if !sawPseudonym || !sawOpen {
			t.Fatalf("inputs %+v lack the pseudonymous or the named holder", reg.Distributions[0].Inputs.Holders)
		}
	})
}
