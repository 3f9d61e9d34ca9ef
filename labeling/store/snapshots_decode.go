package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"copyhold/labeling/dataset"
	"copyhold/labeling/jsonscan"
	"copyhold/labeling/tasktype"
)

// Decoding frozen rows (the canonical shape of dataset.ExportCanonicalRow)
// for exports, in one pass over their bytes and without reflection. The rows
// were validated when the snapshot was made and the export checks their
// hash, so nested values (data, answers) are only delimited here
// (jsonscan.Skim); the writer checks what it reads of them. Raw values are
// slices of the row's bytes; strings that repeat (annotators, statuses,
// task types) are interned, so a batch of rows costs few allocations.

// decodeSnapshotRow decodes one frozen row on its own (tests, SnapshotRows).
// Raw values (data, answers) are slices of body, which the caller must not
// reuse.
func decodeSnapshotRow(body []byte) (dataset.ExportRow, error) {
	var d rowDecoder
	return d.decode(body)
}

// rowDecoder decodes frozen rows; it is not safe for concurrent use.
type rowDecoder struct {
	interned map[string]string
	anns     []dataset.ExportAnnotation // the batch's annotations, sliced per row
}

// maxInterned bounds the interned strings; past it, strings are copied.
const maxInterned = 1 << 12

// decode reads one row; its raw values are slices of body.
func (d *rowDecoder) decode(body []byte) (dataset.ExportRow, error) {
	var row dataset.ExportRow
	err := jsonscan.Skim(body, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "annotations":
			row.Annotations, err = d.annotations(v)
		case "annotator":
			row.Annotator, err = d.str(v, true)
		case "answer":
			if !bytes.Equal(v, []byte("null")) {
				row.Answer = v
			}
		case "confidence":
			row.Confidence, err = d.str(v, false)
		case "data":
			row.Data = v
		case "external_id":
			row.ExternalID, err = d.str(v, false)
		case "generation":
			row.Generation = v
		case "item_id":
			row.ItemID, err = rowInt(v)
		case "task_type":
			var tt string
			tt, err = d.str(v, true)
			row.TaskType = tasktype.TaskType(tt)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return nil
	})
	if err != nil {
		return dataset.ExportRow{}, fmt.Errorf("snapshot row: %w", err)
	}
	if row.Annotations == nil {
		row.Annotations = []dataset.ExportAnnotation{}
	}
	return row, nil
}

func (d *rowDecoder) annotations(raw []byte) ([]dataset.ExportAnnotation, error) {
	if bytes.Equal(raw, []byte("null")) {
		return []dataset.ExportAnnotation{}, nil
	}
	start := len(d.anns)
	err := jsonscan.SkimArray(raw, func(v []byte) error {
		var a dataset.ExportAnnotation
		err := jsonscan.Skim(v, func(k, v []byte) error {
			var err error
			switch string(k) {
			case "annotator":
				a.Annotator, err = d.str(v, true)
			case "answer":
				a.Answer = v
			case "completed_by":
				if !bytes.Equal(v, []byte("null")) {
					a.CompletedBy = v
				}
			case "created_at":
				a.CreatedAt, err = d.str(v, false)
			case "lead_time_ms":
				a.LeadTimeMs, err = rowInt(v)
			case "source_id":
				a.SourceID, err = d.str(v, false)
			case "status":
				a.Status, err = d.str(v, true)
			case "suggestion":
				a.Suggestion, err = d.str(v, true)
			case "suggestion_accepted":
				a.SuggestionAccepted = bytes.Equal(v, []byte("true"))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			return nil
		})
		d.anns = append(d.anns, a)
		return err
	})
	// A full slice: a later row's annotations never overwrite this row's.
	return d.anns[start:len(d.anns):len(d.anns)], err
}

// str reads a string member v of the row (null reads as ""). Interned
// strings are copied once and shared; the others are copied.
func (d *rowDecoder) str(v []byte, intern bool) (string, error) {
	if bytes.Equal(v, []byte("null")) {
		return "", nil
	}
	if !jsonscan.Plain(v) {
		s, ok, err := jsonscan.String(v)
		if !ok {
			return "", fmt.Errorf("not a string: %s", v)
		}
		return s, err
	}
	v = v[1 : len(v)-1]
	if !intern {
		return string(v), nil
	}
	if s, ok := d.interned[string(v)]; ok {
		return s, nil
	}
	s := string(v)
	if len(d.interned) < maxInterned {
		if d.interned == nil {
			d.interned = map[string]string{}
		}
		d.interned[s] = s
	}
	return s, nil
}

// rowInt reads an integer member; null reads as 0.
func rowInt(v []byte) (int64, error) {
	if bytes.Equal(v, []byte("null")) {
		return 0, nil
	}
	return strconv.ParseInt(string(v), 10, 64)
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
