package dataset

import (
	"bytes"
	"copyhold/labeling"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Label Studio export: a JSON array, one task per item, streamed element by
// element. Results come from AnswerToLSResultNamed with the project's names
// (its stored labelling config, else the generated one), so importer.Read and
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
// integers), the import's external id travels here, "" included, so that
// importing the export takes it back instead of the item id.
type exportLSMeta struct {
	ExternalID string `json:"external_id"`
}

type exportLSAnnotation struct {
	ID     json.RawMessage `json:"id,omitempty"` // an external annotation's id in Label Studio
	Result json.RawMessage `json:"result"`
	// CompletedBy is an *exportLSUser for a member, an external annotation's
	// original completed_by (json.RawMessage), or nil.
	CompletedBy  any         `json:"completed_by,omitempty"`
	LeadTime     json.Number `json:"lead_time,omitempty"` // seconds, 3 decimals, as LS writes it
	CreatedAt    string      `json:"created_at,omitempty"`
	WasCancelled bool        `json:"was_cancelled"`
	GroundTruth  bool        `json:"ground_truth"`
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
	task := exportLSTask{ID: row.ItemID, Data: data.Bytes(), Meta: &exportLSMeta{ExternalID: row.ExternalID}, Annotations: []exportLSAnnotation{}}
	names := importer.DefaultLSNames(w.opts.TaskType, row.Schema)
	if row.LSNames != nil {
		names = *row.LSNames
	}
	if field, _ := tasktype.ConversationOf(ts); field != "" && names.AuthorText {
		b, err := lsDialogueData(d, field)
		if err != nil {
			return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
		}
		task.Data = b
	}
	for _, a := range w.lsAnswers(row) {
		res, err := importer.AnswerToLSResultNamed(w.opts.TaskType, row.Schema, row.Data, a.answer, names)
		if errors.Is(err, importer.ErrLSResult) {
			w.tally.drop(ExportDropLSUnsupported)
			continue
		}
		if err != nil {
			return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, err.Error())
		}
		ann := exportLSAnnotation{Result: res}
		if a.from != nil && a.from.External() {
			task.Annotations = append(task.Annotations, lsExternal(ann, a.from))
			continue
		}
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

// lsAnswers are the annotations of a task: every writable annotation (all
// mode), or the item's answer followed by every external annotation as
// itself (consensus mode), so that external work keeps its original
// completed_by, created_at and lead_time. An answer that only external
// annotations gave is not written twice.
func (w *exportWriter) lsAnswers(row *ExportRow) []exportAnswer {
	answers := w.answers(row)
	if w.opts.AllAnnotations {
		return answers
	}
	var ext []exportAnswer
	member := len(row.Annotations) == 0
	for i, a := range row.Annotations {
		if a.External() && exportWritable(a) {
			ext = append(ext, exportAnswer{a.Annotator, a.Answer, a.LeadTimeMs, &row.Annotations[i]})
		} else if !a.External() {
			member = true
		}
	}
	if !member {
		answers = nil
	}
	return append(answers, ext...)
}

// lsExternal writes an external annotation with its original metadata: no
// copyhold address, the lead time as it came (not clamped).
func lsExternal(ann exportLSAnnotation, a *ExportAnnotation) exportLSAnnotation {
	if t := bytes.TrimSpace(a.CompletedBy); len(t) > 0 && string(t) != "null" {
		ann.CompletedBy = json.RawMessage(t)
	}
	if a.SourceID != "" {
		if _, err := strconv.ParseInt(a.SourceID, 10, 64); err == nil {
			ann.ID = json.RawMessage(a.SourceID)
		} else {
			ann.ID, _ = json.Marshal(a.SourceID)
		}
	}
	ms := max(a.LeadTimeMs, 0)
	ann.LeadTime = json.Number(fmt.Sprintf("%d.%03d", ms/1000, ms%1000))
	ann.CreatedAt = a.CreatedAt
	return ann
}

func (w *exportWriter) finishLabelStudio() error {
	if w.lsCount == 0 {
		_, err := w.bw.WriteString("[]\n")
		return err
	}
	_, err := w.bw.WriteString("\n]\n")
	return err
}

// lsDialogueEntry is a message as a <Paragraphs layout="dialogue"> with
// Label Studio's default keys shows it: author and text, then the message
// keys the importer takes back (fromDialogue). Weights are not written.
type lsDialogueEntry struct {
	Author     string              `json:"author"`
	Text       string              `json:"text"`
	ID         string              `json:"id,omitempty"`
	Name       string              `json:"name,omitempty"`
	ToolCalls  []tasktype.ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string              `json:"tool_call_id,omitempty"`
}

// lsDialogueData is the item data with the conversation data[field]
// written as {author, text} entries, for a project whose Label Studio
// config reads them (a project made from such a config).
func lsDialogueData(d tasktype.ItemFields, field string) (json.RawMessage, error) {
	msgs, err := d.Conversation(field)
	if err != nil {
		return nil, err
	}
	entries := make([]lsDialogueEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = lsDialogueEntry{Author: m.Role, Text: m.Content, ID: m.ID, Name: m.Name, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID}
	}
	out := make(map[string]json.RawMessage, len(d))
	for k, v := range d {
		out[k] = v
	}
	if out[field], err = json.Marshal(entries); err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
