package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ExportCache keeps finished snapshot exports on disk, one entry per
// snapshot and format (the export and its manifest), so that a retried or
// ranged download reads the same bytes without re-running the export or
// holding it in memory. The process owns it: cmd/copyhold makes one in a
// configured folder, hands it to New, and runs Run to prune it. An entry
// pruned while it is being downloaded is still read to the end (the open
// file outlives its name) and is rebuilt on the next request.
//
// The folder is private (0700, files 0600), and nothing in it is trusted: the
// cache remembers the SHA-256 of every file it publishes and serves an entry
// only when the open file still has that hash. A file that was changed, or
// that an earlier process left (whose hash this one never saw), is a miss:
// it is rebuilt, and a changed one is logged.
type ExportCache struct {
	dir    string
	limits ExportCacheLimits
	log    *slog.Logger

	mu    sync.Mutex
	busy  map[string]*cacheLock // entries being built or opened
	used  map[string]time.Time  // last time an entry was served by this process
	sums  map[string]entrySums  // the hashes of the files this process published
	clock func() time.Time
}

// ExportCacheLimits bound the cache. Zero values take the defaults shown.
type ExportCacheLimits struct {
	MaxAge   time.Duration // 7 days: an entry not served for this long is removed
	MaxBytes int64         // 2 GiB: above this, the least recently served entries go first
	Every    time.Duration // 1 h between prunes
}

// Default export cache limits.
const (
	DefaultExportCacheMaxAge   = 7 * 24 * time.Hour
	DefaultExportCacheMaxBytes = 2 << 30
)

// scratchMaxAge is how old a file under tmp/ must be before pruning treats
// it as left behind by a crash rather than a build in progress.
const scratchMaxAge = time.Hour

type cacheLock struct {
	mu   sync.Mutex
	refs int
}

// NewExportCache returns a cache in dir. The folder is created on the first
// export, so a server that never exports never touches the disk.
func NewExportCache(dir string, limits ExportCacheLimits, log *slog.Logger) *ExportCache {
	if limits.MaxAge == 0 {
		limits.MaxAge = DefaultExportCacheMaxAge
	}
	if limits.MaxBytes == 0 {
		limits.MaxBytes = DefaultExportCacheMaxBytes
	}
	if limits.Every == 0 {
		limits.Every = time.Hour
	}
	return &ExportCache{dir: dir, limits: limits, log: log,
		busy: map[string]*cacheLock{}, used: map[string]time.Time{}, sums: map[string]entrySums{}, clock: time.Now}
}

// Dir is the cache folder.
func (c *ExportCache) Dir() string { return c.dir }

// scratch is where exports are written before they are published, and
// where an export spools its own temporary files.
func (c *ExportCache) scratch() string { return filepath.Join(c.dir, "tmp") }

// lock serialises the building and opening of one entry.
func (c *ExportCache) lock(key string) (unlock func()) {
	c.mu.Lock()
	l := c.busy[key]
	if l == nil {
		l = &cacheLock{}
		c.busy[key] = l
	}
	l.refs++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.busy, key)
		}
		c.mu.Unlock()
	}
}

// open returns the entry key (data file name key+ext, and its manifest),
// calling build to write both when they are missing. build writes to
// temporary files that are published only if it succeeds. The caller closes
// both files.
func (c *ExportCache) open(key, ext string, build func(data, manifest *os.File, scratch string) error) (data, manifest *os.File, err error) {
	unlock := c.lock(key)
	defer unlock()
	dataPath, manifestPath := filepath.Join(c.dir, key+ext), filepath.Join(c.dir, key+".manifest.json")
	if data, manifest, err = openPair(dataPath, manifestPath); err == nil {
		if c.verified(key, data, manifest) {
			c.touch(key)
			return data, manifest, nil
		}
		data.Close()
		manifest.Close()
	}
	if err := c.prepare(); err != nil {
		return nil, nil, err
	}
	scratch := c.scratch()
	df, err := os.CreateTemp(scratch, "building-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(df.Name())
	mf, err := os.CreateTemp(scratch, "building-*")
	if err != nil {
		df.Close()
		return nil, nil, err
	}
	defer os.Remove(mf.Name())
	err = build(df, mf, scratch)
	for _, f := range []*os.File{df, mf} {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	var sums entrySums
	if err == nil {
		sums.data, err = fileSum(df.Name())
	}
	if err == nil {
		sums.manifest, err = fileSum(mf.Name())
	}
	if err == nil {
		err = os.Rename(mf.Name(), manifestPath)
	}
	if err == nil {
		err = os.Rename(df.Name(), dataPath)
	}
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	c.sums[key] = sums
	c.mu.Unlock()
	if data, manifest, err = openPair(dataPath, manifestPath); err != nil {
		return nil, nil, err
	}
	if !c.verified(key, data, manifest) { // changed between the rename and the open
		data.Close()
		manifest.Close()
		return nil, nil, fmt.Errorf("export cache entry %s changed while it was published", key)
	}
	c.touch(key)
	return data, manifest, nil
}

// entrySums are the SHA-256 hashes of an entry's two files.
type entrySums struct{ data, manifest [sha256.Size]byte }

// verified is whether the open files still have the hashes this process
// published them with; they are left at their start.
func (c *ExportCache) verified(key string, data, manifest *os.File) bool {
	c.mu.Lock()
	want, known := c.sums[key]
	c.mu.Unlock()
	if !known {
		c.log.Info("export cache entry left by an earlier run: rebuilding it", "dir", c.dir, "entry", key)
		return false
	}
	d, derr := sumOf(data)
	m, merr := sumOf(manifest)
	if derr != nil || merr != nil || d != want.data || m != want.manifest {
		c.log.Warn("export cache entry does not match the hash it was published with: rebuilding it",
			"dir", c.dir, "entry", key, "err", errors.Join(derr, merr))
		return false
	}
	return true
}

func sumOf(f *os.File) (sum [sha256.Size]byte, err error) {
	h := sha256.New()
	if _, err = io.Copy(h, f); err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	copy(sum[:], h.Sum(nil))
	return sum, err
}

func fileSum(path string) ([sha256.Size]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	defer f.Close()
	return sumOf(f)
}

// prepare makes the cache folder and its scratch folder, private to this
// user: an existing folder open to others is closed (0700), or refused when
// that fails.
func (c *ExportCache) prepare() error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	info, err := os.Lstat(c.dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("export cache %s is not a folder", c.dir)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(c.dir, 0o700); err != nil {
			return fmt.Errorf("export cache %s is open to other users and cannot be made private: %w", c.dir, err)
		}
		c.log.Warn("export cache folder was open to other users; made it private (0700)", "dir", c.dir)
	}
	return os.MkdirAll(c.scratch(), 0o700)
}

func openPair(dataPath, manifestPath string) (*os.File, *os.File, error) {
	data, err := os.Open(dataPath)
	if err != nil {
		return nil, nil, err
	}
	manifest, err := os.Open(manifestPath)
	if err != nil {
		data.Close()
		return nil, nil, err
	}
	return data, manifest, nil
}

func (c *ExportCache) touch(key string) {
	c.mu.Lock()
	c.used[key] = c.clock()
	c.mu.Unlock()
}

// Run prunes the cache now and then every Every until ctx ends.
func (c *ExportCache) Run(ctx context.Context) {
	t := time.NewTicker(c.limits.Every)
	defer t.Stop()
	for {
		if n, b, err := c.Prune(); err != nil {
			c.log.Warn("pruning the export cache failed", "dir", c.dir, "err", err)
		} else if n > 0 {
			c.log.Info("pruned the export cache", "dir", c.dir, "entries", n, "bytes", b)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type cacheEntry struct {
	key   string
	files []string
	size  int64
	used  time.Time
}

// Prune removes entries not served for MaxAge, then the least recently
// served ones until the cache holds at most MaxBytes, and scratch files left
// by a crash. Entries being built or opened are left alone. It reports how
// many entries went and how many bytes they held.
func (c *ExportCache) Prune() (removed int, freed int64, err error) {
	now := c.clock()
	c.pruneScratch(now)
	list, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	byKey := map[string]*cacheEntry{}
	var entries []*cacheEntry
	var total int64
	for _, d := range list {
		if !d.Type().IsRegular() {
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue
		}
		key, _, _ := strings.Cut(d.Name(), ".")
		e := byKey[key]
		if e == nil {
			e = &cacheEntry{key: key}
			byKey[key] = e
			entries = append(entries, e)
		}
		e.files = append(e.files, filepath.Join(c.dir, d.Name()))
		e.size += info.Size()
		total += info.Size()
		if info.ModTime().After(e.used) {
			e.used = info.ModTime()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		if t, ok := c.used[e.key]; ok && t.After(e.used) {
			e.used = t
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	for _, e := range entries {
		if now.Sub(e.used) < c.limits.MaxAge && total <= c.limits.MaxBytes {
			break // the rest are younger, and the cache is small enough
		}
		if c.busy[e.key] != nil {
			continue // being built or opened (c.mu keeps it so while we remove)
		}
		for _, f := range e.files {
			if rerr := os.Remove(f); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = errors.Join(err, rerr)
			}
		}
		delete(c.used, e.key)
		delete(c.sums, e.key)
		removed++
		freed += e.size
		total -= e.size
	}
	return removed, freed, err
}

// pruneScratch removes what a build or an export's spool left behind
// when the process stopped half-way.
func (c *ExportCache) pruneScratch(now time.Time) {
	list, err := os.ReadDir(c.scratch())
	if err != nil {
		return
	}
	for _, d := range list {
		info, err := d.Info()
		if err == nil && now.Sub(info.ModTime()) > scratchMaxAge {
			os.RemoveAll(filepath.Join(c.scratch(), d.Name()))
		}
	}
}
