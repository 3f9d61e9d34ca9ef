package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"copyhold/labeling/sqldb"
	"copyhold/migrations"

	"gorm.io/gorm"
)

// BenchmarkPgledgerFromGo runs pgledger's vest (docs/bench/pgledger_vest.sql:
// BEGIN, one pgledger_create_transfers call with two transfers, COMMIT) from
// this process, through the driver stack and pool a copyhold vest uses (GORM's
// transaction, database/sql, pgx, BEGIN pipelined with the call). Set against
// pgbench running the same script on the same database, it separates what the
// Go client costs from what the ledger's SQL costs: the server does the same
// work for both. COPYHOLD_PGLEDGER_URL names a database with pgledger and
// docs/bench/pgledger_setup.sql loaded (docs/bench/run-vest-bench.sh makes one).
func BenchmarkPgledgerFromGo(b *testing.B) {
	url := os.Getenv("COPYHOLD_PGLEDGER_URL")
	if url == "" {
		b.Skip("set COPYHOLD_PGLEDGER_URL (docs/bench/run-vest-bench.sh)")
	}
	call := pgledgerCall(b)
	for _, callers := range []int{8, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			db, err := migrations.Open(context.Background(), migrations.Source{URL: url})
			must(b, err)
			sqlDB, _ := db.DB()
			defer sqlDB.Close()
			setCallers(b, callers)
			checkpoint(b, db)
			b.ResetTimer()
			cpu := readCPU(db)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					m, r := 1+rand.IntN(64), 1+rand.IntN(64)
					err := db.Transaction(func(tx *gorm.DB) error {
						rows, ok, err := sqldb.QueryNamed(tx, call, map[string]any{"m": m, "r": r})
						if err != nil {
							return fmt.Errorf("pgledger call: %w", err)
						}
						if !ok {
							return fmt.Errorf("pgledger call not sent: a name in it is neither @m nor @r")
						}
						defer rows.Close()
						for rows.Next() {
						}
						return rows.Err()
					})
					if err != nil {
						b.Error(err)
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vest/s")
		})
	}
}

// pgledgerCall is the statement between BEGIN and COMMIT in
// docs/bench/pgledger_vest.sql, its pgbench variables (:m, :r) as @names, so
// that Go and pgbench send the same call.
func pgledgerCall(b *testing.B) string {
	raw, err := os.ReadFile("../../docs/bench/pgledger_vest.sql")
	must(b, err)
	_, rest, ok := strings.Cut(string(raw), "\nBEGIN;\n")
	call, _, ok2 := strings.Cut(rest, ";\nCOMMIT;")
	if !ok || !ok2 {
		b.Fatal("docs/bench/pgledger_vest.sql: no BEGIN; … COMMIT; transaction")
	}
	return pgbenchVar.ReplaceAllString(call, "$1@$2")
}

// pgbenchVar is a pgbench :variable (not a :: cast).
var pgbenchVar = regexp.MustCompile(`([^:]):([a-z]+)\b`)
