package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/labeling/webhook/relay"
	"copyhold/migrations/dbtest"
)

// The real serve, end to end: a coordinator registers a loopback receiver
// (allowed by the development setting), closes a project, and the receiver
// gets one project.completed whose signature it verifies.
func TestServeDeliversWebhooks(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			vars["COPYHOLD_WEBHOOK_ALLOW_LOOPBACK"] = "true"
			if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			if _, err := runCmd(t, vars, "", "user", "add", "--login", "cora", "--name", "Cora", "--role", "coordinator"); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			db, err := openDB(ctx, config{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]}, false)
			if err != nil {
				t.Fatal(err)
			}
			st := newStore(db)
			cora, err := st.Members.MemberByLogin(ctx, "cora")
			if err != nil {
				t.Fatal(err)
			}
			_, token, err := st.Members.CreateToken(ctx, cora.ID, "pipeline")
			if err != nil {
				t.Fatal(err)
			}
			closeDB(db)

			var mu sync.Mutex
			var got []http.Header
			var bodies [][]byte
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, bodies = append(got, r.Header.Clone()), append(bodies, b)
				mu.Unlock()
				w.WriteHeader(204)
			}))
			defer recv.Close()

			sctx, cancel := context.WithCancel(ctx)
			var out syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(sctx, []string{"copyhold", "serve"}, getenvFrom(vars), strings.NewReader(""), &out, &out)
			}()
			defer func() {
				cancel()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Error("serve did not stop")
				}
			}()
			re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
			var base string
			for i := 0; i < 200 && base == ""; i++ {
				if m := re.FindStringSubmatch(out.String()); m != nil {
					base = m[1]
				}
				time.Sleep(25 * time.Millisecond)
			}
			if base == "" {
				t.Fatalf("server did not start: %s", out.String())
			}
			call := func(method, path string, body any) map[string]any {
				t.Helper()
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var v map[string]any
				json.NewDecoder(res.Body).Decode(&v)
				if res.StatusCode >= 300 {
					t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, v)
				}
				return v
			}
			// The server itself is refused, even with loopback allowed.
			b, _ := json.Marshal(map[string]any{"url": base + "/api/healthz", "event_types": []string{"project.completed"}})
			req, _ := http.NewRequest("POST", base+"/api/webhooks", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+token)
			if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 400 {
				t.Fatalf("a webhook to the server itself: %v %v", err, res)
			}
			ep := call("POST", "/api/webhooks", map[string]any{"url": recv.URL + "/hook", "event_types": []string{"project.completed"}})
			secret := ep["secret"].(string)
			model := call("POST", "/api/models", map[string]any{"name": "m1"})
			project := call("POST", "/api/projects", map[string]any{"model_id": model["id"], "name": "p1", "task_type": "classification", "overlap": 1,
				"schema": map[string]any{"choices": []any{map[string]any{"value": "a"}, map[string]any{"value": "b"}}}})
			pid := int64(project["id"].(float64))
			call("POST", "/api/projects/"+jsonNum(pid)+"/status", map[string]any{"status": "open"})
			call("POST", "/api/projects/"+jsonNum(pid)+"/status", map[string]any{"status": "closed"})
			deadline := time.Now().Add(15 * time.Second)
			for {
				mu.Lock()
				n := len(got)
				mu.Unlock()
				if n >= 1 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("%d webhooks, want 1", len(got))
			}
			h, body := got[0], bodies[0]
			key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
			mac := hmac.New(sha256.New, key)
			io.WriteString(mac, h.Get("webhook-id")+"."+h.Get("webhook-timestamp")+".")
			mac.Write(body)
			if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); h.Get("webhook-signature") != want {
				t.Fatalf("signature %q, want %q", h.Get("webhook-signature"), want)
			}
			var msg struct {
				Type string
				Data map[string]any
			}
			json.Unmarshal(body, &msg)
			if msg.Type != "project.completed" || msg.Data["project_id"].(float64) != float64(pid) {
				t.Fatalf("body %s", body)
			}
		})
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// The development setting is refused in a production configuration.
func TestServeRefusesLoopbackWebhooksInProduction(t *testing.T) {
	for _, extra := range []map[string]string{{"COPYHOLD_SECURE_COOKIES": "true"}, {"COPYHOLD_BASE_URL": "https://coop.example"}} {
		vars := dbVars(t, dbtest.SQLite)
		vars["COPYHOLD_WEBHOOK_ALLOW_LOOPBACK"] = "true"
		for k, v := range extra {
			vars[k] = v
		}
		out, err := runCmd(t, vars, "", "serve")
		if err == nil || !strings.Contains(err.Error(), "webhook-allow-loopback") {
			t.Fatalf("%v: err=%v out=%s", extra, err, out)
		}
	}
	for _, bad := range []string{"5s,,1m", "0s", "-1s", "soon"} {
		vars := dbVars(t, dbtest.SQLite)
		vars["COPYHOLD_WEBHOOK_BACKOFF"] = bad
		if out, err := runCmd(t, vars, "", "serve"); err == nil || !strings.Contains(err.Error(), "webhook-backoff") {
			t.Fatalf("backoff %q: err=%v out=%s", bad, err, out)
		}
	}
}

func TestDefaultBackoffIsTheRelays(t *testing.T) {
	got, err := webhookSettings{Backoff: defaultBackoff}.backoff()
	if err != nil || !slices.Equal(got, relay.DefaultBackoff) {
		t.Fatalf("%v %v, want %v", got, err, relay.DefaultBackoff)
	}
}
