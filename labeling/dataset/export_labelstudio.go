package dataset

import (
	"bytes"
	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
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

// exportLSUser names the annotator by name or pseudonym only: copyhold never
// exports member ids or e-mail addresses. Label Studio assigns imported
// annotations to the importing user.
type exportLSUser struct {
	Username string `json:"username"`
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
			ann.CompletedBy = &exportLSUser{a.annotator}
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
