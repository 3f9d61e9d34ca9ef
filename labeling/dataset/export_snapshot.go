package dataset

import (
	"bytes"
	"copyhold/labeling/tasktype"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Snapshot hashing. A snapshot hash must not depend on the database: JSONB
// (PostgreSQL) reorders keys and adds spaces, SQLite keeps the text as
// written. So every JSON value is canonicalised before hashing: object keys
// sorted by their UTF-8 bytes, no insignificant whitespace, strings
// re-encoded with the fewest escapes (only ", \ and control characters;
// \b \f \n \r \t, else \u00xx), numbers exactly as written.

// ExportCanonicalJSON returns the canonical form of one JSON value.
func ExportCanonicalJSON(raw json.RawMessage) ([]byte, error) {
	return exportCanonAppend(nil, raw)
}

func exportCanonAppend(b []byte, raw json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ErrExportRow.With("not valid JSON: %s", tasktype.JSONErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrExportRow.With("not valid JSON: data after the value")
	}
	return exportCanonValue(b, v), nil
}

func exportCanonValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case string:
		return exportCanonString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = exportCanonValue(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // Go compares strings bytewise: UTF-8 order
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = exportCanonString(b, k)
			b = append(b, ':')
			b = exportCanonValue(b, x[k])
		}
		return append(b, '}')
	}
	panic("exportCanonValue: unexpected JSON value")
}

func exportCanonString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // invalid bytes become U+FFFD, as json decoding already did
			i += n
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// ExportCanonicalRow is the canonical JSON of a row as hashed: an object
// with every key always present, in this (sorted) order:
//
//	{"annotations":[{"annotator","answer","lead_time_ms","status"}…],
//	 "annotator","answer","confidence","data","external_id","item_id","task_type"}
//
// An external annotation (status "external") also has, in key order,
// "completed_by" (its original JSON, or null) and "created_at" after
// "answer", and "source_id" before "status"; members' annotations never
// have them, so the rows of projects without external annotations hash as
// they always did. An annotation that began from a suggestion ends with
// "suggestion" and "suggestion_accepted" after "status"; others never
// have them. answer is null when the row has none. task_type is hashed as given, so set
// it on every row. The schema is not part of a row; SnapshotHasher hashes
// it once per change.
func ExportCanonicalRow(row ExportRow) ([]byte, error) {
	return exportCanonRow(nil, &row)
}

func exportCanonRow(b []byte, row *ExportRow) ([]byte, error) {
	var err error
	canon := func(key string, raw json.RawMessage) {
		if err != nil {
			return
		}
		b = exportCanonString(b, key)
		b = append(b, ':')
		if t := bytes.TrimSpace(raw); len(t) == 0 {
			b = append(b, "null"...)
			return
		}
		b, err = exportCanonAppend(b, raw)
	}
	str := func(key, v string) {
		b = exportCanonString(b, key)
		b = append(b, ':')
		b = exportCanonString(b, v)
	}
	b = append(b, `{"annotations":[`...)
	for i, a := range row.Annotations {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		str("annotator", a.Annotator)
		b = append(b, ',')
		canon("answer", a.Answer)
		if a.External() {
			b = append(b, ',')
			canon("completed_by", a.CompletedBy)
			b = append(b, ',')
			str("created_at", a.CreatedAt)
		}
		b = append(b, `,"lead_time_ms":`...)
		b = strconv.AppendInt(b, a.LeadTimeMs, 10)
		b = append(b, ',')
		if a.External() {
			str("source_id", a.SourceID)
			b = append(b, ',')
		}
		str("status", a.Status)
		if a.Suggestion != "" {
			b = append(b, ',')
			str("suggestion", a.Suggestion)
			b = append(b, `,"suggestion_accepted":`...)
			b = strconv.AppendBool(b, a.SuggestionAccepted)
		}
		b = append(b, '}')
	}
	b = append(b, "],"...)
	str("annotator", row.Annotator)
	b = append(b, ',')
	canon("answer", row.Answer)
	b = append(b, ',')
	str("confidence", row.Confidence)
	b = append(b, ',')
	canon("data", row.Data)
	b = append(b, ',')
	str("external_id", row.ExternalID)
	if len(bytes.TrimSpace(row.Generation)) > 0 { // absent for items not generated: older rows hash as before
		b = append(b, ',')
		canon("generation", row.Generation)
	}
	b = append(b, `,"item_id":`...)
	b = strconv.AppendInt(b, row.ItemID, 10)
	b = append(b, ',')
	str("task_type", string(row.TaskType))
	b = append(b, '}')
	if err != nil {
		return nil, ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	return b, nil
}

// SnapshotHasher is SHA-256 over a snapshot's rows in item-id order. Each
// row is hashed as ExportCanonicalRow plus "\n"; before the first row, and
// whenever the schema or task type changes, the line
// {"schema":<canonical schema>,"task_type":"…"} plus "\n" is hashed.
type SnapshotHasher struct {
	h      hash.Hash
	buf    []byte
	last   int64
	rows   int64
	schema []byte // canonical schema line last hashed
	line   []byte
	raw    []byte // the schema bytes of the last row, and its type
	tt     tasktype.TaskType
}

// NewSnapshotHasher starts an empty snapshot.
func NewSnapshotHasher() *SnapshotHasher { return &SnapshotHasher{h: sha256.New()} }

// Add hashes the next row; item ids must increase strictly.
func (s *SnapshotHasher) Add(row ExportRow) error {
	if s.rows > 0 && row.ItemID <= s.last {
		return ErrExportRow.With("snapshot rows must come in increasing item id order: %d after %d", row.ItemID, s.last)
	}
	if s.rows == 0 || row.TaskType != s.tt || !bytes.Equal(row.Schema, s.raw) {
		if err := s.addSchema(row); err != nil {
			return err
		}
	}
	b, err := exportCanonRow(s.buf[:0], &row)
	if err != nil {
		return err
	}
	s.buf = append(b, '\n')
	s.h.Write(s.buf)
	s.last = row.ItemID
	s.rows++
	return nil
}

// addSchema hashes the schema line when it differs from the last one.
func (s *SnapshotHasher) addSchema(row ExportRow) error {
	line := append(s.line[:0], `{"schema":`...)
	var err error
	if len(bytes.TrimSpace(row.Schema)) == 0 {
		line = append(line, "null"...)
	} else if line, err = exportCanonAppend(line, row.Schema); err != nil {
		return ErrExportRow.With("item %d: schema: %s", row.ItemID, err.Error())
	}
	line = append(line, `,"task_type":`...)
	line = exportCanonString(line, string(row.TaskType))
	line = append(line, "}\n"...)
	s.line = line
	if !bytes.Equal(line, s.schema) {
		s.h.Write(line)
		s.schema = append(s.schema[:0], line...)
	}
	s.raw, s.tt = append(s.raw[:0], row.Schema...), row.TaskType
	return nil
}

// Rows is the number of rows hashed.
func (s *SnapshotHasher) Rows() int64 { return s.rows }

// Sum is the lowercase hex SHA-256 so far.
func (s *SnapshotHasher) Sum() string { return hex.EncodeToString(s.h.Sum(nil)) }
