package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copyhold/migrations"
	"copyhold/migrations/dbtest"
)

type fakePinger struct{ err error }

func (p fakePinger) PingContext(context.Context) error { return p.err }

func TestStartGate(t *testing.T) {
	g := newStartGate()
	ran := make(chan struct{})
	done := g.run(t.Context(), func(context.Context) { close(ran) })
	// A failed ping keeps the workers waiting.
	if err := g.pinger(fakePinger{errors.New("down")}).PingContext(t.Context()); err == nil {
		t.Fatal("the failed ping succeeded")
	}
	select {
	case <-ran:
		t.Fatal("a worker started before the first successful ping")
	case <-time.After(20 * time.Millisecond):
	}
	// The first successful ping starts them; more pings change nothing.
	for range 2 {
		if err := g.pinger(fakePinger{}).PingContext(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	<-ran
	<-done
	g.open() // after the pinger: no effect, no panic
	// A worker whose context ends before the gate opens never runs.
	g2 := newStartGate()
	ctx, cancel := context.WithCancel(t.Context())
	done = g2.run(ctx, func(context.Context) { t.Error("ran after its context ended") })
	cancel()
	<-done
	g2.open()
}

func TestOpenAsync(t *testing.T) {
	src := dbtest.Source(t, dbtest.SQLite)
	// Waited for: the database is the caller's and stays open.
	o := openAsync(t.Context(), src)
	db, err := o.wait()
	if err != nil {
		t.Fatal(err)
	}
	o.abandon()
	sqlDB, _ := db.DB()
	if err := sqlDB.Ping(); err != nil {
		t.Fatalf("the database waited for was closed: %v", err)
	}
	closeDB(db)
	// Abandoned: closed.
	o = openAsync(t.Context(), src)
	<-o.done
	db = o.db
	o.abandon()
	sqlDB, _ = db.DB()
	if err := sqlDB.Ping(); err == nil {
		t.Fatal("an abandoned database is still open")
	}
	// An error reaches wait.
	o = openAsync(t.Context(), migrations.Source{URL: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"})
	if _, err := o.wait(); err == nil || !strings.Contains(err.Error(), "database unreachable") {
		t.Fatalf("unreachable database: %v", err)
	}
	o.abandon()
}

// The background workers still run: their first pass starts at the first
// /readyz, or workersAfter after serving begins when nobody asks. The export
// cache's pruner is the one seen here: it removes an entry a year old.
func TestServeWorkersStart(t *testing.T) {
	for _, viaReadyz := range []bool{true, false} {
		name := map[bool]string{true: "first readyz", false: "no readyz"}[viaReadyz]
		t.Run(name, func(t *testing.T) {
			vars := dbVars(t, dbtest.SQLite)
			if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			cache := filepath.Join(vars["COPYHOLD_DATA"], "export-cache")
			old := filepath.Join(cache, "0123abcd.zip")
			if err := os.MkdirAll(cache, 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(old, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			year := time.Now().Add(-365 * 24 * time.Hour)
			if err := os.Chtimes(old, year, year); err != nil {
				t.Fatal(err)
			}
			if viaReadyz {
				d := workersAfter
				t.Cleanup(func() { workersAfter = d }) // after serve has stopped
				workersAfter = time.Hour               // only the readyz can start them
			}
			base := serveInProcess(t, vars)
			if viaReadyz {
				res, err := http.Get(base + "/readyz")
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("readyz: %v %v", err, res)
				}
				res.Body.Close()
			}
			for range 400 {
				if _, err := os.Stat(old); errors.Is(err, os.ErrNotExist) {
					return
				}
				time.Sleep(25 * time.Millisecond)
			}
			t.Fatal("the export cache's pruner never ran")
		})
	}
}

// serve on an embedded database that is behind the binary refuses to start;
// on a new one it migrates itself.
func TestServeSchemaCheck(t *testing.T) {
	vars := dbVars(t, dbtest.SQLite)
	db, err := migrations.Open(t.Context(), migrations.Source{DataDir: vars["COPYHOLD_DATA"]})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.UpTo(t.Context(), db, 7); err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	out, err := runCmd(t, vars, "", "serve")
	if err == nil || !errors.Is(err, migrations.ErrOutdated) || !strings.Contains(err.Error(), "old schema") {
		t.Fatalf("serve on an old schema: %v %s", err, out)
	}
	fresh := dbVars(t, dbtest.SQLite)
	base := serveInProcess(t, fresh)
	res, err := http.Get(base + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz on a new database: %v %v", err, res)
	}
	res.Body.Close()
}
