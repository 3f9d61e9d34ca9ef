package store

import (
	labelstore "copyhold/labeling/store"

	"encoding/json"
	"maps"
	"time"

	"copyhold/equity"
	"copyhold/equity/vote"

	"gorm.io/gorm"
)

// PreviewHistory reads what the what-if preview recomputes, from the
// register since t: review outcomes with what priced them, transfers and
// distributions, and the rules in force. The caller adds the members.
func (rl *Rules) PreviewHistory(tx *gorm.DB, since time.Time) (vote.PreviewInput, error) {
	in := vote.PreviewInput{Cards: map[int64]vote.Card{}, OnDefault: map[int64]bool{}, ProjectStints: map[int64]int{}}
	var err error
	if in.Default, err = rl.DefaultCard(tx); err != nil {
		return in, err
	}
	if in.Governance, err = CurrentGovernance(tx); err != nil {
		return in, err
	}
	if in.EntryRule, err = rl.EntryRule(tx); err != nil {
		return in, err
	}
	if in.WorkLimits, err = rl.WorkLimits(tx); err != nil {
		return in, err
	}
	cards, err := rateCards(tx, "version = (SELECT MAX(version) FROM equity_rate_cards r2 WHERE r2.project_id = equity_rate_cards.project_id)")
	if err != nil {
		return in, err
	}
	for _, rc := range cards {
		c := vote.CardOf(rc)
		in.Cards[rc.ProjectID] = c
		in.OnDefault[rc.ProjectID] = sameCard(c, in.Default.Card)
	}
	stints, err := labelstore.ProjectStints(tx)
	if err != nil {
		return in, err
	}
	for id, n := range stints {
		in.ProjectStints[id] = n
	}

	var work []struct {
		Kind         string
		ProjectID    int64
		MemberID     int64
		Meta         string
		PendingMeta  string
		SubmittedAt  time.Time
		ReversedKind *string
		CreatedAt    time.Time
	}
	if err := tx.Raw(`SELECT t.kind, t.project_id, t.member_id, t.meta, p.meta AS pending_meta, p.created_at AS submitted_at,
            r.kind AS reversed_kind, t.created_at
        FROM equity_transactions t
        JOIN equity_transactions p ON p.submission_id = t.submission_id AND p.kind = 'pending'
        LEFT JOIN equity_transactions r ON r.id = t.reverses_id
        WHERE t.kind IN ('vest', 'correct', 'void', 'reinstate', 'clawback') AND t.created_at >= ?
        ORDER BY t.id`, since).Scan(&work).Error; err != nil {
		return in, err
	}
	for _, w := range work {
		var meta struct {
			ReviewerID int64 `json:"reviewer_id"`
		}
		var pmeta struct {
			Difficulty string `json:"difficulty"`
		}
		json.Unmarshal([]byte(w.Meta), &meta)
		json.Unmarshal([]byte(w.PendingMeta), &pmeta)
		x := vote.Work{Kind: equity.TxKind(w.Kind), ProjectID: w.ProjectID, Labeller: w.MemberID, Reviewer: meta.ReviewerID,
			Difficulty: pmeta.Difficulty, SubmittedAt: w.SubmittedAt.UTC(), At: w.CreatedAt.UTC()}
		if w.ReversedKind != nil {
			x.Reversed = equity.TxKind(*w.ReversedKind)
		}
		in.Work = append(in.Work, x)
	}

	var transfers []struct {
		Meta      string
		Amount    int64
		CreatedAt time.Time
	}
	if err := tx.Raw(`SELECT t.meta, p.amount, t.created_at FROM equity_transactions t
        JOIN equity_postings p ON p.tx_id = t.id AND p.category = 'transfer' AND p.amount > 0
        WHERE t.kind = 'transfer' AND t.created_at >= ? ORDER BY t.id`, since).Scan(&transfers).Error; err != nil {
		return in, err
	}
	for _, t := range transfers {
		var m struct{ From, To int64 }
		json.Unmarshal([]byte(t.Meta), &m)
		in.Transfers = append(in.Transfers, vote.Transfer{From: m.From, To: m.To, Amount: t.Amount, At: t.CreatedAt.UTC()})
	}

	var ds []struct {
		Inputs    string
		CreatedAt time.Time
	}
	if err := tx.Raw("SELECT inputs, created_at FROM equity_distributions WHERE created_at >= ? ORDER BY tx_id", since).Scan(&ds).Error; err != nil {
		return in, err
	}
	for _, d := range ds {
		var x equity.DistributionInputs
		if err := json.Unmarshal([]byte(d.Inputs), &x); err != nil {
			return in, err
		}
		p := vote.Payout{Currency: x.Currency, Scale: x.Scale, Amount: x.Amount, At: d.CreatedAt.UTC()}
		for _, h := range x.Holders {
			p.Holders = append(p.Holders, equity.Holder{MemberID: h.MemberID, Units: h.Units})
		}
		in.Payouts = append(in.Payouts, p)
	}
	return in, nil
}

func sameCard(a, b vote.Card) bool {
	return a.AnnotationAccepted == b.AnnotationAccepted && a.Correction == b.Correction && a.ReviewDecision == b.ReviewDecision &&
		a.CorrectionLabellerBP == b.CorrectionLabellerBP && maps.Equal(a.Difficulty, b.Difficulty)
}

// HoldersAt is every member's vested units of a model at a moment.
func (rl *Rules) HoldersAt(tx *gorm.DB, modelID int64, at time.Time) ([]equity.Holder, error) {
	return HoldersAt(tx, modelID, at)
}
