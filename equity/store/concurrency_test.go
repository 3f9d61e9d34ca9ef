package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"copyhold/equity"
	"copyhold/equity/store"
	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// TestConcurrentPostings is Formance's stress test for our ledger: hundreds
// of concurrent postings where every key is sent twice at once, then every
// transaction reversed twice at once, and every pending credit resolved
// twice at once. Exactly one of each pair wins; the books balance.
func TestConcurrentPostings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		const members, keys = 10, 200
		f := newFixture(t, db, members)
		for _, m := range f.members {
			for i := 0; i < 5; i++ {
				sub, _ := f.submit(m)
				f.vest(sub, 0)
			}
		}
		type req = equity.TransferRequest
		reqs := make([]req, keys)
		for i := range reqs {
			from := f.members[rand.IntN(members)]
			to := f.members[rand.IntN(members)]
			for to == from {
				to = f.members[rand.IntN(members)]
			}
			reqs[i] = req{Key: fmt.Sprintf("k%d", i), ModelID: f.model, From: from, To: to, Amount: int64(1 + rand.IntN(10_000))}
		}
		var created, replayed, failed atomic.Int64
		ids := make([]int64, keys)
		var wg sync.WaitGroup
		for i := range 2 * keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t, err := f.st.Transfer(ctx, reqs[i%keys])
				switch {
				case err != nil:
					failed.Add(1)
					fmt.Println("transfer:", err)
				case t.Existing:
					replayed.Add(1)
				default:
					created.Add(1)
					ids[i%keys] = t.ID
				}
			}()
		}
		wg.Wait()
		if created.Load() != keys || replayed.Load() != keys || failed.Load() != 0 {
			t.Fatalf("transfers: %d created, %d replayed, %d failed; want %d, %d, 0", created.Load(), replayed.Load(), failed.Load(), keys, keys)
		}

		var reversed, refused atomic.Int64
		for i := range 2 * keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.st.Reverse(ctx, ids[i%keys], fmt.Sprintf("rev-%d-%d", i%keys, i/keys), f.coord, "stress")
				switch {
				case err == nil:
					reversed.Add(1)
				case errors.Is(err, equity.ErrAlreadyReversed):
					refused.Add(1)
				default:
					t.Errorf("reverse: %v", err)
				}
			}()
		}
		wg.Wait()
		if reversed.Load() != keys || refused.Load() != keys {
			t.Fatalf("reversals: %d done, %d refused; want %d each", reversed.Load(), refused.Load(), keys)
		}

		// Pending credits, each resolved twice at once (accept vs reject).
		var subs []int64
		for i := 0; i < 50; i++ {
			sub, _ := f.submit(f.members[i%members])
			subs = append(subs, sub)
		}
		var resolved, lost atomic.Int64
		for i := range 2 * len(subs) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sub := subs[i%len(subs)]
				err := db.Transaction(func(tx *gorm.DB) error {
					d := store.Decision{SubmissionID: sub, ReviewID: int64(i) + 1_000_000}
					var err error
					if i < len(subs) {
						_, err = store.Vest(tx, d)
					} else {
						_, err = store.Void(tx, d)
					}
					return err
				})
				switch {
				case err == nil:
					resolved.Add(1)
				case errors.Is(err, equity.ErrAlreadyResolved):
					lost.Add(1)
				case sqldb.IsRetryable(err):
					t.Errorf("unexpected deadlock: %v", err)
				default:
					t.Errorf("resolve: %v", err)
				}
			}()
		}
		wg.Wait()
		if resolved.Load() != int64(len(subs)) || lost.Load() != int64(len(subs)) {
			t.Fatalf("resolutions: %d won, %d lost", resolved.Load(), lost.Load())
		}
		var sum int64
		must(t, db.Raw("SELECT COALESCE(SUM(amount), 0) FROM equity_postings").Scan(&sum).Error)
		if sum != 0 {
			t.Fatalf("postings sum to %d", sum)
		}
		rep := f.verify()
		t.Logf("verified %d entries, head %s", rep.Entries, rep.HeadHash[:12])
	})
}
