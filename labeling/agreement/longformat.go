package agreement

import (
	"bufio"
	"bytes"
	"copyhold/labeling/csvout"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Rating file formats.
const (
	RatingsCSV   = "csv"
	RatingsJSONL = "jsonl"
)

// maxReportedBadRows caps how many malformed lines one error lists.
const maxReportedBadRows = 20

// RatingsFormatFromPath picks the format from a file extension.
func RatingsFormatFromPath(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return RatingsCSV, nil
	case ".jsonl", ".ndjson":
		return RatingsJSONL, nil
	}
	return "", ErrUnknownRatingFmt.With("cannot tell the format of %q: use a .csv or .jsonl file", path)
}

// ReadRatings reads long-format ratings: CSV with a header naming item (or
// unit), annotator and value columns, or JSON lines {"item","annotator",
// "value"} where value may be a string, number or null. Blank, null or
// absent values are missing. Malformed rows do not stop the read; they are
// returned together, by line number, as ErrBadRatingRow.
func ReadRatings(r io.Reader, format string) ([]Rating, error) {
	switch format {
	case RatingsCSV:
		return readRatingsCSV(r)
	case RatingsJSONL:
		return readRatingsJSONL(r)
	}
	return nil, ErrUnknownRatingFmt.With("unknown ratings format %q: use csv or jsonl", format)
}

// badRows collects line-numbered problems.
type badRows struct {
	lines []string
	total int
}

func (b *badRows) add(line int, format string, args ...any) {
	b.total++
	if len(b.lines) < maxReportedBadRows {
		b.lines = append(b.lines, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
}

func (b *badRows) err() error {
	if b.total == 0 {
		return nil
	}
	msg := strings.Join(b.lines, "; ")
	if b.total > len(b.lines) {
		msg += fmt.Sprintf("; and %d more", b.total-len(b.lines))
	}
	noun := "rows"
	if b.total == 1 {
		noun = "row"
	}
	return ErrBadRatingRow.With("%d malformed %s: %s", b.total, noun, msg)
}

func readRatingsCSV(r io.Reader) ([]Rating, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, ErrBadRatingRow.With("the ratings file is empty; it needs a header with item, annotator and value")
	}
	if err != nil {
		return nil, ErrBadRatingRow.With("line 1: %v", csvErrText(err))
	}
	col := map[string]int{"item": -1, "annotator": -1, "value": -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "unit" {
			h = "item"
		}
		if c, ok := col[h]; ok && c < 0 {
			col[h] = i
		}
	}
	var missing []string
	for _, name := range []string{"item", "annotator", "value"} {
		if col[name] < 0 {
			missing = append(missing, fmt.Sprintf("%q", name))
		}
	}
	if len(missing) > 0 {
		return nil, ErrBadRatingRow.With("line 1: header lacks column %s (need item or unit, annotator, value)", strings.Join(missing, ", "))
	}
	width := len(header)
	var out []Rating
	var bad badRows
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad.add(line, "%s", csvErrText(err))
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		if len(rec) != width {
			bad.add(line, "has %d fields, the header has %d", len(rec), width)
			continue
		}
		// csvout.Restore undoes the formula neutralisation of copyhold's
		// own exports, so an export reads back as it was.
		rt := Rating{
			Unit:      strings.TrimSpace(csvout.Restore(rec[col["item"]])),
			Annotator: strings.TrimSpace(csvout.Restore(rec[col["annotator"]])),
			Value:     strings.TrimSpace(csvout.Restore(rec[col["value"]])),
		}
		if rt.Unit == "" {
			bad.add(line, `missing "item"`)
			continue
		}
		if rt.Annotator == "" {
			bad.add(line, `missing "annotator"`)
			continue
		}
		out = append(out, rt)
	}
	return out, bad.err()
}

func csvErrText(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func readRatingsJSONL(r io.Reader) ([]Rating, error) {
	br := bufio.NewReader(r)
	var out []Rating
	var bad badRows
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return out, err
		}
		if text := bytes.TrimSpace(raw); len(text) > 0 {
			if rt, msg := parseRatingLine(text); msg != "" {
				bad.add(line, "%s", msg)
			} else {
				out = append(out, rt)
			}
		}
		if err == io.EOF {
			break
		}
	}
	return out, bad.err()
}

// parseRatingLine returns the rating or a reason the line is malformed.
func parseRatingLine(text []byte) (Rating, string) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
		return Rating{}, "not a JSON object"
	}
	var rt Rating
	var msg string
	itemKey := "item"
	if _, ok := obj["item"]; !ok {
		if _, ok := obj["unit"]; ok {
			itemKey = "unit"
		}
	}
	if rt.Unit, msg = jsonScalar(obj, itemKey, false); msg != "" {
		return rt, msg
	}
	if rt.Unit == "" {
		return rt, `missing "item"`
	}
	if rt.Annotator, msg = jsonScalar(obj, "annotator", false); msg != "" {
		return rt, msg
	}
	if rt.Annotator == "" {
		return rt, `missing "annotator"`
	}
	if rt.Value, msg = jsonScalar(obj, "value", true); msg != "" {
		return rt, msg
	}
	return rt, ""
}

// jsonScalar reads a string or number as text. Values may also be lists or
// objects (span or multilabel answers), kept as compact JSON.
func jsonScalar(obj map[string]json.RawMessage, key string, allowNested bool) (string, string) {
	raw, ok := obj[key]
	if !ok {
		return "", ""
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case string(raw) == "null":
		return "", ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Sprintf("%q is not valid JSON text", key)
		}
		return strings.TrimSpace(s), ""
	case raw[0] == '[' || raw[0] == '{':
		if !allowNested {
			return "", fmt.Sprintf("%q must be a string or number", key)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", fmt.Sprintf("%q is not valid JSON", key)
		}
		return buf.String(), ""
	default: // number or boolean: keep the literal as written
		return string(raw), ""
	}
}
