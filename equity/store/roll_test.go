package store_test

import (
	"sync"
	"testing"

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
		if sizes[0] != 6 || sizes[len(sizes)-1] >= h.Seq {
			t.Fatalf("sizes %v, head %d", sizes, h.Seq)
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

// Two integrators at once give one tree with every entry exactly once.
func TestRollConcurrentIntegrators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 2)
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
		for i := 0; i < 20; i++ {
			f.submit(f.members[i%2])
		}
		close(stop)
		wg.Wait()
		_, _, err := a.Integrate(ctx)
		must(t, err)
		h, err := f.st.Head(ctx)
		must(t, err)
		cp, err := a.Checkpoint(ctx)
		must(t, err)
		if cp.Size != h.Seq {
			t.Fatalf("tree %d, log %d", cp.Size, h.Seq)
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
