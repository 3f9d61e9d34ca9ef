package store

import (
	"context"
	"fmt"

	"copyhold/equity"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// Vesting is TigerBeetle's two-phase transfer: a submission creates a
// PENDING issuance (issuance → member pending); the review decision then
// posts it (pending → vested), corrects it (part to the labeller, the rest
// back to issuance, a correction credit to the reviewer) or voids it
// (pending → issuance). A pending credit is resolved at most once (unique
// resolves_id). A later overturn claws the vested units back.
//
// These functions take the caller's *gorm.DB transaction so that the credit
// commits atomically with the labelling or review change that causes it.
// On any error the caller must roll its transaction back: a refusal found
// when the balances are locked (last, so that their row locks are held only
// until the commit) comes after the transaction row was written. On PostgreSQL a
// caller should retry its whole transaction when sqldb.IsRetryable(err).

// PendingCredit asks for the pending credit of one submission.
type PendingCredit struct {
	SubmissionID int64  `json:"submission_id"` // required; key "submission:<id>:pending"
	ProjectID    int64  `json:"project_id"`    // required; its rate card prices the credit
	ItemID       int64  `json:"item_id"`
	MemberID     int64  `json:"member_id"`  // the labeller (required)
	Difficulty   string `json:"difficulty"` // optional rate-card multiplier
	ActorID      int64  `json:"actor_id"`   // defaults to MemberID
}

// PendingKey is the idempotency key of a submission's pending credit.
func PendingKey(submissionID int64) string { return fmt.Sprintf("submission:%d:pending", submissionID) }

// CreditPending issues the pending credit for a submission, priced by the
// project's current rate card. Same submission again: the stored credit.
func CreditPending(tx *gorm.DB, in PendingCredit) (equity.Transaction, error) {
	return creditPending(tx, in, nil)
}

// creditPending is CreditPending from what pre says creditReads would read
// (nil: read it now). A pre-read state has no prior transaction: it was read
// in the transaction that has just inserted the submission.
func creditPending(tx *gorm.DB, in PendingCredit, pre *creditState) (equity.Transaction, error) {
	if in.SubmissionID <= 0 || in.ProjectID <= 0 || in.MemberID <= 0 {
		return equity.Transaction{}, fmt.Errorf("equity: CreditPending needs submission, project and member ids")
	}
	if in.ActorID == 0 {
		in.ActorID = in.MemberID
	}
	// One read for the key, the project, the member and the rules (credit_reads.go).
	key, hash := PendingKey(in.SubmissionID), bodyHash(in)
	var st creditState
	if pre != nil {
		st = *pre
	} else {
		var err error
		if st, err = creditReads(tx, key, in.ProjectID, in.MemberID); err != nil {
			return equity.Transaction{}, err
		}
		if st.prior.t.ID != 0 {
			return replayOf(st.prior, key, hash)
		}
	}
	return write(tx, key, hash, func() (*draft, error) {
		if !st.projectKnown {
			return nil, equity.ErrUnknownProject.With("project %d not found", in.ProjectID)
		}
		modelID := st.modelID
		if !st.memberActive {
			return nil, equity.ErrNotMember.With("member %d is not an active member", in.MemberID)
		}
		if st.card.ID == 0 {
			return nil, equity.ErrNoRateCard.With("project %d has no rate card yet; a coordinator must set one", in.ProjectID)
		}
		rc, g := st.card, st.gov
		amount := rc.AnnotationCredit(in.Difficulty)
		if amount <= 0 {
			return nil, equity.ErrNotPositive.With("the rate card prices this submission at zero")
		}
		unit := equity.ModelUnit(modelID)
		if err := checkUnit(tx, unit, modelID, st.scale); err != nil {
			return nil, err
		}
		d := &draft{Transaction: equity.Transaction{ID: st.nextID, Kind: equity.KindPending, ModelID: modelID, RateCardID: rc.ID,
			GovernanceID: g.ID, ActorID: in.ActorID, MemberID: in.MemberID,
			Cause:    equity.Cause{ProjectID: in.ProjectID, ItemID: in.ItemID, SubmissionID: in.SubmissionID},
			Meta:     metaJSON(map[string]any{"difficulty": in.Difficulty, "rate_card_version": rc.Version}),
			Postings: issue(unit, equity.Pending(in.MemberID), amount, equity.CatAnnotation)}}
		if g.Capped() {
			d.check = func(tx *gorm.DB, after map[balKey]int64) error {
				return capCheck(tx, g, unit, in.MemberID, after, amount)
			}
		}
		d.events = []ledgerEvent{{"equity.credited", event.MemberScope(in.MemberID), map[string]any{
			"member_id": in.MemberID, "submission_id": in.SubmissionID, "amount": equity.Format(amount, equity.UnitScale), "state": "pending"}}}
		return d, nil
	})
}

// pendingCredit loads a submission's pending credit and the units it put in
// the labeller's pending account.
func pendingCredit(tx *gorm.DB, submissionID int64) (equity.Transaction, int64, error) {
	pend, found, _, err := loadTx(tx, "t.idempotency_key = ?", PendingKey(submissionID))
	if err != nil {
		return pend, 0, err
	}
	if !found {
		return pend, 0, equity.ErrNoPending.With("submission %d has no pending credit", submissionID)
	}
	return pend, pendingUnits(pend), nil
}

// pendingUnits are the units a pending credit put in its labeller's pending account.
func pendingUnits(pend equity.Transaction) int64 {
	var x int64
	for _, p := range pend.Postings {
		if p.Account == equity.Pending(pend.MemberID) {
			x += p.Amount
		}
	}
	return x
}

// Decision is a review decision on a submission's pending credit.
type Decision struct {
	SubmissionID int64  `json:"submission_id"` // required: whose pending credit
	ReviewID     int64  `json:"review_id"`     // key "review:<id>:vest|correct|void"; 0 uses the submission id
	ReviewerID   int64  `json:"reviewer_id"`   // credited the rate card's review_decision (and correction); 0: none
	ActorID      int64  `json:"actor_id"`
	Reason       string `json:"reason"`
}

func (d Decision) key(op string) string {
	if d.ReviewID > 0 {
		return fmt.Sprintf("review:%d:%s", d.ReviewID, op)
	}
	return fmt.Sprintf("submission:%d:%s", d.SubmissionID, op)
}

// Vest posts a pending credit to the labeller's vested account (acceptance).
// If the labeller owes units (a receivable from an earlier clawback), the
// credit settles that debt first. If the membership has ended, the units go
// where the exit rule sends them.
func Vest(tx *gorm.DB, d Decision) (equity.Transaction, error) {
	return resolve(tx, equity.KindVest, d)
}

// Correct splits a pending credit: the labeller keeps the rate card's
// correction_labeller_bp share, the rest returns to issuance, and the
// correcting reviewer is credited the card's correction (plus review_decision).
func Correct(tx *gorm.DB, d Decision) (equity.Transaction, error) {
	return resolve(tx, equity.KindCorrect, d)
}

// Void returns a pending credit to issuance (rejection). The reviewer is
// still credited the card's review_decision.
func Void(tx *gorm.DB, d Decision) (equity.Transaction, error) {
	return resolve(tx, equity.KindVoid, d)
}

func resolve(tx *gorm.DB, kind equity.TxKind, d Decision) (equity.Transaction, error) {
	if d.SubmissionID <= 0 {
		return equity.Transaction{}, fmt.Errorf("equity: %s needs a submission id", kind)
	}
	body := struct {
		Op string
		Decision
	}{string(kind), d}
	key, hash := d.key(string(kind)), bodyHash(body)
	// The decision's key, the pending credit and any earlier resolution of
	// it in one read.
	res, err := resolveReads(tx, key, PendingKey(d.SubmissionID), d.ReviewerID)
	if err != nil {
		return equity.Transaction{}, err
	}
	found := res.found
	if k, ok := found[key]; ok {
		return replayOf(k, key, hash)
	}
	return write(tx, key, hash, func() (*draft, error) {
		p, ok := found[PendingKey(d.SubmissionID)]
		if !ok {
			return nil, equity.ErrNoPending.With("submission %d has no pending credit", d.SubmissionID)
		}
		pend, x := p.t, pendingUnits(p.t)
		for _, k := range found {
			if k.t.ResolvesID == pend.ID {
				return nil, equity.ErrAlreadyResolved.With("submission %d's credit has already been resolved", d.SubmissionID)
			}
		}
		// One resolved concurrently is refused by resolves_id's unique
		// constraint when this one is written (lostRace names it).
		unit := equity.ModelUnit(pend.ModelID)
		labeller := pend.MemberID
		rc, g, who, reviewerActive := res.card, res.gov, res.labeller, res.reviewerActive
		if rc.ID == 0 {
			return nil, equity.ErrNoRateCard.With("project %d has no rate card yet; a coordinator must set one", pend.Cause.ProjectID)
		}
		who.fee.MemberID = labeller
		dr := &draft{Transaction: equity.Transaction{ID: res.nextID, Kind: kind, ModelID: pend.ModelID, ResolvesID: pend.ID, RateCardID: rc.ID,
			GovernanceID: g.ID, ActorID: d.ActorID, MemberID: labeller, Reason: d.Reason,
			Cause: equity.Cause{ProjectID: pend.Cause.ProjectID, ItemID: pend.Cause.ItemID, SubmissionID: d.SubmissionID, ReviewID: d.ReviewID},
			Meta:  metaJSON(map[string]any{"rate_card_version": rc.Version, "reviewer_id": d.ReviewerID})}}
		ps := []equity.Posting{{Unit: unit, Account: equity.Pending(labeller), Amount: -x, Category: equity.CatAnnotation}}
		keep := x
		switch kind {
		case equity.KindVoid:
			keep = 0
			ps[0].Category = equity.CatVoid
			ps = append(ps, equity.Posting{Unit: unit, Account: equity.AccountIssuance, Amount: x, Category: equity.CatVoid})
		case equity.KindCorrect:
			var back int64
			keep, back = rc.CorrectionSplit(x)
			if back > 0 {
				ps = append(ps, equity.Posting{Unit: unit, Account: equity.AccountIssuance, Amount: back, Category: equity.CatCorrection})
			}
		}
		if keep > 0 {
			legs, err := vestLegsFor(tx, g, unit, labeller, who, keep)
			if err != nil {
				return nil, err
			}
			ps = append(ps, legs...)
		}
		var reviewerCredit int64
		if d.ReviewerID > 0 {
			if kind == equity.KindCorrect && rc.Correction > 0 {
				ps = append(ps, issue(unit, equity.Vested(d.ReviewerID), rc.Correction, equity.CatCorrection)...)
				reviewerCredit += rc.Correction
			}
			if rc.ReviewDecision > 0 {
				ps = append(ps, issue(unit, equity.Vested(d.ReviewerID), rc.ReviewDecision, equity.CatReview)...)
				reviewerCredit += rc.ReviewDecision
			}
			if reviewerCredit > 0 && !reviewerActive {
				return nil, equity.ErrNotMember.With("reviewer %d is not an active member", d.ReviewerID)
			}
		}
		dr.Postings = ps
		if reviewerCredit > 0 && g.Capped() {
			dr.check = func(tx *gorm.DB, after map[balKey]int64) error {
				return capCheck(tx, g, unit, d.ReviewerID, after, reviewerCredit+(keep-x))
			}
		}
		evType := map[equity.TxKind]string{equity.KindVest: "equity.vested", equity.KindCorrect: "equity.corrected", equity.KindVoid: "equity.voided"}[kind]
		dr.events = []ledgerEvent{{evType, event.MemberScope(labeller), map[string]any{
			"member_id": labeller, "submission_id": d.SubmissionID, "review_id": d.ReviewID,
			"pending": equity.Format(x, equity.UnitScale), "vested": equity.Format(keep, equity.UnitScale)}}}
		if reviewerCredit > 0 {
			dr.events = append(dr.events, ledgerEvent{"equity.credited", event.MemberScope(d.ReviewerID), map[string]any{
				"member_id": d.ReviewerID, "submission_id": d.SubmissionID, "review_id": d.ReviewID,
				"amount": equity.Format(reviewerCredit, equity.UnitScale), "state": "vested"}})
		}
		return dr, nil
	})
}

// vestLegs are the legs that credit `amount` vested units to a member:
// first settling any receivable, then any entry fee still owed (to the
// reserve), and for a former member, to where the exit rule sends their
// holdings. The pending leg is the caller's.
func vestLegs(tx *gorm.DB, g equity.Governance, unit string, member, amount int64) ([]equity.Posting, error) {
	known, active, err := activeMember(tx, member)
	if err != nil {
		return nil, err
	}
	who := labellerState{known: known, active: active}
	if active {
		if who.receivable, err = balance(tx, unit, equity.Receivable(member)); err != nil {
			return nil, err
		}
		if who.fee, err = MemberEntryFee(tx, member); err != nil {
			return nil, err
		}
	}
	return vestLegsFor(tx, g, unit, member, who, amount)
}

// vestLegsFor is vestLegs with the member's state already read.
func vestLegsFor(tx *gorm.DB, g equity.Governance, unit string, member int64, who labellerState, amount int64) ([]equity.Posting, error) {
	if !who.active {
		dest, err := exitDestination(tx, g, member)
		if err != nil {
			return nil, err
		}
		return []equity.Posting{{Unit: unit, Account: dest, Amount: amount, Category: equity.CatExit}}, nil
	}
	var ps []equity.Posting
	if debt := who.receivable; debt < 0 {
		settle := min(amount, -debt)
		ps = append(ps, equity.Posting{Unit: unit, Account: equity.Receivable(member), Amount: settle, Category: equity.CatAnnotation})
		amount -= settle
	}
	if amount > 0 {
		ps = append(ps, equity.Posting{Unit: unit, Account: equity.Vested(member), Amount: amount, Category: equity.CatAnnotation})
		// Then the entry fee, if the member still owes one.
		ps = append(ps, feeLegs(unit, member, who.fee, amount)...)
	}
	return ps, nil
}

// Overturn is a later review that overturns an accepted submission.
type Overturn struct {
	SubmissionID int64  `json:"submission_id"` // required
	ReviewID     int64  `json:"review_id"`     // the overturning review: key "review:<id>:clawback"
	ActorID      int64  `json:"actor_id"`
	Reason       string `json:"reason"`
}

// Clawback reverses the units a submission's acceptance (vest or correct)
// gave the labeller: vested → issuance. If the labeller no longer holds them
// (transferred away), the shortfall is recorded as a receivable (a negative
// balance on member:<id>:receivable, settled by their next vesting) rather
// than a negative vested balance. At most once per acceptance (reverses_id).
func Clawback(tx *gorm.DB, o Overturn) (equity.Transaction, error) {
	if o.SubmissionID <= 0 {
		return equity.Transaction{}, fmt.Errorf("equity: Clawback needs a submission id")
	}
	key := fmt.Sprintf("submission:%d:clawback", o.SubmissionID)
	if o.ReviewID > 0 {
		key = fmt.Sprintf("review:%d:clawback", o.ReviewID)
	}
	return post(tx, key, o, func() (*draft, error) {
		pend, found, _, err := loadTx(tx, "t.idempotency_key = ?", PendingKey(o.SubmissionID))
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, equity.ErrNoPending.With("submission %d has no credit", o.SubmissionID)
		}
		res, found, _, err := loadTx(tx, "t.resolves_id = ? AND t.kind IN ('vest', 'correct')", pend.ID)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, equity.ErrNotVested.With("submission %d's credit was never vested", o.SubmissionID)
		}
		member := pend.MemberID
		unit := equity.ModelUnit(pend.ModelID)
		var x int64
		for _, p := range res.Postings {
			if p.Category == equity.CatAnnotation && (p.Account == equity.Vested(member) || p.Account == equity.Receivable(member)) {
				x += p.Amount
			}
		}
		if x <= 0 {
			return nil, equity.ErrNotVested.With("submission %d's acceptance credited the labeller nothing to claw back", o.SubmissionID)
		}
		// Lock the member's rows now (sorted, as post will) to read what they hold.
		keys := []balKey{{unit, equity.Receivable(member)}, {unit, equity.Vested(member)}}
		cur, err := lockBalances(tx, keys)
		if err != nil {
			return nil, err
		}
		take := min(x, cur[balKey{unit, equity.Vested(member)}])
		ps := []equity.Posting{}
		if take > 0 {
			ps = append(ps, equity.Posting{Unit: unit, Account: equity.Vested(member), Amount: -take, Category: equity.CatClawback})
		}
		if x-take > 0 {
			ps = append(ps, equity.Posting{Unit: unit, Account: equity.Receivable(member), Amount: -(x - take), Category: equity.CatClawback})
		}
		ps = append(ps, equity.Posting{Unit: unit, Account: equity.AccountIssuance, Amount: x, Category: equity.CatClawback})
		g, err := CurrentGovernance(tx)
		if err != nil {
			return nil, err
		}
		d := &draft{Transaction: equity.Transaction{Kind: equity.KindClawback, ModelID: pend.ModelID, ReversesID: res.ID,
			GovernanceID: g.ID, ActorID: o.ActorID, MemberID: member, Reason: o.Reason, Postings: ps,
			Cause: equity.Cause{ProjectID: pend.Cause.ProjectID, ItemID: pend.Cause.ItemID, SubmissionID: o.SubmissionID, ReviewID: o.ReviewID},
			Meta:  metaJSON(map[string]any{"receivable": equity.Format(x-take, equity.UnitScale)})}}
		d.events = []ledgerEvent{{"equity.clawed_back", event.MemberScope(member), map[string]any{
			"member_id": member, "submission_id": o.SubmissionID, "review_id": o.ReviewID,
			"amount": equity.Format(x, equity.UnitScale), "receivable": equity.Format(x-take, equity.UnitScale)}}}
		return d, nil
	})
}

// Reverse posts the exact opposite of transaction id, at most once (a
// second reversal, concurrent or not, is ErrAlreadyReversed). key defaults to
// "tx:<id>:reversal". It fails with ErrInsufficient when the units have moved
// on (use Clawback for vested credits).
func Reverse(tx *gorm.DB, id int64, key string, actorID int64, reason string) (equity.Transaction, error) {
	if key == "" {
		key = fmt.Sprintf("tx:%d:reversal", id)
	}
	body := map[string]any{"reverse": id, "actor": actorID, "reason": reason}
	return post(tx, key, body, func() (*draft, error) {
		orig, err := Transaction(tx, id)
		if err != nil {
			return nil, err
		}
		if orig.Kind == equity.KindPending {
			return nil, equity.ErrNotReversible.With("a pending credit is voided, not reversed")
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE reverses_id = ?", id).Scan(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, equity.ErrAlreadyReversed.With("transaction %d has already been reversed", id)
		}
		ps := make([]equity.Posting, 0, len(orig.Postings))
		scopes := map[string]bool{}
		for _, p := range orig.Postings {
			acc := p.Account
			if a, ok := equity.ParseAccount(acc); ok && a.Kind == "distribution" {
				acc = placeholderDistribution
			}
			if a, ok := equity.ParseAccount(acc); ok && a.Kind == "member" {
				scopes[event.MemberScope(a.MemberID)] = true
			}
			ps = append(ps, equity.Posting{Unit: p.Unit, Account: acc, Amount: -p.Amount, Category: equity.CatReversal})
		}
		d := &draft{Transaction: equity.Transaction{Kind: equity.KindReversal, ModelID: orig.ModelID, ReversesID: id,
			ActorID: actorID, MemberID: orig.MemberID, Reason: reason, Cause: orig.Cause, Postings: ps, Meta: "{}"}}
		for sc := range scopes {
			d.events = append(d.events, ledgerEvent{"equity.reversed", sc, map[string]any{"reverses_id": id}})
		}
		if len(scopes) == 0 {
			d.events = append(d.events, ledgerEvent{"equity.reversed", event.CoopScope, map[string]any{"reverses_id": id}})
		}
		return d, nil
	})
}

// issue is the two legs that issue amount new units to account.
func issue(unit, account string, amount int64, cat equity.Category) []equity.Posting {
	return []equity.Posting{
		{Unit: unit, Account: equity.AccountIssuance, Amount: -amount, Category: cat},
		{Unit: unit, Account: account, Amount: amount, Category: cat},
	}
}

// ---- own-transaction forms, for callers without a transaction of their own ----

// Reverse reverses a transaction in its own database transaction.
func (s *Store) Reverse(ctx context.Context, id int64, key string, actorID int64, reason string) (t equity.Transaction, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		t, err = Reverse(tx, id, key, actorID, reason)
		return err
	})
	return t, err
}

// Reinstate credits a labeller whose rejection was overturned on dispute:
// the rejection voided their pending credit, so the same amount is issued
// straight to their vested holding, and the reviewer who settled the
// dispute is credited the card's review_decision.
func Reinstate(tx *gorm.DB, d Decision) (equity.Transaction, error) {
	if d.SubmissionID <= 0 {
		return equity.Transaction{}, fmt.Errorf("equity: reinstate needs a submission id")
	}
	body := struct {
		Op string
		Decision
	}{string(equity.KindReinstate), d}
	return post(tx, d.key(string(equity.KindReinstate)), body, func() (*draft, error) {
		pend, x, err := pendingCredit(tx, d.SubmissionID)
		if err != nil {
			return nil, err
		}
		var voided int64
		if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE resolves_id = ? AND kind = ?", pend.ID, string(equity.KindVoid)).Scan(&voided).Error; err != nil {
			return nil, err
		}
		if voided == 0 {
			return nil, equity.ErrAlreadyResolved.With("submission %d's credit was not voided, so there is nothing to reinstate", d.SubmissionID)
		}
		unit := equity.ModelUnit(pend.ModelID)
		labeller := pend.MemberID
		rc, err := CurrentRateCard(tx, pend.Cause.ProjectID)
		if err != nil {
			return nil, err
		}
		g, err := CurrentGovernance(tx)
		if err != nil {
			return nil, err
		}
		legs, err := vestLegs(tx, g, unit, labeller, x)
		if err != nil {
			return nil, err
		}
		ps := append([]equity.Posting{{Unit: unit, Account: equity.AccountIssuance, Amount: -x, Category: equity.CatAnnotation}}, legs...)
		var reviewerCredit int64
		if d.ReviewerID > 0 && rc.ReviewDecision > 0 {
			ps = append(ps, issue(unit, equity.Vested(d.ReviewerID), rc.ReviewDecision, equity.CatReview)...)
			reviewerCredit = rc.ReviewDecision
		}
		dr := &draft{Transaction: equity.Transaction{Kind: equity.KindReinstate, ModelID: pend.ModelID, RateCardID: rc.ID,
			GovernanceID: g.ID, ActorID: d.ActorID, MemberID: labeller, Reason: d.Reason,
			Cause:    equity.Cause{ProjectID: pend.Cause.ProjectID, ItemID: pend.Cause.ItemID, SubmissionID: d.SubmissionID, ReviewID: d.ReviewID},
			Meta:     metaJSON(map[string]any{"rate_card_version": rc.Version, "reviewer_id": d.ReviewerID}),
			Postings: ps}}
		if g.Capped() {
			dr.check = func(tx *gorm.DB, after map[balKey]int64) error {
				if err := capCheck(tx, g, unit, labeller, after, x); err != nil {
					return err
				}
				if reviewerCredit > 0 {
					return capCheck(tx, g, unit, d.ReviewerID, after, reviewerCredit)
				}
				return nil
			}
		}
		dr.events = []ledgerEvent{{"equity.vested", event.MemberScope(labeller), map[string]any{
			"member_id": labeller, "submission_id": d.SubmissionID, "review_id": d.ReviewID,
			"vested": equity.Format(x, equity.UnitScale), "reinstated": true}}}
		return dr, nil
	})
}
