package agreement

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"testing"
)

func recs(answers ...string) []AnswerRecord {
	out := make([]AnswerRecord, len(answers))
	for i, a := range answers {
		out[i] = AnswerRecord{Unit: "1", Annotator: string(rune('a' + i)), Answer: json.RawMessage(a)}
	}
	return out
}

func TestScoreItem(t *testing.T) {
	for _, c := range []struct {
		name    string
		tt      tasktype.TaskType
		answers []string
		metric  string
		wantBP  *int // nil = undefined
	}{
		{"classification agree", tasktype.TaskClassification, []string{`{"choice":"a"}`, `{"choice":"a"}`, `{"choice":"a"}`}, MetricPercent, bpPtr(10000)},
		{"classification 2 of 3", tasktype.TaskClassification, []string{`{"choice":"a"}`, `{"choice":"a"}`, `{"choice":"b"}`}, MetricPercent, bpPtr(3333)},
		{"single answer", tasktype.TaskClassification, []string{`{"choice":"a"}`}, MetricPercent, nil},
		{"multilabel per label", tasktype.TaskMultiLabel, []string{`{"choices":["x","y"]}`, `{"choices":["x"]}`}, MetricPercent, bpPtr(5000)},
		{"spans overlap", tasktype.TaskSpans, []string{`{"spans":[{"start":0,"end":4,"label":"PER"}]}`, `{"spans":[{"start":0,"end":5,"label":"PER"}]}`}, MetricSpanOverlapF1, bpPtr(10000)},
		{"spans disjoint", tasktype.TaskSpans, []string{`{"spans":[{"start":0,"end":4,"label":"PER"}]}`, `{"spans":[{"start":6,"end":9,"label":"PER"}]}`}, MetricSpanOverlapF1, bpPtr(0)},
		{"ranking reversed", tasktype.TaskRanking, []string{`{"ranking":[["r1"],["r2"],["r3"]]}`, `{"ranking":[["r3"],["r2"],["r1"]]}`}, MetricKendallTau, bpPtr(-10000)},
		{"rewrite", tasktype.TaskRewrite, []string{`{"text":"a"}`, `{"text":"b"}`}, "", nil},
	} {
		sc, err := ScoreItem(c.tt, "1", recs(c.answers...))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if sc.Metric != c.metric {
			t.Errorf("%s: metric %s, want %s", c.name, sc.Metric, c.metric)
		}
		switch {
		case c.wantBP == nil && sc.BP != nil:
			t.Errorf("%s: score %d, want undefined", c.name, *sc.BP)
		case c.wantBP != nil && (sc.BP == nil || *sc.BP != *c.wantBP):
			t.Errorf("%s: score %v (%s), want %d", c.name, sc.BP, sc.Reason, *c.wantBP)
		case c.wantBP == nil && sc.Reason == "":
			t.Errorf("%s: undefined without a reason", c.name)
		}
	}
}

func TestCheckGold(t *testing.T) {
	g, err := CheckGold(tasktype.TaskClassification, json.RawMessage(`{"choice":"pos"}`), json.RawMessage(`{"choice":"neg"}`))
	if err != nil || g.Correct || g.Expected != "pos" || g.Given != "neg" || g.ScoreBP != 0 {
		t.Fatalf("%+v %v", g, err)
	}
	g, err = CheckGold(tasktype.TaskMultiLabel, json.RawMessage(`{"choices":["a","b"]}`), json.RawMessage(`{"choices":["a"]}`))
	if err != nil || g.Correct || g.ScoreBP != 5000 {
		t.Fatalf("%+v %v", g, err)
	}
}

func TestPerLabelAgreementShapes(t *testing.T) {
	rs := []AnswerRecord{
		{"1", "a", json.RawMessage(`{"scores":{"helpful":4,"safe":1}}`)},
		{"1", "b", json.RawMessage(`{"scores":{"helpful":5,"safe":1}}`)},
		{"2", "a", json.RawMessage(`{"scores":{"helpful":2,"safe":0}}`)},
		{"2", "b", json.RawMessage(`{"scores":{"helpful":1,"safe":0}}`)},
	}
	la, err := PerLabelAgreement(tasktype.TaskRubric, rs)
	if err != nil || len(la) != 2 || la[0].Label != "helpful" || la[0].Metric != MetricAlphaInterval || la[0].Value == nil {
		t.Fatalf("%+v %v", la, err)
	}
	ratings, err := Ratings(tasktype.TaskRubric, rs)
	if err != nil || len(ratings) != 4*2 {
		t.Fatalf("%d ratings, %v", len(ratings), err)
	}
	mv, err := ProjectMetrics(tasktype.TaskRubric, ratings)
	if err != nil || len(mv) != len(MetricsFor("rubric")) {
		t.Fatalf("%+v %v", mv, err)
	}
}

func bpPtr(v int) *int { return &v }
