package sqldb_test

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"copyhold/labeling/sqldb"
	"copyhold/migrations/dbtest"

	"github.com/jackc/pgx/v5"
)

// A large result is read from the socket in reads larger than pgx's own
// 8 KiB buffer (an export's rows, many to a system call): the server is given
// time to fill the socket first, so the reads after that take what is there.
func TestLargeResultsReadInLargeReads(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	cfg, err := pgx.ParseConfig(dbtest.Source(t, dbtest.Postgres).URL)
	if err != nil {
		t.Fatal(err)
	}
	var largest atomic.Int64
	var d net.Dialer
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return readSizes{c, &largest}, nil
	}
	db := sqldb.OpenPostgres(*cfg)
	t.Cleanup(func() { db.Close() })
	rows, err := db.Query("SELECT repeat('x', 1000) FROM generate_series(1, 2000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n == 0 {
			time.Sleep(100 * time.Millisecond)
		}
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != 2000 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if got := largest.Load(); got <= 8<<10 {
		t.Fatalf("largest read from the socket: %d bytes; want more than pgx's 8 KiB", got)
	}
}

type readSizes struct {
	net.Conn
	largest *atomic.Int64
}

func (c readSizes) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	for {
		old := c.largest.Load()
		if int64(n) <= old || c.largest.CompareAndSwap(old, int64(n)) {
			break
		}
	}
	return n, err
}
