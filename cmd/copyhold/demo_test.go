package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
	"copyhold/server"
)

// TestDemoCoop: the demo seeds a living co-op on both databases (all eight
// task types, accepted and rejected work in the past weeks, a transfer,
// passed votes, releases with a leaderboard, work waiting for the
// reviewers), and a second run changes nothing.
func TestDemoCoop(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			began := time.Now()
			first, err := runCmd(t, vars, "", "demo")
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, first)
			}
			t.Logf("demo on %s: %s", d, time.Since(began).Round(time.Millisecond))
			if !strings.Contains(first, "login=labeller") || !strings.Contains(first, "password=copyhold-demo") ||
				!strings.Contains(first, "Four weeks of history") {
				t.Fatalf("demo output:\n%s", first)
			}
			ctx := context.Background()
			db, err := migrations.Open(ctx, migrations.Source{URL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]})
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(db)
			st := newStore(db)
			ps, err := st.Projects.Projects(ctx, labeling.ProjectFilter{})
			if err != nil {
				t.Fatal(err)
			}
			types := map[string]bool{}
			for _, p := range ps {
				types[string(p.TaskType)] = true
				// Every project of the full demo is open, the chats included.
				if p.Status != labeling.ProjectOpen {
					t.Errorf("project %q is %s", p.Name, p.Status)
				}
			}
			if len(types) != 8 {
				t.Fatalf("task types: %v", types)
			}
			model := ps[0].ModelID
			eq := equitystore.New(db)
			reg, err := eq.RegisterFor(ctx, model)
			if err != nil {
				t.Fatal(err)
			}
			passed := map[string]bool{}
			for _, v := range reg.Votes {
				if v.Status == "passed" {
					passed[v.Kind] = true
				}
			}
			if !passed["governance"] || !passed["distribution"] || len(reg.Releases) != 2 || len(reg.Distributions) != 1 || len(reg.Holders) < 3 {
				t.Fatalf("register: votes %+v, %d releases, %d distributions, %d holders", reg.Votes, len(reg.Releases), len(reg.Distributions), len(reg.Holders))
			}
			// Each release names the register head that covers the work before it:
			// the second, a week later, a head past the first's.
			if r := reg.Releases; r[0].LedgerSeq == 0 || r[1].LedgerSeq <= r[0].LedgerSeq {
				t.Fatalf("releases recorded register heads #%d and #%d", r[0].LedgerSeq, r[1].LedgerSeq)
			}
			lb, err := st.Datasets.Leaderboard(ctx, model, dataset.BTOptions{Resamples: -1})
			if err != nil || len(lb.Evaluations) != 1 || lb.BradleyTerry == nil || len(lb.BradleyTerry.Ratings) != 2 {
				t.Fatalf("leaderboard: %+v %v", lb, err)
			}
			ids := map[string]int64{}
			for _, login := range []string{"labeller", "labeller2", "reviewer", "reviewer2"} {
				m, err := st.Members.MemberByLogin(ctx, login)
				if err != nil {
					t.Fatal(err)
				}
				ids[login] = m.ID
			}
			// The transfer, weeks ago: the history is backdated.
			stmt, err := eq.StatementFor(ctx, ids["labeller2"], model, time.Time{}, time.Now(), 0)
			if err != nil {
				t.Fatal(err)
			}
			transfers, oldest := 0, time.Now()
			for _, l := range stmt.Lines {
				if l.Kind == equity.KindTransfer {
					transfers++
				}
				if l.At.Before(oldest) {
					oldest = l.At
				}
			}
			if transfers == 0 || time.Since(oldest) < 14*24*time.Hour {
				t.Fatalf("labeller2's statement: %d transfer lines, oldest %s", transfers, oldest)
			}
			var sentiment labeling.Project
			for _, p := range ps {
				if p.Name == demoProject {
					sentiment = p
				}
			}
			q, err := st.Quality.ProjectQuality(ctx, sentiment.ID)
			if err != nil || len(q.Labellers) < 3 {
				t.Fatalf("sentiment quality: %+v %v", q, err)
			}
			for _, l := range q.Labellers {
				if l.Accepted == 0 || l.Rejected == 0 {
					t.Fatalf("every labeller has accepted and rejected work: %+v", l)
				}
			}
			// The chats have a history too: rated turn by turn, reviewed, some rejected.
			chats := 0
			for _, p := range ps {
				if p.Name != demoChatProject {
					continue
				}
				chats++
				q, err := st.Quality.ProjectQuality(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				accepted, rejected := 0, 0
				for _, l := range q.Labellers {
					accepted += int(l.Accepted)
					rejected += int(l.Rejected)
				}
				if len(q.Labellers) < 3 || accepted < 6 || rejected == 0 {
					t.Fatalf("chat quality: %d labellers, %d accepted, %d rejected", len(q.Labellers), accepted, rejected)
				}
			}
			if chats != 1 {
				t.Fatalf("%d chat projects", chats)
			}
			if v, err := eq.RecentUnitValue(ctx, model); err != nil || v == nil {
				t.Fatalf("recent unit value: %+v %v", v, err)
			}
			// Work waits for the reviewers: a dispute that only the other
			// reviewer may decide, and a failed gold check.
			home, err := st.Reviews.ReviewerHome(ctx, ids["reviewer"])
			if err != nil || home.ForYou == 0 || len(home.Disputes) != 1 || home.Disputes[0].Why != labeling.NotForYouRejected || len(home.GoldFailures) == 0 {
				t.Fatalf("reviewer's home: %+v %v", home, err)
			}
			if home, err := st.Reviews.ReviewerHome(ctx, ids["reviewer2"]); err != nil || len(home.Disputes) != 1 || !home.Disputes[0].ForYou {
				t.Fatalf("reviewer2's home: %+v %v", home, err)
			}

			second, err := runCmd(t, vars, "", "demo")
			if err != nil || !strings.Contains(second, "only into a new database") {
				t.Fatalf("second demo: %v\n%s", err, second)
			}
			again, err := st.Projects.Projects(ctx, labeling.ProjectFilter{})
			if err != nil || len(again) != len(ps) {
				t.Fatalf("projects after a second demo: %d, was %d (%v)", len(again), len(ps), err)
			}
			if reg2, err := eq.RegisterFor(ctx, model); err != nil || len(reg2.Votes) != len(reg.Votes) || len(reg2.Releases) != 2 || reg2.Head.Seq != reg.Head.Seq {
				t.Fatalf("register after a second demo: %+v %v", reg2.Head, err)
			}
			if out, err := runCmd(t, vars, "", "ledger", "verify"); err != nil || !strings.Contains(out, "ok: chain intact") {
				t.Fatalf("ledger verify: %v\n%s", err, out)
			}
		})
	}
}

// TestDemoProbe: the login page lists the demo logins when the demo co-op
// is loaded, and only then: not before the demo, not once the demo
// labeller's password has changed.
func TestDemoProbe(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			if out, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
				t.Fatalf("migrate: %v %s", err, out)
			}
			ctx := context.Background()
			db, err := migrations.Open(ctx, migrations.Source{URL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]})
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB(db)
			st := newStore(db)
			probe := func() server.DemoInfo {
				t.Helper()
				info, err := newDemoProbe(st).DemoInfo(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return info
			}
			if info := probe(); info.Loaded || len(info.Logins) != 0 || info.Password != "" {
				t.Fatalf("before the demo: %+v", info)
			}
			if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
				t.Fatalf("demo: %v %s", err, out)
			}
			info := probe()
			if !info.Loaded || len(info.Logins) != len(demoMembers) || info.Password != demoPassword || info.Logins[2].Login != "labeller" {
				t.Fatalf("after the demo: %+v", info)
			}
			if out, err := runCmd(t, vars, "a-new-long-password\n", "user", "set-password", "--login", "labeller"); err != nil {
				t.Fatalf("set-password: %v %s", err, out)
			}
			if info := probe(); info.Loaded || len(info.Logins) != 0 || info.Password != "" {
				t.Fatalf("after the password changed: %+v", info)
			}
		})
	}
}
