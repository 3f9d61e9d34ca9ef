package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"copyhold/labeling"
	"copyhold/labeling/page"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
)

const (
	demoModel   = "coop-assistant-v1"
	demoProject = "Review sentiment"
)

const demoInstructions = `# Review sentiment

Read the sentence from a product, film or restaurant review and choose whether the reviewer is **positive** or
**negative** about it. Judge the sentence alone, not what the rest of the review might say.

- Press **1** for positive, **2** for negative, then **Enter** to submit.
- Press **S** to skip a sentence you cannot judge, and **?** for every shortcut.

Data: "Sentiment Labelled Sentences", Kotzias, Denil, de Freitas and Smyth, KDD 2015, UCI Machine Learning
Repository, [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).`

var demoSchema = json.RawMessage(`{"field":"text","choices":[
	{"value":"positive","label":"Positive","hotkey":"1"},
	{"value":"negative","label":"Negative","hotkey":"2"}]}`)

// seedDemoProject adds the demo model and its open sentiment project, with
// every demo member in it and the demo sentences imported (every tenth as a
// gold item). It does nothing that has been done already.
func seedDemoProject(ctx context.Context, st *store.Stores, coordinator int64) error {
	model, err := findOrCreateModel(ctx, st, coordinator)
	if err != nil {
		return err
	}
	p, err := demoProjectNamed(ctx, st, model.ID, demoProject)
	if err != nil {
		return err
	}
	if p.ID == 0 {
		p, err = st.Projects.CreateProject(ctx, &coordinator, labeling.ProjectSettings{
			ModelID: model.ID, Name: demoProject, TaskType: tasktype.TaskClassification, Schema: demoSchema,
			Instructions: demoInstructions, Overlap: 3, GoldRateBP: 1000, Stint: 200,
		}, true)
		if err != nil {
			return fmt.Errorf("demo project: %w", err)
		}
	}
	prog, err := st.Projects.ProjectProgress(ctx, p.ID)
	if err != nil {
		return err
	}
	if prog.Items == 0 {
		if _, err := st.Projects.ImportItems(ctx, &coordinator, p.ID, demoImport(), "jsonl", "sentiment.jsonl"); err != nil {
			return fmt.Errorf("demo import: %w", err)
		}
	}
	if p.Status == labeling.ProjectDraft {
		if _, err := st.Projects.SetProjectStatus(ctx, &coordinator, p.ID, labeling.ProjectOpen); err != nil {
			return err
		}
	}
	return nil
}

func findOrCreateModel(ctx context.Context, st *store.Stores, coordinator int64) (labeling.Model, error) {
	ms, err := st.Projects.Models(ctx, page.All)
	if err != nil {
		return labeling.Model{}, err
	}
	for _, m := range ms {
		if m.Name == demoModel {
			return m, nil
		}
	}
	return st.Projects.CreateModel(ctx, &coordinator, labeling.Model{
		Name: demoModel, BaseModel: "an open-weights 8B instruction model",
		Description: "The co-op's assistant, fine-tuned on data its members label.",
	})
}

// demoImport turns the embedded sentences into import lines.
func demoImport() *bytes.Buffer {
	f, _ := demoData.Open("demodata/sentiment.jsonl")
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		var row struct{ ID, Source, Text, Label string }
		if json.Unmarshal(sc.Bytes(), &row) != nil {
			continue
		}
		rec := map[string]any{"external_id": row.ID, "data": map[string]string{"text": row.Text, "source": row.Source}}
		if n%10 == 9 {
			rec["gold"] = map[string]string{"choice": row.Label}
		}
		line, _ := json.Marshal(rec)
		out.Write(line)
		out.WriteByte('\n')
	}
	return &out
}

// demoProjectNamed is the model's project called name (ID 0 when there is
// none yet): the demo seeds each project once.
func demoProjectNamed(ctx context.Context, st *store.Stores, modelID int64, name string) (labeling.Project, error) {
	ps, err := st.Projects.Projects(ctx, labeling.ProjectFilter{ModelID: modelID})
	if err != nil {
		return labeling.Project{}, err
	}
	for _, x := range ps {
		if x.Name == name {
			return x, nil
		}
	}
	return labeling.Project{}, nil
}
