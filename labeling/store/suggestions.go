package store

import (
	"context"
	"encoding/json"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/sqldb"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Suggestions (pre-annotations): an item's suggestion is items.prediction
// with its source, model and confidence; the project's policy says when a
// labeller sees it; assignments and submissions record what was shown
// (docs/MODELS.md, "Suggestions").

// SetSuggestion sets (or replaces) an item's suggestion in the caller's
// transaction: the generation worker calls it in the transaction that
// finishes the item's job. The answer must be valid for the project's schema
// and the item; At zero is the transaction's clock. A labeller who already holds the item keeps what they were
// shown; submissions keep their own copy of the suggestion they saw.
func SetSuggestion(tx *gorm.DB, itemID int64, s labeling.ItemSuggestion) error {
	if s.Source != labeling.SuggestionFromImport && s.Source != labeling.SuggestionFromEndpoint {
		return fault.ErrInvalid.With("suggestion source must be %s or %s, not %q", labeling.SuggestionFromImport, labeling.SuggestionFromEndpoint, s.Source)
	}
	if c := s.Confidence; c != nil && (*c < 0 || *c > 10_000) {
		return fault.ErrInvalid.With("suggestion confidence must be 0 to 10000 basis points, not %d", *c)
	}
	var rows []struct {
		Data     string
		TaskType string
		Schema   string
	}
	if err := tx.Raw(`SELECT i.data, p.task_type, p.schema FROM items i JOIN projects p ON p.id = i.project_id WHERE i.id = ?`,
		itemID).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return fault.ErrNotFound.With("item %d not found", itemID)
	}
	r := rows[0]
	if s.At.IsZero() {
		s.At = sqldb.Now(tx)
	}
	ans, err := tasktype.ValidateAnswer(tasktype.TaskType(r.TaskType), json.RawMessage(r.Schema), json.RawMessage(r.Data), s.Answer)
	if err != nil {
		return err
	}
	return tx.Exec(`UPDATE items SET prediction = ?, prediction_model = ?, prediction_score = '', suggestion_source = ?,
    suggestion_endpoint_id = ?, suggestion_confidence = ?, suggested_at = ? WHERE id = ?`,
		string(ans), s.Model, s.Source, s.EndpointID, s.Confidence, s.At, itemID).Error
}

// SetSuggestion is the package function in its own transaction (for tools and tests).
func (s *Projects) SetSuggestion(ctx context.Context, itemID int64, sg labeling.ItemSuggestion) error {
	return s.inTx(ctx, func(tx *gorm.DB) error { return SetSuggestion(tx, itemID, sg) })
}

// showsSuggestion says whether the item's suggestion may reach a labeller of
// the project at all: never when the policy is off, on gold items or on the
// control share.
func showsSuggestion(p projectRow, itemID int64, gold bool) bool {
	return p.SuggestionPolicy != string(labeling.SuggestOff) && !gold && !labeling.InControl(itemID, p.SuggestionControlBP)
}

// suggestionRow is an item's suggestion with what the labeller is told of it.
type suggestionRow struct {
	Prediction           *string
	PredictionModel      string
	SuggestionSource     string
	SuggestionConfidence *int
}

func (r suggestionRow) meta() *labeling.SuggestionMeta {
	src := r.SuggestionSource
	if src == "" {
		src = labeling.SuggestionFromImport
	}
	return &labeling.SuggestionMeta{Source: src, Model: r.PredictionModel, Confidence: r.SuggestionConfidence}
}

func loadSuggestion(tx *gorm.DB, itemID int64) (suggestionRow, error) {
	var rows []suggestionRow
	if err := tx.Raw(`SELECT prediction, prediction_model, suggestion_source, suggestion_confidence FROM items WHERE id = ?`,
		itemID).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return suggestionRow{}, err
	}
	return rows[0], nil
}

// showUpFront adds the suggestion to an up_front task and records on the
// assignment that it was shown. Under after_answer it shows nothing: the
// first answer reveals it (RecordFirstAnswer).
func showUpFront(tx *gorm.DB, p projectRow, a *assignmentRow, task *labeling.Task) error {
	if p.SuggestionPolicy != string(labeling.SuggestUpFront) {
		return nil
	}
	sg, err := loadSuggestion(tx, a.ItemID)
	if err != nil || sg.Prediction == nil {
		return err
	}
	task.Prediction, task.SuggestionMeta = json.RawMessage(*sg.Prediction), sg.meta()
	if a.SuggestionShown == labeling.ShownUpFront {
		return nil
	}
	a.SuggestionShown = labeling.ShownUpFront
	return tx.Exec(`UPDATE assignments SET suggestion_shown = ? WHERE id = ?`, labeling.ShownUpFront, a.ID).Error
}

// RecordFirstAnswer stores the labeller's first answer on their lease under
// the after_answer policy and reveals the item's suggestion (none for
// control and gold items, or when the item has none). The first answer is
// kept once: a second call returns the same reveal with the first answer
// as first recorded. answer must already be valid for the schema.
func (s *Leases) RecordFirstAnswer(tx Tx, p labeling.Project, a labeling.Assignment, it labeling.Item, answer json.RawMessage) (labeling.FirstAnswerResult, error) {
	first := answer
	if a.FirstAnswer != nil {
		first = a.FirstAnswer
	}
	out := labeling.FirstAnswerResult{FirstAnswer: first}
	shows := it.Prediction != nil && p.SuggestionPolicy == labeling.SuggestAfterAnswer &&
		it.Status != labeling.ItemGold && !labeling.InControl(it.ID, p.SuggestionControlBP)
	if a.FirstAnswer == nil {
		shown := labeling.ShownNone
		if shows {
			shown = labeling.ShownAfterAnswer
		}
		if err := tx.db.Exec(`UPDATE assignments SET first_answer = ?, suggestion_shown = ? WHERE id = ?`,
			string(answer), shown, a.ID).Error; err != nil {
			return out, err
		}
	}
	if !shows {
		return out, nil
	}
	out.Suggestion = it.Prediction
	out.Meta = suggestionRow{PredictionModel: it.PredictionModel, SuggestionSource: it.SuggestionSource,
		SuggestionConfidence: it.SuggestionConfidence}.meta()
	eq, err := sameAnswer(p.TaskType, first, it.Prediction)
	out.Matches = eq
	return out, err
}

// SuggestionUse is what a submission records of the suggestion it was shown.
type SuggestionUse struct {
	Shown        string          // labeling.ShownUpFront or ShownAfterAnswer
	Suggestion   json.RawMessage // as shown
	Accepted     bool            // the final answer equals it
	FirstAnswer  json.RawMessage // after_answer: the labeller's own first answer
	FirstMatched *bool           // after_answer: the first answer already equalled it
}

// SuggestionUseFor works out what a submission on the assignment records
// (ok false: no suggestion was shown, nothing to record).
func SuggestionUseFor(tt tasktype.TaskType, a labeling.Assignment, it labeling.Item, final json.RawMessage) (SuggestionUse, bool, error) {
	if a.SuggestionShown == labeling.ShownNone || it.Prediction == nil {
		return SuggestionUse{}, false, nil
	}
	u := SuggestionUse{Shown: a.SuggestionShown, Suggestion: it.Prediction}
	var err error
	if u.Accepted, err = sameAnswer(tt, final, it.Prediction); err != nil {
		return u, false, err
	}
	if a.SuggestionShown == labeling.ShownAfterAnswer && a.FirstAnswer != nil {
		u.FirstAnswer = a.FirstAnswer
		m, err := sameAnswer(tt, a.FirstAnswer, it.Prediction)
		if err != nil {
			return u, false, err
		}
		u.FirstMatched = &m
	}
	return u, true, nil
}

// RecordSuggestionUse marks a submission with the suggestion it was shown.
// Labour is labour: the ledger's credit is the same whether or not the
// answer began from a suggestion, and this is called after it.
func (s *Leases) RecordSuggestionUse(tx Tx, submissionID int64, u SuggestionUse) error {
	var first *string
	if u.FirstAnswer != nil {
		f := string(u.FirstAnswer)
		first = &f
	}
	return tx.db.Exec(`UPDATE submissions SET suggestion_shown = ?, suggestion = ?, suggestion_accepted = ?, first_answer = ?,
    first_matched = ? WHERE id = ?`, u.Shown, string(u.Suggestion), u.Accepted, first, u.FirstMatched, submissionID).Error
}

// sameAnswer compares two answers by their agreement keys (order and
// normalisation do not matter).
func sameAnswer(tt tasktype.TaskType, x, y json.RawMessage) (bool, error) {
	kx, err := tasktype.AnswerKey(tt, x)
	if err != nil {
		return false, err
	}
	ky, err := tasktype.AnswerKey(tt, y)
	if err != nil {
		return false, nil // a suggestion that no longer reads is not equal to anything
	}
	if len(kx) != len(ky) {
		return false, nil
	}
	for i := range kx {
		if kx[i] != ky[i] {
			return false, nil
		}
	}
	return true, nil
}

// importSource is an imported item's suggestion source: import when the file gave a prediction.
func importSource(prediction []byte) string {
	if prediction == nil {
		return ""
	}
	return labeling.SuggestionFromImport
}

// scoreBP is an imported prediction's score as a confidence (nil when absent or not 0..1).
func scoreBP(score string) *int {
	if bp, ok := labeling.ScoreBP(score); ok {
		return &bp
	}
	return nil
}
