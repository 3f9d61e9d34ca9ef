package relay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"copyhold/labeling/webhook"
	"copyhold/labeling/webhook/store"
)

// send makes one attempt at c, logs it and schedules what comes next.
func (w *Worker) send(ctx context.Context, c store.Claimed) {
	start := time.Now()
	code, sendErr := w.post(ctx, c, start)
	r := store.Result{StatusCode: code, Duration: time.Since(start), At: start.UTC().Truncate(time.Microsecond)}
	var o store.Outcome
	switch {
	case sendErr == nil && code >= 200 && code < 300:
		o.Delivered = true
	default:
		r.Error = fmt.Sprintf("HTTP %d", code)
		if sendErr != nil {
			r.Error = sendErr.Error()
		}
		n := c.Attempts + 1
		if n > len(w.cfg.Backoff) {
			o.Disable = fmt.Sprintf("%d attempts at %s failed; the last: %s", n, webhook.MessageID(c.ID), r.Error)
		} else {
			o.RetryAt = time.Now().UTC().Add(w.cfg.Backoff[n-1])
		}
	}
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and the delivery is tried again
	}
	held, err := w.st.Finish(context.WithoutCancel(ctx), c, r, o)
	switch {
	case err != nil:
		w.log.Warn("webhooks: recording an attempt failed", "delivery", c.ID, "err", err)
	case !held:
		w.log.Warn("webhooks: a delivery's lease ran out while it was being sent", "delivery", c.ID)
	case o.Disable != "":
		w.log.Warn("webhooks: endpoint disabled after repeated failures", "endpoint", c.EndpointID, "reason", o.Disable)
	}
}

// post sends the signed request and returns the response status.
func (w *Worker) post(ctx context.Context, c store.Claimed, at time.Time) (int, error) {
	id, ts, body := webhook.MessageID(c.ID), at.Unix(), []byte(c.Body)
	sig, err := webhook.Sign(c.Secret, id, ts, body)
	if err != nil {
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "copyhold-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
