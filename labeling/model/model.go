// Package model is the co-op's models as copyhold sees them, pure: endpoints, what each can do, and the
// OpenAI chat-completions shapes that every generation, suggestion and evaluation goes through.
package model

import (
	"context"
	"encoding/json"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
)

// Endpoint is a registered OpenAI-compatible server and the model it serves. The API key is never
// part of it: a Completer is handed the key separately, and no answer ever carries it.
type Endpoint struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	BaseURL string `json:"base_url"` // e.g. http://127.0.0.1:8080/v1 (chat completions at BaseURL + "/chat/completions")
	Model   string `json:"model"`
	// KeyEnv names an environment variable that holds the key ("" when the key is stored encrypted or absent).
	KeyEnv string `json:"key_env,omitempty"`
	HasKey bool   `json:"has_key"`
	// Params are the defaults every request starts from.
	Params Params `json:"params"`
	// Concurrency bounds the requests in flight to this endpoint across the co-op's workers (≥1).
	Concurrency int `json:"concurrency"`
	// PerMinute bounds requests per minute (0: no bound beyond Concurrency).
	PerMinute int          `json:"per_minute"`
	Caps      Capabilities `json:"capabilities"`
	CreatedAt time.Time    `json:"created_at"`
}

// Params are sampling parameters. Floats are fine here: they are a model's knobs, not money.
type Params struct {
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	MaxTokens   int      `json:"max_tokens,omitempty"`
}

// Logprobs kinds, as probed.
const (
	LogprobsNone        = ""             // none returned
	LogprobsSampled     = "sampled"      // OpenAI's: log-probabilities of the sampled tokens (vLLM, Ollama ≥0.12)
	LogprobsPreSampling = "pre_sampling" // llama.cpp's server: probabilities before sampling, not comparable
)

// Capabilities is what a probe found an endpoint really does; requests use only these.
type Capabilities struct {
	Chat       bool      `json:"chat"`        // POST /chat/completions answers with a choice
	N          bool      `json:"n"`           // n>1 gives n choices (Ollama: no; copyhold then sends n requests)
	Seed       bool      `json:"seed"`        // the same seed gives the same text
	Logprobs   string    `json:"logprobs"`    // one of the Logprobs kinds
	JSONSchema bool      `json:"json_schema"` // response_format json_schema is honoured (not merely accepted)
	Tools      bool      `json:"tools"`       // tools → tool_calls
	Stream     bool      `json:"stream"`      // stream=true gives server-sent events
	ProbedAt   time.Time `json:"probed_at"`
	// Notes say, in words, what the probe saw (quirks, refusals), for the coordinator.
	Notes []string `json:"notes,omitempty"`
}

// Request is one chat completion asked of an endpoint. Zero values mean "not asked for".
type Request struct {
	Messages    []tasktype.Message `json:"messages"`
	N           int                `json:"n,omitempty"`
	Seed        *int64             `json:"seed,omitempty"`
	Temperature *float64           `json:"temperature,omitempty"`
	TopP        *float64           `json:"top_p,omitempty"`
	MaxTokens   int                `json:"max_tokens,omitempty"`
	Logprobs    bool               `json:"logprobs,omitempty"`
	TopLogprobs int                `json:"top_logprobs,omitempty"`
	// JSONSchema, when set, asks for structured output matching it.
	JSONSchema json.RawMessage `json:"json_schema,omitempty"`
	Tools      json.RawMessage `json:"tools,omitempty"` // OpenAI tools array
}

// Response is what came back, normalised across servers.
type Response struct {
	Model   string   `json:"model"` // as the server named it
	Choices []Choice `json:"choices"`
}

// Choice is one generated next turn.
type Choice struct {
	Message      tasktype.Message `json:"message"` // role assistant; content and/or tool_calls
	FinishReason string           `json:"finish_reason"`
	// Logprobs are per sampled token (nil when the server gave none); Kind says how to read them.
	Logprobs     []TokenLogprob `json:"logprobs,omitempty"`
	LogprobsKind string         `json:"logprobs_kind,omitempty"`
}

// TokenLogprob is one token's log-probability.
type TokenLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
}

// Completer sends one request to an endpoint. key is the plain API key ("" for none).
// Errors are the sentinels below (wrapped with detail), so that jobs can decide to retry.
type Completer interface {
	Complete(ctx context.Context, ep Endpoint, key string, req Request) (Response, error)
}

// Errors, each with its own stable code. Retryable: ErrRateLimited, ErrUpstream, ErrUnreachable, ErrTimeout.
var (
	ErrInvalidEndpoint = fault.New(fault.KindInvalid, "invalid_model_endpoint", "the model endpoint is invalid")
	ErrURLScheme       = fault.New(fault.KindInvalid, "model_url_scheme", "a model endpoint URL must be http:// or https://")
	ErrURLSelf         = fault.New(fault.KindInvalid, "model_url_self", "a model endpoint cannot be this server itself")
	ErrNotFound        = fault.New(fault.KindNotFound, "model_endpoint_not_found", "no such model endpoint")
	ErrRateLimited     = fault.New(fault.KindRateLimited, "model_rate_limited", "the model server asked us to slow down (429)")
	ErrUpstream        = fault.New(fault.KindUnavailable, "model_upstream_error", "the model server failed (5xx)")
	ErrUnreachable     = fault.New(fault.KindUnavailable, "model_unreachable", "the model server could not be reached")
	ErrTimeout         = fault.New(fault.KindUnavailable, "model_timeout", "the model server did not answer in time")
	ErrAuth            = fault.New(fault.KindInvalid, "model_auth", "the model server refused the key (401/403)")
	ErrBadResponse     = fault.New(fault.KindInvalid, "model_bad_response", "the model server's answer is not valid")
)

// RetryAfter is carried by a wrapped ErrRateLimited when the server sent Retry-After.
type RetryAfter struct {
	Err   error
	Delay time.Duration
}

func (r *RetryAfter) Error() string { return r.Err.Error() }
func (r *RetryAfter) Unwrap() error { return r.Err }
