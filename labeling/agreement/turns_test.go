package agreement

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"strings"
	"testing"
)

func rec(unit, who, answer string) AnswerRecord {
	return AnswerRecord{Unit: unit, Annotator: who, Answer: json.RawMessage(answer)}
}

func TestPerTurnRubricAgreement(t *testing.T) {
	recs := []AnswerRecord{
		rec("1", "ann", `{"turns":{"t2":{"scores":{"helpful":4}},"t4":{"scores":{"helpful":2}}}}`),
		rec("1", "bob", `{"turns":{"t2":{"scores":{"helpful":4}},"t4":{"scores":{"helpful":5}}}}`),
		rec("2", "ann", `{"turns":{"t1":{"scores":{"helpful":1}}}}`),
		rec("2", "bob", `{"turns":{"t1":{"scores":{"helpful":1}}}}`),
	}
	ratings, err := Ratings(tasktype.TaskRubric, recs)
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	for _, r := range ratings {
		if r.Annotator == "ann" {
			units = append(units, strings.ReplaceAll(r.Unit, unitSep, "|"))
		}
	}
	if strings.Join(units, " ") != "1|t2/helpful 1|t4/helpful 2|t1/helpful" {
		t.Fatalf("units %v", units)
	}
	per, err := PerLabelAgreement(tasktype.TaskRubric, recs)
	if err != nil || len(per) != 1 || per[0].Label != "helpful" || per[0].Units != 3 {
		t.Fatalf("per label %+v %v", per, err)
	}
	sc, err := ScoreItem(tasktype.TaskRubric, "1", recs[:2])
	if err != nil || sc.Value == nil || *sc.Value >= 1 {
		t.Fatalf("item score %+v %v", sc, err)
	}
}

func TestPerTurnSpans(t *testing.T) {
	// The same offsets in different turns are different spans.
	recs := []AnswerRecord{
		rec("1", "ann", `{"spans":[{"turn_id":"t1","start":0,"end":4,"label":"CITY","text":"Bern"}]}`),
		rec("1", "bob", `{"spans":[{"turn_id":"t3","start":0,"end":4,"label":"CITY","text":"Bern"}]}`),
	}
	ratings, err := Ratings(tasktype.TaskSpans, recs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(ratings, MetricSpanOverlapF1, Options{})
	if err != nil || res.Value != 0 {
		t.Fatalf("cross-turn F1 = %+v %v, want 0", res, err)
	}
	recs[1].Answer = json.RawMessage(`{"spans":[{"turn_id":"t1","start":0,"end":3,"label":"CITY","text":"Ber"}]}`)
	ratings, _ = Ratings(tasktype.TaskSpans, recs)
	if res, err := Compute(ratings, MetricSpanOverlapF1, Options{}); err != nil || res.Value != 1 {
		t.Fatalf("same-turn overlap F1 = %+v %v, want 1", res, err)
	}
	per, err := PerLabelAgreement(tasktype.TaskSpans, recs)
	if err != nil || len(per) != 1 || per[0].Label != "CITY" {
		t.Fatalf("per label %+v %v", per, err)
	}
	d, err := Disagree(tasktype.TaskSpans, []SubmissionAnswer{{1, recs[0].Answer}, {2, recs[1].Answer}})
	if err != nil || len(d.Spans) != 1 || d.Spans[0].TurnID != "t1" || d.Spans[0].Label != "CITY" || strings.Join(d.Turns, ",") != "t1" {
		t.Fatalf("disagreement %+v %v", d, err)
	}
}

func TestMajorityPerTurn(t *testing.T) {
	recs := []AnswerRecord{
		rec("1", "a", `{"turns":{"t2":{"scores":{"c":1},"rationale":"ok"},"t4":{"scores":{"c":0},"exclude":true}}}`),
		rec("1", "b", `{"turns":{"t2":{"scores":{"c":1}},"t4":{"scores":{"c":0},"exclude":true}}}`),
		rec("1", "c", `{"turns":{"t2":{"scores":{"c":0}},"t4":{"scores":{"c":0},"exclude":true}}}`),
	}
	res, err := MajorityPerTurn(recs, MajorityOptions{})
	if err != nil || !res.Decided || ToBP(res.Share) != 6667 {
		t.Fatalf("%+v %v", res, err)
	}
	if want := `{"turns":{"t2":{"scores":{"c":1},"rationale":"ok"},"t4":{"scores":{"c":0},"exclude":true}}}`; string(res.Answer) != want {
		t.Fatalf("answer %s", res.Answer)
	}
	// One turn tied: no consensus answer.
	res, _ = MajorityPerTurn(recs[1:], MajorityOptions{})
	if res.Decided || res.Answer != nil {
		t.Fatalf("tied turn decided: %+v", res)
	}
	// The reviewer sees which turns differ, exclude marks included.
	d, err := Disagree(tasktype.TaskRubric, []SubmissionAnswer{{1, recs[0].Answer}, {2, recs[2].Answer}})
	if err != nil || strings.Join(d.Turns, ",") != "t2" || d.Unanimous {
		t.Fatalf("disagreement %+v %v", d, err)
	}
	d, _ = Disagree(tasktype.TaskRubric, []SubmissionAnswer{{1, json.RawMessage(`{"turns":{"t2":{"scores":{"c":1}}}}`)}, {2, json.RawMessage(`{"turns":{"t2":{"scores":{"c":1},"exclude":true}}}`)}})
	if d.Unanimous || strings.Join(d.Turns, ",") != "t2" {
		t.Fatalf("exclude difference: %+v", d)
	}
}
