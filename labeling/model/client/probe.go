package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/tasktype"
)

// ProbeBudget bounds a whole probe (each request is bounded by the client's
// timeout as well).
const ProbeBudget = 2 * time.Minute

// The probe's tiny tasks. The schema's key is unusual on purpose: a server
// that ignores the schema does not write it by chance.
var (
	probeSchema = json.RawMessage(`{"type":"object","properties":{"sky_verdict":{"type":"string","enum":["yes","no"]}},"required":["sky_verdict"],"additionalProperties":false}`)
	probeTools  = json.RawMessage(`[{"type":"function","function":{"name":"record_colour","description":"Record a colour.","parameters":{"type":"object","properties":{"colour":{"type":"string"}},"required":["colour"]}}}]`)
	toolChoice  = map[string]any{"type": "function", "function": map[string]string{"name": "record_colour"}}
)

func user(text string) []tasktype.Message { return []tasktype.Message{{Role: "user", Content: text}} }

func ptr[T any](v T) *T { return &v }

// Probe sends small real requests to learn what the endpoint really does:
// a chat completion, n=2, the same seed twice, logprobs, a JSON schema
// (honoured: the answer parses and matches, not merely accepted), a forced
// tool call and streaming. Notes say in words what it saw. The error is the
// chat request's, when even that fails (the capabilities then say so).
func (c *Client) Probe(ctx context.Context, ep model.Endpoint, key string) (model.Capabilities, error) {
	ctx, cancel := context.WithTimeout(ctx, ProbeBudget)
	defer cancel()
	ep.Caps = model.Capabilities{}
	caps := model.Capabilities{ProbedAt: time.Now().UTC()}
	note := func(f string, a ...any) { caps.Notes = append(caps.Notes, fmt.Sprintf(f, a...)) }
	hot := ptr(1.0)
	small := 24

	if _, err := c.Complete(ctx, ep, key, model.Request{Messages: user("Say hello in five words."), MaxTokens: small}); err != nil {
		note("chat completions failed: %v", err)
		return caps, err
	}
	caps.Chat = true

	switch res, err := c.Complete(ctx, ep, key, model.Request{Messages: user("Name a colour."), N: 2, Temperature: hot, MaxTokens: small}); {
	case err != nil:
		note("n=2 was refused (%v); copyhold sends one request per choice", err)
	case len(res.Choices) == 2:
		caps.N = true
	default:
		note("n=2 was ignored (%d choice back); copyhold sends one request per choice", len(res.Choices))
	}

	caps.Seed = c.probeSeed(ctx, ep, key, hot, note)

	switch res, err := c.Complete(ctx, ep, key, model.Request{Messages: user("Name a fruit."), Logprobs: true, TopLogprobs: 2, MaxTokens: 8}); {
	case err != nil:
		note("logprobs were refused (%v)", err)
	case res.Choices[0].LogprobsKind == model.LogprobsSampled:
		caps.Logprobs = model.LogprobsSampled
	case res.Choices[0].LogprobsKind == model.LogprobsPreSampling:
		caps.Logprobs = model.LogprobsPreSampling
		note("logprobs are llama.cpp's pre-sampling probabilities (completion_probabilities), not the sampled tokens' log-probabilities")
	default:
		note("logprobs were asked for but none came back")
	}

	caps.JSONSchema = c.probeSchema(ctx, ep, key, note)

	switch res, err := c.send(ctx, ep, key, model.Request{Messages: user("My favourite colour is green. Record it."), Tools: probeTools, MaxTokens: 64},
		options{toolChoice: toolChoice}); {
	case err != nil:
		note("tool calls were refused (%v)", err)
	case len(res.Choices[0].Message.ToolCalls) > 0 && res.Choices[0].Message.ToolCalls[0].Function.Name == "record_colour":
		caps.Tools = true
	default:
		note("a forced tool call came back as plain text: tools are not supported")
	}

	switch res, err := c.Stream(ctx, ep, key, model.Request{Messages: user("Count to three."), MaxTokens: small}); {
	case err != nil:
		note("streaming failed (%v)", err)
	case res.Choices[0].Message.Content == "":
		note("streaming gave no text")
	default:
		caps.Stream = true
	}
	if ctx.Err() != nil {
		note("the probe ran out of time (%s); what it had not reached counts as unsupported", ProbeBudget)
	}
	return caps, nil
}

// probeSeed: the same seed twice at temperature 1 must give the same text.
func (c *Client) probeSeed(ctx context.Context, ep model.Endpoint, key string, hot *float64, note func(string, ...any)) bool {
	req := model.Request{Messages: user("Write a short line about the sea."), Seed: ptr(int64(4242)), Temperature: hot, MaxTokens: 24}
	a, err := c.Complete(ctx, ep, key, req)
	if err != nil {
		note("seed was refused (%v)", err)
		return false
	}
	b, err := c.Complete(ctx, ep, key, req)
	if err != nil {
		note("seed was refused (%v)", err)
		return false
	}
	if a.Choices[0].Message.Content != b.Choices[0].Message.Content {
		note("the same seed gave different texts: seeds are not honoured")
		return false
	}
	req.Seed = ptr(int64(4243))
	if o, err := c.Complete(ctx, ep, key, req); err == nil && o.Choices[0].Message.Content == a.Choices[0].Message.Content {
		note("a different seed gave the same text too: the server may be deterministic whatever the seed")
	}
	return true
}

// probeSchema: response_format json_schema, then vLLM's guided_json.
func (c *Client) probeSchema(ctx context.Context, ep model.Endpoint, key string, note func(string, ...any)) bool {
	req := model.Request{Messages: user("Is the sky blue on a clear day? Answer briefly."), JSONSchema: probeSchema, MaxTokens: 32}
	res, err := c.send(ctx, ep, key, req, options{})
	if err == nil && matchesProbeSchema(res) {
		return true
	}
	first := "was accepted but not honoured (the answer does not match the schema)"
	if err != nil {
		first = fmt.Sprintf("was refused (%v)", err)
	}
	if res, err := c.send(ctx, ep, key, req, options{guided: true}); err == nil && matchesProbeSchema(res) {
		note(NoteGuidedJSON)
		return true
	}
	note("response_format json_schema %s; copyhold validates answers and retries instead", first)
	return false
}

func matchesProbeSchema(res model.Response) bool {
	var v map[string]any
	if err := json.Unmarshal([]byte(res.Choices[0].Message.Content), &v); err != nil || len(v) != 1 {
		return false
	}
	s, _ := v["sky_verdict"].(string)
	return s == "yes" || s == "no"
}

// IsRetryable reports whether err is worth trying again later.
func IsRetryable(err error) bool {
	return errors.Is(err, model.ErrRateLimited) || errors.Is(err, model.ErrUpstream) ||
		errors.Is(err, model.ErrUnreachable) || errors.Is(err, model.ErrTimeout)
}
