package equity

import (
	"bytes"
	"strings"
	"testing"
)

// A statement CSV neutralises cells a spreadsheet would run as formulas and
// leaves its (often negative) amounts as numbers.
func TestStatementCSVNeutralisesFormulaCells(t *testing.T) {
	st := Statement{MemberID: 3, ModelID: 1, Unit: "=HYPERLINK(\"http://evil\")", Opening: -2_500_000,
		Lines: []StatementLine{{TxID: 9, Kind: KindTransfer, Key: "@SUM(1+1)", Book: "vested", Account: "member:3:vested",
			Category: "transfer_in", Amount: -1_500_000}}}
	var b bytes.Buffer
	if err := st.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`"'=HYPERLINK(""http://evil"")"`, `"'@SUM(1+1)"`, "opening,-2.500000\n", ",-1.500000,"} {
		if !strings.Contains(out, want) {
			t.Errorf("statement lacks %s:\n%s", want, out)
		}
	}
}
