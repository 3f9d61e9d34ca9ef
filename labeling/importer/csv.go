package importer

import (
	"copyhold/labeling/sensitive"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/textrule"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSV import files: a header row naming the data fields.

// CSV columns lifted out of the data.
var csvSpecialColumns = []string{"external_id", "priority", "sensitive", "categories", "gold", "prediction"}

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
	for i, h := range header {
		if err := textrule.CheckString(fmt.Sprintf("column %d", i+1), h); err != nil {
			return textErr("line 1", err)
		}
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
		if err := textrule.CheckString(strconv.Quote(h), row[i]); err != nil {
			return textErr(where, err)
		}
		if h == "gold" || h == "prediction" {
			if err := textrule.CheckJSON([]byte(row[i])); err != nil {
				return textErr(where+": "+h, err)
			}
		}
	}
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
		case "categories":
			rec.Categories, err = sensitive.Parse(v)
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
