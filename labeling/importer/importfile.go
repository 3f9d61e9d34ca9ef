package importer

import (
	"bufio"
	"bytes"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Import file formats.
const (
	JSONL       = "jsonl"
	CSV         = "csv"
	LabelStudio = "labelstudio"
)

// MaxImportRecordBytes bounds one JSONL line, CSV line or CSV record, and one
// Label Studio task.
const MaxRecordBytes = 1 << 20

const maxExternalIDLen = 256

// ImportRecord is one item read from an import file, checked against the
// project's schema. Prediction and Gold are answers in our format, already
// validated and normalised.
type Record struct {
	Line       int             // 1-based line (JSONL, CSV) or task index (Label Studio)
	ExternalID string          // "" if the record has none
	Data       json.RawMessage // the item data object
	Prediction json.RawMessage // pre-annotation, or nil
	Gold       json.RawMessage // gold answer, or nil
	Priority   int
	Sensitive  bool
}

// ImportOptions tune how bare records are read.
type Options struct {
	// IDField names a data field whose value (string or number) becomes the
	// ExternalID of records that do not set one. The field stays in the data.
	IDField string
	// GoldField names a data field holding the gold answer: a label string
	// (classification; "a|b" for multilabel) or an answer object. It is
	// removed from the data so labellers never see it.
	GoldField string
	// MaxRecordBytes overrides MaxImportRecordBytes when > 0.
	MaxRecordBytes int
}

// DetectImportFormat guesses the format from the file name and its first
// bytes: "jsonl", "csv", "labelstudio", or "" when it cannot tell.
func DetectFormat(filename string, head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(head, " \t\r\n")
	ext := strings.ToLower(path.Ext(filename))
	switch ext {
	case ".jsonl", ".ndjson":
		return JSONL
	case ".csv":
		return CSV
	}
	if len(t) > 0 && t[0] == '[' {
		return LabelStudio
	}
	if len(t) > 0 && t[0] == '{' {
		// Several objects, the second starting on a new line → JSONL. A single
		// (possibly pretty-printed) object is a Label Studio task.
		dec := json.NewDecoder(bytes.NewReader(t))
		var first json.RawMessage
		if err := dec.Decode(&first); err == nil {
			rest := t[dec.InputOffset():]
			nl := bytes.IndexByte(rest, '\n')
			if r := bytes.TrimLeft(rest, " \t\r\n"); len(r) > 0 && r[0] == '{' && nl >= 0 && !bytes.Contains(first, []byte("\n")) {
				return JSONL
			}
			return LabelStudio
		}
		if ext == ".json" {
			return LabelStudio
		}
		return JSONL // an object too long for head: one JSONL line
	}
	if ext == ".json" {
		return LabelStudio
	}
	if line, _, _ := bytes.Cut(t, []byte("\n")); len(line) > 0 && bytes.ContainsRune(line, ',') && utf8.Valid(line) {
		return CSV
	}
	return ""
}

// ReadImport streams the records of an import file to fn, checking each
// against the schema. It stops at the first problem and returns an
// ErrImportFormat or ErrImportTooLarge error naming the line or task; an
// error from fn is returned unchanged.
func Read(r io.Reader, format string, tt tasktype.TaskType, schema json.RawMessage, fn func(Record) error) error {
	return ReadWithOptions(r, format, tt, schema, Options{}, fn)
}

// ReadImportWithOptions is ReadImport with options for bare records.
func ReadWithOptions(r io.Reader, format string, tt tasktype.TaskType, schema json.RawMessage, opts Options, fn func(Record) error) error {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return err
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = MaxRecordBytes
	}
	im := &importer{tt: tt, schema: schema, s: s, opts: opts, fn: fn}
	switch format {
	case JSONL:
		return im.readJSONL(r)
	case CSV:
		return im.readCSV(r)
	case LabelStudio:
		return im.readLabelStudio(r)
	}
	return ErrImportFormat.With("unknown import format %q (use jsonl, csv or labelstudio)", format)
}

type importer struct {
	tt     tasktype.TaskType
	schema json.RawMessage
	s      tasktype.Schema
	opts   Options
	fn     func(Record) error
}

// fnError marks errors from the caller's callback so they pass through unchanged.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

func (im *importer) tooLarge(where string) error {
	return ErrImportTooLarge.With("%s: larger than the limit of %d bytes", where, im.opts.MaxRecordBytes)
}

func importErr(where string, err error) error {
	var e *fault.Error
	if errors.As(err, &e) {
		return ErrImportFormat.With("%s: %s", where, e.Message)
	}
	return ErrImportFormat.With("%s: %s", where, err.Error())
}

// finish applies the options, validates data and answers, and hands the record on.
func (im *importer) finish(rec Record, where string) error {
	if im.opts.IDField != "" || im.opts.GoldField != "" {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(rec.Data, &obj); err == nil && obj != nil {
			if raw, ok := obj[im.opts.IDField]; ok && im.opts.IDField != "" && rec.ExternalID == "" {
				id, err := externalID(raw)
				if err != nil {
					return importErr(where, fmt.Errorf("%s: %w", im.opts.IDField, err))
				}
				rec.ExternalID = id
			}
			if raw, ok := obj[im.opts.GoldField]; ok && im.opts.GoldField != "" {
				if rec.Gold == nil && string(raw) != "null" && string(raw) != `""` {
					rec.Gold = raw
				}
				delete(obj, im.opts.GoldField)
				if rec.Data, err = tasktype.CanonicalJSON(obj); err != nil {
					return importErr(where, err)
				}
			}
		}
	}
	d, err := im.s.ItemData(rec.Data)
	if err != nil {
		return importErr(where, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, rec.Data); err != nil {
		return importErr(where, err)
	}
	rec.Data = compact.Bytes()
	if rec.Gold != nil {
		if rec.Gold, err = im.answer(d, rec.Gold); err != nil {
			return importErr(where+": gold", err)
		}
	}
	if rec.Prediction != nil {
		if rec.Prediction, err = im.answer(d, rec.Prediction); err != nil {
			return importErr(where+": prediction", err)
		}
	}
	if err := im.fn(rec); err != nil {
		return fnError{err}
	}
	return nil
}

// answer validates an answer given in a record, expanding label shorthands:
// a string is a classification choice ("a|b" for multilabel), an array of
// strings multilabel choices.
func (im *importer) answer(d tasktype.ItemFields, raw json.RawMessage) (json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && (t[0] == '"' || t[0] == '[') {
		var label string
		var labels []string
		if json.Unmarshal(t, &label) == nil {
			labels = strings.Split(label, "|")
		} else if json.Unmarshal(t, &labels) != nil {
			return nil, fmt.Errorf("expected an answer object, a label string or an array of labels")
		}
		switch im.tt {
		case tasktype.TaskClassification:
			if len(labels) != 1 {
				return nil, fmt.Errorf("a classification answer has one label, got %d", len(labels))
			}
			t, _ = tasktype.CanonicalJSON(tasktype.ClassificationAnswer{Choice: strings.TrimSpace(labels[0])})
		case tasktype.TaskMultiLabel:
			for i := range labels {
				labels[i] = strings.TrimSpace(labels[i])
			}
			t, _ = tasktype.CanonicalJSON(tasktype.MultiLabelAnswer{Choices: labels})
		default:
			return nil, fmt.Errorf("label shorthand only works for classification and multilabel; give a %s answer object", im.tt)
		}
	}
	a, err := im.s.Answer(d, t)
	if err != nil {
		return nil, err
	}
	return tasktype.CanonicalJSON(a)
}

// externalID accepts a string or a number.
func externalID(raw json.RawMessage) (string, error) {
	var id string
	t := bytes.TrimSpace(raw)
	switch {
	case string(t) == "null":
		return "", nil
	case len(t) > 0 && t[0] == '"':
		if err := json.Unmarshal(t, &id); err != nil {
			return "", err
		}
	case len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		id = string(t)
	default:
		return "", fmt.Errorf("external id must be a string or a number, got %s", tasktype.ShortRaw(raw))
	}
	id = strings.TrimSpace(id)
	if len(id) > maxExternalIDLen || tasktype.HasControl(id) {
		return "", fmt.Errorf("external id %s must be at most %d bytes without control characters", tasktype.QuoteShort(id), maxExternalIDLen)
	}
	return id, nil
}

func parsePriority(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("priority %s must be a whole number", tasktype.QuoteShort(s))
	}
	return int(n), nil
}

func parseSensitive(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0", "no", "n":
		return false, nil
	case "true", "1", "yes", "y":
		return true, nil
	}
	return false, fmt.Errorf("sensitive %s must be true or false", tasktype.QuoteShort(s))
}

// ---- JSONL ----

// jsonlWrapperKeys are the keys of a wrapped JSONL record.
var jsonlWrapperKeys = []string{"data", "id", "external_id", "priority", "gold", "prediction", "sensitive"}

func (im *importer) readJSONL(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		b, eof, tooLong, err := readLimitedLine(br, im.opts.MaxRecordBytes)
		where := fmt.Sprintf("line %d", line)
		if err != nil {
			return ErrImportFormat.With("%s: reading the file: %s", where, err.Error())
		}
		if tooLong {
			return im.tooLarge(where)
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if b = bytes.TrimSpace(b); len(b) > 0 {
			if err := im.jsonlRecord(b, line, where); err != nil {
				var fe fnError
				if errors.As(err, &fe) {
					return fe.err
				}
				return err
			}
		}
		if eof {
			return nil
		}
	}
}

// readLimitedLine reads one line without its newline. A line longer than max
// is consumed and reported as tooLong without being kept in memory.
func readLimitedLine(br *bufio.Reader, max int) (line []byte, eof, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+2 { // +2 for "\r\n"
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch err {
		case nil:
			return line, false, tooLong, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			return line, true, tooLong, nil
		default:
			return nil, false, false, err
		}
	}
}

func (im *importer) jsonlRecord(b []byte, line int, where string) error {
	if b[0] != '{' {
		var g any
		if json.Unmarshal(b, &g) == nil {
			return ErrImportFormat.With("%s: expected a JSON object, got %s", where, tasktype.DescribeJSON(g))
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return ErrImportFormat.With("%s: invalid JSON: %s", where, tasktype.JSONErrText(err))
	}
	rec := Record{Line: line, Data: b}
	data, wrapped := obj["data"]
	if !wrapped || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
		return im.finish(rec, where)
	}
	for _, k := range sortedRawKeys(obj) {
		if !containsString(jsonlWrapperKeys, k) {
			return ErrImportFormat.With("%s: unknown key %q in a wrapped record (a record with a \"data\" object may only have: %s)", where, k, strings.Join(jsonlWrapperKeys, ", "))
		}
	}
	rec.Data = data
	if raw, ok := obj["id"]; ok {
		if _, both := obj["external_id"]; both {
			return ErrImportFormat.With("%s: give either \"id\" or \"external_id\", not both", where)
		}
		obj["external_id"] = raw
	}
	if raw, ok := obj["external_id"]; ok {
		id, err := externalID(raw)
		if err != nil {
			return ErrImportFormat.With("%s: %s", where, err.Error())
		}
		rec.ExternalID = id
	}
	if raw, ok := obj["priority"]; ok && string(raw) != "null" {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return ErrImportFormat.With("%s: priority must be a whole number, got %s", where, tasktype.ShortRaw(raw))
		}
		p, err := parsePriority(n.String())
		if err != nil {
			return ErrImportFormat.With("%s: %s", where, err.Error())
		}
		rec.Priority = p
	}
	if raw, ok := obj["sensitive"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &rec.Sensitive); err != nil {
			return ErrImportFormat.With("%s: sensitive must be true or false, got %s", where, tasktype.ShortRaw(raw))
		}
	}
	if raw, ok := obj["gold"]; ok && string(raw) != "null" {
		rec.Gold = raw
	}
	if raw, ok := obj["prediction"]; ok && string(raw) != "null" {
		rec.Prediction = raw
	}
	return im.finish(rec, where)
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---- CSV ----

// CSV columns lifted out of the data.
var csvSpecialColumns = []string{"external_id", "priority", "sensitive", "gold", "prediction"}

// lineGuard fails a read once a single line grows past max bytes, so a
// malformed CSV cannot make the csv package buffer an unbounded line.
type lineGuard struct {
	r       io.Reader
	max     int
	run     int // bytes since the last newline
	line    int // 1-based line being read
	tripped bool
}

var errLineTooLong = errors.New("line too long")

func (g *lineGuard) Read(p []byte) (int, error) {
	if g.tripped {
		return 0, errLineTooLong
	}
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			g.run = 0
			g.line++
			continue
		}
		g.run++
		if g.run > g.max+1 {
			g.tripped = true
			return i, errLineTooLong
		}
	}
	return n, err
}

func (im *importer) readCSV(r io.Reader) error {
	guard := &lineGuard{r: r, max: im.opts.MaxRecordBytes, line: 1}
	cr := csv.NewReader(guard)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return ErrImportFormat.With("line 1: the CSV file is empty; it needs a header row")
		}
		return im.csvErr(err, guard, 1)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	seen := map[string]int{}
	for i := range header {
		h := strings.TrimSpace(header[i])
		header[i] = h
		if h == "" {
			return ErrImportFormat.With("line 1: column %d has an empty name in the header", i+1)
		}
		if j, dup := seen[h]; dup {
			return ErrImportFormat.With("line 1: column %d %q repeats column %d", i+1, h, j+1)
		}
		seen[h] = i
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return im.csvErr(err, guard, guard.line)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("line %d", line)
		size := 0
		for _, f := range row {
			size += len(f)
		}
		if size > im.opts.MaxRecordBytes {
			return im.tooLarge(where)
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" && len(header) > 1 {
			continue // blank line
		}
		if err := im.csvRecord(header, row, line, where); err != nil {
			var fe fnError
			if errors.As(err, &fe) {
				return fe.err
			}
			return err
		}
	}
}

func (im *importer) csvErr(err error, guard *lineGuard, line int) error {
	if errors.Is(err, errLineTooLong) {
		return im.tooLarge(fmt.Sprintf("line %d", guard.line))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return ErrImportFormat.With("line %d: wrong number of fields; every row needs one value per header column", pe.StartLine)
		}
		if errors.Is(pe.Err, errLineTooLong) {
			return im.tooLarge(fmt.Sprintf("line %d", guard.line))
		}
		return ErrImportFormat.With("line %d, column %d: %s", pe.Line, pe.Column, pe.Err.Error())
	}
	return ErrImportFormat.With("line %d: reading the file: %s", line, err.Error())
}

func (im *importer) csvRecord(header, row []string, line int, where string) error {
	rec := Record{Line: line}
	data := make(map[string]string, len(header))
	for i, h := range header {
		v := row[i]
		var err error
		switch h {
		case "external_id":
			rec.ExternalID = strings.TrimSpace(v)
			if len(rec.ExternalID) > maxExternalIDLen || tasktype.HasControl(rec.ExternalID) {
				err = fmt.Errorf("external_id %s must be at most %d bytes without control characters", tasktype.QuoteShort(v), maxExternalIDLen)
			}
		case "priority":
			if strings.TrimSpace(v) != "" {
				rec.Priority, err = parsePriority(v)
			}
		case "sensitive":
			rec.Sensitive, err = parseSensitive(v)
		case "gold", "prediction":
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			var raw json.RawMessage
			if v[0] == '{' || v[0] == '[' {
				raw = json.RawMessage(v)
				if !json.Valid(raw) {
					err = fmt.Errorf("%s column is not valid JSON", h)
				}
			} else {
				raw, _ = json.Marshal(v) // label shorthand
			}
			if h == "gold" {
				rec.Gold = raw
			} else {
				rec.Prediction = raw
			}
		default:
			data[h] = v
		}
		if err != nil {
			return ErrImportFormat.With("%s: %s", where, err.Error())
		}
	}
	var err error
	if rec.Data, err = tasktype.CanonicalJSON(data); err != nil {
		return importErr(where, err)
	}
	return im.finish(rec, where)
}

// ---- Label Studio tasks ----

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
