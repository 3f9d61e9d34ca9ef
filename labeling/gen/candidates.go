package gen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

// CandidateParams are what a coordinator asks of a candidates job.
type CandidateParams struct {
	// Slots are the K candidates per source: K=2 for a pairwise project, 2..MaxSlots for ranking.
	Slots []Slot `json:"slots"`
	// SourceProjectID, when set, takes the prompts or conversations of that project's items;
	// otherwise Prompts are the sources.
	SourceProjectID int64 `json:"source_project_id,omitempty"`
	// Prompts are uploaded sources: each {"prompt": "..."} or {"messages": [...]} (JSONL lines).
	Prompts []json.RawMessage `json:"prompts,omitempty"`
	// MaxTokens bounds each candidate (0: the endpoint's default).
	MaxTokens int `json:"max_tokens,omitempty"`
}

// Check validates the parameters against the target project's task type.
func (p CandidateParams) Check(tt tasktype.TaskType) error {
	k := len(p.Slots)
	switch tt {
	case tasktype.TaskPairwise:
		if k != 2 {
			return ErrInvalidJob.With("slots: a pairwise project needs exactly 2 candidate slots, got %d", k)
		}
	case tasktype.TaskRanking:
		if k < 2 || k > MaxSlots {
			return ErrInvalidJob.With("slots: a ranking project needs 2 to %d candidate slots, got %d", MaxSlots, k)
		}
	default:
		return ErrInvalidJob.With("candidates go into a pairwise or ranking project, not %s", tt)
	}
	for i, s := range p.Slots {
		if s.EndpointID <= 0 {
			return ErrInvalidJob.With("slots[%d].endpoint_id is required", i)
		}
		if s.Temperature != nil && (*s.Temperature < 0 || *s.Temperature > 2) {
			return ErrInvalidJob.With("slots[%d].temperature must be between 0 and 2", i)
		}
	}
	if p.MaxTokens < 0 || p.MaxTokens > 32768 {
		return ErrInvalidJob.With("max_tokens must be between 0 and 32768")
	}
	if (p.SourceProjectID > 0) == (len(p.Prompts) > 0) {
		return ErrInvalidJob.With("give either source_project_id or prompts")
	}
	if len(p.Prompts) > MaxSources {
		return ErrInvalidJob.With("prompts: at most %d per job, got %d", MaxSources, len(p.Prompts))
	}
	return nil
}

// ParsePrompt reads one uploaded source: {"prompt": "text"} or {"messages": [...]} whose last turn
// is not the assistant's (the candidates are the next assistant turn).
func ParsePrompt(line int, raw json.RawMessage) (Source, error) {
	var v struct {
		Prompt   *string         `json:"prompt"`
		Messages json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Source{}, ErrInvalidJob.With("prompts[%d]: not a JSON object: %v", line, err)
	}
	var msgs []tasktype.Message
	switch {
	case v.Prompt != nil && len(v.Messages) == 0:
		if strings.TrimSpace(*v.Prompt) == "" {
			return Source{}, ErrInvalidJob.With("prompts[%d].prompt is empty", line)
		}
		msgs = []tasktype.Message{{Role: "user", Content: *v.Prompt}}
	case v.Prompt == nil && len(v.Messages) > 0:
		m, err := tasktype.ParseMessages(fmt.Sprintf("prompts[%d].messages", line), v.Messages)
		if err != nil {
			return Source{}, ErrInvalidJob.With("%s", err.Error())
		}
		msgs = m
	default:
		return Source{}, ErrInvalidJob.With("prompts[%d]: give \"prompt\" or \"messages\"", line)
	}
	return NewSource(msgs)
}

// NewSource makes a source of a conversation to continue.
func NewSource(msgs []tasktype.Message) (Source, error) {
	if len(msgs) == 0 {
		return Source{}, ErrInvalidJob.With("a source needs at least one message")
	}
	if msgs[len(msgs)-1].Role == "assistant" {
		return Source{}, ErrInvalidJob.With("a source's last turn is the assistant's: there is no next turn to generate")
	}
	return Source{Key: SourceKey(msgs), Messages: msgs}, nil
}

// Candidate is one generated next turn and where it came from.
type Candidate struct {
	Slot    int              `json:"slot"`
	Message tasktype.Message `json:"message"`
	Origin  Origin           `json:"origin"`
}

// Origin is a candidate's provenance, kept with the item (items.generation) and carried to exports.
type Origin struct {
	// Field is where the candidate sits in the item: a pairwise field name or a ranking response id.
	Field        string    `json:"field"`
	JobID        int64     `json:"job_id"`
	EndpointID   int64     `json:"endpoint_id"`
	EndpointName string    `json:"endpoint"`
	Model        string    `json:"model"` // as the server named it
	Params       Slot      `json:"params"`
	MaxTokens    int       `json:"max_tokens,omitempty"`
	At           time.Time `json:"at"`
	// NamesSelf says the text names its own model or endpoint, so a blind comparison would not be blind.
	NamesSelf bool `json:"names_self,omitempty"`
}

// Request is the chat request of one unit.
func CandidateRequest(ep model.Endpoint, src Source, slot Slot, maxTokens int) model.Request {
	r := model.Request{Messages: stripIDs(src.Messages), Temperature: ep.Params.Temperature, TopP: ep.Params.TopP,
		MaxTokens: ep.Params.MaxTokens}
	if slot.Temperature != nil {
		r.Temperature = slot.Temperature
	}
	if slot.Seed != nil && ep.Caps.Seed {
		r.Seed = slot.Seed
	}
	if maxTokens > 0 {
		r.MaxTokens = maxTokens
	}
	return r
}

func stripIDs(msgs []tasktype.Message) []tasktype.Message {
	out := make([]tasktype.Message, len(msgs))
	for i, m := range msgs {
		m.ID, m.Weight = "", nil
		out[i] = m
	}
	return out
}

// AcceptCandidate checks a response and returns its one candidate turn.
func AcceptCandidate(resp model.Response) (tasktype.Message, error) {
	if len(resp.Choices) == 0 {
		return tasktype.Message{}, ErrInvalidOutput.With("the answer has no choices")
	}
	m := resp.Choices[0].Message
	m.Role, m.ID, m.Weight = "assistant", "", nil
	if strings.TrimSpace(m.Content) == "" && len(m.ToolCalls) == 0 {
		return tasktype.Message{}, ErrInvalidOutput.With("the answer is empty")
	}
	if resp.Choices[0].FinishReason == "length" && len(m.ToolCalls) == 0 && len(m.Content) < 1 {
		return tasktype.Message{}, ErrInvalidOutput.With("the answer was cut off before any text")
	}
	return m, nil
}

// NamesSelf reports whether text names the model or endpoint that wrote it, or says what model it
// is ("As Llama 3…", "I am Qwen"). Names are compared by their distinctive words.
func NamesSelf(text, modelName, endpointName string) bool {
	low := strings.ToLower(text)
	for _, name := range []string{modelName, endpointName} {
		for _, w := range nameWords(name) {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`).MatchString(low) {
				return true
			}
		}
	}
	return selfRE().MatchString(low)
}

var selfRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(as an? (ai|large) language model|i am an? (ai|language) model|as (llama|mistral|qwen|gemma|phi|gpt|claude|deepseek)\b|i('m| am) (llama|mistral|qwen|gemma|phi|chatgpt|gpt-\d|claude|deepseek))`)
})

// nameWords are the distinctive words of a model or endpoint name: "meta-llama/Llama-3.1-8B-Instruct"
// gives "llama". Short or generic words (sizes, "instruct", "chat") are ignored.
func nameWords(name string) []string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, ':'); i >= 0 { // ollama tags: llama3:8b
		name = name[:i]
	}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		if len(w) >= 4 && !genericWords[w] {
			out = append(out, w)
		}
	}
	return out
}

var genericWords = map[string]bool{"instruct": true, "chat": true, "model": true, "base": true, "latest": true,
	"gguf": true, "local": true, "server": true, "test": true, "endpoint": true, "release": true, "vllm": true,
	"ollama": true, "llamacpp": true, "preview": true, "turbo": true, "mini": true}
