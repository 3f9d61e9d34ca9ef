package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"
	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

// The demo seeds the conversation project once: six chats, turn ids
// assigned, tool calls kept; a draft in the bare demo (the full one opens it).
func TestDemoChats(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	for i := 0; i < 2; i++ {
		if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
			t.Fatalf("demo: %v %s", err, out)
		}
	}
	ctx := context.Background()
	db, err := migrations.Open(ctx, migrations.Source{DataDir: vars["COPYHOLD_DATA"]})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(db)
	ps, err := st.Projects.Projects(ctx, labeling.ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var p labeling.Project
	n := 0
	for _, x := range ps {
		if x.Name == demoChatProject {
			p = x
			n++
		}
	}
	if n != 1 || p.TaskType != tasktype.TaskRubric || p.Status != labeling.ProjectDraft {
		t.Fatalf("chat project: %d found, %+v", n, p)
	}
	items, err := st.Projects.Items(ctx, p.ID, 0, 100)
	if err != nil || len(items) != 6 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	var d struct {
		Messages []tasktype.Message `json:"messages"`
		Tools    json.RawMessage    `json:"tools"`
	}
	if err := json.Unmarshal(items[1].Data, &d); err != nil {
		t.Fatal(err)
	}
	if items[1].ExternalID != "chat-02" || d.Messages[2].ID != "t2" || len(d.Messages[6].ToolCalls) != 2 || !strings.Contains(string(d.Tools), "reserve") {
		t.Errorf("chat-02: %s %s", items[1].ExternalID, items[1].Data)
	}
}
