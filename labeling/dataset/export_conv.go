package dataset

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"slices"
	"strings"
)

// Exports of conversation projects (schemas with conversation_field):
// TRL's conversational formats, with a "tools" column when the item has
// tools, and OpenAI's chat formats. docs/EXPORTS.md, "Conversations".

// trlMsg is a message as TRL (transformers chat templates) takes it: tool
// call arguments are an object, not JSON text.
type trlMsg struct {
	Role       string        `json:"role"`
	Content    string        `json:"content"`
	Name       string        `json:"name,omitempty"`
	ToolCalls  []trlToolCall `json:"tool_calls,omitempty"`
	ToolCallID string        `json:"tool_call_id,omitempty"`
}

type trlToolCall struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Function trlFunctionCall `json:"function"`
}

type trlFunctionCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

type (
	trlMessagesLine struct {
		Messages []trlMsg        `json:"messages"`
		Tools    json.RawMessage `json:"tools,omitempty"`
	}
	trlPromptLine struct {
		Prompt []trlMsg        `json:"prompt"`
		Tools  json.RawMessage `json:"tools,omitempty"`
	}
	trlPromptCompletionLine struct {
		Prompt     []trlMsg        `json:"prompt"`
		Completion []trlMsg        `json:"completion"`
		Tools      json.RawMessage `json:"tools,omitempty"`
	}
	trlPreferenceLine struct {
		Prompt   []trlMsg        `json:"prompt"`
		Chosen   []trlMsg        `json:"chosen"`
		Rejected []trlMsg        `json:"rejected"`
		Margin   *int            `json:"margin,omitempty"`
		Tools    json.RawMessage `json:"tools,omitempty"`
	}
	trlImplicitLine struct {
		Chosen   []trlMsg        `json:"chosen"`
		Rejected []trlMsg        `json:"rejected"`
		Tools    json.RawMessage `json:"tools,omitempty"`
	}
	trlKTOLine struct {
		Prompt     []trlMsg        `json:"prompt"`
		Completion []trlMsg        `json:"completion"`
		Label      bool            `json:"label"`
		Tools      json.RawMessage `json:"tools,omitempty"`
	}
	openAIChatLine struct {
		Messages []tasktype.Message `json:"messages"`
		Tools    json.RawMessage    `json:"tools,omitempty"`
	}
	openAIDPOInput struct {
		Messages []tasktype.Message `json:"messages"`
		Tools    json.RawMessage    `json:"tools,omitempty"`
	}
	openAIDPOConvLine struct {
		Input              openAIDPOInput     `json:"input"`
		PreferredOutput    []tasktype.Message `json:"preferred_output"`
		NonPreferredOutput []tasktype.Message `json:"non_preferred_output"`
	}
)

// Skip and drop reasons of conversation exports.
const (
	ExportSkipNotStepwise  = "not_stepwise"  // trl-stepwise: other messages between the rated assistant turns
	ExportDropTurnExcluded = "turn_excluded" // trl-kto: a turn marked "exclude"
	ExportDropMultiMessage = "openai_dpo_multi_message"
)

func toTRL(msgs []tasktype.Message) []trlMsg {
	out := make([]trlMsg, len(msgs))
	for i, m := range msgs {
		t := trlMsg{Role: m.Role, Content: m.Content, Name: m.Name, ToolCallID: m.ToolCallID}
		for _, c := range m.ToolCalls {
			t.ToolCalls = append(t.ToolCalls, trlToolCall{ID: c.ID, Type: c.Type,
				Function: trlFunctionCall{Name: c.Function.Name, Arguments: json.RawMessage(c.Function.Arguments)}})
		}
		out[i] = t
	}
	return out
}

// forOpenAI drops the turn ids (OpenAI files have none).
func forOpenAI(msgs []tasktype.Message) []tasktype.Message {
	out := make([]tasktype.Message, len(msgs))
	for i, m := range msgs {
		m.ID = ""
		out[i] = m
	}
	return out
}

// convItem is a conversation item as exports read it.
type convItem struct {
	msgs  []tasktype.Message
	tools json.RawMessage
}

func (w *exportWriter) convOf(field string, d tasktype.ItemFields) (convItem, error) {
	msgs, err := d.Conversation(field)
	if err != nil {
		return convItem{}, err
	}
	if w.opts.System != "" && (len(msgs) == 0 || msgs[0].Role != tasktype.RoleSystem) {
		msgs = append([]tasktype.Message{{Role: tasktype.RoleSystem, Content: w.opts.System}}, msgs...)
	}
	var tools json.RawMessage
	if raw, ok := d[tasktype.ToolsField]; ok && string(raw) != "null" {
		if tools, err = w.compactCopy(raw); err != nil {
			return convItem{}, err
		}
	}
	return convItem{msgs, tools}, nil
}

func (w *exportWriter) compactCopy(raw json.RawMessage) (json.RawMessage, error) {
	c, err := w.compact(raw)
	return slices.Clone(c), err
}

// emitConversation writes one row of a conversation project.
func (w *exportWriter) emitConversation(row *ExportRow, s tasktype.Schema, d tasktype.ItemFields) (string, error) {
	answers := w.answers(row)
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	field, turn := tasktype.ConversationOf(s)
	c, err := w.convOf(field, d)
	if err != nil {
		return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	written, reason := 0, ""
	for _, a := range answers {
		var n int
		var why string
		switch x := s.(type) {
		case *tasktype.RewriteSchema:
			n, err = w.convRewrite(c, turn, a.answer)
		case *tasktype.RubricSchema:
			n, why, err = w.convRubric(c, x, turn, a.answer)
		case *tasktype.PairwiseSchema, *tasktype.RankingSchema:
			n, why, err = w.convPreference(c, s, d, a.answer)
		default:
			return "", ErrExportUnsupported.With("%s has no lines for %s conversations", w.opts.Format, w.opts.TaskType)
		}
		if err != nil {
			return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
		}
		if why != "" {
			reason = why
		}
		written += n
	}
	if written == 0 {
		if reason == "" {
			reason = ExportSkipNoAnswer
		}
		return reason, nil
	}
	if reason != "" {
		w.tally.drop(reason)
	}
	return "", nil
}

// ---- rewrite: supervised fine-tuning ----

func (w *exportWriter) convRewrite(c convItem, turn string, answer json.RawMessage) (int, error) {
	var a tasktype.RewriteAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return 0, err
	}
	if exportBlank(a.Text) {
		return 0, nil
	}
	var out []tasktype.Message
	if turn == tasktype.TurnNext {
		out = append(slices.Clone(c.msgs), tasktype.Message{Role: tasktype.RoleAssistant, Content: a.Text})
	} else {
		i := tasktype.LastAssistant(c.msgs)
		out = slices.Clone(c.msgs[:i+1])
		out[i].Content = a.Text
	}
	n := len(out)
	switch w.opts.Format {
	case ExportTRLSFT:
		return 1, w.line(trlMessagesLine{toTRL(out), c.tools})
	case ExportTRLSFTPrompt:
		return 1, w.line(trlPromptCompletionLine{toTRL(out[:n-1]), toTRL(out[n-1:]), c.tools})
	case ExportTRLPromptOnly:
		return 1, w.line(trlPromptLine{toTRL(out[:n-1]), c.tools})
	case ExportOpenAIChat:
		w.weigh(out, nil)
		return 1, w.line(openAIChatLine{forOpenAI(out), c.tools})
	}
	return 0, ErrExportUnsupported.With("%s has no lines for rewrite conversations", w.opts.Format)
}

// weigh sets OpenAI weights by the weight_zero rules: with none, stored
// weights stay as they are; with any, every assistant turn gets 0 or 1.
// labels are the per-turn marks and ratings (nil for rewrites).
func (w *exportWriter) weigh(msgs []tasktype.Message, turns map[string]turnLabel) {
	if len(w.opts.WeightZero) == 0 {
		return
	}
	last := tasktype.LastAssistant(msgs)
	for i := range msgs {
		if msgs[i].Role != tasktype.RoleAssistant {
			continue
		}
		zero := false
		t, rated := turns[msgs[i].ID]
		for _, r := range w.opts.WeightZero {
			switch r {
			case WeightHistory:
				zero = zero || i != last
			case WeightMarked:
				zero = zero || (rated && t.exclude)
			case WeightBelow:
				zero = zero || (rated && t.scored && !t.good)
			}
		}
		v := 1
		if zero {
			v = 0
		}
		msgs[i].Weight = &v
	}
}

// ---- rubric: per-turn ratings ----

// turnLabel is one rated turn: the exclude mark and the good/bad label
// the KTO criterion and threshold give (scored false when the criterion
// is unscored).
type turnLabel struct {
	exclude, scored, good bool
}

func (w *exportWriter) turnLabels(s *tasktype.RubricSchema, msgs []tasktype.Message, turn string, answer json.RawMessage) (map[string]turnLabel, error) {
	turns := map[string]tasktype.RubricTurn{}
	if turn == tasktype.TurnEachAssistant {
		var a tasktype.RubricTurnsAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		turns = a.Turns
	} else {
		var a tasktype.RubricAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		turns[msgs[tasktype.LastAssistant(msgs)].ID] = tasktype.RubricTurn{Scores: a.Scores}
	}
	out := make(map[string]turnLabel, len(turns))
	for id, t := range turns {
		good, why, err := w.ktoLabel(s, tasktype.RubricAnswer{Scores: t.Scores})
		if err != nil {
			return nil, err
		}
		out[id] = turnLabel{exclude: t.Exclude, scored: why == "", good: good}
	}
	return out, nil
}

func (w *exportWriter) convRubric(c convItem, s *tasktype.RubricSchema, turn string, answer json.RawMessage) (int, string, error) {
	labels, err := w.turnLabels(s, c.msgs, turn, answer)
	if err != nil {
		return 0, "", err
	}
	last := tasktype.LastAssistant(c.msgs)
	switch w.opts.Format {
	case ExportOpenAIChat:
		out := slices.Clone(c.msgs[:last+1])
		w.weigh(out, labels)
		return 1, "", w.line(openAIChatLine{forOpenAI(out), c.tools})
	case ExportTRLPromptOnly:
		return 1, "", w.line(trlPromptLine{toTRL(c.msgs[:last]), c.tools})
	case ExportTRLKTO:
		n, why := 0, ""
		for i, m := range c.msgs {
			l, ok := labels[m.ID]
			switch {
			case m.Role != tasktype.RoleAssistant || !ok:
				continue
			case l.exclude:
				why = ExportDropTurnExcluded
				continue
			case !l.scored:
				why = ExportSkipUnscored
				continue
			}
			if err := w.line(trlKTOLine{toTRL(c.msgs[:i]), toTRL(c.msgs[i : i+1]), l.good, c.tools}); err != nil {
				return 0, "", err
			}
			n++
		}
		if n > 0 && why != "" {
			w.tally.drop(why)
			why = ""
		}
		return n, why, nil
	case ExportTRLStepwise:
		return w.stepwise(c.msgs, labels)
	}
	return 0, "", ErrExportUnsupported.With("%s has no lines for rubric conversations", w.opts.Format)
}

// stepwise writes TRL's stepwise supervision (standard: PRMTrainer takes
// text): the prompt is the text before the first assistant turn, the
// completions are the consecutive assistant turns that follow, the labels
// their ratings. A conversation with other messages between assistant
// turns, or an unscored turn, gives no line.
func (w *exportWriter) stepwise(msgs []tasktype.Message, labels map[string]turnLabel) (int, string, error) {
	first := slices.IndexFunc(msgs, func(m tasktype.Message) bool { return m.Role == tasktype.RoleAssistant })
	var prompt []string
	for _, m := range msgs[:first] {
		if !exportBlank(m.Content) {
			prompt = append(prompt, m.Content)
		}
	}
	var l exportStepwiseLine
	l.Prompt = strings.Join(prompt, "\n\n")
	for _, m := range msgs[first:] {
		if m.Role != tasktype.RoleAssistant || len(m.ToolCalls) > 0 || exportBlank(m.Content) {
			return 0, ExportSkipNotStepwise, nil
		}
		t, ok := labels[m.ID]
		if !ok || !t.scored {
			return 0, ExportSkipUnscored, nil
		}
		l.Completions = append(l.Completions, m.Content)
		l.Labels = append(l.Labels, t.good)
	}
	if exportBlank(l.Prompt) {
		return 0, ExportSkipEmptyPrompt, nil
	}
	return 1, "", w.line(l)
}

type exportStepwiseLine struct {
	Prompt      string   `json:"prompt"`
	Completions []string `json:"completions"`
	Labels      []bool   `json:"labels"`
}

// ---- pairwise and ranking: preferences over the next turn ----

type convPair struct {
	chosen, rejected []tasktype.Message
	margin           *int
}

func (w *exportWriter) convCandidates(s tasktype.Schema, d tasktype.ItemFields, history []tasktype.Message) (map[string][]tasktype.Message, error) {
	out := map[string][]tasktype.Message{}
	switch x := s.(type) {
	case *tasktype.PairwiseSchema:
		for k, f := range map[string]string{tasktype.PairwiseA: x.AField, tasktype.PairwiseB: x.BField} {
			c, err := d.Candidate(f, history)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
	case *tasktype.RankingSchema:
		var rs []map[string]json.RawMessage
		if err := json.Unmarshal(d[x.ResponsesField], &rs); err != nil {
			return nil, err
		}
		texts, err := exportResponseTexts(x, d)
		if err != nil {
			return nil, err
		}
		for i, r := range rs {
			var id string
			_ = json.Unmarshal(r["id"], &id)
			if raw, ok := r["messages"]; ok {
				f := tasktype.ItemFields{"m": raw}
				c, err := f.Candidate("m", history)
				if err != nil {
					return nil, ErrExportRow.With("%s[%d].messages: %s", x.ResponsesField, i, err.Error())
				}
				out[id] = c
				continue
			}
			out[id] = []tasktype.Message{{Role: tasktype.RoleAssistant, Content: texts[id]}}
		}
	}
	return out, nil
}

func (w *exportWriter) convPairs(s tasktype.Schema, cands map[string][]tasktype.Message, answer json.RawMessage) ([]convPair, string, error) {
	switch s.(type) {
	case *tasktype.PairwiseSchema:
		var a tasktype.PairwiseAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, "", err
		}
		switch a.Choice {
		case tasktype.PairwiseA:
			return []convPair{{cands["a"], cands["b"], a.Strength}}, "", nil
		case tasktype.PairwiseB:
			return []convPair{{cands["b"], cands["a"], a.Strength}}, "", nil
		case tasktype.PairwiseTie:
			return nil, ExportSkipPairwiseTie, nil
		}
		return nil, ExportSkipBothBad, nil
	case *tasktype.RankingSchema:
		var a tasktype.RankingAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, "", err
		}
		var out []convPair
		for _, p := range rankingPairs(a.Ranking, w.opts.Pairs) {
			out = append(out, convPair{cands[p[0]], cands[p[1]], nil})
		}
		if len(out) == 0 {
			return nil, ExportSkipRankingTied, nil
		}
		return out, "", nil
	}
	return nil, "", ErrExportUnsupported.With("no preference pairs in %T", s)
}

func (w *exportWriter) convPreference(c convItem, s tasktype.Schema, d tasktype.ItemFields, answer json.RawMessage) (int, string, error) {
	if w.opts.Format == ExportTRLPromptOnly {
		return 1, "", w.line(trlPromptLine{toTRL(c.msgs), c.tools})
	}
	cands, err := w.convCandidates(s, d, c.msgs)
	if err != nil {
		return 0, "", err
	}
	if w.opts.Format == ExportTRLKTO {
		return w.convKTOPairwise(c, cands, answer)
	}
	pairs, why, err := w.convPairs(s, cands, answer)
	if err != nil || why != "" {
		return 0, why, err
	}
	n, dropped := 0, ""
	for _, p := range pairs {
		if sameMessages(p.chosen, p.rejected) {
			dropped = ExportDropSameResponse
			w.tally.drop(dropped)
			continue
		}
		var err error
		switch w.opts.Format {
		case ExportTRLDPOConv:
			err = w.line(trlPreferenceLine{Prompt: toTRL(c.msgs), Chosen: toTRL(p.chosen), Rejected: toTRL(p.rejected), Tools: c.tools})
		case ExportTRLReward:
			err = w.line(trlPreferenceLine{toTRL(c.msgs), toTRL(p.chosen), toTRL(p.rejected), p.margin, c.tools})
		case ExportTRLImplicit:
			err = w.line(trlImplicitLine{toTRL(concatMsgs(c.msgs, p.chosen)), toTRL(concatMsgs(c.msgs, p.rejected)), c.tools})
		case ExportOpenAIDPO:
			if len(p.chosen) != 1 || len(p.rejected) != 1 {
				dropped = ExportDropMultiMessage
				w.tally.drop(dropped)
				continue
			}
			err = w.line(openAIDPOConvLine{openAIDPOInput{forOpenAI(c.msgs), c.tools}, forOpenAI(p.chosen), forOpenAI(p.rejected)})
		default:
			return 0, "", ErrExportUnsupported.With("%s has no lines for %s conversations", w.opts.Format, w.opts.TaskType)
		}
		if err != nil {
			return 0, "", err
		}
		n++
	}
	if n == 0 {
		return 0, dropped, nil
	}
	return n, "", nil
}

// convKTOPairwise: the chosen candidate labelled true, the other false;
// both_bad gives both false; a tie gives nothing.
func (w *exportWriter) convKTOPairwise(c convItem, cands map[string][]tasktype.Message, answer json.RawMessage) (int, string, error) {
	var a tasktype.PairwiseAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return 0, "", err
	}
	var lines []trlKTOLine
	add := func(k string, good bool) {
		lines = append(lines, trlKTOLine{toTRL(c.msgs), toTRL(cands[k]), good, c.tools})
	}
	switch a.Choice {
	case tasktype.PairwiseA:
		add("a", true)
		add("b", false)
	case tasktype.PairwiseB:
		add("b", true)
		add("a", false)
	case tasktype.PairwiseBothBad:
		add("a", false)
		add("b", false)
	default:
		return 0, ExportSkipPairwiseTie, nil
	}
	for _, l := range lines {
		if err := w.line(l); err != nil {
			return 0, "", err
		}
	}
	return len(lines), "", nil
}

func concatMsgs(a, b []tasktype.Message) []tasktype.Message {
	return append(slices.Clone(a), b...)
}

func sameMessages(a, b []tasktype.Message) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
