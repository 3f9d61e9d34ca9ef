package store

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// ---- consensus ----

// Consensus is the stored consensus of one item.
type Consensus struct {
	ItemID       int64           `json:"item_id"`
	Method       string          `json:"method"` // majority, dawid_skene or corrected
	Label        string          `json:"label"`
	Decided      bool            `json:"decided"`
	ConfidenceBP int             `json:"confidence_bp"`
	Votes        int             `json:"votes"`
	Answer       json.RawMessage `json:"answer,omitempty"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// consensusAnswers are the answers that count for an item's consensus: its
// counted submissions, with a reviewer's correction in place of the
// original. corrected is true when any correction exists.
func consensusAnswers(tx *gorm.DB, itemID int64) (answers []agreement.AnswerRecord, corrected json.RawMessage, err error) {
	var rows []struct {
		ID        int64
		MemberID  int64
		Answer    string
		Status    string
		Corrected *string
	}
	err = tx.Raw(`SELECT s.id, s.member_id, s.answer, s.status,
    (SELECT d.corrected_answer FROM review_decisions d WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) AS corrected
FROM submissions s WHERE s.item_id = ? AND s.counted = ? ORDER BY s.id`, itemID, true).Scan(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		a := r.Answer
		if r.Status == string(labeling.SubmissionCorrected) && r.Corrected != nil {
			a = *r.Corrected
			corrected = json.RawMessage(a)
		}
		answers = append(answers, agreement.AnswerRecord{Unit: memberKey(itemID), Annotator: memberKey(r.MemberID), Answer: json.RawMessage(a)})
	}
	return answers, corrected, nil
}

func tiePolicy(set labeling.ReviewSettings, p projectRow) agreement.MajorityOptions {
	switch set.TiePolicy {
	case labeling.TiePolicySchemaOrder:
		return agreement.MajorityOptions{Tie: agreement.TieFirstInOrder, Order: agreement.SchemaLabelOrder(json.RawMessage(p.Schema))}
	case labeling.TiePolicySeeded:
		return agreement.MajorityOptions{Tie: agreement.TieRandomSeeded, Seed: uint64(p.RandomSeed)}
	}
	return agreement.MajorityOptions{Tie: agreement.TieNone}
}

// updateConsensus stores an item's majority-vote consensus (a correction by
// a reviewer wins outright). Gold items and rewrites have none. It runs when
// an item is scored and after each decision on it; a Dawid–Skene
// recomputation replaces the majority label until the item changes again.
func updateConsensus(tx *gorm.DB, now time.Time, p projectRow, set labeling.ReviewSettings, itemID int64) error {
	tt := tasktype.TaskType(p.TaskType)
	var status string
	if err := tx.Raw(`SELECT status FROM items WHERE id = ?`, itemID).Scan(&status).Error; err != nil {
		return err
	}
	if status == string(labeling.ItemGold) {
		return nil
	}
	answers, corrected, err := consensusAnswers(tx, itemID)
	if err != nil || len(answers) == 0 {
		return err
	}
	c := Consensus{ItemID: itemID, Votes: len(answers), UpdatedAt: now}
	if corrected != nil {
		key, err := tasktype.AnswerKey(tt, corrected)
		if err != nil {
			return err
		}
		c.Method, c.Label, c.Decided, c.ConfidenceBP, c.Answer = "corrected", agreement.ConsensusLabel(tt, key), true, 10_000, corrected
	} else {
		ratings := make([]agreement.Rating, len(answers))
		byLabel := map[string]json.RawMessage{}
		for i, a := range answers {
			key, err := tasktype.AnswerKey(tt, a.Answer)
			if err != nil {
				return err
			}
			l := agreement.ConsensusLabel(tt, key)
			ratings[i] = agreement.Rating{Unit: a.Unit, Annotator: a.Annotator, Value: l}
			if _, ok := byLabel[l]; !ok {
				byLabel[l] = a.Answer
			}
		}
		res, err := agreement.MajorityVote(ratings, tiePolicy(set, p))
		if err != nil {
			return err
		}
		if len(res) == 1 {
			c.Method, c.Label, c.Decided, c.ConfidenceBP = "majority", res[0].Label, res[0].Decided, agreement.ToBP(res[0].Share)
			if c.Decided {
				c.Answer = byLabel[c.Label]
			}
		}
	}
	return upsertConsensus(tx, p.ID, c)
}

func upsertConsensus(tx *gorm.DB, projectID int64, c Consensus) error {
	var answer *string
	if c.Answer != nil {
		s := string(c.Answer)
		answer = &s
	}
	return tx.Exec(`INSERT INTO item_consensus (item_id, project_id, method, label, decided, confidence_bp, votes, answer, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id) DO UPDATE SET method = excluded.method, label = excluded.label, decided = excluded.decided,
    confidence_bp = excluded.confidence_bp, votes = excluded.votes, answer = excluded.answer, updated_at = excluded.updated_at`,
		c.ItemID, projectID, c.Method, c.Label, c.Decided, c.ConfidenceBP, c.Votes, answer, c.UpdatedAt).Error
}

// ItemConsensus lists a project's stored consensus, by item (for exports).
func (s *Store) ItemConsensus(ctx context.Context, projectID int64) ([]Consensus, error) {
	var rows []struct {
		ItemID       int64
		Method       string
		Label        string
		Decided      bool
		ConfidenceBP int `gorm:"column:confidence_bp"`
		Votes        int
		Answer       *string
		UpdatedAt    time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT * FROM item_consensus WHERE project_id = ? ORDER BY item_id`, projectID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Consensus, len(rows))
	for i, r := range rows {
		out[i] = Consensus{ItemID: r.ItemID, Method: r.Method, Label: r.Label, Decided: r.Decided,
			ConfidenceBP: r.ConfidenceBP, Votes: r.Votes, Answer: rawOrNil(r.Answer), UpdatedAt: r.UpdatedAt}
	}
	return out, nil
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
}

// RecomputeConsensus recomputes the consensus of every scored item of a
// project: "majority" (with the project's tie policy) for any task type, or
// "dawid_skene" for single-choice types (classification, pairwise). Items a
// reviewer corrected keep the correction.
func (s *Store) RecomputeConsensus(ctx context.Context, actor *int64, projectID int64, method string) (ConsensusReport, error) {
	rep := ConsensusReport{Method: method}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		rep = ConsensusReport{Method: method}
		p, err := loadProject(tx, projectID, true)
		if err != nil {
			return err
		}
		set, err := loadReviewSettings(tx, projectID)
		if err != nil {
			return err
		}
		tt := tasktype.TaskType(p.TaskType)
		now := s.clock()
		var items []int64
		if err := tx.Raw(`SELECT DISTINCT i.id FROM items i JOIN item_reviews r ON r.item_id = i.id
WHERE i.project_id = ? AND i.status <> 'gold' ORDER BY i.id`, projectID).Scan(&items).Error; err != nil {
			return err
		}
		switch method {
		case "majority":
			for _, id := range items {
				if err := updateConsensus(tx, now, p, set, id); err != nil {
					return err
				}
			}
			rep.Items = len(items)
		case "dawid_skene":
			if tt != tasktype.TaskClassification && tt != tasktype.TaskPairwise {
				return fault.ErrInvalid.With("Dawid–Skene needs a single-choice task type (classification or pairwise), not %s", tt)
			}
			var ratings []agreement.Rating
			corrected := map[string]bool{}
			for _, id := range items {
				answers, corr, err := consensusAnswers(tx, id)
				if err != nil {
					return err
				}
				if corr != nil {
					corrected[memberKey(id)] = true
					continue
				}
				rs, err := agreement.Ratings(tt, answers)
				if err != nil {
					return err
				}
				ratings = append(ratings, rs...)
			}
			if len(ratings) == 0 {
				return agreement.ErrMetricUndefined.With("no scored items to estimate from")
			}
			var classes []string
			if order := agreement.SchemaLabelOrder(json.RawMessage(p.Schema)); len(order) > 0 {
				classes = order
			} else if tt == tasktype.TaskPairwise {
				classes = []string{"a", "b", "tie", "both_bad"}
			}
			res, err := agreement.DawidSkene(ratings, agreement.DawidSkeneOptions{Classes: classes})
			if err != nil {
				return err
			}
			votes := map[string]int{}
			for _, r := range ratings {
				votes[r.Unit]++
			}
			for _, it := range res.Items {
				id, _ := strconv.ParseInt(it.Unit, 10, 64)
				c := Consensus{ItemID: id, Method: "dawid_skene", Label: it.Label, Decided: true,
					ConfidenceBP: agreement.ToBP(it.Confidence), Votes: votes[it.Unit], UpdatedAt: now}
				if b, err := json.Marshal(map[string]string{"choice": it.Label}); err == nil && tt == tasktype.TaskClassification {
					c.Answer = b
				}
				if err := upsertConsensus(tx, projectID, c); err != nil {
					return err
				}
			}
			rep.Items, rep.Classes, rep.Iterations, rep.Converged = len(res.Items), res.Classes, res.Iterations, res.Converged
			rep.AnnotatorAccuracyBP = map[string]int{}
			for a, m := range res.Confusion {
				acc := 0.0
				for k := range m {
					acc += res.Priors[k] * m[k][k]
				}
				rep.AnnotatorAccuracyBP[a] = agreement.ToBP(acc)
			}
		default:
			return fault.ErrInvalid.With("method must be majority or dawid_skene, not %q", method)
		}
		return event.Append(tx, "consensus.recomputed", event.ProjectScope(projectID), actor,
			map[string]any{"method": method, "items": rep.Items})
	})
	return rep, err
}

// ---- quality stats ----

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
	Gold                 labeling.GoldAccuracy     `json:"gold"`
	Confusion            map[string]map[string]int `json:"confusion"` // gold expected → given → count
	RejectionReasons     map[string]int            `json:"rejection_reasons"`
}

// MyQuality is what a labeller sees about their own quality in a project.
type MyQuality struct {
	ProjectID int64                 `json:"project_id"`
	Stats     LabellerStats         `json:"stats"`
	Standing  labeling.GoldStanding `json:"gold_standing"`
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
	ProjectID int64                   `json:"project_id"`
	Queue     map[string]int          `json:"queue"`  // item_reviews by state
	Routes    map[string]int          `json:"routes"` // scoring rounds by route
	Labellers []LabellerStats         `json:"labellers"`
	Agreement []DayAgreement          `json:"agreement_by_day"`
	Reviewers []ReviewerLoad          `json:"reviewers"`
	Probation []int64                 `json:"on_probation"` // labellers whose work is all reviewed
	Settings  labeling.ReviewSettings `json:"settings"`
}

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
func labellerStats(tx *gorm.DB, p projectRow, only int64) ([]LabellerStats, error) {
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
	by := map[int64]*LabellerStats{}
	get := func(id int64) *LabellerStats {
		if by[id] == nil {
			by[id] = &LabellerStats{MemberID: id, Confusion: map[string]map[string]int{}, RejectionReasons: map[string]int{}}
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
	out := make([]LabellerStats, 0, len(ids))
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
func (s *Store) MyQuality(ctx context.Context, memberID, projectID int64) (MyQuality, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return MyQuality{}, err
	}
	set, err := loadReviewSettings(db, projectID)
	if err != nil {
		return MyQuality{}, err
	}
	stats, err := labellerStats(db, p, memberID)
	if err != nil {
		return MyQuality{}, err
	}
	st, err := memberStanding(db, set, projectID, memberID)
	if err != nil {
		return MyQuality{}, err
	}
	return MyQuality{ProjectID: projectID, Stats: stats[0], Standing: st}, nil
}

// ProjectQuality returns everyone's stats in a project, agreement over time
// (by UTC day), the review queue and reviewer workload.
func (s *Store) ProjectQuality(ctx context.Context, projectID int64) (ProjectQuality, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return ProjectQuality{}, err
	}
	set, err := loadReviewSettings(db, projectID)
	if err != nil {
		return ProjectQuality{}, err
	}
	q := ProjectQuality{ProjectID: projectID, Queue: map[string]int{}, Routes: map[string]int{}, Settings: set,
		Agreement: []DayAgreement{}, Reviewers: []ReviewerLoad{}, Probation: []int64{}}
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
		q.Agreement = append(q.Agreement, DayAgreement{Day: d, Items: byDay[d].n, AgreementBP: byDay[d].sum / byDay[d].n})
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
		q.Reviewers = []ReviewerLoad{}
	}
	return q, nil
}

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

// ProjectAgreement computes agreement over the counted submissions of the
// project's regular (non-gold) items that have at least two of them.
func (s *Store) ProjectAgreement(ctx context.Context, projectID int64) (ProjectAgreement, error) {
	db := s.db.WithContext(ctx)
	p, err := loadProject(db, projectID, false)
	if err != nil {
		return ProjectAgreement{}, err
	}
	tt := tasktype.TaskType(p.TaskType)
	out := ProjectAgreement{ProjectID: projectID, TaskType: tt, Primary: agreement.PrimaryMetric(tt),
		Metrics: []agreement.MetricValue{}, PerLabel: []agreement.LabelAgreement{}, Pairwise: []PairCell{}}
	var rows []struct {
		ItemID   int64
		MemberID int64
		Answer   string
	}
	if err := db.Raw(`SELECT s.item_id, s.member_id, s.answer FROM submissions s JOIN items i ON i.id = s.item_id
WHERE s.project_id = ? AND s.counted = ? AND i.status <> 'gold'
  AND (SELECT COUNT(*) FROM submissions o WHERE o.item_id = s.item_id AND o.counted = ?) >= 2
ORDER BY s.item_id, s.member_id`, projectID, true, true).Scan(&rows).Error; err != nil {
		return out, err
	}
	recs := make([]agreement.AnswerRecord, len(rows))
	items := map[int64]bool{}
	for i, r := range rows {
		recs[i] = agreement.AnswerRecord{Unit: memberKey(r.ItemID), Annotator: memberKey(r.MemberID), Answer: json.RawMessage(r.Answer)}
		items[r.ItemID] = true
	}
	out.Items, out.Annotations = len(items), len(rows)
	if tt == tasktype.TaskRewrite || len(recs) == 0 {
		return out, nil
	}
	ratings, err := agreement.Ratings(tt, recs)
	if err != nil {
		return out, err
	}
	if out.Metrics, err = agreement.ProjectMetrics(tt, ratings); err != nil {
		return out, err
	}
	if out.PerLabel, err = agreement.PerLabelAgreement(tt, recs); err != nil {
		return out, err
	}
	pairs, err := agreement.PairwiseAgreement(ratings, out.Primary, agreement.Options{})
	if err != nil {
		return out, err
	}
	for _, pa := range pairs {
		c := PairCell{A: pa.A, B: pa.B, Units: pa.Result.Units, Reason: pa.Reason}
		if pa.Err == nil {
			v := pa.Result.Value
			c.Value = &v
		}
		out.Pairwise = append(out.Pairwise, c)
	}
	return out, nil
}
