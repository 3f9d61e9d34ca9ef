package store_test

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// Benchmarks run on PostgreSQL (TEST_DATABASE_URL); see docs/BENCHMARKS.md.

func benchDB(b *testing.B) *gorm.DB {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("set TEST_DATABASE_URL")
	}
	return dbtest.Open(b, dbtest.Postgres)
}

// setCallers makes b.RunParallel run about callers goroutines: it starts
// parallelism × GOMAXPROCS of them, and GOMAXPROCS is the cores this process
// may use.
func setCallers(b *testing.B, callers int) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((callers + procs - 1) / procs)
}

// checkpoint starts the timed part right after a checkpoint, as
// docs/bench/run-vest-bench.sh starts each pgbench run: after one, the first
// write to each page logs the whole page, so how much WAL a run writes
// depends on where the last checkpoint fell (inside the run: more; long
// before it: less). It needs a superuser or pg_checkpoint; without, it says so.
func checkpoint(b *testing.B, db *gorm.DB) {
	if err := db.Exec("CHECKPOINT").Error; err != nil {
		b.Logf("no checkpoint before the timed part: %v", err)
	}
}

// BenchmarkVest measures vest transactions (pending → vested, with a
// reviewer credit, the event and the chain append) with 8 and 64 callers.
func BenchmarkVest(b *testing.B) {
	for _, callers := range []int{8, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			// The pool is the application's (migrations.DefaultMaxConns, as
			// serve opens it): callers beyond it wait in Go, as requests do.
			// COPYHOLD_BENCH_CONNS overrides it to compare pool sizes.
			db := benchDB(b)
			if n, _ := strconv.Atoi(os.Getenv("COPYHOLD_BENCH_CONNS")); n > 0 {
				sqlDB, _ := db.DB()
				sqlDB.SetMaxOpenConns(n)
			}
			f := newFixture(b, db, 64)
			first := atomic.LoadInt64(&subSeq) + 1
			for i := 0; i < b.N; i++ {
				f.submit(f.members[i%64])
			}
			// As pgbench does after loading its tables: the planner sees the
			// ledger as it is, not as the empty tables of a minute ago
			// (autovacuum's job in production, too slow for a benchmark).
			must(b, db.Exec("VACUUM ANALYZE").Error)
			checkpoint(b, db)
			var next, retries atomic.Int64
			next.Store(first - 1)
			setCallers(b, callers)
			b.ResetTimer()
			cpu := readCPU(db)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					sub := next.Add(1)
					// Like every caller, retry a transaction that lost a
					// deadlock (two vests creating each other's new balance rows).
					var err error
					for attempt := 0; attempt < 8; attempt++ {
						err = db.Transaction(func(tx *gorm.DB) error {
							_, err := store.Vest(tx, store.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: f.members[sub%64]})
							return err
						})
						if !sqldb.IsRetryable(err) {
							break
						}
						retries.Add(1)
					}
					if err != nil {
						b.Error(err)
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vest/s")
			b.ReportMetric(float64(retries.Load()), "retries")
		})
	}
}

// bulkHistory writes n valid ledger transactions (issuance → member vested)
// straight into the tables, hash chain and court roll included (every entry
// integrated, one checkpoint at the end), to build large fixtures fast.
func bulkHistory(b *testing.B, db *gorm.DB, model int64, members []int64, n int) {
	unit := equity.ModelUnit(model)
	key := benchKey(b)
	// The fixture's own entries (rate card, governance) through the
	// integrator, then the bulk ones into an in-memory copy of the tree.
	_, _, err := store.NewRoll(db, key).Integrate(ctx)
	must(b, err)
	var mem roll.MemoryHashes
	var stored [][]byte
	must(b, db.Raw("SELECT hash FROM equity_roll_hashes ORDER BY idx").Scan(&stored).Error)
	for _, h := range stored {
		mem = append(mem, roll.Hash(h))
	}
	storedN := int64(len(mem))
	var h struct {
		Seq  int64
		Hash string
	}
	must(b, db.Raw("SELECT seq, hash FROM equity_log_head WHERE id = 1").Scan(&h).Error)
	var maxID int64
	must(b, db.Raw("SELECT COALESCE(MAX(id), 0) FROM equity_transactions").Scan(&maxID).Error)
	sqlDB, _ := db.DB()
	t0 := time.Now().UTC().Add(-time.Duration(n+10) * time.Millisecond).Truncate(time.Microsecond)
	bal := map[int64]int64{}
	const batch = 20000
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var ids, tmembers, seqs, amounts []int64
		var keys, accounts, prevs, hashes []string
		var times []time.Time
		for i := start; i < end; i++ {
			id := maxID + int64(i) + 1
			m := members[i%len(members)]
			amt := int64(1 + i%1000)
			at := t0.Add(time.Duration(i) * time.Millisecond)
			tx := equity.Transaction{ID: id, Key: "bench:" + strconv.FormatInt(id, 10), Kind: equity.KindVest, ModelID: model, MemberID: m, Meta: "{}", CreatedAt: at,
				Postings: []equity.Posting{{Seq: 1, Unit: unit, Account: equity.AccountIssuance, Amount: -amt, Category: equity.CatAnnotation},
					{Seq: 2, Unit: unit, Account: equity.Vested(m), Amount: amt, Category: equity.CatAnnotation}}}
			h.Seq++
			canon := equity.CanonicalTx(tx)
			hash := equity.ChainHash(h.Hash, canon)
			must(b, mem.Append(h.Seq-1, roll.Leaf(equity.LogTx, id, canon)))
			ids, tmembers, amounts, times, keys = append(ids, id), append(tmembers, m), append(amounts, amt), append(times, at), append(keys, tx.Key)
			seqs, prevs, hashes, accounts = append(seqs, h.Seq), append(prevs, h.Hash), append(hashes, hash), append(accounts, equity.Vested(m))
			h.Hash = hash
			bal[m] += amt
		}
		_, err = sqlDB.Exec(`INSERT INTO equity_transactions (id, idempotency_key, body_hash, kind, model_id, member_id, reason, meta, created_at)
            SELECT id, k, '', 'vest', $1, m, '', '{}', at FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::timestamptz[]) AS u(id, k, m, at)`,
			model, ids, keys, tmembers, times)
		must(b, err)
		_, err = sqlDB.Exec(`INSERT INTO equity_postings (tx_id, seq, unit, account, amount, category, created_at)
            SELECT id, 1, $1, 'issuance', -a, 'annotation', at FROM unnest($2::bigint[], $3::bigint[], $4::timestamptz[]) AS u(id, a, at)
            UNION ALL
            SELECT id, 2, $1, acc, a, 'annotation', at FROM unnest($2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[]) AS u(id, a, at, acc)`,
			unit, ids, amounts, times, accounts)
		must(b, err)
		_, err = sqlDB.Exec(`INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at)
            SELECT s, 'tx', id, p, h, now() FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS u(s, id, p, h)`,
			seqs, ids, prevs, hashes)
		must(b, err)
	}
	for m, v := range bal {
		must(b, db.Exec(`INSERT INTO equity_balances (unit, account, balance) VALUES (?, ?, ?)
            ON CONFLICT (unit, account) DO UPDATE SET balance = equity_balances.balance + excluded.balance`, unit, equity.Vested(m), v).Error)
	}
	must(b, db.Exec("SELECT setval(pg_get_serial_sequence('equity_transactions', 'id'), ?)", maxID+int64(n)).Error)
	must(b, db.Exec("UPDATE equity_log_head SET seq = ?, hash = ? WHERE id = 1", h.Seq, h.Hash).Error)
	storeTree(b, db, key, mem, storedN, h.Seq)
	must(b, db.Exec("ANALYZE").Error)
}

func benchEntries(def int) int {
	if v, err := strconv.Atoi(os.Getenv("COPYHOLD_BENCH_ENTRIES")); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkStatement: one member's statement over 100k postings: the totals
// of all of them and the newest page of lines, as the API serves it.
func BenchmarkStatement(b *testing.B) {
	db := benchDB(b)
	f := newFixture(b, db, 1)
	bulkHistory(b, db, f.model, f.members, 100_000)
	from, to := time.Now().Add(-1000*time.Hour), time.Now().Add(time.Hour)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := f.st.StatementFor(ctx, f.members[0], f.model, from, to, statementPage)
		if err != nil || st.LineCount != 100_000 || len(st.Lines) != statementPage {
			b.Fatalf("%v: %d lines of %d", err, len(st.Lines), st.LineCount)
		}
	}
}

// BenchmarkVerify: ledger verify over COPYHOLD_BENCH_ENTRIES entries
// (default 100k; docs/BENCHMARKS.md measures 1M), the court roll included,
// beside reading the same rows without checking anything (the baseline: one
// query per table, every column scanned).
func BenchmarkVerify(b *testing.B) {
	db := benchDB(b)
	f := newFixture(b, db, 50)
	n := benchEntries(100_000)
	start := time.Now()
	bulkHistory(b, db, f.model, f.members, n)
	b.Logf("fixture of %d entries built in %s", n, time.Since(start).Round(time.Second))
	// One connection, so that its server process's CPU time is the
	// database's share: go_cpu_s/op and db_cpu_s/op are what the shared
	// machine's load does not inflate.
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1)
	var backend int
	must(b, db.Raw("SELECT pg_backend_pid()").Scan(&backend).Error)
	b.Run("verify", func(b *testing.B) {
		go0, db0 := cpuSeconds(0), cpuSeconds(backend)
		for i := 0; i < b.N; i++ {
			rep, err := f.st.Verify(ctx)
			if err != nil || !rep.OK || rep.Tree.Integrated != rep.Tree.Leaves {
				b.Fatalf("%v %v %+v", err, rep.First, rep.Tree)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		b.ReportMetric((cpuSeconds(0)-go0)/float64(b.N), "go_cpu_s/op")
		b.ReportMetric((cpuSeconds(backend)-db0)/float64(b.N), "db_cpu_s/op")
	})
	b.Run("baseline=read-rows", func(b *testing.B) {
		go0, db0 := cpuSeconds(0), cpuSeconds(backend)
		defer func() {
			b.ReportMetric((cpuSeconds(0)-go0)/float64(b.N), "go_cpu_s/op")
			b.ReportMetric((cpuSeconds(backend)-db0)/float64(b.N), "db_cpu_s/op")
		}()
		for i := 0; i < b.N; i++ {
			for _, q := range []string{"SELECT seq, kind, ref_id, prev_hash, hash FROM equity_log",
				"SELECT * FROM equity_transactions", "SELECT * FROM equity_postings", "SELECT idx, hash FROM equity_roll_hashes"} {
				rows, err := db.Raw(q).Rows()
				must(b, err)
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				for j := range vals {
					vals[j] = new(any)
				}
				for rows.Next() {
					must(b, rows.Scan(vals...))
				}
				must(b, rows.Err())
				rows.Close()
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

// statementPage matches the server's JSON statement page.
const statementPage = 500

// cpuSeconds is the user+system CPU time of process pid (0: this one) from
// /proc (0 where there is no /proc, or the process is elsewhere).
func cpuSeconds(pid int) float64 {
	path := "/proc/self/stat"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// Fields after the ")" that ends the command name: utime and stime are
	// the 12th and 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // USER_HZ
}
