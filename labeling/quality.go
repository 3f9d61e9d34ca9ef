package labeling

import (
	"copyhold/labeling/agreement"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"time"
)

// The read models of quality and agreement: what the quality store computes
// and the server sends as JSON.

// PairCell is one cell of the labeller-by-labeller agreement heatmap.
type PairCell struct {
	A      string   `json:"a"` // member id
	B      string   `json:"b"`
	Value  *float64 `json:"value"`
	Units  int      `json:"units"`
	Reason string   `json:"reason,omitempty"`
}

// ProjectAgreement is agreement over a project's scored answers: every
// metric of MetricsFor, the breakdown per label or criterion, and the
// primary metric for every pair of labellers.
type ProjectAgreement struct {
	ProjectID   int64                      `json:"project_id"`
	TaskType    tasktype.TaskType          `json:"task_type"`
	Primary     string                     `json:"primary_metric"`
	Items       int                        `json:"items"`
	Annotations int                        `json:"annotations"`
	Metrics     []agreement.MetricValue    `json:"metrics"`
	PerLabel    []agreement.LabelAgreement `json:"per_label"`
	Pairwise    []PairCell                 `json:"pairwise"`
}

// Consensus is the stored consensus of one item.
type Consensus struct {
	ItemID       int64           `json:"item_id"`
	Method       string          `json:"method"` // majority, dawid_skene or corrected
	Label        string          `json:"label"`
	Decided      bool            `json:"decided"`
	ConfidenceBP int             `json:"confidence_bp"`
	Votes        int             `json:"votes"`
	Answer       json.RawMessage `json:"answer,omitempty"`
	// PosteriorBP is a Dawid–Skene consensus's probability of each class,
	// in basis points; nil for the other methods.
	PosteriorBP map[string]int `json:"posterior_bp,omitempty"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// ConsensusOptions choose how RecomputeConsensus works.
type ConsensusOptions struct {
	Method string // majority or dawid_skene
	// Smoothing is Dawid–Skene's pseudo-count per confusion cell and prior;
	// nil takes agreement.DefaultDawidSkeneSmoothing (0.01), 0 is plain
	// maximum likelihood.
	Smoothing *float64
}

// ItemPosterior is one item's Dawid–Skene estimate.
type ItemPosterior struct {
	ItemID      int64          `json:"item_id"`
	Label       string         `json:"label"`
	PosteriorBP map[string]int `json:"posterior_bp"`
}

// ConsensusReport sums up a recomputation.
type ConsensusReport struct {
	Method     string   `json:"method"`
	Items      int      `json:"items"`
	Classes    []string `json:"classes,omitempty"`
	Iterations int      `json:"iterations,omitempty"`
	Converged  bool     `json:"converged,omitempty"`
	// AnnotatorAccuracyBP is each labeller's estimated accuracy (the
	// prior-weighted diagonal of their Dawid–Skene confusion matrix).
	AnnotatorAccuracyBP map[string]int `json:"annotator_accuracy_bp,omitempty"`
	// Dawid–Skene only: the smoothing used, the class priors and every
	// item's posterior, in basis points.
	Smoothing  float64         `json:"smoothing,omitempty"`
	PriorsBP   map[string]int  `json:"priors_bp,omitempty"`
	Posteriors []ItemPosterior `json:"posteriors,omitempty"`
}

// LabellerStats is one labeller's record in a project.
type LabellerStats struct {
	MemberID         int64  `json:"member_id"`
	Login            string `json:"login"`
	DisplayName      string `json:"display_name"`
	Submissions      int    `json:"submissions"`
	ActiveDays       int    `json:"active_days"`
	PerActiveDay     int    `json:"per_active_day"` // throughput: submissions per day with any
	MedianLeadTimeMs int64  `json:"median_lead_time_ms"`
	Pending          int    `json:"pending"`
	Accepted         int    `json:"accepted"`
	Corrected        int    `json:"corrected"`
	Rejected         int    `json:"rejected"`
	Disputed         int    `json:"disputed"`
	// AcceptanceBP: accepted over decided (accepted + corrected + rejected).
	AcceptanceBP *int `json:"acceptance_bp"`
	// ConsensusAgreementBP: share of their answers on items with a decided
	// consensus that match it.
	ConsensusAgreementBP *int                      `json:"consensus_agreement_bp"`
	Gold                 GoldAccuracy              `json:"gold"`
	Confusion            map[string]map[string]int `json:"confusion"` // gold expected → given → count
	RejectionReasons     map[string]int            `json:"rejection_reasons"`
}

// MyQuality is what a labeller sees about their own quality in a project.
type MyQuality struct {
	ProjectID int64         `json:"project_id"`
	Stats     LabellerStats `json:"stats"`
	Standing  GoldStanding  `json:"gold_standing"`
}

// DayAgreement is the mean agreement of the items scored on one UTC day.
type DayAgreement struct {
	Day         string `json:"day"` // YYYY-MM-DD
	Items       int    `json:"items"`
	AgreementBP int    `json:"agreement_bp"`
}

// ReviewerLoad is one reviewer's work in a project.
type ReviewerLoad struct {
	ReviewerID int64  `json:"reviewer_id"`
	Login      string `json:"login"`
	Reviews    int    `json:"reviews"`   // review rounds decided
	Decisions  int    `json:"decisions"` // submissions decided
	Rejections int    `json:"rejections"`
	Holding    int    `json:"holding"` // leases held now
}

// ProjectQuality is the coordinators' and reviewers' view of a project.
type ProjectQuality struct {
	ProjectID int64           `json:"project_id"`
	Queue     map[string]int  `json:"queue"`  // item_reviews by state
	Routes    map[string]int  `json:"routes"` // scoring rounds by route
	Labellers []LabellerStats `json:"labellers"`
	Agreement []DayAgreement  `json:"agreement_by_day"`
	Reviewers []ReviewerLoad  `json:"reviewers"`
	Probation []int64         `json:"on_probation"` // labellers whose work is all reviewed
	Settings  ReviewSettings  `json:"settings"`
	// Anchoring compares suggestions with final answers (docs/MODELS.md, "Suggestions").
	Anchoring Anchoring `json:"anchoring"`
}
