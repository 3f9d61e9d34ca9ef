package dataset

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"copyhold/labeling/tasktype"
)

// Provenance of generated candidates (labeling/gen): an item written by a generation job carries,
// per candidate, the endpoint and the model that wrote it (ExportRow.Generation). The manifest
// names every generating model with how often its candidates were chosen and rejected, so that a
// preference dataset says which models it compares.

// ExportGenerator is one model that wrote candidates in the export's items.
type ExportGenerator struct {
	Model      string `json:"model"`    // as its server named it
	Endpoint   string `json:"endpoint"` // the co-op's name for the endpoint
	Candidates int64  `json:"candidates"`
	Chosen     int64  `json:"chosen"`   // answers that preferred one of its candidates
	Rejected   int64  `json:"rejected"` // answers that preferred another over one of its candidates
	// NamesSelf counts candidates whose text named their own model (flagged when generated).
	NamesSelf int64 `json:"names_self,omitempty"`
}

// exportOrigin is the part of labeling/gen.Origin an export reads.
type exportOrigin struct {
	Field     string `json:"field"`
	Endpoint  string `json:"endpoint"`
	Model     string `json:"model"`
	NamesSelf bool   `json:"names_self"`
}

type generatorKey struct{ model, endpoint string }

// addGeneration counts a generated row's candidates and, per answer, the chosen and rejected ones.
func (t *exportTally) addGeneration(row *ExportRow, s tasktype.Schema, answers []exportAnswer) {
	if len(bytes.TrimSpace(row.Generation)) == 0 {
		return
	}
	var origins []exportOrigin
	if json.Unmarshal(row.Generation, &origins) != nil || len(origins) == 0 {
		return
	}
	if t.generators == nil {
		t.generators = map[generatorKey]*ExportGenerator{}
	}
	byField := map[string]*ExportGenerator{}
	for _, o := range origins {
		k := generatorKey{o.Model, o.Endpoint}
		g := t.generators[k]
		if g == nil {
			g = &ExportGenerator{Model: o.Model, Endpoint: o.Endpoint}
			t.generators[k] = g
		}
		g.Candidates++
		if o.NamesSelf {
			g.NamesSelf++
		}
		byField[o.Field] = g
	}
	for _, a := range answers {
		chosen, rejected := preferredFields(s, a.answer)
		for _, f := range chosen {
			if g := byField[f]; g != nil {
				g.Chosen++
			}
		}
		for _, f := range rejected {
			if g := byField[f]; g != nil {
				g.Rejected++
			}
		}
	}
}

// preferredFields are the fields (pairwise) or response ids (ranking) an answer put first and last.
func preferredFields(s tasktype.Schema, answer json.RawMessage) (chosen, rejected []string) {
	switch x := s.(type) {
	case *tasktype.PairwiseSchema:
		a, err := exportPairwiseAnswer(answer)
		if err != nil {
			return nil, nil
		}
		switch a.Choice {
		case tasktype.PairwiseA:
			return []string{x.AField}, []string{x.BField}
		case tasktype.PairwiseB:
			return []string{x.BField}, []string{x.AField}
		}
	case *tasktype.RankingSchema:
		var a tasktype.RankingAnswer
		if json.Unmarshal(answer, &a) != nil || len(a.Ranking) < 2 {
			return nil, nil
		}
		return a.Ranking[0], a.Ranking[len(a.Ranking)-1]
	}
	return nil, nil
}

// generatorList is the tally's generators, most candidates first.
func (t *exportTally) generatorList() []ExportGenerator {
	out := make([]ExportGenerator, 0, len(t.generators))
	for _, g := range t.generators {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ExportGenerator) int {
		return cmp.Or(cmp.Compare(b.Candidates, a.Candidates), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Endpoint, b.Endpoint))
	})
	if len(out) == 0 {
		return nil
	}
	return out
}
