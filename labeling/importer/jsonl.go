package importer

import (
	"bufio"
	"bytes"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/textrule"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// JSONL import files: one JSON object per line.

// jsonlWrapperKeys are the keys of a wrapped JSONL record.
var jsonlWrapperKeys = []string{"data", "id", "external_id", "priority", "gold", "prediction", "sensitive", "categories"}

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
	if err := textrule.CheckJSON(b); err != nil {
		return textErr(where, err)
	}
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
	if raw, ok := obj["categories"]; ok && string(raw) != "null" {
		var cs []sensitive.Category
		if err := json.Unmarshal(raw, &cs); err != nil {
			return ErrImportFormat.With("%s: categories must be a list of names, got %s", where, tasktype.ShortRaw(raw))
		}
		m, err := sensitive.MaskOf(cs)
		if err != nil {
			return ErrImportFormat.With("%s: %s", where, err.Error())
		}
		rec.Categories = m
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
