package dataset

import (
	"bytes"
	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Label Studio export: a JSON array, one task per item, streamed element by
// element. Results come from AnswerToLSResult, so importer.Read and
// LSResultToAnswer read them back to the same answers. Answers Label Studio
// cannot express (a pairwise tie or both_bad, a tied ranking) are left out
// of the task and counted as dropped; the task itself is still written.

type exportLSTask struct {
	ID          int64                `json:"id"`
	Data        json.RawMessage      `json:"data"`
	Meta        *exportLSMeta        `json:"meta,omitempty"`
	Annotations []exportLSAnnotation `json:"annotations"`
}

// exportLSMeta keeps our ids: "id" is the copyhold item id (LS ids are
// integers), the import's external id travels here.
type exportLSMeta struct {
	ExternalID string `json:"external_id,omitempty"`
}

type exportLSAnnotation struct {
	Result       json.RawMessage `json:"result"`
	CompletedBy  *exportLSUser   `json:"completed_by,omitempty"`
	LeadTime     json.Number     `json:"lead_time,omitempty"` // seconds, 3 decimals, as LS writes it
	WasCancelled bool            `json:"was_cancelled"`
	GroundTruth  bool            `json:"ground_truth"`
}

// exportLSUser is completed_by in the shape Label Studio's bulk importer
// accepts: an object with an "email" (it maps the address to one of its
// users). copyhold never exports a member's real address or id: the address
// is made from the name the export credits (the pseudonym, or the member's
// name when they chose to be named) under the reserved .invalid domain, so
// it is stable across exports and reaches nobody.
type exportLSUser struct {
	Email    string `json:"email"`
	Username string `json:"username"`
}

// LSContributorEmail is the address an export gives an annotator:
// contributor-<name>@<coop host>.invalid, the name lower-cased with every
// run of other characters as one "-".
func LSContributorEmail(annotator, coopHost string) string {
	host := lsSlug(coopHost, '.')
	if host == "" {
		host = "copyhold"
	}
	return "contributor-" + lsSlug(annotator, 0) + "@" + host + ".invalid"
}

func lsSlug(s string, keep rune) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || (keep != 0 && r == keep) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() > 60 {
		return b.String()[:60]
	}
	return b.String()
}

func (w *exportWriter) emitLabelStudio(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	var data bytes.Buffer
	if err := json.Compact(&data, row.Data); err != nil {
		return "", ErrExportRow.With("item %d: data: %s", row.ItemID, tasktype.JSONErrText(err))
	}
	task := exportLSTask{ID: row.ItemID, Data: data.Bytes(), Annotations: []exportLSAnnotation{}}
	if row.ExternalID != "" {
		task.Meta = &exportLSMeta{ExternalID: row.ExternalID}
	}
	for _, a := range w.answers(row) {
		res, err := importer.AnswerToLSResult(w.opts.TaskType, row.Schema, row.Data, a.answer)
		if errors.Is(err, importer.ErrLSResult) {
			w.tally.drop(ExportDropLSUnsupported)
			continue
		}
		if err != nil {
			return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, err.Error())
		}
		ann := exportLSAnnotation{Result: res}
		if a.annotator != "" {
			ann.CompletedBy = &exportLSUser{Email: LSContributorEmail(a.annotator, w.opts.CoopHost), Username: a.annotator}
		}
		if a.leadTimeMs >= 0 {
			ms := labeling.ClampLeadTime(a.leadTimeMs)
			ann.LeadTime = json.Number(fmt.Sprintf("%d.%03d", ms/1000, ms%1000))
		}
		task.Annotations = append(task.Annotations, ann)
	}
	w.scratch.Reset()
	enc := json.NewEncoder(&w.scratch)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(task); err != nil {
		return "", err
	}
	sep := ",\n"
	if w.lsCount == 0 {
		sep = "[\n"
	}
	w.bw.WriteString(sep)
	w.bw.Write(bytes.TrimRight(w.scratch.Bytes(), "\n"))
	w.lsCount++
	w.tally.rows++
	return "", nil
}

func (w *exportWriter) finishLabelStudio() error {
	if w.lsCount == 0 {
		_, err := w.bw.WriteString("[]\n")
		return err
	}
	_, err := w.bw.WriteString("\n]\n")
	return err
}
