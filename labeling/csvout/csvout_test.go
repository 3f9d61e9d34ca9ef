package csvout

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, recs ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	if err := NewWriter(&b).WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFormulaCellsAreNeutralised(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=1+2", `"'=1+2"`},
		{"=HYPERLINK(\"http://x\",\"y\")", `"'=HYPERLINK(""http://x"",""y"")"`},
		{"+cmd|' /C calc'!A0", `"'+cmd|' /C calc'!A0"`},
		{"-2+3", `"'-2+3"`},
		{"@SUM(A1:A9)", `"'@SUM(A1:A9)"`},
		{"\t=1", "\"'\t=1\""},
		{"\r=1", "\"'\r=1\""},
		{"=a,b", `"'=a,b"`},
		{"-", `"'-"`},
		{"'=x", `"''=x"`}, // so that Restore is exact
		{"-1.500000", "-1.500000"},
		{"+7", "+7"},
		{"-12", "-12"},
		{"plain", "plain"},
		{"a,b", `"a,b"`},
		{" lead", `" lead"`},
		{"", ""},
		{"it's", "it's"},
		{"x=1", "x=1"},
	} {
		if got := write(t, []string{tc.in}); got != tc.want+"\n" {
			t.Errorf("%q written as %q, want %q", tc.in, got, tc.want+"\n")
		}
	}
}

// Files without formula cells are byte for byte what encoding/csv writes,
// and every file reads back exactly with Restore.
func TestSameAsEncodingCSVAndRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "7", ".", ",", "\"", "\n", "\r", " ", "\t", "=", "+", "-", "@", "'", "é", "\u00a0", `\`}
	cell := func() string {
		var b strings.Builder
		for n := r.IntN(6); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 3000 {
		rec := make([]string, 1+r.IntN(4))
		for i := range rec {
			rec[i] = cell()
		}
		if r.IntN(20) == 0 {
			rec[0] = `\.`
		}
		got := write(t, rec)
		if !slices.ContainsFunc(rec, Dangerous) {
			var want bytes.Buffer
			cw := csv.NewWriter(&want)
			cw.Write(rec)
			cw.Flush()
			if got != want.String() {
				t.Fatalf("%q: got %q, encoding/csv %q", rec, got, want.String())
			}
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // an empty line, which CSV readers skip
		}
		cr := csv.NewReader(strings.NewReader(got))
		cr.FieldsPerRecord = -1
		back, err := cr.Read()
		if err != nil {
			t.Fatalf("%q written as %q does not read back: %v", rec, got, err)
		}
		for i := range back {
			back[i] = Restore(back[i])
		}
		// encoding/csv's reader turns \r\n inside a quoted field into \n.
		norm := func(s []string) []string {
			out := slices.Clone(s)
			for i := range out {
				out[i] = strings.ReplaceAll(out[i], "\r\n", "\n")
			}
			return out
		}
		if !slices.Equal(norm(back), norm(rec)) && !strings.Contains(strings.Join(rec, ""), "\r") {
			t.Fatalf("%q read back as %q", rec, back)
		}
	}
}
