package dataset

import (
	"copyhold/labeling/jsonscan"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// TRL (Hugging Face) dataset lines. The shapes follow TRL's dataset formats:
// language modelling as messages or prompt/completion, preference
// (prompt/chosen/rejected, standard or conversational), and unpaired
// preference for KTO (prompt/completion/label).

type exportMsg struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type exportMessagesLine struct {
	Messages []exportMsg `json:"messages"`
}

type exportPromptCompletionLine struct {
	Prompt     string `json:"prompt"`
	Completion string `json:"completion"`
}

type exportDPOLine struct {
	Prompt   string `json:"prompt"`
	Chosen   string `json:"chosen"`
	Rejected string `json:"rejected"`
}

type exportDPOConvLine struct {
	Prompt   []exportMsg `json:"prompt"`
	Chosen   []exportMsg `json:"chosen"`
	Rejected []exportMsg `json:"rejected"`
}

type exportKTOLine struct {
	Prompt     string `json:"prompt"`
	Completion string `json:"completion"`
	Label      bool   `json:"label"`
}

// exportField reads a top-level string field; field "" (no such field in
// this schema) reads as "".
func exportField(d tasktype.ItemFields, field string) (string, error) {
	if field == "" {
		return "", nil
	}
	return d.Text(field, true)
}

func exportBlank(s string) bool { return strings.TrimSpace(s) == "" }

// userTurn starts a conversation: the optional system message, then the user.
func (w *exportWriter) userTurn(prompt string) []exportMsg {
	if w.opts.System != "" {
		return []exportMsg{{"system", w.opts.System}, {"user", prompt}}
	}
	return []exportMsg{{"user", prompt}}
}

// ---- supervised fine-tuning, from rewrite ----

// rewritePrompt is the user turn of a rewrite item: its prompt; or, when the
// schema or the item has none, the original text (prefixed by the
// Instruction option), so the pair teaches "improve this text".
func (w *exportWriter) rewritePrompt(s *tasktype.RewriteSchema, d tasktype.ItemFields) (string, error) {
	prompt, err := exportField(d, *s.PromptField)
	if err != nil || !exportBlank(prompt) {
		return prompt, err
	}
	orig, err := exportField(d, *s.Field)
	if err != nil || exportBlank(orig) {
		return "", err
	}
	if w.opts.Instruction != "" {
		return w.opts.Instruction + "\n\n" + orig, nil
	}
	return orig, nil
}

func (w *exportWriter) emitSFT(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	s := ts.(*tasktype.RewriteSchema)
	answers := w.answers(row)
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	prompt, err := w.rewritePrompt(s, d)
	if err != nil {
		return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	if exportBlank(prompt) {
		return ExportSkipEmptyPrompt, nil
	}
	written := 0
	for _, a := range answers {
		var ans tasktype.RewriteAnswer
		if err := json.Unmarshal(a.answer, &ans); err != nil {
			return "", ErrExportRow.With("item %d: rewrite answer: %s", row.ItemID, tasktype.JSONErrText(err))
		}
		if exportBlank(ans.Text) {
			w.tally.drop(ExportSkipNoAnswer)
			continue
		}
		var err error
		switch w.opts.Format {
		case ExportTRLSFTPrompt:
			err = w.line(exportPromptCompletionLine{prompt, w.separate(prompt, ans.Text)})
		default: // trl-sft and openai-chat share the messages shape
			msgs := append(w.userTurn(prompt), exportMsg{"assistant", ans.Text})
			err = w.line(exportMessagesLine{msgs})
		}
		if err != nil {
			return "", err
		}
		written++
	}
	if written == 0 {
		return ExportSkipNoAnswer, nil
	}
	return "", nil
}

// ---- preference pairs, from pairwise and ranking ----

type exportPair struct {
	chosen, rejected string
	margin           *int // pairwise strength, for trl-reward
}

// preferencePrompt reads the prompt of a pairwise or ranking item.
func exportPreferencePrompt(ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	switch s := ts.(type) {
	case *tasktype.PairwiseSchema:
		return exportField(d, *s.PromptField)
	case *tasktype.RankingSchema:
		return exportField(d, *s.PromptField)
	case *tasktype.RubricSchema:
		return exportField(d, *s.PromptField)
	}
	return "", nil
}

// pairs turns one answer into preference pairs, or says why it gives none.
// Pairwise a/b gives one pair; ranking gives every pair of responses in
// different tiers, better tier chosen; ties give none.
// The pairs are appended to dst (emitDPO's buffer, reused for each answer).
func exportPairs(dst []exportPair, ts tasktype.Schema, d tasktype.ItemFields, answer json.RawMessage, policy string) ([]exportPair, string, error) {
	switch s := ts.(type) {
	case *tasktype.PairwiseSchema:
		a, err := exportPairwiseAnswer(answer)
		if err != nil {
			return nil, "", err
		}
		ra, err := d.Text(s.AField, true)
		if err != nil {
			return nil, "", err
		}
		rb, err := d.Text(s.BField, true)
		if err != nil {
			return nil, "", err
		}
		switch a.Choice {
		case tasktype.PairwiseA:
			return append(dst, exportPair{ra, rb, a.Strength}), "", nil
		case tasktype.PairwiseB:
			return append(dst, exportPair{rb, ra, a.Strength}), "", nil
		case tasktype.PairwiseTie:
			return nil, ExportSkipPairwiseTie, nil
		case tasktype.PairwiseBothBad:
			return nil, ExportSkipBothBad, nil
		}
		return nil, "", tasktype.ErrInvalidAnswer.With("pairwise choice %q", a.Choice)
	case *tasktype.RankingSchema:
		var a tasktype.RankingAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, "", err
		}
		texts, err := exportResponseTexts(s, d)
		if err != nil {
			return nil, "", err
		}
		out := dst
		for _, p := range rankingPairs(a.Ranking, policy) {
			out = append(out, exportPair{texts[p[0]], texts[p[1]], nil})
		}
		if len(out) == 0 {
			return nil, ExportSkipRankingTied, nil
		}
		return out, "", nil
	}
	return nil, "", ErrExportUnsupported.With("no preference pairs in %T", ts)
}

// exportResponseTexts maps response ids to what the labeller read: text, or
// title and body separated by a blank line.
func exportResponseTexts(s *tasktype.RankingSchema, d tasktype.ItemFields) (map[string]string, error) {
	var rs []tasktype.RankingResponse
	if err := json.Unmarshal(d[s.ResponsesField], &rs); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		switch {
		case !exportBlank(r.Text):
			out[r.ID] = r.Text
		case exportBlank(r.Title):
			out[r.ID] = r.Body
		case exportBlank(r.Body):
			out[r.ID] = r.Title
		default:
			out[r.ID] = r.Title + "\n\n" + r.Body
		}
	}
	return out, nil
}

func (w *exportWriter) emitDPO(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	answers := w.answers(row)
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	prompt, err := exportPreferencePrompt(ts, d)
	if err != nil {
		return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	if exportBlank(prompt) {
		return ExportSkipEmptyPrompt, nil
	}
	written, reason := 0, ""
	for _, a := range answers {
		pairs, why, err := exportPairs(w.pairs[:0], ts, d, a.answer, w.opts.Pairs)
		w.pairs = pairs
		if err != nil {
			return "", ErrExportRow.With("item %d: answer: %s", row.ItemID, err.Error())
		}
		if why != "" {
			reason = why
			continue
		}
		for _, p := range pairs {
			switch {
			case exportBlank(p.chosen) || exportBlank(p.rejected):
				w.tally.drop(ExportDropEmptyResponse)
				continue
			case p.chosen == p.rejected:
				w.tally.drop(ExportDropSameResponse)
				continue
			}
			if err := w.writePair(prompt, p); err != nil {
				return "", err
			}
			written++
		}
	}
	if written == 0 {
		if reason == "" {
			reason = ExportDropEmptyResponse
		}
		return reason, nil
	}
	if reason != "" {
		w.tally.drop(reason) // an annotation among several gave no pair
	}
	return "", nil
}

// exportPairwiseAnswer decodes a pairwise answer. The normalised shape
// (known keys, right types) is read in one pass; anything else goes
// through encoding/json, which decides as it always did.
func exportPairwiseAnswer(answer json.RawMessage) (tasktype.PairwiseAnswer, error) {
	var a tasktype.PairwiseAnswer
	fast := true
	err := jsonscan.Object(answer, func(k, v []byte) error {
		var ok bool
		var err error
		switch string(k) {
		case "choice":
			a.Choice, ok, err = exportChoice(v)
		case "rationale":
			a.Rationale, ok, err = jsonscan.String(v)
		case "shown_order":
			a.ShownOrder, ok, err = jsonscan.String(v)
		case "strength":
			if string(v) == "null" {
				a.Strength, ok = nil, true
			} else if n, perr := strconv.Atoi(string(v)); perr == nil {
				a.Strength, ok = &n, true
			}
		}
		fast = fast && ok && err == nil
		return nil
	})
	if err == nil && fast {
		return a, nil
	}
	var slow tasktype.PairwiseAnswer // its own variable: only this path allocates it
	err = json.Unmarshal(answer, &slow)
	return slow, err
}

// exportChoice reads a pairwise choice; the known ones without a copy.
func exportChoice(v []byte) (string, bool, error) {
	if jsonscan.Plain(v) {
		switch string(v[1 : len(v)-1]) { // constants: the conversion is not kept
		case tasktype.PairwiseA:
			return tasktype.PairwiseA, true, nil
		case tasktype.PairwiseB:
			return tasktype.PairwiseB, true, nil
		case tasktype.PairwiseTie:
			return tasktype.PairwiseTie, true, nil
		case tasktype.PairwiseBothBad:
			return tasktype.PairwiseBothBad, true, nil
		}
	}
	return jsonscan.String(v)
}

func (w *exportWriter) writePair(prompt string, p exportPair) error {
	switch w.opts.Format {
	case ExportTRLDPO:
		// The bytes exportDPOLine encodes to, without reflection.
		b := append(w.lineBuf[:0], `{"prompt":`...)
		b = jsonscan.AppendString(b, prompt)
		b = append(b, `,"chosen":`...)
		b = jsonscan.AppendJoined(b, w.separator(prompt, p.chosen), p.chosen)
		b = append(b, `,"rejected":`...)
		b = jsonscan.AppendJoined(b, w.separator(prompt, p.rejected), p.rejected)
		b = append(b, "}\n"...)
		w.lineBuf = b
		if _, err := w.bw.Write(b); err != nil {
			return err
		}
		w.tally.rows++
		return nil
	case ExportTRLReward:
		return w.line(exportRewardLine{prompt, w.separate(prompt, p.chosen), w.separate(prompt, p.rejected), p.margin})
	case ExportTRLImplicit:
		return w.line(exportImplicitLine{prompt + w.separate(prompt, p.chosen), prompt + w.separate(prompt, p.rejected)})
	case ExportTRLDPOConv:
		return w.line(exportDPOConvLine{w.userTurn(prompt), []exportMsg{{"assistant", p.chosen}}, []exportMsg{{"assistant", p.rejected}}})
	default: // openai-dpo
		l := exportOpenAIDPOLine{PreferredOutput: []exportMsg{{"assistant", p.chosen}},
			NonPreferredOutput: []exportMsg{{"assistant", p.rejected}}}
		l.Input.Messages = w.userTurn(prompt)
		return w.line(l)
	}
}

// ---- unpaired preference (KTO), from pairwise and rubric ----

// emitKTO: pairwise a/b gives the chosen response labelled true and the
// rejected one false; both_bad gives both false; a tie gives nothing.
// Rubric gives its response, labelled by the threshold (see ktoLabel).
func (w *exportWriter) emitKTO(row *ExportRow, ts tasktype.Schema, d tasktype.ItemFields) (string, error) {
	answers := w.answers(row)
	if len(answers) == 0 {
		return ExportSkipNoAnswer, nil
	}
	prompt, err := exportPreferencePrompt(ts, d)
	if err != nil {
		return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	if exportBlank(prompt) {
		return ExportSkipEmptyPrompt, nil
	}
	written, reason := 0, ""
	for _, a := range answers {
		lines, why, err := w.ktoLines(ts, d, a.answer)
		if err != nil {
			return "", ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
		}
		if why != "" {
			reason = why
			continue
		}
		for _, l := range lines {
			if exportBlank(l.Completion) {
				w.tally.drop(ExportDropEmptyResponse)
				continue
			}
			l.Prompt = prompt
			l.Completion = w.separate(prompt, l.Completion)
			if err := w.line(l); err != nil {
				return "", err
			}
			written++
		}
	}
	if written == 0 {
		if reason == "" {
			reason = ExportDropEmptyResponse
		}
		return reason, nil
	}
	if reason != "" {
		w.tally.drop(reason)
	}
	return "", nil
}

func (w *exportWriter) ktoLines(ts tasktype.Schema, d tasktype.ItemFields, answer json.RawMessage) ([]exportKTOLine, string, error) {
	switch s := ts.(type) {
	case *tasktype.PairwiseSchema:
		a, err := exportPairwiseAnswer(answer)
		if err != nil {
			return nil, "", err
		}
		ra, err := d.Text(s.AField, true)
		if err != nil {
			return nil, "", err
		}
		rb, err := d.Text(s.BField, true)
		if err != nil {
			return nil, "", err
		}
		switch a.Choice {
		case tasktype.PairwiseA:
			return []exportKTOLine{{Completion: ra, Label: true}, {Completion: rb, Label: false}}, "", nil
		case tasktype.PairwiseB:
			return []exportKTOLine{{Completion: rb, Label: true}, {Completion: ra, Label: false}}, "", nil
		case tasktype.PairwiseBothBad:
			return []exportKTOLine{{Completion: ra, Label: false}, {Completion: rb, Label: false}}, "", nil
		case tasktype.PairwiseTie:
			return nil, ExportSkipPairwiseTie, nil
		}
		return nil, "", tasktype.ErrInvalidAnswer.With("pairwise choice %q", a.Choice)
	case *tasktype.RubricSchema:
		var a tasktype.RubricAnswer
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, "", err
		}
		label, why, err := w.ktoLabel(s, a)
		if err != nil || why != "" {
			return nil, why, err
		}
		resp, err := d.Text(s.ResponseField, true)
		if err != nil {
			return nil, "", err
		}
		return []exportKTOLine{{Completion: resp, Label: label}}, "", nil
	}
	return nil, "", ErrExportUnsupported.With("no KTO lines in %T", ts)
}

// ktoLabel decides a rubric answer's label. With KTOCriterion the score is
// that criterion's value on its own scale; without, it is the mean over the
// scored criteria of (value − scale min) / (scale max − scale min), in 0..1.
// The label is true iff score >= KTOThreshold; with no threshold, iff the
// score is strictly above the middle of the scale (0.5 for the mean).
// Arithmetic is exact (rationals), so a score on the threshold is true.
func (w *exportWriter) ktoLabel(s *tasktype.RubricSchema, a tasktype.RubricAnswer) (bool, string, error) {
	var score, mid *big.Rat
	if c := w.opts.KTOCriterion; c != "" {
		var crit *tasktype.Criterion
		for i := range s.Criteria {
			if s.Criteria[i].ID == c {
				crit = &s.Criteria[i]
			}
		}
		if crit == nil {
			return false, "", ErrExportOptions.With("KTO criterion %q is not a criterion of the rubric", c)
		}
		v, ok := a.Scores[c]
		if !ok {
			return false, ExportSkipUnscored, nil
		}
		lo, hi := crit.Scale[0].Value, crit.Scale[len(crit.Scale)-1].Value
		score, mid = big.NewRat(int64(v), 1), big.NewRat(int64(lo+hi), 2)
	} else {
		sum, n := new(big.Rat), int64(0)
		for _, c := range s.Criteria {
			v, ok := a.Scores[c.ID]
			if !ok {
				continue
			}
			lo, hi := c.Scale[0].Value, c.Scale[len(c.Scale)-1].Value
			sum.Add(sum, big.NewRat(int64(v-lo), int64(hi-lo)))
			n++
		}
		if n == 0 {
			return false, ExportSkipUnscored, nil
		}
		score, mid = sum.Quo(sum, big.NewRat(n, 1)), big.NewRat(1, 2)
	}
	if w.opts.KTOThreshold != "" {
		t, _ := exportParseRat(w.opts.KTOThreshold)
		return score.Cmp(t) >= 0, "", nil
	}
	return score.Cmp(mid) > 0, "", nil
}
