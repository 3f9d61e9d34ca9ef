package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
)

// The demo's conversation project: real multi-turn chats (demodata/chats.jsonl)
// whose assistant turns are rated one by one (docs/TASKTYPES.md, "Conversations").

const demoChatProject = "Assistant turns"

const demoChatInstructions = `# Assistant turns

Each item is a chat between a co-op member and the co-op's assistant, sometimes with tool calls (shown as JSON) and
their results. Rate **every assistant turn**:

- **Helpful**: does the turn move the member forward? 1 (not at all) to 5 (exactly what was needed).
- **Correct**: is everything it states true, and does it use the tools' results faithfully? 👎 or 👍.

Mark a turn **exclude** when it should not be trained on (for example a correct but rude answer). A rationale is
optional; write one when your rating would surprise a colleague.`

var demoChatSchema = json.RawMessage(`{"conversation_field":"messages","turn":"each_assistant","criteria":[
	{"id":"helpful","label":"Helpful"},
	{"id":"correct","label":"Correct","scale":[{"value":0,"label":"👎"},{"value":1,"label":"👍"}]}]}`)

// seedDemoChats adds the conversation project with the demo chats, as a
// draft: the full demo opens it (openDemoChats), the bare one for tests
// leaves it closed to labellers.
func seedDemoChats(ctx context.Context, st *store.Stores, coordinator int64) error {
	model, err := findOrCreateModel(ctx, st, coordinator)
	if err != nil {
		return err
	}
	p, err := demoProjectNamed(ctx, st, model.ID, demoChatProject)
	if err != nil {
		return err
	}
	if p.ID == 0 {
		p, err = st.Projects.CreateProject(ctx, &coordinator, labeling.ProjectSettings{
			ModelID: model.ID, Name: demoChatProject, TaskType: tasktype.TaskRubric, Schema: demoChatSchema,
			Instructions: demoChatInstructions, Overlap: 2,
		}, true)
		if err != nil {
			return fmt.Errorf("demo chat project: %w", err)
		}
	}
	prog, err := st.Projects.ProjectProgress(ctx, p.ID)
	if err != nil {
		return err
	}
	if prog.Items == 0 {
		b, err := demoData.ReadFile("demodata/chats.jsonl")
		if err != nil {
			return err
		}
		req := bytes.NewReader(b)
		// The chats' "id" becomes each item's external id; it stays in the data too.
		in := importer.Request{Format: importer.JSONL, Filename: "chats.jsonl", Options: importer.Options{IDField: "id"}}
		if _, err := st.Projects.ImportItemsWith(ctx, &coordinator, p.ID, req, in); err != nil {
			return fmt.Errorf("demo chats import: %w", err)
		}
	}
	return nil
}

// openDemoChats opens the conversation project for labelling.
func openDemoChats(ctx context.Context, st *store.Stores, coordinator int64) error {
	model, err := findOrCreateModel(ctx, st, coordinator)
	if err != nil {
		return err
	}
	p, err := demoProjectNamed(ctx, st, model.ID, demoChatProject)
	if err != nil || p.ID == 0 || p.Status != labeling.ProjectDraft {
		return err
	}
	if _, err := st.Projects.SetProjectStatus(ctx, &coordinator, p.ID, labeling.ProjectOpen); err != nil {
		return fmt.Errorf("demo chat project: %w", err)
	}
	return nil
}
