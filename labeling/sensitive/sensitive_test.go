package sensitive

import (
	"slices"
	"testing"
)

func TestMaskRoundTrip(t *testing.T) {
	m, err := Parse(" Violence; hate ,")
	if err != nil {
		t.Fatal(err)
	}
	if m != 1|8 {
		t.Fatalf("mask %d, want 9", m)
	}
	if got := m.List(); !slices.Equal(got, []Category{Violence, Hate}) {
		t.Fatalf("list %v", got)
	}
	if _, err := Parse("gore"); err == nil {
		t.Fatal("an unknown category was accepted")
	}
	if Every.List()[3] != Hate || len(Every.List()) != len(All) {
		t.Fatal("Every is not every category")
	}
}
