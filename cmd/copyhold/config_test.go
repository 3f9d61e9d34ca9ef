package main

import (
	"bytes"
	"copyhold/server"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The export cache lives in the data folder unless the flag or the
// environment puts it elsewhere; the flag wins.
func TestExportCacheFolder(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, nil, filepath.Join("data", "export-cache")},
		{map[string]string{"COPYHOLD_DATA": "/srv/copyhold"}, nil, "/srv/copyhold/export-cache"},
		{nil, []string{"--data", "/var/lib/ch"}, "/var/lib/ch/export-cache"},
		{map[string]string{"COPYHOLD_EXPORT_CACHE": "/cache/env"}, nil, "/cache/env"},
		{map[string]string{"COPYHOLD_EXPORT_CACHE": "/cache/env"}, []string{"--export-cache", "/cache/flag"}, "/cache/flag"},
	} {
		e := &env{getenv: getenvFrom(c.vars), stderr: io.Discard}
		var cfg config
		fs := newFlags("serve", "test", e)
		bindConfig(fs, e, &cfg)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := cfg.exportCacheDir(); got != c.want {
			t.Errorf("env %v args %v: export cache in %q, want %q", c.vars, c.args, got, c.want)
		}
	}
}

// The export cache's bounds come from the flags or the environment, with the
// defaults otherwise; a bound that is not positive is refused.
func TestExportCacheLimits(t *testing.T) {
	for _, c := range []struct {
		vars    map[string]string
		args    []string
		age     time.Duration
		bytes   int64
		refused bool
	}{
		{nil, nil, server.DefaultExportCacheMaxAge, server.DefaultExportCacheMaxBytes, false},
		{map[string]string{"COPYHOLD_EXPORT_CACHE_MAX_AGE": "24h", "COPYHOLD_EXPORT_CACHE_MAX_BYTES": "1048576"}, nil, 24 * time.Hour, 1 << 20, false},
		{map[string]string{"COPYHOLD_EXPORT_CACHE_MAX_AGE": "24h"}, []string{"--export-cache-max-age", "1h", "--export-cache-max-bytes", "5"}, time.Hour, 5, false},
		{nil, []string{"--export-cache-max-bytes", "0"}, 0, 0, true},
		{nil, []string{"--export-cache-max-age", "-1h"}, 0, 0, true},
	} {
		e := &env{getenv: getenvFrom(c.vars), stderr: io.Discard}
		var cfg config
		fs := newFlags("serve", "test", e)
		bindConfig(fs, e, &cfg)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		got, err := cfg.exportCacheLimits()
		if c.refused {
			if err == nil {
				t.Errorf("args %v: limits %+v accepted", c.args, got)
			}
			continue
		}
		if err != nil || got.MaxAge != c.age || got.MaxBytes != c.bytes {
			t.Errorf("env %v args %v: %+v %v, want %s and %d bytes", c.vars, c.args, got, err, c.age, c.bytes)
		}
	}
}

// The pool's size comes from the flag or the environment (the flag wins); 0
// is the default size, a value that is not a number is reported and
// ignored, and a negative flag is refused.
func TestDBConns(t *testing.T) {
	for _, c := range []struct {
		vars    map[string]string
		args    []string
		want    int
		warned  bool
		refused bool
	}{
		{nil, nil, 0, false, false},
		{map[string]string{"COPYHOLD_DB_CONNS": "12"}, nil, 12, false, false},
		{map[string]string{"COPYHOLD_DB_CONNS": "12"}, []string{"--db-conns", "3"}, 3, false, false},
		{map[string]string{"COPYHOLD_DB_CONNS": "many"}, nil, 0, true, false},
		{map[string]string{"COPYHOLD_DB_CONNS": "-2"}, nil, 0, true, false},
		{nil, []string{"--db-conns", "-1"}, -1, false, true},
	} {
		var stderr bytes.Buffer
		e := &env{getenv: getenvFrom(c.vars), stderr: &stderr}
		var cfg config
		fs := newFlags("serve", "test", e)
		bindConfig(fs, e, &cfg)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := cfg.source().MaxConns; got != c.want {
			t.Errorf("env %v args %v: MaxConns %d, want %d", c.vars, c.args, got, c.want)
		}
		if warned := strings.Contains(stderr.String(), "COPYHOLD_DB_CONNS"); warned != c.warned {
			t.Errorf("env %v: warned %v (%q), want %v", c.vars, warned, stderr.String(), c.warned)
		}
		if err := cfg.checkDBConns(); (err != nil) != c.refused {
			t.Errorf("args %v: check %v, want refused %v", c.args, err, c.refused)
		}
	}
}
