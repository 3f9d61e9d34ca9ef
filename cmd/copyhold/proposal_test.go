package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/page"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// runSplit runs a command and keeps stdout and stderr apart.
func runSplit(t *testing.T, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), append([]string{"copyhold"}, args...), getenvFrom(vars), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestProposalHelp(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	for _, tc := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"proposal", "--help"}, []string{"list", "show ID", "close-due"}, nil},
		{[]string{"proposal", "list", "--help"}, []string{"-status", "-limit", "-json", "-database-url"}, []string{"-at"}},
		{[]string{"proposal", "show", "--help"}, []string{"proposal show ID", "-database-url"}, []string{"-at", "-status"}},
		{[]string{"proposal", "close-due", "--help"}, []string{"-at", "RFC 3339"}, []string{"-status", "-limit"}},
	} {
		out, errOut, err := runSplit(t, vars, tc.args...)
		if err != nil || errOut != "" {
			t.Fatalf("%v: err=%v stderr=%q", tc.args, err, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Errorf("%v: stdout lists another subcommand's flag %q:\n%s", tc.args, n, out)
			}
		}
	}
	if _, _, err := runSplit(t, vars, "proposal", "vote"); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}

func TestProposalCommands(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			for i := 0; i < 2; i++ { // demo twice: the constitution is recorded once
				if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
					t.Fatalf("demo: %v %s", err, out)
				}
			}
			ctx := context.Background()
			db, err := migrations.Open(ctx, migrations.Source{URL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]})
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(db)
			svc := govern.New(db, nil, nil)
			hist, err := svc.ConstitutionHistory(ctx, page.All)
			if err != nil || len(hist) != 1 || hist[0].Version != 1 || hist[0].QuorumBP != 2500 {
				t.Fatalf("demo constitution: %+v %v", hist, err)
			}
			var ids []int64
			if err := db.Raw("SELECT id FROM members ORDER BY id").Scan(&ids).Error; err != nil {
				t.Fatal(err)
			}
			// The demo members joined a moment ago; the vote opens after them.
			c, _ := vote.ParseChange(`{"kind":"governance","transfer_fee_bp":25}`)
			p, _, err := svc.Propose(ctx, ids[2], vote.ProposalRequest{Title: "A small fee", Reason: "for the reserve", Change: c, Key: "cli"})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids[:3] {
				if _, err := svc.Vote(ctx, id, p.ID, "yes", ""); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runCmd(t, vars, "", "proposal", "list", "--status", "open")
			if err != nil || !strings.Contains(out, "A small fee") || !strings.Contains(out, "3/5 voted") {
				t.Fatalf("list: %v %s", err, out)
			}
			out, err = runCmd(t, vars, "", "proposal", "close-due")
			if err != nil || !strings.Contains(out, "closed 0 proposals") {
				t.Fatalf("close-due now: %v %s", err, out)
			}
			at := p.ClosesAt.Add(time.Minute).Format(time.RFC3339)
			out, err = runCmd(t, vars, "", "proposal", "close-due", "--at", at)
			if err != nil || !strings.Contains(out, "proposal 1: passed (yes 3, no 0, abstain 0 of 5 eligible)") {
				t.Fatalf("close-due --at: %v %s", err, out)
			}
			out, err = runCmd(t, vars, "", "proposal", "close-due", "--at", at)
			if err != nil || !strings.Contains(out, "closed 0 proposals") {
				t.Fatalf("close-due again: %v %s", err, out)
			}
			out, err = runCmd(t, vars, "", "proposal", "show", "1")
			if err != nil || !strings.Contains(out, `"status": "passed"`) || !strings.Contains(out, `"what": "governance"`) {
				t.Fatalf("show: %v %s", err, out)
			}
			if _, err := runCmd(t, vars, "", "proposal", "show", "77"); err == nil {
				t.Fatal("showed a missing proposal")
			}
			if _, err := runCmd(t, vars, "", "proposal", "close-due", "--at", "tomorrow"); err == nil {
				t.Fatal("accepted a bad --at")
			}
			out, err = runCmd(t, vars, "", "ledger", "verify")
			if err != nil || !strings.Contains(out, "every voted rule version matches its passing proposal") {
				t.Fatalf("verify: %v %s", err, out)
			}
		})
	}
}
