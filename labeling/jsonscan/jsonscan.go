// Package jsonscan reads and writes JSON on the export path without
// reflection: it walks an object's members as raw byte slices (validating
// the syntax on the way, once), decodes strings, and appends strings
// escaped exactly as encoding/json's Encoder with SetEscapeHTML(false) does.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// ErrSyntax is returned for input that is not valid JSON.
var ErrSyntax = errors.New("jsonscan: invalid JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// Object calls fn with each member of the JSON object b, in order: the key
// (raw, without quotes; see Key) and the value (raw, without surrounding
// space). Any syntax error in b, inside values too, is ErrSyntax.
func Object(b []byte, fn func(key, value []byte) error) error {
	return object(b, fn, skipValue)
}

// Skim is Object for bytes that were validated before (frozen rows, whose
// hash is checked): the object's own syntax and its keys are checked, but a
// value is only delimited, by its quotes or brackets, not checked; whoever
// reads a value checks what it reads. Any input is safe: malformed bytes
// give ErrSyntax or values that are not JSON, never a panic.
func Skim(b []byte, fn func(key, value []byte) error) error {
	return object(b, fn, skimValue)
}

// SkimArray is Array with values delimited as Skim delimits them.
func SkimArray(b []byte, fn func(value []byte) error) error {
	return array(b, fn, skimValue)
}

func object(b []byte, fn func(key, value []byte) error, value func([]byte, int, int) (int, error)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ErrSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return ErrSyntax
		}
		end, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return ErrSyntax
		}
		i = skipSpace(b, i+1)
		vend, err := value(b, i, 0)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return ErrSyntax
		}
		if b[i] == '}' {
			return trailing(b, i+1)
		}
		if b[i] != ',' {
			return ErrSyntax
		}
		i = skipSpace(b, i+1)
	}
}

// Array calls fn with each element of the JSON array b, raw.
func Array(b []byte, fn func(value []byte) error) error {
	return array(b, fn, skipValue)
}

func array(b []byte, fn func(value []byte) error, value func([]byte, int, int) (int, error)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return ErrSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return trailing(b, i+1)
	}
	for {
		end, err := value(b, i, 0)
		if err != nil {
			return err
		}
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return ErrSyntax
		}
		if b[i] == ']' {
			return trailing(b, i+1)
		}
		if b[i] != ',' {
			return ErrSyntax
		}
		i = skipSpace(b, i+1)
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return ErrSyntax
	}
	return nil
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// skipValue returns the end of the value that starts at b[i].
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) || depth > maxDepth {
		return 0, ErrSyntax
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == close {
			return i + 1, nil
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return 0, ErrSyntax
				}
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = skipSpace(b, end)
				if i >= len(b) || b[i] != ':' {
					return 0, ErrSyntax
				}
				i = skipSpace(b, i+1)
			}
			end, err := skipValue(b, i, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipSpace(b, end)
			if i >= len(b) {
				return 0, ErrSyntax
			}
			if b[i] == close {
				return i + 1, nil
			}
			if b[i] != ',' {
				return 0, ErrSyntax
			}
			i = skipSpace(b, i+1)
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	}
	return 0, ErrSyntax
}

// skimValue returns the end of the value that starts at b[i] without
// checking its grammar: a string ends at its closing quote, an object or
// array at its matching bracket (strings inside skipped), anything else
// before the next comma, bracket or space.
func skimValue(b []byte, i, _ int) (int, error) {
	if i >= len(b) {
		return 0, ErrSyntax
	}
	switch b[i] {
	case '"':
		return skimString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, err := skimString(b, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, ErrSyntax
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
		j++
	}
	if j == i {
		return 0, ErrSyntax
	}
	return j, nil
}

// skimString returns the end of the string that starts at b[i]: after the
// first quote not escaped by an odd run of backslashes.
func skimString(b []byte, i int) (int, error) {
	for i++; ; {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return 0, ErrSyntax
		}
		i += q
		n := 0
		for n < i && b[i-1-n] == '\\' {
			n++
		}
		i++
		if n%2 == 0 {
			return i, nil
		}
	}
}

func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, ErrSyntax
	}
	return i + len(lit), nil
}

// skipNumber checks the JSON number grammar.
func skipNumber(b []byte, i int) (int, error) {
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return 0, ErrSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, ErrSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, ErrSyntax
		}
	}
	return i, nil
}

// plainByte marks the bytes a string may hold as they are: not a quote, a
// backslash or a control character.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipString returns the end (after the closing quote) of the string that
// starts at b[i]. Control characters and bad escapes are errors; invalid
// UTF-8 is not (encoding/json accepts it too, as U+FFFD).
func skipString(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return 0, ErrSyntax
		case c == '\\':
			i++
			if i >= len(b) {
				return 0, ErrSyntax
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return 0, ErrSyntax
				}
				i += 4
			default:
				return 0, ErrSyntax
			}
		}
	}
	return 0, ErrSyntax
}

// String decodes the raw JSON string raw (quotes included) as
// encoding/json does. ok is false when raw is not a string (null, a
// number, ...). A string without escapes in valid UTF-8 costs one scan and
// one copy; anything else goes through encoding/json.
func String(raw []byte) (s string, ok bool, err error) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false, nil
	}
	if Plain(raw) {
		return string(raw[1 : len(raw)-1]), true, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, err
	}
	return s, true, nil
}

// Plain says whether raw is a JSON string that decodes to the bytes between
// its quotes: no escapes, no control characters, valid UTF-8. A caller
// that holds those bytes as a string can then slice it instead of copying.
func Plain(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if !plainByte[c] {
			return false
		}
	}
	return utf8.Valid(body)
}

// Key decodes an object key as given to Object's fn.
func Key(key []byte) string {
	for _, c := range key {
		if c == '\\' || c >= utf8.RuneSelf {
			var s string
			buf := make([]byte, 0, len(key)+2)
			buf = append(append(append(buf, '"'), key...), '"')
			if json.Unmarshal(buf, &s) == nil {
				return s
			}
			return string(key)
		}
	}
	return string(key)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, byte for byte as
// encoding/json's Encoder with SetEscapeHTML(false) writes it: ", \ and
// control characters escaped (\b \f \n \r \t by name), U+2028 and U+2029
// as \u2028 and \u2029, invalid UTF-8 as \ufffd.
func AppendString(dst []byte, s string) []byte {
	return append(appendEscaped(append(dst, '"'), s), '"')
}

// AppendJoined appends a+b as one JSON string, as AppendString(dst, a+b)
// does, without joining them first. a must end on a whole character (the
// separators it is used with are ASCII).
func AppendJoined(dst []byte, a, b string) []byte {
	dst = appendEscaped(append(dst, '"'), a)
	return append(appendEscaped(dst, b), '"')
}

// appendEscaped appends s escaped, without quotes.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
