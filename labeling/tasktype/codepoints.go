package tasktype

import (
	"unicode/utf8"
)

// Text offsets.
//
// Spans are stored as Unicode code point offsets (end exclusive): the same
// number in every language that iterates code points, independent of the
// encoding. Label Studio and browsers (JavaScript strings) count UTF-16 code
// units, where a code point above U+FFFF (emoji, rare CJK) takes two; Go
// strings count bytes. Grapheme clusters (👩‍👩‍👧, e + U+0301) are several code
// points and are not treated specially: a span boundary inside one is legal
// here, and editors should snap selections to graphemes.
//
// Invalid UTF-8 bytes count as one code point each (U+FFFD), as in Go's range
// loop and in JSON decoding.

// CodePointLen is the length of text in code points.
func CodePointLen(text string) int { return utf8.RuneCountInString(text) }

// UTF16Len is the length of text in UTF-16 code units (JavaScript's length).
func UTF16Len(text string) int {
	n := 0
	for _, r := range text {
		n += utf16Width(r)
	}
	return n
}

func utf16Width(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// UTF16ToCodePoint converts a UTF-16 offset into text to a code point offset.
// An offset inside a surrogate pair or outside 0..UTF16Len is an error.
func UTF16ToCodePoint(text string, off int) (int, error) {
	if off < 0 {
		return 0, ErrOffsetOutOfRange.With("offset out of range: UTF-16 offset %d is negative", off)
	}
	u, cp := 0, 0
	for _, r := range text {
		if u == off {
			return cp, nil
		}
		u += utf16Width(r)
		if u > off {
			return 0, ErrOffsetOutOfRange.With("offset out of range: UTF-16 offset %d falls inside the surrogate pair of code point %d (U+%04X)", off, cp, r)
		}
		cp++
	}
	if u == off {
		return cp, nil
	}
	return 0, ErrOffsetOutOfRange.With("offset out of range: UTF-16 offset %d is past the end of the text (%d UTF-16 units)", off, u)
}

// CodePointToUTF16 converts a code point offset into text to a UTF-16 offset.
func CodePointToUTF16(text string, off int) (int, error) {
	if off < 0 {
		return 0, ErrOffsetOutOfRange.With("offset out of range: code point offset %d is negative", off)
	}
	u, cp := 0, 0
	for _, r := range text {
		if cp == off {
			return u, nil
		}
		u += utf16Width(r)
		cp++
	}
	if cp == off {
		return u, nil
	}
	return 0, ErrOffsetOutOfRange.With("offset out of range: code point offset %d is past the end of the text (%d code points)", off, cp)
}

// CodePointToByte converts a code point offset into text to a byte offset.
func CodePointToByte(text string, off int) (int, error) {
	if off < 0 {
		return 0, ErrOffsetOutOfRange.With("offset out of range: code point offset %d is negative", off)
	}
	cp := 0
	for i := range text {
		if cp == off {
			return i, nil
		}
		cp++
	}
	if cp == off {
		return len(text), nil
	}
	return 0, ErrOffsetOutOfRange.With("offset out of range: code point offset %d is past the end of the text (%d code points)", off, cp)
}

// SliceCodePoints returns text[start:end] counted in code points.
func SliceCodePoints(text string, start, end int) (string, error) {
	if start > end {
		return "", ErrOffsetOutOfRange.With("offset out of range: start %d is after end %d", start, end)
	}
	t := NewTextIndex(text)
	return t.slice(start, end)
}

// TextIndex maps code point offsets to byte and UTF-16 offsets of one text,
// so that converting many spans costs one pass over the text.
type TextIndex struct {
	text  string
	bytes []int // bytes[i] = byte offset of code point i; len = n+1
	utf16 []int // utf16[i] = UTF-16 offset of code point i; len = n+1
}

// NewTextIndex indexes text in one pass.
func NewTextIndex(text string) *TextIndex {
	n := utf8.RuneCountInString(text)
	t := &TextIndex{text: text, bytes: make([]int, 0, n+1), utf16: make([]int, 0, n+1)}
	u := 0
	for i, r := range text {
		t.bytes = append(t.bytes, i)
		t.utf16 = append(t.utf16, u)
		u += utf16Width(r)
	}
	t.bytes = append(t.bytes, len(text))
	t.utf16 = append(t.utf16, u)
	return t
}

func (t *TextIndex) len() int { return len(t.bytes) - 1 }

func (t *TextIndex) slice(start, end int) (string, error) {
	if start < 0 || end > t.len() || start > end {
		return "", ErrOffsetOutOfRange.With("offset out of range: %d..%d is outside the text (0..%d code points)", start, end, t.len())
	}
	return t.text[t.bytes[start]:t.bytes[end]], nil
}

// ToUTF16 gives the UTF-16 offset of code point cp (0 <= cp <= length).
func (t *TextIndex) ToUTF16(cp int) int { return t.utf16[cp] }

// FromUTF16 finds the code point at a UTF-16 offset by binary search.
func (t *TextIndex) FromUTF16(off int) (int, error) {
	lo, hi := 0, len(t.utf16)
	for lo < hi {
		m := (lo + hi) / 2
		if t.utf16[m] < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if off < 0 || lo >= len(t.utf16) {
		return 0, ErrOffsetOutOfRange.With("offset out of range: UTF-16 offset %d is outside the text (0..%d UTF-16 units)", off, t.utf16[len(t.utf16)-1])
	}
	if t.utf16[lo] != off {
		return 0, ErrOffsetOutOfRange.With("offset out of range: UTF-16 offset %d falls inside the surrogate pair of code point %d", off, lo-1)
	}
	return lo, nil
}
