package store

import (
	"encoding/json"
	"sync"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// ---- scoring: the SQL of work.Service's score and route steps ----

// memberStanding reads a labeller's last gold results in the project.
func memberStanding(tx *gorm.DB, set labeling.ReviewSettings, projectID, memberID int64) (labeling.GoldStanding, error) {
	var recent []bool
	if err := tx.Raw(`SELECT correct FROM gold_checks WHERE project_id = ? AND member_id = ?
ORDER BY submission_id DESC LIMIT ?`, projectID, memberID, set.GoldWindow).Scan(&recent).Error; err != nil {
		return labeling.GoldStanding{}, err
	}
	return labeling.Standing(set, recent), nil
}

// GoldStanding reads a labeller's last gold results in the project and
// tells whether their work is on probation.
func (s *Quality) GoldStanding(tx Tx, set labeling.ReviewSettings, projectID, memberID int64) (labeling.GoldStanding, error) {
	return memberStanding(tx.db, set, projectID, memberID)
}

// GoldStandings is GoldStanding for several labellers at once, in one
// statement: each one's last set.GoldWindow results.
func (s *Quality) GoldStandings(tx Tx, set labeling.ReviewSettings, projectID int64, memberIDs []int64) (map[int64]labeling.GoldStanding, error) {
	out := make(map[int64]labeling.GoldStanding, len(memberIDs))
	if len(memberIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		MemberID int64
		Correct  bool
	}
	if err := tx.db.Raw(`SELECT member_id, correct FROM (
    SELECT member_id, correct, submission_id,
        ROW_NUMBER() OVER (PARTITION BY member_id ORDER BY submission_id DESC) AS n
    FROM gold_checks WHERE project_id = ? AND member_id IN ?) AS recent
WHERE n <= ? ORDER BY member_id, submission_id DESC`, projectID, memberIDs, set.GoldWindow).Scan(&rows).Error; err != nil {
		return nil, err
	}
	recent := make(map[int64][]bool, len(memberIDs))
	for _, r := range rows {
		recent[r.MemberID] = append(recent[r.MemberID], r.Correct)
	}
	for _, id := range memberIDs {
		out[id] = labeling.Standing(set, recent[id])
	}
	return out, nil
}

// RecordGoldCheck stores the check of a gold submission against the gold answer.
func (s *Quality) RecordGoldCheck(tx Tx, sub labeling.Submission, g agreement.GoldResult, now time.Time) error {
	return tx.db.Exec(`INSERT INTO gold_checks (submission_id, project_id, item_id, member_id, correct, score_bp, expected, given, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sub.ID, sub.ProjectID, sub.ItemID, sub.MemberID, g.Correct, g.ScoreBP, g.Expected, g.Given, now).Error
}

// ScoreStart is what scoring an item reads first (StartScore): its
// submissions in order, the project's review rules, and how many scoring
// rounds the item has had (disputes are not rounds).
type ScoreStart struct {
	Subs     []ReviewedSubmission
	Settings labeling.ReviewSettings
	Rounds   int
}

type scoreStartRow struct {
	S      ReviewedSubmission `gorm:"embedded;embeddedPrefix:s_"`
	R      reviewSettingsRow  `gorm:"embedded;embeddedPrefix:r_"`
	Rounds int64
}

// scoreStartColumns are the columns of s and r that scoreStartRow reads.
var scoreStartColumns = sync.OnceValue(func() string {
	return prefixedColumns("s", &ReviewedSubmission{}) + ", " + prefixedColumns("r", &reviewSettingsRow{})
})

// StartScore reads ScoreStart in one statement.
func (s *Reviews) StartScore(tx Tx, projectID, itemID int64) (ScoreStart, error) {
	var rows []scoreStartRow
	err := tx.db.Raw(`SELECT `+scoreStartColumns()+`,
    (SELECT COUNT(*) FROM item_reviews WHERE item_id = ? AND kind = 'item') AS rounds
FROM (SELECT 1 AS one) AS one
LEFT JOIN submissions s ON s.item_id = ?
LEFT JOIN review_settings r ON r.project_id = ?
ORDER BY s.id`, itemID, itemID, projectID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return ScoreStart{}, err
	}
	st := ScoreStart{Settings: labeling.DefaultReviewSettings(projectID), Rounds: int(rows[0].Rounds)}
	if rows[0].R.ProjectID != 0 {
		if st.Settings, err = rows[0].R.settings(); err != nil {
			return ScoreStart{}, err
		}
	}
	for _, r := range rows {
		if r.S.ID != 0 {
			st.Subs = append(st.Subs, r.S)
		}
	}
	return st, nil
}

// NewRound is a scored round to store, with the route it takes.
type NewRound struct {
	ItemID       int64
	SubmissionID *int64 // the one submission a gold round scores; nil for an item's k answers
	Metric       string
	AgreementBP  *int
	GoldFailed   bool
	Route        labeling.ReviewRoute
	Reasons      []string
}

// InsertRound stores a scoring round, auto_accepted when its route is auto
// and queued for a reviewer otherwise, with its item.scored event (and
// item.queued_for_review when queued). Both go to review:<project> only:
// scores, routes and reasons (gold_failed, labeller_on_probation, sampled)
// are for reviewers and coordinators, and a gold round's event would tell
// labellers which item is gold.
func (s *Reviews) InsertRound(tx Tx, projectID int64, r NewRound, now time.Time) (Round, error) {
	state := labeling.ReviewQueued
	if r.Route == labeling.RouteAuto {
		state = labeling.ReviewAutoAccepted
	}
	rs, _ := json.Marshal(r.Reasons)
	row := Round{ProjectID: projectID, ItemID: r.ItemID, Kind: string(labeling.ReviewKindItem), SubmissionID: r.SubmissionID,
		Metric: r.Metric, AgreementBP: r.AgreementBP, GoldFailed: r.GoldFailed, Reasons: string(rs), Route: string(r.Route),
		State: string(state), CreatedAt: now, UpdatedAt: now}
	payload := map[string]any{"item_id": r.ItemID, "metric": r.Metric, "agreement_bp": r.AgreementBP,
		"route": r.Route, "reasons": r.Reasons} // and review_id, once the row has its id
	if r.SubmissionID != nil {
		payload["submission_id"] = *r.SubmissionID
	}
	evs := []event.Entry{{Type: "item.scored", Scope: event.ReviewScope(projectID), Payload: payload}}
	if r.Route != labeling.RouteAuto {
		evs = append(evs, event.Entry{Type: "item.queued_for_review", Scope: event.ReviewScope(projectID), Payload: payload})
	}
	err := insertRound(tx.db, &row, evs)
	return row, err
}

// PendingOf lists the submissions a review round still has to decide.
func (s *Reviews) PendingOf(tx Tx, rv Round) ([]ReviewedSubmission, error) {
	return pendingOf(tx.db, rv)
}

// pendingOf lists the submissions a review round still has to decide: its
// one submission (gold and dispute rounds), or the item's counted
// submissions that are still 'submitted'.
func pendingOf(tx *gorm.DB, rv Round) ([]ReviewedSubmission, error) {
	if rv.SubmissionID != nil {
		s, ok, err := loadSubmission(tx, *rv.SubmissionID, false)
		if err != nil || !ok {
			return nil, err
		}
		want := labeling.SubmissionSubmitted
		if rv.Kind == string(labeling.ReviewKindDispute) {
			want = labeling.SubmissionDisputed
		}
		if s.Status != string(want) {
			return nil, nil
		}
		return []ReviewedSubmission{s}, nil
	}
	subs, err := itemSubmissions(tx, rv.ItemID)
	if err != nil {
		return nil, err
	}
	var out []ReviewedSubmission
	for _, s := range subs {
		if s.Counted && s.Status == string(labeling.SubmissionSubmitted) {
			out = append(out, s)
		}
	}
	return out, nil
}
