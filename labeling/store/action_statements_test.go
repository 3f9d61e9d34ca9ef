package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/store"
	"copyhold/labeling/work"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// wireLog records every statement pgx sends, as sent: BEGIN and COMMIT
// included, parameters as $n.
type wireLog struct {
	mu   sync.Mutex
	on   bool
	sqls []string
	args []string // each statement's arguments, for the failure message
}

func (l *wireLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	if l.on {
		l.sqls = append(l.sqls, d.SQL)
		l.args = append(l.args, fmt.Sprintf("%v", d.Args))
	}
	l.mu.Unlock()
	return ctx
}

func (l *wireLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// sent is one statement as sent, with its arguments.
type sent struct{ sql, args string }

func (l *wireLog) record(fn func()) []sent {
	l.mu.Lock()
	l.on, l.sqls, l.args = true, nil, nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	out := make([]sent, len(l.sqls))
	for i := range l.sqls {
		out[i] = sent{l.sqls[i], l.args[i]}
	}
	return out
}

// statementCounter counts the statements pgx sends, and the writes to the
// server's socket: each write is one round trip (a transaction's BEGIN
// travels with its first statement, sqldb.OpenPostgres).
type statementCounter struct{ n, writes atomic.Int64 }

// writeCounter is a tracer that also counts socket writes.
type writeCounter interface{ countWrites() *atomic.Int64 }

func (c *statementCounter) countWrites() *atomic.Int64 { return &c.writes }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// openTraced opens a migrated PostgreSQL database for this test whose
// statements l sees, configured as migrations.Open configures it.
func openTraced(t testing.TB, l pgx.QueryTracer) *gorm.DB {
	t.Helper()
	src := dbtest.Source(t, dbtest.Postgres)
	plain, err := migrations.Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	sqlPlain, _ := plain.DB()
	sqlPlain.Close()
	cfg, err := pgx.ParseConfig(src.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = l
	if wc, ok := l.(writeCounter); ok {
		dbtest.CountWrites(cfg, wc.countWrites())
	}
	sqlDB := sqldb.OpenPostgres(*cfg)
	sqlDB.SetMaxOpenConns(migrations.DefaultMaxConns())
	sqlDB.SetMaxIdleConns(migrations.DefaultMaxConns())
	t.Cleanup(func() { sqlDB.Close() })
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Discard,
		SkipDefaultTransaction: true, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	sqldb.TrackCommits(db) // the NOTIFY after the commit, as migrations.Open wires it
	return db
}

var (
	sqlComment  = regexp.MustCompile(`--[^\n]*`)
	sqlString   = regexp.MustCompile(`'(?:[^']|'')*'`)
	sqlParam    = regexp.MustCompile(`\$\d+|(?:^|[^:]):[a-z_][a-z0-9_]*`)
	sqlNumber   = regexp.MustCompile(`\b\d+(?:\.\d+)?\b`)
	sqlKeywords = regexp.MustCompile(`(?i)\b(?:null|true|false)\b`)
	sqlSpace    = regexp.MustCompile(`\s+`)
	sqlGset     = regexp.MustCompile(`\\[ag]set(?:\s+\w+)?\s*$`)
	sqlAdjacent = regexp.MustCompile(`\?[ \t]*\n\s*\?`) // 'a'<newline>'b' is one literal in SQL
)

// normaliseSQL makes a statement comparable across the two senders:
// comments, literals, $n parameters and pgbench :variables become ?, and
// runs of white space one space.
func normaliseSQL(s string) string {
	s = sqlComment.ReplaceAllString(s, "")
	s = sqlGset.ReplaceAllString(strings.TrimSpace(s), "")
	s = sqlString.ReplaceAllString(s, "?")
	s = sqlAdjacent.ReplaceAllString(s, "?")
	s = sqlParam.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '$' || m[0] == ':' {
			return "?"
		}
		return m[:1] + "?"
	})
	s = sqlKeywords.ReplaceAllString(s, "?")
	s = sqlNumber.ReplaceAllString(s, "?")
	s = sqlSpace.ReplaceAllString(s, " ")
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ";"))
}

// TestClaimSubmitStatementsMatchPgbench: one labeller action sends exactly
// the statements that docs/bench/claim-submit.sql sends, in order, for both
// of its branches: a submit that leaves the item short of its k answers,
// and the one that completes it (the review step: scoring, routing,
// automatic acceptance and the ledger's vesting). Change the SQL of the
// claim, submit, review or ledger path, and this fails until the pgbench
// script follows.
func TestClaimSubmitStatementsMatchPgbench(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	var l wireLog
	db := openTraced(t, &l)
	fixture, err := os.ReadFile("../../docs/bench/claim-fixture.sql")
	if err != nil {
		t.Fatal(err)
	}
	// Two items, k = 3, three labellers taking turns: actions 1-3 answer the
	// first item, 4-6 the second. The first three pay one-time costs (the
	// project's first rate card, the unit, the first balances); 4-6 are the
	// steady state the benchmark runs.
	project := buildClaimFixture(t, db, string(fixture), "statements", 2)
	var members []int64
	if err := db.Raw(`SELECT id FROM members WHERE login LIKE 'bench%' ORDER BY id LIMIT 3`).Scan(&members).Error; err != nil {
		t.Fatal(err)
	}
	st := store.New(db).WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
	w := work.New(st)
	ctx := context.Background()
	var actions [][]sent
	for i := range 6 {
		m := members[i%3]
		actions = append(actions, l.record(func() {
			task, err := st.Leases.ClaimNextTask(ctx, m, project)
			if err != nil {
				t.Fatalf("claim: %v", err)
			}
			if _, err := w.Submit(ctx, m, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
				IdempotencyKey: labeling.NewLeaseToken(), Answer: json.RawMessage(`{"choice":"positive"}`), LeadTimeMs: 1000}); err != nil {
				t.Fatalf("submit: %v", err)
			}
		}))
	}
	script, err := os.ReadFile("../../docs/bench/claim-submit.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		got      []sent
		branches map[string]bool
	}{
		{"claim of an unstarted item", actions[3], map[string]bool{":complete": false}},
		{"claim of a started item", actions[4], map[string]bool{":complete": false}},
		{"submit that completes the item (review step)", actions[5], map[string]bool{":complete": true}},
	} {
		want := pgbenchStatements(t, string(script), c.branches)
		var got []string
		notifies := 0
		for _, s := range c.got {
			if n := normaliseSQL(s.sql); n == notifySQL {
				notifies++
			} else {
				got = append(got, n)
			}
		}
		t.Logf("%s: %d statements (and %d NOTIFYs from the event notifier)", c.name, len(got), notifies)
		bad := false
		for j := range max(len(got), len(want)) {
			var g, w string
			if j < len(got) {
				g = got[j]
			}
			if j < len(want) {
				w = want[j]
			}
			if g != w {
				bad = true
				t.Errorf("%s, statement %d:\n  Go sends: %s\n  script:   %s", c.name, j+1, g, w)
			}
		}
		if bad {
			var b strings.Builder
			for _, s := range c.got {
				fmt.Fprintf(&b, "%s;\n    -- %s\n", s.sql, s.args)
			}
			t.Logf("%s, as sent:\n%s", c.name, b.String())
		}
	}
}

// notifySQL is the event notifier's NOTIFY (labeling/event/notify.go),
// normalised. The notifier sends it after a commit from its own goroutine on
// its own connection, coalescing commits, so where it falls among an action's
// statements (or whether it falls in this action at all) is timing: the
// comparison leaves it out, and the script does not send it.
var notifySQL = normaliseSQL(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, current_schema())`)

// pgbenchStatements reads a pgbench script: its SQL statements, normalised,
// along the branches that branches names (each \if's condition, as written,
// to whether it holds).
func pgbenchStatements(t *testing.T, script string, branches map[string]bool) []string {
	t.Helper()
	var out []string
	var cur strings.Builder
	var skipping []bool
	skip := func() bool {
		return slices.Contains(skipping, true)
	}
	for _, line := range strings.Split(script, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, `\if `):
			cond := strings.TrimSpace(strings.TrimPrefix(trim, `\if `))
			holds, ok := branches[cond]
			if !ok {
				t.Fatalf("the script branches on %q, which the test does not know", cond)
			}
			skipping = append(skipping, !holds)
			continue
		case trim == `\else`:
			skipping[len(skipping)-1] = !skipping[len(skipping)-1]
			continue
		case trim == `\endif`:
			skipping = skipping[:len(skipping)-1]
			continue
		case strings.HasPrefix(trim, `\`), strings.HasPrefix(trim, "--"), trim == "":
			continue
		}
		if skip() {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trim, ";") || sqlGset.MatchString(trim) {
			out = append(out, normaliseSQL(cur.String()))
			cur.Reset()
		}
	}
	return out
}
