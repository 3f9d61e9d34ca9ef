// Package csvout writes the CSV files copyhold hands out, with every cell that a spreadsheet would run as a formula neutralised.
package csvout

// Following OWASP's "CSV Injection" guidance: a cell that begins with
// = + - @, a tab or a carriage return is prefixed with a single quote and
// written in double quotes, so Excel, LibreOffice and Google Sheets show it
// as text. Plain numbers ("-1.500000") are left alone: a spreadsheet reads
// them as numbers, never as formulas, and statements are full of them.
// Everything else is RFC 4180 exactly as encoding/csv writes it, so files
// without such cells are unchanged byte for byte.

import (
	"bufio"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Writer writes CSV records with formula cells neutralised. It has the
// methods of encoding/csv's Writer that copyhold uses.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write writes one record.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	for i, field := range record {
		if i > 0 {
			w.w.WriteByte(',')
		}
		switch {
		case Dangerous(field):
			w.quoted("'" + field)
		case needsQuotes(field):
			w.quoted(field)
		default:
			w.w.WriteString(field)
		}
	}
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// WriteAll writes the records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

// Error reports the first error of a Write or Flush.
func (w *Writer) Error() error { return w.err }

func (w *Writer) quoted(field string) {
	w.w.WriteByte('"')
	w.w.WriteString(strings.ReplaceAll(field, `"`, `""`))
	w.w.WriteByte('"')
}

// needsQuotes is encoding/csv's rule: a separator, quote or line break
// inside, a leading space, or the field `\.`.
func needsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` || strings.ContainsAny(field, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}

// Dangerous is whether a spreadsheet could run the cell as a formula: it
// starts (after any single quotes, so that Restore is exact) with
// = + - @, a tab or a carriage return, and is not a plain number.
func Dangerous(field string) bool {
	rest := strings.TrimLeft(field, "'")
	if rest == "" || !strings.ContainsRune("=+-@\t\r", rune(rest[0])) {
		return false
	}
	return rest != field || !plainNumber(field)
}

// Restore undoes the neutralisation of one cell read back from a file
// copyhold wrote (the CSV reader has already removed the quotes): every
// cell round-trips exactly.
func Restore(cell string) string {
	if strings.HasPrefix(cell, "'") && Dangerous(cell[1:]) {
		return cell[1:]
	}
	return cell
}

// plainNumber is an optional sign, digits and an optional fraction.
func plainNumber(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i+1 < len(s):
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}
