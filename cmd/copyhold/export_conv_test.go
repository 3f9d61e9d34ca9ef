package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// The export options reach the writers from the command line (issue 14):
// the demo's conversation project, rated turn by turn and accepted, exported
// with --system, --weight-zero, --kto-criterion and --kto-threshold; a format
// that cannot hold conversations and options out of range are refused by
// name, leaving no file.
func TestExportConversationOptionsCLI(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	ctx := context.Background()
	db, err := migrations.Open(ctx, migrations.Source{DataDir: vars["COPYHOLD_DATA"]})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(db)
	coord, err := st.Members.MemberByLogin(ctx, "coordinator")
	if err != nil {
		t.Fatal(err)
	}
	model, err := findOrCreateModel(ctx, st, coord.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := demoProjectNamed(ctx, st, model.ID, demoChatProject)
	if err != nil || p.ID == 0 {
		t.Fatalf("chat project: %+v %v", p, err)
	}
	one, noGold := 1, 0
	if _, err := st.Projects.UpdateProject(ctx, &coord.ID, p.ID, labeling.ProjectPatch{Overlap: &one, GoldRateBP: &noGold}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Projects.SetProjectStatus(ctx, &coord.ID, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}
	lab, err := st.Members.MemberByLogin(ctx, "labeller")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := st.Members.MemberByLogin(ctx, "reviewer")
	if err != nil {
		t.Fatal(err)
	}
	// Every assistant turn is correct but the last of each chat.
	withSystem := 0
	for i := 0; i < 6; i++ {
		task, err := st.Leases.ClaimNextTask(ctx, lab.ID, p.ID)
		if err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
		var d struct{ Messages []tasktype.Message }
		if err := json.Unmarshal(task.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Messages[0].Role == tasktype.RoleSystem {
			withSystem++
		}
		last := tasktype.LastAssistant(d.Messages)
		turns := map[string]any{}
		for j, m := range d.Messages {
			if m.Role == tasktype.RoleAssistant {
				correct := 1
				if j == last {
					correct = 0
				}
				turns[m.ID] = map[string]any{"scores": map[string]int{"helpful": 4, "correct": correct}}
			}
		}
		answer, _ := json.Marshal(map[string]any{"turns": turns})
		if _, err := work.New(st).Submit(ctx, lab.ID, labeling.SubmitRequest{LeaseToken: task.LeaseToken,
			IdempotencyKey: fmt.Sprintf("chat-%d", i), Answer: answer, LeadTimeMs: 60_000}); err != nil {
			t.Fatal(err)
		}
		rt, err := st.Reviews.ClaimNextReview(ctx, rev.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		ds := []labeling.DecisionInput{{SubmissionID: rt.Submissions[0].ID, Decision: labeling.DecisionAccept}}
		if _, err := work.New(st).DecideReview(ctx, rev.ID, labeling.DecisionRequest{LeaseToken: rt.LeaseToken,
			IdempotencyKey: fmt.Sprintf("r-%d", i), Decisions: ds}); err != nil {
			t.Fatal(err)
		}
	}
	closeDB(db)
	if out, err := runCmd(t, vars, "", "snapshot", "create", "--model", fmt.Sprint(model.ID), "--projects", fmt.Sprint(p.ID)); err != nil {
		t.Fatalf("snapshot create: %v %s", err, out)
	}
	dir := t.TempDir()
	export := func(name string, args ...string) ([]map[string]json.RawMessage, error) {
		file := filepath.Join(dir, name)
		out, err := runCmd(t, vars, "", append([]string{"export", "--snapshot", "1", "-o", file}, args...)...)
		if err != nil {
			if _, serr := os.Stat(file); serr == nil {
				t.Errorf("%s: a refused export left a file", name)
			}
			return nil, err
		}
		f, ferr := os.Open(file)
		if ferr != nil {
			t.Fatalf("%s: %v %s", name, ferr, out)
		}
		defer f.Close()
		var rows []map[string]json.RawMessage
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var row map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rows = append(rows, row)
		}
		return rows, nil
	}

	rows, err := export("chat.jsonl", "--format", "openai-chat", "--system", "Sei knapp.", "--weight-zero", "history")
	if err != nil || len(rows) != 6 {
		t.Fatalf("openai-chat: %d rows, %v", len(rows), err)
	}
	added := 0
	for i, row := range rows {
		var msgs []tasktype.Message
		if err := json.Unmarshal(row["messages"], &msgs); err != nil {
			t.Fatal(err)
		}
		if msgs[0].Role != tasktype.RoleSystem {
			t.Errorf("row %d: no system message first", i)
		}
		if msgs[0].Content == "Sei knapp." {
			added++
		}
		last := tasktype.LastAssistant(msgs)
		for j, m := range msgs {
			if m.Role != tasktype.RoleAssistant {
				continue
			}
			if want := map[bool]int{true: 1, false: 0}[j == last]; m.Weight == nil || *m.Weight != want {
				t.Errorf("row %d turn %d: weight %v, want %d (--weight-zero history)", i, j, m.Weight, want)
			}
		}
	}
	if added != 6-withSystem || added == 0 {
		t.Errorf("--system added to %d chats, want the %d without one", added, 6-withSystem)
	}

	rows, err = export("kto.jsonl", "--format", "trl-kto", "--kto-criterion", "correct", "--kto-threshold", "1")
	if err != nil || len(rows) == 0 {
		t.Fatalf("trl-kto: %d rows, %v", len(rows), err)
	}
	falses := 0
	for _, row := range rows {
		if string(row["label"]) == "false" {
			falses++
		}
	}
	if falses != 6 {
		t.Errorf("trl-kto by correct >= 1: %d false labels, want one per chat (the last turns)", falses)
	}

	// Stepwise supervision from the per-turn ratings: the three-step arithmetic chat.
	rows, err = export("steps.jsonl", "--format", "trl-stepwise", "--kto-criterion", "correct", "--kto-threshold", "1")
	if err != nil || len(rows) == 0 {
		t.Fatalf("trl-stepwise: %d rows, %v", len(rows), err)
	}
	for _, row := range rows {
		var labels []bool
		if err := json.Unmarshal(row["labels"], &labels); err != nil || len(labels) == 0 || labels[len(labels)-1] || !labels[0] {
			t.Errorf("stepwise labels %s, want true… then false for the last step", row["labels"])
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "labelstudio"}, `labelstudio needs one rating per task (Label Studio has no rating per dialogue turn); project "Assistant turns" labels every assistant turn of a conversation`},
		{[]string{"--format", "trl-dpo-conversational"}, `trl-dpo-conversational needs pairwise or ranking items (a chosen and a rejected response); project "Assistant turns" is rubric`},
		{[]string{"--format", "openai-chat", "--pairs", "best-vs-rest"}, `pairs=best-vs-rest applies to ranking projects only`},
		{[]string{"--format", "openai-chat", "--pairs", "some"}, `pairs must be all or best-vs-rest, not "some"`},
		{[]string{"--format", "trl-kto", "--weight-zero", "history"}, `weight_zero applies to openai-chat only`},
		{[]string{"--format", "openai-chat", "--weight-zero", "odd"}, `weight_zero takes a comma-separated list`},
		{[]string{"--format", "trl-kto", "--kto-threshold", "half"}, `kto_threshold "half" is not a decimal number`},
	} {
		if _, err := export("refused.jsonl", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}
