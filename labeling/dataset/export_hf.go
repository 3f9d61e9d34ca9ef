package dataset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"copyhold/labeling/tasktype"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// The hf format: a folder Hugging Face loads as it is, holding
//
//	README.md      dataset card: YAML front matter (configs, license,
//	               task_categories) and the "Provenance and labour" section
//	manifest.json  the ExportManifest, with the files' row counts and hashes
//	train.jsonl    rows of the items outside the test split
//	test.jsonl     rows of the items in it (absent when empty)
//
// written into a directory, or as a tar or zip stream. Items go to a split by
// a hash of their id, so the split is the same in every export of the same
// items, and all rows of one item (the pairs of a ranking) share a split.
// For archives the splits are spooled to temporary files first: tar needs
// each member's size up front, and the card needs the final counts.

// Split file names.
const (
	ExportSplitTrain = "train"
	ExportSplitTest  = "test"
)

// ExportHFRowFormat is the default row format of an hf export per task
// type: SFT messages for rewrite, standard preference pairs for pairwise and
// ranking, KTO for rubric, and jsonl (data and answer) for the rest.
func ExportHFRowFormat(tt tasktype.TaskType) ExportFormat {
	switch tt {
	case tasktype.TaskRewrite:
		return ExportTRLSFT
	case tasktype.TaskPairwise, tasktype.TaskRanking:
		return ExportTRLDPO
	case tasktype.TaskRubric:
		return ExportTRLKTO
	}
	return ExportJSONL
}

// ExportSplitOf says which split an item belongs to: "test" iff the first 8
// bytes of SHA-256(salt + "\x00" + decimal item id), as a big-endian integer
// modulo 1,000,000, are below testFraction × 1,000,000 (rounded).
func ExportSplitOf(itemID int64, salt string, testFraction float64) string {
	ppm := uint64(math.Round(min(max(testFraction, 0), 1) * 1e6))
	h := sha256.Sum256([]byte(salt + "\x00" + strconv.FormatInt(itemID, 10)))
	if binary.BigEndian.Uint64(h[:8])%1_000_000 < ppm {
		return ExportSplitTest
	}
	return ExportSplitTrain
}

type exportHFSplit struct {
	name string
	path string
	f    *os.File
	h    hash.Hash
	n    *exportCountingWriter
	w    *exportWriter
}

type exportCountingWriter struct {
	w io.Writer
	n int64
}

func (c *exportCountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type exportHF struct {
	opts    ExportOptions
	rows    ExportFormat
	dir     string    // the folder, or the spool of an archive
	archive string    // "", "tar" or "zip"
	out     io.Writer // the archive stream
	splits  map[string]*exportHFSplit
	closed  bool
	stats   ExportStats
	files   []ExportFile
}

// NewExportHFDir writes an hf folder into dir (created if missing; files of
// the same names are replaced).
func NewExportHFDir(dir string, opts ExportOptions) (ExportWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return newExportHF(dir, "", nil, opts)
}

// NewExportHFArchive writes an hf folder as a "tar" or "zip" stream to out,
// spooling the splits under opts.TempDir (os.TempDir() when "").
func NewExportHFArchive(out io.Writer, archive string, opts ExportOptions) (ExportWriter, error) {
	if archive != "tar" && archive != "zip" {
		return nil, ErrExportOptions.With("hf archives are tar or zip, not %q", archive)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "copyhold-hf-*")
	if err != nil {
		return nil, err
	}
	w, err := newExportHF(dir, archive, out, opts)
	if err != nil {
		os.RemoveAll(dir)
	}
	return w, err
}

func newExportHF(dir, archive string, out io.Writer, opts ExportOptions) (*exportHF, error) {
	if err := CheckExportFormat(ExportHF, opts.TaskType, opts.Project); err != nil {
		return nil, err
	}
	if opts.TestFraction < 0 || opts.TestFraction > 1 || math.IsNaN(opts.TestFraction) {
		return nil, ErrExportOptions.With("test fraction %v is not between 0 and 1", opts.TestFraction)
	}
	rows := opts.HFRows
	if rows == "" {
		rows = ExportHFRowFormat(opts.TaskType)
	}
	switch rows {
	case ExportTRLSFT, ExportTRLSFTPrompt, ExportTRLDPO, ExportTRLDPOConv, ExportTRLKTO, ExportOpenAIChat, ExportOpenAIDPO, ExportJSONL:
	default:
		return nil, ErrExportOptions.With("hf splits are JSON lines; %q cannot be their row format", rows)
	}
	if err := CheckExportFormat(rows, opts.TaskType, opts.Project); err != nil {
		return nil, err
	}
	inner := opts
	inner.Format = rows
	if _, err := newExportWriter(io.Discard, inner); err != nil { // check the options once, up front
		return nil, err
	}
	return &exportHF{opts: opts, rows: rows, dir: dir, archive: archive, out: out,
		splits: map[string]*exportHFSplit{}}, nil
}

func (x *exportHF) split(name string) (*exportHFSplit, error) {
	if s := x.splits[name]; s != nil {
		return s, nil
	}
	s := &exportHFSplit{name: name, path: filepath.Join(x.dir, name+".jsonl"), h: sha256.New()}
	f, err := os.Create(s.path)
	if err != nil {
		return nil, err
	}
	s.f = f
	s.n = &exportCountingWriter{w: io.MultiWriter(f, s.h)}
	inner := x.opts
	inner.Format = x.rows
	if s.w, err = newExportWriter(s.n, inner); err != nil {
		f.Close()
		return nil, err
	}
	x.splits[name] = s
	return s, nil
}

func (x *exportHF) Write(row ExportRow) error {
	if x.closed {
		return ErrExportOptions.With("export writer is closed")
	}
	s, err := x.split(ExportSplitOf(row.ItemID, x.opts.SplitSalt, x.opts.TestFraction))
	if err != nil {
		return err
	}
	return s.w.Write(row)
}

func (x *exportHF) Stats() ExportStats {
	if x.closed {
		return x.stats
	}
	return x.merged().stats()
}

func (x *exportHF) merged() *exportTally {
	t := newExportTally()
	for _, name := range []string{ExportSplitTrain, ExportSplitTest} {
		if s := x.splits[name]; s != nil {
			t.merge(s.w.tally)
			t.splits[name] = s.w.tally.rows
		}
	}
	return t
}

// Close finishes the splits, then writes manifest.json and README.md (and,
// for an archive, streams everything out and removes the spool).
func (x *exportHF) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	if x.archive != "" {
		defer os.RemoveAll(x.dir)
	}
	if len(x.splits) == 0 { // an empty dataset still gets its train file
		if _, err := x.split(ExportSplitTrain); err != nil {
			return err
		}
	}
	for _, name := range []string{ExportSplitTrain, ExportSplitTest} {
		s := x.splits[name]
		if s == nil {
			continue
		}
		err := s.w.Close()
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		x.files = append(x.files, ExportFile{Name: name + ".jsonl", Rows: s.w.tally.rows, Bytes: s.n.n,
			SHA256: hex.EncodeToString(s.h.Sum(nil))})
	}
	x.stats = x.merged().stats()

	var m ExportManifest
	if x.opts.Manifest != nil {
		m = *x.opts.Manifest
		m.Contributors = append([]ExportContributor(nil), m.Contributors...)
	}
	m.Format, m.RowFormat, m.TaskType = ExportHF, x.rows, x.opts.TaskType
	if m.Project == "" {
		m.Project = x.opts.Project
	}
	m.Files = x.files
	m.Split = &ExportSplit{TestFraction: strconv.FormatFloat(x.opts.TestFraction, 'f', -1, 64), Salt: x.opts.SplitSalt, Rows: x.stats.Splits}
	m.AddStats(x.stats)
	var card, man bytes.Buffer
	if err := WriteExportCard(&card, m); err != nil {
		return err
	}
	if err := WriteManifest(&man, m); err != nil {
		return err
	}
	if x.archive == "" {
		if err := os.WriteFile(filepath.Join(x.dir, "README.md"), card.Bytes(), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(x.dir, "manifest.json"), man.Bytes(), 0o644)
	}
	return x.writeArchive(m.CreatedAt, card.Bytes(), man.Bytes())
}

// writeArchive streams the card, the manifest and the spooled splits. Member
// times are the manifest's created_at (or the epoch), so the same export
// gives the same bytes.
func (x *exportHF) writeArchive(createdAt string, card, man []byte) error {
	mtime := time.Unix(0, 0).UTC()
	if t, err := time.Parse(time.RFC3339, createdAt); err == nil {
		mtime = t.UTC()
	}
	type member struct {
		name string
		data []byte // or path
		path string
		size int64
	}
	members := []member{{name: "README.md", data: card, size: int64(len(card))}, {name: "manifest.json", data: man, size: int64(len(man))}}
	for _, f := range x.files {
		members = append(members, member{name: f.Name, path: filepath.Join(x.dir, f.Name), size: f.Bytes})
	}
	open := func(m member) (io.ReadCloser, error) {
		if m.path == "" {
			return io.NopCloser(bytes.NewReader(m.data)), nil
		}
		return os.Open(m.path)
	}
	switch x.archive {
	case "tar":
		tw := tar.NewWriter(x.out)
		for _, m := range members {
			hdr := &tar.Header{Name: m.name, Mode: 0o644, Size: m.size, ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			r, err := open(m)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, r)
			r.Close()
			if err != nil {
				return err
			}
		}
		return tw.Close()
	default:
		zw := zip.NewWriter(x.out)
		for _, m := range members {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: mtime})
			if err != nil {
				return err
			}
			r, err := open(m)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, r)
			r.Close()
			if err != nil {
				return err
			}
		}
		return zw.Close()
	}
}
