package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lsImporterAcceptsCompletedBy applies the rule of Label Studio's bulk
// importer to one annotation's completed_by, as written in
// HumanSignal/label-studio, label_studio/tasks/serializers.py,
// BaseTaskSerializerBulk._insert_valid_completed_by (read for this test):
//   - absent (None): the annotation goes to the importing user;
//   - a dict: it must have an 'email' key ("It's expected to have 'email'
//     field in 'completed_by' data in annotations"), which is looked up among
//     the organisation's members (unknown e-mails are refused unless
//     ALLOW_IMPORT_TASKS_WITH_UNKNOWN_EMAILS, then given to the importer);
//   - an int: an existing member's user id ("old style");
//   - anything else: "Import data contains completed_by=… which is not a
//     valid annotator's email or ID".
//
// The e-mail lookup needs the target instance's users, so here an e-mail
// must only be a well-formed address.
func lsImporterAcceptsCompletedBy(raw json.RawMessage) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	switch t[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(t, &obj); err != nil {
			return err
		}
		e, ok := obj["email"]
		if !ok {
			return fmt.Errorf("it's expected to have 'email' field in 'completed_by'")
		}
		var email string
		if err := json.Unmarshal(e, &email); err != nil || !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\n") {
			return fmt.Errorf("email %s is not an address", e)
		}
		return nil
	default:
		var id int64
		if err := json.Unmarshal(t, &id); err != nil {
			return fmt.Errorf("completed_by=%s is not a valid annotator's email or ID", t)
		}
		return nil
	}
}

func TestLSImporterRule(t *testing.T) {
	for raw, ok := range map[string]bool{
		``: true, `null`: true, `42`: true, `{"email":"a@b.invalid"}`: true,
		`{"username":"otter"}`: false, `"otter"`: false, `{"email":"no at"}`: false, `1.5`: false,
	} {
		if err := lsImporterAcceptsCompletedBy(json.RawMessage(raw)); (err == nil) != ok {
			t.Errorf("%s: %v, want accepted=%v", raw, err, ok)
		}
	}
}

// TestLSExportCompletedBy: every completed_by in the Label Studio goldens
// passes the importer's rule, and the address never carries more than the
// credited name.
func TestLSExportCompletedBy(t *testing.T) {
	if got := LSContributorEmail("Zoë O'Brien", "Sol Co-op.org"); got != "contributor-zo-o-brien@sol-co-op.org.invalid" {
		t.Errorf("email = %q", got)
	}
	if got := LSContributorEmail("c-7f3a", ""); got != "contributor-c-7f3a@copyhold.invalid" {
		t.Errorf("email = %q", got)
	}
	for _, name := range []string{"labelstudio-pairwise-all", "labelstudio-spans", "labelstudio-rewrite"} {
		var tasks []struct {
			Annotations []struct {
				CompletedBy json.RawMessage `json:"completed_by"`
			} `json:"annotations"`
		}
		if err := json.Unmarshal(readGolden(t, name), &tasks); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, task := range tasks {
			for _, a := range task.Annotations {
				n++
				if err := lsImporterAcceptsCompletedBy(a.CompletedBy); err != nil || !bytes.Contains(a.CompletedBy, []byte(`.invalid"`)) {
					t.Errorf("%s: completed_by %s: %v", name, a.CompletedBy, err)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no annotations checked", name)
		}
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "export", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
