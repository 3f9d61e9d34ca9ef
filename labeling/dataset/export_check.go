package dataset

import (
	"copyhold/labeling/agreement"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Which projects a format can represent, beyond the task type: whether the
// items are conversations, which turn setting, and which options apply.

// exportReadsText says whether a format reads the item's texts (and so
// writes conversations differently); the generic formats do not.
func exportReadsText(f ExportFormat) bool {
	switch f {
	case ExportTRLSFT, ExportTRLSFTPrompt, ExportTRLDPO, ExportTRLDPOConv, ExportTRLKTO, ExportOpenAIChat,
		ExportOpenAIDPO, ExportTRLPromptOnly, ExportTRLImplicit, ExportTRLReward, ExportTRLStepwise:
		return true
	}
	return false
}

// withConversations sends rows of conversation projects to the
// conversation writers; other rows take the format's own writer.
func withConversations(emit func(*exportWriter, *ExportRow, tasktype.Schema, tasktype.ItemFields) (string, error)) func(*exportWriter, *ExportRow, tasktype.Schema, tasktype.ItemFields) (string, error) {
	return func(w *exportWriter, row *ExportRow, s tasktype.Schema, d tasktype.ItemFields) (string, error) {
		if field, _ := tasktype.ConversationOf(s); field != "" {
			return w.emitConversation(row, s, d)
		}
		return emit(w, row, s, d)
	}
}

func (o ExportOptions) settings() ExportSettings {
	return ExportSettings{System: o.System, Instruction: o.Instruction, KTOCriterion: o.KTOCriterion,
		KTOThreshold: o.KTOThreshold, Pairs: o.Pairs, WeightZero: o.WeightZero, Separator: o.Separator}
}

// CheckExportSchemas says, before any byte is written, whether the format
// can represent the projects with these schemas and settings: 400
// export_unsupported naming what is missing, or export_options.
func CheckExportSchemas(f ExportFormat, tt tasktype.TaskType, schemas []json.RawMessage, set ExportSettings, project string) error {
	if err := CheckExportFormat(f, tt, project); err != nil {
		return err
	}
	if err := set.Check(); err != nil {
		return err
	}
	o := ExportOptions{Format: f, TaskType: tt}
	set.Apply(&o)
	for _, raw := range schemas {
		s, err := tasktype.ParseSchema(tt, raw)
		if err != nil {
			return ErrExportRow.With("schema: %s", err.Error())
		}
		if err := checkExportSchema(o, s, project); err != nil {
			return err
		}
	}
	return nil
}

func checkExportSchema(o ExportOptions, s tasktype.Schema, project string) error {
	who := "this project"
	if project != "" {
		who = fmt.Sprintf("project %q", project)
	}
	field, turn := tasktype.ConversationOf(s)
	conv := field != ""
	f := o.Format
	unsupported := func(need, has string) error {
		return ErrExportUnsupported.With("%s needs %s; %s %s", f, need, who, has)
	}
	if len(o.WeightZero) > 0 && f != ExportOpenAIChat {
		return ErrExportOptions.With("weight_zero applies to openai-chat only, not %s", f)
	}
	perTurn := conv && o.TaskType == tasktype.TaskRubric
	if !perTurn && (slices.Contains(o.WeightZero, WeightMarked) || slices.Contains(o.WeightZero, WeightBelow)) {
		return unsupported("per-turn marks or ratings for weight_zero=marked or below (a rubric over a conversation)", "has none")
	}
	if o.Pairs == PairsBestVsRest && o.TaskType != tasktype.TaskRanking {
		return ErrExportOptions.With("pairs=%s applies to ranking projects only", PairsBestVsRest)
	}
	switch {
	case f == ExportTRLStepwise && (!conv || turn != tasktype.TurnEachAssistant):
		return unsupported("per-turn ratings (a rubric over a conversation with turn each_assistant)", "has one rating per item")
	case f == ExportOpenAIChat && o.TaskType == tasktype.TaskRubric && !conv:
		return unsupported("a conversation to weight (a rubric with conversation_field)", "rates plain responses")
	case conv && f == ExportTRLDPO:
		return unsupported("text prompts and responses (standard rows)", "holds conversations: use trl-dpo-conversational, trl-preference-implicit, trl-reward or openai-dpo")
	case conv && f == ExportLabelStudio:
		if need := lsConversationNeeds(o.TaskType, turn); need != "" {
			return unsupported(need, "labels "+lsConversationHas(o.TaskType, turn)+": use jsonl")
		}
	case conv && f == ExportTRLKTO && o.TaskType == tasktype.TaskRubric && turn == "":
		return unsupported("rated assistant turns", "has none")
	}
	if !conv && o.System != "" && !exportConversational(f) {
		return ErrExportOptions.With("a system message needs a conversational format or a conversation project (%s)", strings.Join([]string{string(ExportTRLSFT), string(ExportTRLDPOConv), string(ExportOpenAIChat), string(ExportOpenAIDPO)}, ", "))
	}
	return nil
}

// ---- standard rows of the formats added for conversations ----

type exportPromptLine struct {
	Prompt string `json:"prompt"`
}

type exportImplicitLine struct {
	Chosen   string `json:"chosen"`
	Rejected string `json:"rejected"`
}

type exportRewardLine struct {
	Prompt   string `json:"prompt"`
	Chosen   string `json:"chosen"`
	Rejected string `json:"rejected"`
	Margin   *int   `json:"margin,omitempty"`
}

// emitPromptOnly writes the prompt of each answered item once.
func (w *exportWriter) emitPromptOnly(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	if len(w.answers(row)) == 0 {
		return ExportSkipNoAnswer, nil
	}
	var prompt string
	var err error
	if s, ok := ts.(*tasktype.RewriteSchema); ok {
		prompt, err = w.rewritePrompt(s, d)
	} else {
		prompt, err = exportPreferencePrompt(ts, d)
	}
	if err != nil {
		return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	if exportBlank(prompt) {
		return ExportSkipEmptyPrompt, nil
	}
	return "", w.line(exportPromptLine{prompt})
}

// ExportConversational says whether any of the schemas reads a conversation.
func ExportConversational(tt tasktype.TaskType, schemas []json.RawMessage) bool {
	for _, raw := range schemas {
		if s, err := tasktype.ParseSchema(tt, raw); err == nil {
			if f, _ := tasktype.ConversationOf(s); f != "" {
				return true
			}
		}
	}
	return false
}

// ExportHFRowFormatFor is ExportHFRowFormat for these projects: preference
// pairs over conversations are written in the conversational form.
func ExportHFRowFormatFor(tt tasktype.TaskType, schemas []json.RawMessage) ExportFormat {
	f := ExportHFRowFormat(tt)
	if f == ExportTRLDPO && ExportConversational(tt, schemas) {
		return ExportTRLDPOConv
	}
	return f
}

// exportLongTurnScores: one long-format value per turn and criterion of a
// per-turn rubric answer, the unit suffixed "turn/criterion" (as agreement
// makes its units).
func exportLongTurnScores(answer json.RawMessage) ([]exportLongValue, error) {
	var a tasktype.RubricTurnsAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return nil, err
	}
	var out []exportLongValue
	for _, id := range slices.Sorted(maps.Keys(a.Turns)) {
		t := a.Turns[id]
		for _, c := range slices.Sorted(maps.Keys(t.Scores)) {
			out = append(out, exportLongValue{suffix: id + "/" + c, text: strconv.Itoa(t.Scores[c]), raw: true})
		}
	}
	return out, nil
}

// exportLongTurnSpans: one long-format value per turn with spans, the unit
// suffixed with the turn id (offsets are relative to the turn).
func exportLongTurnSpans(spans []tasktype.AnswerSpan) ([]exportLongValue, error) {
	var out []exportLongValue
	for i := 0; i < len(spans); {
		j := i
		marks := []agreement.SpanMark{}
		for ; j < len(spans) && spans[j].TurnID == spans[i].TurnID; j++ {
			marks = append(marks, agreement.SpanMark{Start: spans[j].Start, End: spans[j].End, Label: spans[j].Label})
		}
		b, err := json.Marshal(marks)
		if err != nil {
			return nil, err
		}
		out = append(out, exportLongValue{suffix: spans[i].TurnID, text: string(b), raw: true})
		i = j
	}
	return out, nil
}

// lsConversationNeeds says what Label Studio lacks for a task type over a
// conversation ("" when it can represent it): the conversation is a
// <Paragraphs layout="dialogue">, which takes <Choices> and <Rating> over the
// whole dialogue and <ParagraphLabels> inside one paragraph (a turn).
func lsConversationNeeds(tt tasktype.TaskType, turn string) string {
	switch tt {
	case tasktype.TaskClassification, tasktype.TaskMultiLabel, tasktype.TaskSpans:
		return ""
	case tasktype.TaskRubric:
		if turn == tasktype.TurnEachAssistant {
			return "one rating per task (Label Studio has no rating per dialogue turn)"
		}
		return "" // <Rating> on the dialogue: the importer reads it as the last assistant turn's
	case tasktype.TaskPairwise, tasktype.TaskRanking:
		return "text candidates (Label Studio's <Pairwise> and <Ranker> compare texts, not candidate next turns of a dialogue)"
	case tasktype.TaskRewrite:
		return "a text to rewrite (Label Studio has no diffable rewrite of a dialogue turn)"
	}
	return "a task type Label Studio has results for (moderation has none)"
}

func lsConversationHas(tt tasktype.TaskType, turn string) string {
	switch {
	case tt == tasktype.TaskRubric && turn == tasktype.TurnEachAssistant:
		return "every assistant turn of a conversation"
	case tt == tasktype.TaskPairwise || tt == tasktype.TaskRanking:
		return "candidate next turns of a conversation"
	case turn != "":
		return "the " + strings.ReplaceAll(turn, "_", " ") + " turn of a conversation"
	}
	return "a conversation"
}
