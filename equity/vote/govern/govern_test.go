package govern_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/equity"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/page"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestGovernanceVotePassesAndExecutesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 4)
		m := f.members
		p := f.propose(m[0], `{"kind":"governance","transfer_fee_bp":100}`)
		if p.Status != vote.StatusOpen || p.Eligible != 4 || p.QuorumNeeded != 1 || p.Current == nil || *p.Current.TransferFeeBP != 0 {
			t.Fatalf("opened: %+v", p)
		}
		f.vote(m[0], p.ID, "yes")
		f.vote(m[1], p.ID, "yes")
		f.vote(m[2], p.ID, "no")
		if closed, err := f.svc.CloseDue(ctx, f.clock()); err != nil || len(closed) != 0 {
			t.Fatalf("closed before its time: %v %v", closed, err)
		}
		closed := f.closeAfter(p)
		if len(closed) != 1 || closed[0].Status != vote.StatusPassed || closed[0].Tally != (vote.Result{Yes: 2, No: 1, Eligible: 4, QuorumMet: true, Passed: true}) {
			t.Fatalf("closed: %+v", closed)
		}
		g, err := f.ledger.Governance(ctx)
		must(t, err)
		if g.TransferFeeBP != 100 || g.ProposalID != p.ID || g.Vote == nil || g.Vote.Yes != 2 || g.Vote.No != 1 {
			t.Fatalf("governance after the vote: %+v %+v", g, g.Vote)
		}
		// Closing again closes nothing, and the proposal says what it made.
		if again, err := f.svc.CloseDue(ctx, f.advance(time.Hour)); err != nil || len(again) != 0 {
			t.Fatalf("closed twice: %v %v", again, err)
		}
		v, err := f.svc.Get(ctx, m[3], p.ID)
		must(t, err)
		if v.Status != vote.StatusPassed || v.Executed == nil || v.Executed.What != "governance" || v.Executed.Version != g.Version ||
			v.Tally == nil || v.MyVote.Voted || v.ClosedAt == nil {
			t.Fatalf("after close: %+v", v)
		}
		f.verify()
	})
}

func TestBelowQuorumChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 8) // quorum 25 %: 2 of 8
		p := f.propose(f.members[0], `{"kind":"governance","transfer_fee_bp":500}`)
		f.vote(f.members[0], p.ID, "yes")
		closed := f.closeAfter(p)
		if len(closed) != 1 || closed[0].Status != vote.StatusFailed || closed[0].Tally.Reason != vote.FailQuorum {
			t.Fatalf("closed: %+v", closed)
		}
		g, err := f.ledger.Governance(ctx)
		must(t, err)
		if g.TransferFeeBP != 0 || g.Version != 0 {
			t.Fatalf("a failed vote changed governance: %+v", g)
		}
		v, _ := f.svc.Get(ctx, 0, p.ID)
		if v.Executed != nil || v.Tally.Passed {
			t.Fatalf("%+v", v)
		}
		f.verify()
	})
}

func TestEveryKindExecutesAsALinkedVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 3)
		m := f.members
		f.earn(m[0], m[1])
		f.earn(m[1], m[2])
		var release int64
		must(t, db.Raw(`INSERT INTO releases (model_id, version, hash, ledger_seq, ledger_head, created_at)
            VALUES (?, 'v1', 'h', 0, ?, ?) RETURNING id`, f.model, equity.GenesisHash, f.now).Scan(&release).Error)
		// Holders are counted at the record date: just after their work.
		rd := time.Now().UTC().Format(time.RFC3339Nano)
		f.advance(time.Minute)
		changes := map[vote.Kind]string{
			vote.KindRateCard:        `{"kind":"rate_card","project_id":` + itoa(f.project) + `,"annotation_accepted":"2","difficulty":{"hard":15000}}`,
			vote.KindDefaultRateCard: `{"kind":"default_rate_card","annotation_accepted":"1.2","band":{"max":{"annotation_accepted":"3"}}}`,
			vote.KindGovernance:      `{"kind":"governance","holding_cap_bp":5000,"cap_floor":"100","exit_rule":"reserve"}`,
			vote.KindEntryRule:       `{"kind":"entry_rule","admission":"vote","entry_fee":"5"}`,
			vote.KindWorkLimits:      `{"kind":"work_limits","daily_stint":50,"sensitive_max":10}`,
			vote.KindDistribution:    `{"kind":"distribution","model_id":` + itoa(f.model) + `,"amount":"90.00","currency":"EUR","source":"API sales","record_date":"` + rd + `"}`,
			vote.KindReleaseLicense:  `{"kind":"release_license","release_id":` + itoa(release) + `,"license":"CC-BY-4.0","terms":"attribution"}`,
			vote.KindConstitution:    `{"kind":"constitution","quorum_bp":5000,"ballot":"open"}`,
			vote.KindMotion:          `{"kind":"motion","text":"We thank our first labellers."}`,
		}
		ids := map[vote.Kind]int64{}
		var last vote.ProposalView
		for _, k := range vote.Kinds {
			p := f.propose(m[0], changes[k])
			if p.Special != (k == vote.KindConstitution) {
				t.Fatalf("%s: special=%v", k, p.Special)
			}
			for _, who := range m {
				f.vote(who, p.ID, "yes")
			}
			ids[k], last = p.ID, p
		}
		closed := f.closeAfter(last)
		if len(closed) != len(vote.Kinds) {
			t.Fatalf("closed %d of %d: %+v", len(closed), len(vote.Kinds), closed)
		}
		for _, c := range closed {
			if c.Status != vote.StatusPassed {
				t.Fatalf("proposal %d: %+v", c.ID, c)
			}
		}
		tx := db
		rc, err := f.ledger.RateCard(ctx, f.project)
		must(t, err)
		if rc.AnnotationAccepted != 2_000_000 || rc.Correction != 500_000 || rc.Difficulty["hard"] != 15000 || rc.ProposalID != ids[vote.KindRateCard] || rc.Vote == nil {
			t.Fatalf("rate card: %+v", rc)
		}
		rules := equitystore.NewRules()
		d, err := rules.DefaultCard(tx)
		must(t, err)
		if d.Card.AnnotationAccepted != 1_200_000 || d.Max.AnnotationAccepted != 3_000_000 || d.Min.AnnotationAccepted != 500_000 {
			t.Fatalf("default card: %+v", d)
		}
		// A project created now starts on the voted default card.
		p2 := f.newProjectOnDefault()
		if rc2, _ := f.ledger.RateCard(ctx, p2); rc2.AnnotationAccepted != 1_200_000 {
			t.Fatalf("new project's card: %+v", rc2)
		}
		g, _ := f.ledger.Governance(ctx)
		if g.HoldingCapBP != 5000 || g.CapFloor != 100_000_000 || g.ExitRule != equity.ExitReserve || g.ProposalID != ids[vote.KindGovernance] {
			t.Fatalf("governance: %+v", g)
		}
		if r, _ := rules.EntryRule(tx); r.Admission != vote.AdmissionVote || r.EntryFee != 5_000_000 {
			t.Fatalf("entry rule: %+v", r)
		}
		if l, _ := rules.WorkLimits(tx); l.DailyStint != 50 || l.SensitiveMax != 10 {
			t.Fatalf("work limits: %+v", l)
		}
		if stint, sens, err := equitystore.NewHooks().WorkLimits(tx); err != nil || stint != 50 || sens != 10 {
			t.Fatalf("the labelling engine's limits: %d %d %v", stint, sens, err)
		}
		// The same limits as a claim reads them, inside its own first statement.
		var stored []*string
		h := equitystore.NewHooks()
		must(t, db.Raw("SELECT "+h.WorkLimitsSQL()).Scan(&stored).Error)
		if stint, sens, err := h.ParseWorkLimits(stored[0]); err != nil || stint != 50 || sens != 10 {
			t.Fatalf("the limits a claim reads: %d %d %v", stint, sens, err)
		}
		var dists int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_distributions").Scan(&dists).Error)
		if dists != 1 {
			t.Fatalf("%d distributions", dists)
		}
		if l, _ := rules.ReleaseLicense(tx, release); l == nil || l.License != "CC-BY-4.0" {
			t.Fatalf("licence: %+v", l)
		}
		c, _ := f.svc.Constitution(ctx)
		if c.Version != 1 || c.QuorumBP != 5000 || c.Ballot != vote.BallotOpen || c.ProposalID == nil || *c.ProposalID != ids[vote.KindConstitution] {
			t.Fatalf("constitution: %+v", c)
		}
		hist, err := f.svc.ConstitutionHistory(ctx, page.All)
		if err != nil || len(hist) != 1 || hist[0].Tally == nil || hist[0].Tally.Yes != 3 {
			t.Fatalf("history: %+v %v", hist, err)
		}
		mv, _ := f.svc.Get(ctx, 0, ids[vote.KindMotion])
		if mv.Status != vote.StatusPassed || mv.Executed != nil {
			t.Fatalf("motion: %+v", mv)
		}
		// The register lists every decided proposal.
		reg, err := f.ledger.RegisterFor(ctx, f.model)
		must(t, err)
		if len(reg.Votes) != len(vote.Kinds) {
			t.Fatalf("register votes: %+v", reg.Votes)
		}
		f.verify()
	})
}

func (f *fx) newProjectOnDefault() int64 {
	var id int64
	must(f.t, f.db.Raw(`INSERT INTO projects (model_id, name, task_type, schema, overlap, status, created_at, updated_at)
        VALUES (?, 'p2', 'classification', '{}', 1, 'open', ?, ?) RETURNING id`, f.model, f.now, f.now).Scan(&id).Error)
	must(f.t, f.db.Transaction(func(tx *gorm.DB) error {
		return equitystore.NewHooks().ProjectCreated(tx, projectOf(id), nil)
	}))
	return id
}

func TestPassedButNotExecutableLeavesNothingHalfApplied(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 2)
		p := f.propose(f.members[0], `{"kind":"rate_card","project_id":`+itoa(f.project)+`,"annotation_accepted":"3"}`)
		f.vote(f.members[0], p.ID, "yes")
		f.vote(f.members[1], p.ID, "yes")
		must(t, db.Exec("UPDATE projects SET status = 'closed' WHERE id = ?", f.project).Error)
		var head0, events0 int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_rate_cards").Scan(&head0).Error)
		must(t, db.Raw("SELECT COUNT(*) FROM events WHERE type = 'equity.rate_card_changed'").Scan(&events0).Error)
		closed := f.closeAfter(p)
		if len(closed) != 1 || closed[0].Status != vote.StatusNotExecutable || !strings.Contains(closed[0].Error, "closed") || !closed[0].Tally.Passed {
			t.Fatalf("closed: %+v", closed)
		}
		var cards, events int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_rate_cards").Scan(&cards).Error)
		must(t, db.Raw("SELECT COUNT(*) FROM events WHERE type = 'equity.rate_card_changed'").Scan(&events).Error)
		if cards != head0 || events != events0 {
			t.Fatalf("half applied: %d cards (was %d), %d events", cards, head0, events)
		}
		v, _ := f.svc.Get(ctx, 0, p.ID)
		if v.Status != vote.StatusNotExecutable || v.ExecutionError == "" || v.Executed != nil {
			t.Fatalf("%+v", v)
		}
		f.verify()
	})
}

// Two closers at once (two servers on one PostgreSQL): the proposal closes
// and executes once.
func TestTwoClosersExecuteOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 3)
		var ps []vote.ProposalView
		for i := 0; i < 6; i++ {
			p := f.propose(f.members[0], `{"kind":"governance","transfer_fee_bp":`+itoa(int64(10*(i+1)))+`}`)
			f.vote(f.members[0], p.ID, "yes")
			f.vote(f.members[1], p.ID, "yes")
			ps = append(ps, p)
		}
		at := f.advance(8 * 24 * time.Hour)
		// A second service as a second server would have, on its own pool.
		other := govern.New(db, f.clock, nil)
		for _, p := range ps {
			var wg sync.WaitGroup
			wins := make([]bool, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, s := range []*govern.Service{f.svc, other} {
				wg.Add(1)
				go func(i int, s *govern.Service) {
					defer wg.Done()
					<-start
					_, wins[i], errs[i] = s.Close(ctx, p.ID, at)
				}(i, s)
			}
			close(start)
			wg.Wait()
			must(t, errs[0])
			must(t, errs[1])
			if wins[0] == wins[1] {
				t.Fatalf("proposal %d: closers won %v", p.ID, wins)
			}
		}
		var govs, tallies, ballots int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_governance").Scan(&govs).Error)
		must(t, db.Raw("SELECT COUNT(*) FROM equity_tallies").Scan(&tallies).Error)
		must(t, db.Raw("SELECT COUNT(*) FROM equity_published_ballots").Scan(&ballots).Error)
		if govs != 6 || tallies != 6 || ballots != 12 {
			t.Fatalf("executed %d governance versions, %d tallies, %d ballots; want 6, 6, 12", govs, tallies, ballots)
		}
		var closedEvents int64
		must(t, db.Raw("SELECT COUNT(*) FROM events WHERE type = 'proposal.closed'").Scan(&closedEvents).Error)
		if closedEvents != 6 {
			t.Fatalf("%d proposal.closed events", closedEvents)
		}
		f.verify()
	})
}

func TestSecretBallots(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 4)
		m := f.members
		p := f.propose(m[0], `{"kind":"motion","text":"hello"}`)
		r0 := f.vote(m[0], p.ID, "yes")
		r1 := f.vote(m[1], p.ID, "no")
		f.vote(m[2], p.ID, "abstain")
		if !vote.ValidReceipt(r0.Receipt) || r0.Changed || r0.Receipt == r1.Receipt {
			t.Fatalf("receipts: %+v %+v", r0, r1)
		}
		// Voting again without the receipt is refused; with it, the vote changes and counts once.
		_, err := f.svc.Vote(ctx, m[1], p.ID, "yes", "")
		wantCode(t, err, vote.ErrAlreadyVoted)
		_, err = f.svc.Vote(ctx, m[1], p.ID, "yes", vote.NewReceipt())
		wantCode(t, err, vote.ErrInvalidReceipt)
		_, err = f.svc.Vote(ctx, m[3], p.ID, "yes", r1.Receipt)
		wantCode(t, err, vote.ErrInvalidReceipt) // m[3] has not voted
		c, err := f.svc.Vote(ctx, m[1], p.ID, "yes", r1.Receipt)
		must(t, err)
		if !c.Changed || c.Receipt != r1.Receipt {
			t.Fatalf("changed vote: %+v", c)
		}
		_, err = f.svc.Vote(ctx, m[1], p.ID, "maybe", r1.Receipt)
		wantCode(t, err, vote.ErrInvalidChoice)

		// Storage: who voted has no choice; a secret ballot has no member.
		var withMember, ballots int64
		must(t, db.Raw("SELECT COUNT(*) FROM equity_ballots WHERE member_id IS NOT NULL").Scan(&withMember).Error)
		must(t, db.Raw("SELECT COUNT(*) FROM equity_ballots").Scan(&ballots).Error)
		if withMember != 0 || ballots != 3 {
			t.Fatalf("ballots: %d with a member, %d in all", withMember, ballots)
		}
		cols := columns(t, db, "equity_proposal_voters")
		if strings.Join(cols, ",") != "member_id,proposal_id" {
			t.Fatalf("voters table columns %v: only who voted", cols)
		}
		if cols := columns(t, db, "equity_ballots"); strings.Join(cols, ",") != "choice,member_id,proposal_id,receipt_hash" {
			t.Fatalf("ballots table columns %v", cols)
		}
		v, _ := f.svc.Get(ctx, m[0], p.ID)
		if !v.MyVote.Voted || v.MyVote.Choice != nil || v.Voted != 3 || v.Tally != nil {
			t.Fatalf("open view: %+v", v)
		}
		_, err = f.svc.Ballots(ctx, p.ID)
		wantCode(t, err, vote.ErrStillOpen)

		f.closeAfter(p)
		_, err = f.svc.Vote(ctx, m[3], p.ID, "yes", "")
		wantCode(t, err, vote.ErrClosed)
		b, err := f.svc.Ballots(ctx, p.ID)
		must(t, err)
		recount := vote.Result{Eligible: b.Tally.Eligible}
		found := map[string]vote.Choice{}
		for _, x := range b.Ballots {
			if x.Member != "" {
				t.Fatalf("a secret ballot names its member: %+v", x)
			}
			found[x.Receipt] = x.Choice
			switch x.Choice {
			case vote.Yes:
				recount.Yes++
			case vote.No:
				recount.No++
			case vote.Abstain:
				recount.Abstain++
			}
		}
		if found[vote.ReceiptHash(r0.Receipt)] != vote.Yes || found[vote.ReceiptHash(r1.Receipt)] != vote.Yes {
			t.Fatalf("receipts not found with their choices: %+v", found)
		}
		if recount.Yes != b.Tally.Yes || recount.No != b.Tally.No || recount.Abstain != b.Tally.Abstain || b.Tally.Yes != 2 || b.Tally.Abstain != 1 {
			t.Fatalf("recount %+v, tally %+v", recount, b.Tally)
		}
		// No event names a voter or a choice.
		evs := proposalEvents(t, db)
		for _, e := range evs {
			if e.ActorID != nil || strings.Contains(e.Payload, "member") || strings.Contains(e.Payload, "receipt") ||
				(e.Type != "proposal.closed" && (strings.Contains(e.Payload, `"yes"`) || strings.Contains(e.Payload, `"no"`))) {
				t.Fatalf("event reveals too much: %+v", e)
			}
		}
		f.verify()
	})
}

func TestEligibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 3)
		m := f.members
		p := f.propose(m[0], `{"kind":"motion","text":"x"}`)
		late := f.member(f.advance(time.Minute))
		_, err := f.svc.Vote(ctx, late, p.ID, "yes", "")
		wantCode(t, err, vote.ErrNotEligible)
		_, err = f.svc.Vote(ctx, 999999, p.ID, "yes", "")
		wantCode(t, err, vote.ErrNotEligible)
		must(t, db.Exec("UPDATE members SET active = FALSE WHERE id = ?", m[2]).Error)
		_, err = f.svc.Vote(ctx, m[2], p.ID, "yes", "")
		wantCode(t, err, vote.ErrNotEligible)
		if v, _ := f.svc.Get(ctx, 0, p.ID); v.Eligible != 2 {
			t.Fatalf("eligible %d, want 2 (the late and the former member are not)", v.Eligible)
		}
		// After the period, before anyone closes it: closed.
		f.advance(8 * 24 * time.Hour)
		_, err = f.svc.Vote(ctx, m[0], p.ID, "yes", "")
		wantCode(t, err, vote.ErrClosed)
		_, err = f.svc.Vote(ctx, m[0], 424242, "yes", "")
		wantCode(t, err, vote.ErrNotFound)
	})
}

func TestAmendWithdrawAndSponsors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 3)
		m := f.members
		p := f.propose(m[0], `{"kind":"governance","transfer_fee_bp":100}`)
		f.vote(m[1], p.ID, "yes")
		_, err := f.svc.Withdraw(ctx, m[0], p.ID)
		wantCode(t, err, vote.ErrHasVotes)
		ch, _ := vote.ParseChange(`{"kind":"governance","transfer_fee_bp":50}`)
		_, err = f.svc.Amend(ctx, m[1], p.ID, vote.ProposalRequest{Title: "t2", Reason: "r2", Change: ch})
		wantCode(t, err, vote.ErrNotProposer)
		f.advance(time.Hour)
		f.integrate()
		p, err = f.svc.Get(ctx, 0, p.ID)
		must(t, err)
		a, err := f.svc.Amend(ctx, m[0], p.ID, vote.ProposalRequest{Title: "t2", Reason: "r2", Change: ch})
		must(t, err)
		if a.RegisterSeq != p.RegisterSeq { // the new version waits in the queue
			t.Fatalf("amended proposal's new version on the log before integration: %d, was %d", a.RegisterSeq, p.RegisterSeq)
		}
		f.integrate()
		a, err = f.svc.Get(ctx, 0, p.ID)
		must(t, err)
		if p.RegisterSeq == 0 || a.Revision != 2 || a.Voted != 0 || !a.ClosesAt.After(*p.ClosesAt) || *a.Change.TransferFeeBP != 50 || a.RegisterSeq <= p.RegisterSeq {
			t.Fatalf("amended: %+v", a)
		}
		bad, _ := vote.ParseChange(`{"kind":"governance","transfer_fee_bp":-5}`)
		_, err = f.svc.Amend(ctx, m[0], p.ID, vote.ProposalRequest{Title: "t", Reason: "r", Change: bad})
		wantCode(t, err, vote.ErrInvalidChange)
		w, err := f.svc.Withdraw(ctx, m[0], p.ID)
		must(t, err)
		if w.Status != vote.StatusWithdrawn {
			t.Fatalf("%+v", w)
		}
		_, err = f.svc.Vote(ctx, m[1], p.ID, "yes", "")
		wantCode(t, err, vote.ErrClosed)

		// A constitution asking for a co-sponsor (recorded by the store).
		rules := equitystore.NewRules()
		c := vote.DefaultConstitution()
		c.Cosponsors, c.Reason = 1, "test"
		must(t, db.Transaction(func(tx *gorm.DB) error { _, err := rules.RecordConstitution(tx, 0, c); return err }))
		s := f.propose(m[0], `{"kind":"motion","text":"x"}`)
		if s.Status != vote.StatusSeeking || s.OpenedAt != nil || s.SponsorsNeeded != 1 {
			t.Fatalf("seeking: %+v", s)
		}
		_, err = f.svc.Vote(ctx, m[1], s.ID, "yes", "")
		wantCode(t, err, vote.ErrNotOpen)
		_, err = f.svc.Sponsor(ctx, m[0], s.ID)
		wantCode(t, err, vote.ErrOwnProposal)
		o, err := f.svc.Sponsor(ctx, m[1], s.ID)
		must(t, err)
		if o.Status != vote.StatusOpen || o.Sponsors != 1 || o.OpenedAt == nil {
			t.Fatalf("sponsored: %+v", o)
		}
		f.vote(m[1], s.ID, "yes")
		f.verify()
	})
}

func TestProposeValidatesAgainstTheCoop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 2)
		for _, tc := range []struct{ change, field string }{
			{`{"kind":"rate_card","project_id":99999,"annotation_accepted":"1"}`, "project_id"},
			{`{"kind":"distribution","model_id":99999,"amount":"1","currency":"EUR","source":"s","record_date":"2020-01-01"}`, "model_id"},
			{`{"kind":"release_license","release_id":99999,"license":"MIT"}`, "release_id"},
			{`{"kind":"governance","transfer_fee_bp":-1}`, "transfer_fee_bp"},
			{`{"kind":"constitution","ordinary_majority_bp":4000}`, "ordinary_majority_bp"},
		} {
			_, err := f.tryPropose(f.members[0], tc.change)
			wantCode(t, err, vote.ErrInvalidChange)
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: %v does not name %s", tc.change, err, tc.field)
			}
		}
		// The same key and body is a replay; another body is a conflict.
		c, _ := vote.ParseChange(`{"kind":"motion","text":"x"}`)
		req := vote.ProposalRequest{Title: "t", Reason: "r", Change: c, Key: "same"}
		a, created, err := f.svc.Propose(ctx, f.members[0], req)
		must(t, err)
		b, again, err := f.svc.Propose(ctx, f.members[0], req)
		must(t, err)
		if !created || again || a.ID != b.ID {
			t.Fatalf("replay: %v %v %d %d", created, again, a.ID, b.ID)
		}
		req.Title = "other"
		_, _, err = f.svc.Propose(ctx, f.members[0], req)
		wantCode(t, err, vote.ErrIdempotency)
		_, err = f.svc.SetNewProjectRateCard(ctx, f.members[0], equity.RateCard{ProjectID: f.project, AnnotationAccepted: 5_000_000, Reason: "x"})
		wantCode(t, err, vote.ErrNeedsVote)
		out, err := f.svc.SetNewProjectRateCard(ctx, f.members[0], equity.RateCard{ProjectID: f.project, AnnotationAccepted: 1_500_000, Reason: "x"})
		if err != nil || out.Version != 2 {
			t.Fatalf("within the band on a new project: %+v %v", out, err)
		}
		f.earn(f.members[0], f.members[1])
		_, err = f.svc.SetNewProjectRateCard(ctx, f.members[0], equity.RateCard{ProjectID: f.project, AnnotationAccepted: 1_000_000, Reason: "x"})
		wantCode(t, err, vote.ErrNeedsVote)
	})
}

func TestClosingSoonIsSentOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 2)
		p := f.propose(f.members[0], `{"kind":"motion","text":"x"}`)
		if n, err := f.svc.AnnounceClosingSoon(ctx, f.clock()); err != nil || n != 0 {
			t.Fatalf("a week ahead: %d %v", n, err)
		}
		at := p.ClosesAt.Add(-time.Hour)
		for i, want := range []int{1, 0} {
			n, err := f.svc.AnnounceClosingSoon(ctx, at)
			if err != nil || n != want {
				t.Fatalf("round %d: %d %v", i, n, err)
			}
		}
		var n int64
		must(t, db.Raw("SELECT COUNT(*) FROM events WHERE type = 'proposal.closing_soon'").Scan(&n).Error)
		if n != 1 {
			t.Fatalf("%d closing_soon events", n)
		}
	})
}

func TestOpenBallotsByConstitution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 3)
		m := f.members
		c := f.propose(m[0], `{"kind":"constitution","ballot":"open"}`)
		f.vote(m[0], c.ID, "yes")
		f.vote(m[1], c.ID, "yes")
		f.vote(m[2], c.ID, "no") // exactly two thirds
		closed := f.closeAfter(c)
		if closed[0].Status != vote.StatusPassed {
			t.Fatalf("two thirds of a special resolution: %+v", closed)
		}
		p := f.propose(m[0], `{"kind":"motion","text":"open"}`)
		if p.Ballot != vote.BallotOpen {
			t.Fatalf("ballot %q", p.Ballot)
		}
		f.vote(m[1], p.ID, "no")
		again, err := f.svc.Vote(ctx, m[1], p.ID, "yes", "")
		must(t, err)
		if !again.Changed {
			t.Fatal("an open vote is simply replaced")
		}
		v, _ := f.svc.Get(ctx, m[1], p.ID)
		if v.MyVote.Choice == nil || *v.MyVote.Choice != vote.Yes || v.Voted != 1 {
			t.Fatalf("my open vote: %+v", v.MyVote)
		}
		f.closeAfter(p)
		b, err := f.svc.Ballots(ctx, p.ID)
		must(t, err)
		if len(b.Ballots) != 1 || b.Ballots[0].Member == "" || b.Ballots[0].Choice != vote.Yes {
			t.Fatalf("open ballots: %+v", b)
		}
		f.verify()
	})
}

func TestVerifyCatchesAForgedExecution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFx(t, db, 2)
		p := f.propose(f.members[0], `{"kind":"governance","transfer_fee_bp":100}`)
		f.vote(f.members[0], p.ID, "no")
		f.vote(f.members[1], p.ID, "no")
		f.closeAfter(p)
		// A governance version claiming a failed proposal made it.
		_, err := f.ledger.SetGovernance(ctx, 0, equity.Governance{TransferFeeBP: 100, HoldingCapBP: 10000, ExitRule: equity.ExitSuccessorElseReserve,
			Reason: "forged", ProposalID: p.ID})
		must(t, err)
		rep, err := f.ledger.Verify(ctx)
		must(t, err)
		if rep.OK || rep.First == nil || !strings.Contains(rep.First.Reason, "did not pass") {
			t.Fatalf("verify: %+v %+v", rep, rep.First)
		}
	})
}

type evRow struct {
	Type    string
	ActorID *int64
	Payload string
}

func proposalEvents(t *testing.T, db *gorm.DB) []evRow {
	var out []evRow
	must(t, db.Raw("SELECT type, actor_id, payload FROM events WHERE type LIKE 'proposal.%' ORDER BY id").Scan(&out).Error)
	if len(out) == 0 {
		t.Fatal("no proposal events")
	}
	return out
}

func columns(t *testing.T, db *gorm.DB, table string) []string {
	t.Helper()
	cols, err := db.Migrator().ColumnTypes(table)
	must(t, err)
	var out []string
	for _, c := range cols {
		out = append(out, c.Name())
	}
	sortStrings(out)
	return out
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }
