package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
)

// acceptedChatRanking builds a ranking project over next turns (a history
// with a tool call, three candidates, tools) in which "lab" ranked n items
// r1 > r2 > r3 and every answer was accepted (synthetically, in SQL).
func (e *env) acceptedChatRanking(t *testing.T, n int) labeling.Project {
	t.Helper()
	ctx := context.Background()
	coord, lab := e.Members["coord"].ID, e.Members["lab"].ID
	m, err := e.Stores.Projects.CreateModel(ctx, &coord, labeling.Model{Name: "chat-model"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Stores.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: m.ID, Name: "next turns", TaskType: tasktype.TaskRanking,
		Overlap: 1, Schema: json.RawMessage(`{"conversation_field":"messages"}`)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.Stores.Projects.SetProjectStatus(ctx, &coord, p.ID, labeling.ProjectOpen); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"messages":[{"role":"user","content":"Haben wir Tomatensamen? 🍅 (%d)"},`+
			`{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"count_stock","arguments":"{\"item\":\"tomato\"}"}}]},`+
			`{"role":"tool","tool_call_id":"c1","content":"{\"packets\":3}"},{"role":"user","content":"Und Gurken?"}],`+
			`"tools":[{"type":"function","function":{"name":"count_stock","parameters":{"type":"object"}}}],`+
			`"responses":[{"id":"r1","text":"Ja, drei Päckchen."},{"id":"r2","text":"Vielleicht."},{"id":"r3","text":"Nein."}]}`+"\n", i)
	}
	if _, err := e.Stores.Projects.ImportItems(ctx, &coord, p.ID, strings.NewReader(b.String()), "jsonl", ""); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		task, err := e.Stores.Leases.ClaimNextTask(ctx, lab, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := work.New(e.Stores).Submit(ctx, lab, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: fmt.Sprint("k", i),
			Answer: json.RawMessage(`{"ranking":[["r1"],["r2"],["r3"]]}`), LeadTimeMs: 2000}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.DB.Exec("UPDATE submissions SET status = 'accepted' WHERE project_id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

// The export options reach the writers as query parameters (issue 14), each
// giving its own file; a format the project cannot feed is 400
// export_unsupported naming what is missing.
func TestDatasetsConversationOptionsHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.acceptedChatRanking(t, 2)
		coord := e.as("coord")
		r := coord.do("POST", "/api/snapshots", map[string]any{"model_id": p.ModelID, "project_ids": []int64{p.ID}, "mode": "consensus"})
		var snap dataset.Snapshot
		if json.Unmarshal(r.body, &snap); r.status != 201 {
			t.Fatalf("create snapshot: %d %s", r.status, r.body)
		}
		base := fmt.Sprintf("/api/snapshots/%d/export?format=", snap.ID)
		lines := func(path string) []map[string]json.RawMessage {
			t.Helper()
			r := coord.do("GET", path, nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			var out []map[string]json.RawMessage
			for _, l := range strings.Split(strings.TrimSuffix(string(r.body), "\n"), "\n") {
				var row map[string]json.RawMessage
				if err := json.Unmarshal([]byte(l), &row); err != nil {
					t.Fatalf("%s: %v %q", path, err, l)
				}
				out = append(out, row)
			}
			return out
		}
		// pairs: all gives three pairs per ranking, best-vs-rest two.
		if all, best := lines(base+"trl-dpo-conversational"), lines(base+"trl-dpo-conversational&pairs=best-vs-rest"); len(all) != 6 || len(best) != 4 {
			t.Fatalf("pairs: all %d lines, best-vs-rest %d", len(all), len(best))
		}
		// system: a system message first, in TRL and OpenAI rows; tools kept.
		for _, f := range []string{"trl-dpo-conversational", "openai-dpo"} {
			for _, row := range lines(base + f + "&system=Antworte+knapp.") {
				prompt := row["prompt"]
				if f == "openai-dpo" {
					var in struct{ Messages, Tools json.RawMessage }
					_ = json.Unmarshal(row["input"], &in)
					prompt = in.Messages
					if !strings.Contains(string(in.Tools), "count_stock") {
						t.Errorf("openai-dpo: input.tools lost: %s", row["input"])
					}
				}
				if !strings.HasPrefix(string(prompt), `[{"role":"system","content":"Antworte knapp."},{"role":"user","content":"Haben wir Tomatensamen? 🍅`) {
					t.Errorf("%s with system: %s", f, prompt)
				}
			}
		}
		for _, c := range []struct{ query, code, message string }{
			{"trl-dpo", "export_unsupported", `trl-dpo needs text prompts and responses (standard rows); project "next turns" holds conversations`},
			{"trl-stepwise", "export_unsupported", `trl-stepwise needs per-turn ratings`},
			{"openai-chat&weight_zero=history", "export_unsupported", `openai-chat needs rewrite items`},
			{"trl-dpo-conversational&weight_zero=marked", "export_options", `weight_zero applies to openai-chat only`},
			{"trl-dpo-conversational&kto_threshold=half", "export_options", `kto_threshold "half" is not a decimal number`},
			{"trl-dpo-conversational&pairs=some", "export_options", `pairs must be all or best-vs-rest`},
		} {
			r := coord.do("GET", base+c.query, nil)
			var body struct{ Code, Message string }
			if json.Unmarshal(r.body, &body); r.status != 400 || body.Code != c.code || !strings.Contains(body.Message, c.message) {
				t.Errorf("%s: %d %s, want %s %q", c.query, r.status, r.body, c.code, c.message)
			}
		}
	})
}
