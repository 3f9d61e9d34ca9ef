package runner_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/gen"
	"copyhold/labeling/gen/runner"
	"copyhold/labeling/model"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/modeltest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// The suggestions job against the faithful test server, one profile each, through the real client
// and the probe's capabilities. A server that honours JSON schemas gives every open item a
// suggestion within the project's labels, with its confidence from sampled logprobs (vLLM, Ollama)
// or from agreement between three seeded samples (llama.cpp: no n, pre-sampling logprobs); a server
// that ignores schemas (bare) answers free text, so every item is skipped with the reason and none
// is written. Items that already have a suggestion are left alone, and nothing is credited.
func TestSuggestionsAgainstEveryProfile(t *testing.T) {
	for _, p := range []modeltest.Profile{modeltest.VLLM, modeltest.LlamaCpp, modeltest.Ollama, modeltest.Bare} {
		t.Run(p.Name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				srv := modeltest.New(t, p)
				c := client.New(client.Config{Timeout: 3 * time.Second})
				ep := model.Endpoint{ID: 1, Name: p.Name + " box", BaseURL: srv.URL, Model: "tiny-" + p.Name, Concurrency: 2}
				caps, err := c.Probe(context.Background(), ep, "")
				if err != nil {
					t.Fatal(err)
				}
				ep.Caps = caps
				r := newRig(t, db)
				r.eps[1] = ep
				proj := r.Project("sentiment", func(ps *labeling.ProjectSettings) {
					ps.TaskType = tasktype.TaskClassification
					ps.Schema = json.RawMessage(`{"field":"text","choices":[{"value":"positive"},{"value":"negative"},{"value":"neutral"}]}`)
				})
				r.ImportLines(proj.ID, `{"data":{"text":"Great phone, the battery lasts."}}`, `{"data":{"text":"Broke after a week."}}`,
					`{"data":{"text":"It is a phone."}}`, `{"data":{"text":"Already judged."},"prediction":{"choice":"neutral"}}`)
				probed := srv.Requests()
				job, err := r.svc.StartSuggestions(r.Ctx, r.Coord, proj.ID, gen.SuggestionParams{EndpointID: 1})
				if err != nil {
					t.Fatal(err)
				}
				srv.Fail(modeltest.Fault{Status: 429, RetryAfter: "1"})
				stop := run(r.worker(c, func(cfg *runner.Config) { cfg.Timeout = 3 * time.Second }))
				j := r.wait(job.ID, 30*time.Second)
				stop()
				var rows []struct {
					ID                   int64
					Prediction           *string
					SuggestionSource     string
					SuggestionConfidence *int
					PredictionModel      string
				}
				if err := db.Raw(`SELECT id, CAST(prediction AS TEXT) AS prediction, suggestion_source, suggestion_confidence, prediction_model
					FROM items WHERE project_id = ? ORDER BY id`, proj.ID).Scan(&rows).Error; err != nil {
					t.Fatal(err)
				}
				if len(rows) != 4 || rows[3].SuggestionSource != "import" {
					t.Fatalf("items %+v", rows)
				}
				if j.Counts.Sources != 3 {
					t.Fatalf("the job planned %d items, want the 3 without a suggestion: %+v", j.Counts.Sources, j.Counts)
				}
				if !caps.JSONSchema {
					if j.Counts.Items != 0 || j.Counts.SourcesFailed != 3 || len(j.Failures) == 0 || !strings.Contains(j.Failures[0].Reason, "sample") {
						t.Fatalf("a server that ignores schemas: job %+v, failures %+v", j.Counts, j.Failures)
					}
					for _, row := range rows[:3] {
						if row.Prediction != nil {
							t.Fatalf("item %d got a suggestion from free text: %s", row.ID, *row.Prediction)
						}
					}
					return
				}
				if j.Status != gen.StatusDone || j.Counts.Items != 3 || j.Counts.SourcesFailed != 0 {
					t.Fatalf("job %+v", j)
				}
				for _, row := range rows[:3] {
					var a struct{ Choice string }
					if row.Prediction == nil || json.Unmarshal([]byte(*row.Prediction), &a) != nil ||
						(a.Choice != "positive" && a.Choice != "negative" && a.Choice != "neutral") {
						t.Fatalf("item %d: suggestion %v", row.ID, row.Prediction)
					}
					if row.SuggestionSource != "endpoint" || row.PredictionModel == "" || row.SuggestionConfidence == nil {
						t.Fatalf("item %d: source %q, model %q, confidence %v", row.ID, row.SuggestionSource, row.PredictionModel, row.SuggestionConfidence)
					}
				}
				// One request per item with sampled logprobs or n; three seeded ones without (llama.cpp).
				per := 1
				if caps.Logprobs != model.LogprobsSampled && !caps.N {
					per = 3
				}
				if got := srv.Requests() - probed; got != 3*per+1 {
					t.Fatalf("%d requests, want %d (and the 429 retried)", got, 3*per+1)
				}
				if n := r.Count(`SELECT COUNT(*) FROM equity_transactions`); n != 0 {
					t.Fatalf("suggestions posted %d register transactions", n)
				}
			})
		})
	}
}
