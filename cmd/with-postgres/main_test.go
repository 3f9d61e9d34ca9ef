package main

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExistingURLIsPassedThrough(t *testing.T) {
	t.Setenv("TEST_DATABASE_URL", "postgres://example/db")
	t.Setenv("COPYHOLD_REQUIRE_POSTGRES", "")
	code := run([]string{"--", "sh", "-c", `test "$TEST_DATABASE_URL" = postgres://example/db && test "$COPYHOLD_REQUIRE_POSTGRES" = 1 && exit 3`})
	if code != 3 {
		t.Fatalf("exit status %d, want CMD's 3", code)
	}
}

func TestNoPostgreSQLInstalled(t *testing.T) {
	// A PATH holding only sh, and no Debian directories.
	debianBinDirs = filepath.Join(t.TempDir(), "*", "bin")
	t.Cleanup(func() { debianBinDirs = "/usr/lib/postgresql/*/bin" })
	path := t.TempDir()
	if err := os.Symlink("/bin/sh", filepath.Join(path, "sh")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", path)
	t.Setenv("TEST_DATABASE_URL", "")
	marker := filepath.Join(t.TempDir(), "ran")
	cmd := []string{"--", "sh", "-c", `test -z "$TEST_DATABASE_URL" && echo > ` + marker + `; exit 4`}

	t.Setenv("CI", "true")
	if code := run(cmd); code != 1 {
		t.Errorf("with CI set: exit status %d, want 1", code)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("with CI set: CMD ran on SQLite only")
	}

	t.Setenv("CI", "")
	if code := run(cmd); code != 4 {
		t.Errorf("without CI: exit status %d, want CMD's 4", code)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("without CI: CMD did not run without TEST_DATABASE_URL")
	}
}

func TestThrowawayCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	bin, err := findBinDir()
	if err != nil {
		t.Skip(err)
	}
	t.Setenv("TEST_DATABASE_URL", "")
	out := filepath.Join(t.TempDir(), "out")
	// The child reports its URL and the server's data directory, then fails.
	script := `echo "$TEST_DATABASE_URL" > ` + out + ` && test "$COPYHOLD_REQUIRE_POSTGRES" = 1 &&
		"$0" -Atc 'show data_directory' "$TEST_DATABASE_URL" >> ` + out + ` && exit 5`
	if code := run([]string{"--", "sh", "-c", script, filepath.Join(bin, "psql")}); code != 5 {
		t.Fatalf("exit status %d, want CMD's 5", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(b))
	if len(lines) != 2 {
		t.Fatalf("child wrote %q, want URL and data directory", b)
	}
	u, err := url.Parse(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", u.Host); err == nil {
		c.Close()
		t.Errorf("server on %s still accepts connections", u.Host)
	}
	if _, err := os.Stat(filepath.Dir(lines[1])); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s not removed: %v", filepath.Dir(lines[1]), err)
	}
}
