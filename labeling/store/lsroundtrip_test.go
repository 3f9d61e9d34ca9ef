package store_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// lsRoundTrip is one of Label Studio's own files with the config it fits.
type lsRoundTrip struct {
	name   string
	config []byte
	tasks  []byte
}

func readLS(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "labelstudio", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lsRoundTrips(t *testing.T) []lsRoundTrip {
	// ranker_annotation.json has no data: it annotates the example's task.
	var rankTasks []map[string]any
	if err := json.Unmarshal(readLS(t, "import/ranker_tasks.json"), &rankTasks); err != nil {
		t.Fatal(err)
	}
	var rankAnn map[string]any
	if err := json.Unmarshal(readLS(t, "export/ranker_annotation.json"), &rankAnn); err != nil {
		t.Fatal(err)
	}
	rankTasks[0]["annotations"] = rankAnn["annotations"]
	ranker, _ := json.Marshal(rankTasks)
	return []lsRoundTrip{
		{"pairwise", readLS(t, "configs/pairwise-classification.config.xml"), readLS(t, "export/pairwise_annotation.json")},
		{"ranker", readLS(t, "configs/ranker.config.xml"), ranker},
		// The config of Label Studio's named-entity example, with the names its annotation uses.
		{"spans", []byte(`<View><Labels name="ner" toName="text"><Label value="Person"/><Label value="Organization"/><Label value="Date"/></Labels><Text name="text" value="$text"/></View>`),
			readLS(t, "export/named_entity_annotation_labels_span.json")},
		{"choices", []byte(`<View><Text name="image" value="$image"/><Choices name="label" toName="image"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`),
			readLS(t, "export/previous_export_choices.json")},
	}
}

// itemIDs are copyhold's own ids (each task's "id"): they differ between projects.
var itemIDs = regexp.MustCompile(`(?m)^\{"id":\d+,`)

func withoutItemIDs(b string) string { return itemIDs.ReplaceAllString(b, `{"id":0,`) }

// lsNamePairs lists the (from_name, to_name) pairs of a file's results.
func lsNamePairs(t *testing.T, raw []byte) [][2]string {
	t.Helper()
	var tasks []struct {
		Annotations []struct {
			Result []struct {
				FromName string `json:"from_name"`
				ToName   string `json:"to_name"`
			} `json:"result"`
		} `json:"annotations"`
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		raw = append(append([]byte("["), raw...), ']')
	}
	if err := json.Unmarshal(raw, &tasks); err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, task := range tasks {
		for _, a := range task.Annotations {
			for _, r := range a.Result {
				out = append(out, [2]string{r.FromName, r.ToName})
			}
		}
	}
	return out
}

// TestLabelStudioGoldenRoundTrip: a project made from a Label Studio config
// imports Label Studio's own export with its annotations kept as prior
// annotations; copyhold's export uses the config's names and the original
// completed_by, created_at, lead_time and ids (golden file). Importing that
// export into a second project from the same config and exporting again
// gives the same file; so does a consensus-mode snapshot.
func TestLabelStudioGoldenRoundTrip(t *testing.T) {
	cases := lsRoundTrips(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d := newDatasetFixture(t, db)
		for _, c := range cases {
			project := func(name string) labeling.Project {
				p, err := d.S.Projects.CreateProject(d.Ctx, &d.Coord, labeling.ProjectSettings{ModelID: d.Model.ID, Name: name,
					LSConfig: string(c.config), Overlap: 1}, false)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				return p
			}
			importPrior := func(p labeling.Project, body []byte) {
				rep, err := d.S.Projects.ImportItemsWith(d.Ctx, &d.Coord, p.ID, bytes.NewReader(body),
					importer.Request{Format: "labelstudio", Options: importer.Options{Annotations: importer.AnnotationsPrior}})
				if err != nil || rep.Imported != 1 || rep.PriorAnnotations != 1 {
					t.Fatalf("%s: import %+v, %v", c.name, rep, err)
				}
			}
			exportOf := func(p labeling.Project, mode dataset.SnapshotMode) string {
				snap := d.snapshot(mode, p.ID)
				if snap.Contributors != 0 {
					t.Errorf("%s: %d contributors from external work", c.name, snap.Contributors)
				}
				out, _ := d.export(snap.ID, dataset.ExportLabelStudio)
				return out
			}

			first := project(c.name)
			if x, stored, err := d.S.Projects.LSConfig(d.Ctx, first.ID); err != nil || !stored || !bytes.Contains(c.config, []byte(x[:20])) {
				t.Errorf("%s: LSConfig = %q, stored %v, %v", c.name, x, stored, err)
			}
			importPrior(first, c.tasks)
			out := exportOf(first, dataset.SnapshotAll)

			if got, want := lsNamePairs(t, []byte(out)), lsNamePairs(t, c.tasks); !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("%s: names %v, want %v", c.name, got, want)
			}
			golden := filepath.Join("testdata", "ls-roundtrip-"+c.name+".golden")
			if *updateGolden {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(withoutItemIDs(out)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if withoutItemIDs(out) != string(want) {
				t.Errorf("%s: export differs from %s:\n%s", c.name, golden, out)
			}
			if cons := exportOf(first, dataset.SnapshotConsensus); withoutItemIDs(cons) != string(want) {
				t.Errorf("%s: consensus-mode export differs:\n%s", c.name, cons)
			}

			second := project(c.name + " again")
			importPrior(second, []byte(out))
			if again := exportOf(second, dataset.SnapshotAll); withoutItemIDs(again) != string(want) {
				t.Errorf("%s: export of the re-import differs:\n got %s\nwant %s", c.name, again, want)
			}
		}
	})
}
