package agreement

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"slices"
)

// Consensus per turn: answers that score each turn of a conversation (a
// rubric with turn each_assistant) agree turn by turn, not as a whole.

// TurnsConsensus is the majority answer of per-turn answers.
type TurnsConsensus struct {
	Answer  json.RawMessage // {"turns":{…}}: each turn's majority entry; nil unless Decided
	Decided bool            // every turn has a majority
	Share   float64         // the smallest majority share over the turns
	Turns   []ConsensusResult
}

// IsPerTurn says whether a (normalised) answer is a per-turn answer.
func IsPerTurn(tt tasktype.TaskType, answer json.RawMessage) bool {
	if tt != tasktype.TaskRubric {
		return false
	}
	var probe map[string]json.RawMessage
	return json.Unmarshal(answer, &probe) == nil && probe["turns"] != nil
}

// MajorityPerTurn votes per turn among per-turn rubric answers. A turn's
// value is its scores and exclude mark (the rationale does not vote); the
// consensus entry of a turn is the first answer's entry with the winning
// value, rationale included.
func MajorityPerTurn(recs []AnswerRecord, opts MajorityOptions) (TurnsConsensus, error) {
	var ratings []Rating
	entries := map[string]map[string]tasktype.RubricTurn{} // turn → value → entry
	for _, r := range recs {
		var a tasktype.RubricTurnsAnswer
		if err := json.Unmarshal(r.Answer, &a); err != nil {
			return TurnsConsensus{}, ErrBadRatingValue.With("per-turn answer of %s: %v", r.Annotator, err)
		}
		for id, t := range a.Turns {
			v, _ := json.Marshal(tasktype.RubricTurn{Scores: t.Scores, Exclude: t.Exclude})
			ratings = append(ratings, Rating{Unit: id, Annotator: r.Annotator, Value: string(v)})
			if entries[id] == nil {
				entries[id] = map[string]tasktype.RubricTurn{}
			}
			if _, ok := entries[id][string(v)]; !ok {
				entries[id][string(v)] = t
			}
		}
	}
	out := TurnsConsensus{Decided: len(ratings) > 0, Share: 1}
	if len(ratings) == 0 {
		out.Share = 0
		return out, nil
	}
	res, err := MajorityVote(ratings, opts)
	if err != nil {
		return TurnsConsensus{}, err
	}
	out.Turns = res
	turns := map[string]tasktype.RubricTurn{}
	for _, c := range res {
		out.Share = min(out.Share, c.Share)
		if !c.Decided {
			out.Decided = false
			continue
		}
		turns[c.Unit] = entries[c.Unit][c.Label]
	}
	if out.Decided {
		out.Answer, err = tasktype.CanonicalJSON(tasktype.RubricTurnsAnswer{Turns: turns})
	}
	return out, err
}

// TurnsDiffering lists the turns whose entries differ between the answers,
// in the order of their ids (for the reviewer: what to look at).
func TurnsDiffering(recs []AnswerRecord) ([]string, error) {
	seen := map[string]map[string]bool{}
	count := map[string]int{}
	for _, r := range recs {
		var a tasktype.RubricTurnsAnswer
		if err := json.Unmarshal(r.Answer, &a); err != nil {
			return nil, ErrBadRatingValue.With("per-turn answer of %s: %v", r.Annotator, err)
		}
		for id, t := range a.Turns {
			v, _ := json.Marshal(tasktype.RubricTurn{Scores: t.Scores, Exclude: t.Exclude})
			if seen[id] == nil {
				seen[id] = map[string]bool{}
			}
			seen[id][string(v)] = true
			count[id]++
		}
	}
	var out []string
	for id, vs := range seen {
		if len(vs) > 1 || count[id] != len(recs) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}
