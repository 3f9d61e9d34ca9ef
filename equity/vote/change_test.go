package vote

import (
	"errors"
	"strings"
	"testing"
	"time"

	"copyhold/equity"
)

func TestChangeValidateRefusesNamingTheField(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		json  string
		field string
	}{
		{`{"kind":"governance","transfer_fee_bp":-1}`, "transfer_fee_bp"},
		{`{"kind":"governance","holding_cap_bp":10001}`, "holding_cap_bp"},
		{`{"kind":"governance","holding_cap_bp":0}`, "holding_cap_bp"},
		{`{"kind":"governance","cap_floor":"-5"}`, "cap_floor"},
		{`{"kind":"governance","reserve_share_bp":20000}`, "reserve_share_bp"},
		{`{"kind":"governance","exit_rule":"market"}`, "exit_rule"},
		{`{"kind":"governance"}`, "transfer_fee_bp"},
		{`{"kind":"governance","transfer_fee_bp":100,"project_id":3}`, "project_id"},
		{`{"kind":"rate_card","annotation_accepted":"1"}`, "project_id"},
		{`{"kind":"rate_card","project_id":3}`, "annotation_accepted"},
		{`{"kind":"rate_card","project_id":3,"annotation_accepted":"0"}`, "annotation_accepted"},
		{`{"kind":"rate_card","project_id":3,"correction":"-0.5"}`, "correction"},
		{`{"kind":"rate_card","project_id":3,"review_decision":"0.0000001"}`, "review_decision"},
		{`{"kind":"rate_card","project_id":3,"correction_labeller_bp":10001}`, "correction_labeller_bp"},
		{`{"kind":"rate_card","project_id":3,"difficulty":{"hard":-1}}`, "difficulty"},
		{`{"kind":"default_rate_card","band":{"min":{"annotation_accepted":"-1"},"max":{}}}`, "band.min.annotation_accepted"},
		{`{"kind":"entry_rule","admission":"auction"}`, "admission"},
		{`{"kind":"entry_rule","entry_fee":"-1"}`, "entry_fee"},
		{`{"kind":"work_limits","daily_stint":-1}`, "daily_stint"},
		{`{"kind":"work_limits","sensitive_max":1000}`, "sensitive_max"},
		{`{"kind":"distribution","amount":"10","currency":"EUR","source":"s","record_date":"2026-01-01"}`, "model_id"},
		{`{"kind":"distribution","model_id":1,"amount":"-10","currency":"EUR","source":"s","record_date":"2026-01-01"}`, "amount"},
		{`{"kind":"distribution","model_id":1,"amount":"10","currency":"euro","source":"s","record_date":"2026-01-01"}`, "currency"},
		{`{"kind":"distribution","model_id":1,"amount":"10","currency":"EUR","source":"s","record_date":"2027-01-01"}`, "record_date"},
		{`{"kind":"distribution","model_id":1,"amount":"10","currency":"EUR","record_date":"2026-01-01"}`, "source"},
		{`{"kind":"release_license","license":"CC-BY-4.0"}`, "release_id"},
		{`{"kind":"release_license","release_id":2}`, "license"},
		{`{"kind":"constitution"}`, "quorum_bp"},
		{`{"kind":"motion"}`, "text"},
		{`{"kind":"coup"}`, "kind"},
	} {
		c, err := ParseChange(tc.json)
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		err = c.Validate(now)
		if !errors.Is(err, ErrInvalidChange) || !strings.Contains(err.Error(), "change."+tc.field+" ") {
			t.Errorf("%s: err = %v, want invalid_change naming change.%s", tc.json, err, tc.field)
		}
	}
}

func TestChangeValidateNormalises(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, _ := ParseChange(`{"kind":"rate_card","project_id":3,"annotation_accepted":"1.5","correction":"0"}`)
	if err := c.Validate(now); err != nil {
		t.Fatal(err)
	}
	if *c.AnnotationAccepted != "1.500000" || *c.Correction != "0.000000" {
		t.Fatalf("not normalised: %s", c.JSON())
	}
	d, _ := ParseChange(`{"kind":"distribution","model_id":1,"amount":"10.5","currency":"EUR","source":"sales","record_date":"2026-02-01"}`)
	if err := d.Validate(now); err != nil {
		t.Fatal(err)
	}
	if d.Amount != "10.50" || d.RecordDate != "2026-02-01T00:00:00Z" || *d.Scale != 2 {
		t.Fatalf("not normalised: %s", d.JSON())
	}
}

func TestApplyChecksTheResultingRule(t *testing.T) {
	c, _ := ParseChange(`{"kind":"constitution","special_majority_bp":5500,"ordinary_majority_bp":6000}`)
	if _, err := c.ApplyConstitution(DefaultConstitution()); !errors.Is(err, ErrInvalidChange) || !strings.Contains(err.Error(), "special_majority_bp") {
		t.Fatalf("special below ordinary: %v", err)
	}
	c, _ = ParseChange(`{"kind":"constitution","ballot":"open","quorum_bp":5000}`)
	k, err := c.ApplyConstitution(DefaultConstitution())
	if err != nil || k.Ballot != BallotOpen || k.QuorumBP != 5000 || k.SpecialMajorityBP != 6667 {
		t.Fatalf("apply: %+v %v", k, err)
	}
	d, _ := ParseChange(`{"kind":"default_rate_card","annotation_accepted":"5"}`)
	if _, err := d.ApplyDefaultCard(ShippedDefaultCard()); !errors.Is(err, ErrInvalidChange) || !strings.Contains(err.Error(), "annotation_accepted") {
		t.Fatalf("default card outside its band: %v", err)
	}
	d, _ = ParseChange(`{"kind":"default_rate_card","band":{"min":{"annotation_accepted":"3"},"max":{"annotation_accepted":"2"}}}`)
	if _, err := d.ApplyDefaultCard(ShippedDefaultCard()); !errors.Is(err, ErrInvalidChange) || !strings.Contains(err.Error(), "band.min") {
		t.Fatalf("band min above max: %v", err)
	}
	g, _ := ParseChange(`{"kind":"governance","transfer_fee_bp":150}`)
	out, err := g.ApplyGovernance(equity.Governance{TransferFeeBP: 0, HoldingCapBP: 2000, CapFloor: 5, ReserveShareBP: 100, ExitRule: equity.ExitReserve})
	if err != nil || out.TransferFeeBP != 150 || out.HoldingCapBP != 2000 || out.CapFloor != 5 || out.ExitRule != equity.ExitReserve {
		t.Fatalf("a partial change keeps the other parameters: %+v %v", out, err)
	}
}

func TestBandAdmits(t *testing.T) {
	d := ShippedDefaultCard()
	ok := equity.RateCard{AnnotationAccepted: 1_500_000, Correction: 0, ReviewDecision: 100_000, CorrectionLabellerBP: 5000}
	if err := d.Admits(ok); err != nil {
		t.Fatalf("within the band: %v", err)
	}
	for _, rc := range []equity.RateCard{
		{AnnotationAccepted: 3_000_000, CorrectionLabellerBP: 5000},
		{AnnotationAccepted: 100_000, CorrectionLabellerBP: 5000},
		{AnnotationAccepted: 1_000_000, ReviewDecision: 1_000_000},
		{AnnotationAccepted: 1_000_000, Difficulty: map[string]int{"hard": 20000}},
	} {
		if err := d.Admits(rc); !errors.Is(err, ErrNeedsVote) || !strings.Contains(err.Error(), ProposalRoute) {
			t.Errorf("%+v: %v, want needs_vote naming %s", rc, err, ProposalRoute)
		}
	}
}

func TestReceipts(t *testing.T) {
	a, b := NewReceipt(), NewReceipt()
	if a == b || !ValidReceipt(a) || ValidReceipt("rcpt_short") || ValidReceipt(ReceiptHash(a)) {
		t.Fatalf("receipts: %q %q", a, b)
	}
	if len(ReceiptHash(a)) != 64 || ReceiptHash(a) == ReceiptHash(b) {
		t.Fatal("receipt hashes")
	}
}

func TestPreviewRateCard(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	card := Card{AnnotationAccepted: 1_000_000, Correction: 500_000, ReviewDecision: 100_000, CorrectionLabellerBP: 5000}
	in := PreviewInput{Now: now, Members: []int64{1, 2, 3}, You: 1, Cards: map[int64]Card{7: card}, Default: ShippedDefaultCard(),
		Governance: equity.DefaultGovernance(), WorkLimits: DefaultWorkLimits(),
		Work: []Work{
			{Kind: equity.KindVest, ProjectID: 7, Labeller: 1, Reviewer: 2, At: now.Add(-10 * day)},
			{Kind: equity.KindVest, ProjectID: 7, Labeller: 1, Reviewer: 2, At: now.Add(-60 * day)},
			{Kind: equity.KindCorrect, ProjectID: 7, Labeller: 3, Reviewer: 2, At: now.Add(-5 * day)},
		}}
	c, _ := ParseChange(`{"kind":"rate_card","project_id":7,"annotation_accepted":"2"}`)
	if err := c.Validate(now); err != nil {
		t.Fatal(err)
	}
	p, err := PreviewOf(c, in)
	if err != nil || !p.Applies || len(p.Windows) != 2 {
		t.Fatalf("%+v %v", p, err)
	}
	w30, w90 := p.Windows[0], p.Windows[1]
	if w30.You != (Pair{"1.000000", "2.000000"}) || w90.You != (Pair{"2.000000", "4.000000"}) {
		t.Fatalf("you: %+v %+v", w30.You, w90.You)
	}
	// member 3 keeps half of a corrected credit: 0.5 now, 1.0 proposed.
	if len(w30.Members) != 3 || w30.Members[0] != (Pair{"0.500000", "1.000000"}) || w30.Median != (Pair{"0.700000", "1.000000"}) {
		t.Fatalf("members: %+v median %+v", w30.Members, w30.Median)
	}
	m, _ := ParseChange(`{"kind":"motion","text":"thanks"}`)
	if p, _ := PreviewOf(m, in); p.Applies {
		t.Fatal("a motion moves no money")
	}
}
