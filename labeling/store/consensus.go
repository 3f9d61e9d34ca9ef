package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// ---- consensus ----

// consensusAnswers are the answers that count for an item's consensus: its
// counted submissions, with a reviewer's correction in place of the
// original, and its prior annotations (prior.go). corrected is true when any correction exists.
func consensusAnswers(tx *gorm.DB, itemID int64) (answers []agreement.AnswerRecord, corrected json.RawMessage, err error) {
	_, answers, corrected, err = consensusReads(tx, itemID, false)
	return answers, corrected, err
}

// consensusReads is consensusAnswers with the item's status, read with its
// submissions in one statement; a gold item (status gold) has none, and
// with skipGold its prior annotations are not read either.
func consensusReads(tx *gorm.DB, itemID int64, skipGold bool) (status string, answers []agreement.AnswerRecord, corrected json.RawMessage, err error) {
	var rows []struct {
		ItemStatus string
		ID         *int64
		MemberID   int64
		Answer     string
		Status     string
		Corrected  *string
	}
	err = tx.Raw(`SELECT i.status AS item_status, s.id, s.member_id, s.answer, s.status,
    (SELECT d.corrected_answer FROM review_decisions d WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) AS corrected
FROM items i LEFT JOIN submissions s ON s.item_id = i.id AND s.counted = ?
WHERE i.id = ? ORDER BY s.id`, true, itemID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return "", nil, nil, err
	}
	status = rows[0].ItemStatus
	if skipGold && status == string(labeling.ItemGold) {
		return status, nil, nil, nil
	}
	for _, r := range rows {
		if r.ID == nil {
			continue // the item has no counted submission
		}
		a := r.Answer
		if r.Status == string(labeling.SubmissionCorrected) && r.Corrected != nil {
			a = *r.Corrected
			corrected = json.RawMessage(a)
		}
		answers = append(answers, agreement.AnswerRecord{Unit: memberKey(itemID), Annotator: memberKey(r.MemberID), Answer: json.RawMessage(a)})
	}
	prior, err := priorAnswers(tx, []int64{itemID})
	if err != nil {
		return "", nil, nil, err
	}
	return status, append(answers, prior[itemID]...), corrected, nil
}

func tiePolicy(set labeling.ReviewSettings, p labeling.Project) agreement.MajorityOptions {
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
func updateConsensus(tx *gorm.DB, now time.Time, p labeling.Project, set labeling.ReviewSettings, itemID int64) error {
	status, answers, corrected, err := consensusReads(tx, itemID, true)
	if err != nil {
		return err
	}
	c, err := majorityConsensus(now, p, set, itemID, status, answers, corrected)
	if err != nil || c == nil {
		return err
	}
	return upsertConsensus(tx, p.ID, *c)
}

// majorityConsensus is the consensus updateConsensus stores, from what
// consensusReads read; nil for a gold item or one without answers.
func majorityConsensus(now time.Time, p labeling.Project, set labeling.ReviewSettings, itemID int64,
	status string, answers []agreement.AnswerRecord, corrected json.RawMessage) (*labeling.Consensus, error) {
	if status == string(labeling.ItemGold) || len(answers) == 0 {
		return nil, nil
	}
	tt := tasktype.TaskType(p.TaskType)
	c := labeling.Consensus{ItemID: itemID, Votes: len(answers), UpdatedAt: now}
	if corrected != nil {
		key, err := tasktype.AnswerKey(tt, corrected)
		if err != nil {
			return nil, err
		}
		c.Method, c.Label, c.Decided, c.ConfidenceBP, c.Answer = "corrected", agreement.ConsensusLabel(tt, key), true, 10_000, corrected
	} else if agreement.IsPerTurn(tt, answers[0].Answer) {
		// Per-turn answers agree turn by turn (agreement/turns.go).
		res, err := agreement.MajorityPerTurn(answers, tiePolicy(set, p))
		if err != nil {
			return nil, err
		}
		c.Method, c.Decided, c.ConfidenceBP = "majority", res.Decided, agreement.ToBP(res.Share)
		if res.Decided {
			key, err := tasktype.AnswerKey(tt, res.Answer)
			if err != nil {
				return nil, err
			}
			c.Label, c.Answer = agreement.ConsensusLabel(tt, key), res.Answer
		}
	} else {
		ratings := make([]agreement.Rating, len(answers))
		byLabel := map[string]json.RawMessage{}
		for i, a := range answers {
			key, err := tasktype.AnswerKey(tt, a.Answer)
			if err != nil {
				return nil, err
			}
			l := agreement.ConsensusLabel(tt, key)
			ratings[i] = agreement.Rating{Unit: a.Unit, Annotator: a.Annotator, Value: l}
			if _, ok := byLabel[l]; !ok {
				byLabel[l] = a.Answer
			}
		}
		res, err := agreement.MajorityVote(ratings, tiePolicy(set, p))
		if err != nil {
			return nil, err
		}
		if len(res) == 1 {
			c.Method, c.Label, c.Decided, c.ConfidenceBP = "majority", res[0].Label, res[0].Decided, agreement.ToBP(res[0].Share)
			if c.Decided {
				c.Answer = byLabel[c.Label]
			}
		}
	}
	return &c, nil
}

// UpdateConsensus recomputes and stores an item's majority-vote consensus
// (see updateConsensus): the consensus step of work.Service.
func (s *Quality) UpdateConsensus(tx Tx, now time.Time, p labeling.Project, set labeling.ReviewSettings, itemID int64) error {
	return updateConsensus(tx.db, now, p, set, itemID)
}

func upsertConsensus(tx *gorm.DB, projectID int64, c labeling.Consensus) error {
	return tx.Exec(consensusUpsert, consensusArgs(projectID, c)...).Error
}

// consensusUpsert stores an item's consensus, its arguments consensusArgs.
const consensusUpsert = `INSERT INTO item_consensus (item_id, project_id, method, label, decided, confidence_bp, votes, answer, posterior, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id) DO UPDATE SET method = excluded.method, label = excluded.label, decided = excluded.decided,
    confidence_bp = excluded.confidence_bp, votes = excluded.votes, answer = excluded.answer,
    posterior = excluded.posterior, updated_at = excluded.updated_at`

func consensusArgs(projectID int64, c labeling.Consensus) []any {
	var answer *string
	if c.Answer != nil {
		s := string(c.Answer)
		answer = &s
	}
	var posterior *string
	if c.PosteriorBP != nil {
		b, _ := json.Marshal(c.PosteriorBP)
		p := string(b)
		posterior = &p
	}
	return []any{c.ItemID, projectID, c.Method, c.Label, c.Decided, c.ConfidenceBP, c.Votes, answer, posterior, c.UpdatedAt}
}

// ItemConsensus lists a page of a project's stored consensus, by item.
func (s *Quality) ItemConsensus(ctx context.Context, projectID int64, p page.Page) ([]labeling.Consensus, error) {
	var rows []struct {
		ItemID       int64
		Method       string
		Label        string
		Decided      bool
		ConfidenceBP int `gorm:"column:confidence_bp"`
		Votes        int
		Answer       *string
		Posterior    *string
		UpdatedAt    time.Time
	}
	cond, tail, args := keysetByID("item_id", false, p)
	q := `SELECT * FROM item_consensus WHERE project_id = ?`
	if cond != "" {
		q += " AND " + cond
	}
	if err := s.db.WithContext(ctx).Raw(q+tail, append([]any{projectID}, args...)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Consensus, len(rows))
	for i, r := range rows {
		out[i] = labeling.Consensus{ItemID: r.ItemID, Method: r.Method, Label: r.Label, Decided: r.Decided,
			ConfidenceBP: r.ConfidenceBP, Votes: r.Votes, Answer: rawOrNil(r.Answer), UpdatedAt: r.UpdatedAt}
		if r.Posterior != nil {
			_ = json.Unmarshal([]byte(*r.Posterior), &out[i].PosteriorBP)
		}
	}
	return out, nil
}

// RecomputeConsensus recomputes the consensus of every scored item of a
// project: "majority" (with the project's tie policy) for any task type, or
// "dawid_skene" for single-choice types (classification, pairwise). Items a
// reviewer corrected keep the correction.
func (s *Quality) RecomputeConsensus(ctx context.Context, actor *int64, projectID int64, method string) (labeling.ConsensusReport, error) {
	return s.RecomputeConsensusWith(ctx, actor, projectID, labeling.ConsensusOptions{Method: method})
}

// RecomputeConsensusWith is RecomputeConsensus with Dawid–Skene's smoothing
// (nil: agreement.DefaultDawidSkeneSmoothing). A Dawid–Skene run stores and
// reports every item's posterior per class and the class priors, in basis
// points.
func (s *Quality) RecomputeConsensusWith(ctx context.Context, actor *int64, projectID int64, opts labeling.ConsensusOptions) (labeling.ConsensusReport, error) {
	method := opts.Method
	rep := labeling.ConsensusReport{Method: method}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		rep = labeling.ConsensusReport{Method: method}
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
		// Scored items, and items that have prior annotations.
		if err := tx.Raw(`SELECT i.id FROM items i WHERE i.project_id = ? AND i.status <> 'gold'
  AND (EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.id) OR EXISTS (SELECT 1 FROM prior_annotations pa WHERE pa.item_id = i.id))
ORDER BY i.id`, projectID).Scan(&items).Error; err != nil {
			return err
		}
		switch method {
		case "majority":
			for _, id := range items {
				if err := updateConsensus(tx, now, p.project(), set, id); err != nil {
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
			res, err := agreement.DawidSkene(ratings, agreement.DawidSkeneOptions{Classes: classes, Smoothing: opts.Smoothing})
			if err != nil {
				return err
			}
			votes := map[string]int{}
			for _, r := range ratings {
				votes[r.Unit]++
			}
			for _, it := range res.Items {
				id, _ := strconv.ParseInt(it.Unit, 10, 64)
				c := labeling.Consensus{ItemID: id, Method: "dawid_skene", Label: it.Label, Decided: true,
					ConfidenceBP: agreement.ToBP(it.Confidence), Votes: votes[it.Unit], UpdatedAt: now,
					PosteriorBP: map[string]int{}}
				for k, p := range it.Posterior {
					c.PosteriorBP[res.Classes[k]] = agreement.ToBP(p)
				}
				rep.Posteriors = append(rep.Posteriors, labeling.ItemPosterior{ItemID: id, Label: it.Label, PosteriorBP: c.PosteriorBP})
				if b, err := json.Marshal(map[string]string{"choice": it.Label}); err == nil && tt == tasktype.TaskClassification {
					c.Answer = b
				}
				if err := upsertConsensus(tx, projectID, c); err != nil {
					return err
				}
			}
			rep.Items, rep.Classes, rep.Iterations, rep.Converged = len(res.Items), res.Classes, res.Iterations, res.Converged
			rep.PriorsBP = map[string]int{}
			for k, p := range res.Priors {
				rep.PriorsBP[res.Classes[k]] = agreement.ToBP(p)
			}
			rep.Smoothing = agreement.DefaultDawidSkeneSmoothing
			if opts.Smoothing != nil {
				rep.Smoothing = *opts.Smoothing
			}
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
