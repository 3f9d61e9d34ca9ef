package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"copyhold/labeling/model"
)

func TestModelSealer(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	c := config{DataDir: dir}
	s, err := modelSealer(c, modelSettings{}, log)
	if err != nil || s == nil {
		t.Fatalf("first start with SQLite: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "model.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("model.key: %v %v", err, fi)
	}
	sealed, _ := s.Seal("sk-1")
	again, err := modelSealer(c, modelSettings{}, log) // the second start reads the same key
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := again.Open(sealed); err != nil || plain != "sk-1" {
		t.Fatalf("reopen: %v %q", err, plain)
	}
	// A configured key that is missing or malformed stops serve; nothing is generated for it.
	if _, err := modelSealer(c, modelSettings{Key: filepath.Join(dir, "nope.key")}, log); err == nil {
		t.Fatal("a missing configured key loaded")
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("short"), 0o600)
	if _, err := modelSealer(c, modelSettings{Key: bad}, log); err == nil {
		t.Fatal("a malformed key loaded")
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a configured key file was generated")
	}
	// PostgreSQL without a key: none (api_key refused, key_env works), no file made.
	pg := config{DataDir: t.TempDir(), DatabaseURL: "postgres://x"}
	if s, err := modelSealer(pg, modelSettings{}, log); err != nil || s != nil {
		t.Fatalf("PostgreSQL without a key: %v %v", s, err)
	}
}

func TestModelSettings(t *testing.T) {
	for _, d := range []time.Duration{0, 14 * time.Second, 61 * time.Second, -1} {
		if (modelSettings{Timeout: d}).check() == nil {
			t.Fatalf("timeout %v accepted", d)
		}
	}
	if err := (modelSettings{Timeout: 30 * time.Second}).check(); err != nil {
		t.Fatal(err)
	}
}

func TestModelPolicyRefusesThisServerOnly(t *testing.T) {
	p := modelPolicy(config{BaseURL: "https://coop.example", Addr: "127.0.0.1:8080"}, "8080")
	ctx := context.Background()
	for _, u := range []string{"https://coop.example/v1", "http://127.0.0.1:8080/v1", "http://localhost:8080"} {
		if _, err := p.CheckURL(ctx, u); !errors.Is(err, model.ErrURLSelf) {
			t.Fatalf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://coop.example:8000/v1", "http://127.0.0.1:11434/v1", "http://10.0.0.2:8080/v1"} {
		if _, err := p.CheckURL(ctx, u); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
}
