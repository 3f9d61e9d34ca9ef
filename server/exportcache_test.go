package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// newTestCache is a cache in a temp folder on a clock the test moves.
func newTestCache(t *testing.T, limits ExportCacheLimits) (*ExportCache, *time.Time) {
	t.Helper()
	c := NewExportCache(filepath.Join(t.TempDir(), "exports"), limits, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c.clock = func() time.Time { return now }
	return c, &now
}

// put builds entry key with n bytes of data, as a download would, at *now.
func put(t *testing.T, c *ExportCache, now time.Time, key string, n int) {
	t.Helper()
	builds := 0
	data, manifest, err := c.open(key, ".jsonl", func(data, manifest *os.File, scratch string) error {
		builds++
		if !strings.HasPrefix(data.Name(), scratch) {
			t.Errorf("built outside the scratch folder: %s", data.Name())
		}
		if _, err := data.WriteString(strings.Repeat("x", n)); err != nil {
			return err
		}
		_, err := manifest.WriteString(`{"key":"` + key + `"}`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	data.Close()
	manifest.Close()
	if builds != 1 {
		t.Fatalf("%s built %d times", key, builds)
	}
	for _, f := range []string{key + ".jsonl", key + ".manifest.json"} {
		if err := os.Chtimes(filepath.Join(c.dir, f), now, now); err != nil {
			t.Fatal(err)
		}
	}
}

func cached(t *testing.T, c *ExportCache) []string {
	t.Helper()
	list, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range list {
		if d.Type().IsRegular() {
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	return names
}

func TestExportCacheServesWithoutRebuilding(t *testing.T) {
	c, now := newTestCache(t, ExportCacheLimits{})
	if n, _, err := c.Prune(); n != 0 || err != nil {
		t.Fatalf("prune before the folder exists: %d %v", n, err)
	}
	put(t, c, *now, "aa", 10)
	data, manifest, err := c.open("aa", ".jsonl", func(*os.File, *os.File, string) error {
		t.Fatal("rebuilt a cached entry")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	defer manifest.Close()
	if b, _ := io.ReadAll(data); len(b) != 10 {
		t.Fatalf("data %q", b)
	}
	if b, _ := io.ReadAll(manifest); string(b) != `{"key":"aa"}` {
		t.Fatalf("manifest %q", b)
	}
	if left, _ := os.ReadDir(c.scratch()); len(left) != 0 {
		t.Fatalf("scratch files left after a build: %v", left)
	}
}

func TestExportCacheFailedBuildPublishesNothing(t *testing.T) {
	c, _ := newTestCache(t, ExportCacheLimits{})
	_, _, err := c.open("bad", ".jsonl", func(data, _ *os.File, _ string) error {
		data.WriteString("half an export")
		return os.ErrInvalid
	})
	if err == nil {
		t.Fatal("a failed build succeeded")
	}
	if names := cached(t, c); len(names) != 0 {
		t.Fatalf("a failed build left %v", names)
	}
	if left, _ := os.ReadDir(c.scratch()); len(left) != 0 {
		t.Fatalf("a failed build left scratch files: %v", left)
	}
}

func TestExportCachePrunesByAge(t *testing.T) {
	c, now := newTestCache(t, ExportCacheLimits{MaxAge: 24 * time.Hour})
	put(t, c, now.Add(-48*time.Hour), "old", 10)
	put(t, c, now.Add(-1*time.Hour), "new", 10)
	// Built long ago but downloaded just now: kept.
	put(t, c, now.Add(-72*time.Hour), "used", 10)
	c.used["used"] = *now
	delete(c.used, "old")
	delete(c.used, "new")

	n, freed, err := c.Prune()
	if err != nil || n != 1 || freed != 10+int64(len(`{"key":"old"}`)) {
		t.Fatalf("prune: %d entries, %d bytes, %v", n, freed, err)
	}
	want := []string{"new.jsonl", "new.manifest.json", "used.jsonl", "used.manifest.json"}
	if got := cached(t, c); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("left %v, want %v", got, want)
	}
	// A day later nothing has been served: everything goes.
	*now = now.Add(25 * time.Hour)
	if n, _, err := c.Prune(); err != nil || n != 2 || len(cached(t, c)) != 0 {
		t.Fatalf("second prune: %d %v, left %v", n, err, cached(t, c))
	}
}

func TestExportCachePrunesBySizeOldestFirst(t *testing.T) {
	entry := int64(1000 + len(`{"key":"e0"}`))
	c, now := newTestCache(t, ExportCacheLimits{MaxBytes: 2*entry + 10})
	for i, key := range []string{"e0", "e1", "e2", "e3"} {
		put(t, c, now.Add(time.Duration(i-10)*time.Minute), key, 1000)
		c.used[key] = now.Add(time.Duration(i-10) * time.Minute)
	}
	c.used["e0"] = *now // e0 was downloaded last: it stays
	n, freed, err := c.Prune()
	if err != nil || n != 2 || freed != 2*entry {
		t.Fatalf("prune: %d entries, %d bytes, %v", n, freed, err)
	}
	want := []string{"e0.jsonl", "e0.manifest.json", "e3.jsonl", "e3.manifest.json"}
	if got := cached(t, c); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("left %v, want %v", got, want)
	}
}

func TestExportCacheLeavesBusyEntriesAndCleansScratch(t *testing.T) {
	c, now := newTestCache(t, ExportCacheLimits{MaxAge: time.Hour})
	put(t, c, now.Add(-2*time.Hour), "busy", 10)
	delete(c.used, "busy")
	unlock := c.lock("busy") // a download is opening it
	if n, _, _ := c.Prune(); n != 0 || len(cached(t, c)) != 2 {
		t.Fatalf("pruned an entry in use: %d, left %v", n, cached(t, c))
	}
	unlock()
	if n, _, _ := c.Prune(); n != 1 {
		t.Fatalf("entry not pruned once free: %d", n)
	}
	if len(c.busy) != 0 {
		t.Fatalf("locks kept: %v", c.busy)
	}

	// A crash mid-build leaves files in the scratch folder: old ones go,
	// a build in progress (young) stays.
	stale, fresh := filepath.Join(c.scratch(), "building-1"), filepath.Join(c.scratch(), "building-2")
	spool := filepath.Join(c.scratch(), "copyhold-hf-3")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(spool, 0o700)
	os.WriteFile(filepath.Join(spool, "train.jsonl"), []byte("x"), 0o600)
	for _, p := range []string{stale, spool} {
		os.Chtimes(p, now.Add(-2*scratchMaxAge), now.Add(-2*scratchMaxAge))
	}
	os.Chtimes(fresh, *now, *now)
	c.Prune()
	for p, want := range map[string]bool{stale: false, spool: false, fresh: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func TestExportCacheRunPrunesAtStart(t *testing.T) {
	c, now := newTestCache(t, ExportCacheLimits{MaxAge: time.Hour, Every: time.Hour})
	put(t, c, now.Add(-2*time.Hour), "old", 10)
	delete(c.used, "old")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Run(ctx) // prunes once, then sees ctx has ended
	if names := cached(t, c); len(names) != 0 {
		t.Fatalf("left %v", names)
	}
}

// A cache file that was swapped or changed on disk is never served: the
// entry is rebuilt from the database, whichever file was touched, even when
// the size and the modification time are kept; and an entry that an earlier
// process left is rebuilt too.
func TestExportCacheNeverServesASwappedFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		poison func(t *testing.T, c *ExportCache)
	}{
		{"data changed in place", func(t *testing.T, c *ExportCache) { overwrite(t, filepath.Join(c.dir, "aa.jsonl"), "POISON") }},
		{"data swapped by rename", func(t *testing.T, c *ExportCache) {
			p := filepath.Join(c.dir, "evil")
			os.WriteFile(p, []byte("POISON"), 0o600)
			if err := os.Rename(p, filepath.Join(c.dir, "aa.jsonl")); err != nil {
				t.Fatal(err)
			}
		}},
		{"manifest changed", func(t *testing.T, c *ExportCache) {
			overwrite(t, filepath.Join(c.dir, "aa.manifest.json"), `{"key":"zz"}`)
		}},
		{"left by an earlier process", func(t *testing.T, c *ExportCache) {
			overwrite(t, filepath.Join(c.dir, "aa.jsonl"), "POISON")
			c.sums = map[string]entrySums{} // a new process remembers nothing
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, now := newTestCache(t, ExportCacheLimits{})
			put(t, c, *now, "aa", 6)
			tc.poison(t, c)
			builds := 0
			data, manifest, err := c.open("aa", ".jsonl", func(data, manifest *os.File, _ string) error {
				builds++
				data.WriteString("xxxxxx")
				_, err := manifest.WriteString(`{"key":"aa"}`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			defer data.Close()
			defer manifest.Close()
			d, _ := io.ReadAll(data)
			m, _ := io.ReadAll(manifest)
			if builds != 1 || string(d) != "xxxxxx" || string(m) != `{"key":"aa"}` {
				t.Fatalf("served %q / %q after %d builds", d, m, builds)
			}
			// The rebuilt entry is served again without a build.
			d2, m2, err := c.open("aa", ".jsonl", func(*os.File, *os.File, string) error {
				t.Fatal("rebuilt a verified entry")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			d2.Close()
			m2.Close()
		})
	}
}

// overwrite replaces a file's bytes in place, keeping its size when the new
// content has the same length, and its modification time.
func overwrite(t *testing.T, path, content string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// The cache folder and its files are private to the server's user, even
// when the folder already existed open to others.
func TestExportCacheIsPrivate(t *testing.T) {
	c, now := newTestCache(t, ExportCacheLimits{})
	if err := os.MkdirAll(c.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(c.dir, 0o777)
	put(t, c, *now, "aa", 3)
	for _, p := range []string{c.dir, c.scratch()} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v, want 0700", p, info.Mode(), err)
		}
	}
	for _, f := range cached(t, c) {
		if info, _ := os.Stat(filepath.Join(c.dir, f)); info.Mode().Perm() != 0o600 {
			t.Fatalf("%s is %v, want 0600", f, info.Mode())
		}
	}
}
