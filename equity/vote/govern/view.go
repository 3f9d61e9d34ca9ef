package govern

import (
	"context"
	"errors"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/labeling/page"
	"copyhold/labeling/sqldb"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

func (s *Service) view(tx *gorm.DB, viewer int64, p vote.Proposal) (vote.ProposalView, error) {
	v := vote.ProposalView{ID: p.ID, Title: p.Title, Reason: p.Reason, Kind: p.Kind, Special: p.Special, Change: p.Change, Status: p.Status,
		Revision: p.Revision, Ballot: p.Ballot, PeriodHours: p.PeriodHours, SponsorsNeeded: p.SponsorsNeeded,
		CreatedAt: p.CreatedAt, OpenedAt: p.OpenedAt, ClosesAt: p.ClosesAt, ClosedAt: p.ClosedAt, RegisterSeq: p.RegisterSeq,
		Proposer: vote.Person{ID: p.ProposerID}}
	if m, ok, err := member(tx, p.ProposerID); err != nil {
		return v, err
	} else if ok {
		v.Proposer.Name = m.Name
	}
	var err error
	if v.Sponsors, err = s.votes.Sponsors(tx, p.ID); err != nil {
		return v, err
	}
	if v.Voted, v.Eligible, err = s.turnout(tx, p); err != nil {
		return v, err
	}
	c, err := s.rules.ConstitutionVersion(tx, p.ConstitutionVersion)
	if err != nil {
		return v, err
	}
	ts, err := s.votes.Tallies(tx, []int64{p.ID})
	if err != nil {
		return v, err
	}
	if t, ok := ts[p.ID]; ok {
		r := t.Result
		v.Tally, v.Eligible, v.ExecutionError = &r, r.Eligible, t.ExecutionError
		if t.ExecutedWhat != "" {
			v.Executed = &vote.Executed{What: t.ExecutedWhat, Version: t.ExecutedVersion, ID: t.ExecutedID, At: t.CreatedAt}
		}
	}
	v.QuorumNeeded = vote.QuorumNeeded(v.Eligible, c.QuorumBP)
	if viewer != 0 {
		if v.MyVote.Voted, err = s.votes.HasVoted(tx, p.ID, viewer); err != nil {
			return v, err
		}
		if v.MyVote.Voted && p.Ballot == vote.BallotOpen {
			v.MyVote.Choice, err = s.openChoice(tx, p, viewer)
			if err != nil {
				return v, err
			}
		}
	}
	if v.Current, err = s.current(tx, p.Change); err != nil {
		return v, err
	}
	return v, nil
}

// openChoice is a member's open ballot, running or published.
func (s *Service) openChoice(tx *gorm.DB, p vote.Proposal, member int64) (*vote.Choice, error) {
	bs, err := s.votes.Ballots(tx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if b.MemberID == member {
			c := b.Choice
			return &c, nil
		}
	}
	pbs, err := s.votes.PublishedBallots(tx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, b := range pbs {
		if b.MemberID == member {
			c := b.Choice
			return &c, nil
		}
	}
	return nil, nil
}

// current is the rule in force that a change would replace.
func (s *Service) current(tx *gorm.DB, ch vote.Change) (*vote.Change, error) {
	var cur vote.Current
	var err error
	switch ch.Kind {
	case vote.KindRateCard:
		rc, err := equitystore.CurrentRateCard(tx, ch.ProjectID)
		if err == nil {
			cur.RateCard = &rc
		} else if !errors.Is(err, equity.ErrNoRateCard) {
			return nil, err
		}
	case vote.KindDefaultRateCard:
		cur.Default, err = s.rules.DefaultCard(tx)
	case vote.KindGovernance:
		cur.Governance, err = equitystore.CurrentGovernance(tx)
	case vote.KindEntryRule:
		cur.EntryRule, err = s.rules.EntryRule(tx)
	case vote.KindWorkLimits:
		cur.WorkLimits, err = s.rules.WorkLimits(tx)
	case vote.KindReleaseLicense:
		cur.License, err = s.rules.ReleaseLicense(tx, ch.ReleaseID)
	case vote.KindConstitution:
		cur.Constitution, err = s.rules.Constitution(tx)
	}
	if err != nil {
		return nil, err
	}
	return cur.Shape(ch), nil
}

// Get is one proposal as the viewer sees it.
func (s *Service) Get(ctx context.Context, viewer, id int64) (v vote.ProposalView, err error) {
	err = s.read(ctx, func(tx *gorm.DB) error {
		p, err := s.votes.Proposal(tx, id, false)
		if err != nil {
			return err
		}
		v, err = s.view(tx, viewer, p)
		return err
	})
	return v, err
}

// List is a page of proposals, open ones first, then the newest.
func (s *Service) List(ctx context.Context, viewer int64, f vote.ListFilter) (out []vote.ProposalView, err error) {
	err = s.read(ctx, func(tx *gorm.DB) error {
		ps, err := s.votes.ListProposals(tx, f)
		if err != nil {
			return err
		}
		out = make([]vote.ProposalView, 0, len(ps))
		for _, p := range ps {
			v, err := s.view(tx, viewer, p)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// vote.Ballots reads a closed proposal's published ballots.
func (s *Service) Ballots(ctx context.Context, id int64) (out vote.Ballots, err error) {
	err = s.read(ctx, func(tx *gorm.DB) error {
		p, err := s.votes.Proposal(tx, id, false)
		if err != nil {
			return err
		}
		if !p.Status.Final() {
			return vote.ErrStillOpen.With("proposal %d is %s: its ballots are published when it closes", id, p.Status)
		}
		bs, err := s.votes.PublishedBallots(tx, id)
		if err != nil {
			return err
		}
		var ids []int64
		for _, b := range bs {
			if b.MemberID != 0 {
				ids = append(ids, b.MemberID)
			}
		}
		names, err := labelstore.Voters(tx, ids)
		if err != nil {
			return err
		}
		out.Ballots = make([]vote.BallotView, len(bs))
		for i, b := range bs {
			out.Ballots[i] = vote.BallotView{Receipt: b.Receipt, Choice: b.Choice, Member: names[b.MemberID].Name}
		}
		ts, err := s.votes.Tallies(tx, []int64{id})
		if t, ok := ts[id]; ok {
			r := t.Result
			out.Tally = &r
		}
		return err
	})
	return out, err
}

// Constitution is the constitution in force.
func (s *Service) Constitution(ctx context.Context) (c vote.Constitution, err error) {
	return s.rules.Constitution(s.db.WithContext(ctx))
}

// ConstitutionHistory lists a page of the recorded versions, oldest first
// (a page's key is the version).
func (s *Service) ConstitutionHistory(ctx context.Context, p page.Page) (out []vote.ConstitutionVersion, err error) {
	err = s.read(ctx, func(tx *gorm.DB) error {
		cs, err := s.rules.ConstitutionVersions(tx, p)
		if err != nil {
			return err
		}
		var ids []int64
		for _, c := range cs {
			if c.ProposalID != nil {
				ids = append(ids, *c.ProposalID)
			}
		}
		ts, err := s.votes.Tallies(tx, ids)
		if err != nil {
			return err
		}
		out = make([]vote.ConstitutionVersion, len(cs))
		for i, c := range cs {
			out[i].Constitution = c
			if c.ProposalID != nil {
				if t, ok := ts[*c.ProposalID]; ok {
					r := t.Result
					out[i].Tally = &r
				}
			}
		}
		return nil
	})
	return out, err
}

// RecordDefaultConstitution records the shipped defaults as version 1 when
// no constitution has been recorded yet (what `copyhold demo` does).
func (s *Service) RecordDefaultConstitution(ctx context.Context, actor int64) (c vote.Constitution, recorded bool, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		cur, err := s.rules.Constitution(tx)
		if err != nil || cur.Version > 0 {
			c, recorded = cur, false
			return err
		}
		d := vote.DefaultConstitution()
		d.Reason = "the co-op's founding rules (the defaults copyhold ships)"
		c, err = s.rules.RecordConstitution(tx, actor, d)
		recorded = err == nil
		return err
	})
	return c, recorded, err
}

// SetNewProjectRateCard is the one rate card change a coordinator may make
// alone: the card of a project with no accepted work yet, within the band
// the members voted. Anything else is needs_vote.
func (s *Service) SetNewProjectRateCard(ctx context.Context, actor int64, rc equity.RateCard) (out equity.RateCard, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if err := rc.Validate(); err != nil {
			return err
		}
		if rc.AnnotationAccepted <= 0 {
			return equity.ErrInvalidRateCard.With("annotation_accepted must be greater than zero")
		}
		status, _, err := s.rules.ProjectStatus(tx, rc.ProjectID)
		if err != nil {
			return err
		}
		if status == "" {
			return equity.ErrUnknownProject.With("project %d not found", rc.ProjectID)
		}
		accepted, err := s.rules.HasAcceptedWork(tx, rc.ProjectID)
		if err != nil {
			return err
		}
		if accepted {
			return vote.ErrNeedsVote.With("project %d already has accepted work, so its rate card changes only by a vote of the members: propose a rate_card change with %s",
				rc.ProjectID, vote.ProposalRoute)
		}
		band, err := s.rules.DefaultCard(tx)
		if err != nil {
			return err
		}
		if err := band.Admits(rc); err != nil {
			return err
		}
		out, err = equitystore.SetRateCard(tx, actor, rc)
		return err
	})
	return out, err
}

// Preview recomputes what a proposal would have changed over the last 30
// and 90 days, for the viewer ("you") and every member.
func (s *Service) Preview(ctx context.Context, viewer, id int64) (out vote.Preview, err error) {
	err = s.read(ctx, func(tx *gorm.DB) error {
		p, err := s.votes.Proposal(tx, id, false)
		if err != nil {
			return err
		}
		if !p.Kind.MovesMoney() {
			out = vote.Preview{Kind: p.Kind, Applies: false, Windows: []vote.Window{}}
			return nil
		}
		now := sqldb.Now(tx)
		since := now.Add(-time.Duration(vote.PreviewWindows[len(vote.PreviewWindows)-1]) * 24 * time.Hour)
		in, err := s.rules.PreviewHistory(tx, since)
		if err != nil {
			return err
		}
		in.Now, in.You = now, viewer
		if in.Members, err = labelstore.Electorate(tx, now.Add(time.Microsecond)); err != nil {
			return err
		}
		if in.Admitted, err = labelstore.AdmittedSince(tx, since); err != nil {
			return err
		}
		if p.Kind == vote.KindDistribution {
			rd, err := vote.ParseTime(p.Change.RecordDate)
			if err != nil {
				return err
			}
			if in.Holders, err = s.rules.HoldersAt(tx, p.Change.ModelID, rd); err != nil {
				return err
			}
		}
		out, err = vote.PreviewOf(p.Change, in)
		return err
	})
	return out, err
}
