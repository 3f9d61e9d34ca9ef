package store

import (
	"encoding/json"
	"errors"

	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
)

// The export's reader goroutine (snapshots_export.go) hands the writer
// frozen rows in batches. A batch copies its rows' bytes into one buffer
// and decodes them together (rowDecoder): the rows' raw values are slices
// of that buffer. When the writer has written a batch it hands the batch
// back (recycle), and the reader fills it again: the buffer, the rows and
// their annotations are allocated a few times per export, not per row.
// Export writers do not keep a row's slices after Write returns.

// snapshotBatchRows is how many rows a batch holds; with the channel's
// eight batches in flight, memory stays within a few MB.
const snapshotBatchRows = 256

var (
	newline          = []byte{'\n'}
	errExportStopped = errors.New("export stopped")
)

// snapshotBatch is decoded rows, and the error that ended the stream (the
// rows before it are valid).
type snapshotBatch struct {
	rows []dataset.ExportRow
	err  error
	buf  []byte                     // the rows' bytes
	anns []dataset.ExportAnnotation // the rows' annotations
}

type snapshotSpan struct {
	projectID  int64
	start, end int
}

// snapshotBatcher gathers rows and decodes them a batch at a time.
type snapshotBatcher struct {
	schemas map[int64]json.RawMessage
	names   map[int64]*importer.LSNames
	free    chan *snapshotBatch // batches the writer is done with
	next    *snapshotBatch      // the batch being filled
	spans   []snapshotSpan
	dec     rowDecoder
}

func newSnapshotBatcher(schemas map[int64]json.RawMessage, names map[int64]*importer.LSNames) *snapshotBatcher {
	return &snapshotBatcher{schemas: schemas, names: names, free: make(chan *snapshotBatch, 4),
		spans: make([]snapshotSpan, 0, snapshotBatchRows)}
}

// add copies a row in and says whether the batch is full.
func (b *snapshotBatcher) add(projectID int64, body []byte) bool {
	if b.next == nil {
		select {
		case b.next = <-b.free:
			b.next.buf, b.next.rows, b.next.anns, b.next.err = b.next.buf[:0], b.next.rows[:0], b.next.anns[:0], nil
		default:
			b.next = &snapshotBatch{buf: make([]byte, 0, snapshotBatchRows*max(len(body)+len(body)/4, 256)),
				rows: make([]dataset.ExportRow, 0, snapshotBatchRows)}
		}
	}
	start := len(b.next.buf)
	b.next.buf = append(b.next.buf, body...)
	b.spans = append(b.spans, snapshotSpan{projectID, start, len(b.next.buf)})
	return len(b.spans) == snapshotBatchRows
}

// decode decodes the rows gathered so far and starts a new batch. A row
// that does not decode ends the batch with its error.
func (b *snapshotBatcher) decode() *snapshotBatch {
	out := b.next
	if out == nil {
		return &snapshotBatch{}
	}
	b.dec.anns = out.anns
	for _, sp := range b.spans {
		row, err := b.dec.decode(out.buf[sp.start:sp.end:sp.end])
		if err != nil {
			out.err = err
			break
		}
		row.Schema, row.LSNames = b.schemas[sp.projectID], b.names[sp.projectID]
		out.rows = append(out.rows, row)
	}
	out.anns, b.dec.anns = b.dec.anns, nil
	b.next, b.spans = nil, b.spans[:0]
	return out
}

// recycle hands a written batch back to be filled again (or to the garbage
// collector when enough are waiting).
func (b *snapshotBatcher) recycle(batch *snapshotBatch) {
	select {
	case b.free <- batch:
	default:
	}
}
