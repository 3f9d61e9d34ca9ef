package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
)

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// httpLabellers is how many labellers BenchmarkHTTPNextSubmit runs at once.
const httpLabellers = 8

// BenchmarkHTTPNextSubmit: 8 labellers, each with its own API token and
// connection, loop POST /api/projects/:id/next then POST /api/submissions
// against a real server whose stores are wired as `copyhold serve` wires them
// (every submit posts the ledger's pending credit; the submit that completes
// an item runs the review step), on SQLite and, with TEST_DATABASE_URL, on
// PostgreSQL in the same run. After a warm-up (httpWarmup) and, on
// PostgreSQL, a VACUUM ANALYZE, it reports cycles per second, the p50 and p99 of the whole
// next+submit cycle and of each request, and the Go process's CPU per cycle
// (docs/BENCHMARKS.md, "Claim and submit").
// The per-credential request budget is lifted: it is what is measured here,
// not the rate limit (20 requests a second per credential by default).
func BenchmarkHTTPNextSubmit(b *testing.B) {
	dialects := []dbtest.Dialect{dbtest.SQLite}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		dialects = append(dialects, dbtest.Postgres)
	}
	for _, d := range dialects {
		b.Run(fmt.Sprintf("db=%s/labellers=%d", d, httpLabellers), func(b *testing.B) {
			db := dbtest.Open(b, d)
			st := store.New(db).WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
			sqlDB, err := db.DB()
			if err != nil {
				b.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			cfg := server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost), Ready: sqlDB,
				RequestRate: server.RequestRate{PerMinute: 1 << 30, Burst: 1 << 20}}
			ts := httptest.NewServer(server.New(cfg, servertest.Deps(db, st), log).Handler())
			defer ts.Close()
			warmup := httpWarmup()
			project, tokens := httpBenchProject(b, st, b.N+warmup)
			hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: httpLabellers}}
			var lat, nextLat, subLat [][]time.Duration
			run := func(n int) {
				lat = make([][]time.Duration, httpLabellers)
				nextLat = make([][]time.Duration, httpLabellers)
				subLat = make([][]time.Duration, httpLabellers)
				var next atomic.Int64
				var wg sync.WaitGroup
				for i, tok := range tokens {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(n) {
							t0 := time.Now()
							var task struct {
								LeaseToken string `json:"lease_token"`
							}
							if err := httpBenchCall(hc, ts.URL, tok, "/api/projects/"+fmt.Sprint(project)+"/next", nil, http.StatusOK, &task); err != nil {
								b.Error(err)
								return
							}
							t1 := time.Now()
							sub := map[string]any{"lease_token": task.LeaseToken, "idempotency_key": labeling.NewLeaseToken(),
								"answer": map[string]string{"choice": "positive"}, "lead_time_ms": 1000}
							if err := httpBenchCall(hc, ts.URL, tok, "/api/submissions", sub, http.StatusCreated, nil); err != nil {
								b.Error(err)
								return
							}
							lat[i] = append(lat[i], time.Since(t0))
							nextLat[i] = append(nextLat[i], t1.Sub(t0))
							subLat[i] = append(subLat[i], time.Since(t1))
						}
					}()
				}
				wg.Wait()
			}
			// Warm up, then (PostgreSQL) vacuum and analyze as pgbench does
			// before a run: the figures are of a project in steady state, not
			// of its first seconds (assignments, submissions and the ledger
			// empty when the planner last looked, which autovacuum corrects
			// within minutes). SQLite keeps no statistics unless asked, and
			// copyhold never asks, so it runs as it would in production.
			if warmup > 0 {
				run(warmup)
				if d == dbtest.Postgres {
					if err := db.Exec("VACUUM ANALYZE").Error; err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			cpu0 := processCPU()
			run(b.N)
			b.StopTimer()
			// The process's CPU (server and load generator, GC included), which
			// the machine's load moves less than latency.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "go-cpu-ms/cycle")
			all := slices.Concat(lat...)
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "cycles/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(all[(len(all)*99+99)/100-1].Microseconds())/1000, "p99_ms")
			for _, part := range []struct {
				name string
				lat  [][]time.Duration
			}{{"next", nextLat}, {"submit", subLat}} {
				l := slices.Concat(part.lat...)
				slices.Sort(l)
				b.ReportMetric(float64(l[len(l)/2].Microseconds())/1000, part.name+"_p50_ms")
				b.ReportMetric(float64(l[(len(l)*99+99)/100-1].Microseconds())/1000, part.name+"_p99_ms")
			}
		})
	}
}

// httpWarmup is how many cycles run before the timed ones (400;
// COPYHOLD_BENCH_WARMUP overrides it, 0 for none).
func httpWarmup() int {
	if n, err := strconv.Atoi(os.Getenv("COPYHOLD_BENCH_WARMUP")); err == nil && n >= 0 {
		return n
	}
	return 400
}

// httpBenchProject makes an open classification project (k = 3) with enough
// items for n cycles and at least 20k slots, and a labeller with an API
// token per client; it returns the project id and the tokens.
func httpBenchProject(b *testing.B, st *store.Stores, n int) (int64, []string) {
	b.Helper()
	ctx := context.Background()
	coord, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: "coord", DisplayName: "coord", Password: servertest.Password,
		Roles: []member.Role{member.RoleCoordinator}, Cost: member.PasswordCost(bcrypt.MinCost)})
	if err != nil {
		b.Fatal(err)
	}
	var tokens []string
	for i := range httpLabellers {
		m, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: fmt.Sprintf("lab%d", i), DisplayName: fmt.Sprintf("lab%d", i),
			Password: servertest.Password, Roles: []member.Role{member.RoleLabeller}, Cost: member.PasswordCost(bcrypt.MinCost)})
		if err != nil {
			b.Fatal(err)
		}
		_, tok, err := st.Members.CreateToken(ctx, m.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	mod, err := st.Projects.CreateModel(ctx, &coord.ID, labeling.Model{Name: "bench-model"})
	if err != nil {
		b.Fatal(err)
	}
	p, err := st.Projects.CreateProject(ctx, &coord.ID, labeling.ProjectSettings{ModelID: mod.ID, Name: "bench", TaskType: tasktype.TaskClassification,
		Overlap: 3, Schema: json.RawMessage(`{"choices":[{"value":"positive"},{"value":"negative"}]}`)}, true)
	if err != nil {
		b.Fatal(err)
	}
	items := max(20_000, n+httpLabellers*3) / 3
	var jsonl strings.Builder
	for i := range items {
		fmt.Fprintf(&jsonl, "{\"text\":\"benchmark sentence number %d\"}\n", i)
	}
	if _, err := st.Projects.ImportItems(ctx, &coord.ID, p.ID, strings.NewReader(jsonl.String()), "jsonl", "bench.jsonl"); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Projects.SetProjectStatus(ctx, &coord.ID, p.ID, labeling.ProjectOpen); err != nil {
		b.Fatal(err)
	}
	return p.ID, tokens
}

func httpBenchCall(hc *http.Client, base, token, path string, body any, want int, out any) error {
	var r io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
