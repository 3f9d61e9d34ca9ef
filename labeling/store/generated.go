package store

// Items made by generation jobs (labeling/gen): written inside the job store's transaction, so an
// item and the completion of its last candidate commit together.

import (
	"context"
	"encoding/json"
	"hash/fnv"
	mrand "math/rand/v2"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// BuildGenerated makes an item's data and provenance for a project of task type tt and schema.
type BuildGenerated func(tt tasktype.TaskType, schema json.RawMessage) (data, generation json.RawMessage, err error)

// WriteGenerated adds one generated item, made by build, to a project inside tx (another store's
// transaction) with its provenance (items.generation). It reports the item's id and false when the
// project already had the same data (items are unique on content), in which case nothing is written.
func (s *Projects) WriteGenerated(tx *gorm.DB, projectID int64, build BuildGenerated) (int64, bool, error) {
	p, err := openForGeneration(tx, projectID)
	if err != nil {
		return 0, false, err
	}
	data, generation, err := build(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema))
	if err != nil {
		return 0, false, err
	}
	return insertGenerated(tx, &p, data, generation)
}

// openForGeneration locks a project that may take generated items (serialising with imports).
func openForGeneration(tx *gorm.DB, projectID int64) (projectRow, error) {
	p, err := loadProject(tx, projectID, true)
	if err != nil {
		return p, err
	}
	if p.Status == string(labeling.ProjectClosed) {
		return p, labeling.ErrProjectClosed
	}
	return p, nil
}

// insertGenerated checks data against the project's schema and inserts it at the project's next seq.
func insertGenerated(tx *gorm.DB, p *projectRow, data, generation json.RawMessage) (int64, bool, error) {
	schema, err := tasktype.ParseSchema(tasktype.TaskType(p.TaskType), json.RawMessage(p.Schema))
	if err != nil {
		return 0, false, err
	}
	if _, err := schema.ItemData(data); err != nil {
		return 0, false, err
	}
	hash, err := labeling.ContentHash(data)
	if err != nil {
		return 0, false, err
	}
	var gen *string
	if len(generation) > 0 {
		g := string(generation)
		gen = &g
	}
	seq := p.NextSeq
	var ids []int64
	if err := tx.Raw(`INSERT INTO items (project_id, seq, external_id, data, content_hash, priority, order_key, status, created_at, generation)
VALUES (?, ?, '', ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (project_id, content_hash) DO NOTHING RETURNING id`,
		p.ID, seq, string(data), hash, labeling.OrderKey(labeling.Ordering(p.Ordering), p.RandomSeed, seq, hash),
		string(labeling.ItemOpen), sqldb.Now(tx), gen).Scan(&ids).Error; err != nil {
		return 0, false, err
	}
	if len(ids) == 0 {
		var existing int64
		err := tx.Raw(`SELECT id FROM items WHERE project_id = ? AND content_hash = ?`, p.ID, hash).Scan(&existing).Error
		return existing, false, err
	}
	p.NextSeq++
	if err := tx.Exec(`UPDATE projects SET next_seq = ? WHERE id = ?`, p.NextSeq, p.ID).Error; err != nil {
		return 0, false, err
	}
	return ids[0], true, nil
}

// StartEvaluation creates the blinded evaluation project of a generation job (a draft pairwise
// project with every active member, in random order) and its evaluations row, with no items yet:
// the job writes each prompt's comparisons with WriteEvaluationItems as its answers arrive.
// req.Prompts are not read.
func (s *Datasets) StartEvaluation(ctx context.Context, actor *int64, req dataset.EvaluationRequest) (dataset.Evaluation, labeling.Project, error) {
	// Check the request as CreateEvaluation does; the outputs are the job's to fetch.
	probe := dataset.EvaluationPrompt{Prompt: "-", Outputs: map[int64]string{}}
	for _, id := range req.ReleaseIDs {
		probe.Outputs[id] = "-"
	}
	req.Prompts = []dataset.EvaluationPrompt{probe}
	req, err := req.Check()
	if err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	if req.TaskType != tasktype.TaskPairwise {
		return dataset.Evaluation{}, labeling.Project{}, dataset.ErrEvaluationReleases.With("a generated evaluation is pairwise")
	}
	var models []int64
	if err := s.db.WithContext(ctx).Raw("SELECT model_id FROM releases WHERE id IN ?", req.ReleaseIDs).Scan(&models).Error; err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	if len(models) != len(req.ReleaseIDs) {
		return dataset.Evaluation{}, labeling.Project{}, dataset.ErrEvaluationReleases.With("a release was not found")
	}
	for _, m := range models {
		if m != req.ModelID {
			return dataset.Evaluation{}, labeling.Project{}, dataset.ErrEvaluationReleases.With("every release must belong to model %d", req.ModelID)
		}
	}
	p, err := s.projects.CreateProject(ctx, actor, labeling.ProjectSettings{ModelID: req.ModelID, Name: req.Name, TaskType: req.TaskType,
		Schema: req.Schema, Instructions: req.Instructions, Overlap: req.Overlap, Ordering: labeling.OrderRandom, RandomSeed: req.Seed}, true)
	if err != nil {
		return dataset.Evaluation{}, labeling.Project{}, err
	}
	ev := dataset.Evaluation{ProjectID: p.ID, ModelID: req.ModelID, ReleaseIDs: req.ReleaseIDs, CreatedAt: s.clock()}
	relJSON, _ := json.Marshal(req.ReleaseIDs)
	err = s.db.WithContext(ctx).Exec("INSERT INTO evaluations (project_id, model_id, releases, seed, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		p.ID, req.ModelID, string(relJSON), req.Seed, actor, ev.CreatedAt).Error
	return ev, p, err
}

// WriteEvaluationItems writes one prompt's comparisons into a generated evaluation inside tx: an item
// per pair of releases, sides shuffled (seeded by the project and the prompt), which release wrote
// which side kept only in evaluation_items. origins (JSON by release id) become each item's
// provenance. It reports how many items are new.
func (s *Projects) WriteEvaluationItems(tx *gorm.DB, projectID int64, prompt string, outputs map[int64]string, releaseIDs []int64, origins map[int64]json.RawMessage) (int, error) {
	p, err := openForGeneration(tx, projectID)
	if err != nil {
		return 0, err
	}
	var f struct {
		PromptField *string `json:"prompt_field"`
		AField      string  `json:"a_field"`
		BField      string  `json:"b_field"`
	}
	if err := json.Unmarshal([]byte(p.Schema), &f); err != nil {
		return 0, err
	}
	h := fnv.New64a()
	h.Write([]byte(prompt))
	rng := mrand.New(mrand.NewPCG(uint64(p.RandomSeed), h.Sum64()))
	created := 0
	for i := 0; i < len(releaseIDs); i++ {
		for j := i + 1; j < len(releaseIDs); j++ {
			a, b := releaseIDs[i], releaseIDs[j]
			if rng.IntN(2) == 1 {
				a, b = b, a
			}
			d := map[string]string{f.AField: outputs[a], f.BField: outputs[b]}
			if f.PromptField != nil && *f.PromptField != "" {
				d[*f.PromptField] = prompt
			}
			data, _ := json.Marshal(d)
			gen, _ := json.Marshal([]json.RawMessage{withField(origins[a], f.AField), withField(origins[b], f.BField)})
			id, isNew, err := insertGenerated(tx, &p, data, gen)
			if err != nil {
				return created, err
			}
			if !isNew {
				continue // two releases wrote the same pair already judged: not judged twice
			}
			slots, _ := json.Marshal(evalSlots{"a": a, "b": b})
			if err := tx.Exec("INSERT INTO evaluation_items (item_id, project_id, slots) VALUES (?, ?, ?)", id, p.ID, string(slots)).Error; err != nil {
				return created, err
			}
			created++
		}
	}
	return created, nil
}

// withField sets "field" in an origin object.
func withField(origin json.RawMessage, field string) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(origin, &m) != nil || m == nil {
		m = map[string]any{}
	}
	m["field"] = field
	b, _ := json.Marshal(m)
	return b
}
