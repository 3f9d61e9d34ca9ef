package agreement

import (
	"fmt"
	"testing"
)

// twoRaters gives n items rated by two annotators; the first agree items agree.
func twoRaters(n, agree int) []Rating {
	var out []Rating
	for i := range n {
		a, b := "x", "x"
		if i%2 == 1 {
			a, b = "y", "y"
		}
		if i >= agree {
			b = map[string]string{"x": "y", "y": "x"}[a]
		}
		u := fmt.Sprintf("item%03d", i)
		out = append(out, Rating{Unit: u, Annotator: "A", Value: a}, Rating{Unit: u, Annotator: "B", Value: b})
	}
	return out
}

func TestBootstrap(t *testing.T) {
	cases := []struct {
		name         string
		ratings      []Rating
		metric       string
		minW, maxW   float64 // bounds on the interval's width
		inconclusive bool
		why          []string
	}{
		{"many items, perfect agreement: a point", twoRaters(200, 200), MetricPercent, 0, 0, false, []string{}},
		{"many items, 90% agreement: narrow", twoRaters(400, 360), MetricPercent, 0.03, 0.1, false, []string{}},
		{"ten items, 70% agreement: wide and few", twoRaters(10, 7), MetricPercent, 0.3, 0.8, true, []string{"wide", "few_items"}},
		{"twelve items, kappa: wide and few", twoRaters(12, 9), MetricCohen, 0.3, 1.5, true, []string{"wide", "few_items"}},
		{"twenty items all agreeing: narrow but few", twoRaters(20, 20), MetricPercent, 0, 0, true, []string{"few_items"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iv, ok := Bootstrap(c.ratings, c.metric, Options{}, 1000, 1)
			if !ok {
				t.Fatal("no interval")
			}
			point, err := Compute(c.ratings, c.metric, Options{})
			if err != nil {
				t.Fatal(err)
			}
			w := iv.High - iv.Low
			if w < c.minW-1e-9 || w > c.maxW+1e-9 {
				t.Errorf("width %.3f (%.3f–%.3f), want %.3f–%.3f", w, iv.Low, iv.High, c.minW, c.maxW)
			}
			if point.Value < iv.Low-1e-9 || point.Value > iv.High+1e-9 {
				t.Errorf("point %.3f outside %.3f–%.3f", point.Value, iv.Low, iv.High)
			}
			if iv.Inconclusive != c.inconclusive || fmt.Sprint(iv.Why) != fmt.Sprint(c.why) {
				t.Errorf("inconclusive %v %v, want %v %v", iv.Inconclusive, iv.Why, c.inconclusive, c.why)
			}
			if iv.Items != len(c.ratings)/2 || iv.Resamples < 1 || iv.Resamples > 1000 {
				t.Errorf("items %d resamples %d", iv.Items, iv.Resamples)
			}
		})
	}
}

func TestBootstrapIsDeterministicAndSkipsUndefined(t *testing.T) {
	r := twoRaters(40, 30)
	a, _ := Bootstrap(r, MetricCohen, Options{}, 300, 7)
	b, _ := Bootstrap(append([]Rating{}, r[len(r)/2:]...), MetricCohen, Options{}, 300, 7)
	c, _ := Bootstrap(append(append([]Rating{}, r[len(r)/2:]...), r[:len(r)/2]...), MetricCohen, Options{}, 300, 7)
	if a.Low != c.Low || a.High != c.High || a.Resamples != c.Resamples {
		t.Errorf("same ratings in another order: %+v vs %+v", a, c)
	}
	if b.Low == a.Low && b.High == a.High {
		t.Errorf("half the items gave the same interval %+v", b)
	}
	// Three items, each rated "x" by both but one: many resamples hold only
	// "x" and kappa is undefined there; they are skipped, not counted as 0 or 1.
	few := []Rating{{"i1", "A", "x"}, {"i1", "B", "x"}, {"i2", "A", "x"}, {"i2", "B", "x"}, {"i3", "A", "y"}, {"i3", "B", "x"}}
	iv, ok := Bootstrap(few, MetricCohen, Options{}, 1000, 1)
	if ok && iv.Resamples >= 1000 {
		t.Errorf("undefined resamples were not skipped: %+v", iv)
	}
	// No defined resample at all: no interval.
	same := []Rating{{"i1", "A", "x"}, {"i1", "B", "x"}, {"i2", "A", "x"}, {"i2", "B", "x"}}
	if iv, ok := Bootstrap(same, MetricCohen, Options{}, 100, 1); ok {
		t.Errorf("kappa with one category has no interval, got %+v", iv)
	}
}

func TestBootstrapResamplesWholeItems(t *testing.T) {
	// Rubric units are item␟criterion: an item's criteria are drawn together,
	// so with every item rating all its criteria alike the interval is a point.
	var r []Rating
	for i := range 40 {
		for _, c := range []string{"help", "honest"} {
			v := fmt.Sprint(1 + i%5)
			u := fmt.Sprintf("item%d%s%s", i, unitSep, c)
			r = append(r, Rating{u, "A", v}, Rating{u, "B", v})
		}
	}
	iv, ok := Bootstrap(r, MetricAlphaOrdinal, Options{}, 200, 1)
	if !ok || iv.Items != 40 || iv.Low != 1 || iv.High != 1 || iv.Inconclusive {
		t.Errorf("got %+v, %v", iv, ok)
	}
}

func TestBootstrapResampleCount(t *testing.T) {
	for _, c := range []struct{ n, want int }{{0, 0}, {10, 1000}, {200, 1000}, {400, 500}, {2000, 100}, {2001, 0}} {
		if got := BootstrapResampleCount(c.n); got != c.want {
			t.Errorf("BootstrapResampleCount(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestProjectMetricsCarryIntervals(t *testing.T) {
	mv, err := ProjectMetrics("classification", twoRaters(12, 9))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mv {
		if m.Result == nil {
			continue
		}
		if m.Interval == nil || !m.Interval.Inconclusive {
			t.Errorf("%s: interval %+v, want an inconclusive one", m.Metric, m.Interval)
		}
	}
}
