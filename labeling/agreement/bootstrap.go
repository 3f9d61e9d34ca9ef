package agreement

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Bootstrap bounds and the thresholds under which an agreement value is
// called inconclusive (docs/REVIEW.md, "How sure is the agreement?").
const (
	// BootstrapResamples is the number of resamples when the work allows it.
	BootstrapResamples = 1000
	// BootstrapBudget bounds the ratings read per metric: resamples × ratings.
	// A bigger project gets fewer resamples, and none under BootstrapMinResamples.
	BootstrapBudget = 200_000
	// BootstrapMinResamples is the fewest resamples an interval is given from.
	BootstrapMinResamples = 100
	// WideInterval: a 95% interval wider than this is inconclusive.
	WideInterval = 0.2
	// FewItems: fewer items than this are inconclusive, however narrow the interval.
	FewItems = 30
)

// Interval is a 95% percentile bootstrap interval of a metric over items.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Resamples where the metric was defined (undefined ones are skipped).
	Resamples int `json:"resamples"`
	// Items resampled: the items with at least one rating.
	Items int `json:"items"`
	// Inconclusive is true when the interval is wider than WideInterval or the items fewer than FewItems.
	Inconclusive bool `json:"inconclusive"`
	// Why names the reasons: "wide", "few_items" (empty when conclusive).
	Why []string `json:"why"`
}

// itemOf is the item of a rating unit: ranking, rubric and multilabel units
// are "item␟name"; the item is resampled whole.
func itemOf(unit string) (item, rest string) {
	if i := strings.Index(unit, unitSep); i >= 0 {
		return unit[:i], unit[i:]
	}
	return unit, ""
}

// BootstrapResampleCount is how many resamples the budget allows for n
// ratings: BootstrapResamples, fewer for big projects, 0 when under the minimum.
func BootstrapResampleCount(n int) int {
	if n == 0 {
		return 0
	}
	b := min(BootstrapResamples, BootstrapBudget/n)
	if b < BootstrapMinResamples {
		return 0
	}
	return b
}

// Bootstrap resamples the items of ratings with replacement, resamples
// times, computes metric on each, and returns the 2.5th and 97.5th
// percentiles of the defined values. It is deterministic for a seed. ok is
// false when no resample gave a value.
func Bootstrap(ratings []Rating, metric string, opts Options, resamples int, seed uint64) (Interval, bool) {
	byItem := map[string][]Rating{}
	var items []string
	for _, r := range ratings {
		it, _ := itemOf(r.Unit)
		if _, seen := byItem[it]; !seen {
			items = append(items, it)
		}
		byItem[it] = append(byItem[it], r)
	}
	slices.Sort(items) // the draw does not depend on the input order
	out := Interval{Items: len(items)}
	if len(items) == 0 || resamples <= 0 {
		return out, false
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	values := make([]float64, 0, resamples)
	sample := make([]Rating, 0, len(ratings))
	for range resamples {
		sample = sample[:0]
		for k := range items {
			// Each draw is a new item, so one drawn twice counts twice.
			name := strconv.Itoa(k)
			for _, r := range byItem[items[rng.IntN(len(items))]] {
				_, rest := itemOf(r.Unit)
				sample = append(sample, Rating{Unit: name + rest, Annotator: r.Annotator, Value: r.Value})
			}
		}
		res, err := Compute(sample, metric, opts)
		if err != nil || math.IsNaN(res.Value) {
			continue
		}
		values = append(values, res.Value)
	}
	if len(values) == 0 {
		return out, false
	}
	slices.Sort(values)
	out.Low, out.High, out.Resamples = percentile(values, 0.025), percentile(values, 0.975), len(values)
	if out.High-out.Low > WideInterval {
		out.Why = append(out.Why, "wide")
	}
	if out.Items < FewItems {
		out.Why = append(out.Why, "few_items")
	}
	out.Inconclusive = len(out.Why) > 0
	if out.Why == nil {
		out.Why = []string{}
	}
	return out, true
}

// percentile of sorted values, interpolating linearly between ranks.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	x := p * float64(len(sorted)-1)
	i := int(math.Floor(x))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (x-float64(i))*(sorted[i+1]-sorted[i])
}
