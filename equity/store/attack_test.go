package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// dropGuards takes the append-only triggers away, as an operator with
// database access can.
func dropGuards(t *testing.T, db *gorm.DB) {
	t.Helper()
	if db.Dialector.Name() == "postgres" {
		for _, tbl := range []string{"equity_transactions", "equity_postings", "equity_log", "equity_roll_hashes", "equity_roll_checkpoints", "equity_roll_cosignatures"} {
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

// attack is a register with a checkpoint after every entry, each accepted
// and cosigned by a witness; a member's saved checkpoint at savedSize; and a
// snapshot that recorded the head at that size.
type attack struct {
	f         *fixture
	r         *store.Roll
	vkey      string
	key       *roll.Key
	saved     []byte
	savedSize int64
	witness   roll.WitnessKey
	accepted  []byte // the checkpoint the witness accepted last
}

func attackSetup(t *testing.T, db *gorm.DB) *attack {
	a := &attack{f: newFixture(t, db, 2), key: testKey(t)}
	a.vkey = a.key.Verifier
	a.r = store.NewRoll(db, a.key)
	wk, err := roll.GenerateWitnessKey("witness.test")
	must(t, err)
	a.witness, err = roll.ParseWitnessKey(wk)
	must(t, err)
	_, _, err = a.r.Integrate(ctx)
	must(t, err)
	for i := 0; i < 8; i++ {
		a.f.submit(a.f.members[i%2])
		_, _, err := a.r.Integrate(ctx)
		must(t, err)
		if err := a.witnessRound(); err != nil {
			t.Fatalf("the witness refused an honest checkpoint: %v", err)
		}
		if i == 5 {
			cp, err := a.r.Checkpoint(ctx)
			must(t, err)
			a.saved, a.savedSize = []byte(cp.Note), cp.Size
			h, err := a.f.st.Head(ctx)
			must(t, err)
			must(t, db.Exec(`INSERT INTO snapshots (model_id, mode, task_type, ledger_seq, ledger_head, salt, created_at)
                VALUES (?, 'all', 'classification', ?, ?, 'salt', ?)`, a.f.model, h.Seq, h.Hash, time.Now().UTC()).Error)
		}
	}
	rep, err := a.f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Checkpoint: a.saved, Witnesses: []string{a.witness.Verifier}})
	must(t, err)
	if !rep.OK || rep.Tree == nil || rep.Tree.Extends == nil || *rep.Tree.Extends != a.savedSize || rep.Tree.RecordedHeads != 1 || rep.Tree.Cosignatures != 8 {
		t.Fatalf("verify before the attack: %+v %v %+v", rep, rep.First, rep.Tree)
	}
	return a
}

// witnessRound is one round of a witness (copyhold witness does the same
// over HTTP): it checks the register's latest checkpoint against the one it
// accepted last, with a consistency proof from the register; when that
// holds it accepts the checkpoint, cosigns it and the register stores the
// cosignature. A refusal wraps roll.ErrRefused and changes nothing.
func (a *attack) witnessRound() error {
	sc, err := a.r.Checkpoint(ctx)
	if err != nil {
		return err
	}
	cp, err := roll.CheckWitnessed(a.accepted, []byte(sc.Note), a.vkey, func(from, to int64) ([]roll.Hash, error) {
		return a.r.ConsistencyProof(ctx, from, to)
	})
	if err != nil {
		return err
	}
	a.accepted = []byte(sc.Note)
	msg, err := roll.Cosign([]byte(sc.Note), a.vkey, a.witness.Signer)
	if err != nil {
		return err
	}
	_, sigs, err := roll.OpenCosigned(msg, a.vkey, []string{a.witness.Verifier})
	if err != nil {
		return err
	}
	return a.r.AddCosignatures(ctx, cp, sigs)
}

// refused asserts that the witness refuses the register's checkpoint now,
// for the reason named.
func (a *attack) refused(t *testing.T, why string) {
	t.Helper()
	before := string(a.accepted)
	err := a.witnessRound()
	if !errors.Is(err, roll.ErrRefused) || !strings.Contains(err.Error(), why) {
		t.Fatalf("the witness did not refuse (%s): %v", why, err)
	}
	if string(a.accepted) != before {
		t.Fatal("the witness accepted the refused checkpoint")
	}
}

// (a) Rewrite an old transaction and recompute the chain and the tree with
// the project's own code: the saved checkpoint, the stored signed
// checkpoints and the snapshot's recorded head each catch it.
func TestAttackRewriteHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := attackSetup(t, db)
		f, vkey, saved := a.f, a.vkey, a.saved
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
		// (c) The server goes on: it takes a new entry into the forged tree
		// and signs it with its key. The witness refuses to cosign.
		f.submit(f.members[0])
		_, _, err = a.r.Integrate(ctx)
		must(t, err)
		a.refused(t, "fork: tree")
		// ... the operator also deletes every checkpoint it cannot re-sign
		// (and the witness's cosignatures on them).
		must(t, db.Exec("DELETE FROM equity_roll_cosignatures").Error)
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
		a := attackSetup(t, db)
		f, vkey, saved, savedSize := a.f, a.vkey, a.saved, a.savedSize
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
		must(t, db.Exec("DELETE FROM equity_roll_cosignatures WHERE size > ?", keep).Error)
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
		// (c) The register now serves its checkpoint of size keep: a witness
		// that accepted a larger one refuses it.
		a.refused(t, "rollback")
	})
}

// (c) Fork: the operator holds the signing key. It rewrites an old
// transaction, recomputes the chain and the tree, replaces every stored
// checkpoint with one it signs over the new tree, and serves that tree: one
// member is shown one tree, another member another, both validly signed.
func TestAttackFork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := attackSetup(t, db)
		f := a.f
		var sizes []int64
		must(t, db.Raw("SELECT size FROM equity_roll_checkpoints ORDER BY size").Scan(&sizes).Error)
		var txID, seq int64
		must(t, db.Raw("SELECT ref_id, seq FROM equity_log WHERE kind = 'tx' ORDER BY seq LIMIT 1 OFFSET 2").Row().Scan(&txID, &seq))
		if seq >= a.savedSize {
			t.Fatalf("the rewritten entry %d must be inside the saved checkpoint (%d)", seq, a.savedSize)
		}
		dropGuards(t, db)
		must(t, db.Exec("UPDATE equity_transactions SET reason = 'forked' WHERE id = ?", txID).Error)
		must(t, store.ForgeChain(ctx, db))
		// Re-sign every stored checkpoint over the new tree, in place.
		var mem roll.MemoryHashes
		for i := int64(0); i < sizes[len(sizes)-1]; i++ {
			e, err := a.r.Entry(ctx, i)
			must(t, err)
			must(t, mem.Append(i, e.Leaf))
		}
		for _, n := range sizes {
			root, err := roll.TreeHash(n, mem)
			must(t, err)
			note, err := roll.Sign(roll.Checkpoint{Origin: a.key.Signer.Name(), Size: n, Root: root}, a.key.Signer)
			must(t, err)
			must(t, db.Exec("UPDATE equity_roll_checkpoints SET root = ?, note = ? WHERE size = ?", root[:], string(note), n).Error)
		}
		// Every stored checkpoint is validly signed and matches the tree: a
		// verify that trusts only the database sees nothing wrong but the
		// snapshot's recorded head (b).
		rep, err := f.st.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "snapshot") {
			t.Fatalf("(b) verify against the snapshot's head after the fork: %+v", rep.First)
		}
		// (a) The member's saved checkpoint: both signed by the key, neither
		// extends the other. The stored checkpoints were re-signed, so they
		// cannot narrow the entry: the range starts at entry 1.
		rep, err = f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Checkpoint: a.saved})
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "FORK") ||
			!strings.Contains(rep.First.Reason, fmt.Sprintf("among seq 1..%d", a.savedSize)) {
			t.Fatalf("(a) verify --checkpoint after the fork: %+v", rep.First)
		}
		// With the trusted witness's stored cosignatures (kept: the table is
		// append-only, and deleting them would be its own evidence), verify
		// names the rewritten entry exactly: the witness cosigned the tree
		// before it, and its cosignature on the tree that contains it no
		// longer verifies.
		rep, err = f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Checkpoint: a.saved, Witnesses: []string{a.witness.Verifier}})
		must(t, err)
		if rep.OK || rep.First == nil || rep.First.Seq != seq || rep.First.RefID != txID || !strings.Contains(rep.First.Reason, "FORK") {
			t.Fatalf("(a) verify --checkpoint --witnesses did not name entry %d (tx %d): %+v", seq, txID, rep.First)
		}
		// The cosignatures alone (no saved checkpoint) expose it too.
		rep, err = f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Witnesses: []string{a.witness.Verifier}})
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "re-signed after the witness saw it") {
			t.Fatalf("verify --witnesses after the fork: %+v", rep.First)
		}
		// (c) The witness refuses the fork of the same size ...
		a.refused(t, "fork: a different tree of the accepted size")
		// ... and of a larger size.
		f.submit(f.members[1])
		_, _, err = a.r.Integrate(ctx)
		must(t, err)
		a.refused(t, "fork: tree")
	})
}

// verify --witnesses: a stored cosignature that was altered is reported; one
// by a key not trusted is counted as unchecked.
func TestVerifyCosignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := attackSetup(t, db)
		other, err := roll.GenerateWitnessKey("other.test")
		must(t, err)
		ow, err := roll.ParseWitnessKey(other)
		must(t, err)
		rep, err := a.f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Witnesses: []string{ow.Verifier}})
		must(t, err)
		if !rep.OK || rep.Tree.Cosignatures != 0 || rep.Tree.CosignaturesUnchecked != 8 {
			t.Fatalf("untrusted witness: %+v %+v", rep.First, rep.Tree)
		}
		dropGuards(t, db)
		var line string
		must(t, db.Raw("SELECT line FROM equity_roll_cosignatures WHERE size = ?", a.savedSize).Scan(&line).Error)
		f := strings.Fields(line)
		sig := []byte(f[2])
		sig[20] ^= 1 // another base64 letter of the same class
		if sig[20] == '+' || sig[20] == '/' {
			sig[20] = 'A'
		}
		must(t, db.Exec("UPDATE equity_roll_cosignatures SET line = ? WHERE size = ?", f[0]+" "+f[1]+" "+string(sig)+"\n", a.savedSize).Error)
		rep, err = a.f.st.VerifyWith(ctx, store.VerifyOptions{VerifierKey: a.vkey, Witnesses: []string{a.witness.Verifier}})
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, fmt.Sprintf("size %d", a.savedSize)) || !strings.Contains(rep.First.Reason, "witness.test") {
			t.Fatalf("altered cosignature: %+v", rep.First)
		}
	})
}
