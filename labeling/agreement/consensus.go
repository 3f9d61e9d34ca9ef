package agreement

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// TiePolicy decides a majority vote when several labels share the top count.
type TiePolicy int

const (
	TieNone         TiePolicy = iota // leave the unit undecided
	TieFirstInOrder                  // take the tied label that comes first in Order
	TieRandomSeeded                  // pick one, reproducibly from Seed and the unit
)

// MajorityOptions configures MajorityVote.
type MajorityOptions struct {
	Tie TiePolicy
	// Order ranks labels for TieFirstInOrder and for listing ties; labels
	// not in it come after, alphabetically.
	Order []string
	Seed  uint64
}

// ConsensusResult is the majority vote for one unit.
type ConsensusResult struct {
	Unit    string   `json:"item"`
	Label   string   `json:"label,omitempty"` // "" when undecided
	Decided bool     `json:"decided"`
	Votes   int      `json:"votes"`   // non-missing values
	Support int      `json:"support"` // votes for the top label(s)
	Share   float64  `json:"share"`   // Support / Votes, 0 with no votes
	Tied    []string `json:"tied,omitempty"`
}

// MajorityVote returns one result per unit, sorted by unit. Units whose
// ratings are all missing are undecided with no votes.
func MajorityVote(ratings []Rating, opts MajorityOptions) ([]ConsensusResult, error) {
	t, err := NewRatingTable(ratings)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{}
	for i, l := range opts.Order {
		if _, ok := rank[l]; !ok {
			rank[l] = i
		}
	}
	less := func(a, b string) int {
		ra, okA := rank[a]
		rb, okB := rank[b]
		switch {
		case okA && okB:
			return ra - rb
		case okA:
			return -1
		case okB:
			return 1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	// Units with only missing values are not in the table; keep them.
	units := map[string]bool{}
	for _, r := range ratings {
		units[r.Unit] = true
	}
	cellsOf := map[string][]RatingCell{}
	for i, u := range t.Units {
		cellsOf[u] = t.Cells[i]
	}
	out := make([]ConsensusResult, 0, len(units))
	for _, u := range agreeSortedKeys(units) {
		res := ConsensusResult{Unit: u}
		counts := map[string]int{}
		for _, c := range cellsOf[u] {
			counts[c.Value]++
			res.Votes++
		}
		for _, n := range counts {
			res.Support = max(res.Support, n)
		}
		var top []string
		for l, n := range counts {
			if n == res.Support {
				top = append(top, l)
			}
		}
		slices.SortFunc(top, less)
		if res.Votes > 0 {
			res.Share = float64(res.Support) / float64(res.Votes)
		}
		switch {
		case len(top) == 1:
			res.Label, res.Decided = top[0], true
		case len(top) > 1:
			res.Tied = top
			switch opts.Tie {
			case TieFirstInOrder:
				res.Label, res.Decided = top[0], true
			case TieRandomSeeded:
				h := fnv.New64a()
				h.Write([]byte(u))
				rng := rand.New(rand.NewPCG(opts.Seed, h.Sum64()))
				res.Label, res.Decided = top[rng.IntN(len(top))], true
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// DefaultDawidSkeneSmoothing is the pseudo-count DawidSkene adds to every
// confusion cell and class prior unless told otherwise.
const DefaultDawidSkeneSmoothing = 0.01

// DawidSkeneOptions configures DawidSkene. Zero values take the defaults.
type DawidSkeneOptions struct {
	Classes []string // class order; nil = sorted distinct values
	MaxIter int      // default 100
	Tol     float64  // stop when the log-likelihood changes less; default 1e-6
	// Smoothing is the pseudo-count on every confusion cell and prior: nil
	// takes DefaultDawidSkeneSmoothing; 0 is plain maximum likelihood, as in
	// Dawid & Skene (1979).
	Smoothing *float64
}

// DawidSkeneItem is the estimate for one unit.
type DawidSkeneItem struct {
	Unit       string    `json:"item"`
	Posterior  []float64 `json:"posterior"` // aligned with DawidSkeneResult.Classes
	Label      string    `json:"label"`     // most probable class; ties go to the earlier class
	Confidence float64   `json:"confidence"`
}

// DawidSkeneResult holds the fitted model.
type DawidSkeneResult struct {
	Classes []string         `json:"classes"`
	Items   []DawidSkeneItem `json:"items"` // sorted by unit
	Priors  []float64        `json:"priors"`
	// Confusion[annotator][true][given] is the probability that the
	// annotator gives class `given` when the truth is class `true`.
	Confusion     map[string][][]float64 `json:"confusion"`
	Iterations    int                    `json:"iterations"`
	LogLikelihood float64                `json:"log_likelihood"`
	Converged     bool                   `json:"converged"`
}

// DawidSkene estimates true classes and per-annotator confusion matrices by
// EM (Dawid & Skene 1979), starting from the vote shares of each unit. The
// smoothing pseudo-count keeps unseen cells off zero so one odd label cannot
// veto a class. Units with no values are left out. An annotator may rate a
// unit more than once (the 1979 paper's first clinician did, three times):
// each rating counts. Deterministic: units, annotators and classes are
// processed in sorted or given order.
func DawidSkene(ratings []Rating, opts DawidSkeneOptions) (DawidSkeneResult, error) {
	if opts.MaxIter <= 0 {
		opts.MaxIter = 100
	}
	if opts.Tol <= 0 {
		opts.Tol = 1e-6
	}
	smoothing := DefaultDawidSkeneSmoothing
	if opts.Smoothing != nil {
		smoothing = *opts.Smoothing
	}
	if smoothing < 0 || math.IsNaN(smoothing) || math.IsInf(smoothing, 0) {
		return DawidSkeneResult{}, ErrBadRatingValue.With("Dawid–Skene smoothing must be a number >= 0, not %v", smoothing)
	}
	t := repeatedRatingTable(ratings)
	if len(t.Units) == 0 {
		return DawidSkeneResult{}, ErrMetricUndefined.With("Dawid–Skene is undefined: there are no ratings")
	}
	classes := opts.Classes
	if classes == nil {
		classes = t.Values()
	}
	cls := map[string]int{}
	for i, c := range classes {
		if _, dup := cls[c]; dup {
			return DawidSkeneResult{}, ErrBadRatingValue.With("class %q is listed twice", c)
		}
		cls[c] = i
	}
	for _, v := range t.Values() {
		if _, ok := cls[v]; !ok {
			return DawidSkeneResult{}, ErrBadRatingValue.With("value %q is not one of the classes %q", v, classes)
		}
	}
	K, J, I := len(classes), len(t.Annotators), len(t.Units)
	// obs[i] lists (annotator, class) pairs for unit i.
	type vote struct{ j, l int }
	obs := make([][]vote, I)
	for i, cells := range t.Cells {
		for _, c := range cells {
			obs[i] = append(obs[i], vote{c.Annotator, cls[c.Value]})
		}
	}
	T := make([][]float64, I)
	for i := range T {
		T[i] = make([]float64, K)
		for _, v := range obs[i] {
			T[i][v.l] += 1 / float64(len(obs[i]))
		}
	}
	prior := make([]float64, K)
	conf := make([][][]float64, J)
	for j := range conf {
		conf[j] = make([][]float64, K)
		for k := range conf[j] {
			conf[j][k] = make([]float64, K)
		}
	}
	logp := make([]float64, K)
	res := DawidSkeneResult{Classes: slices.Clone(classes)}
	prevLL := math.Inf(-1)
	s := smoothing
	for iter := 1; iter <= opts.MaxIter; iter++ {
		// M-step: priors and confusion matrices from the soft labels.
		for k := range prior {
			prior[k] = s
		}
		for j := range conf {
			for k := range conf[j] {
				for l := range conf[j][k] {
					conf[j][k][l] = s
				}
			}
		}
		for i := range T {
			for k, p := range T[i] {
				prior[k] += p
				for _, v := range obs[i] {
					conf[v.j][k][v.l] += p
				}
			}
		}
		for k := range prior {
			prior[k] /= float64(I) + float64(K)*s
		}
		for j := range conf {
			for k := range conf[j] {
				sum := 0.0
				for _, c := range conf[j][k] {
					sum += c
				}
				if sum == 0 { // no soft weight on class k and no smoothing
					continue
				}
				for l := range conf[j][k] {
					conf[j][k][l] /= sum
				}
			}
		}
		// E-step: posteriors in log space.
		ll := 0.0
		for i := range T {
			top := math.Inf(-1)
			for k := range K {
				logp[k] = math.Log(prior[k])
				for _, v := range obs[i] {
					logp[k] += math.Log(conf[v.j][k][v.l])
				}
				top = max(top, logp[k])
			}
			if math.IsInf(top, -1) { // impossible under every class: keep the last estimate
				continue
			}
			sum := 0.0
			for k := range K {
				sum += math.Exp(logp[k] - top)
			}
			lse := top + math.Log(sum)
			for k := range K {
				T[i][k] = math.Exp(logp[k] - lse)
			}
			ll += lse
		}
		res.Iterations, res.LogLikelihood = iter, ll
		if math.Abs(ll-prevLL) < opts.Tol {
			res.Converged = true
			break
		}
		prevLL = ll
	}
	res.Priors = prior
	res.Confusion = make(map[string][][]float64, J)
	for j, a := range t.Annotators {
		res.Confusion[a] = conf[j]
	}
	res.Items = make([]DawidSkeneItem, I)
	for i, u := range t.Units {
		best := 0
		for k := range K {
			if T[i][k] > T[i][best] {
				best = k
			}
		}
		res.Items[i] = DawidSkeneItem{Unit: u, Posterior: T[i], Label: classes[best], Confidence: T[i][best]}
	}
	return res, nil
}

// repeatedRatingTable is NewRatingTable without the one-rating-per-annotator
// check: Dawid–Skene counts repeated ratings.
func repeatedRatingTable(ratings []Rating) *RatingTable {
	unitSet, annSet := map[string]int{}, map[string]int{}
	for _, r := range ratings {
		if r.Value != "" {
			unitSet[r.Unit], annSet[r.Annotator] = 0, 0
		}
	}
	t := &RatingTable{Units: agreeSortedKeys(unitSet), Annotators: agreeSortedKeys(annSet)}
	for i, u := range t.Units {
		unitSet[u] = i
	}
	for i, a := range t.Annotators {
		annSet[a] = i
	}
	t.Cells = make([][]RatingCell, len(t.Units))
	for _, r := range ratings {
		if r.Value != "" {
			u := unitSet[r.Unit]
			t.Cells[u] = append(t.Cells[u], RatingCell{Annotator: annSet[r.Annotator], Value: r.Value})
		}
	}
	// Sums run in one order whatever the rows' order, so results are bit-identical.
	for _, cells := range t.Cells {
		sort.Slice(cells, func(i, j int) bool {
			if cells[i].Annotator != cells[j].Annotator {
				return cells[i].Annotator < cells[j].Annotator
			}
			return cells[i].Value < cells[j].Value
		})
	}
	return t
}
