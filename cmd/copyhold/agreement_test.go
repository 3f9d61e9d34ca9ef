package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling/agreement"
)

// Krippendorff (2011)'s four-observer example in long format.
func agreementPaperCSV(t *testing.T) string {
	t.Helper()
	rows := map[string]string{
		"A": "1 2 3 3 2 1 4 1 2 . . .",
		"B": "1 2 3 3 2 2 4 1 2 5 . 3",
		"C": ". 3 3 3 2 3 4 2 2 5 1 .",
		"D": "1 2 3 3 2 4 4 1 2 5 1 .",
	}
	var b strings.Builder
	b.WriteString("unit,annotator,value\n")
	for _, a := range []string{"A", "B", "C", "D"} {
		for u, v := range strings.Fields(rows[a]) {
			if v == "." {
				v = ""
			}
			fmt.Fprintf(&b, "u%d,%s,%s\n", u+1, a, v)
		}
	}
	return agreementWrite(t, "paper.csv", b.String())
}

func agreementWrite(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func agreementRun(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := cmdAgreement(context.Background(), args, &out, &errOut)
	return out.String(), err
}

func TestAgreementCommandPaperExample(t *testing.T) {
	path := agreementPaperCSV(t)
	for args, want := range map[string]string{
		"--metric alpha":                  "alpha (nominal) = 0.743\n",
		"--metric alpha --level ordinal":  "alpha (ordinal) = 0.815\n",
		"--metric alpha --level interval": "alpha (interval) = 0.849\n",
		"--metric alpha_ratio":            "alpha (ratio) = 0.797\n",
		"--metric percent":                "",
		"--metric cohen --weights linear": "",
		"--metric kendall":                "",
	} {
		got, err := agreementRun(append(strings.Fields(args), path)...)
		if err != nil {
			t.Errorf("%s: %v", args, err)
			continue
		}
		if want != "" && got != want {
			t.Errorf("%s: got %q, want %q", args, got, want)
		}
	}
	// Flags after the file work too.
	if got, err := agreementRun(path, "--metric", "alpha", "--level", "interval"); err != nil || got != "alpha (interval) = 0.849\n" {
		t.Errorf("flags after file: %q, %v", got, err)
	}
}

func TestAgreementCommandJSON(t *testing.T) {
	got, err := agreementRun("--metric", "alpha", "--level", "interval", "--json", agreementPaperCSV(t))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Metric     string             `json:"metric"`
		Level      string             `json:"level"`
		Value      float64            `json:"value"`
		Units      int                `json:"units"`
		Annotators int                `json:"annotators"`
		Pairable   int                `json:"pairable_values"`
		Details    map[string]float64 `json:"details"`
	}
	if err := json.Unmarshal([]byte(got), &out); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if out.Metric != "alpha" || out.Level != "interval" || fmt.Sprintf("%.3f", out.Value) != "0.849" ||
		out.Units != 11 || out.Annotators != 4 || out.Pairable != 40 || out.Details["expected_disagreement"] == 0 {
		t.Errorf("json = %+v", out)
	}
}

func TestAgreementCommandJSONL(t *testing.T) {
	// Fleiss needs equal counts; two annotators on three items.
	path := agreementWrite(t, "r.jsonl", `{"item":"a","annotator":"x","value":"yes"}
{"item":"a","annotator":"y","value":"yes"}
{"item":"b","annotator":"x","value":"no"}
{"item":"b","annotator":"y","value":"no"}
{"item":"c","annotator":"x","value":"yes"}
{"item":"c","annotator":"y","value":null}
`)
	if got, err := agreementRun("--metric", "fleiss", path); err != nil || got != "fleiss = 1.000\n" {
		t.Errorf("fleiss: %q, %v", got, err)
	}
}

func TestAgreementCommandMalformed(t *testing.T) {
	path := agreementWrite(t, "bad.csv", "item,annotator,value\nu1,a,1\nu1,b,2\nu2,,1\n")
	_, err := agreementRun("--metric", "alpha", path)
	if !errors.Is(err, agreement.ErrBadRatingRow) || !strings.Contains(err.Error(), `line 4: missing "annotator"`) {
		t.Errorf("err = %v, want line 4 reported", err)
	}
}

func TestAgreementCommandUndefined(t *testing.T) {
	path := agreementWrite(t, "same.csv", "item,annotator,value\nu1,a,x\nu1,b,x\nu2,a,x\nu2,b,x\n")
	_, err := agreementRun("--metric", "alpha", path)
	if !errors.Is(err, agreement.ErrMetricUndefined) || !strings.Contains(err.Error(), "expected disagreement is 0") {
		t.Errorf("err = %v, want undefined with a reason", err)
	}
	single := agreementWrite(t, "one.csv", "item,annotator,value\nu1,a,x\nu2,a,y\n")
	if _, err := agreementRun("--metric", "cohen", single); !errors.Is(err, agreement.ErrMetricUndefined) {
		t.Errorf("single annotator: err = %v", err)
	}
}

func TestAgreementCommandUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := cmdAgreement(context.Background(), []string{"--help"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "inter-annotator agreement") || !strings.Contains(out.String(), "-metric") {
		t.Errorf("help = %q", out.String())
	}
	path := agreementPaperCSV(t)
	for _, args := range [][]string{
		{path},                      // no metric
		{"--metric", "vibes", path}, // unknown
		{"--metric", "alpha", "--level", "x", path}, // bad level
		{"--metric", "fleiss", "--weights", "linear", path},
		{"--metric", "alpha"}, // no file
		{"--metric", "alpha", filepath.Join(t.TempDir(), "r.txt")},
		{"--metric", "alpha", filepath.Join(t.TempDir(), "missing.csv")},
		{"--nope", path},
	} {
		if _, err := agreementRun(args...); err == nil {
			t.Errorf("%q: want an error", args)
		}
	}
}

// The 1979 paper's example through the command: labels, posteriors, priors
// and confusion matrices, with the paper's smoothing (none).
func TestAgreementCommandDawidSkene(t *testing.T) {
	src, err := os.ReadFile("../../labeling/agreement/testdata/dawid_skene_1979.csv")
	if err != nil {
		t.Fatal(err)
	}
	path := agreementWrite(t, "ds.csv", string(src))
	out, err := agreementRun("--metric", "dawid-skene", "--smoothing", "0", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"smoothing 0,", "class priors:\n  1\t0.3996\n  2\t0.4220", "  2\t4\t0.0000\t0.0000\t0.0000\t1.0000\n",
		"annotator 1\n    true\\given\t1\t2\t3\t4\n    1\t0.8895\t0.1105"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = agreementRun("--metric", "dawid-skene", "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Smoothing float64
		Priors    []float64
		Items     []agreement.DawidSkeneItem
		Confusion map[string][][]float64
	}
	mustDecode(t, out, &res)
	if res.Smoothing != agreement.DefaultDawidSkeneSmoothing || len(res.Priors) != 4 || len(res.Items) != 45 || len(res.Confusion) != 5 {
		t.Errorf("json: %+v", res)
	}
	for _, bad := range [][]string{{"--smoothing", "-1"}, {"--smoothing", "x"}, {"--level", "ordinal"}} {
		if _, err := agreementRun(append([]string{"--metric", "dawid-skene", path}, bad...)...); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	if _, err := agreementRun("--metric", "alpha", "--smoothing", "1", path); err == nil {
		t.Errorf("--smoothing with alpha: want an error")
	}
}

func mustDecode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}
