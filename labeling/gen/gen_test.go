package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

func TestDecideByErrorKind(t *testing.T) {
	p := Policy{MaxAttempts: 3, MaxInvalidAttempts: 2}
	cases := []struct {
		err      error
		attempts int
		want     Action
	}{
		{fmt.Errorf("x: %w", model.ErrAuth), 1, FailJob},
		{model.ErrURLScheme, 1, FailJob},
		{&model.RetryAfter{Err: model.ErrRateLimited, Delay: time.Second}, 1, Retry},
		{model.ErrUpstream, 2, Retry},
		{model.ErrTimeout, 3, Skip},
		{model.ErrBadResponse, 1, Retry},
		{ErrInvalidOutput.With("empty"), 2, Skip},
	}
	for _, c := range cases {
		got, reason := p.Decide(c.err, c.attempts)
		if got != c.want || reason == "" {
			t.Errorf("Decide(%v, %d) = %v %q, want %v", c.err, c.attempts, got, reason, c.want)
		}
	}
	if _, r := p.Decide(model.ErrTimeout, 3); !strings.Contains(r, "gave up after 3 attempts") {
		t.Errorf("skip reason %q", r)
	}
}

func TestBackoffGrowsCapsAndHonoursRetryAfter(t *testing.T) {
	p := Policy{Base: time.Second, Cap: 8 * time.Second}
	rnd := rand.New(rand.NewPCG(1, 2))
	for attempt, hi := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 9: 8 * time.Second} {
		for range 50 {
			d := p.Backoff(model.ErrUpstream, attempt, rnd)
			if d < hi/2 || d > hi {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, hi/2, hi)
			}
		}
	}
	ra := &model.RetryAfter{Err: model.ErrRateLimited, Delay: 30 * time.Second}
	for range 50 {
		if d := p.Backoff(ra, 1, rnd); d < 30*time.Second || d > 33*time.Second {
			t.Fatalf("Retry-After 30s gave %v", d)
		}
	}
}

func TestKeysAndPlan(t *testing.T) {
	a, _ := NewSource([]tasktype.Message{{Role: "user", Content: "hi"}})
	b, _ := NewSource([]tasktype.Message{{Role: "user", Content: "hello"}})
	if a.Key == b.Key || a.Key != SourceKey(a.Messages) {
		t.Fatalf("source keys %q %q", a.Key, b.Key)
	}
	units := Plan([]Source{a, b}, []Slot{{EndpointID: 1}, {EndpointID: 2}, {EndpointID: 1}})
	seen := map[string]bool{}
	for _, u := range units {
		k := Key(7, u.Source.Key, u.Slot)
		if seen[k] {
			t.Fatalf("duplicate key %s", k)
		}
		seen[k] = true
	}
	if len(units) != 6 || units[4].EndpointID != 2 || Key(7, "s", 1) != Key(7, "s", 1) {
		t.Fatalf("plan %+v", units)
	}
	if _, err := NewSource([]tasktype.Message{{Role: "user", Content: "q"}, {Role: "assistant", Content: "a"}}); err == nil {
		t.Fatal("a source ending with the assistant's turn was accepted")
	}
}

func TestNamesSelf(t *testing.T) {
	for _, c := range []struct {
		text, model, ep string
		want            bool
	}{
		{"As Llama 3, I think…", "meta-llama/Llama-3.1-8B-Instruct", "local", true},
		{"Sure, here is a poem.", "meta-llama/Llama-3.1-8B-Instruct", "local", false},
		{"I am Qwen, made by Alibaba.", "some-model", "ep", true},
		{"As an AI language model I cannot.", "x", "y", true},
		{"The mistral wind blows.", "qwen2.5:7b", "box", false},
		{"Ask the bigbox team.", "qwen2.5:7b", "bigbox", true},
	} {
		if got := NamesSelf(c.text, c.model, c.ep); got != c.want {
			t.Errorf("NamesSelf(%q, %q, %q) = %v", c.text, c.model, c.ep, got)
		}
	}
}

func TestBuildItemPairwiseConversationAndRanking(t *testing.T) {
	src, _ := NewSource([]tasktype.Message{{Role: "user", Content: "Name a colour."}})
	cands := []Candidate{
		{Slot: 0, Message: tasktype.Message{Role: "assistant", Content: "Red."}, Origin: Origin{Model: "m1"}},
		{Slot: 1, Message: tasktype.Message{Role: "assistant", Content: "Blue."}, Origin: Origin{Model: "m2"}},
	}
	schema := json.RawMessage(`{"conversation_field":"messages","a_field":"a","b_field":"b"}`)
	data, origins, err := BuildItem(tasktype.TaskPairwise, schema, src, cands)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"a":"Red."`) || origins[1].Field != "b" || origins[1].Model != "m2" {
		t.Fatalf("pairwise item %s %+v", data, origins)
	}
	cands = append(cands, Candidate{Slot: 2, Message: tasktype.Message{Role: "assistant", Content: "Green."}})
	data, origins, err = BuildItem(tasktype.TaskRanking, json.RawMessage(`{}`), src, cands)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"prompt":"Name a colour."`) || origins[2].Field != "r3" {
		t.Fatalf("ranking item %s %+v", data, origins)
	}
	same := []Candidate{cands[0], cands[0]}
	if _, _, err := BuildItem(tasktype.TaskPairwise, schema, src, same); err == nil || !strings.Contains(err.Error(), "same text") {
		t.Fatalf("identical candidates: %v", err)
	}
	multi, _ := NewSource([]tasktype.Message{{Role: "user", Content: "a"}, {Role: "assistant", Content: "b"}, {Role: "user", Content: "c"}})
	if _, _, err := BuildItem(tasktype.TaskRanking, json.RawMessage(`{}`), multi, cands); err == nil {
		t.Fatal("a conversation went into a text-prompt project")
	}
}

func TestCandidateParamsCheck(t *testing.T) {
	two := []Slot{{EndpointID: 1}, {EndpointID: 1}}
	ok := CandidateParams{Slots: two, Prompts: []json.RawMessage{json.RawMessage(`{"prompt":"x"}`)}}
	if err := ok.Check(tasktype.TaskPairwise); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]CandidateParams{
		"three slots pairwise": {Slots: append(two, Slot{EndpointID: 1}), Prompts: ok.Prompts},
		"no source":            {Slots: two},
		"both sources":         {Slots: two, Prompts: ok.Prompts, SourceProjectID: 3},
		"no endpoint":          {Slots: []Slot{{}, {EndpointID: 1}}, Prompts: ok.Prompts},
	} {
		if err := p.Check(tasktype.TaskPairwise); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := ok.Check(tasktype.TaskClassification); err == nil {
		t.Error("classification target accepted")
	}
	if _, err := ParsePrompt(1, json.RawMessage(`{"messages":[{"role":"user","content":"hi"}]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePrompt(1, json.RawMessage(`{"prompt":""}`)); err == nil {
		t.Fatal("empty prompt accepted")
	}
}
