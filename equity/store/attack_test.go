package store_test

import (
	"strings"
	"testing"
	"time"

	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// dropGuards takes the append-only triggers away, as an operator with
// database access can.
func dropGuards(t *testing.T, db *gorm.DB) {
	t.Helper()
	if db.Dialector.Name() == "postgres" {
		for _, tbl := range []string{"equity_transactions", "equity_postings", "equity_log", "equity_roll_hashes", "equity_roll_checkpoints"} {
			must(t, db.Exec("ALTER TABLE "+tbl+" DISABLE TRIGGER USER").Error)
		}
		return
	}
	var names []string
	must(t, db.Raw("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'equity_%'").Scan(&names).Error)
	for _, n := range names {
		must(t, db.Exec("DROP TRIGGER "+n).Error)
	}
}

// attackSetup is a register with a checkpoint after every entry, a
// member's saved checkpoint at size saved, and a snapshot that recorded the
// head at that size.
func attackSetup(t *testing.T, db *gorm.DB) (f *fixture, r *store.Roll, vkey string, saved []byte, savedSize int64) {
	f = newFixture(t, db, 2)
	k := testKey(t)
	r = store.NewRoll(db, k)
	_, _, err := r.Integrate(ctx)
	must(t, err)
	for i := 0; i < 8; i++ {
		f.submit(f.members[i%2])
		_, _, err := r.Integrate(ctx)
		must(t, err)
		if i == 5 {
			cp, err := r.Checkpoint(ctx)
			must(t, err)
			saved, savedSize = []byte(cp.Note), cp.Size
			h, err := f.st.Head(ctx)
			must(t, err)
			must(t, db.Exec(`INSERT INTO snapshots (model_id, mode, task_type, ledger_seq, ledger_head, salt, created_at)
                VALUES (?, 'all', 'classification', ?, ?, 'salt', ?)`, f.model, h.Seq, h.Hash, time.Now().UTC()).Error)
		}
	}
	rep, err := f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: k.Verifier, Checkpoint: saved})
	must(t, err)
	if !rep.OK || rep.Tree == nil || rep.Tree.Extends == nil || *rep.Tree.Extends != savedSize || rep.Tree.RecordedHeads != 1 {
		t.Fatalf("verify before the attack: %+v %v %+v", rep, rep.First, rep.Tree)
	}
	return f, r, k.Verifier, saved, savedSize
}

// (a) Rewrite an old transaction and recompute the chain and the tree with
// the project's own code: the saved checkpoint, the stored signed
// checkpoints and the snapshot's recorded head each catch it.
func TestAttackRewriteHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f, _, vkey, saved, _ := attackSetup(t, db)
		var txID, seq int64
		must(t, db.Raw("SELECT ref_id, seq FROM equity_log WHERE kind = 'tx' ORDER BY seq LIMIT 1 OFFSET 2").Row().Scan(&txID, &seq))
		dropGuards(t, db)
		must(t, db.Exec("UPDATE equity_transactions SET reason = 'forged' WHERE id = ?", txID).Error)
		must(t, store.ForgeChain(ctx, db))

		// The chain alone is fooled (the probe's finding) ...
		rep, err := f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: vkey})
		must(t, err)
		if rep.OK || rep.First == nil || rep.First.Seq != seq || rep.First.RefID != txID {
			t.Fatalf("stored checkpoints did not name the rewritten entry %d: %+v", seq, rep.First)
		}
		// ... the operator also deletes every checkpoint it cannot re-sign.
		must(t, db.Exec("DELETE FROM equity_roll_checkpoints").Error)
		must(t, store.ForgeChain(ctx, db))
		rep, err = f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: vkey, Checkpoint: saved})
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "rewritten") {
			t.Fatalf("verify --checkpoint: %+v", rep.First)
		}
		// The snapshot's recorded head alone catches it too.
		rep, err = f.st.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "snapshot") {
			t.Fatalf("verify against the snapshot's head: %+v", rep.First)
		}
	})
}

// (b) Drop the last entries and roll the head back.
func TestAttackRollback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f, _, vkey, saved, savedSize := attackSetup(t, db)
		dropGuards(t, db)
		keep := savedSize - 3
		var txIDs []int64
		must(t, db.Raw("SELECT ref_id FROM equity_log WHERE kind = 'tx' AND seq > ?", keep).Scan(&txIDs).Error)
		for _, id := range txIDs {
			must(t, db.Exec("DELETE FROM equity_postings WHERE tx_id = ?", id).Error)
		}
		must(t, db.Exec("DELETE FROM equity_log WHERE seq > ?", keep).Error)
		for _, id := range txIDs {
			must(t, db.Exec("DELETE FROM equity_transactions WHERE id = ?", id).Error)
		}
		must(t, db.Exec("DELETE FROM equity_roll_checkpoints WHERE size > ?", keep).Error)
		must(t, store.ForgeChain(ctx, db))
		// Balances would give a careless attacker away; this one fixes them.
		must(t, db.Exec(`UPDATE equity_balances SET balance = COALESCE((SELECT SUM(p.amount) FROM equity_postings p
            WHERE p.unit = equity_balances.unit AND p.account = equity_balances.account), 0)`).Error)

		rep, err := f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: vkey, Checkpoint: saved})
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "dropped") {
			t.Fatalf("verify --checkpoint after rollback: %+v", rep.First)
		}
		rep, err = f.st.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "snapshot") {
			t.Fatalf("verify against the snapshot's head after rollback: %+v", rep.First)
		}
	})
}
