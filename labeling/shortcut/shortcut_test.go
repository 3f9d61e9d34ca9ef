package shortcut

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		own  Map
		want error
	}{
		{"defaults", nil, nil},
		{"a free key", Map{"skip": "q"}, nil},
		{"swap", Map{"skip": "i", "instructions": "s"}, nil},
		{"pairwise and ranking may share", Map{"rank_tie": "x"}, nil},
		{"unknown action", Map{"fly": "q"}, ErrUnknownAction},
		{"reserved", Map{"skip": "Tab"}, ErrReservedKey},
		{"reserved space", Map{"submit": " "}, ErrReservedKey},
		{"reserved copy", Map{"undo": "Ctrl+c"}, ErrReservedKey},
		{"two characters", Map{"skip": "qq"}, ErrBadKey},
		{"upper case", Map{"skip": "Q"}, ErrBadKey},
		{"empty", Map{"skip": ""}, ErrBadKey},
		{"global against global", Map{"skip": "i"}, ErrKeyConflict},
		{"global against an editor key", Map{"skip": "a"}, ErrKeyConflict},
		{"options against pairwise", Map{"option_1": "t"}, ErrKeyConflict},
		{"options against rubric", Map{"rubric_up": "1"}, ErrKeyConflict},
		{"a free key for the next turn", Map{"turn_next": "ArrowDown", "rubric_down": "PageDown"}, nil},
		{"conversation keys swap", Map{"turn_next": "k", "turn_prev": "j"}, nil},
		{"conversation and ranking may share", Map{"turn_next": "t"}, nil},
		{"conversation against conversation", Map{"turn_exclude": "n"}, ErrKeyConflict},
		{"conversation against options", Map{"turn_next": "1"}, ErrKeyConflict},
		{"conversation against rubric", Map{"turn_prev": "ArrowUp"}, ErrKeyConflict},
		{"conversation against global", Map{"turn_rationale": "s"}, ErrKeyConflict},
		{"conversation reserved", Map{"turn_next": "ArrowRight"}, ErrReservedKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.own)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Check(%v) = %v, want %v", c.own, err, c.want)
			}
		})
	}
}

func TestResolveKeepsEveryAction(t *testing.T) {
	got := Resolve(Map{"skip": "q"})
	if len(got) != len(Actions()) {
		t.Fatalf("%d bindings for %d actions", len(got), len(Actions()))
	}
	if got[1].Action != "skip" || got[1].Key != "q" || Defaults()[1].Key != "s" {
		t.Fatalf("resolve: %+v", got[1])
	}
}
