package importer

import (
	"bufio"
	"bytes"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/textrule"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Label Studio task files: a JSON array (or one object) of tasks, bare or
// wrapped with annotations and predictions.

// recordGuard stops the JSON decoder from buffering far more than one task:
// it fails reads once budget bytes have been read since the last reset.
type recordGuard struct {
	r      io.Reader
	budget int
	left   int
}

var errRecordTooLarge = errors.New("record too large")

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, errRecordTooLarge
	}
	if len(p) > g.left {
		p = p[:g.left]
	}
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := g.r.Read(p)
	g.left -= n
	return n, err
}

func (g *recordGuard) reset() { g.left = g.budget }

func (im *importer) readLabelStudio(r io.Reader) error {
	// The budget allows one maximal task plus what the decoder read ahead.
	guard := &recordGuard{r: r, budget: im.opts.MaxRecordBytes + 256<<10}
	guard.reset()
	br := bufio.NewReaderSize(guard, 32<<10)
	first, err := peekNonSpace(br)
	if err != nil {
		if err == io.EOF {
			return ErrImportFormat.With("record 1: the file is empty; expected a JSON array of Label Studio tasks")
		}
		return ErrImportFormat.With("record 1: reading the file: %s", err.Error())
	}
	dec := json.NewDecoder(br)
	decodeOne := func(n int) error {
		where := fmt.Sprintf("record %d", n)
		guard.reset()
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, errRecordTooLarge) {
				return im.tooLarge(where)
			}
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return ErrImportFormat.With("%s: the file ends in the middle of a task", where)
			}
			return ErrImportFormat.With("%s: invalid JSON: %s", where, tasktype.JSONErrText(err))
		}
		if dec.InputOffset()-start > int64(im.opts.MaxRecordBytes) {
			return im.tooLarge(where)
		}
		if err := textrule.CheckJSON(raw); err != nil {
			return textErr(where, err)
		}
		if err := im.lsTask(raw, n, where); err != nil {
			var fe fnError
			if errors.As(err, &fe) {
				return fe.err
			}
			return err
		}
		return nil
	}
	n := 0
	switch first {
	case '[':
		if _, err := dec.Token(); err != nil {
			return ErrImportFormat.With("record 1: invalid JSON: %s", tasktype.JSONErrText(err))
		}
		for dec.More() {
			n++
			if err := decodeOne(n); err != nil {
				return err
			}
		}
		guard.reset()
		if _, err := dec.Token(); err != nil {
			return ErrImportFormat.With("record %d: invalid JSON after the task: %s", n, tasktype.JSONErrText(err))
		}
	case '{':
		n = 1
		if err := decodeOne(1); err != nil {
			return err
		}
	default:
		return ErrImportFormat.With("record 1: expected a JSON array of Label Studio tasks (or one task object), got %q", first)
	}
	guard.reset()
	if _, err := dec.Token(); err != io.EOF {
		return ErrImportFormat.With("record %d: unexpected data after the end of the tasks", n+1)
	}
	return nil
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
		case 0xef: // UTF-8 byte order mark
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
				_, _ = br.Discard(3)
				continue
			}
			return b[0], nil
		default:
			return b[0], nil
		}
	}
}

// lsTask reads one Label Studio task: bare data, or {"id","data",
// "predictions","annotations",…}. The first prediction's result becomes the
// Prediction and the first ground-truth annotation the Gold, when they
// convert to this project's task type; otherwise they are skipped. Other
// keys of a task (meta, created_at, …) are ignored.
func (im *importer) lsTask(raw json.RawMessage, n int, where string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return ErrImportFormat.With("%s: a task must be a JSON object, got %s", where, tasktype.ShortRaw(raw))
	}
	rec := Record{Line: n, Data: raw}
	data, ok := obj["data"]
	if !ok || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
		return im.finish(rec, where)
	}
	rec.Data = data
	if id, ok := obj["id"]; ok {
		ext, err := externalID(id)
		if err != nil {
			return ErrImportFormat.With("%s: id: %s", where, err.Error())
		}
		rec.ExternalID = ext
	}
	// Conversion needs valid data; finish reports data errors with the record.
	if _, err := im.s.ItemData(data); err != nil {
		return importErr(where, err)
	}
	var preds []struct {
		Result json.RawMessage `json:"result"`
	}
	if raw, ok := obj["predictions"]; ok && json.Unmarshal(raw, &preds) == nil && len(preds) > 0 && preds[0].Result != nil {
		if a, err := LSResultToAnswer(im.tt, im.schema, data, preds[0].Result); err == nil {
			rec.Prediction = a
		}
	}
	var anns []struct {
		Result       json.RawMessage `json:"result"`
		GroundTruth  bool            `json:"ground_truth"`
		WasCancelled bool            `json:"was_cancelled"`
	}
	if raw, ok := obj["annotations"]; ok && json.Unmarshal(raw, &anns) == nil {
		for _, a := range anns {
			if a.GroundTruth && !a.WasCancelled && a.Result != nil {
				if g, err := LSResultToAnswer(im.tt, im.schema, data, a.Result); err == nil {
					rec.Gold = g
				}
				break
			}
		}
	}
	return im.finish(rec, where)
}
