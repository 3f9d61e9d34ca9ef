package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/tasktype"
)

// The demo's other task types, each on the same real review sentences
// (demodata/sentiment.jsonl): topics (multilabel), aspects and opinions
// (spans), the most useful of three reviews (ranking), calm rewrites of
// angry ones (rewrite) and comment moderation. Pairwise is the evaluation of
// the model's two releases (demo_history.go); rubric is the chat project.

// demoSentence is one line of demodata/sentiment.jsonl.
type demoSentence struct {
	ID, Source, Text, Label string
}

// demoSentences reads the embedded sentences in file order.
func demoSentences() []demoSentence {
	f, _ := demoData.Open("demodata/sentiment.jsonl")
	defer f.Close()
	var out []demoSentence
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s demoSentence
		if json.Unmarshal(sc.Bytes(), &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// demoJSONL reads an embedded JSONL file of {"id": …, key: …} into a map.
func demoJSONL(name, key string) map[string]string {
	b, _ := demoData.ReadFile("demodata/" + name)
	out := map[string]string{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var row map[string]string
		if json.Unmarshal(line, &row) == nil {
			out[row["id"]] = row[key]
		}
	}
	return out
}

type demoSpec struct {
	name         string
	taskType     tasktype.TaskType
	schema       string
	instructions string
	overlap      int
	items        func(ss []demoSentence) []map[string]any // import records
}

const demoAttribution = `Data: "Sentiment Labelled Sentences", Kotzias, Denil, de Freitas and Smyth, KDD 2015, UCI Machine Learning
Repository, [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).`

// every picks every step-th sentence from offset, as plain text items.
func every(offset, step int, ss []demoSentence, sensitive func(demoSentence) bool) []map[string]any {
	var out []map[string]any
	for i := offset; i < len(ss); i += step {
		rec := map[string]any{"external_id": ss[i].ID, "data": map[string]string{"text": ss[i].Text, "source": ss[i].Source}}
		if sensitive != nil && sensitive(ss[i]) {
			rec["sensitive"] = true
		}
		out = append(out, rec)
	}
	return out
}

var demoSpecs = []demoSpec{
	{
		name: "Review topics", taskType: tasktype.TaskMultiLabel, overlap: 1,
		schema: `{"field":"text","min":1,"choices":[
			{"value":"product","label":"The product","hotkey":"1"},{"value":"service","label":"Service","hotkey":"2"},
			{"value":"food","label":"Food","hotkey":"3"},{"value":"film","label":"A film","hotkey":"4"},
			{"value":"price","label":"Price or value","hotkey":"5"},{"value":"none","label":"None of these","hotkey":"6","exclusive":true}]}`,
		instructions: "# Review topics\n\nTick every topic the sentence talks about. **None of these** stands alone.\n\n" + demoAttribution,
		items:        func(ss []demoSentence) []map[string]any { return every(0, 4, ss, nil) },
	},
	{
		name: "Aspects and opinions", taskType: tasktype.TaskSpans, overlap: 1,
		schema: `{"field":"text","labels":[{"value":"ASPECT","label":"Aspect","hotkey":"a","color":"#2563eb"},
			{"value":"OPINION","label":"Opinion","hotkey":"o","color":"#c2410c"}]}`,
		instructions: "# Aspects and opinions\n\nMark what is judged (**Aspect**: the battery, the service, the plot) and the words that judge it " +
			"(**Opinion**: great, poor, a waste). Whole words only.\n\n" + demoAttribution,
		items: func(ss []demoSentence) []map[string]any { return every(1, 4, ss, nil) },
	},
	{
		name: "Most useful review", taskType: tasktype.TaskRanking, overlap: 1,
		schema:       `{"prompt_field":"prompt","responses_field":"responses","allow_ties":true}`,
		instructions: "# Most useful review\n\nRank the three reviews by how much they would tell a shopper, most useful first.\n\n" + demoAttribution,
		items: func(ss []demoSentence) []map[string]any {
			var out []map[string]any
			for i := 2; i+8 < len(ss) && len(out) < 24; i += 9 {
				var rs []map[string]string
				for j, k := range []int{i, i + 4, i + 8} {
					rs = append(rs, map[string]string{"id": fmt.Sprintf("r%d", j+1), "text": ss[k].Text})
				}
				out = append(out, map[string]any{"external_id": "rank-" + ss[i].ID, "data": map[string]any{
					"prompt": "A shopper is deciding. Which review tells them the most?", "responses": rs}})
			}
			return out
		},
	},
	{
		name: "Constructive rewrites", taskType: tasktype.TaskRewrite, overlap: 1,
		schema: `{"field":"text","prompt_field":""}`,
		instructions: "# Constructive rewrites\n\nRewrite the review so that it keeps every fact but drops the shouting, in plain, calm words.\n\n" +
			demoAttribution + "\nThe model rewrites in the history were written for this demo by copyhold's engineers.",
		items: func(ss []demoSentence) []map[string]any {
			rw := demoJSONL("rewrites.jsonl", "rewrite")
			var out []map[string]any
			for _, s := range ss {
				if _, ok := rw[s.ID]; ok {
					out = append(out, map[string]any{"external_id": s.ID, "data": map[string]string{"text": s.Text, "source": s.Source}})
				}
			}
			return out
		},
	},
	{
		name: "Comment moderation", taskType: tasktype.TaskModeration, overlap: 1,
		schema: `{"field":"text","multi":true,"categories":[
			{"value":"harassment","label":"Harassment","hotkey":"h","description":"Attacks a person"},
			{"value":"profanity","label":"Profanity","hotkey":"p"},
			{"value":"spam","label":"Spam or advertising","hotkey":"s"},
			{"value":"none","label":"No violation","hotkey":"n","exclusive":true}]}`,
		instructions: "# Comment moderation\n\nWould this comment break the shop's rules? Choose **No violation** when it does not.\n\n" + demoAttribution,
		items: func(ss []demoSentence) []map[string]any {
			return every(3, 4, ss, func(s demoSentence) bool { return len(demoModeration(s.Text)) > 0 })
		},
	},
}

// seedDemoSpecs creates each project of demoSpecs that does not exist yet
// (open, every member in it) and imports its items, and returns them by name.
func seedDemoSpecs(ctx context.Context, st *store.Stores, coordinator int64) (map[string]labeling.Project, error) {
	model, err := findOrCreateModel(ctx, st, coordinator)
	if err != nil {
		return nil, err
	}
	ss := demoSentences()
	out := map[string]labeling.Project{}
	for _, spec := range demoSpecs {
		p, err := demoProjectNamed(ctx, st, model.ID, spec.name)
		if err != nil {
			return nil, err
		}
		if p.ID == 0 {
			p, err = st.Projects.CreateProject(ctx, &coordinator, labeling.ProjectSettings{ModelID: model.ID, Name: spec.name,
				TaskType: spec.taskType, Schema: json.RawMessage(spec.schema), Instructions: spec.instructions, Overlap: spec.overlap}, true)
			if err != nil {
				return nil, fmt.Errorf("demo project %s: %w", spec.name, err)
			}
		}
		prog, err := st.Projects.ProjectProgress(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if prog.Items == 0 {
			var buf bytes.Buffer
			for _, rec := range spec.items(ss) {
				line, _ := json.Marshal(rec)
				buf.Write(line)
				buf.WriteByte('\n')
			}
			name := strings.ToLower(strings.ReplaceAll(spec.name, " ", "-")) + ".jsonl"
			if _, err := st.Projects.ImportItems(ctx, &coordinator, p.ID, &buf, "jsonl", name); err != nil {
				return nil, fmt.Errorf("demo import %s: %w", spec.name, err)
			}
		}
		if p.Status == labeling.ProjectDraft {
			if p, err = st.Projects.SetProjectStatus(ctx, &coordinator, p.ID, labeling.ProjectOpen); err != nil {
				return nil, err
			}
		}
		out[spec.name] = p
	}
	return out, nil
}
