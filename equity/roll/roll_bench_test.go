package roll

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// benchLeaves are the tree sizes of the proof benchmarks: the comma-separated
// COPYHOLD_BENCH_LEAVES (e.g. 1000000,10000000), else 100,000 so that
// `make bench` stays quick. See docs/BENCHMARKS.md ("Court roll").
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

var (
	benchTreesMu sync.Mutex
	benchTrees   = map[int64]MemoryHashes{}
)

// benchTree is the stored hashes of a tree of n leaves, built once per
// process (10M leaves take about a minute and 640 MB).
func benchTree(b *testing.B, n int64) MemoryHashes {
	benchTreesMu.Lock()
	defer benchTreesMu.Unlock()
	if m, ok := benchTrees[n]; ok {
		return m
	}
	m := make(MemoryHashes, 0, StoredHashCount(n))
	for i := int64(0); i < n; i++ {
		if err := m.Append(i, Leaf("tx", i+1, []byte(`{"bench":true}`))); err != nil {
			b.Fatal(err)
		}
	}
	benchTrees[n] = m
	return m
}

// BenchmarkProofs: inclusion and consistency proofs over an in-memory tree,
// beside the same proofs made by tlog directly (the baseline: roll's own
// cost is the wrapper) and the client's check of each proof.
func BenchmarkProofs(b *testing.B) {
	for _, n := range benchLeaves() {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			m := benchTree(b, n)
			root, err := TreeHash(n, m)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			b.Run("inclusion", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := InclusionProof(rng.Int64N(n), n, m); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline=tlog.ProveRecord", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := tlog.ProveRecord(n, rng.Int64N(n), m); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("inclusion-check", func(b *testing.B) {
				idx := rng.Int64N(n)
				proof, _ := InclusionProof(idx, n, m)
				leaf := m[StoredHashIndex(0, idx)]
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := CheckInclusion(proof, n, root, idx, leaf); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("consistency", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := ConsistencyProof(1+rng.Int64N(n-1), n, m); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline=tlog.ProveTree", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := tlog.ProveTree(n, 1+rng.Int64N(n-1), m); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("consistency-check", func(b *testing.B) {
				from := 1 + rng.Int64N(n-1)
				proof, _ := ConsistencyProof(from, n, m)
				old, _ := TreeHash(from, m)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := CheckConsistency(proof, n, root, from, old); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
