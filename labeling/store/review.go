package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// Review. An item_reviews row is one scoring round of an item (or one
// disputed rejection); rows routed to review form the reviewer queue, with
// the same lease mechanics as labelling: a claim takes the oldest queued row
// (or another reviewer's expired lease) with one statement, SKIP LOCKED on
// PostgreSQL; heartbeat and decisions are fenced on the lease token; an
// expired lease stays its holder's until someone else takes it.
//
// Slots: items.done counts the item's submissions with counted = true. A
// rejection sets counted = false and done − 1, so a complete item is open
// again and a new labeller fills the slot (the rejected labeller's
// assignment row stays, so the claim never offers them the item again).

// ---- settings ----

type reviewSettingsRow struct {
	ProjectID       int64 `gorm:"primaryKey"`
	AutoAccept      bool
	AutoAcceptBP    int `gorm:"column:auto_accept_bp"`
	SampleRateBP    int `gorm:"column:sample_rate_bp"`
	GoldThresholdBP int `gorm:"column:gold_threshold_bp"`
	GoldWindow      int
	RejectReasons   string
	TiePolicy       string
	UpdatedAt       time.Time
}

func (reviewSettingsRow) TableName() string { return "review_settings" }

func loadReviewSettings(tx *gorm.DB, projectID int64) (labeling.ReviewSettings, error) {
	var rows []reviewSettingsRow
	if err := tx.Raw(`SELECT * FROM review_settings WHERE project_id = ?`, projectID).Scan(&rows).Error; err != nil {
		return labeling.ReviewSettings{}, err
	}
	if len(rows) == 0 {
		return labeling.DefaultReviewSettings(projectID), nil
	}
	return rows[0].settings()
}

// settings are the review rules the row stores.
func (r reviewSettingsRow) settings() (labeling.ReviewSettings, error) {
	s := labeling.ReviewSettings{ProjectID: r.ProjectID, AutoAccept: r.AutoAccept, AutoAcceptBP: r.AutoAcceptBP,
		SampleRateBP: r.SampleRateBP, GoldThresholdBP: r.GoldThresholdBP, GoldWindow: r.GoldWindow,
		TiePolicy: r.TiePolicy, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.RejectReasons), &s.RejectReasons); err != nil {
		return s, err
	}
	return s, nil
}

// ReviewSettings returns a project's review rules (defaults until a
// coordinator sets them).
func (s *Reviews) ReviewSettings(ctx context.Context, projectID int64) (labeling.ReviewSettings, error) {
	db := s.db.WithContext(ctx)
	if _, err := loadProject(db, projectID, false); err != nil {
		return labeling.ReviewSettings{}, err
	}
	return loadReviewSettings(db, projectID)
}

// UpdateReviewSettings applies a patch to a project's review rules. New
// rules apply to items scored from now on.
func (s *Reviews) UpdateReviewSettings(ctx context.Context, actor *int64, projectID int64, patch labeling.ReviewSettingsPatch) (labeling.ReviewSettings, error) {
	var out labeling.ReviewSettings
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := loadProject(tx, projectID, true); err != nil {
			return err
		}
		cur, err := loadReviewSettings(tx, projectID)
		if err != nil {
			return err
		}
		next, err := patch.Apply(cur)
		if err != nil {
			return err
		}
		next.UpdatedAt = s.clock()
		reasons, _ := json.Marshal(next.RejectReasons)
		if err := tx.Exec(`INSERT INTO review_settings (project_id, auto_accept, auto_accept_bp, sample_rate_bp,
    gold_threshold_bp, gold_window, reject_reasons, tie_policy, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project_id) DO UPDATE SET auto_accept = excluded.auto_accept, auto_accept_bp = excluded.auto_accept_bp,
    sample_rate_bp = excluded.sample_rate_bp, gold_threshold_bp = excluded.gold_threshold_bp,
    gold_window = excluded.gold_window, reject_reasons = excluded.reject_reasons,
    tie_policy = excluded.tie_policy, updated_at = excluded.updated_at`,
			projectID, next.AutoAccept, next.AutoAcceptBP, next.SampleRateBP, next.GoldThresholdBP, next.GoldWindow,
			string(reasons), next.TiePolicy, next.UpdatedAt).Error; err != nil {
			return err
		}
		out = next
		// Thresholds, sample rate and gold settings are for staff, as GET
		// review-settings is.
		return event.Append(tx, "review.settings_changed", event.ReviewScope(projectID), actor, next)
	})
	return out, err
}

// LoadSettings reads a project's review rules in tx (defaults until a
// coordinator sets them).
func (s *Reviews) LoadSettings(tx Tx, projectID int64) (labeling.ReviewSettings, error) {
	return loadReviewSettings(tx.db, projectID)
}

// ---- rows ----

// Round is one scoring round of an item, or one disputed rejection: an
// item_reviews row. Kind, Route and State hold labeling.ReviewKind,
// labeling.ReviewRoute and labeling.ReviewState values.
type Round struct {
	ID              int64 `gorm:"primaryKey"`
	ProjectID       int64
	ItemID          int64
	Kind            string
	SubmissionID    *int64
	Metric          string
	AgreementBP     *int `gorm:"column:agreement_bp"`
	GoldFailed      bool
	Reasons         string
	Route           string
	State           string
	ExcludeMemberID *int64
	ReviewerID      *int64
	LeaseToken      *string
	LeaseExpiresAt  *time.Time
	ClaimedAt       *time.Time
	DecisionKey     *string
	DecisionHash    *string
	DecidedAt       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (Round) TableName() string { return "item_reviews" }

type reviewDecisionRow struct {
	ID              int64 `gorm:"primaryKey"`
	ReviewID        int64
	ProjectID       int64
	ItemID          int64
	SubmissionID    int64
	LabellerID      int64
	ReviewerID      *int64
	Decision        string
	Reason          string
	Comment         string
	CorrectedAnswer *string
	Final           bool
	Automatic       bool
	CreatedAt       time.Time
}

func (reviewDecisionRow) TableName() string { return "review_decisions" }

func (r reviewDecisionRow) record(status labeling.SubmissionStatus) labeling.DecisionRecord {
	return labeling.DecisionRecord{ID: r.ID, ReviewID: r.ReviewID, SubmissionID: r.SubmissionID, ItemID: r.ItemID,
		ProjectID: r.ProjectID, LabellerID: r.LabellerID, ReviewerID: r.ReviewerID, Decision: labeling.Decision(r.Decision),
		Reason: r.Reason, Comment: r.Comment, CorrectedAnswer: rawOrNil(r.CorrectedAnswer), Final: r.Final,
		Automatic: r.Automatic, Status: status, CreatedAt: r.CreatedAt}
}

// ReviewedSubmission is a submission as review reads it. Status holds a
// labeling.SubmissionStatus; Counted is true while it fills one of the
// item's slots.
type ReviewedSubmission struct {
	ID             int64
	ItemID         int64
	ProjectID      int64
	MemberID       int64
	Answer         string
	Status         string
	Counted        bool
	IsGold         bool
	LeadTimeMs     int64
	DisputedAt     *time.Time
	DisputeComment *string
	CreatedAt      time.Time
}

func loadSubmission(tx *gorm.DB, id int64, lock bool) (ReviewedSubmission, bool, error) {
	q := `SELECT id, item_id, project_id, member_id, answer, status, counted, is_gold, lead_time_ms, disputed_at,
    dispute_comment, created_at FROM submissions WHERE id = ?`
	if lock {
		q += forUpdate(tx)
	}
	var rows []ReviewedSubmission
	if err := tx.Raw(q, id).Scan(&rows).Error; err != nil {
		return ReviewedSubmission{}, false, err
	}
	if len(rows) == 0 {
		return ReviewedSubmission{}, false, nil
	}
	return rows[0], true, nil
}

func itemSubmissions(tx *gorm.DB, itemID int64) ([]ReviewedSubmission, error) {
	var rows []ReviewedSubmission
	err := tx.Raw(`SELECT id, item_id, project_id, member_id, answer, status, counted, is_gold, lead_time_ms, disputed_at,
    dispute_comment, created_at FROM submissions WHERE item_id = ? ORDER BY id`, itemID).Scan(&rows).Error
	return rows, err
}

// LoadSubmission reads a submission as review sees it; ok is false when
// there is none.
func (s *Reviews) LoadSubmission(tx Tx, id int64) (sub ReviewedSubmission, ok bool, err error) {
	return loadSubmission(tx.db, id, false)
}

// LockSubmission is LoadSubmission with the row locked for update.
func (s *Reviews) LockSubmission(tx Tx, id int64) (sub ReviewedSubmission, ok bool, err error) {
	return loadSubmission(tx.db, id, true)
}

func memberKey(id int64) string { return strconv.FormatInt(id, 10) }
