package agreement

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"testing"
)

func TestDisagree(t *testing.T) {
	d, err := Disagree(tasktype.TaskRanking, []SubmissionAnswer{
		{1, json.RawMessage(`{"ranking":[["r1"],["r2"]]}`)},
		{2, json.RawMessage(`{"ranking":[["r2"],["r1"]]}`)},
	})
	if err != nil || d.Unanimous || len(d.Fields) != 2 || !d.Fields[0].Differ || d.Fields[0].Spread != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = Disagree(tasktype.TaskSpans, []SubmissionAnswer{
		{1, json.RawMessage(`{"spans":[{"start":0,"end":4,"label":"PER"},{"start":10,"end":12,"label":"LOC"}]}`)},
		{2, json.RawMessage(`{"spans":[{"start":0,"end":5,"label":"PER"},{"start":10,"end":12,"label":"LOC"}]}`)},
	})
	if err != nil || d.Unanimous || len(d.Spans) != 1 || d.Spans[0].Label != "PER" || len(d.Spans[0].Marks) != 2 {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = Disagree(tasktype.TaskClassification, []SubmissionAnswer{{1, json.RawMessage(`{"choice":"a"}`)}, {2, json.RawMessage(`{"choice":"a"}`)}})
	if err != nil || !d.Unanimous || len(d.Differing) != 0 {
		t.Fatalf("%+v %v", d, err)
	}
}
