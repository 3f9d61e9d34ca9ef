package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"copyhold/equity"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// Reads serves the register reads the labelling side makes inside its own
// transactions (labelstore.Register): the head that snapshots and releases
// are anchored to, the rate cards a snapshot freezes, what vested for the
// work in it, who chose to be named, and a member's postings for their data
// export. Labelling never SELECTs the equity_* tables itself.
type Reads struct{}

var _ labelstore.Register = Reads{}

// Head is the register's current head.
func (Reads) Head(tx *gorm.DB) (labelstore.RegisterHead, error) {
	h, err := head(tx)
	return labelstore.RegisterHead{Seq: h.Seq, Hash: h.Hash}, err
}

// RateCards are the rate cards in force for the projects (the latest
// version of each), as JSON with decimal-string amounts.
func (Reads) RateCards(tx *gorm.DB, projects []int64) (json.RawMessage, error) {
	var rows []struct {
		ID                   int64
		ProjectID            int64
		Version              int
		AnnotationAccepted   int64
		Correction           int64
		ReviewDecision       int64
		CorrectionLabellerBP int `gorm:"column:correction_labeller_bp"`
		Difficulty           string
		CreatedAt            time.Time
	}
	if err := tx.Raw(`SELECT c.id, c.project_id, c.version, c.annotation_accepted, c.correction, c.review_decision,
    c.correction_labeller_bp, c.difficulty, c.created_at
FROM equity_rate_cards c
WHERE c.project_id IN ? AND c.version = (SELECT MAX(x.version) FROM equity_rate_cards x WHERE x.project_id = c.project_id)
ORDER BY c.project_id`, projects).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		f := func(v int64) string { return equity.Format(v, equity.UnitScale) }
		diff := json.RawMessage(r.Difficulty)
		if !json.Valid(diff) {
			diff = json.RawMessage("{}")
		}
		out = append(out, map[string]any{"id": r.ID, "project_id": r.ProjectID, "version": r.Version,
			"annotation_accepted": f(r.AnnotationAccepted), "correction": f(r.Correction), "review_decision": f(r.ReviewDecision),
			"correction_labeller_bp": r.CorrectionLabellerBP, "difficulty_bp": diff, "created_at": r.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return json.Marshal(out)
}

// vestedChunk bounds the submission ids in one query's IN list.
const vestedChunk = 1000

// Vested sums the positive legs of the submissions' vest, correct and
// reinstate transactions other than pending and issuance: the labeller's
// share and the reviewer credits. Labellers holds the legs on the accounts
// of the transaction's own member (the labeller).
func (Reads) Vested(tx *gorm.DB, submissionIDs []int64) (labelstore.VestedUnits, error) {
	out := labelstore.VestedUnits{Labellers: map[int64]int64{}}
	for len(submissionIDs) > 0 {
		ids := submissionIDs[:min(len(submissionIDs), vestedChunk)]
		submissionIDs = submissionIDs[len(ids):]
		var legs []struct {
			MemberID int64
			Account  string
			Amount   int64
		}
		if err := tx.Raw(`SELECT t.member_id, p.account, p.amount
FROM equity_transactions t
JOIN equity_postings p ON p.tx_id = t.id
WHERE t.submission_id IN ? AND t.kind IN ('vest', 'correct', 'reinstate')
  AND p.amount > 0 AND p.account <> 'issuance' AND p.account NOT LIKE '%:pending'`, ids).Scan(&legs).Error; err != nil {
			return out, err
		}
		for _, l := range legs {
			out.Total += l.Amount
			if strings.HasPrefix(l.Account, "member:"+strconv.FormatInt(l.MemberID, 10)+":") {
				out.Labellers[l.MemberID] += l.Amount
			}
		}
	}
	return out, nil
}

// Earned is the member's own net units for each of the submissions: what
// their holding (vested and receivable) and their pending book moved by,
// over every transaction of the submission (pending credit, vest, void,
// correction, clawback, reversal). Submissions with no postings on the
// member's accounts are absent.
func (Reads) Earned(tx *gorm.DB, memberID int64, submissionIDs []int64) (map[int64]labelstore.EarnedUnits, error) {
	out := map[int64]labelstore.EarnedUnits{}
	accounts := []string{equity.Pending(memberID), equity.Vested(memberID), equity.Receivable(memberID)}
	for len(submissionIDs) > 0 {
		ids := submissionIDs[:min(len(submissionIDs), vestedChunk)]
		submissionIDs = submissionIDs[len(ids):]
		var sums []struct {
			SubmissionID int64
			Account      string
			Amount       int64
		}
		if err := tx.Raw(`SELECT t.submission_id, p.account, SUM(p.amount) AS amount
FROM equity_transactions t
JOIN equity_postings p ON p.tx_id = t.id
WHERE t.submission_id IN ? AND p.account IN ?
GROUP BY t.submission_id, p.account`, ids, accounts).Scan(&sums).Error; err != nil {
			return nil, err
		}
		for _, r := range sums {
			e := out[r.SubmissionID]
			if r.Account == accounts[0] {
				e.Pending += r.Amount
			} else {
				e.Holding += r.Amount
			}
			out[r.SubmissionID] = e
		}
	}
	return out, nil
}

// Named reports the members who chose to be named on the register (a
// privacy setting with hidden = false); the others are pseudonymous.
func (Reads) Named(tx *gorm.DB, memberIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(memberIDs) == 0 {
		return out, nil
	}
	var ids []int64
	if err := tx.Raw("SELECT member_id FROM equity_member_privacy WHERE member_id IN ? AND hidden = ?", memberIDs, false).Scan(&ids).Error; err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

const memberPostings = `SELECT t.id AS tx_id, t.kind, t.idempotency_key, p.unit, p.account, p.amount, p.category,
    COALESCE(t.project_id, 0) AS project_id, COALESCE(t.item_id, 0) AS item_id, COALESCE(t.submission_id, 0) AS submission_id,
    t.reason, p.created_at, COALESCE(u.scale, 6) AS scale
FROM equity_postings p
JOIN equity_transactions t ON t.id = p.tx_id
LEFT JOIN equity_units u ON u.code = p.unit
WHERE p.account IN (?, ?, ?, ?) ORDER BY p.tx_id, p.seq`

// Postings streams every posting on the member's vested, pending,
// receivable and payout accounts from a cursor, in register order.
func (Reads) Postings(tx *gorm.DB, memberID int64, fn func(labelstore.MyDataPosting) error) error {
	rows, err := tx.Raw(memberPostings, equity.Vested(memberID), equity.Pending(memberID), equity.Receivable(memberID), equity.Payout(memberID)).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p labelstore.MyDataPosting
		var amount int64
		var scale int32
		if err := rows.Scan(&p.TxID, &p.Kind, &p.IdempotencyKey, &p.Unit, &p.Account, &amount, &p.Category,
			&p.ProjectID, &p.ItemID, &p.SubmissionID, &p.Reason, &p.CreatedAt, &scale); err != nil {
			return err
		}
		p.Amount, p.CreatedAt = equity.Format(amount, scale), p.CreatedAt.UTC()
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Units writes an amount of a model's units as a decimal string.
func (Reads) Units(amount int64) string { return equity.Format(amount, equity.UnitScale) }
