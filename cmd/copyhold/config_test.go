package main

import (
	"io"
	"path/filepath"
	"testing"
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
