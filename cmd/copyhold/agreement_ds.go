package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"copyhold/labeling/agreement"
)

// isDawidSkene says whether --metric asks for Dawid–Skene rather than an
// agreement coefficient.
func isDawidSkene(metric string) bool {
	return metric == "dawid-skene" || metric == "dawid_skene"
}

// parseSmoothing reads --smoothing: "" is the default
// (agreement.DefaultDawidSkeneSmoothing), "0" plain maximum likelihood.
func parseSmoothing(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return nil, fmt.Errorf("--smoothing must be a number >= 0, not %q", s)
	}
	return &v, nil
}

// printDawidSkene writes the fitted model: class priors, each item's label
// and posterior, and each annotator's confusion matrix.
func printDawidSkene(w io.Writer, res agreement.DawidSkeneResult, smoothing float64, asJSON bool) error {
	if asJSON {
		out := struct {
			Metric    string  `json:"metric"`
			Smoothing float64 `json:"smoothing"`
			agreement.DawidSkeneResult
		}{"dawid-skene", smoothing, res}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	state := "converged"
	if !res.Converged {
		state = "not converged"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Dawid–Skene: %d items, %d annotators, smoothing %g, %d iterations (%s), log-likelihood %.4f\n",
		len(res.Items), len(res.Confusion), smoothing, res.Iterations, state, res.LogLikelihood)
	b.WriteString("\nclass priors:\n")
	for k, c := range res.Classes {
		fmt.Fprintf(&b, "  %s\t%.4f\n", c, res.Priors[k])
	}
	b.WriteString("\nitems (label, then the posterior of each class):\n  item\tlabel")
	for _, c := range res.Classes {
		b.WriteString("\t" + c)
	}
	b.WriteString("\n")
	for _, it := range res.Items {
		fmt.Fprintf(&b, "  %s\t%s", it.Unit, it.Label)
		for _, p := range it.Posterior {
			fmt.Fprintf(&b, "\t%.4f", p)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nconfusion matrices (row: true class; columns: the class the annotator gave):\n")
	names := make([]string, 0, len(res.Confusion))
	for a := range res.Confusion {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		fmt.Fprintf(&b, "  annotator %s\n    true\\given", a)
		for _, c := range res.Classes {
			b.WriteString("\t" + c)
		}
		b.WriteString("\n")
		for k, row := range res.Confusion[a] {
			fmt.Fprintf(&b, "    %s", res.Classes[k])
			for _, p := range row {
				fmt.Fprintf(&b, "\t%.4f", p)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
