// Package textrule is the one rule for text that enters copyhold: valid
// UTF-8, no NUL, no lone UTF-16 surrogate. Every JSON request body, query
// and path parameter (server) and every import record (importer) passes it,
// so what is stored does not depend on the database: SQLite would keep the
// bytes and PostgreSQL would refuse them with a raw error.
package textrule

import (
	"copyhold/labeling/fault"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidText is the refusal; its message names the field (or line and field).
var ErrInvalidText = fault.New(fault.KindInvalid, "invalid_text", "text must be valid UTF-8 without NUL characters or lone surrogates")

// CheckString applies the rule to one string; field names it in the error.
func CheckString(field, s string) error {
	if !utf8.ValidString(s) {
		return ErrInvalidText.With("%s: invalid UTF-8 at byte %d", field, badUTF8At([]byte(s)))
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return ErrInvalidText.With("%s: NUL character at byte %d", field, i)
	}
	return nil
}

// CheckJSON applies the rule to raw JSON before it is decoded: Go's decoder
// silently turns invalid UTF-8 and a lone surrogate escape (\ud800) into
// U+FFFD, so they are looked for in the bytes. The error names the field by
// its path (items[2].text; "body" for the top level). Malformed JSON is
// left for the decoder to report.
func CheckJSON(raw []byte) error {
	sc := scanner{b: raw}
	return sc.value("")
}

// ---- a small JSON scanner that keeps the path ----

type scanner struct {
	b []byte
	i int
}

// errStop ends the scan quietly on malformed JSON (the decoder reports it).
var errStop = fmt.Errorf("stop")

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func name(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

func (s *scanner) value(path string) error {
	err := s.val(path)
	if err == errStop {
		// Outside any string: invalid bytes would still reach nobody, but
		// report them so a file with a stray byte is not half-read.
		if !utf8.Valid(s.b) {
			return ErrInvalidText.With("%s: invalid UTF-8 at byte %d", name(path), badUTF8At(s.b))
		}
		return nil
	}
	return err
}

func (s *scanner) val(path string) error {
	s.ws()
	if s.i >= len(s.b) {
		return errStop
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.i++
		for first := true; ; first = false {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == '}' && first {
				s.i++
				return nil
			}
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return errStop
			}
			key, err := s.str(name(path) + " (a key)")
			if err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return errStop
			}
			s.i++
			child := key
			if path != "" {
				child = path + "." + key
			}
			if err := s.val(child); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) {
				return errStop
			}
			if s.b[s.i] == '}' {
				s.i++
				return nil
			}
			if s.b[s.i] != ',' {
				return errStop
			}
			s.i++
		}
	case c == '[':
		s.i++
		for n := 0; ; n++ {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ']' && n == 0 {
				s.i++
				return nil
			}
			if err := s.val(path + "[" + strconv.Itoa(n) + "]"); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) {
				return errStop
			}
			if s.b[s.i] == ']' {
				s.i++
				return nil
			}
			if s.b[s.i] != ',' {
				return errStop
			}
			s.i++
		}
	case c == '"':
		_, err := s.str(name(path))
		return err
	default: // number, true, false, null: plain ASCII
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return nil
			}
			if s.b[s.i] >= 0x80 || s.b[s.i] == 0 {
				return errStop
			}
			s.i++
		}
		return nil
	}
}

// str reads a string literal (s.b[s.i] == '"'), checking its bytes and
// escapes, and returns its text (for keys).
func (s *scanner) str(field string) (string, error) {
	s.i++
	var out strings.Builder
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out.String(), nil
		case c == 0:
			return "", ErrInvalidText.With("%s: NUL character", field)
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return "", errStop
			}
			e := s.b[s.i+1]
			if e != 'u' {
				out.WriteByte(e)
				s.i += 2
				continue
			}
			r, ok := hex4(s.b, s.i+2)
			if !ok {
				return "", errStop
			}
			s.i += 6
			switch {
			case r == 0:
				return "", ErrInvalidText.With(`%s: NUL character (\u0000)`, field)
			case r >= 0xDC00 && r <= 0xDFFF:
				return "", ErrInvalidText.With(`%s: lone surrogate \u%04x`, field, r)
			case r >= 0xD800 && r <= 0xDBFF:
				lo, ok := rune(0), false
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					lo, ok = hex4(s.b, s.i+2)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", ErrInvalidText.With(`%s: lone surrogate \u%04x`, field, r)
				}
				s.i += 6
				out.WriteRune((r-0xD800)<<10 + (lo - 0xDC00) + 0x10000)
			default:
				out.WriteRune(r)
			}
		case c < 0x80:
			out.WriteByte(c)
			s.i++
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n <= 1 {
				return "", ErrInvalidText.With("%s: invalid UTF-8 at byte %d", field, s.i)
			}
			out.WriteRune(r)
			s.i += n
		}
	}
	return "", errStop
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(v), err == nil
}

func badUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
