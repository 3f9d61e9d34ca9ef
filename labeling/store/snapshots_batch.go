package store

import (
	"encoding/json"
	"errors"

	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
)

// The export's reader goroutine (snapshots_export.go) hands the writer
// frozen rows in batches. A batch copies its rows' bytes into one buffer
// and decodes them together (rowDecoder), so that a row costs no
// allocation of its own: the buffer, one string copy of it, the rows and
// their annotations are allocated once per batch. A buffer is never reused,
// since the rows handed on are slices of it.

// snapshotBatchRows is how many rows a batch holds; with the channel's
// eight batches in flight, memory stays within a few MB.
const snapshotBatchRows = 512

var (
	newline          = []byte{'\n'}
	errExportStopped = errors.New("export stopped")
)

// snapshotBatch is decoded rows, and the error that ended the stream (the
// rows before it are valid).
type snapshotBatch struct {
	rows []dataset.ExportRow
	err  error
}

type snapshotSpan struct {
	projectID  int64
	start, end int
}

// snapshotBatcher gathers rows and decodes them a batch at a time.
type snapshotBatcher struct {
	schemas map[int64]json.RawMessage
	names   map[int64]*importer.LSNames
	buf     []byte
	spans   []snapshotSpan
	dec     rowDecoder
}

func newSnapshotBatcher(schemas map[int64]json.RawMessage, names map[int64]*importer.LSNames) *snapshotBatcher {
	return &snapshotBatcher{schemas: schemas, names: names, spans: make([]snapshotSpan, 0, snapshotBatchRows)}
}

// add copies a row in and says whether the batch is full.
func (b *snapshotBatcher) add(projectID int64, body []byte) bool {
	if b.buf == nil {
		b.buf = make([]byte, 0, snapshotBatchRows*max(len(body)+len(body)/4, 256))
	}
	start := len(b.buf)
	b.buf = append(b.buf, body...)
	b.spans = append(b.spans, snapshotSpan{projectID, start, len(b.buf)})
	return len(b.spans) == snapshotBatchRows
}

// decode decodes the rows gathered so far and starts a new batch. A row
// that does not decode ends the batch with its error.
func (b *snapshotBatcher) decode() snapshotBatch {
	out := snapshotBatch{rows: make([]dataset.ExportRow, 0, len(b.spans))}
	if len(b.spans) == 0 {
		return out
	}
	text := string(b.buf)
	b.dec.anns = make([]dataset.ExportAnnotation, 0, len(b.spans)+len(b.spans)/4)
	for _, sp := range b.spans {
		row, err := b.dec.decode(b.buf[sp.start:sp.end:sp.end], text[sp.start:sp.end])
		if err != nil {
			out.err = err
			break
		}
		row.Schema, row.LSNames = b.schemas[sp.projectID], b.names[sp.projectID]
		out.rows = append(out.rows, row)
	}
	b.buf, b.spans = nil, b.spans[:0]
	return out
}
