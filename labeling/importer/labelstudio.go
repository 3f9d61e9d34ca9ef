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
	"slices"
	"strconv"
	"strings"
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
	if im.unchosen > 0 {
		return ErrAnnotationsChoiceRequired.With("the tasks carry %d Label Studio annotations (first in record %d) and no choice says what they become: predictions, prior, gold or drop; nothing was imported",
			im.unchosen, im.unchosenAt)
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
// "predictions","annotations",…}. The first prediction that converts to this
// project's task type becomes the Prediction (with its model_version and
// score); annotations go where Options.Annotations says, and without a
// choice the import fails (annotations_choice_required). Every prediction
// and annotation is counted in the record's Tally: kept, converted or
// dropped (with the reason). Other keys of a task (meta, created_at, …) are
// ignored.
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
	// copyhold's own export keeps the item's external id in meta, "" too
	// (its "id" is the exporting item's id): take it back, so a round trip
	// keeps it.
	if raw, ok := obj["meta"]; ok {
		var meta struct {
			ExternalID json.RawMessage `json:"external_id"`
		}
		if json.Unmarshal(raw, &meta) == nil && len(meta.ExternalID) > 0 {
			ext, err := externalID(meta.ExternalID)
			if err != nil {
				return ErrImportFormat.With("%s: meta.external_id: %s", where, err.Error())
			}
			rec.ExternalID = ext
		}
	}
	// Conversion needs valid data; finish reports data errors with the record.
	// A dialogue (<Paragraphs layout="dialogue">) becomes a conversation first.
	data, err := chatShape(im.s, data)
	if err != nil {
		return importErr(where, err)
	}
	rec.Data = data
	if _, err := im.s.ItemData(data); err != nil {
		return importErr(where, err)
	}
	var preds []lsPrediction
	if raw, ok := obj["predictions"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &preds); err != nil {
			return ErrImportFormat.With("%s: predictions must be an array of {result, model_version, score}: %s", where, tasktype.JSONErrText(err))
		}
	}
	var anns []lsAnnotation
	if raw, ok := obj["annotations"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &anns); err != nil {
			return ErrImportFormat.With("%s: annotations must be an array of {result, completed_by, …}: %s", where, tasktype.JSONErrText(err))
		}
	}
	t := &rec.Tally
	for _, p := range preds {
		a, err := LSResultToAnswer(im.tt, im.schema, data, p.Result)
		switch {
		case err != nil:
			t.Predictions.drop("does not convert to a " + string(im.tt) + " answer")
		case rec.Prediction != nil:
			t.Predictions.drop("one prediction per item")
		default:
			rec.Prediction, rec.PredictionModel, rec.PredictionScore = a, p.ModelVersion, p.Score.String()
			t.Predictions.Kept++
		}
	}
	if im.opts.Annotations == AnnotationsGold {
		// One gold answer per item: Label Studio's ground truth comes first.
		slices.SortStableFunc(anns, func(a, b lsAnnotation) int {
			switch {
			case a.GroundTruth == b.GroundTruth:
				return 0
			case a.GroundTruth:
				return -1
			}
			return 1
		})
	}
	seen := map[string]int{}
	for i, a := range anns {
		if a.WasCancelled {
			t.Annotations.drop("cancelled (skipped) in Label Studio")
			continue
		}
		choice := im.opts.Annotations
		if choice == "" {
			// Never lose annotations silently: the import fails at the end,
			// naming how many there were (readLabelStudio).
			if im.unchosen == 0 {
				im.unchosenAt = n
			}
			im.unchosen++
			continue
		}
		if choice == AnnotationsDrop {
			t.Annotations.drop("dropped by the import's choice")
			continue
		}
		ans, err := LSResultToAnswer(im.tt, im.schema, data, a.Result)
		if err != nil {
			t.Annotations.drop("does not convert to a " + string(im.tt) + " answer")
			continue
		}
		switch choice {
		case AnnotationsGold:
			if rec.Gold != nil {
				t.Annotations.drop("one gold answer per item")
				continue
			}
			rec.Gold = ans
			t.Annotations.Converted++
		case AnnotationsPredictions:
			if rec.Prediction != nil {
				t.Annotations.drop("one prediction per item")
				continue
			}
			rec.Prediction = ans
			t.Annotations.Converted++
		case AnnotationsPrior:
			pa, err := lsPrior(a, i)
			if err != nil {
				return ErrImportFormat.With("%s: annotations[%d]: %s", where, i, err.Error())
			}
			// One voice per annotator and item: a second annotation by the
			// same person gets its own key.
			seen[pa.Annotator]++
			if k := seen[pa.Annotator]; k > 1 {
				pa.Annotator = fmt.Sprintf("%s#%d", pa.Annotator, k)
			}
			pa.Answer = ans
			rec.Prior = append(rec.Prior, pa)
			t.Annotations.Kept++
		}
	}
	return im.finish(rec, where)
}

type lsPrediction struct {
	Result       json.RawMessage `json:"result"`
	ModelVersion string          `json:"model_version"`
	Score        json.Number     `json:"score"`
}

type lsAnnotation struct {
	ID           json.RawMessage `json:"id"`
	Result       json.RawMessage `json:"result"`
	GroundTruth  bool            `json:"ground_truth"`
	WasCancelled bool            `json:"was_cancelled"`
	CompletedBy  json.RawMessage `json:"completed_by"`
	CreatedAt    string          `json:"created_at"`
	LeadTime     json.Number     `json:"lead_time"`
}

// lsPrior reads an annotation's author and metadata. completed_by is an
// object with an email (Label Studio's export), an integer user id (its
// minimal formats) or absent.
func lsPrior(a lsAnnotation, i int) (PriorAnnotation, error) {
	pa := PriorAnnotation{CreatedAt: a.CreatedAt}
	if len(a.ID) > 0 && string(a.ID) != "null" {
		id, err := externalID(a.ID)
		if err != nil {
			return pa, fmt.Errorf("id: %w", err)
		}
		pa.SourceID = id
	}
	if len(pa.CreatedAt) > 64 || tasktype.HasControl(pa.CreatedAt) {
		return pa, fmt.Errorf("created_at %s is not a timestamp", tasktype.QuoteShort(pa.CreatedAt))
	}
	cb := bytes.TrimSpace(a.CompletedBy)
	switch {
	case len(cb) == 0 || string(cb) == "null":
		pa.Annotator = "ls-annotation-" + pa.SourceID
		if pa.SourceID == "" {
			pa.Annotator = fmt.Sprintf("ls-annotation-%d", i+1)
		}
	case cb[0] == '{':
		var who struct {
			Email string          `json:"email"`
			ID    json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(cb, &who); err != nil {
			return pa, fmt.Errorf("completed_by: %s", tasktype.JSONErrText(err))
		}
		switch {
		case who.Email != "":
			pa.Annotator = strings.ToLower(strings.TrimSpace(who.Email))
		case len(who.ID) > 0:
			id, err := externalID(who.ID)
			if err != nil {
				return pa, fmt.Errorf("completed_by.id: %w", err)
			}
			pa.Annotator = "ls-user-" + id
		default:
			return pa, fmt.Errorf("completed_by has neither an email nor an id")
		}
		pa.CompletedBy = cb
	default:
		id, err := externalID(cb)
		if err != nil {
			return pa, fmt.Errorf("completed_by: %w", err)
		}
		pa.Annotator, pa.CompletedBy = "ls-user-"+id, cb
	}
	if len(pa.Annotator) > 320 || tasktype.HasControl(pa.Annotator) {
		return pa, fmt.Errorf("completed_by %s is not an annotator", tasktype.QuoteShort(pa.Annotator))
	}
	ms, err := leadTimeMs(a.LeadTime)
	if err != nil {
		return pa, err
	}
	pa.LeadTimeMs = ms
	return pa, nil
}

// leadTimeMs reads Label Studio's lead_time (seconds, a decimal) as whole
// milliseconds, without floats.
func leadTimeMs(n json.Number) (int64, error) {
	s := string(n)
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE-") || whole == "" || len(whole) > 12 {
		return 0, fmt.Errorf("lead_time %s must be a number of seconds >= 0", tasktype.QuoteShort(s))
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lead_time %s must be a number of seconds", tasktype.QuoteShort(s))
	}
	frac = (frac + "000")[:3]
	ms, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lead_time %s must be a number of seconds", tasktype.QuoteShort(s))
	}
	return sec*1000 + ms, nil
}
