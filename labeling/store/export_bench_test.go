package store_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"
)

// BenchmarkExportSnapshot exports N accepted pairwise annotations (default
// 1,000,000; COPYHOLD_EXPORT_BENCH_ROWS) to TRL DPO JSONL on PostgreSQL. The
// fixture is built with set-based SQL (generate_series), then frozen with
// CreateSnapshot (timed once), then exported b.N times to a file. It
// reports rows/s, heap allocations and bytes per row, the process's CPU time
// per row (the reader and writer goroutines, GC included), and its peak RSS
// during the export (VmHWM, reset through /proc/self/clear_refs before
// each run).
func BenchmarkExportSnapshot(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("needs TEST_DATABASE_URL")
	}
	n := 1_000_000
	if v := os.Getenv("COPYHOLD_EXPORT_BENCH_ROWS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	db := dbtest.Open(b, dbtest.Postgres)
	st := store.New(db).WithRegister(equitystore.Reads{})
	var coord, lab int64
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	must(db.Raw(`INSERT INTO members (login, display_name, password_hash, active, created_at, updated_at) VALUES ('coord', 'coord', '', TRUE, ?, ?) RETURNING id`, now, now).Scan(&coord).Error)
	must(db.Raw(`INSERT INTO members (login, display_name, password_hash, active, created_at, updated_at) VALUES ('lab', 'lab', '', TRUE, ?, ?) RETURNING id`, now, now).Scan(&lab).Error)
	m, err := st.Projects.CreateModel(ctx, &coord, labeling.Model{Name: "bench"})
	must(err)
	p, err := st.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: m.ID, Name: "prefs", TaskType: tasktype.TaskPairwise,
		Schema: json.RawMessage(`{}`), Overlap: 1}, false)
	must(err)
	t0 := time.Now()
	for _, q := range []string{
		`INSERT INTO items (project_id, seq, external_id, data, content_hash, order_key, status, done, created_at)
SELECT @p, g, 'ex-' || g, jsonb_build_object('prompt', 'Question number ' || g || ': what is the capital of country ' || (g % 197) || '?',
    'response_a', 'The capital is city ' || (g % 197) || ', which is also its largest city.',
    'response_b', 'I am not sure; maybe city ' || ((g * 7) % 197) || '.'),
    md5(g::text), g, 'complete', 1, now()
FROM generate_series(1, CAST(@n AS BIGINT)) g`,
		`INSERT INTO assignments (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, submitted_at, updated_at)
SELECT @p, i.id, @lab, 'submitted', 'bench-' || i.id, now(), now(), now(), now() FROM items i WHERE i.project_id = @p`,
		`INSERT INTO submissions (assignment_id, item_id, project_id, member_id, answer, idempotency_key, body_hash, lead_time_ms, status, created_at)
SELECT a.id, a.item_id, @p, @lab, CASE WHEN a.item_id % 10 = 0 THEN '{"choice":"b"}'::jsonb ELSE '{"choice":"a"}'::jsonb END,
    'bench-' || a.item_id, 'h', 1000 + (a.item_id % 60000), 'accepted', now()
FROM assignments a WHERE a.project_id = @p`,
		`ANALYZE items; ANALYZE submissions; ANALYZE assignments`,
	} {
		q = strings.NewReplacer("@p", strconv.FormatInt(p.ID, 10), "@n", strconv.Itoa(n), "@lab", strconv.FormatInt(lab, 10)).Replace(q)
		must(db.Exec(q).Error)
	}
	b.Logf("fixture: %d accepted annotations in %s", n, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	snap, err := st.Datasets.CreateSnapshot(ctx, &coord, dataset.SnapshotRequest{ModelID: m.ID, ProjectIDs: []int64{p.ID}})
	must(err)
	b.Logf("snapshot %s: %d items in %s (%.0f rows/s)", snap.Hash[:12], snap.Items, time.Since(t0).Round(time.Millisecond),
		float64(snap.Items)/time.Since(t0).Seconds())
	out, err := os.CreateTemp(b.TempDir(), "dpo-*.jsonl")
	must(err)
	defer out.Close()

	// The baseline, in the same run: psql's \copy of the same rows, in the
	// same order, to a file.
	var schema string
	must(db.Raw("SELECT current_schema()").Scan(&schema).Error)
	psql, _ := exec.LookPath("psql")
	copyFile := filepath.Join(b.TempDir(), "copy.txt")
	copyCmd := fmt.Sprintf(`\copy (SELECT project_id, body FROM %s.snapshot_rows WHERE snapshot_id = %d ORDER BY item_id) TO '%s'`,
		schema, snap.ID, copyFile)

	// A sub-benchmark, so that the fixture above is built once: the
	// framework runs a benchmark function once with b.N = 1 before the
	// timed run.
	b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
		var peak int64
		var took, copyTook []time.Duration
		var allocs, allocBytes uint64 // heap allocations during the exports
		var cpu []time.Duration       // the process's CPU time (user + system) per export
		// COPYHOLD_EXPORT_BENCH_CPUPROFILE=FILE profiles the exports only
		// (-cpuprofile would include building the fixture and the snapshot).
		if f := os.Getenv("COPYHOLD_EXPORT_BENCH_CPUPROFILE"); f != "" {
			pf, err := os.Create(f)
			must(err)
			must(pprof.StartCPUProfile(pf))
			defer func() { pprof.StopCPUProfile(); pf.Close() }()
		}
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			out.Seek(0, io.SeekStart)
			out.Truncate(0)
			runtime.GC()
			debug.FreeOSMemory()
			os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			ru0 := cpuTime()
			b.StartTimer()
			start := time.Now()
			bw := bufio.NewWriterSize(out, 256<<10)
			man, err := st.Datasets.ExportSnapshot(ctx, snap.ID, dataset.ExportRequest{Format: dataset.ExportTRLDPO}, bw)
			must(err)
			must(bw.Flush())
			if man.Counts.Rows != int64(n) {
				b.Fatalf("wrote %d rows, want %d", man.Counts.Rows, n)
			}
			took = append(took, time.Since(start))
			b.StopTimer()
			cpu = append(cpu, cpuTime()-ru0)
			runtime.ReadMemStats(&ms1)
			allocs += ms1.Mallocs - ms0.Mallocs
			allocBytes += ms1.TotalAlloc - ms0.TotalAlloc
			peak = max(peak, vmHWM())
			if psql != "" && os.Getenv("COPYHOLD_EXPORT_BENCH_CPUPROFILE") == "" {
				start = time.Now()
				if out, err := exec.Command(psql, os.Getenv("TEST_DATABASE_URL"), "-qc", copyCmd).CombinedOutput(); err != nil {
					b.Fatalf("psql \\copy: %v\n%s", err, out)
				}
				copyTook = append(copyTook, time.Since(start))
			}
			b.StartTimer()
		}
		goTime := median(took)
		b.ReportMetric(float64(n)/goTime.Seconds(), "rows/s")
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		b.ReportMetric(float64(allocs)/float64(b.N)/float64(n), "allocs/row")
		b.ReportMetric(float64(allocBytes)/float64(b.N)/float64(n), "B/row")
		b.ReportMetric(float64(median(cpu).Nanoseconds())/float64(n), "cpu-ns/row")
		if len(copyTook) > 0 {
			copyTime := median(copyTook)
			b.ReportMetric(float64(n)/copyTime.Seconds(), "copy-rows/s")
			b.ReportMetric(goTime.Seconds()/copyTime.Seconds(), "x-copy-time")
		}
		b.ReportMetric(0, "ns/op")
	})
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

// cpuTime is the CPU time (user and system) the process has used: unlike
// wall time, it hardly depends on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident set in KiB.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	return 0
}
