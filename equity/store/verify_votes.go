package store

import (
	"encoding/json"
	"fmt"
	"sort"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/member"
	labelstore "copyhold/labeling/store"

	"gorm.io/gorm"
)

// voteEntries are collective rule's register entries, loaded for Verify.
type voteEntries struct {
	constitutions map[int64]vote.Constitution
	proposals     map[int64]vote.ProposalVersion
	ballots       map[int64]vote.PublishedBallot
	tallies       map[int64]vote.TallyRecord // by tally id
	rules         map[int64]vote.RuleVersion
	seq           map[string]int64 // "kind:ref" → log sequence
}

func loadVoteEntries(tx *gorm.DB) (*voteEntries, error) {
	e := &voteEntries{constitutions: map[int64]vote.Constitution{}, proposals: map[int64]vote.ProposalVersion{},
		ballots: map[int64]vote.PublishedBallot{}, tallies: map[int64]vote.TallyRecord{}, rules: map[int64]vote.RuleVersion{},
		seq: map[string]int64{}}
	v := &Votes{}
	cs, err := (&Rules{}).ConstitutionHistory(tx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		e.constitutions[c.ID] = c
	}
	pvs, err := v.proposalVersions(tx)
	if err != nil {
		return nil, err
	}
	for _, p := range pvs {
		e.proposals[p.ID] = p
	}
	bs, err := v.PublishedBallots(tx, 0)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		e.ballots[b.ID] = b
	}
	ts, err := v.Tallies(tx, nil)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		e.tallies[t.ID] = t
	}
	rs, err := ruleVersions(tx, "1 = 1 ORDER BY id")
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		e.rules[r.ID] = r
	}
	return e, nil
}

// canonical rebuilds the bytes of one entry (nil: unknown kind).
func (e *voteEntries) canonical(seq int64, kind string, ref int64) []byte {
	e.seq[fmt.Sprintf("%s:%d", kind, ref)] = seq
	missing := []byte("missing")
	switch kind {
	case equity.LogConstitution:
		if c, ok := e.constitutions[ref]; ok {
			return vote.CanonicalConstitution(c)
		}
	case equity.LogProposal:
		if p, ok := e.proposals[ref]; ok {
			return vote.CanonicalProposal(p)
		}
	case equity.LogBallot:
		if b, ok := e.ballots[ref]; ok {
			return vote.CanonicalBallot(b)
		}
	case equity.LogTally:
		if t, ok := e.tallies[ref]; ok {
			return vote.CanonicalTally(t)
		}
	case equity.LogRule:
		if r, ok := e.rules[ref]; ok {
			return vote.CanonicalRule(r)
		}
	default:
		return []byte("unknown entry kind " + kind)
	}
	return missing
}

// check verifies every rule version made by a vote against its passing
// proposal, and every tally against a recount of its published ballots.
// It returns the first break found (in register order), or nil.
func (e *voteEntries) check(tx *gorm.DB, govs []equity.Governance, cards []equity.RateCard) (*equity.Break, error) {
	var breaks []equity.Break
	brk := func(kind string, ref int64, format string, args ...any) {
		breaks = append(breaks, equity.Break{Seq: e.seq[fmt.Sprintf("%s:%d", kind, ref)], Kind: kind, RefID: ref, Reason: fmt.Sprintf(format, args...)})
	}
	// The final text of each proposal: its last register version.
	last := map[int64]vote.ProposalVersion{}
	for _, p := range e.proposals {
		if cur, ok := last[p.ProposalID]; !ok || p.ID > cur.ID {
			last[p.ProposalID] = p
		}
	}
	tallyOf := map[int64]vote.TallyRecord{}
	for _, t := range e.tallies {
		tallyOf[t.ProposalID] = t
	}
	counts := map[int64]*vote.Result{}
	for _, b := range e.ballots {
		r := counts[b.ProposalID]
		if r == nil {
			r = &vote.Result{}
			counts[b.ProposalID] = r
		}
		switch b.Choice {
		case vote.Yes:
			r.Yes++
		case vote.No:
			r.No++
		case vote.Abstain:
			r.Abstain++
		}
	}

	// Tallies: a recount of the published ballots gives the recorded count,
	// and the constitution's rules give the recorded outcome.
	for _, t := range e.tallies {
		if t.Status == vote.StatusWithdrawn {
			continue
		}
		c := counts[t.ProposalID]
		if c == nil {
			c = &vote.Result{}
		}
		if c.Yes != t.Result.Yes || c.No != t.Result.No || c.Abstain != t.Result.Abstain {
			brk(equity.LogTally, t.ID, "proposal %d: the published ballots recount to %d yes, %d no, %d abstain, the tally says %d, %d, %d",
				t.ProposalID, c.Yes, c.No, c.Abstain, t.Result.Yes, t.Result.No, t.Result.Abstain)
			continue
		}
		want := vote.Decide(vote.Result{Yes: c.Yes, No: c.No, Abstain: c.Abstain, Eligible: t.Result.Eligible}, t.QuorumBP, t.MajorityBP, t.Special)
		if want != t.Result {
			brk(equity.LogTally, t.ID, "proposal %d: the count carries passed=%v (%s), the tally says passed=%v (%s)",
				t.ProposalID, want.Passed, want.Reason, t.Result.Passed, t.Result.Reason)
			continue
		}
		passedStatus := t.Status == vote.StatusPassed || t.Status == vote.StatusNotExecutable
		if passedStatus != t.Result.Passed {
			brk(equity.LogTally, t.ID, "proposal %d: status %s but passed=%v", t.ProposalID, t.Status, t.Result.Passed)
		}
		if t.Status == vote.StatusNotExecutable && t.ExecutionError == "" {
			brk(equity.LogTally, t.ID, "proposal %d passed but was not executed, and no reason is recorded", t.ProposalID)
		}
		if t.Status != vote.StatusPassed && t.ExecutedWhat != "" {
			brk(equity.LogTally, t.ID, "proposal %d did not pass but records an execution", t.ProposalID)
		}
	}

	// Each version made by a vote: its proposal passed, the tally names this
	// version, and the version is the rule before it with the change applied.
	executed := map[int64]bool{} // proposal ids whose version was found
	link := func(kind string, ref, pid int64, what string, prevOK bool, same func(ch vote.Change) (bool, error)) {
		t, ok := tallyOf[pid]
		switch {
		case !ok:
			brk(kind, ref, "made by proposal %d, which has no tally", pid)
			return
		case t.Status != vote.StatusPassed:
			brk(kind, ref, "made by proposal %d, which did not pass (%s)", pid, t.Status)
			return
		case t.ExecutedWhat != what || t.ExecutedID != ref:
			brk(kind, ref, "made by proposal %d, whose tally records executing %s %d", pid, t.ExecutedWhat, t.ExecutedID)
			return
		}
		executed[pid] = true
		p, ok := last[pid]
		if !ok {
			brk(kind, ref, "made by proposal %d, which is not on the register", pid)
			return
		}
		ch, err := vote.ParseChange(p.Change)
		if err != nil {
			brk(kind, ref, "proposal %d's change does not parse: %v", pid, err)
			return
		}
		if !prevOK {
			return
		}
		ok, err = same(ch)
		if err != nil {
			brk(kind, ref, "proposal %d's change does not apply: %v", pid, err)
		} else if !ok {
			brk(kind, ref, "differs from the rule before it with proposal %d's change applied", pid)
		}
	}
	prevGov := equity.DefaultGovernance()
	sort.Slice(govs, func(i, j int) bool { return govs[i].Version < govs[j].Version })
	for _, g := range govs {
		if g.ProposalID != 0 {
			link(equity.LogGovernance, g.ID, g.ProposalID, string(vote.KindGovernance), true, func(ch vote.Change) (bool, error) {
				want, err := ch.ApplyGovernance(prevGov)
				return err == nil && want.TransferFeeBP == g.TransferFeeBP && want.HoldingCapBP == g.HoldingCapBP &&
					want.CapFloor == g.CapFloor && want.ReserveShareBP == g.ReserveShareBP && want.ExitRule == g.ExitRule, err
			})
		}
		prevGov = g
	}
	prevCard := map[int64]equity.RateCard{}
	sort.Slice(cards, func(i, j int) bool { return cards[i].ID < cards[j].ID })
	for _, rc := range cards {
		if rc.ProposalID != 0 {
			prev, ok := prevCard[rc.ProjectID]
			link(equity.LogRateCard, rc.ID, rc.ProposalID, string(vote.KindRateCard), ok, func(ch vote.Change) (bool, error) {
				want := ch.ApplyRateCard(prev)
				return sameCard(vote.CardOf(want), vote.CardOf(rc)), nil
			})
		}
		prevCard[rc.ProjectID] = rc
	}
	prevConst := vote.DefaultConstitution()
	cs := make([]vote.Constitution, 0, len(e.constitutions))
	for _, c := range e.constitutions {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Version < cs[j].Version })
	for _, c := range cs {
		if c.ProposalID != nil {
			link(equity.LogConstitution, c.ID, *c.ProposalID, string(vote.KindConstitution), true, func(ch vote.Change) (bool, error) {
				want, err := ch.ApplyConstitution(prevConst)
				want.ID, want.Version, want.ProposalID, want.CreatedAt, want.ActorID, want.Reason = c.ID, c.Version, c.ProposalID, c.CreatedAt, c.ActorID, c.Reason
				return err == nil && want == c, err
			})
		}
		prevConst = c
	}
	rules := make([]vote.RuleVersion, 0, len(e.rules))
	for _, r := range e.rules {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	prevRule := map[string]string{}
	for _, r := range rules {
		key := fmt.Sprintf("%s:%d", r.Rule, r.ScopeID)
		if r.ProposalID != 0 {
			prev, had := prevRule[key]
			link(equity.LogRule, r.ID, r.ProposalID, r.Rule, true, func(ch vote.Change) (bool, error) {
				var want any
				switch r.Rule {
				case vote.RuleDefaultRateCard:
					cur := vote.ShippedDefaultCard()
					if had {
						json.Unmarshal([]byte(prev), &cur)
					}
					d, err := ch.ApplyDefaultCard(cur)
					if err != nil {
						return false, err
					}
					want = d
				case vote.RuleEntryRule:
					cur := vote.DefaultEntryRule()
					if had {
						json.Unmarshal([]byte(prev), &cur)
					}
					want = ch.ApplyEntryRule(cur)
				case vote.RuleWorkLimits:
					cur := vote.DefaultWorkLimits()
					if had {
						json.Unmarshal([]byte(prev), &cur)
					}
					want = ch.ApplyWorkLimits(cur)
				case vote.RuleReleaseLicense:
					want = vote.ReleaseLicense{ReleaseID: ch.ReleaseID, License: ch.License, Terms: ch.Terms}
				}
				return vote.RuleBody(want) == r.Body, nil
			})
		}
		prevRule[key] = r.Body
	}

	// Every executed tally names a version that exists and links back.
	for _, t := range e.tallies {
		if t.Status != vote.StatusPassed || t.ExecutedWhat == "" || executed[t.ProposalID] {
			continue
		}
		if t.ExecutedWhat == string(vote.KindAdmission) {
			vs, err := labelstore.Voters(tx, []int64{t.ExecutedID})
			if err != nil {
				return nil, err
			}
			if v, ok := vs[t.ExecutedID]; !ok || v.Admission != member.Admitted {
				brk(equity.LogTally, t.ID, "proposal %d records admitting member %d, who was not admitted", t.ProposalID, t.ExecutedID)
			}
			continue
		}
		if t.ExecutedWhat == string(vote.KindDistribution) {
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE id = ? AND kind = 'distribution'", t.ExecutedID).Scan(&n).Error; err != nil {
				return nil, err
			}
			if n == 0 {
				brk(equity.LogTally, t.ID, "proposal %d records distribution %d, which does not exist", t.ProposalID, t.ExecutedID)
			}
			continue
		}
		brk(equity.LogTally, t.ID, "proposal %d records executing %s %d, but no such version links back to it", t.ProposalID, t.ExecutedWhat, t.ExecutedID)
	}
	if len(breaks) == 0 {
		return nil, nil
	}
	sort.SliceStable(breaks, func(i, j int) bool { return breaks[i].Seq < breaks[j].Seq })
	return &breaks[0], nil
}
