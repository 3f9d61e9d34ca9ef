// Package labeling holds the work engine's types and pure rules: projects, items, leases, submissions and the review state machine.
package labeling

import (
	"bytes"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/page"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/tasktype"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Model is the AI model a co-op labels data for; projects belong to one.
type Model struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	BaseModel   string    `json:"base_model"`
	Description string    `json:"description"`
	CreatedBy   *int64    `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// ProjectStatus is where a project is in its life.
type ProjectStatus string

const (
	ProjectDraft  ProjectStatus = "draft"  // being set up; nobody can claim
	ProjectOpen   ProjectStatus = "open"   // labellers claim tasks
	ProjectPaused ProjectStatus = "paused" // no new claims; leases in flight may finish
	ProjectClosed ProjectStatus = "closed" // final
)

// CanMoveTo reports whether a project may go from s to next:
// draft→open, open↔paused, open/paused→closed. Closed is final.
func (s ProjectStatus) CanMoveTo(next ProjectStatus) bool {
	switch s {
	case ProjectDraft:
		return next == ProjectOpen
	case ProjectOpen:
		return next == ProjectPaused || next == ProjectClosed
	case ProjectPaused:
		return next == ProjectOpen || next == ProjectClosed
	}
	return false
}

// ParseProjectStatus accepts the four status names.
func ParseProjectStatus(s string) (ProjectStatus, error) {
	switch st := ProjectStatus(s); st {
	case ProjectDraft, ProjectOpen, ProjectPaused, ProjectClosed:
		return st, nil
	}
	return "", fault.ErrInvalid.With("unknown project status %q (draft, open, paused, closed)", s)
}

// Ordering says which open item a claim takes among equally started ones.
type Ordering string

const (
	// OrderPriority: priority descending, then import order.
	OrderPriority Ordering = "priority"
	// OrderRandom: priority descending, then a seeded shuffle.
	OrderRandom Ordering = "random"
)

// Project limits.
const (
	MinOverlap          = 1
	MaxOverlap          = 10
	MinLeaseSeconds     = 30
	MaxLeaseSeconds     = 86400
	DefaultLeaseSeconds = 600
	MaxGoldRateBP       = 5000 // basis points: at most half the tasks are gold
	// MaxSuggestionControlBP: at most half the items go without their suggestion.
	MaxSuggestionControlBP = 5000
	MaxProjectNameLen      = 200
	MaxInstructionsLen     = 100_000

	// CoopSensitiveDailyCap is the co-op's maximum number of sensitive items a
	// member is shown per UTC day; a member may lower theirs, never raise it.
	CoopSensitiveDailyCap = 20

	MaxDraftBytes          = 256 << 10
	MaxSkipReasonLen       = 500
	MaxIdempotencyKeyLen   = 200
	MaxLeadTimeMs          = int64(24 * time.Hour / time.Millisecond)
	MaxImportBytes         = 200 << 20
	MaxImportRecords       = 2_000_000
	MaxModelNameLen        = 100
	MaxModelDescriptionLen = 10_000
)

// Project is a body of items labelled under one schema.
type Project struct {
	ID           int64             `json:"id"`
	ModelID      int64             `json:"model_id"`
	Name         string            `json:"name"`
	TaskType     tasktype.TaskType `json:"task_type"`
	Schema       json.RawMessage   `json:"schema"`
	Instructions string            `json:"instructions"` // markdown
	Overlap      int               `json:"overlap"`      // k: submissions per item
	LeaseSeconds int               `json:"lease_seconds"`
	Ordering     Ordering          `json:"ordering"`
	RandomSeed   int64             `json:"random_seed"`
	GoldRateBP   int               `json:"gold_rate_bp"`
	Stint        int               `json:"stint"` // daily cap of tasks per member; 0 = none
	// SensitiveBreakAfter forces a break after a run of this many sensitive
	// items ending in this project; 0 keeps the co-op's run length.
	SensitiveBreakAfter int `json:"sensitive_break_after"`
	// SuggestionPolicy, SuggestionControlBP and OrderByUsefulness: see ProjectSettings.
	SuggestionPolicy    SuggestionPolicy `json:"suggestion_policy"`
	SuggestionControlBP int              `json:"suggestion_control_bp"`
	OrderByUsefulness   bool             `json:"order_by_usefulness"`
	Status              ProjectStatus    `json:"status"`
	CreatedBy           *int64           `json:"created_by,omitempty"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
	// LSConfig is the Label Studio labelling config the project was made
	// from ("" if none); GET /api/projects/{id}/lsconfig serves it.
	LSConfig string `json:"-"`
}

// ProjectSettings are the fields a coordinator chooses. CreateProject takes
// all of them; UpdateProject takes a ProjectPatch.
type ProjectSettings struct {
	ModelID      int64             `json:"model_id"`
	Name         string            `json:"name"`
	TaskType     tasktype.TaskType `json:"task_type"`
	Schema       json.RawMessage   `json:"schema"`
	Instructions string            `json:"instructions"`
	Overlap      int               `json:"overlap"`
	LeaseSeconds int               `json:"lease_seconds"` // 0 means DefaultLeaseSeconds
	Ordering     Ordering          `json:"ordering"`      // "" means priority
	RandomSeed   int64             `json:"random_seed"`
	GoldRateBP   int               `json:"gold_rate_bp"`
	Stint        int               `json:"stint"`
	// SensitiveBreakAfter: a run of this many sensitive items forces a break (0: the co-op's).
	SensitiveBreakAfter int `json:"sensitive_break_after"`
	// SuggestionPolicy says when labellers see an item's suggestion ("": up_front).
	SuggestionPolicy SuggestionPolicy `json:"suggestion_policy"`
	// SuggestionControlBP is the share of items (basis points) that never show
	// one, for the anchoring measurement; nil means DefaultSuggestionControlBP.
	SuggestionControlBP *int `json:"suggestion_control_bp,omitempty"`
	// OrderByUsefulness serves uncertain items first, mixed with the usual
	// order, random items and gold (docs/MODELS.md, "Ordering by usefulness").
	OrderByUsefulness bool `json:"order_by_usefulness"`
	// LSConfig, at creation only, is a Label Studio labelling config (XML or
	// a template config.yml). It gives the task type and schema when they
	// are left empty, must fit them when they are given, and is kept so
	// that Label Studio exports use its control and object names.
	LSConfig string `json:"ls_config,omitempty"`
}

// Normalize fills defaults, checks every field and validates the schema for
// the task type, returning the settings as they will be stored.
func (p ProjectSettings) Normalize() (ProjectSettings, error) {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > MaxProjectNameLen {
		return p, fault.ErrInvalid.With("project name must be 1-%d characters", MaxProjectNameLen)
	}
	if utf8.RuneCountInString(p.Instructions) > MaxInstructionsLen {
		return p, fault.ErrInvalid.With("instructions are at most %d characters", MaxInstructionsLen)
	}
	if strings.TrimSpace(p.LSConfig) != "" {
		x, err := importer.LSConfigXML([]byte(p.LSConfig))
		if err != nil {
			return p, err
		}
		ctt, cschema, err := importer.ParseLSConfig([]byte(x))
		if err != nil {
			return p, err
		}
		if p.TaskType == "" {
			p.TaskType = ctt
		}
		if t := bytes.TrimSpace(p.Schema); len(t) == 0 || string(t) == "null" {
			p.Schema = cschema
		}
		p.LSConfig = x
	} else {
		p.LSConfig = ""
	}
	tt, err := tasktype.ParseTaskType(string(p.TaskType))
	if err != nil {
		return p, err
	}
	p.TaskType = tt
	schema, err := tasktype.ValidateSchema(tt, p.Schema)
	if err != nil {
		return p, err
	}
	p.Schema = schema
	if p.LSConfig != "" {
		if _, err := importer.CheckLSConfigFits(p.LSConfig, tt, schema); err != nil {
			return p, err
		}
	}
	if p.Overlap < MinOverlap || p.Overlap > MaxOverlap {
		return p, fault.ErrInvalid.With("overlap must be between %d and %d", MinOverlap, MaxOverlap)
	}
	if p.LeaseSeconds == 0 {
		p.LeaseSeconds = DefaultLeaseSeconds
	}
	if p.LeaseSeconds < MinLeaseSeconds || p.LeaseSeconds > MaxLeaseSeconds {
		return p, fault.ErrInvalid.With("lease must be between %d and %d seconds", MinLeaseSeconds, MaxLeaseSeconds)
	}
	if p.Ordering == "" {
		p.Ordering = OrderPriority
	}
	if p.Ordering != OrderPriority && p.Ordering != OrderRandom {
		return p, fault.ErrInvalid.With("ordering must be priority or random")
	}
	if p.GoldRateBP < 0 || p.GoldRateBP > MaxGoldRateBP {
		return p, fault.ErrInvalid.With("gold rate must be between 0 and %d basis points", MaxGoldRateBP)
	}
	if p.Stint < 0 {
		return p, fault.ErrInvalid.With("stint must be 0 (no cap) or more")
	}
	if p.SensitiveBreakAfter < 0 || p.SensitiveBreakAfter > MaxBreakAfter {
		return p, fault.ErrInvalid.With("sensitive_break_after must be 0 (the co-op's) to %d", MaxBreakAfter)
	}
	if p.SuggestionPolicy, err = ParseSuggestionPolicy(string(p.SuggestionPolicy)); err != nil {
		return p, err
	}
	if p.SuggestionControlBP == nil {
		n := DefaultSuggestionControlBP
		p.SuggestionControlBP = &n
	}
	if c := *p.SuggestionControlBP; c < 0 || c > MaxSuggestionControlBP {
		return p, fault.ErrInvalid.With("suggestion_control_bp must be between 0 and %d basis points", MaxSuggestionControlBP)
	}
	return p, nil
}

// Settings returns the chosen fields of a stored project.
func (p Project) Settings() ProjectSettings {
	return ProjectSettings{ModelID: p.ModelID, Name: p.Name, TaskType: p.TaskType, Schema: p.Schema,
		Instructions: p.Instructions, Overlap: p.Overlap, LeaseSeconds: p.LeaseSeconds, Ordering: p.Ordering,
		RandomSeed: p.RandomSeed, GoldRateBP: p.GoldRateBP, Stint: p.Stint, SensitiveBreakAfter: p.SensitiveBreakAfter,
		SuggestionPolicy: p.SuggestionPolicy, SuggestionControlBP: &p.SuggestionControlBP, OrderByUsefulness: p.OrderByUsefulness}
}

// ProjectPatch changes some settings; nil fields stay. Task type and schema
// may change only while the project is a draft, and overlap may only grow
// once the project has left draft (lowering it would strand submissions).
type ProjectPatch struct {
	Name         *string            `json:"name,omitempty"`
	TaskType     *tasktype.TaskType `json:"task_type,omitempty"`
	Schema       *json.RawMessage   `json:"schema,omitempty"`
	Instructions *string            `json:"instructions,omitempty"`
	Overlap      *int               `json:"overlap,omitempty"`
	LeaseSeconds *int               `json:"lease_seconds,omitempty"`
	Ordering     *Ordering          `json:"ordering,omitempty"`
	RandomSeed   *int64             `json:"random_seed,omitempty"`
	GoldRateBP   *int               `json:"gold_rate_bp,omitempty"`
	Stint        *int               `json:"stint,omitempty"`
	// SensitiveBreakAfter: 0 goes back to the co-op's run length.
	SensitiveBreakAfter *int              `json:"sensitive_break_after,omitempty"`
	SuggestionPolicy    *SuggestionPolicy `json:"suggestion_policy,omitempty"`
	SuggestionControlBP *int              `json:"suggestion_control_bp,omitempty"`
	OrderByUsefulness   *bool             `json:"order_by_usefulness,omitempty"`
}

// Apply returns the settings with the patch applied (not yet normalised).
func (pp ProjectPatch) Apply(s ProjectSettings) ProjectSettings {
	if pp.Name != nil {
		s.Name = *pp.Name
	}
	if pp.TaskType != nil {
		s.TaskType = *pp.TaskType
	}
	if pp.Schema != nil {
		s.Schema = *pp.Schema
	}
	if pp.Instructions != nil {
		s.Instructions = *pp.Instructions
	}
	if pp.Overlap != nil {
		s.Overlap = *pp.Overlap
	}
	if pp.LeaseSeconds != nil {
		s.LeaseSeconds = *pp.LeaseSeconds
	}
	if pp.Ordering != nil {
		s.Ordering = *pp.Ordering
	}
	if pp.RandomSeed != nil {
		s.RandomSeed = *pp.RandomSeed
	}
	if pp.GoldRateBP != nil {
		s.GoldRateBP = *pp.GoldRateBP
	}
	if pp.Stint != nil {
		s.Stint = *pp.Stint
	}
	if pp.SensitiveBreakAfter != nil {
		s.SensitiveBreakAfter = *pp.SensitiveBreakAfter
	}
	if pp.SuggestionPolicy != nil {
		s.SuggestionPolicy = *pp.SuggestionPolicy
	}
	if pp.SuggestionControlBP != nil {
		s.SuggestionControlBP = pp.SuggestionControlBP
	}
	if pp.OrderByUsefulness != nil {
		s.OrderByUsefulness = *pp.OrderByUsefulness
	}
	return s
}

// ItemStatus: open items take claims until done reaches overlap; gold items
// are never filled (each labeller may see each once).
type ItemStatus string

const (
	ItemOpen     ItemStatus = "open"
	ItemComplete ItemStatus = "complete"
	ItemGold     ItemStatus = "gold"
)

// Item is one thing to label. Gold is for coordinators only: it never
// reaches a labeller.
type Item struct {
	ID          int64           `json:"id"`
	ProjectID   int64           `json:"project_id"`
	Seq         int64           `json:"seq"`
	ExternalID  string          `json:"external_id,omitempty"`
	Data        json.RawMessage `json:"data"`
	ContentHash string          `json:"content_hash"`
	Priority    int             `json:"priority"`
	Prediction  json.RawMessage `json:"prediction,omitempty"`
	// PredictionModel and PredictionScore come with a Label Studio prediction.
	PredictionModel string `json:"prediction_model,omitempty"`
	PredictionScore string `json:"prediction_score,omitempty"`
	// SuggestionSource says where Prediction came from (import, endpoint; "" none),
	// SuggestionEndpointID which endpoint, SuggestionConfidence how sure (basis points).
	SuggestionSource     string          `json:"suggestion_source,omitempty"`
	SuggestionEndpointID *int64          `json:"suggestion_endpoint_id,omitempty"`
	SuggestionConfidence *int            `json:"suggestion_confidence,omitempty"`
	Gold                 json.RawMessage `json:"gold,omitempty"`
	Sensitive            bool            `json:"sensitive"`
	// Categories are the item's kinds of sensitive content; only members who opted into each are sent it.
	Categories []sensitive.Category `json:"categories"`
	Status     ItemStatus           `json:"status"`
	Done       int                  `json:"done"`
	Held       int                  `json:"held"`
	CreatedAt  time.Time            `json:"created_at"`
}

// AssignmentState is the life of one (item, member) slot.
type AssignmentState string

const (
	AssignmentLeased    AssignmentState = "leased"    // held; live until the lease expires, then claimable by others
	AssignmentSubmitted AssignmentState = "submitted" // answered
	AssignmentReleased  AssignmentState = "released"  // given back; the same member may get it again
	AssignmentSkipped   AssignmentState = "skipped"   // never offered to this member again
	AssignmentExpired   AssignmentState = "expired"   // the lease lapsed and another member took the slot
)

// Assignment is a member's slot on an item, with its lease.
type Assignment struct {
	ID             int64           `json:"id"`
	ProjectID      int64           `json:"project_id"`
	ItemID         int64           `json:"item_id"`
	MemberID       int64           `json:"member_id"`
	State          AssignmentState `json:"state"`
	LeaseToken     string          `json:"-"`
	LeaseExpiresAt time.Time       `json:"lease_expires_at"`
	ClaimedAt      time.Time       `json:"claimed_at"`
	SubmittedAt    *time.Time      `json:"submitted_at,omitempty"`
	Draft          json.RawMessage `json:"draft,omitempty"`
	DraftAt        *time.Time      `json:"draft_at,omitempty"`
	ActiveMs       int64           `json:"active_ms"`
	Sensitive      bool            `json:"sensitive"`
	// SuggestionShown: "" none, up_front or after_answer; FirstAnswer is the
	// labeller's own answer recorded before an after_answer reveal.
	SuggestionShown string          `json:"suggestion_shown,omitempty"`
	FirstAnswer     json.RawMessage `json:"first_answer,omitempty"`
}

// Task is what a labeller receives: the item, its lease, and how to answer.
// It never says whether the item is gold, and never shows other members.
type Task struct {
	AssignmentID   int64           `json:"assignment_id"`
	LeaseToken     string          `json:"lease_token"`
	LeaseExpiresAt time.Time       `json:"lease_expires_at"`
	ProjectID      int64           `json:"project_id"`
	ItemID         int64           `json:"item_id"`
	Data           json.RawMessage `json:"data"`
	// Prediction is the item's suggestion when the project shows it up front
	// (never on control or gold items); SuggestionMeta says whose it is.
	Prediction     json.RawMessage `json:"prediction,omitempty"`
	SuggestionMeta *SuggestionMeta `json:"suggestion_meta,omitempty"`
	// SuggestionPolicy is the project's: under after_answer the workbench
	// sends the first answer (POST /api/tasks/first-answer) before submitting.
	SuggestionPolicy SuggestionPolicy `json:"suggestion_policy"`
	// FirstAnswer is the first answer already recorded on this lease (after_answer).
	FirstAnswer json.RawMessage   `json:"first_answer,omitempty"`
	Sensitive   bool              `json:"sensitive"`
	Draft       json.RawMessage   `json:"draft,omitempty"`
	TaskType    tasktype.TaskType `json:"task_type"`
	Schema      json.RawMessage   `json:"schema"`
}

// SubmitRequest is a labeller's answer to the task held by LeaseToken.
type SubmitRequest struct {
	LeaseToken     string          `json:"lease_token"`
	IdempotencyKey string          `json:"idempotency_key"` // chosen by the client, unique per member
	Answer         json.RawMessage `json:"answer"`
	LeadTimeMs     int64           `json:"lead_time_ms"` // active time on the task, reported by the client
	// BodyHash is the hex SHA-256 of the raw request body, if the transport
	// has it; otherwise it is computed from the fields above.
	BodyHash string `json:"-"`
}

// Hash returns the body hash that detects a reused idempotency key.
func (r SubmitRequest) Hash() string {
	if r.BodyHash != "" {
		return r.BodyHash
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n", r.LeaseToken, r.LeadTimeMs)
	h.Write(compactJSON(r.Answer))
	return hex.EncodeToString(h.Sum(nil))
}

// SubmissionStatus: review will add more states later.
type SubmissionStatus string

const SubmissionSubmitted SubmissionStatus = "submitted"

// Submission is one accepted answer. IsGold is for scoring, never shown to
// the labeller.
type Submission struct {
	ID             int64            `json:"id"`
	AssignmentID   int64            `json:"assignment_id"`
	ItemID         int64            `json:"item_id"`
	ProjectID      int64            `json:"project_id"`
	MemberID       int64            `json:"member_id"`
	Answer         json.RawMessage  `json:"answer"`
	IdempotencyKey string           `json:"idempotency_key"`
	LeadTimeMs     int64            `json:"lead_time_ms"`
	IsGold         bool             `json:"-"`
	Status         SubmissionStatus `json:"status"`
	CreatedAt      time.Time        `json:"created_at"`
	// Replayed is true when this is the stored result of an earlier request
	// with the same idempotency key.
	Replayed bool `json:"replayed"`
}

// ImportReport sums up one import.
type ImportReport struct {
	ImportID   int64  `json:"import_id,omitempty"`
	Records    int    `json:"records"`
	Imported   int    `json:"imported"`
	Duplicates int    `json:"duplicates"`
	Rejected   int    `json:"rejected"`
	FirstError string `json:"first_error,omitempty"`
	// Annotations counts what became of Label Studio predictions and
	// annotations, per kind: kept, converted (to predictions or gold) or
	// dropped, with the reasons.
	Annotations importer.AnnotationTally `json:"annotations"`
	// PriorAnnotations is how many external annotations were stored.
	PriorAnnotations int `json:"prior_annotations"`
}

// ProjectProgress counts a project's work. Slots are item × overlap for
// non-gold items.
type ProjectProgress struct {
	ProjectID     int64                 `json:"project_id"`
	Items         int64                 `json:"items"`
	GoldItems     int64                 `json:"gold_items"`
	CompleteItems int64                 `json:"complete_items"`
	SlotsTotal    int64                 `json:"slots_total"`
	SlotsDone     int64                 `json:"slots_done"`
	Leased        int64                 `json:"leased"` // live leases now
	SlotsLeft     int64                 `json:"slots_left"`
	Today         []MemberProgressToday `json:"today"` // per member, UTC day
	// Expiring are the live leases that run out first, soonest first.
	Expiring []LeaseEnd `json:"expiring"`
	// Recent are the project's submissions and completions of the last
	// RecentWindow (at most RecentMax, the newest), oldest first, so the
	// live chart starts with its history rather than from the page's opening.
	Recent []RecentEvent `json:"recent"`
}

// RecentWindow and RecentMax bound ProjectProgress.Recent.
const (
	RecentWindow = 30 * time.Minute
	RecentMax    = 5000
)

// RecentEvent is one task.submitted or item.completed event.
type RecentEvent struct {
	Type string    `json:"type"`
	At   time.Time `json:"at"`
}

// LeaseEnd is when one live lease runs out unless its holder heartbeats.
type LeaseEnd struct {
	AssignmentID   int64     `json:"assignment_id"`
	ItemID         int64     `json:"item_id"`
	MemberID       int64     `json:"member_id"`
	LeaseExpiresAt time.Time `json:"lease_expires_at"`
}

// MemberProgressToday is one member's submissions in a project today (UTC).
type MemberProgressToday struct {
	MemberID  int64 `json:"member_id"`
	DoneToday int64 `json:"done_today"`
}

// MyProgress is what a labeller sees about themselves in a project today.
type MyProgress struct {
	ProjectID          int64     `json:"project_id"`
	DoneToday          int64     `json:"done_today"`
	ClaimedToday       int64     `json:"claimed_today"`
	StintLeft          *int64    `json:"stint_left"` // nil when the project has no stint
	SensitiveLeftToday int64     `json:"sensitive_left_today"`
	ItemsLeft          int64     `json:"items_left"` // items this member could still be given
	ResetsAt           time.Time `json:"resets_at"`
}

// Errors of projects, leases and submissions.
var (
	ErrModelNameTaken    = fault.New(fault.KindConflict, "model_name_taken", "a model with that name exists")
	ErrProjectNameTaken  = fault.New(fault.KindConflict, "project_name_taken", "the model already has a project with that name")
	ErrProjectPaused     = fault.New(fault.KindConflict, "project_paused", "the project is paused")
	ErrProjectClosed     = fault.New(fault.KindConflict, "project_closed", "the project is closed")
	ErrProjectNotOpen    = fault.New(fault.KindConflict, "project_not_open", "the project is not open yet")
	ErrProjectLocked     = fault.New(fault.KindConflict, "project_locked", "this setting can no longer change")
	ErrBadTransition     = fault.New(fault.KindConflict, "invalid_status_transition", "the project cannot move to that status")
	ErrNotProjectMember  = fault.New(fault.KindForbidden, "not_project_member", "you are not a member of this project")
	ErrNoTasks           = fault.New(fault.KindNotFound, "no_tasks", "no tasks left for you in this project")
	ErrStintReached      = fault.New(fault.KindConflict, "stint_reached", "you reached today's task limit for this project")
	ErrSensitiveCap      = fault.New(fault.KindConflict, "sensitive_cap_reached", "only sensitive items are left and you reached today's cap for them")
	ErrLeaseLost         = fault.New(fault.KindConflict, "lease_lost", "this task is no longer yours")
	ErrItemFull          = fault.New(fault.KindConflict, "item_full", "the item already has all the answers it needs")
	ErrAlreadySubmitted  = fault.New(fault.KindConflict, "already_submitted", "you already answered this item")
	ErrIdempotencyKey    = fault.New(fault.KindInvalid, "invalid_idempotency_key", "an idempotency key of 1-200 characters is required")
	ErrIdempotencyReuse  = fault.New(fault.KindConflict, "idempotency_conflict", "this idempotency key was used with a different request")
	ErrDraftTooLarge     = fault.New(fault.KindInvalid, "draft_too_large", "drafts are at most 256 KB")
	ErrInvalidDraft      = fault.New(fault.KindInvalid, "invalid_draft", "a draft must be a JSON object")
	ErrSensitiveCapAbove = fault.New(fault.KindInvalid, "sensitive_cap_above_coop", "the cap cannot exceed the co-op maximum")
)

// StintReachedError carries when the stint resets. errors.Is(err,
// ErrStintReached) and errors.As to *fault.Error both work through Unwrap.
type StintReachedError struct {
	ResetAt time.Time
}

func (e *StintReachedError) Error() string { return e.Unwrap().Error() }

func (e *StintReachedError) Unwrap() error {
	return ErrStintReached.With("you reached today's task limit for this project; it resets at %s", e.ResetAt.UTC().Format(time.RFC3339))
}

// DayStart returns the start of t's UTC day; daily caps count from there.
func DayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ContentHash is the hex SHA-256 of the canonical encoding of item data
// (object keys sorted, insignificant space removed, numbers kept verbatim),
// so the same data imported twice has the same hash.
func ContentHash(data json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", tasktype.ErrInvalidItemData.With("item data is not valid JSON: %v", err)
	}
	// encoding/json writes map keys sorted; HTML escaping off keeps text verbatim.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	sum := sha256.Sum256(bytes.TrimRight(buf.Bytes(), "\n"))
	return hex.EncodeToString(sum[:]), nil
}

// RandomOrderKey places an item in a project's seeded shuffle: the first 63
// bits of SHA-256(seed, content hash).
func RandomOrderKey(seed int64, contentHash string) int64 {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	h.Write([]byte(contentHash))
	return int64(binary.BigEndian.Uint64(h.Sum(nil)[:8]) >> 1)
}

// OrderKey is the claim order key of an item in a project with ordering o.
func OrderKey(o Ordering, seed, seq int64, contentHash string) int64 {
	if o == OrderRandom {
		return RandomOrderKey(seed, contentHash)
	}
	return seq
}

// NewLeaseToken returns a random 128-bit token in hex.
func NewLeaseToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CheckDraft accepts a JSON object of at most MaxDraftBytes; it need not be
// a valid answer yet.
func CheckDraft(d json.RawMessage) (json.RawMessage, error) {
	if len(d) > MaxDraftBytes {
		return nil, ErrDraftTooLarge
	}
	c := compactJSON(d)
	if len(c) == 0 || c[0] != '{' || !json.Valid(c) {
		return nil, ErrInvalidDraft
	}
	return c, nil
}

// ClampLeadTime bounds a client-reported active time to 0..24 h.
func ClampLeadTime(ms int64) int64 {
	return min(max(ms, 0), MaxLeadTimeMs)
}

// CheckIdempotencyKey bounds the client's key.
func CheckIdempotencyKey(k string) error {
	if k == "" || len(k) > MaxIdempotencyKeyLen || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 }) {
		return ErrIdempotencyKey
	}
	return nil
}

// CheckSensitiveCap accepts 0..CoopSensitiveDailyCap.
func CheckSensitiveCap(n int) error {
	if n < 0 {
		return fault.ErrInvalid.With("the sensitive cap must be 0 or more")
	}
	if n > CoopSensitiveDailyCap {
		return ErrSensitiveCapAbove.With("the sensitive cap is at most %d, the co-op maximum", CoopSensitiveDailyCap)
	}
	return nil
}

// CheckModel trims and bounds a model's fields.
func CheckModel(m Model) (Model, error) {
	m.Name = strings.TrimSpace(m.Name)
	m.BaseModel = strings.TrimSpace(m.BaseModel)
	if m.Name == "" || utf8.RuneCountInString(m.Name) > MaxModelNameLen {
		return m, fault.ErrInvalid.With("model name must be 1-%d characters", MaxModelNameLen)
	}
	if utf8.RuneCountInString(m.BaseModel) > MaxModelNameLen {
		return m, fault.ErrInvalid.With("base model is at most %d characters", MaxModelNameLen)
	}
	if utf8.RuneCountInString(m.Description) > MaxModelDescriptionLen {
		return m, fault.ErrInvalid.With("model description is at most %d characters", MaxModelDescriptionLen)
	}
	return m, nil
}

// compactJSON removes insignificant space; invalid JSON comes back as is.
func compactJSON(b json.RawMessage) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// ProjectFilter narrows a project listing; zero fields match everything.
type ProjectFilter struct {
	ModelID  int64
	MemberID int64 // projects this member belongs to
	Status   ProjectStatus
	Page     page.Page // the zero Page is every project
}

// ProjectPace is how long a task of the project takes, from real lead times:
// the median of its last PaceSample submissions (nil before any). With the
// rate card it tells a member what an hour of this work earns.
type ProjectPace struct {
	ProjectID        int64  `json:"project_id"`
	MedianLeadTimeMs *int64 `json:"median_lead_time_ms"`
	Sample           int    `json:"sample"`
}

// PaceSample is how many recent submissions ProjectPace reads.
const PaceSample = 200
