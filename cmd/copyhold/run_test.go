package main

import (
	"bytes"
	"context"
	"copyhold/equity/roll"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"copyhold/migrations/dbtest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), append([]string{"copyhold"}, args...), getenvFrom(vars), strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func dbVars(t *testing.T, d dbtest.Dialect) map[string]string {
	src := dbtest.Source(t, d)
	vars := map[string]string{"DATABASE_URL": src.URL, "COPYHOLD_DATA": src.DataDir, "COPYHOLD_ADDR": "127.0.0.1:0"}
	if d == dbtest.Postgres { // production configures its key; the embedded default creates one
		skey, err := roll.GenerateKey(roll.Origin("test.example"))
		if err != nil {
			t.Fatal(err)
		}
		vars["COPYHOLD_REGISTER_KEY"] = skey
	}
	return vars
}

func TestServeHealthAndShutdown(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			if d == dbtest.Postgres {
				// PostgreSQL never migrates on its own.
				if out, err := runCmd(t, vars, "", "serve"); err == nil || !strings.Contains(err.Error()+out, "copyhold migrate") {
					t.Fatalf("serve on an empty PostgreSQL schema: err=%v out=%s", err, out)
				}
				if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			var out syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"copyhold", "serve"}, getenvFrom(vars), strings.NewReader(""), &out, &out)
			}()
			re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
			var base string
			// Up to 30 s: a fresh SQLite database migrates first, slowly under -race on a busy machine.
			for i := 0; i < 1200 && base == ""; i++ {
				if m := re.FindStringSubmatch(out.String()); m != nil {
					base = m[1]
				}
				time.Sleep(25 * time.Millisecond)
			}
			if base == "" {
				t.Fatalf("server did not start: %s", out.String())
			}
			for _, p := range []string{"/healthz", "/readyz"} {
				res, err := http.Get(base + p)
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("%s: %v %v", p, err, res)
				}
				res.Body.Close()
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("shutdown: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("server did not shut down")
			}
		})
	}
}

func TestServeUnreachableDatabase(t *testing.T) {
	skey, _ := roll.GenerateKey("x")
	out, err := runCmd(t, map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
		"COPYHOLD_REGISTER_KEY": skey}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "database unreachable") {
		t.Fatalf("err=%v out=%s", err, out)
	}
}

func TestUserCommands(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, vars, "", "user", "add", "--login", "ana", "--name", "Ana", "--role", "labeller,reviewer")
	if err != nil || !strings.Contains(out, "password: ") {
		t.Fatalf("add: %v %s", err, out)
	}
	if _, err := runCmd(t, vars, "", "user", "add", "--login", "ana", "--name", "Ana", "--role", "labeller"); err == nil {
		t.Fatal("duplicate login accepted")
	}
	if _, err := runCmd(t, vars, "a-new-long-password\n", "user", "set-password", "--login", "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, vars, "short\n", "user", "set-password", "--login", "ana"); err == nil {
		t.Fatal("short password accepted")
	}
	if _, err := runCmd(t, vars, "", "user", "grant", "--login", "ana", "--role", "coordinator"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, vars, "", "user", "revoke", "--login", "ana", "--role", "reviewer"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, vars, "", "user", "grant", "--login", "ana", "--role", "emperor"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, err := runCmd(t, vars, "", "user", "deactivate", "--login", "ana"); err == nil {
		t.Fatal("deactivated the last coordinator")
	}
	if out, _ := runCmd(t, vars, "", "serve", "--help"); !strings.Contains(out, "Start the web server") {
		t.Fatalf("serve --help: %s", out)
	}
	if out, _ := runCmd(t, vars, "", "version"); !strings.Contains(out, "copyhold") {
		t.Fatalf("version: %s", out)
	}
}

func TestImportCommand(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
				t.Fatalf("demo: %v %s", err, out)
			}
			dir := t.TempDir()
			good := dir + "/more.jsonl"
			bad := dir + "/bad.jsonl"
			os.WriteFile(good, []byte("{\"text\":\"A brand new sentence.\"}\n{\"source\":\"amazon\",\"text\":\"So there is no way for me to plug it in here in the US unless I go by a converter.\"}\n"), 0o600)
			os.WriteFile(bad, []byte("{\"text\":\"ok\"}\n{\"nottext\":1}\n"), 0o600)
			out, err := runCmd(t, vars, "", "import", "--project", "1", good)
			if err != nil || !strings.Contains(out, "imported 1, duplicate 1") {
				t.Fatalf("import: %v %s", err, out)
			}
			out, err = runCmd(t, vars, "", "import", bad, "--project", "1")
			if err == nil || !strings.Contains(err.Error(), "line 2") {
				t.Fatalf("bad import: %v %s", err, out)
			}
			if _, err := runCmd(t, vars, "", "import", "--project", "99", good); err == nil {
				t.Fatal("import into a missing project succeeded")
			}
			// Options: the gold label lifted out of the data, ids, priority, sensitive.
			labelled := dir + "/labelled.jsonl"
			os.WriteFile(labelled, []byte(`{"id":"x-1","text":"Loved it, every minute.","label_name":"positive"}`+"\n"), 0o600)
			out, err = runCmd(t, vars, "", "import", "--project", "1", "--id-field", "id", "--gold-field", "label_name", "--priority", "5", "--sensitive", labelled)
			if err != nil || !strings.Contains(out, "imported 1,") {
				t.Fatalf("import with options: %v %s", err, out)
			}
			// Label Studio annotations as prior work, counted.
			ls := dir + "/ls.json"
			os.WriteFile(ls, []byte(`[{"id":5,"data":{"text":"An old review, labelled before."},"annotations":[`+
				`{"completed_by":{"email":"a@example.org"},"lead_time":3.2,"result":[{"type":"choices","from_name":"label","to_name":"text","value":{"choices":["positive"]}}]},`+
				`{"was_cancelled":true,"result":[]}]}]`), 0o600)
			// Without a choice: refused, naming the flag and the count; nothing stored.
			out, err = runCmd(t, vars, "", "import", "--project", "1", ls)
			if err == nil || !strings.Contains(err.Error(), "--annotations predictions|prior|gold|drop") || !strings.Contains(err.Error(), "carry 1 Label Studio annotations") {
				t.Fatalf("import without --annotations: %v %s", err, out)
			}
			out, err = runCmd(t, vars, "", "import", "--project", "1", "--annotations", "prior", ls)
			if err != nil || !strings.Contains(out, "annotations: kept 1, converted 0, dropped 1; 1 cancelled (skipped) in Label Studio") || !strings.Contains(out, "prior annotations stored: 1") {
				t.Fatalf("import --annotations prior: %v %s", err, out)
			}
			if out, err := runCmd(t, vars, "", "import", "--project", "1", "--annotations", "keep", ls); err == nil || !strings.Contains(err.Error(), "annotations must be one of") {
				t.Fatalf("unknown choice: %v %s", err, out)
			}
			// The demo project was not made from a Label Studio config: the generated one.
			out, err = runCmd(t, vars, "", "project", "lsconfig", "1")
			if err != nil || !strings.HasPrefix(out, "<View>") || !strings.Contains(out, `<Choices name="label" toName="text"`) {
				t.Fatalf("project lsconfig: %v %s", err, out)
			}
			if _, err := runCmd(t, vars, "", "project", "lsconfig", "99"); err == nil {
				t.Fatal("lsconfig of a missing project succeeded")
			}
		})
	}
}
