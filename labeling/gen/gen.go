// Package gen is generation jobs, pure: what a job asks for, how it splits into units of work
// (one per source × candidate slot), each unit's idempotency key, and what to do when a model fails.
// labeling/gen/store keeps jobs and their tasks; labeling/gen/runner runs them.
package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
)

// Kind names what a job produces. The runner holds one handler per kind, so a new kind
// (suggestions) plugs in with a function.
type Kind string

const (
	KindCandidates Kind = "candidates" // K candidate next turns per prompt → one pairwise/ranking item
	KindEvaluation Kind = "evaluation" // one answer per release per prompt → a blinded evaluation item
	// KindSuggestions: one suggestion per open item of a classification, multi-label, spans or
	// moderation project, written on the item (labeling/suggest, labeling/store.SetSuggestion).
	KindSuggestions Kind = "suggestions"
)

// Status is a job's state.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusCancelled Status = "cancelled"
	StatusDone      Status = "done"
	StatusFailed    Status = "failed"
)

// Terminal reports whether no more work happens for a job in status s.
func (s Status) Terminal() bool {
	return s == StatusCancelled || s == StatusDone || s == StatusFailed
}

// Task states: pending (to do, perhaps leased), done (output stored), skipped (given up, with a reason).
const (
	TaskPending = "pending"
	TaskDone    = "done"
	TaskSkipped = "skipped"
)

// Limits of one job.
const (
	MaxSlots   = 8    // K: candidates per source
	MaxSources = 5000 // prompts or conversations per job
)

// Errors.
var (
	ErrInvalidJob    = fault.New(fault.KindInvalid, "invalid_gen_job", "the generation job is invalid")
	ErrJobNotFound   = fault.New(fault.KindNotFound, "gen_job_not_found", "no such generation job")
	ErrJobFinished   = fault.New(fault.KindConflict, "gen_job_finished", "the generation job has already finished")
	ErrInvalidOutput = fault.New(fault.KindInvalid, "gen_invalid_output", "the model's output is not usable")
)

// Slot is one candidate position: an endpoint and the sampling that tells it apart from the others.
type Slot struct {
	EndpointID  int64    `json:"endpoint_id"`
	Seed        *int64   `json:"seed,omitempty"`
	Temperature *float64 `json:"temperature,omitempty"`
	// ReleaseID is the release the endpoint serves (evaluation jobs).
	ReleaseID int64 `json:"release_id,omitempty"`
}

// Source is one prompt or conversation to generate for. Key identifies it within its job
// (a hash of its messages, or "item:<id>" for a project's item).
type Source struct {
	Key      string             `json:"key"`
	Messages []tasktype.Message `json:"messages"`
	// ItemID and Data: the item a suggestions job writes on, and its data (suggestions only).
	ItemID int64           `json:"item_id,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Job is a generation job as the API shows it.
type Job struct {
	ID        int64           `json:"id"`
	Kind      Kind            `json:"kind"`
	ProjectID int64           `json:"project_id"` // the project the items go into
	Params    json.RawMessage `json:"params"`
	Status    Status          `json:"status"`
	Reason    string          `json:"reason,omitempty"` // why it failed
	Counts    Counts          `json:"counts"`
	CreatedBy int64           `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	StartedAt *time.Time      `json:"started_at,omitempty"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	// Failures are the latest skipped units, with their reasons (GET one job only).
	Failures []Failure `json:"failures,omitempty"`
	// Flags are the candidates that name their own model or endpoint, with the item they are in
	// (GET one job only; at most 50).
	Flags []Flag `json:"flags,omitempty"`
}

// Flag is one flagged candidate.
type Flag struct {
	SourceKey string `json:"source_key"`
	Slot      int    `json:"slot"`
	ItemID    *int64 `json:"item_id,omitempty"` // nil until the source's item is written
}

// Counts is a job's progress in units (tasks) and sources (items).
type Counts struct {
	Tasks         int `json:"tasks"`
	TasksDone     int `json:"tasks_done"`
	TasksSkipped  int `json:"tasks_skipped"`
	Sources       int `json:"sources"`
	Items         int `json:"items"`          // items written
	SourcesFailed int `json:"sources_failed"` // sources that got no item (a unit was skipped)
	// Flagged counts candidates whose text names their own model or endpoint: the coordinator
	// should look before a blind comparison (the flag is in each item's provenance).
	Flagged int `json:"flagged"`
}

// Failure is one skipped unit.
type Failure struct {
	SourceKey string    `json:"source_key"`
	Slot      int       `json:"slot"`
	Attempts  int       `json:"attempts"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// Unit is one unit of work as planned: a source in a slot.
type Unit struct {
	Source     Source
	Slot       int
	EndpointID int64
}

// Plan is every (source, slot) of a job, sources in order and slots within each.
func Plan(sources []Source, slots []Slot) []Unit {
	out := make([]Unit, 0, len(sources)*len(slots))
	for _, s := range sources {
		for i, sl := range slots {
			out = append(out, Unit{Source: s, Slot: i, EndpointID: sl.EndpointID})
		}
	}
	return out
}

// Key is the idempotency key of one unit: the same job, source and slot always give the same key,
// and the task table is unique on it, so a unit is planned — and its output stored — at most once.
func Key(jobID int64, sourceKey string, slot int) string {
	return fmt.Sprintf("%d/%s/%d", jobID, sourceKey, slot)
}

// SourceKey is a stable key for a source's messages.
func SourceKey(msgs []tasktype.Message) string {
	b, _ := json.Marshal(msgs)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}
