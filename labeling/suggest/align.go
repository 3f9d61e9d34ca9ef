package suggest

import (
	"strings"
	"unicode"
)

// quoted is a span as a model gives it: quoted text and a label.
type quoted struct {
	Text  string `json:"text"`
	Label string `json:"label"`
}

// offsets is a span placed on the text, in code points, end exclusive.
type offsets struct{ start, end int }

// aligner places quoted spans on one text. Each quote takes the first
// occurrence that no earlier quote took; when the quote does not occur
// as is, the same search runs with every run of white space (in the quote
// and in the text) read as one space. A match never starts or ends inside
// a character built from several code points (a base and its combining
// marks, or a zero-width joiner sequence).
type aligner struct {
	text []rune
	used map[offsets]bool
	// norm is the text with white space runs collapsed to one space;
	// normStart[k] and normEnd[k] are the text offsets norm[k] covers.
	norm               []rune
	normStart, normEnd []int
}

func newAligner(text string) *aligner {
	a := &aligner{text: []rune(text), used: map[offsets]bool{}}
	for i := 0; i < len(a.text); i++ {
		r := a.text[i]
		if unicode.IsSpace(r) {
			j := i
			for j+1 < len(a.text) && unicode.IsSpace(a.text[j+1]) {
				j++
			}
			a.norm = append(a.norm, ' ')
			a.normStart, a.normEnd = append(a.normStart, i), append(a.normEnd, j+1)
			i = j
			continue
		}
		a.norm = append(a.norm, r)
		a.normStart, a.normEnd = append(a.normStart, i), append(a.normEnd, i+1)
	}
	return a
}

// place finds the quote's offsets (ok false: not in the text, or every
// occurrence already taken).
func (a *aligner) place(quote string) (offsets, bool) {
	q := []rune(strings.TrimSpace(quote))
	if len(q) == 0 {
		return offsets{}, false
	}
	if o, ok := a.first(a.text, q, func(s, e int) offsets { return offsets{s, e} }); ok {
		return o, true
	}
	return a.first(a.norm, collapse(q), func(s, e int) offsets { return offsets{a.normStart[s], a.normEnd[e-1]} })
}

// first is the first occurrence of q in hay, mapped to text offsets by at,
// that is unused and on character boundaries; it marks it used.
func (a *aligner) first(hay, q []rune, at func(s, e int) offsets) (offsets, bool) {
	for s := 0; s+len(q) <= len(hay); s++ {
		if !equalRunes(hay[s:s+len(q)], q) {
			continue
		}
		o := at(s, s+len(q))
		if a.used[o] || !a.boundary(o.start) || !a.boundary(o.end) {
			continue
		}
		a.used[o] = true
		return o, true
	}
	return offsets{}, false
}

// boundary reports whether a span may start or end at code point i: not
// before a combining mark, a variation selector or a zero-width joiner,
// and not right after a zero-width joiner.
func (a *aligner) boundary(i int) bool {
	if i <= 0 || i >= len(a.text) {
		return true
	}
	if joins(a.text[i]) || a.text[i-1] == '\u200d' {
		return false
	}
	return true
}

func joins(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Variation_Selector) || r == '\u200d' ||
		(r >= 0x1F3FB && r <= 0x1F3FF) // skin-tone modifiers
}

func equalRunes(x, y []rune) bool {
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// collapse reads every run of white space as one space.
func collapse(q []rune) []rune {
	out := make([]rune, 0, len(q))
	for i, r := range q {
		if unicode.IsSpace(r) {
			if i > 0 && unicode.IsSpace(q[i-1]) {
				continue
			}
			r = ' '
		}
		out = append(out, r)
	}
	return out
}
