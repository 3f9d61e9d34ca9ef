package live

// The write pump and the bounded send queue between the hub and it.

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

func (c *wsConn) writePump() {
	h := c.hub
	ping := time.NewTicker(h.cfg.PingPeriod)
	defer func() {
		ping.Stop()
		c.cancel()
		c.ws.Close()
		close(c.writerDone)
		h.drop(c)
	}()
	for {
		select {
		case <-c.out.wake:
			msgs, code, reason, closing := c.out.take()
			if len(msgs) > 0 {
				c.ws.SetWriteDeadline(time.Now().Add(h.cfg.WriteWait)) // per batch: a deadline per frame costs a timer update each
			}
			for _, m := range msgs {
				if err := c.ws.WriteMessage(websocket.TextMessage, m); err != nil {
					return
				}
			}
			if closing {
				deadline := time.Now().Add(h.cfg.WriteWait)
				if code != websocket.CloseNormalClosure {
					c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
				}
				// Give the client a moment to answer the close, so our close
				// of the socket does not reset data it has not read yet.
				select {
				case <-c.readerDone:
				case <-time.After(time.Second):
				}
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteWait)); err != nil {
				return
			}
		}
	}
}

// outbox is a connection's bounded send queue. The hub pushes without
// waiting; the writer takes everything queued at once.
type outbox struct {
	mu      sync.Mutex
	q       [][]byte
	closing bool
	code    int
	reason  string
	wake    chan struct{} // to the writer
	space   chan struct{} // to a replay waiting for room
}

func newOutbox() *outbox {
	return &outbox{wake: make(chan struct{}, 1), space: make(chan struct{}, 1)}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// push queues b unless limit frames are already waiting. Frames pushed after
// close are dropped (and count as sent).
func (o *outbox) push(b []byte, limit int) bool {
	o.mu.Lock()
	if o.closing {
		o.mu.Unlock()
		return true
	}
	if len(o.q) >= limit {
		o.mu.Unlock()
		return false
	}
	o.q = append(o.q, b)
	o.mu.Unlock()
	signal(o.wake)
	return true
}

// pushWait queues b once fewer than limit frames wait, for at most wait.
func (o *outbox) pushWait(ctx context.Context, b []byte, limit int, wait time.Duration) bool {
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		o.mu.Lock()
		if o.closing {
			o.mu.Unlock()
			return false
		}
		if len(o.q) < limit {
			o.q = append(o.q, b)
			o.mu.Unlock()
			signal(o.wake)
			return true
		}
		o.mu.Unlock()
		select {
		case <-o.space:
		case <-timeout.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (o *outbox) take() (msgs [][]byte, code int, reason string, closing bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing {
		return nil, o.code, o.reason, true
	}
	msgs, o.q = o.q, nil
	signal(o.space)
	return msgs, 0, "", false
}

// close asks the writer to send a close frame (code) and end; queued frames
// are dropped. The first close wins.
func (o *outbox) close(code int, reason string) {
	o.mu.Lock()
	if !o.closing {
		o.closing, o.code, o.reason, o.q = true, code, reason, nil
	}
	o.mu.Unlock()
	signal(o.wake)
	signal(o.space)
}
