package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"copyhold/equity/roll"
	"copyhold/equity/store"

	"gorm.io/gorm"
)

// benchLeaves are the tree sizes of BenchmarkRollProofs: the comma-separated
// COPYHOLD_BENCH_LEAVES (e.g. 1000000), else 100,000 so that `make bench`
// stays quick.
func benchLeaves() []int64 {
	var out []int64
	for _, f := range strings.Split(os.Getenv("COPYHOLD_BENCH_LEAVES"), ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil && n > 1 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int64{100_000}
	}
	return out
}

// benchKey is a signing key for the fixtures' checkpoints.
func benchKey(b *testing.B) *roll.Key {
	skey, err := roll.GenerateKey(roll.Origin("bench.example"))
	if err != nil {
		b.Fatal(err)
	}
	k, err := roll.ParseKey(skey)
	if err != nil {
		b.Fatal(err)
	}
	return &k
}

// storeTree appends the stored hashes mem[from:] and a signed checkpoint of
// size n to the roll tables, in batches.
func storeTree(b *testing.B, db *gorm.DB, key *roll.Key, mem roll.MemoryHashes, from, n int64) {
	sqlDB, _ := db.DB()
	for i := from; i < int64(len(mem)); i += 50_000 {
		j := min(i+50_000, int64(len(mem)))
		idx := make([]int64, 0, j-i)
		hs := make([][]byte, 0, j-i)
		for k := i; k < j; k++ {
			idx, hs = append(idx, k), append(hs, mem[k][:])
		}
		_, err := sqlDB.Exec("INSERT INTO equity_roll_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])", idx, hs)
		must(b, err)
	}
	root, err := roll.TreeHash(n, mem)
	must(b, err)
	note, err := roll.Sign(roll.Checkpoint{Origin: key.Signer.Name(), Size: n, Root: root}, key.Signer)
	must(b, err)
	must(b, db.Exec("INSERT INTO equity_roll_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)",
		n, root[:], string(note), time.Now().UTC()).Error)
}

// bulkTree stores a tree of n synthetic leaves and its checkpoint on an empty
// roll (the proofs read only the stored hashes and the latest checkpoint).
func bulkTree(b *testing.B, db *gorm.DB, key *roll.Key, n int64) {
	mem := make(roll.MemoryHashes, 0, roll.StoredHashCount(n))
	for i := int64(0); i < n; i++ {
		must(b, mem.Append(i, roll.Leaf("tx", i+1, []byte(`{"bench":true}`))))
	}
	storeTree(b, db, key, mem, 0, n)
	must(b, db.Exec("ANALYZE").Error)
}

// BenchmarkRollProofs: inclusion and consistency proofs through Roll on
// PostgreSQL (one read transaction each), beside a single indexed SELECT of
// one stored hash on the same database (the baseline: one round trip).
func BenchmarkRollProofs(b *testing.B) {
	for _, n := range benchLeaves() {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db := benchDB(b)
			key := benchKey(b)
			start := time.Now()
			bulkTree(b, db, key, n)
			b.Logf("tree of %d leaves stored in %s", n, time.Since(start).Round(time.Second))
			r := store.NewRoll(db, key)
			rng := rand.New(rand.NewPCG(1, 2))
			b.Run("inclusion", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, _, err := r.InclusionProof(ctx, rng.Int64N(n), n); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("consistency", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := r.ConsistencyProof(ctx, 1+rng.Int64N(n-1), n); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline=select-one-hash", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					var h []byte
					if err := db.WithContext(ctx).Raw("SELECT hash FROM equity_roll_hashes WHERE idx = ?",
						roll.StoredHashIndex(0, rng.Int64N(n))).Row().Scan(&h); err != nil || len(h) != 32 {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
