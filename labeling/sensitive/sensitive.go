// Package sensitive names the categories of sensitive content an item may carry and a member opts into, as a bit mask.
package sensitive

import (
	"fmt"
	"slices"
	"strings"
)

// Category is one kind of sensitive content.
type Category string

// The categories, in the order they are shown. A member is sent an item of
// a category only after opting into it.
const (
	Violence Category = "violence"
	Sexual   Category = "sexual"
	SelfHarm Category = "self_harm"
	Hate     Category = "hate"
)

// All lists every category; its index is the category's bit.
var All = []Category{Violence, Sexual, SelfHarm, Hate}

// Mask is a set of categories, one bit each (violence 1, sexual 2, self_harm 4, hate 8).
type Mask int64

// Every is the mask of all categories.
const Every Mask = 1<<4 - 1

func bit(c Category) (Mask, bool) {
	i := slices.Index(All, c)
	if i < 0 {
		return 0, false
	}
	return 1 << i, true
}

// MaskOf returns the set of the named categories; an unknown name is an error naming it.
func MaskOf(cs []Category) (Mask, error) {
	var m Mask
	for _, c := range cs {
		b, ok := bit(c)
		if !ok {
			return 0, fmt.Errorf("unknown sensitive category %q (known: %s)", c, names())
		}
		m |= b
	}
	return m, nil
}

// Parse reads categories separated by ';' or ',' (a CSV cell); blanks are ignored.
func Parse(s string) (Mask, error) {
	var cs []Category
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			cs = append(cs, Category(strings.ToLower(f)))
		}
	}
	return MaskOf(cs)
}

// List returns the categories in m, in the order of All (never nil).
func (m Mask) List() []Category {
	out := []Category{}
	for i, c := range All {
		if m&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}

func names() string {
	s := make([]string, len(All))
	for i, c := range All {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}
