package labeling

import (
	"copyhold/labeling/fault"
	"encoding/json"
	"errors"
	"testing"
)

func bpPtr(v int) *int { return &v }

func TestRoute(t *testing.T) {
	on := DefaultReviewSettings(1)
	on.AutoAccept, on.AutoAcceptBP, on.SampleRateBP = true, 8000, 1000
	off := DefaultReviewSettings(1)
	for _, c := range []struct {
		name    string
		s       ReviewSettings
		in      RouteInput
		want    ReviewRoute
		reasons string
	}{
		{"auto", on, RouteInput{AgreementBP: bpPtr(8000), SampleDraw: 1000}, RouteAuto, "[]"},
		{"sampled", on, RouteInput{AgreementBP: bpPtr(9000), SampleDraw: 999}, RouteSample, "[sampled]"},
		{"below", on, RouteInput{AgreementBP: bpPtr(7999), SampleDraw: 5000}, RouteReview, "[below_threshold]"},
		{"undefined", on, RouteInput{SampleDraw: 5000}, RouteReview, "[agreement_undefined]"},
		{"gold", on, RouteInput{AgreementBP: bpPtr(10000), GoldFailed: true, SampleDraw: 5000}, RouteReview, "[gold_failed]"},
		{"probation", on, RouteInput{AgreementBP: bpPtr(10000), OnProbation: true, SampleDraw: 5000}, RouteReview, "[labeller_on_probation]"},
		{"off", off, RouteInput{AgreementBP: bpPtr(10000), SampleDraw: 5000}, RouteReview, "[auto_accept_off]"},
	} {
		got, reasons := Route(c.s, c.in)
		if got != c.want || fmtList(reasons) != c.reasons {
			t.Errorf("%s: route %s %v, want %s %s", c.name, got, reasons, c.want, c.reasons)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}

func TestSampleDrawIsDeterministicAndSpread(t *testing.T) {
	if SampleDrawBP(7, 42, 1) != SampleDrawBP(7, 42, 1) {
		t.Fatal("draw is not reproducible")
	}
	under := 0
	for i := range int64(10_000) {
		if SampleDrawBP(7, i, 1) < 2000 {
			under++
		}
	}
	if under < 1800 || under > 2200 {
		t.Fatalf("%d of 10000 draws under 20%%", under)
	}
}

func TestSubmissionStateMachine(t *testing.T) {
	for _, c := range []struct {
		from  SubmissionStatus
		d     Decision
		final bool
		want  SubmissionStatus
		err   *fault.Error
	}{
		{SubmissionSubmitted, DecisionAccept, false, SubmissionAccepted, nil},
		{SubmissionSubmitted, DecisionReject, false, SubmissionRejected, nil},
		{SubmissionSubmitted, DecisionCorrect, false, SubmissionCorrected, nil},
		{SubmissionAccepted, DecisionReject, false, "", ErrAlreadyDecided},
		{SubmissionRejected, DecisionAccept, false, "", ErrAlreadyDecided},
		{SubmissionDisputed, DecisionAccept, true, SubmissionAccepted, nil},
		{SubmissionDisputed, DecisionReject, true, SubmissionRejected, nil},
		{SubmissionDisputed, DecisionCorrect, true, "", ErrDecisionInvalid},
		{SubmissionRejected, DecisionAccept, true, "", ErrAlreadyDecided},
	} {
		got, err := NextStatus(c.from, c.d, c.final)
		if got != c.want || (c.err == nil) != (err == nil) || (c.err != nil && !errors.Is(err, c.err)) {
			t.Errorf("%s --%s(final=%v)--> %s, %v; want %s, %v", c.from, c.d, c.final, got, err, c.want, c.err)
		}
	}
	if err := CanDispute(SubmissionRejected, false); err != nil {
		t.Fatal(err)
	}
	if err := CanDispute(SubmissionRejected, true); !errors.Is(err, ErrAlreadyDisputed) {
		t.Fatal(err)
	}
	if err := CanDispute(SubmissionAccepted, false); !errors.Is(err, ErrNotRejected) {
		t.Fatal(err)
	}
}

func TestCheckDecision(t *testing.T) {
	s := DefaultReviewSettings(1)
	ok := []DecisionInput{
		{SubmissionID: 1, Decision: DecisionAccept},
		{SubmissionID: 1, Decision: DecisionReject, Reason: " wrong_label "},
		{SubmissionID: 1, Decision: DecisionCorrect, CorrectedAnswer: json.RawMessage(`{"choice":"a"}`)},
	}
	for _, d := range ok {
		if _, err := CheckDecision(d, s, false); err != nil {
			t.Errorf("%+v: %v", d, err)
		}
	}
	bad := []struct {
		d     DecisionInput
		final bool
		err   *fault.Error
	}{
		{DecisionInput{Decision: "maybe"}, false, ErrDecisionInvalid},
		{DecisionInput{Decision: DecisionReject, Reason: "nope"}, false, ErrUnknownRejectReason},
		{DecisionInput{Decision: DecisionReject}, false, ErrUnknownRejectReason},
		{DecisionInput{Decision: DecisionAccept, Reason: "other"}, false, ErrDecisionInvalid},
		{DecisionInput{Decision: DecisionCorrect}, false, ErrDecisionInvalid},
		{DecisionInput{Decision: DecisionAccept, CorrectedAnswer: json.RawMessage(`{}`)}, false, ErrDecisionInvalid},
		{DecisionInput{Decision: DecisionCorrect, CorrectedAnswer: json.RawMessage(`{}`)}, true, ErrDecisionInvalid},
	}
	for _, c := range bad {
		if _, err := CheckDecision(c.d, s, c.final); !errors.Is(err, c.err) {
			t.Errorf("%+v: %v, want %s", c.d, err, c.err.Code)
		}
	}
}

func TestReviewSettingsPatch(t *testing.T) {
	s := DefaultReviewSettings(1)
	thr := 12000
	if _, err := (ReviewSettingsPatch{AutoAcceptBP: &thr}).Apply(s); err == nil {
		t.Fatal("threshold above 10000 accepted")
	}
	dup := []string{"a", " a"}
	if _, err := (ReviewSettingsPatch{RejectReasons: &dup}).Apply(s); err == nil {
		t.Fatal("duplicate reasons accepted")
	}
	tie := "coin"
	if _, err := (ReviewSettingsPatch{TiePolicy: &tie}).Apply(s); err == nil {
		t.Fatal("unknown tie policy accepted")
	}
	reasons := []string{" spam ", "off_topic"}
	got, err := (ReviewSettingsPatch{RejectReasons: &reasons}).Apply(s)
	if err != nil || got.RejectReasons[0] != "spam" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestStanding(t *testing.T) {
	s := DefaultReviewSettings(1)
	s.GoldThresholdBP, s.GoldWindow = 7000, 3
	if g := Standing(s, nil); g.OnProbation || g.Recent.AccuracyBP != nil {
		t.Fatalf("no gold: %+v", g)
	}
	// Newest first: the old misses fall out of the window.
	if g := Standing(s, []bool{true, true, true, false, false}); g.OnProbation || *g.Recent.AccuracyBP != 10000 {
		t.Fatalf("recovered: %+v", g)
	}
	if g := Standing(s, []bool{false, true, true}); !g.OnProbation || g.Reason == "" {
		t.Fatalf("2 of 3 < 70%%: %+v", g)
	}
	s.GoldThresholdBP = 0
	if g := Standing(s, []bool{false}); g.OnProbation {
		t.Fatal("threshold 0 never routes")
	}
}
