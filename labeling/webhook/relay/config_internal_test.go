package relay

import (
	"testing"
	"time"
)

// TestDefaultTimeoutIs15Seconds: an attempt waits 15 seconds, connection
// included (docs/API.md, "Webhooks"), and the default client keeps to it.
func TestDefaultTimeoutIs15Seconds(t *testing.T) {
	var c Config
	c.defaults()
	if c.Timeout != 15*time.Second || c.Client.Timeout != 15*time.Second {
		t.Fatalf("timeout %s, client %s; want 15s", c.Timeout, c.Client.Timeout)
	}
	if len(c.Backoff) == 0 || c.Backoff[0] <= 0 {
		t.Fatalf("backoff %v", c.Backoff)
	}
}
