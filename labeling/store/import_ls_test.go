package store_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/page"
	"copyhold/labeling/store/storetest"
	"copyhold/labeling/tasktype"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// lsFixture is one of Label Studio's own export files (labeling/testdata/README.md).
type lsFixture struct {
	file   string
	tt     tasktype.TaskType
	schema string
}

var lsAnnotated = []lsFixture{
	// One annotation by annotator_from_past@project.com, choice "Cat", lead_time 346193.271.
	{"export/previous_export_choices.json", tasktype.TaskClassification, `{"field":"image","choices":[{"value":"Cat"},{"value":"Dog"}]}`},
	// One annotation without completed_by, selected "right", lead_time 15.053.
	{"export/pairwise_annotation.json", tasktype.TaskPairwise, `{"prompt_field":"","a_field":"text1","b_field":"text2","allow_tie":false,"allow_both_bad":false}`},
	// One "Date" span at UTF-16 343..354 ("February 22").
	{"export/named_entity_annotation_labels_span.json", tasktype.TaskSpans, `{"field":"text","labels":[{"value":"Date"}]}`},
}

// TestImportLabelStudioAnnotationChoices imports the real exports under each
// choice and checks where every annotation went, with the counts.
func TestImportLabelStudioAnnotationChoices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		for _, choice := range importer.AnnotationChoices() {
			for _, fx := range lsAnnotated {
				raw, err := os.ReadFile(filepath.Join("..", "testdata", "labelstudio", fx.file))
				if err != nil {
					t.Fatal(err)
				}
				p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, labeling.ProjectSettings{ModelID: f.Model.ID, Name: choice + " " + fx.file,
					TaskType: fx.tt, Schema: json.RawMessage(fx.schema), Overlap: 2}, false)
				if err != nil {
					t.Fatal(err)
				}
				rep, err := f.S.Projects.ImportItemsWith(f.Ctx, &f.Coord, p.ID, strings.NewReader(string(raw)),
					importer.Request{Format: "labelstudio", Filename: filepath.Base(fx.file), Options: importer.Options{Annotations: choice}})
				if err != nil {
					t.Fatalf("%s %s: %v", choice, fx.file, err)
				}
				a := rep.Annotations.Annotations
				items, _ := f.S.Projects.Items(f.Ctx, p.ID, 0, 10)
				if rep.Imported != 1 || len(items) != 1 {
					t.Fatalf("%s %s: report %+v", choice, fx.file, rep)
				}
				it := items[0]
				var kept, converted, dropped, prior int
				switch choice {
				case importer.AnnotationsDrop:
					dropped = 1
					if it.Gold != nil || it.Prediction != nil {
						t.Errorf("%s %s: item %+v", choice, fx.file, it)
					}
				case importer.AnnotationsPrior:
					kept, prior = 1, 1
				case importer.AnnotationsGold:
					converted = 1
					if it.Status != labeling.ItemGold || it.Gold == nil {
						t.Errorf("%s %s: item %+v", choice, fx.file, it)
					}
				case importer.AnnotationsPredictions:
					converted = 1
					if it.Prediction == nil || it.Status != labeling.ItemOpen {
						t.Errorf("%s %s: item %+v", choice, fx.file, it)
					}
				}
				if a.Kept != kept || a.Converted != converted || a.Dropped != dropped || rep.PriorAnnotations != prior {
					t.Errorf("%s %s: annotations %+v, prior %d; want kept %d converted %d dropped %d prior %d",
						choice, fx.file, a, rep.PriorAnnotations, kept, converted, dropped, prior)
				}
			}
		}
	})
}

// TestImportLabelStudioPriorAnnotations: prior annotations keep who, when and
// how long, count for agreement and consensus, and earn nothing.
func TestImportLabelStudioPriorAnnotations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		raw, err := os.ReadFile("../testdata/labelstudio/export/previous_export_choices.json")
		if err != nil {
			t.Fatal(err)
		}
		// The real task, plus a second annotator on it and a task two people disagree on.
		var task map[string]any
		if err := json.Unmarshal(raw, &task); err != nil {
			t.Fatal(err)
		}
		anns := task["annotations"].([]any)
		task["annotations"] = append(anns, map[string]any{"id": 9, "completed_by": 7, "lead_time": 2.5,
			"result": []any{map[string]any{"type": "choices", "from_name": "label", "to_name": "image", "value": map[string]any{"choices": []string{"Cat"}}}}})
		other := map[string]any{"id": 2, "data": map[string]any{"image": "https://example.org/b.jpg"}, "annotations": []any{
			map[string]any{"completed_by": map[string]any{"email": "a@example.org"}, "result": []any{map[string]any{"type": "choices", "value": map[string]any{"choices": []string{"Dog"}}}}},
			map[string]any{"completed_by": map[string]any{"email": "b@example.org"}, "result": []any{map[string]any{"type": "choices", "value": map[string]any{"choices": []string{"Cat"}}}}},
			map[string]any{"was_cancelled": true, "result": []any{}},
		}, "predictions": []any{map[string]any{"model_version": "v3", "score": 0.87, "result": []any{map[string]any{"type": "choices", "value": map[string]any{"choices": []string{"Dog"}}}}}}}
		body, _ := json.Marshal([]any{task, other})
		p, err := f.S.Projects.CreateProject(f.Ctx, &f.Coord, labeling.ProjectSettings{ModelID: f.Model.ID, Name: "prior",
			TaskType: tasktype.TaskClassification, Schema: json.RawMessage(lsAnnotated[0].schema), Overlap: 2}, false)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.S.Projects.ImportItemsWith(f.Ctx, &f.Coord, p.ID, strings.NewReader(string(body)),
			importer.Request{Format: "labelstudio", Options: importer.Options{Annotations: importer.AnnotationsPrior}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.PriorAnnotations != 4 || rep.Annotations.Annotations.Kept != 4 || rep.Annotations.Annotations.Dropped != 1 ||
			rep.Annotations.Annotations.Reasons["cancelled (skipped) in Label Studio"] != 1 || rep.Annotations.Predictions.Kept != 1 {
			t.Fatalf("report %+v", rep)
		}
		items, _ := f.S.Projects.Items(f.Ctx, p.ID, 0, 10)
		if items[1].PredictionModel != "v3" || items[1].PredictionScore != "0.87" {
			t.Errorf("prediction metadata: %+v", items[1])
		}
		var rows []struct {
			Annotator   string
			CompletedBy string
			LeadTimeMs  int64
			CreatedAt   string
			SourceID    string
		}
		if err := db.Raw("SELECT annotator, completed_by, lead_time_ms, created_at, source_id FROM prior_annotations ORDER BY id").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[0].Annotator != "annotator_from_past@project.com" || rows[0].LeadTimeMs != 346193271 ||
			rows[0].CreatedAt != "2021-07-06T06:06:25.927570Z" || rows[0].SourceID != "5678" || !strings.Contains(rows[0].CompletedBy, `"email"`) ||
			rows[1].Annotator != "ls-user-7" || rows[1].LeadTimeMs != 2500 {
			t.Fatalf("prior annotations %+v", rows)
		}
		ag, err := f.S.Quality.ProjectAgreement(f.Ctx, p.ID)
		if err != nil || ag.Items != 2 || ag.Annotations != 4 {
			t.Fatalf("agreement over prior annotations: %+v %v", ag, err)
		}
		cons, err := f.S.Quality.RecomputeConsensus(f.Ctx, &f.Coord, p.ID, "majority")
		if err != nil || cons.Items != 2 {
			t.Fatalf("consensus: %+v %v", cons, err)
		}
		stored, _ := f.S.Quality.ItemConsensus(f.Ctx, p.ID, page.All)
		if len(stored) != 2 || stored[0].Label != "Cat" || !stored[0].Decided || stored[1].Decided || stored[0].Votes != 2 {
			t.Fatalf("stored consensus %+v", stored)
		}
		// Nothing earned: no submissions, no postings.
		var subs int64
		db.Raw("SELECT COUNT(*) FROM submissions").Scan(&subs)
		if subs != 0 {
			t.Fatalf("%d submissions from an import", subs)
		}
	})
}
