package store_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

const chatRubric = `{"conversation_field":"messages","criteria":[{"id":"helpful","scale":[{"value":0,"label":"👎"},{"value":1,"label":"👍"}]}]}`

// TestConversationRoundTrip: an OpenAI chat fine-tuning file (tool calls,
// weights, non-ASCII, emoji) imported into a per-turn rubric project,
// labelled, reviewed and exported as openai-chat comes back byte for byte.
// A file failing on its second line stores nothing.
func TestConversationRoundTrip(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "chat", "openai_chat.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile(filepath.Join("..", "testdata", "chat", "bad_openai.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.Project("chats", func(ps *labeling.ProjectSettings) {
			ps.TaskType, ps.Schema, ps.Overlap = tasktype.TaskRubric, json.RawMessage(chatRubric), 1
		})
		_, err := d.S.Projects.ImportItems(d.Ctx, &d.Coord, p.ID, bytes.NewReader(bad), "jsonl", "bad.jsonl")
		if err == nil || !strings.Contains(err.Error(), `line 2: messages[3].role must be one of system, user, assistant, tool, not "narrator"`) {
			t.Fatalf("bad import: %v", err)
		}
		if n := d.Count("SELECT COUNT(*) FROM items WHERE project_id = ?", p.ID); n != 0 {
			t.Fatalf("a failed import stored %d items", n)
		}
		rep, err := d.S.Projects.ImportItems(d.Ctx, &d.Coord, p.ID, bytes.NewReader(src), "jsonl", "chat.jsonl")
		if err != nil || rep.Imported != 4 {
			t.Fatalf("import %+v %v", rep, err)
		}
		for i := 0; i < 4; i++ {
			task := d.Claim(d.labs[0], p.ID)
			var data struct {
				Messages []tasktype.Message `json:"messages"`
			}
			if err := json.Unmarshal(task.Data, &data); err != nil {
				t.Fatal(err)
			}
			turns := map[string]any{}
			for _, m := range data.Messages {
				if m.Role == tasktype.RoleAssistant {
					turns[m.ID] = map[string]any{"scores": map[string]int{"helpful": 1}}
				}
			}
			answer, _ := json.Marshal(map[string]any{"turns": turns})
			if _, err := d.W.Submit(d.Ctx, d.labs[0], labeling.SubmitRequest{LeaseToken: task.LeaseToken,
				IdempotencyKey: fmt.Sprintf("c-%d", task.ItemID), Answer: answer, LeadTimeMs: 5000}); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 4; i++ {
			rt := d.ClaimReview(d.reviewer, p.ID)
			if _, err := d.Decide(d.reviewer, rt, fmt.Sprintf("r-%d", rt.ItemID), storetest.Accept(rt.Submissions[0].ID)); err != nil {
				t.Fatal(err)
			}
		}
		snap := d.snapshot(dataset.SnapshotConsensus, p.ID)
		out, m := d.export(snap.ID, dataset.ExportOpenAIChat)
		// The messages come back byte for byte; the tools as equal JSON (a
		// snapshot stores item data with its object keys sorted).
		got, want := strings.Split(out, "\n"), strings.Split(string(src), "\n")
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out)
		}
		for i := range want {
			if want[i] == "" {
				continue
			}
			var g, w struct{ Messages, Tools json.RawMessage }
			if err := json.Unmarshal([]byte(got[i]), &g); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(want[i]), &w)
			if !bytes.Equal(g.Messages, w.Messages) {
				t.Errorf("line %d: messages differ:\n%s\nwant\n%s", i+1, g.Messages, w.Messages)
			}
			var gt, wt any
			_ = json.Unmarshal(g.Tools, &gt)
			_ = json.Unmarshal(w.Tools, &wt)
			if gb, _ := json.Marshal(gt); string(gb) != func() string { b, _ := json.Marshal(wt); return string(b) }() {
				t.Errorf("line %d: tools differ: %s, want %s", i+1, g.Tools, w.Tools)
			}
			if !strings.HasPrefix(got[i], `{"messages":`+string(w.Messages)) {
				t.Errorf("line %d: not messages first: %s", i+1, got[i])
			}
		}
		if m.Counts.Rows != 4 {
			t.Errorf("manifest rows %d", m.Counts.Rows)
		}
		// trl-dpo cannot hold conversations; trl-stepwise needs per-turn ratings: this project has them.
		if _, err := d.S.Datasets.CheckSnapshotExport(d.Ctx, snap.ID, dataset.ExportTRLStepwise); err != nil {
			t.Errorf("stepwise: %v", err)
		}
		var b bytes.Buffer
		_, err = d.S.Datasets.ExportSnapshot(d.Ctx, snap.ID, dataset.ExportRequest{Format: dataset.ExportOpenAIChat,
			Settings: dataset.ExportSettings{WeightZero: []string{dataset.WeightHistory}}}, &b)
		if err != nil || !strings.Contains(b.String(), `{"role":"assistant","content":"Der Februar 2028 hat 29 Tage, denn 2028 ist ein Schaltjahr.","weight":0}`) {
			t.Errorf("weight_zero=history: %v\n%s", err, b.String())
		}
	})
}

// TestConversationImportRefusals: each bad conversation the issue lists,
// on the second line after a good one, fails the import naming the line
// and the field, and nothing of that import is stored.
func TestConversationImportRefusals(t *testing.T) {
	good := `{"messages":[{"role":"user","content":"Grüezi 👋"},{"role":"assistant","content":"Hallo!"}]}`
	cases := []struct{ line, want string }{
		{`{"messages":[{"role":"user","content":"only a question"}]}`, `line 2: messages has no assistant turn`},
		{`{"messages":[{"role":"user","content":"a"},{"role":"narrator","content":"b"}]}`, `line 2: messages[1].role must be one of system, user, assistant, tool, not "narrator"`},
		{`{"messages":[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"call_9","content":"1"},{"role":"assistant","content":"b"}]}`, `line 2: messages[1].tool_call_id "call_9" does not name an earlier tool call`},
		{`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{city:"}}]}]}`, `line 2: messages[1].tool_calls[0].function.arguments must be a JSON object written as a string`},
		{`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"` + strings.Repeat("b", tasktype.MaxTurnLen+1) + `"}]}`, `line 2: messages[1].content is 100001 characters long`},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		p := d.Project("chats", func(ps *labeling.ProjectSettings) {
			ps.TaskType, ps.Schema, ps.Overlap = tasktype.TaskRubric, json.RawMessage(chatRubric), 1
		})
		for _, c := range cases {
			_, err := d.S.Projects.ImportItems(d.Ctx, &d.Coord, p.ID, strings.NewReader(good+"\n"+c.line+"\n"), "jsonl", "bad.jsonl")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
			if n := d.Count("SELECT COUNT(*) FROM items WHERE project_id = ?", p.ID); n != 0 {
				t.Fatalf("%s: a failed import stored %d items", c.want, n)
			}
			if n := d.Count("SELECT COUNT(*) FROM imports WHERE project_id = ?", p.ID); n != 0 {
				t.Fatalf("%s: a failed import left %d import records", c.want, n)
			}
		}
		// The good line alone is stored: the refusals were the bad lines'.
		if rep, err := d.S.Projects.ImportItems(d.Ctx, &d.Coord, p.ID, strings.NewReader(good+"\n"), "jsonl", "good.jsonl"); err != nil || rep.Imported != 1 {
			t.Fatalf("good import: %+v %v", rep, err)
		}
	})
}
