package dataset

import (
	"encoding/json"
	"strings"
	"testing"

	"copyhold/labeling/agreement"
	"copyhold/labeling/tasktype"
)

// Item data, answers and annotator names that a spreadsheet would run as a
// formula are neutralised in the csv and long exports (a single quote, and
// the cell quoted), and the long export still reads back exactly.
func TestCSVExportsNeutraliseFormulaCells(t *testing.T) {
	rows := []ExportRow{{ItemID: 1, ExternalID: "@ext", Data: json.RawMessage(`{"text":"=HYPERLINK(\"http://evil\",\"x\")","n":"-3"}`),
		Answer: json.RawMessage(`{"choice":"+pos"}`), Annotator: "=cmd|' /C calc'!A0",
		Schema: json.RawMessage(`{"field":"text","choices":[{"value":"+pos"},{"value":"neg"}]}`)}}
	csvOut, _ := exportWrite(t, ExportOptions{Format: ExportCSV, TaskType: tasktype.TaskClassification}, rows)
	for _, want := range []string{`"'@ext"`, `"'=HYPERLINK(""http://evil"",""x"")"`, `"'+pos"`, `"'=cmd|' /C calc'!A0"`, ",-3,"} {
		if !strings.Contains(csvOut, want) {
			t.Errorf("csv export lacks %s:\n%s", want, csvOut)
		}
	}
	long, _ := exportWrite(t, ExportOptions{Format: ExportLong, TaskType: tasktype.TaskClassification}, rows)
	if !strings.Contains(long, `"'=cmd|' /C calc'!A0","'+pos"`) {
		t.Errorf("long export:\n%s", long)
	}
	ratings, err := agreement.ReadRatings(strings.NewReader(long), agreement.RatingsCSV)
	if err != nil || len(ratings) != 1 || ratings[0].Annotator != "=cmd|' /C calc'!A0" || ratings[0].Value != "+pos" {
		t.Fatalf("long export reads back as %+v, %v", ratings, err)
	}
}
