// Package govern runs collective rule: opening, sponsoring, amending and withdrawing proposals, voting, and closing them exactly once (tally, register, execution, event).
package govern

import (
	"context"
	"log/slog"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// Service is collective rule's workflow. Each method runs in one
// transaction (retried by sqldb.InTx), reading time from its clock.
type Service struct {
	db    *gorm.DB
	votes *equitystore.Votes
	rules *equitystore.Rules
	clock sqldb.Clock
	log   *slog.Logger
}

// New returns the service on db (already migrated); clock nil reads the wall clock.
func New(db *gorm.DB, clock sqldb.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, votes: equitystore.NewVotes(db), rules: equitystore.NewRules(), clock: clock, log: log}
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

func (s *Service) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return sqldb.InTx(sqldb.WithClock(ctx, s.clock), s.db, fn)
}

// read runs fn in one transaction, for reads that must agree.
func (s *Service) read(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(sqldb.WithClock(ctx, s.clock)).Transaction(fn)
}

// member reads one member (found false when unknown).
func member(tx *gorm.DB, id int64) (labelstore.Voter, bool, error) {
	vs, err := labelstore.Voters(tx, []int64{id})
	v, ok := vs[id]
	return v, ok, err
}

// Propose opens a proposal: at once, or once it has the co-sponsors the
// constitution asks for. The same idempotency key with the same body
// returns the stored proposal (created false).
func (s *Service) Propose(ctx context.Context, actor int64, req vote.ProposalRequest) (view vote.ProposalView, created bool, err error) {
	if err := equity.ValidKey(req.Key); err != nil {
		return vote.ProposalView{}, false, err
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := sqldb.Now(tx)
		if err := req.Validate(now); err != nil {
			return err
		}
		if m, ok, err := member(tx, actor); err != nil {
			return err
		} else if !ok || !m.Active {
			return vote.ErrNotEligible.With("only active members may propose")
		}
		hash := req.Hash()
		if old, found, err := s.votes.ProposalByKey(tx, actor, req.Key); err != nil {
			return err
		} else if found {
			if old.BodyHash != hash {
				return vote.ErrIdempotency.With("idempotency key %q was already used for proposal %d with a different body", req.Key, old.ID)
			}
			view, err = s.view(tx, actor, old)
			return err
		}
		if err := s.checkChange(tx, &req.Change); err != nil {
			return err
		}
		c, err := s.rules.Constitution(tx)
		if err != nil {
			return err
		}
		period, err := c.Period(req.PeriodHours)
		if err != nil {
			return err
		}
		p := vote.Proposal{ProposerID: actor, Key: req.Key, BodyHash: hash, Revision: 1, Title: req.Title, Reason: req.Reason,
			Kind: req.Change.Kind, Special: req.Change.Kind.Special(), Change: req.Change, PeriodHours: period,
			Status: vote.StatusSeeking, SponsorsNeeded: c.Cosponsors, ConstitutionVersion: c.Version, Ballot: c.Ballot,
			CreatedAt: now, UpdatedAt: now}
		if c.Cosponsors == 0 {
			open(&p, c, now)
		}
		if err := s.votes.InsertProposal(tx, &p); err != nil {
			return err
		}
		if err := s.record(tx, &p); err != nil {
			return err
		}
		if p.Status == vote.StatusOpen {
			if err := opened(tx, p); err != nil {
				return err
			}
		}
		view, err = s.view(tx, actor, p)
		created = true
		return err
	})
	return view, created, err
}

// open starts the vote: the rules are fixed now, the period runs from now.
func open(p *vote.Proposal, c vote.Constitution, now time.Time) {
	closes := now.Add(time.Duration(p.PeriodHours) * time.Hour)
	p.Status, p.OpenedAt, p.ClosesAt, p.ClosingSoonSent = vote.StatusOpen, &now, &closes, false
	p.ConstitutionVersion, p.Ballot = c.Version, c.Ballot
}

// record appends the proposal as it stands to the register and saves it.
func (s *Service) record(tx *gorm.DB, p *vote.Proposal) error {
	if err := s.votes.RecordVersion(tx, *p); err != nil {
		return err
	}
	p.UpdatedAt = sqldb.Now(tx)
	return s.votes.UpdateProposal(tx, *p)
}

// opened tells the co-op a vote has begun (no identities).
func opened(tx *gorm.DB, p vote.Proposal) error {
	return event.Append(tx, "proposal.opened", event.CoopScope, nil, map[string]any{
		"id": p.ID, "title": p.Title, "kind": p.Kind, "closes_at": p.ClosesAt})
}

// checkChange checks a valid change against the co-op as it is: the
// project, model or release it names exists, and the rule it would make is
// valid.
func (s *Service) checkChange(tx *gorm.DB, c *vote.Change) error {
	switch c.Kind {
	case vote.KindAdmission:
		return vote.ErrInvalidChange.With("change.kind: an admission proposal is opened by accepting an invite when the entry rule admits by vote")
	case vote.KindRateCard:
		status, _, err := s.rules.ProjectStatus(tx, c.ProjectID)
		if err != nil {
			return err
		}
		if status == "" {
			return vote.ErrInvalidChange.With("change.project_id: project %d does not exist", c.ProjectID)
		}
		if status == "closed" {
			return vote.ErrInvalidChange.With("change.project_id: project %d is closed", c.ProjectID)
		}
	case vote.KindDefaultRateCard:
		cur, err := s.rules.DefaultCard(tx)
		if err != nil {
			return err
		}
		_, err = c.ApplyDefaultCard(cur)
		return err
	case vote.KindGovernance:
		cur, err := equitystore.CurrentGovernance(tx)
		if err != nil {
			return err
		}
		_, err = c.ApplyGovernance(cur)
		return err
	case vote.KindDistribution:
		ok, err := s.rules.ModelExists(tx, c.ModelID)
		if err != nil {
			return err
		}
		if !ok {
			return vote.ErrInvalidChange.With("change.model_id: model %d does not exist", c.ModelID)
		}
	case vote.KindReleaseLicense:
		ok, err := s.rules.ReleaseExists(tx, c.ReleaseID)
		if err != nil {
			return err
		}
		if !ok {
			return vote.ErrInvalidChange.With("change.release_id: release %d does not exist", c.ReleaseID)
		}
	case vote.KindConstitution:
		cur, err := s.rules.Constitution(tx)
		if err != nil {
			return err
		}
		_, err = c.ApplyConstitution(cur)
		return err
	}
	return nil
}

// Sponsor adds the member as a co-sponsor; the proposal opens when it has
// as many as it needs.
func (s *Service) Sponsor(ctx context.Context, actor, id int64) (view vote.ProposalView, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		p, err := s.votes.Proposal(tx, id, true)
		if err != nil {
			return err
		}
		if p.Status != vote.StatusSeeking {
			return vote.ErrNotSeeking.With("proposal %d is %s, not seeking co-sponsors", id, p.Status)
		}
		if p.ProposerID == actor {
			return vote.ErrOwnProposal
		}
		if m, ok, err := member(tx, actor); err != nil {
			return err
		} else if !ok || !m.Active {
			return vote.ErrNotEligible.With("only active members may co-sponsor")
		}
		added, err := s.votes.AddSponsor(tx, id, actor)
		if err != nil {
			return err
		}
		if !added {
			return vote.ErrAlreadySponsored
		}
		n, err := s.votes.Sponsors(tx, id)
		if err != nil {
			return err
		}
		if n >= p.SponsorsNeeded {
			c, err := s.rules.Constitution(tx)
			if err != nil {
				return err
			}
			open(&p, c, sqldb.Now(tx))
			if err := s.record(tx, &p); err != nil {
				return err
			}
			if err := opened(tx, p); err != nil {
				return err
			}
		}
		view, err = s.view(tx, actor, p)
		return err
	})
	return view, err
}

// editable loads a proposal its proposer may still amend or withdraw.
func (s *Service) editable(tx *gorm.DB, actor, id int64) (vote.Proposal, error) {
	p, err := s.votes.Proposal(tx, id, true)
	if err != nil {
		return p, err
	}
	if p.ProposerID != actor {
		return p, vote.ErrNotProposer.With("only the proposer may amend or withdraw proposal %d", id)
	}
	if p.Status.Final() || p.Status == vote.StatusClosing || p.Due(sqldb.Now(tx)) {
		return p, vote.ErrClosed.With("proposal %d is closed", id)
	}
	return p, nil
}

// Withdraw ends a proposal before its first vote.
func (s *Service) Withdraw(ctx context.Context, actor, id int64) (view vote.ProposalView, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		p, err := s.editable(tx, actor, id)
		if err != nil {
			return err
		}
		voters, err := s.votes.VoterIDs(tx, id)
		if err != nil {
			return err
		}
		if len(voters) > 0 {
			return vote.ErrHasVotes.With("proposal %d already has %d votes; it can no longer be withdrawn", id, len(voters))
		}
		now := sqldb.Now(tx)
		p.Status, p.ClosedAt = vote.StatusWithdrawn, &now
		if err := refuseApplicant(tx, p); err != nil {
			return err
		}
		if err := s.record(tx, &p); err != nil {
			return err
		}
		if err := event.Append(tx, "proposal.closed", event.CoopScope, nil, map[string]any{"id": p.ID, "status": p.Status, "tally": nil}); err != nil {
			return err
		}
		view, err = s.view(tx, actor, p)
		return err
	})
	return view, err
}

// Amend changes an open proposal: every ballot is discarded and the vote
// starts again, with a new period.
func (s *Service) Amend(ctx context.Context, actor, id int64, req vote.ProposalRequest) (view vote.ProposalView, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := sqldb.Now(tx)
		if err := req.Validate(now); err != nil {
			return err
		}
		p, err := s.editable(tx, actor, id)
		if err != nil {
			return err
		}
		if p.Kind == vote.KindAdmission {
			return vote.ErrInvalidChange.With("change.kind: an admission proposal cannot be amended; withdraw it to refuse the application")
		}
		if err := s.checkChange(tx, &req.Change); err != nil {
			return err
		}
		c, err := s.rules.Constitution(tx)
		if err != nil {
			return err
		}
		period, err := c.Period(req.PeriodHours)
		if err != nil {
			return err
		}
		if err := s.votes.DiscardBallots(tx, id); err != nil {
			return err
		}
		p.Revision++
		p.Title, p.Reason, p.Change, p.Kind, p.Special, p.PeriodHours = req.Title, req.Reason, req.Change, req.Change.Kind, req.Change.Kind.Special(), period
		if p.Status == vote.StatusOpen {
			open(&p, c, now)
		}
		if err := s.record(tx, &p); err != nil {
			return err
		}
		if p.Status == vote.StatusOpen {
			if err := opened(tx, p); err != nil {
				return err
			}
		}
		view, err = s.view(tx, actor, p)
		return err
	})
	return view, err
}

// Vote casts or changes the member's vote. A secret ballot is changed by
// sending back its receipt; without it a second vote is already_voted.
func (s *Service) Vote(ctx context.Context, actor, id int64, choice, receipt string) (out vote.Cast, err error) {
	ch, err := vote.ParseChoice(choice)
	if err != nil {
		return out, err
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		p, err := s.votes.Proposal(tx, id, true)
		if err != nil {
			return err
		}
		now := sqldb.Now(tx)
		switch {
		case p.Status == vote.StatusSeeking:
			return vote.ErrNotOpen.With("proposal %d is still seeking co-sponsors", id)
		case p.Status != vote.StatusOpen || p.Due(now):
			return vote.ErrClosed.With("proposal %d is closed", id)
		}
		m, ok, err := member(tx, actor)
		if err != nil {
			return err
		}
		if !ok || !m.Active || !m.AdmittedAt.Before(*p.OpenedAt) {
			return vote.ErrNotEligible.With("only active members admitted before proposal %d opened (%s) may vote on it",
				id, p.OpenedAt.Format(time.RFC3339))
		}
		voted, err := s.votes.HasVoted(tx, id, actor)
		if err != nil {
			return err
		}
		if p.Ballot == vote.BallotOpen {
			out = vote.Cast{Receipt: vote.NewReceipt(), Choice: ch, Changed: voted}
			if !voted {
				if err := s.votes.MarkVoted(tx, id, actor); err != nil {
					return err
				}
			}
			if err := s.votes.PutOpenBallot(tx, id, actor, vote.ReceiptHash(out.Receipt), ch); err != nil {
				return err
			}
		} else if receipt != "" {
			if !voted {
				return vote.ErrInvalidReceipt.With("you have not voted on proposal %d: vote without a receipt", id)
			}
			hash := vote.ReceiptHash(receipt)
			if !vote.ValidReceipt(receipt) || !s.hasBallot(tx, id, hash) {
				return vote.ErrInvalidReceipt
			}
			if err := s.votes.PutSecretBallot(tx, id, hash, ch); err != nil {
				return err
			}
			out = vote.Cast{Receipt: receipt, Choice: ch, Changed: true}
		} else {
			if voted {
				return vote.ErrAlreadyVoted
			}
			out = vote.Cast{Receipt: vote.NewReceipt(), Choice: ch}
			if err := s.votes.MarkVoted(tx, id, actor); err != nil {
				return err
			}
			if err := s.votes.PutSecretBallot(tx, id, vote.ReceiptHash(out.Receipt), ch); err != nil {
				return err
			}
		}
		if out.Changed {
			return nil
		}
		// The turnout, never a choice or a voter.
		n, eligible, err := s.turnout(tx, p)
		if err != nil {
			return err
		}
		return event.Append(tx, "proposal.voted", event.CoopScope, nil, map[string]any{"id": id, "voted": n, "eligible": eligible})
	})
	return out, err
}

func (s *Service) hasBallot(tx *gorm.DB, id int64, hash string) bool {
	bs, err := s.votes.Ballots(tx, id)
	if err != nil {
		return false
	}
	for _, b := range bs {
		if b.ReceiptHash == hash {
			return true
		}
	}
	return false
}

// turnout is how many have voted and how many may: the active members
// admitted before the proposal opened, and anyone who voted since left.
func (s *Service) turnout(tx *gorm.DB, p vote.Proposal) (voted, eligible int, err error) {
	voters, err := s.votes.VoterIDs(tx, p.ID)
	if err != nil {
		return 0, 0, err
	}
	at := sqldb.Now(tx)
	if p.OpenedAt != nil {
		at = *p.OpenedAt
	}
	electorate, err := labelstore.Electorate(tx, at)
	if err != nil {
		return 0, 0, err
	}
	all := map[int64]bool{}
	for _, id := range electorate {
		all[id] = true
	}
	for _, id := range voters {
		all[id] = true
	}
	return len(voters), len(all), nil
}
