package vote

import (
	"sort"
	"time"

	"copyhold/equity"
)

// The what-if preview: what each member would have earned over the last 30
// and 90 days under the rule in force and under the proposed one,
// recomputed from the register's own history (PreviewInput, read by the
// store). Amounts are in model units (summed over models) except for
// distributions and the reserve share, which are in the currency paid out.

// PreviewWindows are the windows a preview covers, in days.
var PreviewWindows = []int{30, 90}

// Work is one review outcome on the register: it priced a submission (and
// the review of it) by the project's rate card.
type Work struct {
	Kind        equity.TxKind // vest, correct, void, reinstate, clawback
	ProjectID   int64
	Labeller    int64
	Reviewer    int64
	Difficulty  string
	Reversed    equity.TxKind // for a clawback: what it reversed (vest or correct)
	SubmittedAt time.Time     // when the pending credit was made
	At          time.Time
}

// Transfer is a transfer on the register.
type Transfer struct {
	From, To int64
	Amount   int64
	At       time.Time
}

// Payout is a past distribution with its inputs.
type Payout struct {
	Currency string
	Scale    int32
	Amount   int64
	Holders  []equity.Holder
	At       time.Time
}

// PreviewInput is the register's history and the rules in force.
type PreviewInput struct {
	Now           time.Time
	Members       []int64 // the active members: one entry each
	You           int64
	Work          []Work
	Transfers     []Transfer
	Payouts       []Payout
	Admitted      []time.Time // when members admitted in the windows joined
	Cards         map[int64]Card
	OnDefault     map[int64]bool // projects whose card is the default card
	Default       DefaultCard
	Governance    equity.Governance
	EntryRule     EntryRule
	WorkLimits    WorkLimits
	ProjectStints map[int64]int
	Holders       []equity.Holder // for a distribution: vested units at its record date
}

// Pair is one amount under the current and the proposed rule.
type Pair struct {
	Current  string `json:"current"`
	Proposed string `json:"proposed"`
}

// Window is the preview over the last Days days.
type Window struct {
	Days    int    `json:"days"`
	Members []Pair `json:"members"` // one per member, sorted by current; no identities
	Median  Pair   `json:"median"`
	You     Pair   `json:"you"`
	Reserve Pair   `json:"reserve"`
}

// Preview is the what-if of one proposal.
type Preview struct {
	Kind    Kind     `json:"kind"`
	Applies bool     `json:"applies"`
	Unit    string   `json:"unit,omitempty"` // "units" or a currency code
	Windows []Window `json:"windows"`
}

// amounts is one window's numbers before formatting.
type amounts struct {
	cur, prop       map[int64]int64
	resCur, resProp int64
}

func newAmounts() amounts { return amounts{cur: map[int64]int64{}, prop: map[int64]int64{}} }

// PreviewOf recomputes the window under the rule in force and under the
// rule c would make. c must be valid against the current rules.
func PreviewOf(c Change, in PreviewInput) (Preview, error) {
	p := Preview{Kind: c.Kind, Applies: c.Kind.MovesMoney(), Unit: "units", Windows: []Window{}}
	if !p.Applies {
		p.Unit = ""
		return p, nil
	}
	scale := int32(equity.UnitScale)
	for _, days := range PreviewWindows {
		since := in.Now.Add(-time.Duration(days) * 24 * time.Hour)
		a := newAmounts()
		switch c.Kind {
		case KindRateCard, KindDefaultRateCard, KindWorkLimits:
			proposed := in.Cards
			limits := in.WorkLimits
			switch c.Kind {
			case KindRateCard:
				proposed = cloneCards(in.Cards)
				cur, ok := in.Cards[c.ProjectID]
				if !ok {
					cur = in.Default.Card
				}
				proposed[c.ProjectID] = cur.apply(c.Rates)
			case KindDefaultRateCard:
				d, err := c.ApplyDefaultCard(in.Default)
				if err != nil {
					return p, err
				}
				proposed = cloneCards(in.Cards)
				for pid, on := range in.OnDefault {
					if on {
						proposed[pid] = d.Card
					}
				}
			case KindWorkLimits:
				limits = c.ApplyWorkLimits(in.WorkLimits)
			}
			work := inWindow(in.Work, since)
			earn(a.cur, work, in.Cards)
			earn(a.prop, clampStints(work, in, limits), proposed)
		case KindGovernance:
			g, err := c.ApplyGovernance(in.Governance)
			if err != nil {
				return p, err
			}
			if g.ReserveShareBP != in.Governance.ReserveShareBP && g.TransferFeeBP == in.Governance.TransferFeeBP {
				unit, paid, sc := payouts(in.Payouts, since, in.Governance.ReserveShareBP, g.ReserveShareBP)
				a, p.Unit, scale = paid, unit, sc
				break
			}
			work := inWindow(in.Work, since)
			earn(a.cur, work, in.Cards)
			earn(a.prop, work, in.Cards)
			for _, t := range in.Transfers {
				if t.At.Before(since) {
					continue
				}
				for _, x := range []struct {
					m  map[int64]int64
					bp int
					r  *int64
				}{{a.cur, in.Governance.TransferFeeBP, &a.resCur}, {a.prop, g.TransferFeeBP, &a.resProp}} {
					fee := equity.MulBP(t.Amount, x.bp, true)
					x.m[t.From] -= t.Amount + fee
					x.m[t.To] += t.Amount
					*x.r += fee
				}
			}
		case KindEntryRule:
			r := c.ApplyEntryRule(in.EntryRule)
			work := inWindow(in.Work, since)
			earn(a.cur, work, in.Cards)
			earn(a.prop, work, in.Cards)
			for _, at := range in.Admitted {
				if !at.Before(since) {
					a.resCur += in.EntryRule.EntryFee
					a.resProp += r.EntryFee
				}
			}
		case KindDistribution:
			scale = *c.Scale
			p.Unit = c.Currency
			amt, _ := equity.ParseAmount(c.Amount, scale)
			reserve := in.Governance.ReserveShare(amt)
			for _, s := range equity.SplitLargestRemainder(amt-reserve, in.Holders) {
				a.prop[s.MemberID] += s.Amount
			}
			a.resProp = reserve
		}
		p.Windows = append(p.Windows, window(days, in.Members, in.You, a, scale))
	}
	return p, nil
}

// payouts recomputes the window's distributions under two reserve shares,
// in the currency paid out most (by count); it returns the unit and scale.
func payouts(ps []Payout, since time.Time, curBP, propBP int) (string, amounts, int32) {
	count := map[string]int{}
	for _, d := range ps {
		if !d.At.Before(since) {
			count[d.Currency]++
		}
	}
	cur := ""
	for c, n := range count {
		if cur == "" || n > count[cur] || (n == count[cur] && c < cur) {
			cur = c
		}
	}
	a := newAmounts()
	var scale int32
	for _, d := range ps {
		if d.At.Before(since) || d.Currency != cur {
			continue
		}
		scale = d.Scale
		for _, x := range []struct {
			m  map[int64]int64
			bp int
			r  *int64
		}{{a.cur, curBP, &a.resCur}, {a.prop, propBP, &a.resProp}} {
			reserve := equity.MulBP(d.Amount, x.bp, false)
			*x.r += reserve
			for _, s := range equity.SplitLargestRemainder(d.Amount-reserve, d.Holders) {
				x.m[s.MemberID] += s.Amount
			}
		}
	}
	if cur == "" {
		return "units", a, equity.UnitScale
	}
	return cur, a, scale
}

func cloneCards(m map[int64]Card) map[int64]Card {
	out := make(map[int64]Card, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func inWindow(ws []Work, since time.Time) []Work {
	var out []Work
	for _, w := range ws {
		if !w.At.Before(since) {
			out = append(out, w)
		}
	}
	return out
}

// earn adds what each member earned from work, priced by cards.
func earn(m map[int64]int64, work []Work, cards map[int64]Card) {
	for _, w := range work {
		c, ok := cards[w.ProjectID]
		if !ok {
			continue
		}
		rc := c.RateCard()
		credit := rc.AnnotationCredit(w.Difficulty)
		kept, _ := rc.CorrectionSplit(credit)
		review := int64(0)
		if w.Reviewer > 0 {
			review = rc.ReviewDecision
		}
		switch w.Kind {
		case equity.KindVest:
			m[w.Labeller] += credit
			m[w.Reviewer] += review
		case equity.KindCorrect:
			m[w.Labeller] += kept
			if w.Reviewer > 0 {
				m[w.Reviewer] += rc.Correction + review
			}
		case equity.KindVoid:
			m[w.Reviewer] += review
		case equity.KindReinstate:
			m[w.Labeller] += credit
			m[w.Reviewer] += review
		case equity.KindClawback:
			if w.Reversed == equity.KindCorrect {
				m[w.Labeller] -= kept
			} else {
				m[w.Labeller] -= credit
			}
		}
	}
	delete(m, 0)
}

// clampStints drops the work a lower daily stint would not have allowed:
// each labeller's submissions beyond the stint on a day in a project.
func clampStints(work []Work, in PreviewInput, limits WorkLimits) []Work {
	if limits.DailyStint == 0 || (in.WorkLimits.DailyStint != 0 && limits.DailyStint >= in.WorkLimits.DailyStint) {
		return work
	}
	sorted := append([]Work(nil), work...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].SubmittedAt.Before(sorted[j].SubmittedAt) })
	type key struct {
		member, project int64
		day             string
	}
	n := map[key]int{}
	var out []Work
	for _, w := range sorted {
		if w.Kind == equity.KindClawback {
			out = append(out, w)
			continue
		}
		stint := limits.DailyStint
		if ps := in.ProjectStints[w.ProjectID]; ps > 0 && ps < stint {
			stint = ps
		}
		k := key{w.Labeller, w.ProjectID, w.SubmittedAt.UTC().Format("2006-01-02")}
		n[k]++
		if n[k] <= stint {
			out = append(out, w)
		}
	}
	return out
}

func window(days int, members []int64, you int64, a amounts, scale int32) Window {
	f := func(v int64) string { return equity.Format(v, scale) }
	w := Window{Days: days, Members: make([]Pair, 0, len(members))}
	type row struct{ cur, prop int64 }
	rows := make([]row, 0, len(members))
	var curs, props []int64
	for _, m := range members {
		r := row{a.cur[m], a.prop[m]}
		rows = append(rows, r)
		curs = append(curs, r.cur)
		props = append(props, r.prop)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].cur != rows[j].cur {
			return rows[i].cur < rows[j].cur
		}
		return rows[i].prop < rows[j].prop
	})
	for _, r := range rows {
		w.Members = append(w.Members, Pair{f(r.cur), f(r.prop)})
	}
	w.Median = Pair{f(median(curs)), f(median(props))}
	w.You = Pair{f(a.cur[you]), f(a.prop[you])}
	w.Reserve = Pair{f(a.resCur), f(a.resProp)}
	return w
}

// median of the values (the mean of the middle two, rounded down, for an
// even count; 0 for none).
func median(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	sum := s[n/2-1] + s[n/2]
	if sum < 0 && sum%2 != 0 {
		return sum/2 - 1
	}
	return sum / 2
}
