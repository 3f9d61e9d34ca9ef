package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
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
	const call = `SELECT id FROM pgledger_create_transfers(ARRAY[
  ((SELECT id FROM bench_accounts WHERE member = ? AND kind = 'pending'),
   (SELECT id FROM bench_accounts WHERE member = ? AND kind = 'vested'), 1)::transfer_request,
  ((SELECT id FROM bench_accounts WHERE member = ? AND kind = 'issuance'),
   (SELECT id FROM bench_accounts WHERE member = ? AND kind = 'vested'), 1)::transfer_request])`
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
						rows, err := sqldb.Query(tx, call, m, m, r, r)
						if err != nil {
							return err
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
