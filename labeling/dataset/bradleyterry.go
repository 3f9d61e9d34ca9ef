package dataset

import (
	"cmp"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
)

// Bradley–Terry ratings of releases (models, prompts, checkpoints) from
// pairwise judgements, with bootstrap intervals, a win-rate matrix, and
// rubric means with t intervals.
//
// Model: P(i beats j) = p_i / (p_i + p_j). A tie counts as half a win for
// each side. Strengths are fitted by the MM algorithm (Hunter 2004, "MM
// algorithms for generalized Bradley–Terry models"): p_i ← W_i / Σ_j n_ij /
// (p_i + p_j). A small prior keeps undefeated and winless players finite:
// every player also played Prior virtual games, spread evenly over the other
// players and counted as ties (half a win each way), which pulls scores
// gently toward each other and keeps the model shift-invariant.
//
// Scores are on the Elo scale: 400/ln 10 × ln p_i, so 400 points are 10:1
// odds, shifted so that the mean score is 1000 (or, with Anchor, so that
// the anchor player scores 1000). Intervals are bootstrap percentiles: the
// comparisons are resampled with replacement, refitted, and the 2.5th and
// 97.5th percentiles of each player's score taken. Everything is
// deterministic given the seed. Scores are float64 for display and
// reporting; round them when rendering (one decimal is plenty).

// BT scale constants.
const (
	BTScale = 400 / math.Ln10 // Elo points per unit of ln p
	BTBase  = 1000.0          // the mean (or anchor) score
)

// BTComparison is one judgement between two players. When Tie is set,
// Winner and Loser are simply the two players.
type BTComparison struct {
	Winner string `json:"winner"`
	Loser  string `json:"loser"`
	Tie    bool   `json:"tie,omitempty"`
}

// BTOptions tune the fit. Zero values take the defaults.
type BTOptions struct {
	Prior     float64 // virtual tied games per player; default 1; <0 = none
	Resamples int     // bootstrap resamples; default 1000; <0 = no intervals
	Seed      uint64
	Anchor    string  // player fixed at BTBase; "" = the mean is BTBase
	MaxIter   int     // default 10,000
	Tol       float64 // largest change of ln p to stop at; default 1e-9
}

// BTRating is one player's rating.
type BTRating struct {
	Player string  `json:"player"`
	Score  float64 `json:"score"`
	Lower  float64 `json:"lower"` // 95% bootstrap interval (equal to Score without resamples)
	Upper  float64 `json:"upper"`
	Wins   int     `json:"wins"`
	Losses int     `json:"losses"`
	Ties   int     `json:"ties"`
}

// BTResult holds ratings best first and the observed win rates.
type BTResult struct {
	Ratings   []BTRating  `json:"ratings"`
	WinRates  BTWinMatrix `json:"win_rates"`
	Resamples int         `json:"resamples"`
	Converged bool        `json:"converged"`
}

// BTWinMatrix: Wins[i][j] is how often Players[i] beat Players[j] (ties
// count half), Games[i][j] how often they met. Players are sorted by name.
type BTWinMatrix struct {
	Players []string
	Wins    [][]float64
	Games   [][]int
}

// Rate is the share of games i won against j; ok is false when they never met.
func (m BTWinMatrix) Rate(i, j int) (rate float64, ok bool) {
	if m.Games[i][j] == 0 {
		return 0, false
	}
	return m.Wins[i][j] / float64(m.Games[i][j]), true
}

// MarshalJSON writes rates rounded to 4 places, null where players never met.
func (m BTWinMatrix) MarshalJSON() ([]byte, error) {
	rates := make([][]*float64, len(m.Players))
	for i := range m.Players {
		rates[i] = make([]*float64, len(m.Players))
		for j := range m.Players {
			if r, ok := m.Rate(i, j); ok {
				r = math.Round(r*1e4) / 1e4
				rates[i][j] = &r
			}
		}
	}
	return json.Marshal(struct {
		Players []string     `json:"players"`
		Wins    [][]float64  `json:"wins"`
		Games   [][]int      `json:"games"`
		Rate    [][]*float64 `json:"rate"`
	}{m.Players, m.Wins, m.Games, rates})
}

// BradleyTerry fits ratings to the comparisons.
func BradleyTerry(comps []BTComparison, opts BTOptions) (BTResult, error) {
	if opts.Prior == 0 {
		opts.Prior = 1
	}
	opts.Prior = max(opts.Prior, 0)
	if opts.Resamples == 0 {
		opts.Resamples = 1000
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = 10_000
	}
	if opts.Tol <= 0 {
		opts.Tol = 1e-9
	}
	var players []string
	for _, c := range comps {
		if c.Winner == "" || c.Loser == "" {
			return BTResult{}, fault.ErrInvalid.With("a comparison needs two players, got %q and %q", c.Winner, c.Loser)
		}
		if c.Winner == c.Loser {
			return BTResult{}, fault.ErrInvalid.With("player %q cannot be compared with itself", c.Winner)
		}
		players = append(players, c.Winner, c.Loser)
	}
	slices.Sort(players)
	players = slices.Compact(players)
	if len(players) < 2 {
		return BTResult{}, fault.ErrInvalid.With("Bradley–Terry needs comparisons between at least two players")
	}
	anchor := -1
	if opts.Anchor != "" {
		if anchor = slices.Index(players, opts.Anchor); anchor < 0 {
			return BTResult{}, fault.ErrInvalid.With("anchor %q is not one of the compared players", opts.Anchor)
		}
	}
	if opts.Prior == 0 && anchor < 0 && len(comps) == 0 {
		return BTResult{}, fault.ErrInvalid.With("no comparisons")
	}
	idx := make(map[string]int, len(players))
	for i, p := range players {
		idx[p] = i
	}
	type pair struct {
		w, l int
		tie  bool
	}
	pairs := make([]pair, len(comps))
	for k, c := range comps {
		pairs[k] = pair{idx[c.Winner], idx[c.Loser], c.Tie}
	}
	n := len(players)
	count := func(pick func(k int) pair, m int) BTWinMatrix {
		wm := BTWinMatrix{Players: players, Wins: btMatrix[float64](n), Games: btMatrix[int](n)}
		for k := range m {
			p := pick(k)
			if p.tie {
				wm.Wins[p.w][p.l] += 0.5
				wm.Wins[p.l][p.w] += 0.5
			} else {
				wm.Wins[p.w][p.l]++
			}
			wm.Games[p.w][p.l]++
			wm.Games[p.l][p.w]++
		}
		return wm
	}
	all := count(func(k int) pair { return pairs[k] }, len(pairs))
	logp, converged := btFit(all, opts.Prior, nil, opts.MaxIter, opts.Tol)
	scores := btScores(logp, anchor)

	res := BTResult{WinRates: all, Converged: converged, Ratings: make([]BTRating, n)}
	for i, p := range players {
		res.Ratings[i] = BTRating{Player: p, Score: scores[i], Lower: scores[i], Upper: scores[i]}
	}
	for _, p := range pairs {
		if p.tie {
			res.Ratings[p.w].Ties++
			res.Ratings[p.l].Ties++
		} else {
			res.Ratings[p.w].Wins++
			res.Ratings[p.l].Losses++
		}
	}
	if opts.Resamples > 0 && len(pairs) > 0 {
		rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
		samples := make([][]float64, n)
		for b := 0; b < opts.Resamples; b++ {
			m := count(func(int) pair { return pairs[rng.IntN(len(pairs))] }, len(pairs))
			lp, _ := btFit(m, opts.Prior, logp, opts.MaxIter, opts.Tol)
			for i, s := range btScores(lp, anchor) {
				samples[i] = append(samples[i], s)
			}
		}
		for i := range res.Ratings {
			slices.Sort(samples[i])
			res.Ratings[i].Lower = btQuantile(samples[i], 0.025)
			res.Ratings[i].Upper = btQuantile(samples[i], 0.975)
		}
		res.Resamples = opts.Resamples
	}
	slices.SortStableFunc(res.Ratings, func(a, b BTRating) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Player, b.Player))
	})
	return res, nil
}

func btMatrix[T any](n int) [][]T {
	m := make([][]T, n)
	for i := range m {
		m[i] = make([]T, n)
	}
	return m
}

// btFit runs MM from start (nil: all equal) and returns ln p per player,
// normalised to mean 0. The prior adds virtual ties: each player gets prior
// virtual games in all, spread evenly over the others, half of them won.
// Ties between every pair make the model shift-invariant, so each step can
// renormalise and convergence is judged on the relative strengths only.
func btFit(m BTWinMatrix, prior float64, start []float64, maxIter int, tol float64) ([]float64, bool) {
	n := len(m.Players)
	virtual := prior / float64(n-1) // virtual games per pair
	p := make([]float64, n)
	wins := make([]float64, n)
	for i := range n {
		p[i] = 1
		if start != nil {
			p[i] = math.Exp(start[i])
		}
		wins[i] = prior / 2
		for j := range n {
			wins[i] += m.Wins[i][j]
		}
	}
	next := make([]float64, n)
	for range maxIter {
		for i := range n {
			denom := 0.0
			for j := range n {
				if g := float64(m.Games[i][j]) + virtual; j != i && g > 0 {
					denom += g / (p[i] + p[j])
				}
			}
			if wins[i] == 0 || denom == 0 {
				// Without a prior a winless player's maximum is at p → 0; approach it.
				next[i] = p[i] / 2
			} else {
				next[i] = wins[i] / denom
			}
		}
		g := 0.0 // fix the geometric mean at 1
		for i := range n {
			g += math.Log(next[i])
		}
		g /= float64(n)
		worst := 0.0
		for i := range n {
			next[i] /= math.Exp(g)
			worst = max(worst, math.Abs(math.Log(next[i])-math.Log(p[i])))
		}
		p, next = next, p
		if worst < tol {
			return btLogs(p), true
		}
	}
	return btLogs(p), false
}

func btLogs(p []float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = math.Log(v)
	}
	return out
}

// btScores puts ln p on the Elo scale, mean (or anchor) at BTBase.
func btScores(logp []float64, anchor int) []float64 {
	shift := 0.0
	if anchor >= 0 {
		shift = logp[anchor]
	} else {
		for _, v := range logp {
			shift += v
		}
		shift /= float64(len(logp))
	}
	out := make([]float64, len(logp))
	for i, v := range logp {
		out[i] = BTBase + BTScale*(v-shift)
	}
	return out
}

// btQuantile is the q-quantile of sorted xs, interpolating linearly
// between order statistics (Hyndman and Fan type 7, as R's default).
func btQuantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	h := q * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// ---- from answers to comparisons ----

// BTFromPairwise turns a pairwise answer about responses from releases a
// and b into a comparison: a or b wins; tie and both_bad are ties (neither
// was preferred, as in Chatbot Arena).
func BTFromPairwise(releaseA, releaseB string, answer json.RawMessage) (BTComparison, error) {
	var a tasktype.PairwiseAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return BTComparison{}, tasktype.ErrInvalidAnswer.With("pairwise answer: %s", tasktype.JSONErrText(err))
	}
	switch a.Choice {
	case tasktype.PairwiseA:
		return BTComparison{Winner: releaseA, Loser: releaseB}, nil
	case tasktype.PairwiseB:
		return BTComparison{Winner: releaseB, Loser: releaseA}, nil
	case tasktype.PairwiseTie, tasktype.PairwiseBothBad:
		return BTComparison{Winner: releaseA, Loser: releaseB, Tie: true}, nil
	}
	return BTComparison{}, tasktype.ErrInvalidAnswer.With("pairwise choice %q", a.Choice)
}

// BTFromRanking turns a ranking answer into comparisons between the
// releases of its responses: every pair in different tiers is a win for
// the better tier, every pair in one tier a tie. Responses of the same
// release are not compared; ids without a release are ignored.
func BTFromRanking(releaseOf map[string]string, answer json.RawMessage) ([]BTComparison, error) {
	var a tasktype.RankingAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return nil, tasktype.ErrInvalidAnswer.With("ranking answer: %s", tasktype.JSONErrText(err))
	}
	var out []BTComparison
	for t, tier := range a.Ranking {
		for i, x := range tier {
			for _, y := range tier[i+1:] {
				if rx, ry := releaseOf[x], releaseOf[y]; rx != "" && ry != "" && rx != ry {
					out = append(out, BTComparison{Winner: rx, Loser: ry, Tie: true})
				}
			}
			for _, worse := range a.Ranking[t+1:] {
				for _, y := range worse {
					if rx, ry := releaseOf[x], releaseOf[y]; rx != "" && ry != "" && rx != ry {
						out = append(out, BTComparison{Winner: rx, Loser: ry})
					}
				}
			}
		}
	}
	return out, nil
}

// ---- rubric means ----

// BTRubricScore is one rubric score of a release's response.
type BTRubricScore struct {
	Release   string  `json:"release"`
	Criterion string  `json:"criterion"`
	Value     float64 `json:"value"`
}

// BTRubricMean is the mean score of a release on a criterion with a 95%
// Student t interval (mean ± t(0.975, n−1) · sd/√n). With fewer than two
// scores there is no interval: Interval is false and Lower = Upper = Mean.
type BTRubricMean struct {
	Release   string  `json:"release"`
	Criterion string  `json:"criterion"`
	N         int     `json:"n"`
	Mean      float64 `json:"mean"`
	SD        float64 `json:"sd"`
	Lower     float64 `json:"lower"`
	Upper     float64 `json:"upper"`
	Interval  bool    `json:"interval"`
}

// BTRubricMeans groups scores by release and criterion (sorted by both).
func BTRubricMeans(scores []BTRubricScore) []BTRubricMean {
	type key struct{ r, c string }
	type acc struct {
		n        int
		mean, m2 float64 // Welford
	}
	groups := map[key]*acc{}
	for _, s := range scores {
		k := key{s.Release, s.Criterion}
		a := groups[k]
		if a == nil {
			a = &acc{}
			groups[k] = a
		}
		a.n++
		d := s.Value - a.mean
		a.mean += d / float64(a.n)
		a.m2 += d * (s.Value - a.mean)
	}
	out := make([]BTRubricMean, 0, len(groups))
	for k, a := range groups {
		m := BTRubricMean{Release: k.r, Criterion: k.c, N: a.n, Mean: a.mean, Lower: a.mean, Upper: a.mean}
		if a.n >= 2 {
			m.SD = math.Sqrt(a.m2 / float64(a.n-1))
			half := btT975(a.n-1) * m.SD / math.Sqrt(float64(a.n))
			m.Lower, m.Upper, m.Interval = a.mean-half, a.mean+half, true
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b BTRubricMean) int {
		return cmp.Or(cmp.Compare(a.Release, b.Release), cmp.Compare(a.Criterion, b.Criterion))
	})
	return out
}

// btT975Table holds t(0.975, df) for df = 1..30.
var btT975Table = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// btT975 is the 97.5th percentile of Student's t: the table up to 30
// degrees of freedom, then linear in 1/df through 40, 60, 120 and ∞ (1.960),
// which is within 0.001 of the exact value.
func btT975(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	if df <= len(btT975Table) {
		return btT975Table[df-1]
	}
	knots := []struct{ inv, t float64 }{{1.0 / 30, 2.042}, {1.0 / 40, 2.021}, {1.0 / 60, 2.000}, {1.0 / 120, 1.980}, {0, 1.960}}
	x := 1 / float64(df)
	for i := 1; i < len(knots); i++ {
		if x >= knots[i].inv {
			a, b := knots[i-1], knots[i]
			return b.t + (x-b.inv)/(a.inv-b.inv)*(a.t-b.t)
		}
	}
	return 1.960
}
