package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/model"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/modeltest"
	"copyhold/labeling/tasktype"
)

func endpoint(url string) model.Endpoint {
	return model.Endpoint{ID: 1, Name: "test", BaseURL: url, Model: "test-model", Concurrency: 1}
}

func hello() model.Request {
	return model.Request{Messages: []tasktype.Message{{Role: "user", Content: "Hello"}}, MaxTokens: 8}
}

func TestProbeProfiles(t *testing.T) {
	cases := []struct {
		p    modeltest.Profile
		want model.Capabilities
	}{
		{modeltest.VLLM, model.Capabilities{Chat: true, N: true, Seed: true, Logprobs: model.LogprobsSampled, JSONSchema: true, Tools: true, Stream: true}},
		{modeltest.VLLMLegacy, model.Capabilities{Chat: true, N: true, Seed: true, Logprobs: model.LogprobsSampled, JSONSchema: true, Tools: true, Stream: true}},
		{modeltest.LlamaCpp, model.Capabilities{Chat: true, Seed: true, Logprobs: model.LogprobsPreSampling, JSONSchema: true, Stream: true}},
		{modeltest.Ollama, model.Capabilities{Chat: true, Seed: true, Logprobs: model.LogprobsSampled, JSONSchema: true, Tools: true, Stream: true}},
		{modeltest.Bare, model.Capabilities{Chat: true}},
	}
	c := client.New(client.Config{Timeout: 5 * time.Second})
	for _, tc := range cases {
		t.Run(tc.p.Name, func(t *testing.T) {
			srv := modeltest.New(t, tc.p)
			caps, err := c.Probe(context.Background(), endpoint(srv.URL), "")
			if err != nil {
				t.Fatal(err)
			}
			got := caps
			got.Notes, got.ProbedAt = nil, time.Time{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("capabilities:\n got %+v\nwant %+v\nnotes %q", got, tc.want, caps.Notes)
			}
			if caps.ProbedAt.IsZero() {
				t.Fatal("probed_at is not set")
			}
			if srv.Requests() < 8 {
				t.Fatalf("the probe sent %d requests", srv.Requests())
			}
			notes := strings.Join(caps.Notes, "\n")
			switch tc.p.Name {
			case "vllm":
				if len(caps.Notes) != 0 {
					t.Fatalf("vLLM notes: %q", caps.Notes)
				}
			case "vllm-legacy":
				if !client.UsesGuidedJSON(caps) {
					t.Fatalf("legacy vLLM: structured output should go through guided_json; notes %q", caps.Notes)
				}
			case "llama.cpp":
				for _, w := range []string{"n=2 was refused", "Only one completion choice", "pre-sampling", "tool calls were refused"} {
					if !strings.Contains(notes, w) {
						t.Fatalf("llama.cpp notes lack %q: %q", w, caps.Notes)
					}
				}
			case "ollama":
				if !strings.Contains(notes, "n=2 was ignored") {
					t.Fatalf("ollama notes: %q", caps.Notes)
				}
			case "bare":
				for _, w := range []string{"seeds are not honoured", "none came back", "not honoured", "plain text", "streaming failed"} {
					if !strings.Contains(notes, w) {
						t.Fatalf("bare notes lack %q: %q", w, caps.Notes)
					}
				}
			}
		})
	}
}

func TestProbeUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	caps, err := client.New(client.Config{Timeout: 2 * time.Second}).Probe(context.Background(), endpoint(url), "")
	if !errors.Is(err, model.ErrUnreachable) || caps.Chat || len(caps.Notes) != 1 {
		t.Fatalf("probe of a closed port: %v, %+v", err, caps)
	}
}

func TestCompleteFaults(t *testing.T) {
	srv := modeltest.New(t, modeltest.VLLM, modeltest.WithKey("right"))
	c := client.New(client.Config{Timeout: 300 * time.Millisecond})
	ep := endpoint(srv.URL)
	ctx := context.Background()
	cases := []struct {
		name  string
		fault *modeltest.Fault
		key   string
		want  error
		delay time.Duration // Retry-After expected (-1: none)
	}{
		{"ok", nil, "right", nil, -1},
		{"wrong key", nil, "wrong", model.ErrAuth, -1},
		{"no key", nil, "", model.ErrAuth, -1},
		{"429 seconds", &modeltest.Fault{Status: 429, RetryAfter: "7"}, "right", model.ErrRateLimited, 7 * time.Second},
		{"429 date", &modeltest.Fault{Status: 429, RetryAfter: time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)}, "right", model.ErrRateLimited, 90 * time.Second},
		{"429 bare", &modeltest.Fault{Status: 429}, "right", model.ErrRateLimited, -1},
		{"500", &modeltest.Fault{Status: 500}, "right", model.ErrUpstream, -1},
		{"503", &modeltest.Fault{Status: 503}, "right", model.ErrUpstream, -1},
		{"403", &modeltest.Fault{Status: 403}, "right", model.ErrAuth, -1},
		{"400", &modeltest.Fault{Status: 400}, "right", model.ErrBadResponse, -1},
		{"slow", &modeltest.Fault{Delay: 2 * time.Second}, "right", model.ErrTimeout, -1},
		{"malformed", &modeltest.Fault{Malformed: true}, "right", model.ErrBadResponse, -1},
		{"no choices", &modeltest.Fault{NoChoices: true}, "right", model.ErrBadResponse, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Heal()
			if tc.fault != nil {
				srv.Fail(*tc.fault)
			}
			res, err := c.Complete(ctx, ep, tc.key, hello())
			if tc.want == nil {
				if err != nil || len(res.Choices) != 1 || res.Choices[0].Message.Content == "" || res.Model != "test-model" {
					t.Fatalf("ok: %v %+v", err, res)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "right") {
				t.Fatalf("the error shows the key: %v", err)
			}
			var ra *model.RetryAfter
			switch {
			case tc.delay < 0 && errors.As(err, &ra):
				t.Fatalf("unexpected Retry-After %v", ra.Delay)
			case tc.delay >= 0 && !errors.As(err, &ra):
				t.Fatalf("no Retry-After in %v", err)
			case tc.delay >= 0 && (ra.Delay > tc.delay || ra.Delay < tc.delay-2*time.Second):
				t.Fatalf("Retry-After %v, want about %v", ra.Delay, tc.delay)
			}
			if client.IsRetryable(err) != (tc.want == model.ErrRateLimited || tc.want == model.ErrUpstream || tc.want == model.ErrTimeout) {
				t.Fatalf("retryable(%v) wrong", err)
			}
		})
	}
	// The fault was used up: the next request succeeds.
	srv.Fail(modeltest.Fault{Status: 500, Times: 2})
	for i, want := range []error{model.ErrUpstream, model.ErrUpstream, nil} {
		if _, err := c.Complete(ctx, ep, "right", hello()); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Fatalf("request %d: %v, want %v", i, err, want)
		}
	}
}

func TestCompleteUnreachableAndCancel(t *testing.T) {
	c := client.New(client.Config{Timeout: time.Second})
	_, err := c.Complete(context.Background(), endpoint("http://no-such-host.invalid/v1"), "", hello())
	if !errors.Is(err, model.ErrUnreachable) {
		t.Fatalf("DNS failure: %v", err)
	}
	srv := modeltest.New(t, modeltest.Ollama)
	srv.Fail(modeltest.Fault{Delay: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := c.Complete(ctx, endpoint(srv.URL), "", hello()); !errors.Is(err, context.Canceled) || client.IsRetryable(err) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestSeedIsDeterministicOnlyWhenHonoured(t *testing.T) {
	c := client.New(client.Config{Timeout: 5 * time.Second})
	seed := int64(9)
	req := hello()
	req.Seed, req.MaxTokens = &seed, 30
	for _, p := range []modeltest.Profile{modeltest.VLLM, modeltest.Bare} {
		srv := modeltest.New(t, p)
		texts := map[string]bool{}
		for range 4 {
			res, err := c.Complete(context.Background(), endpoint(srv.URL), "", req)
			if err != nil {
				t.Fatal(err)
			}
			texts[res.Choices[0].Message.Content] = true
		}
		if p.Seed != (len(texts) == 1) {
			t.Fatalf("%s: %d different texts for one seed", p.Name, len(texts))
		}
	}
}

func TestLogprobsNormalised(t *testing.T) {
	c := client.New(client.Config{Timeout: 5 * time.Second})
	req := hello()
	req.Logprobs, req.TopLogprobs = true, 2
	for _, tc := range []struct {
		p    modeltest.Profile
		kind string
	}{{modeltest.VLLM, model.LogprobsSampled}, {modeltest.LlamaCpp, model.LogprobsPreSampling}, {modeltest.Bare, model.LogprobsNone}} {
		srv := modeltest.New(t, tc.p)
		res, err := c.Complete(context.Background(), endpoint(srv.URL), "", req)
		if err != nil {
			t.Fatal(err)
		}
		ch := res.Choices[0]
		if ch.LogprobsKind != tc.kind || (tc.kind != "" && len(ch.Logprobs) == 0) {
			t.Fatalf("%s: kind %q, %d logprobs", tc.p.Name, ch.LogprobsKind, len(ch.Logprobs))
		}
		joined := ""
		for _, lp := range ch.Logprobs {
			if lp.Logprob > 0 {
				t.Fatalf("%s: positive logprob %v", tc.p.Name, lp)
			}
			joined += lp.Token
		}
		if tc.kind != "" && joined != ch.Message.Content {
			t.Fatalf("%s: tokens %q do not spell the content %q", tc.p.Name, joined, ch.Message.Content)
		}
	}
}

func TestStreamGathersChunks(t *testing.T) {
	c := client.New(client.Config{Timeout: 5 * time.Second})
	srv := modeltest.New(t, modeltest.VLLM)
	seed := int64(3)
	req := hello()
	req.Seed, req.MaxTokens = &seed, 20
	whole, err := c.Complete(context.Background(), endpoint(srv.URL), "", req)
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := c.Stream(context.Background(), endpoint(srv.URL), "", req)
	if err != nil {
		t.Fatal(err)
	}
	if streamed.Choices[0].Message.Content != whole.Choices[0].Message.Content || streamed.Choices[0].FinishReason == "" {
		t.Fatalf("streamed %+v, whole %+v", streamed.Choices[0], whole.Choices[0])
	}
	if b := srv.Bodies(); b[len(b)-1]["stream"] != true {
		t.Fatalf("stream not sent: %v", b[len(b)-1])
	}
}

func TestFit(t *testing.T) {
	seed := int64(10)
	req := hello()
	req.N, req.Seed, req.Logprobs, req.TopLogprobs = 3, &seed, true, 2
	req.JSONSchema = json.RawMessage(`{"type":"object","properties":{"w":{"type":"string"},"x":{"type":"integer"}}}`)
	req.Tools = json.RawMessage(`[]`)
	all := model.Capabilities{Chat: true, N: true, Seed: true, Logprobs: model.LogprobsSampled, JSONSchema: true, Tools: true}
	if got := client.Fit(all, req); len(got) != 1 || got[0].N != 3 || got[0].Seed == nil || got[0].JSONSchema == nil || got[0].Tools == nil {
		t.Fatalf("everything supported: %+v", got)
	}
	none := model.Capabilities{Chat: true, Seed: true}
	got := client.Fit(none, req)
	if len(got) != 3 {
		t.Fatalf("n=3 without n: %d requests", len(got))
	}
	for i, r := range got {
		if r.N != 0 || r.Seed == nil || *r.Seed != seed+int64(i) || r.Logprobs || r.TopLogprobs != 0 || r.JSONSchema != nil || r.Tools != nil {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	if got := client.Fit(model.Capabilities{Chat: true}, req); got[0].Seed != nil || got[1].Seed != nil {
		t.Fatal("a seed was kept for an endpoint that ignores seeds")
	}
	// What the wire carries: Ollama gets one choice per request, no n.
	srv := modeltest.New(t, modeltest.Ollama)
	c := client.New(client.Config{Timeout: 5 * time.Second})
	caps, err := c.Probe(context.Background(), endpoint(srv.URL), "")
	if err != nil {
		t.Fatal(err)
	}
	ep := endpoint(srv.URL)
	ep.Caps = caps
	before := len(srv.Bodies())
	texts := map[string]bool{}
	for _, r := range client.Fit(caps, req) {
		res, err := c.Complete(context.Background(), ep, "", r)
		if err != nil {
			t.Fatal(err)
		}
		texts[res.Choices[0].Message.Content] = true
	}
	bodies := srv.Bodies()[before:]
	if len(bodies) != 3 || len(texts) != 3 {
		t.Fatalf("%d requests, %d distinct answers", len(bodies), len(texts))
	}
	for _, b := range bodies {
		if _, ok := b["n"]; ok {
			t.Fatalf("n sent to Ollama: %v", b)
		}
		if rf, ok := b["response_format"].(map[string]any); !ok || rf["type"] != "json_schema" {
			t.Fatalf("response_format: %v", b["response_format"])
		}
	}
}

func TestGuidedJSONForLegacyVLLM(t *testing.T) {
	srv := modeltest.New(t, modeltest.VLLMLegacy)
	c := client.New(client.Config{Timeout: 5 * time.Second})
	ep := endpoint(srv.URL)
	ep.Caps = model.Capabilities{Chat: true, JSONSchema: true, Notes: []string{client.NoteGuidedJSON}}
	req := hello()
	req.JSONSchema = json.RawMessage(`{"type":"object","properties":{"label":{"enum":["a","b"]}},"required":["label"]}`)
	res, err := c.Complete(context.Background(), ep, "", req)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Label string }
	if err := json.Unmarshal([]byte(res.Choices[0].Message.Content), &v); err != nil || (v.Label != "a" && v.Label != "b") {
		t.Fatalf("answer %q", res.Choices[0].Message.Content)
	}
	b := srv.Bodies()[0]
	if _, ok := b["guided_json"]; !ok || b["response_format"] != nil {
		t.Fatalf("body %v", b)
	}
}

// TestRealServer runs the probe and one completion against a real
// OpenAI-compatible server when COPYHOLD_TEST_LLM_URL is set (README,
// "Models"): e.g. llama-server on http://127.0.0.1:8080/v1 or Ollama on
// http://127.0.0.1:11434/v1 with COPYHOLD_TEST_LLM_MODEL=llama3.2.
func TestRealServer(t *testing.T) {
	url := os.Getenv("COPYHOLD_TEST_LLM_URL")
	if url == "" {
		t.Skip("COPYHOLD_TEST_LLM_URL is not set: set it (and COPYHOLD_TEST_LLM_MODEL, COPYHOLD_TEST_LLM_KEY) to probe a real server")
	}
	ep := endpoint(url)
	if m := os.Getenv("COPYHOLD_TEST_LLM_MODEL"); m != "" {
		ep.Model = m
	}
	key := os.Getenv("COPYHOLD_TEST_LLM_KEY")
	c := client.New(client.Config{Timeout: 60 * time.Second})
	caps, err := c.Probe(context.Background(), ep, key)
	if err != nil {
		t.Fatalf("probe: %v (notes %q)", err, caps.Notes)
	}
	t.Logf("capabilities of %s: %+v", url, caps)
	ep.Caps = caps
	req := hello()
	req.N, req.Logprobs = 2, true
	for _, r := range client.Fit(caps, req) {
		res, err := c.Complete(context.Background(), ep, key, r)
		if err != nil || len(res.Choices) == 0 {
			t.Fatalf("complete: %v", err)
		}
	}
	if _, err := c.Complete(context.Background(), ep, key+"-wrong", hello()); err != nil && !errors.Is(err, model.ErrAuth) {
		t.Fatalf("wrong key: %v", err)
	}
}
