package tasktype

import (
	"errors"
	"testing"
	"unicode/utf16"
)

// Texts with everything that makes offsets disagree between encodings.
const (
	textEmoji     = "I ❤ 🙂 ok"           // ❤ is BMP (1 unit), 🙂 is astral (2 units)
	textFamily    = "👩‍👩‍👧 family"       // ZWJ sequence: 5 code points, 8 UTF-16 units, 1 grapheme
	textCombining = "cafe\u0301 au lait" // e + COMBINING ACUTE: 2 code points
	textCJK       = "東京で𠮷野家に行った"         // 𠮷 (U+20BB7) is astral
)

func TestSpanCodePointLen(t *testing.T) {
	cases := []struct {
		text      string
		cp, utf16 int
	}{
		{"", 0, 0},
		{"abc", 3, 3},
		{textEmoji, 8, 9},
		{textFamily, 12, 15},
		{textCombining, 13, 13},
		{textCJK, 10, 11},
	}
	for _, c := range cases {
		if got := CodePointLen(c.text); got != c.cp {
			t.Errorf("CodePointLen(%q) = %d, want %d", c.text, got, c.cp)
		}
		if got := UTF16Len(c.text); got != c.utf16 {
			t.Errorf("UTF16Len(%q) = %d, want %d", c.text, got, c.utf16)
		}
		// Cross-check with the standard library's UTF-16 encoder.
		if got := len(utf16.Encode([]rune(c.text))); got != c.utf16 {
			t.Errorf("utf16.Encode(%q) has %d units, want %d", c.text, got, c.utf16)
		}
	}
}

func TestUTF16ToCodePoint(t *testing.T) {
	cases := []struct {
		name   string
		text   string
		utf16  int
		cp     int
		inPair bool // offset falls inside a surrogate pair
	}{
		{"start", textEmoji, 0, 0, false},
		{"before heart", textEmoji, 2, 2, false},
		{"after heart (BMP)", textEmoji, 3, 3, false},
		{"before smiley", textEmoji, 4, 4, false},
		{"inside smiley", textEmoji, 5, 0, true},
		{"after smiley", textEmoji, 6, 5, false},
		{"end", textEmoji, 9, 8, false},
		{"after woman 1", textFamily, 2, 1, false},
		{"after ZWJ 1", textFamily, 3, 2, false},
		{"inside girl", textFamily, 7, 0, true},
		{"after family", textFamily, 8, 5, false},
		{"word after family", textFamily, 9, 6, false},
		{"combining mark", textCombining, 4, 4, false},
		{"after combining", textCombining, 5, 5, false},
		{"CJK before astral", textCJK, 3, 3, false},
		{"CJK inside astral", textCJK, 4, 0, true},
		{"CJK after astral", textCJK, 5, 4, false},
		{"CJK end", textCJK, 11, 10, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := UTF16ToCodePoint(c.text, c.utf16)
			if c.inPair {
				if !errors.Is(err, ErrOffsetOutOfRange) {
					t.Fatalf("UTF16ToCodePoint(%d) = %d, %v; want ErrOffsetOutOfRange", c.utf16, got, err)
				}
				return
			}
			if err != nil || got != c.cp {
				t.Fatalf("UTF16ToCodePoint(%d) = %d, %v; want %d", c.utf16, got, err, c.cp)
			}
			back, err := CodePointToUTF16(c.text, c.cp)
			if err != nil || back != c.utf16 {
				t.Errorf("CodePointToUTF16(%d) = %d, %v; want %d", c.cp, back, err, c.utf16)
			}
			// The index used for bulk conversion agrees.
			idx := NewTextIndex(c.text)
			if cp, err := idx.FromUTF16(c.utf16); err != nil || cp != c.cp {
				t.Errorf("TextIndex.FromUTF16(%d) = %d, %v", c.utf16, cp, err)
			}
			if u := idx.ToUTF16(c.cp); u != c.utf16 {
				t.Errorf("TextIndex.ToUTF16(%d) = %d", c.cp, u)
			}
		})
	}
	for _, off := range []int{-1, 10, 100} {
		if _, err := UTF16ToCodePoint(textEmoji, off); !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("UTF16ToCodePoint(%d): %v, want ErrOffsetOutOfRange", off, err)
		}
		if _, err := NewTextIndex(textEmoji).FromUTF16(off); !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("fromUTF16(%d): %v, want ErrOffsetOutOfRange", off, err)
		}
	}
	for _, off := range []int{-1, 9} {
		if _, err := CodePointToUTF16(textEmoji, off); !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("CodePointToUTF16(%d): %v, want ErrOffsetOutOfRange", off, err)
		}
	}
}

func TestSpanSliceCodePoints(t *testing.T) {
	cases := []struct {
		text       string
		start, end int
		want       string
	}{
		{textEmoji, 4, 5, "🙂"},
		{textEmoji, 6, 8, "ok"},
		{textFamily, 0, 5, "👩‍👩‍👧"},
		{textFamily, 6, 12, "family"},
		{textCombining, 0, 5, "cafe\u0301"},
		{textCombining, 3, 4, "e"}, // splits the grapheme: allowed, editors snap
		{textCJK, 3, 5, "𠮷野"},
		{"", 0, 0, ""},
	}
	for _, c := range cases {
		got, err := SliceCodePoints(c.text, c.start, c.end)
		if err != nil || got != c.want {
			t.Errorf("SliceCodePoints(%q, %d, %d) = %q, %v; want %q", c.text, c.start, c.end, got, err, c.want)
		}
	}
	for _, r := range [][2]int{{-1, 2}, {3, 2}, {0, 9}} {
		if _, err := SliceCodePoints(textEmoji, r[0], r[1]); !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("SliceCodePoints(%v): %v, want ErrOffsetOutOfRange", r, err)
		}
	}
	if b, err := CodePointToByte(textEmoji, 5); err != nil || textEmoji[b:] != " ok" {
		t.Errorf("CodePointToByte = %d, %v", b, err)
	}
}

// A span after surrogate pairs: the same entity seen by Label Studio (UTF-16),
// by us (code points) and by Go (bytes).
func TestSpanAfterSurrogatePairs(t *testing.T) {
	text := "🙂🙂 𠮷 Anna Smith"
	start16, end16 := 8, 18 // JavaScript: text.indexOf("Anna Smith")
	start, err := UTF16ToCodePoint(text, start16)
	if err != nil {
		t.Fatal(err)
	}
	end, err := UTF16ToCodePoint(text, end16)
	if err != nil {
		t.Fatal(err)
	}
	if start != 5 || end != 15 {
		t.Fatalf("code points %d..%d, want 5..15", start, end)
	}
	got, _ := SliceCodePoints(text, start, end)
	if got != "Anna Smith" {
		t.Fatalf("slice = %q", got)
	}
}

// Invalid UTF-8 counts one code point per bad byte, like JSON decoding.
func TestSpanInvalidUTF8(t *testing.T) {
	text := "a\xffb"
	if n := CodePointLen(text); n != 3 {
		t.Fatalf("CodePointLen = %d", n)
	}
	if s, err := SliceCodePoints(text, 2, 3); err != nil || s != "b" {
		t.Fatalf("slice = %q, %v", s, err)
	}
}
