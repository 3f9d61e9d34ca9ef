package suggest

import (
	"encoding/json"
	"testing"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

func TestSpansAlignToCodePoints(t *testing.T) {
	for _, c := range []struct {
		name    string
		schema  string
		text    string
		spans   string // the model's "spans" list
		want    string // the answer's spans
		dropped int
	}{
		{"ascii", spanSchema, "Anna went to Paris", `[{"text":"Anna","label":"PER"},{"text":"Paris","label":"LOC"}]`,
			`[{"start":0,"end":4,"label":"PER","text":"Anna"},{"start":13,"end":18,"label":"LOC","text":"Paris"}]`, 0},
		{"emoji before counts one code point each", spanSchema, "🎉🇫🇷 Anna in Paris", `[{"text":"Paris","label":"LOC"},{"text":"Anna","label":"PER"}]`,
			`[{"start":4,"end":8,"label":"PER","text":"Anna"},{"start":12,"end":17,"label":"LOC","text":"Paris"}]`, 0},
		{"emoji inside the span", spanSchema, "Hi 👩‍💻 Zoë", `[{"text":"Zoë","label":"PER"}]`,
			`[{"start":7,"end":10,"label":"PER","text":"Zoë"}]`, 0},
		{"repeated quote takes the first unused occurrence", spanSchema, "Anna met Anna and Anna", `[{"text":"Anna","label":"PER"},{"text":"Anna","label":"PER"}]`,
			`[{"start":0,"end":4,"label":"PER","text":"Anna"},{"start":9,"end":13,"label":"PER","text":"Anna"}]`, 0},
		{"more quotes than occurrences", spanSchema, "Anna left", `[{"text":"Anna","label":"PER"},{"text":"Anna","label":"PER"}]`,
			`[{"start":0,"end":4,"label":"PER","text":"Anna"}]`, 1},
		{"combining mark: no match inside a character", spanSchema, "Rene\u0301 and Rene", `[{"text":"Rene","label":"PER"}]`,
			`[{"start":10,"end":14,"label":"PER","text":"Rene"}]`, 0},
		{"combining mark: the whole character matches", spanSchema, "Rene\u0301 left", `[{"text":"Rene\u0301","label":"PER"}]`,
			`[{"start":0,"end":5,"label":"PER","text":"Rene\u0301"}]`, 0},
		{"zero-width joiner sequence is not split", spanSchema, "👩‍💻 x", `[{"text":"👩","label":"PER"}]`, `[]`, 1},
		{"white space normalised fallback", spanSchema, "New\n  York  City is big", `[{"text":"New York City","label":"LOC"}]`,
			`[{"start":0,"end":16,"label":"LOC","text":"New\n  York  City"}]`, 0},
		{"quote with its own odd spacing", spanSchema, "in New York", `[{"text":" New \t York ","label":"LOC"}]`,
			`[{"start":3,"end":11,"label":"LOC","text":"New York"}]`, 0},
		{"unalignable dropped and counted", spanSchema, "Anna went to Paris", `[{"text":"Berlin","label":"LOC"},{"text":"","label":"PER"},{"text":"Anna","label":"PER"}]`,
			`[{"start":0,"end":4,"label":"PER","text":"Anna"}]`, 2},
		{"overlap dropped where the schema forbids it", spanSchema, "New York City", `[{"text":"New York City","label":"LOC"},{"text":"York","label":"PER"}]`,
			`[{"start":0,"end":13,"label":"LOC","text":"New York City"}]`, 1},
		{"overlap kept where allowed", overSchema, "New York City", `[{"text":"New York City","label":"LOC"},{"text":"York","label":"PER"}]`,
			`[{"start":0,"end":13,"label":"LOC","text":"New York City"},{"start":4,"end":8,"label":"PER","text":"York"}]`, 0},
		{"nothing found is a valid empty suggestion", spanSchema, "nothing here", `[{"text":"Anna","label":"PER"}]`, `[]`, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, rep, err := Parse(tasktype.TaskSpans, json.RawMessage(c.schema), data(c.text),
				[]model.Choice{choice(`{"spans":` + c.spans + `}`)})
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Spans json.RawMessage }
			if err := json.Unmarshal(s.Answer, &got); err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal([]byte(c.want), &want); err != nil {
				t.Fatal(err)
			}
			var gotV any
			if err := json.Unmarshal(got.Spans, &gotV); err != nil {
				t.Fatal(err)
			}
			wantB, _ := json.Marshal(want)
			if gotB, _ := json.Marshal(gotV); string(gotB) != string(wantB) {
				t.Fatalf("spans %s\nwant  %s", got.Spans, wantB)
			}
			if rep.SpansDropped != c.dropped {
				t.Fatalf("dropped %d, want %d", rep.SpansDropped, c.dropped)
			}
		})
	}
}
