// Package importer reads import files (JSONL, CSV, Label Studio tasks) and converts Label Studio configs and results.
package importer

import (
	"bytes"
	"copyhold/labeling/fault"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
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

// MaxRecordBytes bounds one JSONL line, CSV line or CSV record, and one
// Label Studio task.
const MaxRecordBytes = 1 << 20

const maxExternalIDLen = 256

// Record is one item read from an import file, checked against the
// project's schema. Prediction and Gold are answers in our format, already
// validated and normalised.
type Record struct {
	Line       int             // 1-based line (JSONL, CSV) or task index (Label Studio)
	ExternalID string          // "" if the record has none
	Data       json.RawMessage // the item data object
	Prediction json.RawMessage // pre-annotation, or nil
	// PredictionModel and PredictionScore are a Label Studio prediction's
	// model_version and score (the decimal text as given), or "".
	PredictionModel string
	PredictionScore string
	Gold            json.RawMessage // gold answer, or nil
	// Prior are annotations by external annotators (Label Studio, the
	// "prior" choice): work done before, which earns nothing here.
	Prior     []PriorAnnotation
	Priority  int
	Sensitive bool
	// Categories of sensitive content; any makes the record sensitive.
	Categories sensitive.Mask
	// Tally counts what became of the record's Label Studio predictions and
	// annotations.
	Tally AnnotationTally
}

// PriorAnnotation is an annotation made outside the co-op, kept with its
// original metadata.
type PriorAnnotation struct {
	Annotator   string          // a stable key: the e-mail, "ls-user-<id>", or "ls-annotation-<id>"
	CompletedBy json.RawMessage // completed_by as it came, or nil
	Answer      json.RawMessage // normalised answer
	LeadTimeMs  int64
	CreatedAt   string // created_at as it came
	SourceID    string // the Label Studio annotation id
}

// Options tune how bare records are read.
type Options struct {
	// IDField names a data field whose value (string or number) becomes the
	// ExternalID of records that do not set one. The field stays in the data.
	IDField string
	// GoldField names a data field holding the gold answer: a label string
	// (classification; "a|b" for multilabel) or an answer object. It is
	// removed from the data so labellers never see it.
	GoldField string
	// MaxRecordBytes, when > 0, overrides the package limit MaxRecordBytes.
	MaxRecordBytes int
	// Annotations says what becomes of Label Studio annotations: predictions,
	// prior, gold or drop (see AnnotationChoices). With "", a file whose
	// tasks carry annotations is refused (ErrAnnotationsChoiceRequired):
	// they are never dropped silently.
	Annotations string
	// Priority and Sensitive are the defaults for records that set none.
	Priority  int
	Sensitive bool
}

// What an import does with Label Studio annotations.
const (
	AnnotationsPredictions = "predictions" // suggestions shown to labellers
	AnnotationsPrior       = "prior"       // external annotators' work: agreement, consensus, exports; no units
	AnnotationsGold        = "gold"        // the item's gold answer
	AnnotationsDrop        = "drop"
)

// AnnotationChoices lists the choices, for help texts and validation.
func AnnotationChoices() []string {
	return []string{AnnotationsPredictions, AnnotationsPrior, AnnotationsGold, AnnotationsDrop}
}

// CheckOptions refuses an unknown annotation choice or a priority out of range.
func CheckOptions(o Options) error {
	if o.Annotations != "" && !containsString(AnnotationChoices(), o.Annotations) {
		return ErrImportFormat.With("annotations must be one of %s, not %q", strings.Join(AnnotationChoices(), ", "), o.Annotations)
	}
	for _, f := range []struct{ name, v string }{{"id field", o.IDField}, {"gold field", o.GoldField}} {
		if len(f.v) > 200 || tasktype.HasControl(f.v) {
			return ErrImportFormat.With("%s must be at most 200 bytes without control characters", f.name)
		}
	}
	if o.IDField != "" && o.IDField == o.GoldField {
		return ErrImportFormat.With("the id field and the gold field must differ")
	}
	if o.Priority < -1_000_000 || o.Priority > 1_000_000 {
		return ErrImportFormat.With("priority must be between -1000000 and 1000000")
	}
	return nil
}

// AnnotationTally counts, per kind (Label Studio predictions, annotations),
// how many were kept as that kind, converted to another, or dropped, and why
// they were dropped.
type AnnotationTally struct {
	Predictions KindTally `json:"predictions"`
	Annotations KindTally `json:"annotations"`
}

// KindTally is one kind's counts.
type KindTally struct {
	Kept      int            `json:"kept"`
	Converted int            `json:"converted"`
	Dropped   int            `json:"dropped"`
	Reasons   map[string]int `json:"dropped_reasons,omitempty"`
}

func (k *KindTally) drop(reason string) {
	k.Dropped++
	if k.Reasons == nil {
		k.Reasons = map[string]int{}
	}
	k.Reasons[reason]++
}

// Add sums another tally into t.
func (t *AnnotationTally) Add(o AnnotationTally) {
	for _, p := range []struct{ dst, src *KindTally }{{&t.Predictions, &o.Predictions}, {&t.Annotations, &o.Annotations}} {
		p.dst.Kept += p.src.Kept
		p.dst.Converted += p.src.Converted
		p.dst.Dropped += p.src.Dropped
		for r, n := range p.src.Reasons {
			if p.dst.Reasons == nil {
				p.dst.Reasons = map[string]int{}
			}
			p.dst.Reasons[r] += n
		}
	}
}

// DetectFormat guesses the format from the file name and its first
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

// Read streams the records of an import file to fn, checking each
// against the schema. It stops at the first problem and returns an
// ErrImportFormat or ErrImportTooLarge error naming the line or task; an
// error from fn is returned unchanged.
func Read(r io.Reader, format string, tt tasktype.TaskType, schema json.RawMessage, fn func(Record) error) error {
	return ReadWithOptions(r, format, tt, schema, Options{}, fn)
}

// ReadWithOptions is Read with options for bare records.
func ReadWithOptions(r io.Reader, format string, tt tasktype.TaskType, schema json.RawMessage, opts Options, fn func(Record) error) error {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return err
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = MaxRecordBytes
	}
	if err := CheckOptions(opts); err != nil {
		return err
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
	// unchosen counts Label Studio annotations met without a choice, from
	// record unchosenAt on; records are no longer handed on once it is > 0.
	unchosen, unchosenAt int
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
	if rec.Priority == 0 {
		rec.Priority = im.opts.Priority
	}
	rec.Sensitive = rec.Sensitive || im.opts.Sensitive || rec.Categories != 0
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
	data, err := chatShape(im.s, rec.Data)
	if err != nil {
		return importErr(where, err)
	}
	rec.Data = data
	d, err := im.s.ItemData(rec.Data)
	if err != nil {
		return importErr(where, err)
	}
	if norm, err := tasktype.NormaliseItemData(im.s, rec.Data); err != nil {
		return importErr(where, err)
	} else if norm != nil {
		rec.Data = norm // a conversation: turn ids assigned, messages canonical
	} else {
		var compact bytes.Buffer
		if err := json.Compact(&compact, rec.Data); err != nil {
			return importErr(where, err)
		}
		rec.Data = compact.Bytes()
	}
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
	if im.unchosen > 0 {
		return nil // the import will fail: store nothing more
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
