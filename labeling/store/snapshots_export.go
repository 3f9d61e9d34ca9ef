package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
	"copyhold/labeling/jsonscan"
	"copyhold/labeling/tasktype"
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
	// A reader goroutine scans, re-hashes and decodes rows while this one
	// writes them: on two cores the decode and the writer overlap. The
	// channel is bounded, so memory stays flat. The cursor holds the only
	// connection on SQLite: no other query until it closes.
	rows, err := s.db.WithContext(ctx).Raw("SELECT project_id, body FROM snapshot_rows WHERE snapshot_id = ? ORDER BY item_id", id).Rows()
	if err != nil {
		return m, err
	}
	defer rows.Close()
	h := sha256.New()
	type decoded struct {
		row dataset.ExportRow
		err error
	}
	ch := make(chan []decoded, 8)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		var lastLine, body []byte
		var projectID int64
		batch := make([]decoded, 0, 256)
		send := func() bool {
			select {
			case ch <- batch:
				batch = make([]decoded, 0, 256)
				return true
			case <-stop:
				return false
			}
		}
		for rows.Next() {
			if err := rows.Scan(&projectID, &body); err != nil {
				batch = append(batch, decoded{err: err})
				send()
				return
			}
			if line := lines[projectID]; !bytes.Equal(line, lastLine) {
				h.Write(line)
				lastLine = line
			}
			h.Write(body)
			h.Write([]byte{'\n'})
			row, err := decodeSnapshotRow(body)
			row.Schema, row.LSNames = schemas[projectID], names[projectID]
			batch = append(batch, decoded{row, err})
			if err != nil || len(batch) == cap(batch) {
				if !send() || err != nil {
					return
				}
			}
		}
		if err := rows.Err(); err != nil {
			batch = append(batch, decoded{err: err})
		}
		if len(batch) > 0 {
			send()
		}
	}()
	for batch := range ch {
		for _, d := range batch {
			if d.err != nil {
				return m, d.err
			}
			if err := w.Write(d.row); err != nil {
				return m, err
			}
		}
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

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// decodeSnapshotRow reads a frozen row (the canonical shape of
// dataset.ExportCanonicalRow) in one pass over its bytes, without
// reflection: raw values (data, answers) are slices of body, which the
// caller must not reuse. The syntax is checked on the way; the row's hash
// (checked by the export) covers the rest.
func decodeSnapshotRow(body []byte) (dataset.ExportRow, error) {
	var row dataset.ExportRow
	err := jsonscan.Object(body, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "annotations":
			row.Annotations, err = decodeSnapshotAnnotations(v)
		case "annotator":
			row.Annotator, err = rowString(v)
		case "answer":
			if !bytes.Equal(v, []byte("null")) {
				row.Answer = v
			}
		case "confidence":
			row.Confidence, err = rowString(v)
		case "data":
			row.Data = v
		case "external_id":
			row.ExternalID, err = rowString(v)
		case "generation":
			row.Generation = v
		case "item_id":
			row.ItemID, err = rowInt(v)
		case "task_type":
			var tt string
			tt, err = rowString(v)
			row.TaskType = tasktype.TaskType(tt)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return nil
	})
	if err != nil {
		return dataset.ExportRow{}, fmt.Errorf("snapshot row: %w", err)
	}
	if row.Annotations == nil {
		row.Annotations = []dataset.ExportAnnotation{}
	}
	return row, nil
}

func decodeSnapshotAnnotations(raw []byte) ([]dataset.ExportAnnotation, error) {
	if bytes.Equal(raw, []byte("null")) {
		return []dataset.ExportAnnotation{}, nil
	}
	out := make([]dataset.ExportAnnotation, 0, 1)
	err := jsonscan.Array(raw, func(v []byte) error {
		var a dataset.ExportAnnotation
		err := jsonscan.Object(v, func(k, v []byte) error {
			var err error
			switch string(k) {
			case "annotator":
				a.Annotator, err = rowString(v)
			case "answer":
				a.Answer = v
			case "completed_by":
				if !bytes.Equal(v, []byte("null")) {
					a.CompletedBy = v
				}
			case "created_at":
				a.CreatedAt, err = rowString(v)
			case "lead_time_ms":
				a.LeadTimeMs, err = rowInt(v)
			case "source_id":
				a.SourceID, err = rowString(v)
			case "status":
				a.Status, err = rowString(v)
			case "suggestion":
				a.Suggestion, err = rowString(v)
			case "suggestion_accepted":
				a.SuggestionAccepted = bytes.Equal(v, []byte("true"))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			return nil
		})
		out = append(out, a)
		return err
	})
	return out, err
}

// rowString reads a string member; null reads as "".
func rowString(v []byte) (string, error) {
	if bytes.Equal(v, []byte("null")) {
		return "", nil
	}
	s, ok, err := jsonscan.String(v)
	if !ok {
		return "", fmt.Errorf("not a string: %s", v)
	}
	return s, err
}

// rowInt reads an integer member; null reads as 0.
func rowInt(v []byte) (int64, error) {
	if bytes.Equal(v, []byte("null")) {
		return 0, nil
	}
	return strconv.ParseInt(string(v), 10, 64)
}

// SnapshotRows decodes a snapshot's frozen rows in item order (tests, and
// re-hashing with labeling.SnapshotHasher).
