package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/migrations/dbtest"
)

// The worked pipeline of docs/API.md, run for real: examples/pipeline/
// pipeline.py (Python's standard library only) against `copyhold serve`.
// It registers its webhook endpoint, waits for snapshot.created, verifies the
// signature, checks the TRL DPO export and registers a release. A run whose
// webhook is tampered with on the way must refuse it and exit 3.
func TestPipelineExample(t *testing.T) {
	python := pythonOrSkip(t)
	script, err := filepath.Abs("../../examples/pipeline/pipeline.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			// The receiver is on this machine: the development setting that
			// lets webhooks reach loopback (never the server's own port).
			vars["COPYHOLD_WEBHOOK_ALLOW_LOOPBACK"] = "true"
			// On PostgreSQL there is no data folder: the export cache
			// would land in ./data beside the test.
			vars["COPYHOLD_EXPORT_CACHE"] = t.TempDir()
			tokens := seedMembers(t, vars)
			base := startServe(t, vars)
			api := apiClient{t: t, base: base}
			model, project := seedAcceptedPairwise(t, api, tokens)

			// Tampered: a proxy between the server and the script changes the
			// body and keeps the signature. The script answers 401 and stops.
			var tamperedStatus int
			var scriptURL string
			var mu sync.Mutex
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				forged := bytes.Replace(body, []byte(`"consensus"`), []byte(`"all"`), 1)
				if bytes.Equal(forged, body) {
					t.Errorf("nothing to tamper with in %s", body)
				}
				mu.Lock()
				target := scriptURL
				mu.Unlock()
				req, _ := http.NewRequest("POST", target, bytes.NewReader(forged))
				req.Header = r.Header.Clone()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("forwarding to the script: %v", err)
					w.WriteHeader(502)
					return
				}
				res.Body.Close()
				mu.Lock()
				tamperedStatus = res.StatusCode
				mu.Unlock()
				w.WriteHeader(res.StatusCode)
			}))
			defer proxy.Close()
			bad := startPipeline(t, python, script, tokens["cora"], base, model, "--public-url", proxy.URL+"/hook")
			mu.Lock()
			scriptURL = bad.localURL
			mu.Unlock()
			api.call("POST", "/api/snapshots", tokens["cora"], map[string]any{"model_id": model, "project_ids": []int64{project}}, 201)
			code, out := bad.wait(t)
			mu.Lock()
			gotStatus := tamperedStatus
			mu.Unlock()
			if code != 3 || !strings.Contains(out, "webhook-signature does not match the body") || gotStatus != 401 {
				t.Fatalf("tampered webhook: exit %d, the script answered %d; output:\n%s", code, gotStatus, out)
			}

			// The real thing.
			good := startPipeline(t, python, script, tokens["cora"], base, model)
			snap := api.call("POST", "/api/snapshots", tokens["cora"], map[string]any{"model_id": model, "project_ids": []int64{project}}, 201)
			code, out = good.wait(t)
			if code != 0 {
				t.Fatalf("pipeline exit %d; output:\n%s", code, out)
			}
			m := regexp.MustCompile(`release (\d+) dpo-snapshot-(\d+) registered`).FindStringSubmatch(out)
			if m == nil || m[2] != fmt.Sprint(snap["id"]) || !strings.Contains(out, "2 TRL DPO rows, all valid") {
				t.Fatalf("pipeline output does not name the release of snapshot %v with 2 rows:\n%s", snap["id"], out)
			}
			rel := api.call("GET", "/api/releases/"+m[1], tokens["cora"], nil, 200)
			hashes, _ := rel["snapshot_hashes"].([]any)
			if len(hashes) != 1 || hashes[0] != snap["hash"] || rel["model_id"] != float64(model) || rel["base_model"] != "base-7b" {
				t.Fatalf("release %v, want snapshot %v of model %d", rel, snap["hash"], model)
			}
			dpo, err := os.ReadFile(good.out)
			if err != nil || !strings.Contains(string(dpo), `"chosen":" Paris."`) {
				t.Fatalf("the downloaded export: %v\n%s", err, dpo)
			}
			// Both runs removed their endpoints on the way out.
			if eps := api.call("GET", "/api/webhooks", tokens["cora"], nil, 200); len(eps["items"].([]any)) != 0 {
				t.Fatalf("endpoints left behind: %v", eps["items"])
			}
		})
	}
}

// The script's own checks (examples/pipeline/test_pipeline.py): the
// specification's signature example and every way a row can break TRL's rules.
func TestPipelineExampleChecks(t *testing.T) {
	python := pythonOrSkip(t)
	cmd := exec.Command(python, "-m", "unittest", "-v", "test_pipeline")
	cmd.Dir = filepath.Join("..", "..", "examples", "pipeline")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("python3 -m unittest test_pipeline: %v\n%s", err, out)
	}
}

// pythonOrSkip finds python3; without it the test is skipped (and fails in
// CI, where .ci/deps installs it).
func pythonOrSkip(t *testing.T) string {
	p, err := exec.LookPath("python3")
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("python3 is missing (.ci/deps installs Debian's python3): %v", err)
	}
	t.Skipf("SKIPPED: python3 is not installed, so the pipeline example (examples/pipeline) was NOT tested: %v", err)
	return ""
}

// seedMembers adds a coordinator, a labeller and a reviewer and returns an
// API token for each, by login.
func seedMembers(t *testing.T, vars map[string]string) map[string]string {
	t.Helper()
	if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tokens := map[string]string{}
	for login, role := range map[string]string{"cora": "coordinator", "lena": "labeller", "rex": "reviewer"} {
		if out, err := runCmd(t, vars, "", "user", "add", "--login", login, "--name", login, "--role", role); err != nil {
			t.Fatalf("user add %s: %v %s", login, err, out)
		}
	}
	db, err := openDB(ctx, config{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(db)
	st := newStore(db)
	for _, login := range []string{"cora", "lena", "rex"} {
		m, err := st.Members.MemberByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		if _, tokens[login], err = st.Members.CreateToken(ctx, m.ID, "pipeline test"); err != nil {
			t.Fatal(err)
		}
	}
	return tokens
}

// seedAcceptedPairwise makes a pairwise project of two items, answered by
// the labeller and accepted by the reviewer, through the API.
func seedAcceptedPairwise(t *testing.T, api apiClient, tokens map[string]string) (model, project int64) {
	t.Helper()
	cora := tokens["cora"]
	model = int64(api.call("POST", "/api/models", cora, map[string]any{"name": "m1", "base_model": "base-7b"}, 201)["id"].(float64))
	project = int64(api.call("POST", "/api/projects", cora, map[string]any{"model_id": model, "name": "prefs", "task_type": "pairwise",
		"overlap": 1, "add_all_members": true, "schema": map[string]any{}}, 201)["id"].(float64))
	items := `{"prompt":"Capital of France?","response_a":"Paris.","response_b":"Lyon, probably."}` + "\n" +
		`{"prompt":"2 + 2?","response_a":"5","response_b":"4"}` + "\n"
	api.raw("POST", fmt.Sprintf("/api/projects/%d/imports?format=jsonl", project), cora, items, 201)
	api.call("POST", fmt.Sprintf("/api/projects/%d/status", project), cora, map[string]any{"status": "open"}, 200)
	for i := 0; i < 2; i++ {
		task := api.call("POST", fmt.Sprintf("/api/projects/%d/next", project), tokens["lena"], nil, 200)
		choice := "a"
		if task["data"].(map[string]any)["response_b"] == "4" {
			choice = "b"
		}
		api.call("POST", "/api/submissions", tokens["lena"], map[string]any{"lease_token": task["lease_token"],
			"idempotency_key": fmt.Sprint("k", i), "answer": map[string]any{"choice": choice}, "lead_time_ms": 1000}, 201)
	}
	for i := 0; i < 2; i++ {
		rv := api.call("POST", fmt.Sprintf("/api/projects/%d/review/next", project), tokens["rex"], nil, 200)
		var ds []map[string]any
		for _, s := range rv["submissions"].([]any) {
			ds = append(ds, map[string]any{"submission_id": s.(map[string]any)["id"], "decision": "accept"})
		}
		api.call("POST", "/api/review/decisions", tokens["rex"], map[string]any{"lease_token": rv["lease_token"],
			"idempotency_key": fmt.Sprint("r", i), "decisions": ds}, 201)
	}
	return model, project
}

// startServe runs `copyhold serve` until the test ends and returns its URL.
// With COPYHOLD_BIN set (make test sets it), serve is that built binary in
// a process of its own, as the README runs it; without it, the same code in
// this process.
func startServe(t *testing.T, vars map[string]string) string {
	t.Helper()
	bin := os.Getenv("COPYHOLD_BIN")
	if bin == "" {
		return serveInProcess(t, vars)
	}
	return serveUntilEnd(t, func(ctx context.Context, out *syncBuffer) error {
		cmd := exec.CommandContext(ctx, bin, "serve")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // a graceful stop
		cmd.WaitDelay = 15 * time.Second
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s serve: %w", bin, err)
		}
		return cmd.Wait()
	})
}

// serveInProcess runs serve in this process until the test ends and returns its URL.
func serveInProcess(t *testing.T, vars map[string]string) string {
	t.Helper()
	return serveUntilEnd(t, func(ctx context.Context, out *syncBuffer) error {
		return run(ctx, []string{"copyhold", "serve"}, getenvFrom(vars), strings.NewReader(""), out, out)
	})
}

// serveUntilEnd runs serve (until ctx ends) in a goroutine, stops it when
// the test ends, and returns the URL it announces.
func serveUntilEnd(t *testing.T, serve func(ctx context.Context, out *syncBuffer) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, &out)
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(&out, "\nserve: %v\n", err)
		}
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	for range 400 {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", out.String())
	return ""
}

// apiClient calls the API with a Bearer token and insists on a status.
type apiClient struct {
	t    *testing.T
	base string
}

func (a apiClient) call(method, path, token string, body any, want int) map[string]any {
	a.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	return a.raw(method, path, token, string(b), want)
}

func (a apiClient) raw(method, path, token, body string, want int) map[string]any {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(res.Body).Decode(&v)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s: %d %v, want %d", method, path, res.StatusCode, v, want)
	}
	return v
}

// pipelineRun is one run of the script.
type pipelineRun struct {
	cmd      *exec.Cmd
	out      string // the export file
	lines    *syncBuffer
	done     chan struct{}
	localURL string
}

// startPipeline starts the script and returns once its endpoint is
// registered (so a snapshot made now reaches it).
func startPipeline(t *testing.T, python, script, token, base string, model int64, extra ...string) *pipelineRun {
	t.Helper()
	p := &pipelineRun{out: filepath.Join(t.TempDir(), "dpo.jsonl"), lines: &syncBuffer{}, done: make(chan struct{})}
	args := append([]string{script, "--server", base, "--model", fmt.Sprint(model), "--out", p.out, "--timeout", "60",
		"--base-model", "base-7b", "--checkpoint", "s3://ckpt/test"}, extra...)
	p.cmd = exec.Command(python, args...)
	p.cmd.Env = append(os.Environ(), "COPYHOLD_TOKEN="+token, "PYTHONDONTWRITEBYTECODE=1")
	p.cmd.Stderr = p.lines
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(p.lines, sc.Text())
		}
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.lines.String(), "registered for snapshot.created") {
		if time.Now().After(deadline) {
			t.Fatalf("the pipeline did not register its endpoint:\n%s", p.lines.String())
		}
		select {
		case <-p.done:
			p.cmd.Wait()
			t.Fatalf("the pipeline ended early:\n%s", p.lines.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if m := re.FindStringSubmatch(p.lines.String()); m != nil {
		p.localURL = m[1]
	}
	return p
}

// wait returns the script's exit code and everything it printed.
func (p *pipelineRun) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(90 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("pipeline: %v\n%s", err, p.lines.String())
	}
	return p.cmd.ProcessState.ExitCode(), p.lines.String()
}
