package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/work"

	"gorm.io/gorm"
)

// BenchmarkClaimSubmit measures one labeller action, ClaimNextTask followed
// by Submit (the review step on the submit that completes an item, and the
// ledger's pending credit on every one), with 1, 8 and 64 labellers at once, on a project of 20k slots
// (6,667 items × k=3) and one of 2M slots (666,667 items × k=3). PostgreSQL
// only. Every run gets a fresh project, built with INSERT … SELECT
// generate_series and vacuumed (docs/bench/claim-fixture.sql);
// CLAIM_BENCH_BIG_SLOTS makes the big one smaller on slow machines.
// It reports statements per action: each one is a round trip.
// docs/bench/run-claim-bench.sh compares the figures with pgbench sending
// the same statements (docs/bench/claim-submit.sql, held to the Go path by
// TestClaimSubmitStatementsMatchPgbench).
func BenchmarkClaimSubmit(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	var statements statementCounter
	db := openTraced(b, &statements)
	fixture, err := os.ReadFile("../../docs/bench/claim-fixture.sql")
	if err != nil {
		b.Fatal(err)
	}
	// Wired as `copyhold serve` wires it: every submit posts the ledger's
	// pending credit in its transaction.
	s := store.New(db).WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
	bigSlots := 2_000_000
	if v, err := strconv.Atoi(os.Getenv("CLAIM_BENCH_BIG_SLOTS")); err == nil && v > 0 {
		bigSlots = v
	}
	built := 0
	for _, size := range []struct {
		name  string
		slots int
	}{{"20k", 20_000}, {"2M", bigSlots}} {
		if size.slots != 2_000_000 && size.name == "2M" {
			size.name = fmt.Sprintf("%dk", size.slots/1000)
		}
		for _, labellers := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("slots=%s/labellers=%d", size.name, labellers), func(b *testing.B) {
				// A fresh project per run, of either size: one reused by later
				// runs would carry their claims' history (dead index entries at
				// the head of the claim order) while the other did not, and
				// b.N never exhausts a fresh one.
				built++
				start := time.Now()
				projectID := buildClaimFixture(b, db, string(fixture), fmt.Sprintf("bench-%s-%d", size.name, built), size.slots/3)
				if size.slots > 20_000 {
					b.Logf("built %d items in %v", size.slots/3, time.Since(start).Round(time.Millisecond))
				}
				var members []int64
				if err := db.Raw(`SELECT id FROM members WHERE login LIKE 'bench%' ORDER BY id LIMIT ?`, labellers).Scan(&members).Error; err != nil {
					b.Fatal(err)
				}
				before, writes := statements.n.Load(), statements.writes.Load()
				runClaimSubmit(b, s, projectID, members)
				b.ReportMetric(float64(statements.n.Load()-before)/float64(b.N), "statements/action")
				b.ReportMetric(float64(statements.writes.Load()-writes)/float64(b.N), "round-trips/action")
			})
		}
	}
}

// buildClaimFixture runs the fixture SQL for a project and returns its id.
func buildClaimFixture(b testing.TB, db *gorm.DB, fixture, name string, items int) int64 {
	b.Helper()
	sql := strings.NewReplacer(":'name'", "'"+name+"'", ":items", strconv.Itoa(items), ":labellers", "64").Replace(fixture)
	for _, stmt := range strings.Split(sql, ";\n") {
		var lines []string
		for _, l := range strings.Split(stmt, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		if q := strings.TrimSpace(strings.Join(lines, "\n")); q != "" {
			if err := db.Exec(q).Error; err != nil {
				b.Fatalf("fixture: %v\n%s", err, q)
			}
		}
	}
	var id int64
	if err := db.Raw(`SELECT id FROM projects WHERE name = ?`, name).Scan(&id).Error; err != nil || id == 0 {
		b.Fatalf("fixture project %q: %v", name, err)
	}
	return id
}

// runClaimSubmit runs b.N claim+submit pairs spread over the members, one
// goroutine per member, and reports latency percentiles and throughput.
func runClaimSubmit(b *testing.B, s *store.Stores, projectID int64, members []int64) {
	ctx := context.Background()
	w := work.New(s)
	answer := json.RawMessage(`{"choice":"positive"}`)
	var next atomic.Int64
	claims := make([][]time.Duration, len(members))
	submits := make([][]time.Duration, len(members))
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				task, err := s.Leases.ClaimNextTask(ctx, m, projectID)
				t1 := time.Now()
				if err != nil {
					b.Errorf("claim: %v", err)
					return
				}
				// Keys are random so that runs sharing the big project never collide.
				if _, err := w.Submit(ctx, m, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
					IdempotencyKey: labeling.NewLeaseToken(), Answer: answer, LeadTimeMs: 1000}); err != nil {
					b.Errorf("submit: %v", err)
					return
				}
				claims[i] = append(claims[i], t1.Sub(t0))
				submits[i] = append(submits[i], time.Since(t1))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	c, sub := slices.Concat(claims...), slices.Concat(submits...)
	if len(c) == 0 {
		return
	}
	b.ReportMetric(float64(len(c))/elapsed.Seconds(), "claims/s")
	b.ReportMetric(percentileMs(c, 50), "claim-p50-ms")
	b.ReportMetric(percentileMs(c, 99), "claim-p99-ms")
	b.ReportMetric(percentileMs(sub, 50), "submit-p50-ms")
	b.ReportMetric(percentileMs(sub, 99), "submit-p99-ms")
}

func percentileMs(d []time.Duration, p int) float64 {
	slices.Sort(d)
	i := (len(d)*p+99)/100 - 1
	return float64(d[max(i, 0)].Microseconds()) / 1000
}
