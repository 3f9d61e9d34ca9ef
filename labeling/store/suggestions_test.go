package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/store"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// policy sets the suggestion policy and control share (k = 1).
func policy(pol labeling.SuggestionPolicy, controlBP int) func(*labeling.ProjectSettings) {
	return func(ps *labeling.ProjectSettings) {
		ps.Overlap = 1
		ps.SuggestionPolicy = pol
		ps.SuggestionControlBP = &controlBP
	}
}

func TestSuggestionUpFrontAndSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 2)
		p := f.Project("upfront", policy(labeling.SuggestUpFront, 0))
		f.ImportLines(p.ID, `{"data":{"text":"a"},"prediction":{"choice":"positive"}}`, `{"data":{"text":"b"}}`)
		var ids []int64
		if err := db.Raw(`SELECT id FROM items WHERE project_id = ? ORDER BY id`, p.ID).Scan(&ids).Error; err != nil {
			t.Fatal(err)
		}
		// A model's suggestion replaces nothing on the first, and is set on the second.
		conf := 8200
		ep := int64(7)
		if err := f.S.Projects.SetSuggestion(f.Ctx, ids[1], labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"negative"}`),
			Source: labeling.SuggestionFromEndpoint, EndpointID: &ep, Model: "qwen-7b", Confidence: &conf}); err != nil {
			t.Fatal(err)
		}
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE suggested_at IS NOT NULL AND suggestion_source = 'endpoint' AND suggestion_endpoint_id = 7`); n != 1 {
			t.Fatalf("%d items carry the endpoint's suggestion with its time", n)
		}
		first := f.Claim(ls[0], p.ID)
		if !sameJSON(first.Prediction, `{"choice":"positive"}`) || first.SuggestionMeta == nil || first.SuggestionMeta.Source != "import" ||
			first.SuggestionPolicy != labeling.SuggestUpFront {
			t.Fatalf("first task %s %+v", first.Prediction, first.SuggestionMeta)
		}
		second := f.Claim(ls[1], p.ID)
		m := second.SuggestionMeta
		if !sameJSON(second.Prediction, `{"choice":"negative"}`) || m == nil || m.Source != "endpoint" || m.Model != "qwen-7b" || m.Confidence == nil || *m.Confidence != 8200 {
			t.Fatalf("second task %s %+v", second.Prediction, m)
		}
		// Resuming shows the same, without recording it twice.
		if again := f.Claim(ls[1], p.ID); !sameJSON(again.Prediction, `{"choice":"negative"}`) {
			t.Fatalf("resumed task %s", again.Prediction)
		}
		s1 := f.Answer(ls[0], first, "positive")  // accepted unchanged
		s2 := f.Answer(ls[1], second, "positive") // changed
		var rows []struct {
			ID                 int64
			SuggestionShown    string
			SuggestionAccepted *bool
			FirstAnswer        *string
		}
		if err := db.Raw(`SELECT id, suggestion_shown, suggestion_accepted, first_answer FROM submissions ORDER BY id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].ID != s1.ID || rows[0].SuggestionShown != "up_front" || rows[0].SuggestionAccepted == nil || !*rows[0].SuggestionAccepted ||
			rows[1].ID != s2.ID || rows[1].SuggestionAccepted == nil || *rows[1].SuggestionAccepted || rows[1].FirstAnswer != nil {
			t.Fatalf("submissions %+v", rows)
		}
	})
}

func TestSetSuggestionValidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		p := f.Project("validate", nil)
		f.Items(p.ID, 1)
		var id int64
		db.Raw(`SELECT id FROM items WHERE project_id = ?`, p.ID).Scan(&id)
		err := f.S.Projects.SetSuggestion(f.Ctx, id, labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"meh"}`), Source: labeling.SuggestionFromEndpoint})
		storetest.WantCode(t, err, tasktype.ErrUnknownLabel)
		err = f.S.Projects.SetSuggestion(f.Ctx, id, labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"positive"}`), Source: "magic"})
		if err == nil || !strings.Contains(err.Error(), "suggestion source") {
			t.Fatalf("bad source: %v", err)
		}
		bad := 10_001
		err = f.S.Projects.SetSuggestion(f.Ctx, id, labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"positive"}`), Source: "endpoint", Confidence: &bad})
		if err == nil || !strings.Contains(err.Error(), "confidence") {
			t.Fatalf("bad confidence: %v", err)
		}
		err = f.S.Projects.SetSuggestion(f.Ctx, id+100, labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"positive"}`), Source: "endpoint"})
		if err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("missing item: %v", err)
		}
		if n := f.Count(`SELECT COUNT(*) FROM items WHERE prediction IS NOT NULL`); n != 0 {
			t.Fatalf("%d items got a suggestion", n)
		}
	})
}

func TestSuggestionOffAndControlShare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 1)
		off := f.Project("off", policy(labeling.SuggestOff, 0))
		f.ImportLines(off.ID, `{"data":{"text":"a"},"prediction":{"choice":"positive"}}`)
		if task := f.Claim(ls[0], off.ID); task.Prediction != nil || task.SuggestionMeta != nil {
			t.Fatalf("policy off showed %s", task.Prediction)
		}
		// Half the items are control: exactly those come without their suggestion.
		p := f.Project("control", policy(labeling.SuggestUpFront, 5000))
		var lines []string
		for i := range 40 {
			lines = append(lines, fmt.Sprintf(`{"data":{"text":"t%d"},"prediction":{"choice":"negative"}}`, i))
		}
		f.ImportLines(p.ID, lines...)
		withheld := 0
		for range 40 {
			task := f.Claim(ls[0], p.ID)
			if labeling.InControl(task.ItemID, 5000) == (task.Prediction != nil) {
				t.Fatalf("item %d: control %v, prediction %s", task.ItemID, labeling.InControl(task.ItemID, 5000), task.Prediction)
			}
			if task.Prediction == nil {
				withheld++
			}
			f.Answer(ls[0], task, "negative")
		}
		if withheld == 0 || withheld == 40 {
			t.Fatalf("%d of 40 withheld", withheld)
		}
		if n := f.Count(`SELECT COUNT(*) FROM submissions WHERE project_id = ? AND suggestion_shown = ''`, p.ID); n != int64(withheld) {
			t.Fatalf("%d submissions record no suggestion, want %d", n, withheld)
		}
	})
}

func TestSuggestionAfterFirstAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 2)
		p := f.Project("after", policy(labeling.SuggestAfterAnswer, 0))
		f.ImportLines(p.ID, `{"data":{"text":"a"},"prediction":{"choice":"positive"}}`, `{"data":{"text":"b"},"prediction":{"choice":"positive"}}`)
		task := f.Claim(ls[0], p.ID)
		if task.Prediction != nil || task.SuggestionPolicy != labeling.SuggestAfterAnswer {
			t.Fatalf("after_answer handed out the suggestion at claim: %s", task.Prediction)
		}
		// An invalid first answer is refused like an invalid submission.
		_, err := f.W.FirstAnswer(f.Ctx, ls[0], labeling.FirstAnswerRequest{LeaseToken: task.LeaseToken, Answer: json.RawMessage(`{"choice":"meh"}`)})
		storetest.WantCode(t, err, tasktype.ErrUnknownLabel)
		res, err := f.W.FirstAnswer(f.Ctx, ls[0], labeling.FirstAnswerRequest{LeaseToken: task.LeaseToken, Answer: json.RawMessage(`{"choice":"negative"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(res.Suggestion, `{"choice":"positive"}`) || res.Matches || !sameJSON(res.FirstAnswer, `{"choice":"negative"}`) || res.Meta == nil {
			t.Fatalf("reveal %+v", res)
		}
		// A second first answer does not overwrite the first.
		res2, err := f.W.FirstAnswer(f.Ctx, ls[0], labeling.FirstAnswerRequest{LeaseToken: task.LeaseToken, Answer: json.RawMessage(`{"choice":"positive"}`)})
		if err != nil || !sameJSON(res2.FirstAnswer, `{"choice":"negative"}`) {
			t.Fatalf("second first answer %+v %v", res2, err)
		}
		// Resuming keeps the first answer and still withholds nothing new.
		if again := f.Claim(ls[0], p.ID); !sameJSON(again.FirstAnswer, `{"choice":"negative"}`) || again.Prediction != nil {
			t.Fatalf("resumed %+v", again)
		}
		f.Answer(ls[0], task, "positive") // changed toward the suggestion
		var row struct {
			SuggestionShown    string
			SuggestionAccepted *bool
			FirstAnswer        *string
			FirstMatched       *bool
		}
		db.Raw(`SELECT suggestion_shown, suggestion_accepted, first_answer, first_matched FROM submissions`).Scan(&row)
		if row.SuggestionShown != "after_answer" || row.SuggestionAccepted == nil || !*row.SuggestionAccepted ||
			row.FirstAnswer == nil || !strings.Contains(*row.FirstAnswer, "negative") || row.FirstMatched == nil || *row.FirstMatched {
			t.Fatalf("submission %+v", row)
		}
		// Another policy refuses first answers.
		up := f.Project("up", policy(labeling.SuggestUpFront, 0))
		f.ImportLines(up.ID, `{"data":{"text":"c"}}`)
		t2 := f.Claim(ls[1], up.ID)
		_, err = f.W.FirstAnswer(f.Ctx, ls[1], labeling.FirstAnswerRequest{LeaseToken: t2.LeaseToken, Answer: json.RawMessage(`{"choice":"negative"}`)})
		storetest.WantCode(t, err, labeling.ErrSuggestionPolicy)
		_, err = f.W.FirstAnswer(f.Ctx, ls[0], labeling.FirstAnswerRequest{LeaseToken: t2.LeaseToken, Answer: json.RawMessage(`{"choice":"negative"}`)})
		storetest.WantCode(t, err, labeling.ErrLeaseLost)
	})
}

// creditLog is a Ledger that records what it is told.
type creditLog struct {
	mu        sync.Mutex
	submitted []labeling.Submission
}

func (l *creditLog) ProjectCreated(*gorm.DB, labeling.Project, *int64) error { return nil }
func (l *creditLog) Submitted(_ *gorm.DB, s labeling.Submission) error {
	l.mu.Lock()
	l.submitted = append(l.submitted, s)
	l.mu.Unlock()
	return nil
}
func (l *creditLog) Decided(*gorm.DB, labeling.DecisionRecord) error { return nil }
func (l *creditLog) MemberEnded(*gorm.DB, int64, *int64) error       { return nil }
func (l *creditLog) Recorded(*gorm.DB, string, int64) error          { return nil }

// TestSuggestionEarnsLikeLabour: the ledger is told of an answer accepted
// unchanged from a suggestion exactly as of any other answer, and setting a
// suggestion (generation) tells it nothing.
func TestSuggestionEarnsLikeLabour(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		log := &creditLog{}
		f.S = store.New(db).WithClock(f.Clock.Now).WithLedger(log)
		f.W = work.New(f.S)
		ls := f.Labellers("l", 3)
		p := f.Project("equity", policy(labeling.SuggestUpFront, 0))
		f.ImportLines(p.ID, `{"data":{"text":"a"}}`, `{"data":{"text":"b"}}`, `{"data":{"text":"c"}}`)
		var ids []int64
		db.Raw(`SELECT id FROM items WHERE project_id = ? ORDER BY id`, p.ID).Scan(&ids)
		for _, id := range ids[:2] {
			if err := f.S.Projects.SetSuggestion(f.Ctx, id, labeling.ItemSuggestion{Answer: json.RawMessage(`{"choice":"positive"}`),
				Source: labeling.SuggestionFromEndpoint, Model: "m"}); err != nil {
				t.Fatal(err)
			}
		}
		if len(log.submitted) != 0 {
			t.Fatalf("generation told the ledger of %d submissions", len(log.submitted))
		}
		var subs []labeling.Submission
		for i, choice := range []string{"positive", "negative", "positive"} { // accepted, changed, no suggestion
			task := f.Claim(ls[i], p.ID)
			if (task.Prediction != nil) != (i < 2) {
				t.Fatalf("task %d prediction %s", i, task.Prediction)
			}
			sub, err := f.W.Submit(f.Ctx, ls[i], labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: fmt.Sprint("k", i),
				Answer: json.RawMessage(fmt.Sprintf(`{"choice":%q}`, choice)), LeadTimeMs: 1000})
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub)
		}
		if len(log.submitted) != 3 {
			t.Fatalf("ledger told of %d submissions, want 3", len(log.submitted))
		}
		for i, s := range log.submitted {
			if s.ID != subs[i].ID || s.LeadTimeMs != 1000 || s.IsGold || s.Status != labeling.SubmissionSubmitted {
				t.Fatalf("credit %d: %+v", i, s)
			}
		}
		if n := f.Count(`SELECT COUNT(*) FROM submissions WHERE suggestion_accepted = ?`, true); n != 1 {
			t.Fatalf("%d accepted unchanged, want 1", n)
		}
	})
}

// sameJSON compares JSON by value (PostgreSQL's JSONB re-encodes it).
func sameJSON(raw json.RawMessage, want string) bool {
	var a, b any
	if json.Unmarshal(raw, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestAnchoringOnTheQualityPage: agreement with the suggestion where it was
// shown, against control items, and first answers changed toward it.
func TestAnchoringOnTheQualityPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		ls := f.Labellers("l", 1)
		p := f.Project("anchor", policy(labeling.SuggestAfterAnswer, 5000))
		var lines []string
		for i := range 30 {
			lines = append(lines, fmt.Sprintf(`{"data":{"text":"t%d"},"prediction":{"choice":"positive"}}`, i))
		}
		f.ImportLines(p.ID, lines...)
		var want labeling.Anchoring
		for i := range 30 {
			task := f.Claim(ls[0], p.ID)
			first := []string{"negative", "positive"}[i%2]
			res, err := f.W.FirstAnswer(f.Ctx, ls[0], labeling.FirstAnswerRequest{LeaseToken: task.LeaseToken,
				Answer: json.RawMessage(fmt.Sprintf(`{"choice":%q}`, first))})
			if err != nil {
				t.Fatal(err)
			}
			final := first
			if labeling.InControl(task.ItemID, 5000) {
				if res.Suggestion != nil {
					t.Fatalf("control item %d revealed its suggestion", task.ItemID)
				}
				want.Control++
				if final == "positive" {
					want.ControlAgreed++
				}
			} else {
				want.Shown++
				if first == "negative" {
					want.FirstDiffered++
					if i%4 == 0 { // half of those change their mind
						final = "positive"
						want.ChangedToSuggestion++
					}
				}
				if final == "positive" {
					want.ShownAgreed++
				}
			}
			f.Answer(ls[0], task, final)
		}
		q, err := f.S.Quality.ProjectQuality(f.Ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := q.Anchoring
		if got.Shown != want.Shown || got.ShownAgreed != want.ShownAgreed || got.Control != want.Control || got.ControlAgreed != want.ControlAgreed ||
			got.FirstDiffered != want.FirstDiffered || got.ChangedToSuggestion != want.ChangedToSuggestion || got.Policy != labeling.SuggestAfterAnswer {
			t.Fatalf("anchoring %+v\nwant %+v", got, want)
		}
		if want.Shown == 0 || want.Control == 0 || want.ChangedToSuggestion == 0 {
			t.Fatalf("the fixture measures nothing: %+v", want)
		}
		if got.ShownAgreementBP == nil || *got.ShownAgreementBP != int(want.ShownAgreed*10_000/want.Shown) || got.ChangedTowardBP == nil {
			t.Fatalf("rates %+v", got)
		}
	})
}
