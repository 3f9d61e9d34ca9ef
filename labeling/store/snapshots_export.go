package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
)

// Exporting a snapshot streams its frozen rows (snapshots.go) in one of the
// export formats, re-hashing them on the way.

// CheckSnapshotExport says whether the snapshot can be exported in the
// format, before any byte is written.
func (s *Datasets) CheckSnapshotExport(ctx context.Context, id int64, f dataset.ExportFormat) (dataset.Snapshot, error) {
	return s.CheckSnapshotExportWith(ctx, id, f, dataset.ExportSettings{})
}

// CheckSnapshotExportWith is CheckSnapshotExport with export settings: the
// format must fit every project's schema (conversations, per-turn
// ratings) and the settings must apply.
func (s *Datasets) CheckSnapshotExportWith(ctx context.Context, id int64, f dataset.ExportFormat, set dataset.ExportSettings) (dataset.Snapshot, error) {
	snap, err := s.Snapshot(ctx, id)
	if err != nil {
		return snap, err
	}
	if snap.Items == 0 {
		return snap, dataset.ErrSnapshotEmpty.With("snapshot %d has no rows", id)
	}
	rows := f
	if f == dataset.ExportHF {
		rows = dataset.ExportHFRowFormatFor(snap.TaskType, snap.SnapshotSchemas()) // what the split files hold
	}
	if err := dataset.CheckExportFormat(f, snap.TaskType, snap.Name()); err != nil {
		return snap, err
	}
	return snap, dataset.CheckExportSchemas(rows, snap.TaskType, snap.SnapshotSchemas(), set, snap.Name())
}

// ExportSnapshot streams the snapshot's frozen rows to out in the format
// and returns the manifest (the writer's counts added). Memory does not
// grow with the snapshot: one row at a time from a database cursor. The
// stored bytes are re-hashed on the way; a mismatch fails the export
// (snapshot_corrupt) after the bytes were written, so callers that must
// not publish a corrupt export write to a file first (the HTTP cache does).
func (s *Datasets) ExportSnapshot(ctx context.Context, id int64, x dataset.ExportRequest, out io.Writer) (dataset.ExportManifest, error) {
	snap, err := s.CheckSnapshotExportWith(ctx, id, x.Format, x.Settings)
	if err != nil {
		return dataset.ExportManifest{}, err
	}
	contributors, err := s.SnapshotContributors(ctx, id)
	if err != nil {
		return dataset.ExportManifest{}, err
	}
	m := dataset.ExportManifest{Project: snap.Name(), Publisher: x.Publisher, TaskType: snap.TaskType, Format: x.Format,
		CreatedAt: snap.CreatedAt.Format(time.RFC3339), License: x.License, Terms: x.Terms,
		Description:  fmt.Sprintf("copyhold snapshot %d (%s mode) of model %d", snap.ID, snap.Mode, snap.ModelID),
		SnapshotHash: snap.Hash, LedgerHead: snap.LedgerHead, Contributors: contributors,
		UnitsIssued: snap.Provenance.UnitsIssued, Labour: snap.Provenance.Labour, Agreement: snap.Provenance.Agreement,
		RateCards: snap.RateCards}
	opts := dataset.ExportOptions{Format: x.Format, TaskType: snap.TaskType, Project: snap.Name(),
		AllAnnotations: snap.Mode == dataset.SnapshotAll}
	x.Settings.Apply(&opts)
	m.Conversational = dataset.ExportConversational(snap.TaskType, snap.SnapshotSchemas())
	var w dataset.ExportWriter
	if x.Format == dataset.ExportHF {
		opts.Manifest, opts.TempDir, opts.SplitSalt, opts.TestFraction = &m, x.TempDir, snap.Hash, 0.1
		opts.HFRows = dataset.ExportHFRowFormatFor(snap.TaskType, snap.SnapshotSchemas())
		archive := x.Archive
		if archive == "" {
			archive = "tar"
		}
		w, err = dataset.NewExportHFArchive(out, archive, opts)
	} else {
		w, err = dataset.NewExportWriter(out, opts)
	}
	if err != nil {
		return m, err
	}
	schemas := map[int64]json.RawMessage{}
	lines := map[int64][]byte{}
	names := map[int64]*importer.LSNames{} // Label Studio result names per project
	for _, p := range snap.Projects {
		schemas[p.ProjectID] = p.Schema
		if x.Format == dataset.ExportLabelStudio {
			if _, n, err := importer.ProjectLSConfig(p.LSConfig, p.TaskType, p.Schema); err == nil {
				names[p.ProjectID] = &n
			}
		}
		canon, err := dataset.ExportCanonicalJSON(p.Schema)
		if err != nil {
			return m, err
		}
		lines[p.ProjectID] = fmt.Appendf(nil, `{"schema":%s,"task_type":%s}`+"\n", canon, jsonString(string(p.TaskType)))
	}
	// A reader goroutine reads, re-hashes and decodes rows while this one
	// writes them: on two cores the decode and the writer overlap. The
	// channel is bounded, so memory stays flat. The cursor holds the only
	// connection on SQLite: no other query until it closes.
	h := sha256.New()
	ch := make(chan *snapshotBatch, 8)
	stop := make(chan struct{})
	done := make(chan struct{})
	defer func() { close(stop); <-done }()
	b := newSnapshotBatcher(schemas, names)
	go func() {
		defer close(done)
		defer close(ch)
		var lastLine []byte
		err := eachSnapshotRow(ctx, s.db, id, func(projectID int64, body []byte) error {
			if line := lines[projectID]; !bytes.Equal(line, lastLine) {
				h.Write(line)
				lastLine = line
			}
			h.Write(body)
			h.Write(newline)
			if !b.add(projectID, body) {
				return nil
			}
			batch := b.decode()
			failed := batch.err != nil // read before the writer owns the batch
			select {
			case ch <- batch:
			case <-stop:
				return errExportStopped
			}
			if failed {
				return errExportStopped
			}
			return nil
		})
		batch := b.decode()
		if err != nil && err != errExportStopped {
			batch.err = err
		}
		if len(batch.rows) > 0 || batch.err != nil {
			select {
			case ch <- batch:
			case <-stop:
			}
		}
	}()
	for batch := range ch {
		for i := range batch.rows {
			if err := w.Write(batch.rows[i]); err != nil {
				return m, err
			}
		}
		if batch.err != nil {
			return m, batch.err
		}
		b.recycle(batch)
	}
	if err := w.Close(); err != nil {
		return m, err
	}
	m.AddStats(w.Stats())
	if sum := hex.EncodeToString(h.Sum(nil)); sum != snap.Hash {
		return m, dataset.ErrSnapshotCorrupt.With("snapshot %d: stored rows hash to %s, not %s", id, sum, snap.Hash)
	}
	return m, nil
}
