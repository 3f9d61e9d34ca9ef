package modeltest

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"time"
)

// request is what the server reads from a body.
type request struct {
	Model      string
	Messages   json.RawMessage
	N          int
	Seed       *int64
	MaxTokens  int
	Logprobs   bool
	NProbs     int
	Schema     json.RawMessage // from response_format json_schema
	Guided     json.RawMessage // from guided_json
	Tools      []tool
	ToolChoice json.RawMessage
	Stream     bool
}

type tool struct {
	Type     string `json:"type"`
	Function struct {
		Name       string          `json:"name"`
		Parameters json.RawMessage `json:"parameters"`
	} `json:"function"`
}

func parseRequest(body map[string]any) (request, error) {
	raw, _ := json.Marshal(body)
	var b struct {
		Model          string          `json:"model"`
		Messages       json.RawMessage `json:"messages"`
		N              *int            `json:"n"`
		Seed           *int64          `json:"seed"`
		MaxTokens      int             `json:"max_tokens"`
		Logprobs       bool            `json:"logprobs"`
		NProbs         int             `json:"n_probs"`
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema *struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
		GuidedJSON json.RawMessage `json:"guided_json"`
		Tools      []tool          `json:"tools"`
		ToolChoice json.RawMessage `json:"tool_choice"`
		Stream     bool            `json:"stream"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return request{}, fmt.Errorf("invalid request: %v", err)
	}
	var msgs []map[string]any
	if json.Unmarshal(b.Messages, &msgs) != nil || len(msgs) == 0 {
		return request{}, errors.New("messages must be a non-empty array")
	}
	r := request{Model: b.Model, Messages: b.Messages, N: 1, Seed: b.Seed, MaxTokens: b.MaxTokens, Logprobs: b.Logprobs,
		NProbs: b.NProbs, Guided: b.GuidedJSON, Tools: b.Tools, ToolChoice: b.ToolChoice, Stream: b.Stream}
	if b.N != nil {
		if *b.N < 1 || *b.N > 128 {
			return request{}, errors.New("n must be between 1 and 128")
		}
		r.N = *b.N
	}
	if b.ResponseFormat != nil && b.ResponseFormat.Type == "json_schema" && b.ResponseFormat.JSONSchema != nil {
		r.Schema = b.ResponseFormat.JSONSchema.Schema
	}
	return r, nil
}

var words = strings.Fields(`the a river stone lantern quiet harbour amber meadow copper willow signal orchard
	north winter violet thread ember marble cedar tide falcon garden silver morning lake bright slow open
	green blue red yellow kind plain steady warm salt field paper bridge window`)

// answer writes the profile's answer to req.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, req request, call uint64) {
	p := h.profile
	n := req.N
	switch {
	case n > 1 && p.N == NRefuse:
		writeError(w, http.StatusBadRequest, "Only one completion choice is allowed")
		return
	case n > 1 && p.N == NIgnore:
		n = 1
	}
	if len(req.Tools) > 0 && p.Tools == ToolsRefuse {
		writeError(w, http.StatusBadRequest, "tools param requires --jinja flag")
		return
	}
	schema := json.RawMessage(nil)
	switch p.Schema {
	case SchemaResponseFormat:
		schema = req.Schema
		if schema == nil {
			schema = req.Guided
		}
	case SchemaGuidedOnly:
		schema = req.Guided
	}
	toolCall := len(req.Tools) > 0 && p.Tools == ToolsHonour && string(req.ToolChoice) != `"none"`
	maxTok := req.MaxTokens
	if maxTok <= 0 || maxTok > 64 {
		maxTok = 12
	}
	choices := make([]map[string]any, n)
	var llamaProbs []map[string]any
	for i := range choices {
		rng := h.rng(req, i, call)
		msg := map[string]any{"role": "assistant", "content": nil}
		finish := "stop"
		var toks []string
		switch {
		case toolCall:
			t := pickTool(req.Tools, req.ToolChoice)
			args, _ := json.Marshal(fromSchema(t.Function.Parameters, rng, 0))
			msg["tool_calls"] = []any{map[string]any{"id": fmt.Sprintf("call_%d_%d", call, i), "type": "function",
				"function": map[string]any{"name": t.Function.Name, "arguments": string(args)}}}
			finish = "tool_calls"
		case schema != nil:
			b, _ := json.Marshal(fromSchema(schema, rng, 0))
			msg["content"] = string(b)
			toks = []string{string(b)}
		default:
			toks = make([]string, 1+rng.IntN(maxTok))
			for j := range toks {
				toks[j] = words[rng.IntN(len(words))]
				if j > 0 {
					toks[j] = " " + toks[j]
				}
			}
			if len(toks) == maxTok {
				finish = "length"
			}
			msg["content"] = strings.Join(toks, "")
		}
		ch := map[string]any{"index": i, "message": msg, "finish_reason": finish}
		if req.Logprobs || req.NProbs > 0 {
			switch p.Logprobs {
			case "sampled":
				lps := make([]any, len(toks))
				for j, t := range toks {
					lps[j] = map[string]any{"token": t, "logprob": -float64(rng.IntN(300)) / 100, "bytes": []byte(t), "top_logprobs": []any{}}
				}
				ch["logprobs"] = map[string]any{"content": lps}
			case "pre_sampling":
				for _, t := range toks {
					pr := 0.3 + float64(rng.IntN(60))/100
					llamaProbs = append(llamaProbs, map[string]any{"content": t, "probs": []any{
						map[string]any{"tok_str": t, "prob": pr}, map[string]any{"tok_str": " other", "prob": math.Round((1-pr)*100) / 100}}})
				}
			}
		}
		choices[i] = ch
	}
	if req.Stream && p.Stream {
		h.stream(w, r, req.Model, choices, call)
		return
	}
	body := map[string]any{"id": fmt.Sprintf("chatcmpl-%d", call), "object": "chat.completion", "created": time.Now().Unix(),
		"model": req.Model, "choices": choices, "usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}
	if llamaProbs != nil {
		body["completion_probabilities"] = llamaProbs
	}
	writeJSON(w, http.StatusOK, body)
}

// rng is the text's randomness: a pure function of (model, messages,
// seed, choice) when the profile honours seeds and one was sent, fresh
// for every call otherwise.
func (h *Handler) rng(req request, choice int, call uint64) *rand.Rand {
	f := fnv.New64a()
	f.Write([]byte(req.Model))
	f.Write([]byte{0})
	f.Write(req.Messages)
	base := f.Sum64()
	if req.Seed != nil && h.profile.Seed {
		return rand.New(rand.NewPCG(base^uint64(*req.Seed), uint64(choice)))
	}
	return rand.New(rand.NewPCG(base^call*0x9e3779b97f4a7c15, uint64(choice)+uint64(time.Now().UnixNano())))
}

func pickTool(tools []tool, choice json.RawMessage) tool {
	var named struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(choice, &named) == nil && named.Function.Name != "" {
		for _, t := range tools {
			if t.Function.Name == named.Function.Name {
				return t
			}
		}
	}
	return tools[0]
}

// fromSchema makes a value that matches a (simple) JSON schema: objects
// with properties, enums, strings, numbers, booleans, arrays, anyOf/oneOf.
func fromSchema(raw json.RawMessage, rng *rand.Rand, depth int) any {
	var s struct {
		Type       any                        `json:"type"`
		Enum       []any                      `json:"enum"`
		Const      any                        `json:"const"`
		Properties map[string]json.RawMessage `json:"properties"`
		Items      json.RawMessage            `json:"items"`
		MinItems   int                        `json:"minItems"`
		MaxItems   *int                       `json:"maxItems"`
		AnyOf      []json.RawMessage          `json:"anyOf"`
		OneOf      []json.RawMessage          `json:"oneOf"`
		Minimum    *float64                   `json:"minimum"`
		Maximum    *float64                   `json:"maximum"`
	}
	if json.Unmarshal(raw, &s) != nil || depth > 8 {
		return nil
	}
	switch {
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		return s.Enum[rng.IntN(len(s.Enum))]
	case len(s.AnyOf) > 0:
		return fromSchema(s.AnyOf[0], rng, depth+1)
	case len(s.OneOf) > 0:
		return fromSchema(s.OneOf[0], rng, depth+1)
	}
	typ, _ := s.Type.(string)
	if list, ok := s.Type.([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	if typ == "" && s.Properties != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		out := map[string]any{}
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[k] = fromSchema(s.Properties[k], rng, depth+1)
		}
		return out
	case "array":
		n := max(s.MinItems, 1)
		if s.MaxItems != nil && n > *s.MaxItems {
			n = *s.MaxItems
		}
		out := make([]any, n)
		for i := range out {
			out[i] = fromSchema(s.Items, rng, depth+1)
		}
		return out
	case "integer", "number":
		lo, hi := 0.0, 100.0
		if s.Minimum != nil {
			lo = *s.Minimum
		}
		if s.Maximum != nil {
			hi = *s.Maximum
		}
		if hi < lo {
			hi = lo
		}
		return math.Floor(lo + float64(rng.IntN(int(hi-lo)+1)))
	case "boolean":
		return rng.IntN(2) == 1
	case "null":
		return nil
	default:
		return words[rng.IntN(len(words))]
	}
}

// stream writes the choices as server-sent chunks: the role, the content
// word by word, tool calls whole, the finish reason, then [DONE].
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, model string, choices []map[string]any, call uint64) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl, _ := w.(http.Flusher)
	id := fmt.Sprintf("chatcmpl-%d", call)
	send := func(i int, delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": id, "object": "chat.completion.chunk", "model": model,
			"choices": []any{map[string]any{"index": i, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	for i, ch := range choices {
		if r.Context().Err() != nil {
			return
		}
		msg := ch["message"].(map[string]any)
		send(i, map[string]any{"role": "assistant", "content": ""}, nil)
		if text, ok := msg["content"].(string); ok {
			for _, piece := range strings.SplitAfter(text, " ") {
				if piece != "" {
					send(i, map[string]any{"content": piece}, nil)
				}
			}
		}
		if tcs, ok := msg["tool_calls"].([]any); ok {
			for j, tc := range tcs {
				m := tc.(map[string]any)
				m["index"] = j
				send(i, map[string]any{"tool_calls": []any{m}}, nil)
			}
		}
		send(i, map[string]any{}, ch["finish_reason"])
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}
