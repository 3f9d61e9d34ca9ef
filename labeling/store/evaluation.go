package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"strconv"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/page"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Evaluations compare releases blind. An evaluation is an ordinary pairwise
// (or rubric) project: labellers claim, answer and earn units as anywhere
// else. Its items are generated from (prompt, output per release); which
// release wrote which field lives only in evaluation_items, and the pairwise
// sides are shuffled per item, so item data never reveals a release.

// evalSlots maps item fields to release ids: {"a": 3, "b": 5} for pairwise,
// {"response": 3} for rubric.
type evalSlots map[string]int64

// CreateEvaluation creates the project (in draft, every active member in
// it, random item order), imports its items and records the slots.
func (s *Datasets) CreateEvaluation(ctx context.Context, actor *int64, req dataset.EvaluationRequest) (dataset.Evaluation, labeling.Project, error) {
	req, err := req.Check()
	if err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	var rels []struct {
		ID      int64
		ModelID int64
	}
	if err := s.db.WithContext(ctx).Raw("SELECT id, model_id FROM releases WHERE id IN ?", req.ReleaseIDs).Scan(&rels).Error; err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	known := map[int64]bool{}
	for _, r := range rels {
		if r.ModelID != req.ModelID {
			return dataset.Evaluation{}, labeling.Project{}, dataset.ErrEvaluationReleases.With("release %d belongs to model %d, not %d", r.ID, r.ModelID, req.ModelID)
		}
		known[r.ID] = true
	}
	for _, id := range req.ReleaseIDs {
		if !known[id] {
			return dataset.Evaluation{}, labeling.Project{}, dataset.ErrEvaluationReleases.With("release %d not found", id)
		}
	}
	var fields struct {
		PromptField   *string `json:"prompt_field"`
		AField        *string `json:"a_field"`
		BField        *string `json:"b_field"`
		ResponseField *string `json:"response_field"`
	}
	json.Unmarshal(req.Schema, &fields)
	field := func(p *string, def string) string {
		if p != nil {
			return *p
		}
		return def
	}
	promptF := field(fields.PromptField, "prompt")

	// Items, with a seeded shuffle of sides and of item order.
	rng := mrand.New(mrand.NewPCG(uint64(req.Seed), 0x65766131))
	type genItem struct {
		ext   string
		data  map[string]string
		slots evalSlots
	}
	var items []genItem
	for _, p := range req.Prompts {
		if req.TaskType == tasktype.TaskPairwise {
			for i := 0; i < len(req.ReleaseIDs); i++ {
				for j := i + 1; j < len(req.ReleaseIDs); j++ {
					a, b := req.ReleaseIDs[i], req.ReleaseIDs[j]
					if rng.IntN(2) == 1 {
						a, b = b, a
					}
					d := map[string]string{field(fields.AField, "response_a"): p.Outputs[a], field(fields.BField, "response_b"): p.Outputs[b]}
					if promptF != "" {
						d[promptF] = p.Prompt
					}
					items = append(items, genItem{data: d, slots: evalSlots{"a": a, "b": b}})
				}
			}
		} else {
			for _, r := range req.ReleaseIDs {
				d := map[string]string{field(fields.ResponseField, "response"): p.Outputs[r]}
				if promptF != "" {
					d[promptF] = p.Prompt
				}
				items = append(items, genItem{data: d, slots: evalSlots{"response": r}})
			}
		}
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	var jsonl bytes.Buffer
	for i := range items {
		b := make([]byte, 12)
		rand.Read(b)
		items[i].ext = "eval-" + hex.EncodeToString(b)
		line, _ := json.Marshal(map[string]any{"external_id": items[i].ext, "data": items[i].data})
		jsonl.Write(line)
		jsonl.WriteByte('\n')
	}

	p, err := s.projects.CreateProject(ctx, actor, labeling.ProjectSettings{ModelID: req.ModelID, Name: req.Name, TaskType: req.TaskType,
		Schema: req.Schema, Instructions: req.Instructions, Overlap: req.Overlap, Ordering: labeling.OrderRandom,
		RandomSeed: req.Seed}, true)
	if err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	rep, err := s.projects.ImportItemsWith(ctx, actor, p.ID, &jsonl, importer.Request{Format: "jsonl", Filename: "evaluation.jsonl"})
	if err != nil {
		return dataset.Evaluation{}, p, err
	}
	ev := dataset.Evaluation{ProjectID: p.ID, ModelID: req.ModelID, ReleaseIDs: req.ReleaseIDs, Items: rep.Imported, Duplicates: rep.Duplicates}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			ID         int64
			ExternalID string
		}
		if err := tx.Raw("SELECT id, external_id FROM items WHERE project_id = ?", p.ID).Scan(&rows).Error; err != nil {
			return err
		}
		ids := map[string]int64{}
		for _, r := range rows {
			ids[r.ExternalID] = r.ID
		}
		for _, it := range items {
			id, ok := ids[it.ext]
			if !ok {
				continue // a duplicate of another item's data (two releases wrote the same): not judged
			}
			slots, _ := json.Marshal(it.slots)
			if err := tx.Exec("INSERT INTO evaluation_items (item_id, project_id, slots) VALUES (?, ?, ?)", id, p.ID, string(slots)).Error; err != nil {
				return err
			}
		}
		relJSON, _ := json.Marshal(req.ReleaseIDs)
		ev.CreatedAt = s.clock()
		if err := tx.Exec("INSERT INTO evaluations (project_id, model_id, releases, seed, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			p.ID, req.ModelID, string(relJSON), req.Seed, actor, ev.CreatedAt).Error; err != nil {
			return err
		}
		return event.Append(tx, "evaluation.created", event.ProjectScope(p.ID), actor, map[string]any{
			"project_id": p.ID, "model_id": req.ModelID, "release_ids": req.ReleaseIDs, "items": ev.Items})
	})
	return ev, p, err
}

// Leaderboard rates a model's releases from the accepted answers of its
// evaluation projects: Bradley–Terry with 95% bootstrap intervals and the
// win-rate matrix from pairwise answers, rubric means with t intervals.
// Players are release versions.
func (s *Datasets) Leaderboard(ctx context.Context, modelID int64, opts dataset.BTOptions) (dataset.Leaderboard, error) {
	db := s.db.WithContext(ctx)
	lb := dataset.Leaderboard{ModelID: modelID, Evaluations: []int64{}, Rubric: []dataset.BTRubricMean{}}
	var model []int64
	if err := db.Raw("SELECT id FROM models WHERE id = ?", modelID).Scan(&model).Error; err != nil {
		return lb, err
	}
	if len(model) == 0 {
		return lb, fault.ErrNotFound.With("model %d not found", modelID)
	}
	rels, err := s.Releases(ctx, modelID, page.All)
	if err != nil {
		return lb, err
	}
	lb.Releases = rels
	version := map[int64]string{}
	for _, r := range rels {
		version[r.ID] = r.Version
	}
	if err := db.Raw("SELECT project_id FROM evaluations WHERE model_id = ? ORDER BY project_id", modelID).Scan(&lb.Evaluations).Error; err != nil {
		return lb, err
	}
	if len(lb.Evaluations) == 0 {
		return lb, nil
	}
	var rows []struct {
		TaskType  string
		Slots     string
		Answer    string
		Status    string
		Corrected *string
	}
	if err := db.Raw(`SELECT p.task_type, e.slots, s.answer, s.status,
    (SELECT d.corrected_answer FROM review_decisions d WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) AS corrected
FROM evaluation_items e
JOIN submissions s ON s.item_id = e.item_id
JOIN projects p ON p.id = e.project_id
WHERE e.project_id IN ? AND s.status IN ('accepted', 'corrected')
ORDER BY s.id`, lb.Evaluations).Scan(&rows).Error; err != nil {
		return lb, err
	}
	var comps []dataset.BTComparison
	var scores []dataset.BTRubricScore
	for _, r := range rows {
		answer := json.RawMessage(r.Answer)
		if r.Status == string(labeling.SubmissionCorrected) && r.Corrected != nil {
			answer = json.RawMessage(*r.Corrected)
		}
		var slots evalSlots
		if err := json.Unmarshal([]byte(r.Slots), &slots); err != nil {
			return lb, fmt.Errorf("evaluation slots: %w", err)
		}
		name := func(id int64) string {
			if v, ok := version[id]; ok {
				return v
			}
			return "release-" + strconv.FormatInt(id, 10)
		}
		switch tasktype.TaskType(r.TaskType) {
		case tasktype.TaskPairwise:
			c, err := dataset.BTFromPairwise(name(slots["a"]), name(slots["b"]), answer)
			if err != nil {
				return lb, err
			}
			comps = append(comps, c)
		case tasktype.TaskRubric:
			var a tasktype.RubricAnswer
			if err := json.Unmarshal(answer, &a); err != nil {
				return lb, tasktype.ErrInvalidAnswer.With("rubric answer: %s", err.Error())
			}
			lb.RubricAnswers++
			for crit, v := range a.Scores {
				scores = append(scores, dataset.BTRubricScore{Release: name(slots["response"]), Criterion: crit, Value: float64(v)})
			}
		}
	}
	lb.Comparisons = len(comps)
	if len(comps) > 0 {
		if opts.Seed == 0 {
			opts.Seed = 1
		}
		res, err := dataset.BradleyTerry(comps, opts)
		if err != nil {
			return lb, err
		}
		lb.BradleyTerry = &res
	}
	if len(scores) > 0 {
		lb.Rubric = dataset.BTRubricMeans(scores)
	}
	return lb, nil
}
