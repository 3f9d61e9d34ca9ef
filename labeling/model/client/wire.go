package client

// The OpenAI chat-completions wire format, and the normalisation of what
// different servers send back into one model.Response.

import (
	"encoding/json"
	"math"
	"strings"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

// wireMessage is a chat message as OpenAI reads it: copyhold's own fields
// (id, weight) stay home.
type wireMessage struct {
	Role       string              `json:"role"`
	Content    string              `json:"content"`
	Name       string              `json:"name,omitempty"`
	ToolCalls  []tasktype.ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string              `json:"tool_call_id,omitempty"`
}

// wireRequest is the body POSTed to {base}/chat/completions.
type wireRequest struct {
	Model          string          `json:"model"`
	Messages       []wireMessage   `json:"messages"`
	N              int             `json:"n,omitempty"`
	Seed           *int64          `json:"seed,omitempty"`
	Temperature    *float64        `json:"temperature,omitempty"`
	TopP           *float64        `json:"top_p,omitempty"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	Logprobs       bool            `json:"logprobs,omitempty"`
	TopLogprobs    int             `json:"top_logprobs,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
	// GuidedJSON is vLLM's older structured-output field (before it
	// honoured response_format json_schema).
	GuidedJSON json.RawMessage `json:"guided_json,omitempty"`
	Tools      json.RawMessage `json:"tools,omitempty"`
	ToolChoice any             `json:"tool_choice,omitempty"`
	Stream     bool            `json:"stream,omitempty"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

// options are the request's parts that model.Request does not carry.
type options struct {
	toolChoice any  // nil: the server's default
	guided     bool // structured output through guided_json instead of response_format
	stream     bool
}

func buildWire(ep model.Endpoint, req model.Request, o options) wireRequest {
	w := wireRequest{Model: ep.Model, N: req.N, Seed: req.Seed, Temperature: req.Temperature, TopP: req.TopP,
		MaxTokens: req.MaxTokens, Logprobs: req.Logprobs, TopLogprobs: req.TopLogprobs, Tools: req.Tools,
		ToolChoice: o.toolChoice, Stream: o.stream}
	if w.N == 1 {
		w.N = 0
	}
	if w.Temperature == nil {
		w.Temperature = ep.Params.Temperature
	}
	if w.TopP == nil {
		w.TopP = ep.Params.TopP
	}
	if w.MaxTokens == 0 {
		w.MaxTokens = ep.Params.MaxTokens
	}
	if !w.Logprobs {
		w.TopLogprobs = 0
	}
	w.Messages = make([]wireMessage, len(req.Messages))
	for i, m := range req.Messages {
		w.Messages[i] = wireMessage{Role: m.Role, Content: m.Content, Name: m.Name, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID}
	}
	if len(req.JSONSchema) > 0 {
		if o.guided {
			w.GuidedJSON = req.JSONSchema
		} else {
			w.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: "answer", Schema: req.JSONSchema, Strict: true}}
		}
	}
	return w
}

// wireResponse is a chat completion as the servers send it.
type wireResponse struct {
	Model   string       `json:"model"`
	Choices []wireChoice `json:"choices"`
	// CompletionProbabilities is llama.cpp's server's own field (n_probs):
	// probabilities before sampling, for the one choice it makes.
	CompletionProbabilities []llamaProb `json:"completion_probabilities"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Message      *wireOutMessage `json:"message"`
	Delta        *wireOutMessage `json:"delta"` // streaming
	FinishReason *string         `json:"finish_reason"`
	Logprobs     *wireLogprobs   `json:"logprobs"`
}

type wireOutMessage struct {
	Role      string         `json:"role"`
	Content   *string        `json:"content"`
	ToolCalls []wireToolCall `json:"tool_calls"`
}

// wireToolCall allows the streaming form (index, pieces of arguments).
type wireToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireLogprobs struct {
	Content []struct {
		Token   string  `json:"token"`
		Logprob float64 `json:"logprob"`
	} `json:"content"`
}

// llamaProb is one entry of llama.cpp's completion_probabilities, in either
// of its forms: {content, probs: [{tok_str, prob}]} (older servers) or
// {token, logprob, top_logprobs} (newer ones).
type llamaProb struct {
	Content string `json:"content"`
	Probs   []struct {
		TokStr string  `json:"tok_str"`
		Prob   float64 `json:"prob"`
	} `json:"probs"`
	Token   string   `json:"token"`
	Logprob *float64 `json:"logprob"`
}

// normalise turns a decoded answer into a model.Response; false when it has
// no usable choice.
func normalise(w wireResponse) (model.Response, bool) {
	out := model.Response{Model: w.Model, Choices: make([]model.Choice, 0, len(w.Choices))}
	for _, c := range w.Choices {
		if c.Message == nil {
			continue
		}
		ch := model.Choice{Message: outMessage(*c.Message)}
		if c.FinishReason != nil {
			ch.FinishReason = *c.FinishReason
		}
		if c.Logprobs != nil && len(c.Logprobs.Content) > 0 {
			ch.LogprobsKind = model.LogprobsSampled
			for _, t := range c.Logprobs.Content {
				ch.Logprobs = append(ch.Logprobs, model.TokenLogprob{Token: t.Token, Logprob: t.Logprob})
			}
		}
		out.Choices = append(out.Choices, ch)
	}
	if len(out.Choices) == 1 && out.Choices[0].Logprobs == nil && len(w.CompletionProbabilities) > 0 {
		out.Choices[0].Logprobs = preSampling(w.CompletionProbabilities)
		if out.Choices[0].Logprobs != nil {
			out.Choices[0].LogprobsKind = model.LogprobsPreSampling
		}
	}
	return out, len(out.Choices) > 0
}

func outMessage(m wireOutMessage) tasktype.Message {
	msg := tasktype.Message{Role: m.Role}
	if msg.Role == "" {
		msg.Role = "assistant"
	}
	if m.Content != nil {
		msg.Content = *m.Content
	}
	for _, tc := range m.ToolCalls {
		typ := tc.Type
		if typ == "" {
			typ = "function"
		}
		msg.ToolCalls = append(msg.ToolCalls, tasktype.ToolCall{ID: tc.ID, Type: typ,
			Function: tasktype.FunctionCall{Name: tc.Function.Name, Arguments: tc.Function.Arguments}})
	}
	return msg
}

// preSampling reads llama.cpp's completion_probabilities: the probability
// the server gave each emitted token before sampling, as a log.
func preSampling(ps []llamaProb) []model.TokenLogprob {
	out := make([]model.TokenLogprob, 0, len(ps))
	for _, p := range ps {
		switch {
		case p.Logprob != nil:
			out = append(out, model.TokenLogprob{Token: p.Token, Logprob: *p.Logprob})
		case len(p.Probs) > 0:
			tok, prob := p.Content, 0.0
			for _, q := range p.Probs {
				if q.TokStr == tok {
					prob = q.Prob
					break
				}
			}
			lp := math.Inf(-1)
			if prob > 0 {
				lp = math.Log(prob)
			}
			if math.IsInf(lp, -1) {
				lp = -1e9 // JSON has no -Inf: a token the server thought impossible
			}
			out = append(out, model.TokenLogprob{Token: tok, Logprob: lp})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// streamState gathers server-sent chunks into one answer.
type streamState struct {
	model   string
	chunks  int
	content map[int]*strings.Builder
	roles   map[int]string
	finish  map[int]string
	tools   map[int]map[int]*wireToolCall
}

func newStreamState() *streamState {
	return &streamState{content: map[int]*strings.Builder{}, roles: map[int]string{}, finish: map[int]string{},
		tools: map[int]map[int]*wireToolCall{}}
}

func (s *streamState) add(w wireResponse) {
	s.chunks++
	if w.Model != "" {
		s.model = w.Model
	}
	for _, c := range w.Choices {
		d := c.Delta
		if d == nil {
			d = c.Message
		}
		if _, ok := s.content[c.Index]; !ok {
			s.content[c.Index] = &strings.Builder{}
		}
		if c.FinishReason != nil && *c.FinishReason != "" {
			s.finish[c.Index] = *c.FinishReason
		}
		if d == nil {
			continue
		}
		if d.Role != "" {
			s.roles[c.Index] = d.Role
		}
		if d.Content != nil {
			s.content[c.Index].WriteString(*d.Content)
		}
		for _, tc := range d.ToolCalls {
			if s.tools[c.Index] == nil {
				s.tools[c.Index] = map[int]*wireToolCall{}
			}
			cur := s.tools[c.Index][tc.Index]
			if cur == nil {
				cp := tc
				s.tools[c.Index][tc.Index] = &cp
				continue
			}
			if tc.ID != "" {
				cur.ID = tc.ID
			}
			if tc.Function.Name != "" {
				cur.Function.Name = tc.Function.Name
			}
			cur.Function.Arguments += tc.Function.Arguments
		}
	}
}

func (s *streamState) response() (model.Response, bool) {
	out := model.Response{Model: s.model}
	for i := 0; i < len(s.content); i++ {
		b, ok := s.content[i]
		if !ok {
			break
		}
		text := b.String()
		m := wireOutMessage{Role: s.roles[i], Content: &text}
		for j := 0; j < len(s.tools[i]); j++ {
			if tc := s.tools[i][j]; tc != nil {
				m.ToolCalls = append(m.ToolCalls, *tc)
			}
		}
		out.Choices = append(out.Choices, model.Choice{Message: outMessage(m), FinishReason: s.finish[i]})
	}
	return out, len(out.Choices) > 0
}
