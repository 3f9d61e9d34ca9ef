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
// submissions in order, the project's review rules, how many scoring
// rounds the item has had (disputes are not rounds), the gold standings of
// the labellers whose submissions are pending, and what the item's
// consensus reads (consensusReads), for ConsensusOf.
type ScoreStart struct {
	Subs      []ReviewedSubmission
	Settings  labeling.ReviewSettings
	Rounds    int
	Standings map[int64]labeling.GoldStanding // by member, of the counted submissions still submitted

	itemID     int64
	itemStatus string
	answers    []agreement.AnswerRecord
	corrected  json.RawMessage
}

type scoreStartRow struct {
	S          ReviewedSubmission `gorm:"embedded;embeddedPrefix:s_"`
	R          reviewSettingsRow  `gorm:"embedded;embeddedPrefix:r_"`
	Rounds     int64
	ItemStatus string
	Corrected  *string // the reviewer's answer of a corrected submission
	Gold       *string // a pending submitter's last gold results, newest first: 1 right, 0 wrong
	Prior      *string // the item's prior annotations, a JSON array of [annotator, answer]
}

// scoreStartSQL reads a ScoreStart: the item's submissions, each with its
// correction (corrected ones) or its member's last gold_window gold results
// (pending ones), the review rules, the rounds, the item's status and its
// prior annotations (priorAnswersJSON). Its arguments are, in order, the
// item, the project, the project, the default gold window, the item, the
// item, the item and the project.
func scoreStartSQL(tx *gorm.DB) string {
	if isPostgres(tx) {
		return scoreStartPG()
	}
	return scoreStartSQLite()
}

var (
	scoreStartPG     = sync.OnceValue(func() string { return buildScoreStartSQL(priorAnswersJSON(true)) })
	scoreStartSQLite = sync.OnceValue(func() string { return buildScoreStartSQL(priorAnswersJSON(false)) })
)

func buildScoreStartSQL(prior string) string {
	return `SELECT ` + prefixedColumns("s", &ReviewedSubmission{}) + ", " + prefixedColumns("r", &reviewSettingsRow{}) + `,
    (SELECT COUNT(*) FROM item_reviews WHERE item_id = ? AND kind = 'item') AS rounds,
    i.status AS item_status,
    CASE WHEN s.status = 'corrected' THEN (SELECT d.corrected_answer FROM review_decisions d
        WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) END AS corrected,
    CASE WHEN s.counted AND s.status = 'submitted' THEN (SELECT string_agg(CASE WHEN g.correct THEN '1' ELSE '0' END, '' ORDER BY g.submission_id DESC)
        FROM (SELECT gc.correct, gc.submission_id FROM gold_checks gc WHERE gc.project_id = ? AND gc.member_id = s.member_id
            ORDER BY gc.submission_id DESC
            LIMIT COALESCE((SELECT w.gold_window FROM review_settings w WHERE w.project_id = ?), ?)) AS g) END AS gold,
    ` + prior + ` AS prior
FROM (SELECT 1 AS one) AS one
LEFT JOIN items i ON i.id = ?
LEFT JOIN submissions s ON s.item_id = ?
LEFT JOIN review_settings r ON r.project_id = ?
ORDER BY s.id`
}

// StartScore reads ScoreStart in one statement.
func (s *Reviews) StartScore(tx Tx, projectID, itemID int64) (ScoreStart, error) {
	var rows []scoreStartRow
	err := scanRaw(tx.db, &rows, scoreStartSQL(tx.db), itemID, projectID, projectID, labeling.DefaultGoldWindow,
		itemID, itemID, itemID, projectID)
	if err != nil || len(rows) == 0 {
		return ScoreStart{}, err
	}
	st := ScoreStart{Settings: labeling.DefaultReviewSettings(projectID), Rounds: int(rows[0].Rounds),
		Standings: map[int64]labeling.GoldStanding{}, itemID: itemID, itemStatus: rows[0].ItemStatus}
	if rows[0].R.ProjectID != 0 {
		if st.Settings, err = rows[0].R.settings(); err != nil {
			return ScoreStart{}, err
		}
	}
	for _, r := range rows {
		if r.S.ID == 0 {
			continue
		}
		st.Subs = append(st.Subs, r.S)
		if r.S.Counted && r.S.Status == string(labeling.SubmissionSubmitted) {
			var recent []bool
			if r.Gold != nil {
				for _, c := range *r.Gold {
					recent = append(recent, c == '1')
				}
			}
			st.Standings[r.S.MemberID] = labeling.Standing(st.Settings, recent)
		}
		if r.S.Counted { // the consensus's answers, as consensusReads reads them
			a := r.S.Answer
			if r.S.Status == string(labeling.SubmissionCorrected) && r.Corrected != nil {
				a = *r.Corrected
				st.corrected = json.RawMessage(a)
			}
			st.answers = append(st.answers, agreement.AnswerRecord{Unit: memberKey(itemID), Annotator: memberKey(r.S.MemberID), Answer: json.RawMessage(a)})
		}
	}
	prior, err := decodePriorJSON(itemID, rows[0].Prior)
	if err != nil {
		return ScoreStart{}, err
	}
	st.answers = append(st.answers, prior...)
	return st, nil
}

// ConsensusOf is the consensus UpdateConsensus would store for the item
// StartScore read, as long as nothing it read has changed since (nil when
// the item has none: gold, or no answers).
func (s *Quality) ConsensusOf(now time.Time, p labeling.Project, set labeling.ReviewSettings, st ScoreStart) (*labeling.Consensus, error) {
	return majorityConsensus(now, p, set, st.itemID, st.itemStatus, st.answers, st.corrected)
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
	// Consensus, when set, is stored with the round (ConsensusOf): the
	// item's consensus when nothing after the round changes it.
	Consensus *labeling.Consensus
}

// InsertRound stores a scoring round, auto_accepted when its route is auto
// and queued for a reviewer otherwise, with its item.scored event (and
// item.queued_for_review when queued). Both go to review:<project> only:
// scores, routes and reasons (gold_failed, labeller_on_probation, sampled)
// are for reviewers and coordinators, and a gold round's event would tell
// labellers which item is gold. r.Consensus, if any, goes in with them.
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
	err := insertRound(tx.db, &row, evs, r.Consensus)
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
