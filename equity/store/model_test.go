package store_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/labeling/fault"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
	"pgregory.net/rapid"
)

// oracle is the auditor: a plain in-memory ledger that predicts every reply
// and every balance (TigerBeetle's model-based testing).
type oracle struct {
	bal       map[string]int64 // account → balance in the fixture's unit
	pending   map[int64]int64  // submission → labeller
	resolved  map[int64]string // submission → vest/correct/void
	vestedAmt map[int64]int64  // submission → units vested to the labeller
	clawed    map[int64]bool
	active    map[int64]bool
	successor map[int64]int64
	payouts   map[int64]int64
}

const (
	rate       = 1_000_000
	reviewRate = 100_000
	corrRate   = 300_000
	feeBP      = 100
	reserveBP  = 1000
)

func (o *oracle) vestTo(member, amount int64) {
	if !o.active[member] {
		dest := equity.AccountReserve
		if s := o.successor[member]; s != 0 && o.active[s] {
			dest = equity.Vested(s)
		}
		o.bal[dest] += amount
		return
	}
	if debt := o.bal[equity.Receivable(member)]; debt < 0 {
		settle := min(amount, -debt)
		o.bal[equity.Receivable(member)] += settle
		amount -= settle
	}
	o.bal[equity.Vested(member)] += amount
}

func TestModelBasedLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		coord := newFixture(t, db, 0)
		_, err := coord.st.SetGovernance(ctx, coord.coord, equity.Governance{TransferFeeBP: feeBP, HoldingCapBP: 10000,
			ReserveShareBP: reserveBP, ExitRule: equity.ExitSuccessorElseReserve, Reason: "model test"})
		must(t, err)
		rapid.Check(t, func(rt *rapid.T) {
			f := newFixture(t, db, 4)
			o := &oracle{bal: map[string]int64{}, pending: map[int64]int64{}, resolved: map[int64]string{}, vestedAmt: map[int64]int64{},
				clawed: map[int64]bool{}, active: map[int64]bool{}, successor: map[int64]int64{}, payouts: map[int64]int64{}}
			for _, m := range f.members {
				o.active[m] = true
			}
			pick := func(label string) int64 { return rapid.SampledFrom(f.members).Draw(rt, label) }
			var subs []int64
			steps := rapid.IntRange(1, 25).Draw(rt, "steps")
			for i := 0; i < steps; i++ {
				op := rapid.SampledFrom([]string{"submit", "submit", "accept", "reject", "correct", "overturn", "transfer", "successor", "exit", "distribute"}).Draw(rt, "op")
				var err error
				var wantErr *fault.Error
				switch op {
				case "submit":
					m := pick("member")
					sub := atomic.AddInt64(&subSeq, 1)
					_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
						return store.CreditPending(tx, store.PendingCredit{SubmissionID: sub, ProjectID: f.project, MemberID: m})
					})
					if !o.active[m] {
						wantErr = equity.ErrNotMember
					} else {
						subs = append(subs, sub)
						o.pending[sub] = m
						o.bal[equity.Pending(m)] += rate
					}
				case "accept", "reject", "correct":
					if len(subs) == 0 {
						continue
					}
					sub := rapid.SampledFrom(subs).Draw(rt, "sub")
					rev := pick("reviewer")
					d := store.Decision{SubmissionID: sub, ReviewID: nextReview(), ReviewerID: rev}
					_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
						switch op {
						case "accept":
							return store.Vest(tx, d)
						case "reject":
							return store.Void(tx, d)
						}
						return store.Correct(tx, d)
					})
					lab := o.pending[sub]
					switch {
					case o.resolved[sub] != "":
						wantErr = equity.ErrAlreadyResolved
					case !o.active[rev]:
						wantErr = equity.ErrNotMember
					default:
						o.resolved[sub] = op
						o.bal[equity.Pending(lab)] -= rate
						o.bal[equity.Vested(rev)] += reviewRate
						switch op {
						case "accept":
							o.vestTo(lab, rate)
							if o.active[lab] {
								o.vestedAmt[sub] = rate
							}
						case "correct":
							o.vestTo(lab, rate/2)
							if o.active[lab] {
								o.vestedAmt[sub] = rate / 2
							}
							o.bal[equity.Vested(rev)] += corrRate
						}
					}
				case "overturn":
					if len(subs) == 0 {
						continue
					}
					sub := rapid.SampledFrom(subs).Draw(rt, "sub")
					_, err = f.tx(func(tx *gorm.DB) (equity.Transaction, error) {
						return store.Clawback(tx, store.Overturn{SubmissionID: sub, ReviewID: nextReview()})
					})
					lab := o.pending[sub]
					switch {
					case o.resolved[sub] != "accept" && o.resolved[sub] != "correct", o.vestedAmt[sub] == 0:
						wantErr = equity.ErrNotVested
					case o.clawed[sub]:
						wantErr = equity.ErrAlreadyReversed
					default:
						o.clawed[sub] = true
						x := o.vestedAmt[sub]
						take := min(x, o.bal[equity.Vested(lab)])
						o.bal[equity.Vested(lab)] -= take
						o.bal[equity.Receivable(lab)] -= x - take
					}
				case "transfer":
					from, to := pick("from"), pick("to")
					amt := rapid.Int64Range(1, 2*rate).Draw(rt, "amount")
					_, err = f.st.Transfer(ctx, equity.TransferRequest{Key: fmt.Sprintf("t%d", i), ModelID: f.model, From: from, To: to, Amount: amt})
					fee := equity.MulBP(amt, feeBP, true)
					switch {
					case from == to:
						wantErr = equity.ErrSelfTransfer
					case !o.active[to] || !o.active[from]:
						wantErr = equity.ErrNotMember
					case o.bal[equity.Vested(from)] < amt+fee:
						wantErr = equity.ErrInsufficient
					default:
						o.bal[equity.Vested(from)] -= amt + fee
						o.bal[equity.Vested(to)] += amt
						o.bal[equity.AccountReserve] += fee
					}
				case "successor":
					m, s := pick("member"), pick("successor")
					err = f.st.NameSuccessor(ctx, m, s)
					if m == s || !o.active[s] {
						wantErr = equity.ErrInvalidSuccessor
					} else {
						o.successor[m] = s
					}
				case "exit":
					m := pick("member")
					if !o.active[m] {
						continue
					}
					f.deactivate(m)
					o.active[m] = false
					_, err = f.st.Exit(ctx, m, f.coord)
					if v := o.bal[equity.Vested(m)]; v > 0 {
						o.bal[equity.Vested(m)] = 0
						o.vestTo(m, v) // inactive now: goes by the exit rule
					}
				case "distribute":
					amt := rapid.Int64Range(1, 1_000_000).Draw(rt, "cents")
					time.Sleep(time.Millisecond) // record date strictly after earlier postings
					_, err = f.st.Distribute(ctx, equity.Revenue{Key: fmt.Sprintf("d%d", i), ModelID: f.model, Amount: amt, Currency: "EUR", Scale: 2, Source: "test", RecordDate: time.Now()})
					var holders []equity.Holder
					for _, m := range f.members {
						if v := o.bal[equity.Vested(m)]; v > 0 {
							holders = append(holders, equity.Holder{MemberID: m, Units: v})
						}
					}
					if len(holders) == 0 {
						wantErr = equity.ErrNoHolders
					} else {
						for _, s := range equity.SplitLargestRemainder(amt-equity.MulBP(amt, reserveBP, false), holders) {
							o.payouts[s.MemberID] += s.Amount
						}
					}
				}
				if wantErr == nil && err != nil {
					rt.Fatalf("step %d %s: unexpected error %v", i, op, err)
				}
				if wantErr != nil && !errorIs(err, wantErr) {
					rt.Fatalf("step %d %s: error %v, want %s", i, op, err, wantErr.Code)
				}
				// Every balance matches the oracle.
				for acc, want := range o.bal {
					if got := f.bal(acc); got != want {
						rt.Fatalf("step %d %s: %s = %d, oracle %d", i, op, acc, got, want)
					}
				}
				for m, want := range o.payouts {
					var got []int64
					db.Raw("SELECT balance FROM equity_balances WHERE unit = 'EUR' AND account = ?", equity.Payout(m)).Scan(&got)
					if want > 0 && (len(got) != 1 || got[0] != want) {
						rt.Fatalf("payout of %d: %v, oracle at least %d", m, got, want)
					}
				}
				rep, verr := f.st.Verify(ctx)
				if verr != nil || !rep.OK {
					rt.Fatalf("step %d %s: verify %v %v", i, op, verr, rep.First)
				}
			}
		})
	})
}

func errorIs(err error, want *fault.Error) bool {
	return errors.Is(err, want)
}

var reviewSeq int64

// nextReview numbers reviews uniquely (a reused review id with another body
// is, rightly, an idempotency conflict).
func nextReview() int64 { reviewSeq++; return reviewSeq }
