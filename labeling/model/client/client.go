// Package client is copyhold's HTTP client for OpenAI-compatible chat
// completions (vLLM, llama.cpp's server, Ollama, …): it sends only what an
// endpoint was probed to do (Fit), normalises the answers of the different
// servers into model.Response, and maps every failure to model's sentinels.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling/model"
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// maxBody bounds an answer's size.
const maxBody = 8 << 20

// Config configures a Client.
type Config struct {
	// Timeout bounds one request, answer included (0: DefaultTimeout; serve
	// allows 15–60 s, tests use less).
	Timeout time.Duration
	// HTTP is the client to send with (nil: a plain one).
	HTTP *http.Client
}

// Client sends chat completions; it is a model.Completer.
type Client struct {
	timeout time.Duration
	http    *http.Client
}

var _ model.Completer = (*Client)(nil)

// New makes a Client.
func New(cfg Config) *Client {
	c := &Client{timeout: cfg.Timeout, http: cfg.HTTP}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext, MaxIdleConnsPerHost: 16}}
	}
	return c
}

// Complete sends one request as it is (use Fit first to keep to what the
// endpoint can do). Structured output goes through guided_json when the
// endpoint's probe found that field instead of response_format.
func (c *Client) Complete(ctx context.Context, ep model.Endpoint, key string, req model.Request) (model.Response, error) {
	return c.send(ctx, ep, key, req, options{guided: UsesGuidedJSON(ep.Caps)})
}

// Stream sends the request with stream=true and gathers the server-sent
// events into one Response.
func (c *Client) Stream(ctx context.Context, ep model.Endpoint, key string, req model.Request) (model.Response, error) {
	return c.send(ctx, ep, key, req, options{guided: UsesGuidedJSON(ep.Caps), stream: true})
}

func (c *Client) send(ctx context.Context, ep model.Endpoint, key string, req model.Request, o options) (model.Response, error) {
	body, err := json.Marshal(buildWire(ep, req, o))
	if err != nil {
		return model.Response{}, model.ErrInvalidEndpoint.With("encode the request: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	url := strings.TrimRight(ep.BaseURL, "/") + "/chat/completions"
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return model.Response{}, model.ErrInvalidEndpoint.With("the endpoint's URL %q does not make a request: %v", ep.BaseURL, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if o.stream {
		hreq.Header.Set("Accept", "text/event-stream")
	} else {
		hreq.Header.Set("Accept", "application/json")
	}
	if key != "" {
		hreq.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.http.Do(hreq)
	if err != nil {
		return model.Response{}, transportError(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return model.Response{}, statusError(res, time.Now())
	}
	if o.stream {
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			return model.Response{}, model.ErrBadResponse.With("asked to stream, the model server sent a plain answer (%s)", res.Header.Get("Content-Type"))
		}
		out, err := readStream(res.Body)
		if err != nil {
			return model.Response{}, readError(ctx, err)
		}
		return out, nil
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return model.Response{}, readError(ctx, err)
	}
	if len(raw) > maxBody {
		return model.Response{}, model.ErrBadResponse.With("the model server's answer is larger than %d bytes", maxBody)
	}
	var w wireResponse
	if err := json.Unmarshal(raw, &w); err != nil {
		return model.Response{}, model.ErrBadResponse.With("the model server's answer is not JSON: %v", err)
	}
	out, ok := normalise(w)
	if !ok {
		return model.Response{}, model.ErrBadResponse.With("the model server's answer has no choices")
	}
	return out, nil
}

// readStream reads "data: {chunk}" events up to "data: [DONE]" (or the end).
func readStream(r io.Reader) (model.Response, error) {
	st := newStreamState()
	sc := bufio.NewScanner(io.LimitReader(r, maxBody))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data:") {
			continue // blank separators, comments (": ping"), event:/id: lines
		}
		data := strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		if data == "[DONE]" {
			break
		}
		var w wireResponse
		if err := json.Unmarshal([]byte(data), &w); err != nil {
			return model.Response{}, model.ErrBadResponse.With("a streamed chunk is not JSON: %v", err)
		}
		st.add(w)
	}
	if err := sc.Err(); err != nil {
		return model.Response{}, err
	}
	out, ok := st.response()
	if !ok {
		return model.Response{}, model.ErrBadResponse.With("the stream carried no choices (%d chunks)", st.chunks)
	}
	return out, nil
}

// transportError maps a failed round trip to a sentinel.
func transportError(ctx context.Context, err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded || (errors.As(err, &ne) && ne.Timeout()):
		return model.ErrTimeout.With("the model server did not answer in time: %v", err)
	case errors.Is(err, context.Canceled):
		return err
	default:
		return model.ErrUnreachable.With("the model server could not be reached: %v", err)
	}
}

// readError maps a failure while reading the answer.
func readError(ctx context.Context, err error) error {
	if errors.Is(err, model.ErrBadResponse) {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return model.ErrTimeout.With("the model server's answer did not arrive in time: %v", err)
	}
	return model.ErrUnreachable.With("the connection broke while reading the answer: %v", err)
}

// statusError maps a non-2xx answer to a sentinel, with the server's own
// message when it sent one.
func statusError(res *http.Response, now time.Time) error {
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	msg := serverMessage(raw)
	detail := fmt.Sprintf("HTTP %d", res.StatusCode)
	if msg != "" {
		detail += ": " + msg
	}
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		err := model.ErrRateLimited.With("the model server asked us to slow down (%s)", detail)
		if d, ok := retryAfter(res.Header.Get("Retry-After"), now); ok {
			return &model.RetryAfter{Err: err, Delay: d}
		}
		return err
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return model.ErrAuth.With("the model server refused the key (%s)", detail)
	case res.StatusCode >= 500:
		return model.ErrUpstream.With("the model server failed (%s)", detail)
	default:
		return model.ErrBadResponse.With("the model server refused the request (%s)", detail)
	}
}

// serverMessage finds the error text in an OpenAI-style {"error": {...}}
// body (or {"error": "..."}, or plain text), shortened.
func serverMessage(raw []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  string          `json:"detail"`
	}
	msg := ""
	if json.Unmarshal(raw, &v) == nil {
		var inner struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &inner) == nil && inner.Message != "":
			msg = inner.Message
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			msg = s
		case v.Message != "":
			msg = v.Message
		case v.Detail != "":
			msg = v.Detail
		}
	} else {
		msg = strings.TrimSpace(string(raw))
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return strings.ToValidUTF8(msg, "")
}

// retryAfter reads Retry-After: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
