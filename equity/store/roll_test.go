package store_test

import (
	"sync"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
)

func testKey(t testing.TB) *roll.Key {
	t.Helper()
	skey, err := roll.GenerateKey(roll.Origin("test.example"))
	must(t, err)
	k, err := roll.ParseKey(skey)
	must(t, err)
	return &k
}

func TestRollIntegrateAndProve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		for i := 0; i < 5; i++ { // an existing log before the tree
			f.submit(f.members[i%2])
		}
		k := testKey(t)
		r := store.NewRoll(db, k)
		if _, err := r.Checkpoint(ctx); err != equity.ErrNoCheckpoint {
			t.Fatalf("checkpoint before integrate: %v", err)
		}
		var sizes []int64
		for round := 0; round < 4; round++ {
			cp, ok, err := r.Integrate(ctx)
			must(t, err)
			if !ok {
				t.Fatal("the tree did not grow")
			}
			sizes = append(sizes, cp.Size)
			if _, ok, err := r.Integrate(ctx); err != nil || ok {
				t.Fatalf("integrate with nothing new: %v %v", ok, err)
			}
			for i := 0; i <= round; i++ {
				f.submit(f.members[0])
			}
		}
		h, err := f.st.Head(ctx)
		must(t, err)
		// The last submits wait in the queue: the log and the tree end together.
		if sizes[0] != 6 || sizes[len(sizes)-1] != h.Seq {
			t.Fatalf("sizes %v, head %d", sizes, h.Seq)
		}
		if rep, err := f.st.Verify(ctx); err != nil || !rep.OK || rep.Pending != 4 {
			t.Fatalf("verify with 4 queued: %+v %v", rep, err)
		}
		sc, err := r.Checkpoint(ctx)
		must(t, err)
		cp, err := roll.Open([]byte(sc.Note), k.Verifier)
		must(t, err)
		for i := int64(0); i < cp.Size; i++ {
			e, err := r.Entry(ctx, i)
			must(t, err)
			lh, proof, err := r.InclusionProof(ctx, i, cp.Size)
			must(t, err)
			if lh != e.LeafHash || roll.LeafHash(e.Leaf) != lh {
				t.Fatalf("leaf hash of %d", i)
			}
			if err := tlog.CheckRecord(tlog.RecordProof(proof), cp.Size, cp.Root, i, lh); err != nil {
				t.Fatalf("inclusion %d: %v", i, err)
			}
		}
		all, err := r.Checkpoints(ctx)
		must(t, err)
		for _, old := range all {
			proof, err := r.ConsistencyProof(ctx, old.Size, cp.Size)
			must(t, err)
			if old.Size < cp.Size {
				if err := tlog.CheckTree(tlog.TreeProof(proof), cp.Size, cp.Root, old.Size, old.Root); err != nil {
					t.Fatalf("consistency %d→%d: %v", old.Size, cp.Size, err)
				}
			}
		}
		// Bad input.
		if _, _, err := r.InclusionProof(ctx, 0, cp.Size+1); err != equity.ErrBeyondTree {
			t.Fatalf("beyond: %v", err)
		}
		if _, _, err := r.InclusionProof(ctx, cp.Size, cp.Size); err != equity.ErrBadRange {
			t.Fatalf("index = size: %v", err)
		}
		if _, err := r.ConsistencyProof(ctx, 3, 2); err != equity.ErrBadRange {
			t.Fatalf("from > to: %v", err)
		}
		if _, err := r.Entry(ctx, cp.Size); err != equity.ErrNotInTree {
			t.Fatalf("entry beyond: %v", err)
		}
		if _, _, err := r.Tile(ctx, "0/x/1"); err != equity.ErrBadTilePath {
			t.Fatalf("bad tile: %v", err)
		}
		data, full, err := r.Tile(ctx, roll.TilePath(tlog.Tile{H: 8, L: 0, N: 0, W: int(cp.Size)}))
		must(t, err)
		if full || len(data) != int(cp.Size)*32 {
			t.Fatalf("tile %d bytes, full %v", len(data), full)
		}
	})
}

// Concurrent appenders and two integrators at once give one log and one
// tree, with every committed entry exactly once, in an order that keeps
// causes before their effects.
func TestRollConcurrentIntegrators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 4)
		k := testKey(t)
		a, b := store.NewRoll(db, k), store.NewRoll(db, k)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for _, r := range []*store.Roll{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, _, err := r.Integrate(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		var writers sync.WaitGroup
		for w := 0; w < 4; w++ {
			writers.Add(1)
			go func() {
				defer writers.Done()
				for i := 0; i < 10; i++ {
					sub, _ := f.submit(f.members[w])
					f.vest(sub, f.members[(w+1)%4])
				}
			}()
		}
		writers.Wait()
		close(stop)
		wg.Wait()
		_, _, err := a.Integrate(ctx)
		must(t, err)
		h, err := f.st.Head(ctx)
		must(t, err)
		cp, err := a.Checkpoint(ctx)
		must(t, err)
		var txs, logged, distinct, queued, maxSeq int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_transactions").Scan(&txs).Error)
		must(t, db.Raw("SELECT COUNT(*), COUNT(DISTINCT ref_id), COALESCE(MAX(seq), 0) FROM equity_log WHERE kind = 'tx'").Row().Scan(&logged, &distinct, &maxSeq))
		must(t, db.Raw("SELECT COUNT(*) FROM equity_log_queue").Scan(&queued).Error)
		if txs != 80 || logged != txs || distinct != txs || queued != 0 || cp.Size != h.Seq || maxSeq != h.Seq {
			t.Fatalf("%d transactions, %d logged (%d distinct), %d queued; tree %d, head %d, last seq %d", txs, logged, distinct, queued, cp.Size, h.Seq, maxSeq)
		}
		var total int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_log").Scan(&total).Error)
		if total != h.Seq {
			t.Fatalf("log has %d rows for seq 1..%d: a gap or a double", total, h.Seq)
		}
		var backwards int64
		must(t, db.Raw(`SELECT COUNT(*) FROM equity_transactions v JOIN equity_log lv ON lv.kind = 'tx' AND lv.ref_id = v.id
            JOIN equity_log lp ON lp.kind = 'tx' AND lp.ref_id = v.resolves_id WHERE lv.seq < lp.seq`).Scan(&backwards).Error)
		if backwards != 0 {
			t.Fatalf("%d vests are on the log before the credits they resolve", backwards)
		}
		var n int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_roll_hashes").Scan(&n).Error)
		if n != roll.StoredHashCount(cp.Size) {
			t.Fatalf("%d stored hashes, want %d", n, roll.StoredHashCount(cp.Size))
		}
		rep, err := f.st.Verify(ctx)
		must(t, err)
		if !rep.OK {
			t.Fatal(rep.First)
		}
	})
}

// An installation upgraded from before the queue has log entries beyond its
// tree: the integrator takes those first, in seq order, then the queue.
func TestRollTakesALogWrittenBeforeTheQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
		for i := 0; i < 3; i++ {
			f.submit(f.members[i%2])
		}
		// Chain the queued entries the way the old write path did: straight
		// onto the log and the head, with no tree.
		var qs []struct {
			Entry int64
			Kind  string
			RefID int64
		}
		must(t, db.Raw("SELECT entry, kind, ref_id FROM equity_log_queue ORDER BY entry").Scan(&qs).Error)
		if len(qs) != 4 {
			t.Fatalf("%d queued entries, want the rate card and 3 credits", len(qs))
		}
		prev := equity.GenesisHash
		for i, q := range qs {
			var canon []byte
			if q.Kind == equity.LogTx {
				tr, err := store.Transaction(db, q.RefID)
				must(t, err)
				canon = equity.CanonicalTx(tr)
			} else {
				rc, err := store.CurrentRateCard(db, f.project)
				must(t, err)
				canon = equity.CanonicalRateCard(rc)
			}
			h := equity.ChainHash(prev, canon)
			must(t, db.Exec("INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				i+1, q.Kind, q.RefID, prev, h, time.Now().UTC()).Error)
			must(t, db.Exec("DELETE FROM equity_log_queue WHERE entry = ?", q.Entry).Error)
			must(t, db.Exec("UPDATE equity_log_head SET seq = ?, hash = ? WHERE id = 1", i+1, h).Error)
			prev = h
		}
		f.submit(f.members[0]) // and one new entry in the queue
		cp, ok, err := store.NewRoll(db, testKey(t)).Integrate(ctx)
		must(t, err)
		if !ok || cp.Size != 5 {
			t.Fatalf("tree of %d (grew %v), want the 4 logged entries and the queued one", cp.Size, ok)
		}
		var last struct {
			Kind string
			Seq  int64
		}
		must(t, db.Raw("SELECT kind, seq FROM equity_log ORDER BY seq DESC LIMIT 1").Scan(&last).Error)
		if last.Seq != 5 || last.Kind != equity.LogTx {
			t.Fatalf("last log entry %+v", last)
		}
		if rep, err := f.st.Verify(ctx); err != nil || !rep.OK || rep.Entries != 5 || rep.Pending != 0 || rep.Tree.Leaves != 5 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}
