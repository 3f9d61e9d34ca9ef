package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"copyhold/labeling"
	"copyhold/labeling/tasktype"
)

// How the demo's members answer: a plain reading of each sentence (its
// sentiment label, keywords for topics, aspects, opinions and moderation,
// length for usefulness, the written rewrites and replies), and now and then
// a wrong answer, which the reviewer rejects.

var (
	demoAspects  = []string{"battery", "phone", "headset", "sound", "volume", "quality", "case", "service", "staff", "food", "place", "price", "movie", "film", "acting", "plot", "story", "characters", "graphics", "music"}
	demoOpinions = []string{"great", "good", "excellent", "nice", "love", "loved", "best", "amazing", "fantastic", "delicious", "bad", "poor", "terrible", "awful", "worst", "waste", "disappointed", "horrible", "hate", "unacceptable", "predictable", "lame"}
	demoProfane  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(crap|sucks|damn|hell)\b`) })
	demoInsult   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(idiots?|stupid|morons?|right mind)\b`) })
	demoAdvert   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(buy a different|do not buy|don't buy)\b`) })
	demoWord     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z']+`) })
)

// demoModeration is the categories a careful moderator picks for text.
func demoModeration(text string) []string {
	var cs []string
	if demoInsult().MatchString(text) {
		cs = append(cs, "harassment")
	}
	if demoProfane().MatchString(text) {
		cs = append(cs, "profanity")
	}
	if demoAdvert().MatchString(text) {
		cs = append(cs, "spam")
	}
	return cs
}

// demoTopics is the topics a careful labeller ticks for a sentence.
func demoTopics(text, source string) []string {
	t := strings.ToLower(text)
	var cs []string
	switch source {
	case "amazon":
		cs = append(cs, "product")
	case "imdb":
		cs = append(cs, "film")
	case "yelp":
		if strings.Contains(t, "service") || strings.Contains(t, "staff") || strings.Contains(t, "waiter") || strings.Contains(t, "server") {
			cs = append(cs, "service")
		}
		if len(cs) == 0 || strings.Contains(t, "food") || strings.Contains(t, "delicious") || strings.Contains(t, "taste") {
			cs = append(cs, "food")
		}
	}
	for _, w := range []string{"price", "money", "worth", "cheap", "expensive", "value", "$"} {
		if strings.Contains(t, w) {
			cs = append(cs, "price")
			break
		}
	}
	if len(cs) == 0 {
		cs = []string{"none"}
	}
	return cs
}

// demoSpans marks every aspect and opinion word, in code points.
func demoSpans(text string) []map[string]any {
	spans := []map[string]any{}
	for _, loc := range demoWord().FindAllStringIndex(text, -1) {
		w := strings.ToLower(text[loc[0]:loc[1]])
		label := ""
		switch {
		case slices.Contains(demoAspects, w):
			label = "ASPECT"
		case slices.Contains(demoOpinions, w):
			label = "OPINION"
		default:
			continue
		}
		start := utf8.RuneCountInString(text[:loc[0]])
		spans = append(spans, map[string]any{"start": start, "end": start + utf8.RuneCountInString(text[loc[0]:loc[1]]), "label": label})
	}
	return spans
}

// demoAnswerer answers the demo's tasks; wrong asks for a plausible mistake.
type demoAnswerer struct {
	sentiment map[string]string // text → label
	rewrites  map[string]string // text → rewrite
	better    map[string]bool   // the stronger release's replies
}

func newDemoAnswerer() demoAnswerer {
	a := demoAnswerer{sentiment: map[string]string{}, rewrites: map[string]string{}, better: map[string]bool{}}
	rw := demoJSONL("rewrites.jsonl", "rewrite")
	for _, s := range demoSentences() {
		a.sentiment[s.Text] = s.Label
		if r, ok := rw[s.ID]; ok {
			a.rewrites[s.Text] = r
		}
	}
	for _, r := range demoJSONL("replies.jsonl", "v2") {
		a.better[r] = true
	}
	return a
}

func (a demoAnswerer) answer(t labeling.Task, wrong bool) json.RawMessage {
	var d struct {
		Text      string `json:"text"`
		Source    string `json:"source"`
		A         string `json:"response_a"`
		B         string `json:"response_b"`
		Responses []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"responses"`
	}
	_ = json.Unmarshal(t.Data, &d)
	var v any
	switch t.TaskType {
	case tasktype.TaskClassification:
		label := a.sentiment[d.Text]
		if wrong {
			label = map[string]string{"positive": "negative", "negative": "positive"}[label]
		}
		v = map[string]string{"choice": label}
	case tasktype.TaskMultiLabel:
		cs := demoTopics(d.Text, d.Source)
		if wrong {
			cs = []string{"none"}
			if slices.Equal(demoTopics(d.Text, d.Source), cs) {
				cs = []string{"price"}
			}
		}
		v = map[string][]string{"choices": cs}
	case tasktype.TaskSpans:
		spans := demoSpans(d.Text)
		if wrong && len(spans) > 0 {
			spans = spans[:len(spans)-1]
		}
		v = map[string]any{"spans": spans}
	case tasktype.TaskRanking:
		ids := make([]string, len(d.Responses))
		for i, r := range d.Responses {
			ids[i] = r.ID
		}
		long := map[string]int{}
		for _, r := range d.Responses {
			long[r.ID] = len(r.Text)
		}
		slices.SortStableFunc(ids, func(x, y string) int { return long[y] - long[x] })
		if wrong {
			slices.Reverse(ids)
		}
		tiers := [][]string{}
		for _, id := range ids {
			tiers = append(tiers, []string{id})
		}
		v = map[string]any{"ranking": tiers}
	case tasktype.TaskRewrite:
		text := a.rewrites[d.Text]
		if text == "" || wrong {
			text = strings.TrimRight(d.Text, "!.") + "."
		}
		v = map[string]string{"text": text}
	case tasktype.TaskModeration:
		cs := demoModeration(d.Text)
		if wrong {
			if len(cs) == 0 {
				cs = []string{"harassment"}
			} else {
				cs = nil
			}
		}
		if len(cs) == 0 {
			v = map[string][]string{"categories": {"none"}}
		} else {
			v = map[string]any{"categories": cs, "severity": 1}
		}
	case tasktype.TaskRubric:
		return demoTurnRatings(t.Data, wrong)
	case tasktype.TaskPairwise:
		choice := "b"
		if a.better[d.A] {
			choice = "a"
		}
		if wrong {
			choice = map[string]string{"a": "b", "b": "a"}[choice]
		}
		v = map[string]string{"choice": choice}
	default:
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

// demoTurnRatings rates every assistant turn of a demo chat (the
// "Assistant turns" project): a tool call moves the member on a little, an
// answer more the more it says; all of them are correct. A wrong rating
// calls the last answer incorrect and unhelpful.
func demoTurnRatings(data json.RawMessage, wrong bool) json.RawMessage {
	var d struct {
		Messages []struct {
			ID        string          `json:"id"`
			Role      string          `json:"role"`
			Content   string          `json:"content"`
			ToolCalls json.RawMessage `json:"tool_calls"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(data, &d)
	type turn struct {
		Scores map[string]int `json:"scores"`
	}
	turns := map[string]turn{}
	last := ""
	for _, m := range d.Messages {
		if m.Role != "assistant" {
			continue
		}
		helpful := 3
		switch n := utf8.RuneCountInString(m.Content); {
		case n > 200:
			helpful = 5
		case n > 60:
			helpful = 4
		}
		turns[m.ID] = turn{Scores: map[string]int{"helpful": helpful, "correct": 1}}
		last = m.ID
	}
	if wrong && last != "" {
		turns[last] = turn{Scores: map[string]int{"helpful": 1, "correct": 0}}
	}
	b, _ := json.Marshal(map[string]any{"turns": turns})
	return b
}
