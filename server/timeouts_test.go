package server_test

// Finding 5 of issue 17: slow request bodies cannot hold connections, while
// imports get their own, longer bound and websockets keep their own.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
)

func fastTimeouts(c *server.Config, _ **store.Stores) {
	c.Timeouts = server.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 400 * time.Millisecond, Write: 400 * time.Millisecond,
		Idle: time.Second, Import: 10 * time.Second}
}

// rawRequest sends head, then body in chunks with pause between them, and
// returns the status line (or "" when the connection ended first) and how
// long the connection lasted; an error when it outlived every chunk by 10 s.
func rawRequest(addr, head string, chunks []string, pause time.Duration) (string, time.Duration, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", 0, err
	}
	defer conn.Close()
	start := time.Now()
	done := make(chan string, 1)
	go func() {
		status, _ := bufio.NewReader(conn).ReadString('\n')
		io.Copy(io.Discard, conn) // until the server closes
		done <- strings.TrimSpace(status)
	}()
	if _, err := io.WriteString(conn, head); err != nil {
		return "", 0, err
	}
	for _, c := range chunks {
		if _, err := io.WriteString(conn, c); err != nil {
			break // the server closed the connection
		}
		time.Sleep(pause)
	}
	select {
	case s := <-done:
		return s, time.Since(start), nil
	case <-time.After(10 * time.Second):
		return "", time.Since(start), fmt.Errorf("connection still open 10 s after the body stopped")
	}
}

// A body trickled to an ordinary route is cut off at the read bound, for
// many clients at once.
func TestSlowBodyIsCutOff(t *testing.T) {
	e := newEnv(t, dbtest.Open(t, dbtest.SQLite), fastTimeouts)
	addr := e.TS.Listener.Addr().String()
	body := `{"login":"lab","password":"correct-horse-battery"}` + strings.Repeat(" ", 150)
	head := fmt.Sprintf("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	chunks := strings.Split(body, "") // one byte every 50 ms: 10 s in all
	type result struct {
		status string
		took   time.Duration
		err    error
	}
	results := make(chan result, 10)
	for i := 0; i < 10; i++ {
		go func() {
			s, d, err := rawRequest(addr, head, chunks, 50*time.Millisecond)
			results <- result{s, d, err}
		}()
	}
	for i := 0; i < 10; i++ {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.took > 3*time.Second {
			t.Fatalf("a trickling body held its connection for %s (bound 400 ms)", r.took)
		}
		if strings.Contains(r.status, " 200 ") {
			t.Fatalf("a trickled login succeeded: %q", r.status)
		}
	}
}

// An import may take longer than the ordinary bound, within its own.
func TestImportHasItsOwnDeadline(t *testing.T) {
	e := newEnv(t, dbtest.Open(t, dbtest.SQLite), fastTimeouts)
	p := e.Project(t)
	body := "{\"text\":\"one\"}\n{\"text\":\"two\"}\n{\"text\":\"three\"}\n"
	head := fmt.Sprintf("POST /api/projects/%d/imports?format=jsonl&filename=slow.jsonl HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/x-ndjson\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", p.ID, e.Tokens["coord"], len(body))
	status, took, err := rawRequest(e.TS.Listener.Addr().String(), head, strings.SplitAfter(body, "\n"), 400*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, " 201 ") {
		t.Fatalf("slow import (%s) = %q, want 201", took, status)
	}
	if took < time.Second {
		t.Fatalf("the import took %s: not slower than the ordinary bound, so this proves nothing", took)
	}
}

// Websockets are not bound by the request timeouts.
func TestWebsocketOutlivesRequestTimeouts(t *testing.T) {
	e, _ := newLiveEnv(t, dbtest.Open(t, dbtest.SQLite), func(c *server.Config) { fastTimeouts(c, nil) })
	ws := subscribed(t, e, e.Tokens["lab"])
	time.Sleep(1200 * time.Millisecond)
	stillOpen(t, ws)
}
