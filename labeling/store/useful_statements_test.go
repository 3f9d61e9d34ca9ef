package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/store"
)

// TestUsefulClaimStatements: with ordering by usefulness on, a claim
// starts as docs/bench/claim-submit.sql's claim does (its first read,
// outside a transaction, after the set_config that keeps its generic plan),
// then takes the full path: in a transaction, one
// stream statement in the same claim pattern (pick, lock skipping locked
// rows, held + 1, RETURNING) and the lease with its event. With the option
// off, TestClaimSubmitStatementsMatchPgbench holds.
func TestUsefulClaimStatements(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("PostgreSQL only: set TEST_DATABASE_URL")
	}
	var l wireLog
	db := openTraced(t, &l)
	fixture, err := os.ReadFile("../../docs/bench/claim-fixture.sql")
	if err != nil {
		t.Fatal(err)
	}
	project := buildClaimFixture(t, db, string(fixture), "useful", 4)
	if err := db.Exec(`UPDATE projects SET order_by_usefulness = TRUE WHERE id = ?`, project).Error; err != nil {
		t.Fatal(err)
	}
	var member int64
	if err := db.Raw(`SELECT id FROM members WHERE login LIKE 'bench%' ORDER BY id LIMIT 1`).Scan(&member).Error; err != nil {
		t.Fatal(err)
	}
	st := store.New(db).WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
	var streams []string
	defer store.OnClaimStream(func(s string) { streams = append(streams, s) })()
	sent := l.record(func() {
		if _, err := st.Leases.ClaimNextTask(context.Background(), member, project); err != nil {
			t.Fatalf("claim: %v", err)
		}
	})
	script, err := os.ReadFile("../../docs/bench/claim-submit.sql")
	if err != nil {
		t.Fatal(err)
	}
	all := pgbenchStatements(t, string(script), map[string]bool{":complete": false})
	want := []string{all[0], all[1], "begin", "<stream>", "<lease>", "commit"}
	var got []string
	for _, s := range sent {
		if n := normaliseSQL(s.sql); n != notifySQL {
			got = append(got, n)
		}
	}
	if len(streams) != 1 || streams[0] == "usual" || streams[0] == "gold" {
		t.Fatalf("streams %v, want one drawn stream", streams)
	}
	if len(got) != len(want) {
		t.Fatalf("%d statements, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	parts := map[string][]string{
		"<stream>": {"with pick as (select i.id from items i where i.project_id = ? and i.status = ? and i.done + i.held < ?",
			"for no key update of i skip locked) update items set held = items.held + ? from pick where items.id = pick.id returning items.id, items.sensitive, items.data, items.prediction"},
		"<lease>": {"with l as (insert into assignments (project_id, item_id, member_id, state, lease_token, lease_expires_at, claimed_at, sensitive, active_ms, updated_at) values (",
			"e as (insert into events (type, scope, actor_id, payload, created_at)"},
	}
	for i := range got {
		if ps, ok := parts[want[i]]; ok {
			for _, part := range ps {
				if !strings.Contains(got[i], part) {
					t.Errorf("statement %d (%s) %s\nlacks %s", i+1, want[i], got[i], part)
				}
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("statement %d:\n  Go sends: %s\n  script:   %s", i+1, got[i], want[i])
		}
	}
}
