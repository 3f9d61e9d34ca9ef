package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"copyhold/labeling/agreement"
)

const agreementAbout = `Compute inter-annotator agreement for a long-format ratings file.

Usage: copyhold agreement --metric NAME [--level LEVEL] [--weights W] [--json] FILE
       copyhold agreement --metric dawid-skene [--smoothing S] [--order C1,C2,…] [--json] FILE

FILE is CSV with a header naming item (or unit), annotator and value columns,
or JSON lines {"item":…, "annotator":…, "value":…}; the format comes from the
extension (.csv, .jsonl) unless --format says. Blank or null values are missing.

Metrics:
  percent          mean share of agreeing pairs per item
  cohen            Cohen's kappa, two annotators (more: mean over pairs);
                   --weights linear|quadratic for ordered categories
  fleiss           Fleiss' kappa; every item needs the same number of ratings
  alpha            Krippendorff's alpha, --level nominal|ordinal|interval|ratio;
                   handles missing values and any number of annotators
  kendall          Kendall's tau-b; values are ranks (two annotators, more: mean)
  span_exact_f1    span F1, values are JSON lists of {"start","end","label"}
  span_overlap_f1  as above, counting overlapping same-label spans as matches
  dawid-skene      not a coefficient: Dawid & Skene (1979)'s EM estimate of each
                   item's true class (label and posterior per class), the class
                   priors and each annotator's confusion matrix. An annotator may
                   rate an item more than once. --smoothing adds a pseudo-count to
                   every confusion cell and prior (default 0.01; 0 is plain
                   maximum likelihood, as in the paper); --order fixes the classes

Ordinal and weighted metrics need numeric values or --order.`

// cmdAgreement prints one agreement metric for a ratings file.
func cmdAgreement(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agreement", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; --help goes to stdout
	metric := fs.String("metric", "", "metric: percent, cohen, fleiss, alpha, kendall, span_exact_f1, span_overlap_f1, dawid-skene")
	level := fs.String("level", "", "alpha level: nominal, ordinal, interval or ratio (default nominal)")
	weights := fs.String("weights", "", "Cohen's kappa weights: linear or quadratic (default unweighted)")
	order := fs.String("order", "", "comma-separated categories, lowest first, when values are not numbers")
	format := fs.String("format", "", "csv or jsonl (default: from the file extension)")
	asJSON := fs.Bool("json", false, "print a JSON object instead of one line")
	smoothing := fs.String("smoothing", "", "dawid-skene: pseudo-count per confusion cell and prior, >= 0 (default 0.01; 0 = maximum likelihood)")
	printUsage := func(w io.Writer) {
		fs.SetOutput(w)
		fmt.Fprintf(w, "copyhold agreement: %s\n\nFlags:\n", agreementAbout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}

	// Flags may come before or after FILE.
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(stdout)
				return nil
			}
			fmt.Fprintln(stderr, "usage: copyhold agreement --metric NAME [--level LEVEL] [--weights W] [--json] FILE (--help for more)")
			return fmt.Errorf("agreement: %w", err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if len(files) != 1 {
		return fmt.Errorf("agreement: give exactly one ratings file, got %d (--help for usage)", len(files))
	}
	ds := isDawidSkene(*metric)
	var name, base, lvl string
	var err error
	if ds {
		if *level != "" || *weights != "" {
			return fmt.Errorf("agreement: --level and --weights do not apply to dawid-skene")
		}
	} else if *smoothing != "" {
		return fmt.Errorf("agreement: --smoothing applies to dawid-skene only")
	} else if name, base, lvl, err = agreementMetricName(*metric, *level, *weights); err != nil {
		return fmt.Errorf("agreement: %w", err)
	}
	display := base
	if lvl != "" {
		display += " (" + lvl + ")"
	}
	var opts agreement.Options
	if *order != "" {
		for _, c := range strings.Split(*order, ",") {
			opts.Order = append(opts.Order, strings.TrimSpace(c))
		}
	}

	path := files[0]
	if *format == "" {
		if *format, err = agreement.RatingsFormatFromPath(path); err != nil {
			return fmt.Errorf("agreement: %w (or pass --format)", err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("agreement: %w", err)
	}
	defer f.Close()
	ratings, err := agreement.ReadRatings(agreementCtxReader{ctx, f}, *format)
	if err != nil {
		return fmt.Errorf("agreement: %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ds {
		sm, err := parseSmoothing(*smoothing)
		if err != nil {
			return fmt.Errorf("agreement: %w", err)
		}
		res, err := agreement.DawidSkene(ratings, agreement.DawidSkeneOptions{Classes: opts.Order, Smoothing: sm})
		if err != nil {
			return fmt.Errorf("agreement: dawid-skene: %w", err)
		}
		used := agreement.DefaultDawidSkeneSmoothing
		if sm != nil {
			used = *sm
		}
		return printDawidSkene(stdout, res, used, *asJSON)
	}
	res, err := agreement.Compute(ratings, name, opts)
	if err != nil {
		return fmt.Errorf("agreement: %s: %w", display, err)
	}

	if *asJSON {
		out := struct {
			Metric     string             `json:"metric"`
			Level      string             `json:"level,omitempty"`
			Value      float64            `json:"value"`
			Units      int                `json:"units"`
			Annotators int                `json:"annotators"`
			Pairable   int                `json:"pairable_values"`
			Ratings    int                `json:"ratings"`
			Details    map[string]float64 `json:"details,omitempty"`
		}{base, lvl, res.Value, res.Units, res.Annotators, res.Pairable, len(ratings), res.Details}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	line := fmt.Sprintf("%s = %.3f", display, res.Value)
	if pairs := res.Details["pairs"]; pairs > 1 {
		line += fmt.Sprintf(" (mean over %d annotator pairs)", int(pairs))
	}
	_, err = fmt.Fprintln(stdout, line)
	return err
}

// agreementMetricName maps the CLI's metric, level and weights to a
// labeling metric name, the CLI's base name and the level or weights.
func agreementMetricName(metric, level, weights string) (name, base, lvl string, err error) {
	// Full names such as alpha_interval or cohen_linear are accepted too.
	if family, suffix, ok := strings.Cut(metric, "_"); ok && (family == "alpha" || family == "cohen") {
		if (family == "alpha" && level != "" && level != suffix) || (family == "cohen" && weights != "" && weights != suffix) {
			return "", "", "", fmt.Errorf("--metric %s conflicts with --level/--weights", metric)
		}
		metric = family
		if family == "alpha" {
			level = suffix
		} else {
			weights = suffix
		}
	}
	if level != "" && metric != "alpha" {
		return "", "", "", fmt.Errorf("--level applies to alpha only")
	}
	if weights != "" && metric != "cohen" {
		return "", "", "", fmt.Errorf("--weights applies to cohen only")
	}
	switch metric {
	case "":
		return "", "", "", fmt.Errorf("--metric is required (percent, cohen, fleiss, alpha, kendall, span_exact_f1, span_overlap_f1, dawid-skene)")
	case "percent", "fleiss", "span_exact_f1", "span_overlap_f1":
		return metric, metric, "", nil
	case "kendall", "kendall_tau":
		return agreement.MetricKendallTau, "kendall", "", nil
	case "alpha":
		if level == "" {
			level = "nominal"
		}
		switch level {
		case "nominal", "ordinal", "interval", "ratio":
			return "alpha_" + level, "alpha", level, nil
		}
		return "", "", "", fmt.Errorf("--level is nominal, ordinal, interval or ratio, not %q", level)
	case "cohen":
		switch weights {
		case "":
			return agreement.MetricCohen, "cohen", "", nil
		case "linear", "quadratic":
			return "cohen_" + weights, "cohen", weights, nil
		}
		return "", "", "", fmt.Errorf("--weights is linear or quadratic, not %q", weights)
	}
	return "", "", "", fmt.Errorf("unknown metric %q (percent, cohen, fleiss, alpha, kendall, span_exact_f1, span_overlap_f1)", metric)
}

// agreementCtxReader stops a long read when the command is cancelled.
type agreementCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c agreementCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
