package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestImportOptionsFromQuery: id_field, gold_field (the label leaves the
// data labellers see), priority, sensitive and the annotation choice reach
// the import, and the report counts the annotations.
func TestImportOptionsFromQuery(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Project(t)
		body := `{"id":"r-1","text":"A lovely day.","label_name":"positive"}` + "\n"
		r := importRawQuery(t, e, p.ID, "format=jsonl&id_field=id&gold_field=label_name&priority=7&sensitive=true", []byte(body))
		if r.status != 201 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		items, err := e.Stores.Projects.Items(t.Context(), p.ID, 0, 10)
		if err != nil || len(items) != 1 {
			t.Fatalf("items %+v %v", items, err)
		}
		it := items[0]
		if strings.Contains(string(it.Data), "label_name") || strings.ReplaceAll(string(it.Gold), " ", "") != `{"choice":"positive"}` || it.ExternalID != "r-1" || it.Priority != 7 || !it.Sensitive {
			t.Fatalf("item %+v data %s gold %s", it, it.Data, it.Gold)
		}
		ls := `[{"data":{"text":"Old work."},"annotations":[{"completed_by":{"email":"x@example.org"},"result":[{"type":"choices","value":{"choices":["negative"]}}]}]}]`
		r = importRawQuery(t, e, p.ID, "format=labelstudio&annotations=predictions", []byte(ls))
		var rep struct {
			Annotations struct {
				Annotations struct{ Kept, Converted, Dropped int }
			}
		}
		mustJSON(t, r.body, &rep)
		if r.status != 201 || rep.Annotations.Annotations.Converted != 1 {
			t.Fatalf("labelstudio import: %d %s", r.status, r.body)
		}
		for _, q := range []string{"annotations=keep", "priority=high", "sensitive=maybe", "id_field=a&gold_field=a"} {
			if r := importRawQuery(t, e, p.ID, "format=jsonl&"+q, []byte(body)); r.status != 400 {
				t.Errorf("%s: %d %s, want 400", q, r.status, r.body)
			}
		}
	})
}

func importRawQuery(t *testing.T, e *env, projectID int64, query string, body []byte) resp {
	t.Helper()
	return importRaw(t, e, projectID, strings.TrimPrefix(fmt.Sprint(query), "format="), body)
}
