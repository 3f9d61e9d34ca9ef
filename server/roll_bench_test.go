package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
)

// loadClients is how many HTTP clients BenchmarkCheckpointLoad runs at once.
const loadClients = 64

// BenchmarkCheckpointLoad: GET /api/register/checkpoint from 64 concurrent
// clients against a real server on PostgreSQL, beside GET /readyz (one
// database ping) on the same server in the same run as the baseline. It
// reports requests per second and the p50 and p99 latency
// (docs/BENCHMARKS.md, "Court roll").
func BenchmarkCheckpointLoad(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("set TEST_DATABASE_URL")
	}
	db := dbtest.Open(b, dbtest.Postgres)
	st := store.New(db).WithRegister(equitystore.Reads{})
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost), Ready: sqlDB,
		Exports: server.NewExportCache(b.TempDir(), server.ExportCacheLimits{}, log)}
	d := servertest.Deps(db, st)
	// One register entry (the governance defaults as a version), integrated.
	reg := equitystore.New(db)
	g, err := reg.Governance(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	g.Reason = "bench"
	if _, err := reg.SetGovernance(context.Background(), 0, g); err != nil {
		b.Fatal(err)
	}
	if _, ok, err := d.Roll.(*equitystore.Roll).Integrate(context.Background()); err != nil || !ok {
		b.Fatalf("no checkpoint to serve: %v", err)
	}
	ts := httptest.NewServer(server.New(cfg, d, log).Handler())
	defer ts.Close()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}

	for _, path := range []string{"/api/register/checkpoint", "/readyz"} {
		b.Run(fmt.Sprintf("clients=%d/path=%s", loadClients, path), func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := 0; c < loadClients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						res, err := hc.Get(ts.URL + path)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusOK {
							b.Errorf("GET %s: %d", path, res.StatusCode)
							return
						}
						lat[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
		})
	}
}
