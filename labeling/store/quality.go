package store

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// ---- quality stats ----

type statSub struct {
	ID         int64
	ItemID     int64
	MemberID   int64
	Answer     string
	Status     string
	IsGold     bool
	LeadTimeMs int64
	CreatedAt  time.Time
}

// labellerStats computes stats for the project's labellers (one member when
// only > 0).
func labellerStats(tx *gorm.DB, p projectRow, only int64) ([]labeling.LabellerStats, error) {
	tt := tasktype.TaskType(p.TaskType)
	q := `SELECT id, item_id, member_id, answer, status, is_gold, lead_time_ms, created_at FROM submissions WHERE project_id = ?`
	args := []any{p.ID}
	if only > 0 {
		q += ` AND member_id = ?`
		args = append(args, only)
	}
	var subs []statSub
	if err := tx.Raw(q+` ORDER BY id`, args...).Scan(&subs).Error; err != nil {
		return nil, err
	}
	var cons []struct {
		ItemID int64
		Label  string
	}
	if err := tx.Raw(`SELECT item_id, label FROM item_consensus WHERE project_id = ? AND decided = ?`, p.ID, true).Scan(&cons).Error; err != nil {
		return nil, err
	}
	consensus := map[int64]string{}
	for _, c := range cons {
		consensus[c.ItemID] = c.Label
	}
	gq := `SELECT member_id, correct, expected, given FROM gold_checks WHERE project_id = ?`
	rq := `SELECT labeller_id, reason FROM review_decisions WHERE project_id = ? AND decision = 'reject'`
	if only > 0 {
		gq += ` AND member_id = ?`
		rq += ` AND labeller_id = ?`
	}
	var golds []struct {
		MemberID int64
		Correct  bool
		Expected string
		Given    string
	}
	if err := tx.Raw(gq, args...).Scan(&golds).Error; err != nil {
		return nil, err
	}
	var rejects []struct {
		LabellerID int64
		Reason     string
	}
	if err := tx.Raw(rq, args...).Scan(&rejects).Error; err != nil {
		return nil, err
	}
	by := map[int64]*labeling.LabellerStats{}
	get := func(id int64) *labeling.LabellerStats {
		if by[id] == nil {
			by[id] = &labeling.LabellerStats{MemberID: id, Confusion: map[string]map[string]int{}, RejectionReasons: map[string]int{}}
		}
		return by[id]
	}
	if only > 0 {
		get(only)
	}
	leads := map[int64][]int64{}
	days := map[int64]map[string]bool{}
	agreeN, agreeOK := map[int64]int{}, map[int64]int{}
	for _, s := range subs {
		st := get(s.MemberID)
		st.Submissions++
		leads[s.MemberID] = append(leads[s.MemberID], s.LeadTimeMs)
		if days[s.MemberID] == nil {
			days[s.MemberID] = map[string]bool{}
		}
		days[s.MemberID][s.CreatedAt.UTC().Format(time.DateOnly)] = true
		switch labeling.SubmissionStatus(s.Status) {
		case labeling.SubmissionSubmitted:
			st.Pending++
		case labeling.SubmissionAccepted:
			st.Accepted++
		case labeling.SubmissionCorrected:
			st.Corrected++
		case labeling.SubmissionRejected:
			st.Rejected++
		case labeling.SubmissionDisputed:
			st.Disputed++
		}
		if label, ok := consensus[s.ItemID]; ok && !s.IsGold {
			if key, err := tasktype.AnswerKey(tt, json.RawMessage(s.Answer)); err == nil {
				agreeN[s.MemberID]++
				if agreement.ConsensusLabel(tt, key) == label {
					agreeOK[s.MemberID]++
				}
			}
		}
	}
	for _, g := range golds {
		st := get(g.MemberID)
		st.Gold.Checked++
		if g.Correct {
			st.Gold.Correct++
		}
		if st.Confusion[g.Expected] == nil {
			st.Confusion[g.Expected] = map[string]int{}
		}
		st.Confusion[g.Expected][g.Given]++
	}
	for _, r := range rejects {
		get(r.LabellerID).RejectionReasons[r.Reason]++
	}
	ids := make([]int64, 0, len(by))
	for id := range by {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	var members []struct {
		ID          int64
		Login       string
		DisplayName string
	}
	if len(ids) > 0 {
		if err := tx.Raw(`SELECT id, login, display_name FROM members WHERE id IN ?`, ids).Scan(&members).Error; err != nil {
			return nil, err
		}
	}
	for _, m := range members {
		by[m.ID].Login, by[m.ID].DisplayName = m.Login, m.DisplayName
	}
	out := make([]labeling.LabellerStats, 0, len(ids))
	for _, id := range ids {
		st := by[id]
		st.MedianLeadTimeMs = agreement.MedianInt64(leads[id])
		st.ActiveDays = len(days[id])
		if st.ActiveDays > 0 {
			st.PerActiveDay = st.Submissions / st.ActiveDays
		}
		if d := st.Accepted + st.Corrected + st.Rejected; d > 0 {
			bp := st.Accepted * 10_000 / d
			st.AcceptanceBP = &bp
		}
		if n := agreeN[id]; n > 0 {
			bp := agreeOK[id] * 10_000 / n
			st.ConsensusAgreementBP = &bp
		}
		if st.Gold.Checked > 0 {
			bp := st.Gold.Correct * 10_000 / st.Gold.Checked
			st.Gold.AccuracyBP = &bp
		}
		out = append(out, *st)
	}
	return out, nil
}

// MyQuality returns a labeller's own stats in a project and whether their
// work is routed to review because of their gold accuracy, and why.
func (s *Quality) MyQuality(ctx context.Context, memberID, projectID int64) (labeling.MyQuality, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return labeling.MyQuality{}, err
	}
	set, err := loadReviewSettings(db, projectID)
	if err != nil {
		return labeling.MyQuality{}, err
	}
	stats, err := labellerStats(db, p, memberID)
	if err != nil {
		return labeling.MyQuality{}, err
	}
	st, err := memberStanding(db, set, projectID, memberID)
	if err != nil {
		return labeling.MyQuality{}, err
	}
	return labeling.MyQuality{ProjectID: projectID, Stats: stats[0], Standing: st}, nil
}

// ProjectQuality returns everyone's stats in a project, agreement over time
// (by UTC day), the review queue and reviewer workload.
func (s *Quality) ProjectQuality(ctx context.Context, projectID int64) (labeling.ProjectQuality, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return labeling.ProjectQuality{}, err
	}
	set, err := loadReviewSettings(db, projectID)
	if err != nil {
		return labeling.ProjectQuality{}, err
	}
	q := labeling.ProjectQuality{ProjectID: projectID, Queue: map[string]int{}, Routes: map[string]int{}, Settings: set,
		Agreement: []labeling.DayAgreement{}, Reviewers: []labeling.ReviewerLoad{}, Probation: []int64{}}
	if q.Labellers, err = labellerStats(db, p, 0); err != nil {
		return q, err
	}
	for _, l := range q.Labellers {
		st, err := memberStanding(db, set, projectID, l.MemberID)
		if err != nil {
			return q, err
		}
		if st.OnProbation {
			q.Probation = append(q.Probation, l.MemberID)
		}
	}
	var rounds []struct {
		Kind         string
		Route        string
		State        string
		AgreementBP  *int `gorm:"column:agreement_bp"`
		SubmissionID *int64
		CreatedAt    time.Time
	}
	if err := db.Raw(`SELECT kind, route, state, agreement_bp, submission_id, created_at FROM item_reviews WHERE project_id = ? ORDER BY id`, projectID).Scan(&rounds).Error; err != nil {
		return q, err
	}
	type acc struct{ n, sum int }
	byDay := map[string]*acc{}
	for _, r := range rounds {
		q.Queue[r.State]++
		if r.Kind != string(labeling.ReviewKindItem) {
			continue
		}
		q.Routes[r.Route]++
		if r.AgreementBP == nil || r.SubmissionID != nil { // gold rounds score one answer, not agreement
			continue
		}
		d := r.CreatedAt.UTC().Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = &acc{}
		}
		byDay[d].n++
		byDay[d].sum += *r.AgreementBP
	}
	daysSorted := make([]string, 0, len(byDay))
	for d := range byDay {
		daysSorted = append(daysSorted, d)
	}
	sort.Strings(daysSorted)
	for _, d := range daysSorted {
		q.Agreement = append(q.Agreement, labeling.DayAgreement{Day: d, Items: byDay[d].n, AgreementBP: byDay[d].sum / byDay[d].n})
	}
	if err := db.Raw(`SELECT m.id AS reviewer_id, m.login,
    (SELECT COUNT(DISTINCT d.review_id) FROM review_decisions d WHERE d.reviewer_id = m.id AND d.project_id = @p) AS reviews,
    (SELECT COUNT(*) FROM review_decisions d WHERE d.reviewer_id = m.id AND d.project_id = @p) AS decisions,
    (SELECT COUNT(*) FROM review_decisions d WHERE d.reviewer_id = m.id AND d.project_id = @p AND d.decision = 'reject') AS rejections,
    (SELECT COUNT(*) FROM item_reviews r WHERE r.reviewer_id = m.id AND r.project_id = @p AND r.state = 'leased') AS holding
FROM members m
WHERE EXISTS (SELECT 1 FROM review_decisions d WHERE d.reviewer_id = m.id AND d.project_id = @p)
   OR EXISTS (SELECT 1 FROM item_reviews r WHERE r.reviewer_id = m.id AND r.project_id = @p AND r.state = 'leased')
ORDER BY m.id`, map[string]any{"p": projectID}).Scan(&q.Reviewers).Error; err != nil {
		return q, err
	}
	if q.Reviewers == nil {
		q.Reviewers = []labeling.ReviewerLoad{}
	}
	q.Anchoring, err = anchoring(db, p)
	return q, err
}
