package store_test

import (
	"strings"
	"testing"

	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Verify reads the log in chunks and compares the stored tree hashes chunk
// by chunk: with chunks of 3 entries it gives the same report as with one
// chunk, and it names a changed stored hash, and one beyond the tree.
func TestVerifyChunksAndStoredHashes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := attackSetup(t, db)
		f := a.f
		opts := store.VerifyOptions{VerifierKey: a.vkey, Checkpoint: a.saved}
		whole, err := f.st.VerifyWith(ctx, opts)
		must(t, err)
		defer store.SetStreamChunk(3)()
		chunked, err := f.st.VerifyWith(ctx, opts)
		must(t, err)
		c, w := *chunked.Tree, *whole.Tree
		if !chunked.OK || chunked.Entries != whole.Entries || c.Extends == nil || w.Extends == nil || *c.Extends != *w.Extends {
			t.Fatalf("chunked %+v %+v, whole %+v %+v", chunked, chunked.Tree, whole, whole.Tree)
		}
		c.Extends, w.Extends = nil, nil
		if c != w {
			t.Fatalf("chunked %+v %+v, whole %+v %+v", chunked, chunked.Tree, whole, whole.Tree)
		}
		n := chunked.Tree.Leaves

		dropGuards(t, db)
		// Stored hash 7 is leaf 4's (level 0, index 4).
		must(t, db.Exec("UPDATE equity_roll_hashes SET hash = ? WHERE idx = 7", make([]byte, 32)).Error)
		rep, err := f.st.VerifyWith(ctx, opts)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "stored tree hash 7 differs") || rep.First.Seq != 5 || rep.First.Kind == "" {
			t.Fatalf("changed stored hash: %+v", rep.First)
		}
		must(t, db.Exec("DELETE FROM equity_roll_hashes WHERE idx = 7").Error)
		must(t, db.Exec("INSERT INTO equity_roll_hashes (idx, hash) VALUES (7, ?)", mustHash(t, db, 7)).Error)

		extra := roll.StoredHashCount(n) + 2
		must(t, db.Exec("INSERT INTO equity_roll_hashes (idx, hash) VALUES (?, ?)", extra, make([]byte, 32)).Error)
		rep, err = f.st.VerifyWith(ctx, opts)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "differs from the tree rebuilt") {
			t.Fatalf("stored hash beyond the tree: %+v", rep.First)
		}
	})
}

// mustHash is the rebuilt tree's hash at storage index idx, from a fresh
// in-memory tree of the register's leaves.
func mustHash(t *testing.T, db *gorm.DB, idx int64) []byte {
	t.Helper()
	r := store.NewRoll(db, nil)
	var mem roll.MemoryHashes
	for i := int64(0); int64(len(mem)) <= idx; i++ {
		e, err := r.Entry(ctx, i)
		must(t, err)
		must(t, mem.Append(i, e.Leaf))
	}
	return mem[idx][:]
}

// A transaction that no log entry names is reported.
func TestVerifyUnchainedTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1)
		f.submit(f.members[0])
		f.verify()
		must(t, db.Exec(`INSERT INTO equity_transactions (idempotency_key, body_hash, kind, model_id, member_id, reason, meta, created_at)
            VALUES ('forged', '', 'vest', ?, ?, '', '{}', CURRENT_TIMESTAMP)`, f.model, f.members[0]).Error)
		rep, err := f.st.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "1 transactions are not on the hash chain") {
			t.Fatalf("unchained transaction: %+v", rep.First)
		}
	})
}
