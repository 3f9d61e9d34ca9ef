package govern

import (
	"context"
	"errors"
	"fmt"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Closed says how one proposal ended.
type Closed struct {
	ID     int64       `json:"id"`
	Status vote.Status `json:"status"`
	Tally  vote.Result `json:"tally"`
	Error  string      `json:"execution_error,omitempty"`
}

// errProjectClosed refuses to change a closed project's rate card.
var errProjectClosed = fault.New(fault.KindConflict, "project_closed", "the project is closed")

// Close closes a proposal whose period has ended at now, exactly once: in
// one transaction it claims the proposal (UPDATE … WHERE status = 'open'),
// tallies, publishes the ballots, executes the change if it passed, and
// records the tally on the register with the event. A concurrent closer,
// in this process or another on the same database, finds it claimed and
// does nothing (ok false).
func (s *Service) Close(ctx context.Context, id int64, now time.Time) (out Closed, ok bool, err error) {
	ctx = sqldb.WithClock(ctx, func() time.Time { return now })
	err = sqldb.InTx(ctx, s.db, func(tx *gorm.DB) error {
		ok = false
		won, err := s.votes.ClaimClose(tx, id, now)
		if err != nil || !won {
			return err
		}
		p, err := s.votes.Proposal(tx, id, false)
		if err != nil {
			return err
		}
		c, err := s.rules.ConstitutionVersion(tx, p.ConstitutionVersion)
		if err != nil {
			return err
		}
		_, eligible, err := s.turnout(tx, p)
		if err != nil {
			return err
		}
		ballots, err := s.votes.Ballots(tx, id)
		if err != nil {
			return err
		}
		choices := make([]vote.Choice, len(ballots))
		for i, b := range ballots {
			choices[i] = b.Choice
		}
		result := vote.Tally(eligible, choices, c, p.Special)
		if _, err := s.votes.PublishBallots(tx, id); err != nil {
			return err
		}
		t := vote.TallyRecord{ProposalID: id, Revision: p.Revision, Status: vote.StatusFailed, Result: result,
			QuorumBP: c.QuorumBP, MajorityBP: c.MajorityBP(p.Special), Special: p.Special, ConstitutionVersion: c.Version}
		if result.Passed {
			t.Status = vote.StatusPassed
			if err := s.executeOnce(tx, p, &t); err != nil {
				return err
			}
		}
		if t.Status != vote.StatusPassed {
			if err := refuseApplicant(tx, p); err != nil {
				return err
			}
		}
		t, err = s.votes.RecordTally(tx, t)
		if err != nil {
			return err
		}
		p.Status, p.ClosedAt, p.UpdatedAt = t.Status, &now, now
		if err := s.votes.UpdateProposal(tx, p); err != nil {
			return err
		}
		out, ok = Closed{ID: id, Status: t.Status, Tally: result, Error: t.ExecutionError}, true
		// The count and the outcome; never a ballot.
		return event.Append(tx, "proposal.closed", event.CoopScope, nil, map[string]any{"id": id, "status": t.Status, "tally": result})
	})
	return out, ok, err
}

// executeOnce runs the change inside a savepoint. A refusal by the domain
// (the project was closed meanwhile, nobody holds units…) rolls the
// savepoint back, so nothing is half-applied, and the proposal is recorded
// as passed but not executable, with the reason. Other errors fail the
// whole close, which the next tick retries.
func (s *Service) executeOnce(tx *gorm.DB, p vote.Proposal, t *vote.TallyRecord) error {
	if err := tx.SavePoint("execute").Error; err != nil {
		return err
	}
	what, ref, version, err := s.execute(tx, p)
	var fe *fault.Error
	switch {
	case err == nil:
		t.ExecutedWhat, t.ExecutedID, t.ExecutedVersion = what, ref, version
		return nil
	case errors.As(err, &fe):
		if rerr := tx.RollbackTo("execute").Error; rerr != nil {
			return rerr
		}
		t.Status, t.ExecutionError = vote.StatusNotExecutable, fe.Message
		s.log.Warn("proposal passed but cannot be executed", "proposal", p.ID, "kind", p.Kind, "reason", fe.Message)
		return nil
	default:
		return err
	}
}

// execute makes the new version of the rule, linked to the proposal. It
// returns what was made, its id and version.
func (s *Service) execute(tx *gorm.DB, p vote.Proposal) (what string, ref int64, version int, err error) {
	ch := p.Change
	why := p.Reason // the version links to the proposal; its reason is the proposal's
	what = string(p.Kind)
	switch p.Kind {
	case vote.KindRateCard:
		status, _, err := s.rules.ProjectStatus(tx, ch.ProjectID)
		if err != nil {
			return "", 0, 0, err
		}
		if status == "" {
			return "", 0, 0, equity.ErrUnknownProject.With("project %d no longer exists", ch.ProjectID)
		}
		if status == "closed" {
			return "", 0, 0, errProjectClosed.With("project %d was closed before the vote ended; its rate card cannot change", ch.ProjectID)
		}
		cur, err := equitystore.CurrentRateCard(tx, ch.ProjectID)
		if errors.Is(err, equity.ErrNoRateCard) {
			d, derr := s.rules.DefaultCard(tx)
			cur, err = d.Card.RateCard(), derr
			cur.ProjectID = ch.ProjectID
		}
		if err != nil {
			return "", 0, 0, err
		}
		rc := ch.ApplyRateCard(cur)
		rc.Reason, rc.ProposalID = why, p.ID
		rc, err = equitystore.SetRateCard(tx, 0, rc)
		return what, rc.ID, rc.Version, err
	case vote.KindDefaultRateCard:
		cur, err := s.rules.DefaultCard(tx)
		if err != nil {
			return "", 0, 0, err
		}
		d, err := ch.ApplyDefaultCard(cur)
		if err != nil {
			return "", 0, 0, err
		}
		r, err := s.rules.RecordRule(tx, vote.RuleDefaultRateCard, 0, d, p.ID, 0)
		return what, r.ID, r.Version, err
	case vote.KindGovernance:
		cur, err := equitystore.CurrentGovernance(tx)
		if err != nil {
			return "", 0, 0, err
		}
		g, err := ch.ApplyGovernance(cur)
		if err != nil {
			return "", 0, 0, err
		}
		g.Reason, g.ProposalID = why, p.ID
		g, err = equitystore.SetGovernance(tx, 0, g)
		return what, g.ID, g.Version, err
	case vote.KindEntryRule:
		cur, err := s.rules.EntryRule(tx)
		if err != nil {
			return "", 0, 0, err
		}
		r, err := s.rules.RecordRule(tx, vote.RuleEntryRule, 0, ch.ApplyEntryRule(cur), p.ID, 0)
		return what, r.ID, r.Version, err
	case vote.KindWorkLimits:
		cur, err := s.rules.WorkLimits(tx)
		if err != nil {
			return "", 0, 0, err
		}
		r, err := s.rules.RecordRule(tx, vote.RuleWorkLimits, 0, ch.ApplyWorkLimits(cur), p.ID, 0)
		return what, r.ID, r.Version, err
	case vote.KindDistribution:
		scale := int32(2)
		if ch.Scale != nil {
			scale = *ch.Scale
		}
		amount, err := equity.ParseAmount(ch.Amount, scale)
		if err != nil {
			return "", 0, 0, err
		}
		rd, err := vote.ParseTime(ch.RecordDate)
		if err != nil {
			return "", 0, 0, vote.ErrInvalidChange.With("record_date %q", ch.RecordDate)
		}
		t, err := equitystore.Distribute(tx, equity.Revenue{Key: fmt.Sprintf("proposal-%d", p.ID), ModelID: ch.ModelID,
			Amount: amount, Currency: ch.Currency, Scale: scale, Source: ch.Source, RecordDate: rd})
		return what, t.ID, 0, err
	case vote.KindReleaseLicense:
		ok, err := s.rules.ReleaseExists(tx, ch.ReleaseID)
		if err != nil {
			return "", 0, 0, err
		}
		if !ok {
			return "", 0, 0, vote.ErrInvalidChange.With("release %d no longer exists", ch.ReleaseID)
		}
		r, err := s.rules.RecordRule(tx, vote.RuleReleaseLicense, ch.ReleaseID,
			vote.ReleaseLicense{ReleaseID: ch.ReleaseID, License: ch.License, Terms: ch.Terms}, p.ID, 0)
		return what, r.ID, r.Version, err
	case vote.KindConstitution:
		cur, err := s.rules.Constitution(tx)
		if err != nil {
			return "", 0, 0, err
		}
		c, err := ch.ApplyConstitution(cur)
		if err != nil {
			return "", 0, 0, err
		}
		pid := p.ID
		c.ProposalID, c.Reason = &pid, why
		c, err = s.rules.RecordConstitution(tx, 0, c)
		return what, c.ID, c.Version, err
	case vote.KindAdmission:
		return s.admit(tx, p)
	case vote.KindMotion:
		return "", 0, 0, nil // recorded, executes nothing
	}
	return "", 0, 0, fmt.Errorf("proposal %d: unknown kind %q", p.ID, p.Kind)
}

// CloseDue closes every proposal whose period has ended at `at`, each in its
// own transaction, and announces those closing within a day. It is what the
// server's ticker runs (and `copyhold proposal close-due`).
func (s *Service) CloseDue(ctx context.Context, at time.Time) ([]Closed, error) {
	at = at.UTC().Truncate(time.Microsecond)
	ids, err := s.votes.Due(s.db.WithContext(ctx), at)
	if err != nil {
		return nil, err
	}
	var out []Closed
	var errs []error
	for _, id := range ids {
		c, ok, err := s.Close(ctx, id, at)
		if err != nil {
			errs = append(errs, fmt.Errorf("close proposal %d: %w", id, err))
			continue
		}
		if ok {
			out = append(out, c)
		}
	}
	if _, err := s.AnnounceClosingSoon(ctx, at); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// ClosingSoonWithin is how long before its end a vote is announced as closing soon.
const ClosingSoonWithin = 24 * time.Hour

// AnnounceClosingSoon sends proposal.closing_soon once for each open
// proposal ending within a day of at.
func (s *Service) AnnounceClosingSoon(ctx context.Context, at time.Time) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		n = 0
		ps, err := s.votes.ClosingSoon(tx, at.Add(ClosingSoonWithin))
		if err != nil {
			return err
		}
		for _, p := range ps {
			won, err := s.votes.MarkClosingSoon(tx, p.ID)
			if err != nil {
				return err
			}
			if !won {
				continue
			}
			n++
			if err := event.Append(tx, "proposal.closing_soon", event.CoopScope, nil, map[string]any{"id": p.ID, "closes_at": p.ClosesAt}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Run closes due proposals every `every` until ctx ends (the server's ticker).
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if closed, err := s.CloseDue(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("closing due proposals", "err", err)
		} else {
			for _, c := range closed {
				s.log.Info("proposal closed", "proposal", c.ID, "status", c.Status, "yes", c.Tally.Yes, "no", c.Tally.No, "abstain", c.Tally.Abstain)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
