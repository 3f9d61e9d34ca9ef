// Package dataset turns accepted work into snapshots, exports, manifests, releases and evaluations, with Bradley–Terry scores.
package dataset

import (
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Datasets out: snapshots freeze accepted annotations, releases record what
// a model was trained on, evaluations compare releases blind. The SQL is in
// labeling/store (snapshots.go, releases.go, evaluation.go, datarights.go).

// SnapshotMode says what a snapshot freezes per item.
type SnapshotMode string

const (
	// SnapshotConsensus: one answer per item (a correction, the single
	// accepted answer, or the majority of accepted answers), plus every
	// accepted annotation for the labour tally and the long formats.
	SnapshotConsensus SnapshotMode = "consensus"
	// SnapshotAll: every accepted annotation, no single answer; exports
	// write one example per annotation.
	SnapshotAll SnapshotMode = "all"
)

// ParseSnapshotMode accepts consensus (the default for "") and all.
func ParseSnapshotMode(s string) (SnapshotMode, error) {
	switch SnapshotMode(s) {
	case "", SnapshotConsensus:
		return SnapshotConsensus, nil
	case SnapshotAll:
		return SnapshotAll, nil
	}
	return "", fault.ErrInvalid.With("mode must be consensus or all, not %q", s)
}

// SnapshotRequest asks for a new snapshot of projects of one model.
type SnapshotRequest struct {
	ModelID    int64        `json:"model_id"`
	ProjectIDs []int64      `json:"project_ids"`
	Mode       SnapshotMode `json:"mode"`
}

// Check normalises the request: known mode, at least one project, no duplicates.
func (r SnapshotRequest) Check() (SnapshotRequest, error) {
	m, err := ParseSnapshotMode(string(r.Mode))
	if err != nil {
		return r, err
	}
	r.Mode = m
	if r.ModelID <= 0 {
		return r, fault.ErrInvalid.With("model_id is required")
	}
	if len(r.ProjectIDs) == 0 {
		return r, fault.ErrInvalid.With("project_ids: give at least one project")
	}
	seen := map[int64]bool{}
	out := r.ProjectIDs[:0:0]
	for _, id := range r.ProjectIDs {
		if id <= 0 {
			return r, fault.ErrInvalid.With("project_ids must be positive")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	r.ProjectIDs = out
	return r, nil
}

// SnapshotProject is one project frozen into a snapshot, with its schema.
type SnapshotProject struct {
	ProjectID int64             `json:"project_id"`
	Name      string            `json:"name"`
	TaskType  tasktype.TaskType `json:"task_type"`
	Schema    json.RawMessage   `json:"schema"`
	// LSConfig is the project's Label Studio labelling config when the
	// snapshot was made ("" if it had none): the names of its exports.
	LSConfig string `json:"-"`
}

// SnapshotProvenance is what a snapshot freezes besides its rows, so every
// export of it carries the same manifest.
type SnapshotProvenance struct {
	Labour      ExportLabour     `json:"labour"`
	UnitsIssued string           `json:"units_issued"`
	Agreement   *ExportAgreement `json:"agreement,omitempty"`
}

// Snapshot is a frozen, content-addressed set of accepted annotations.
type Snapshot struct {
	ID           int64              `json:"id"`
	ModelID      int64              `json:"model_id"`
	Mode         SnapshotMode       `json:"mode"`
	TaskType     tasktype.TaskType  `json:"task_type"`
	Hash         string             `json:"hash"`
	Items        int64              `json:"items"`
	Annotations  int64              `json:"annotations"`
	Contributors int                `json:"contributors"`
	LedgerSeq    int64              `json:"ledger_seq"`
	LedgerHead   string             `json:"ledger_head"`
	RateCards    json.RawMessage    `json:"rate_cards"`
	Provenance   SnapshotProvenance `json:"provenance"`
	Projects     []SnapshotProject  `json:"projects"`
	CreatedBy    *int64             `json:"created_by,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
}

// Name is how exports and cards call the snapshot.
func (s Snapshot) Name() string {
	names := make([]string, len(s.Projects))
	for i, p := range s.Projects {
		names[i] = p.Name
	}
	return strings.Join(names, " + ")
}

// ContributorPseudonym is a contributor's name in one snapshot when they
// have not chosen to be named: keyed by the snapshot's secret salt, so it
// cannot be reversed by trying member ids and does not link snapshots.
func ContributorPseudonym(salt string, memberID int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "copyhold-contributor\x00%s\x00%d", salt, memberID))
	return "contributor-" + hex.EncodeToString(h[:5])
}

// ReleaseRequest registers a model release.
type ReleaseRequest struct {
	ModelID        int64    `json:"model_id"`
	Version        string   `json:"version"`
	BaseModel      string   `json:"base_model"`
	TrainingNotes  string   `json:"training_notes"`
	Checkpoint     string   `json:"checkpoint"` // a hash or a URI
	SnapshotHashes []string `json:"snapshot_hashes"`
}

var releaseVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+:-]{0,99}$`) })
var sha256Hex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// Check validates and normalises a release request.
func (r ReleaseRequest) Check() (ReleaseRequest, error) {
	r.Version = strings.TrimSpace(r.Version)
	if !releaseVersion().MatchString(r.Version) {
		return r, fault.ErrInvalid.With("version: 1–100 of A-Z a-z 0-9 . _ + : -, starting with a letter or digit")
	}
	r.BaseModel, r.Checkpoint = strings.TrimSpace(r.BaseModel), strings.TrimSpace(r.Checkpoint)
	if len(r.BaseModel) > 200 || tasktype.HasControl(r.BaseModel) {
		return r, fault.ErrInvalid.With("base_model: at most 200 bytes, no control characters")
	}
	if len(r.Checkpoint) > 2000 || tasktype.HasControl(r.Checkpoint) {
		return r, fault.ErrInvalid.With("checkpoint: a hash or URI of at most 2000 bytes")
	}
	if len(r.TrainingNotes) > 100_000 {
		return r, fault.ErrInvalid.With("training_notes: at most 100,000 bytes")
	}
	if len(r.SnapshotHashes) == 0 {
		return r, fault.ErrInvalid.With("snapshot_hashes: name at least one snapshot the release was trained on")
	}
	seen := map[string]bool{}
	var hs []string
	for _, h := range r.SnapshotHashes {
		h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "sha256:"))
		if !sha256Hex().MatchString(h) {
			return r, fault.ErrInvalid.With("snapshot_hashes: %q is not a SHA-256 hex digest", h)
		}
		if !seen[h] {
			seen[h] = true
			hs = append(hs, h)
		}
	}
	r.SnapshotHashes = hs
	return r, nil
}

// Release is a registered model release.
type Release struct {
	ID             int64     `json:"id"`
	ModelID        int64     `json:"model_id"`
	ModelName      string    `json:"model_name,omitempty"`
	Version        string    `json:"version"`
	BaseModel      string    `json:"base_model"`
	TrainingNotes  string    `json:"training_notes"`
	Checkpoint     string    `json:"checkpoint"`
	SnapshotHashes []string  `json:"snapshot_hashes"`
	SnapshotIDs    []int64   `json:"snapshot_ids"`
	Hash           string    `json:"hash"`
	LedgerSeq      int64     `json:"ledger_seq"`
	LedgerHead     string    `json:"ledger_head"`
	CreatedBy      *int64    `json:"created_by,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	// EndpointID is the model endpoint that serves the release (nil: none
	// named); it is not part of the release's hash and may change.
	EndpointID *int64 `json:"endpoint_id"`
	// Mine: annotations of the asking member in the release's snapshots.
	MyAnnotations int64 `json:"my_annotations,omitempty"`
	Replayed      bool  `json:"replayed,omitempty"`
}

// ReleaseHash is SHA-256 over the canonical JSON of what a release
// records: model, version, base model, notes, checkpoint, the snapshot
// hashes (sorted) and the register head when it was registered.
func ReleaseHash(r ReleaseRequest, ledgerSeq int64, ledgerHead string) string {
	hs := append([]string(nil), r.SnapshotHashes...)
	slices.Sort(hs)
	b, _ := json.Marshal(map[string]any{"model_id": r.ModelID, "version": r.Version, "base_model": r.BaseModel,
		"training_notes": r.TrainingNotes, "checkpoint": r.Checkpoint, "snapshot_hashes": hs,
		"ledger_seq": ledgerSeq, "ledger_head": ledgerHead})
	c, _ := ExportCanonicalJSON(b)
	h := sha256.Sum256(c)
	return hex.EncodeToString(h[:])
}

// EvaluationPrompt is one prompt with the output of each release (by id).
type EvaluationPrompt struct {
	Prompt  string           `json:"prompt"`
	Outputs map[int64]string `json:"outputs"`
}

// EvaluationRequest creates an evaluation project: a pairwise project with
// one item per prompt and pair of releases, or a rubric project with one
// item per prompt and release. Which release wrote which field is stored
// server-side only.
type EvaluationRequest struct {
	ModelID      int64              `json:"model_id"`
	Name         string             `json:"name"`
	TaskType     tasktype.TaskType  `json:"task_type"` // pairwise (default) or rubric
	Schema       json.RawMessage    `json:"schema"`    // optional; rubric needs criteria
	Instructions string             `json:"instructions"`
	Overlap      int                `json:"overlap"`
	ReleaseIDs   []int64            `json:"release_ids"`
	Prompts      []EvaluationPrompt `json:"prompts"`
	Seed         int64              `json:"seed"` // 0 = random
}

// Check validates the shape; the store checks that releases exist.
func (r EvaluationRequest) Check() (EvaluationRequest, error) {
	if r.TaskType == "" {
		r.TaskType = tasktype.TaskPairwise
	}
	if r.TaskType != tasktype.TaskPairwise && r.TaskType != tasktype.TaskRubric {
		return r, fault.ErrInvalid.With("task_type of an evaluation is pairwise or rubric, not %q", r.TaskType)
	}
	if len(r.ReleaseIDs) < 2 {
		return r, fault.ErrInvalid.With("release_ids: an evaluation compares two or more releases")
	}
	seen := map[int64]bool{}
	for _, id := range r.ReleaseIDs {
		if seen[id] {
			return r, fault.ErrInvalid.With("release_ids: release %d is listed twice", id)
		}
		seen[id] = true
	}
	if len(r.Prompts) == 0 {
		return r, fault.ErrInvalid.With("prompts: give at least one prompt")
	}
	for i, p := range r.Prompts {
		for _, id := range r.ReleaseIDs {
			if strings.TrimSpace(p.Outputs[id]) == "" {
				return r, fault.ErrInvalid.With("prompts[%d]: no output from release %d", i, id)
			}
		}
		for id := range p.Outputs {
			if !seen[id] {
				return r, fault.ErrInvalid.With("prompts[%d]: release %d is not in release_ids", i, id)
			}
		}
	}
	if r.Overlap == 0 {
		r.Overlap = 1
	}
	if r.Seed == 0 {
		r.Seed = rand.Int64N(1<<62) + 1
	}
	if len(r.Schema) == 0 {
		if r.TaskType == tasktype.TaskRubric {
			return r, fault.ErrInvalid.With("schema: a rubric evaluation needs its criteria")
		}
		r.Schema = json.RawMessage(`{"prompt_field":"prompt","a_field":"response_a","b_field":"response_b"}`)
	}
	return r, nil
}

// Evaluation is an evaluation project and the releases it compares.
type Evaluation struct {
	ProjectID  int64     `json:"project_id"`
	ModelID    int64     `json:"model_id"`
	ReleaseIDs []int64   `json:"release_ids"`
	Items      int       `json:"items"`
	Duplicates int       `json:"duplicates"`
	CreatedAt  time.Time `json:"created_at"`
}

// Leaderboard rates a model's releases from accepted evaluation answers.
type Leaderboard struct {
	ModelID       int64          `json:"model_id"`
	Releases      []Release      `json:"releases"`
	Evaluations   []int64        `json:"evaluations"`
	Comparisons   int            `json:"comparisons"`
	BradleyTerry  *BTResult      `json:"bradley_terry"`
	Rubric        []BTRubricMean `json:"rubric"`
	RubricAnswers int            `json:"rubric_answers"`
}

// Dataset errors.
var (
	ErrSnapshotNotFound   = fault.New(fault.KindNotFound, "snapshot_not_found", "no such snapshot")
	ErrSnapshotEmpty      = fault.New(fault.KindInvalid, "snapshot_empty", "the projects have no accepted annotations to snapshot")
	ErrSnapshotMixed      = fault.New(fault.KindInvalid, "snapshot_mixed_task_types", "a snapshot's projects must share one task type")
	ErrSnapshotProject    = fault.New(fault.KindInvalid, "snapshot_project", "a project does not belong to the snapshot's model")
	ErrSnapshotCorrupt    = fault.New(fault.KindConflict, "snapshot_corrupt", "the snapshot's rows do not match its hash")
	ErrUnknownSnapshot    = fault.New(fault.KindInvalid, "unknown_snapshot", "no snapshot has that hash")
	ErrReleaseExists      = fault.New(fault.KindConflict, "release_exists", "the model already has a release with that version")
	ErrReleaseNotFound    = fault.New(fault.KindNotFound, "release_not_found", "no such release")
	ErrEvaluationReleases = fault.New(fault.KindInvalid, "evaluation_releases", "an evaluation compares releases of its model")
	ErrDataExportFormat   = fault.New(fault.KindInvalid, "export_format", "the personal export is json or csv")
)

// SnapshotSchemas lists the schemas of the snapshot's projects, for
// CheckExportSchemas.
func (s Snapshot) SnapshotSchemas() []json.RawMessage {
	out := make([]json.RawMessage, len(s.Projects))
	for i, p := range s.Projects {
		out[i] = p.Schema
	}
	return out
}
