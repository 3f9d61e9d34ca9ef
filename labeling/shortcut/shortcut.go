// Package shortcut is the workbench's keyboard map: the actions a member may rebind, their default keys, and the rules a member's map must keep.
package shortcut

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"copyhold/labeling/fault"
)

// Action is one thing a key does on the workbench.
type Action string

// Group says where an action's key is live: global keys work on every task,
// the others only inside their editor. Two actions conflict when they share
// a key and can be live at the same time.
type Group string

const (
	Global   Group = "global"
	Options  Group = "options"  // the Nth option of a choice, label, severity, scale or strength
	Pairwise Group = "pairwise" // with Options (strength)
	Ranking  Group = "ranking"
	Rubric   Group = "rubric" // with Options (scale)
	// Conversation keys move between a conversation's turns (per-turn
	// rating, spans per turn); with Options (scale, labels) and Rubric
	// (criteria).
	Conversation Group = "conversation"
)

// Groups lists every group.
func Groups() []Group { return []Group{Global, Options, Pairwise, Ranking, Rubric, Conversation} }

// Binding is an action's key, as GET /api/me/shortcuts lists it.
type Binding struct {
	Action Action `json:"action"`
	Key    string `json:"key"`
	Group  Group  `json:"group"`
	Label  string `json:"label"`
}

type def struct {
	action Action
	key    string
	group  Group
	label  string
}

// defs is every action with its default key, in the order they are shown.
var defs = []def{
	{"submit", "Enter", Global, "Submit (Ctrl+Enter inside a text box)"},
	{"skip", "s", Global, "Skip this item"},
	{"undo", "Ctrl+z", Global, "Undo your last change"},
	{"instructions", "i", Global, "Show or hide the instructions"},
	{"help", "?", Global, "Show the shortcuts"},
	{"prediction", "p", Global, "Start from the pre-annotation"},
	{"reveal", "r", Global, "Reveal a sensitive item"},
	{"option_1", "1", Options, "Option 1"},
	{"option_2", "2", Options, "Option 2"},
	{"option_3", "3", Options, "Option 3"},
	{"option_4", "4", Options, "Option 4"},
	{"option_5", "5", Options, "Option 5"},
	{"option_6", "6", Options, "Option 6"},
	{"option_7", "7", Options, "Option 7"},
	{"option_8", "8", Options, "Option 8"},
	{"option_9", "9", Options, "Option 9"},
	{"pair_left", "a", Pairwise, "Pairwise: the left response is better"},
	{"pair_right", "b", Pairwise, "Pairwise: the right response is better"},
	{"pair_tie", "t", Pairwise, "Pairwise: a tie"},
	{"pair_both_bad", "x", Pairwise, "Pairwise: both are bad"},
	{"rank_up", "k", Ranking, "Ranking: select the response above"},
	{"rank_down", "j", Ranking, "Ranking: select the response below"},
	{"rank_tie", "t", Ranking, "Ranking: tie with the response above"},
	{"rubric_up", "ArrowUp", Rubric, "Rubric: the criterion above"},
	{"rubric_down", "ArrowDown", Rubric, "Rubric: the criterion below"},
	{"turn_next", "j", Conversation, "Conversation: the next turn"},
	{"turn_prev", "k", Conversation, "Conversation: the previous turn"},
	{"turn_exclude", "e", Conversation, "Per-turn rating: mark the turn \"do not train on\""},
	{"turn_rationale", "n", Conversation, "Per-turn rating: write the turn's rationale"},
}

// Actions lists every action, in the order they are shown.
func Actions() []Action {
	out := make([]Action, len(defs))
	for i, d := range defs {
		out[i] = d.action
	}
	return out
}

// Map is a member's keys, action to key. A member stores only the keys they
// changed; Resolve fills in the rest.
type Map map[Action]string

var (
	ErrUnknownAction = fault.New(fault.KindInvalid, "unknown_action", "no such shortcut action")
	ErrBadKey        = fault.New(fault.KindInvalid, "invalid_key", "not a key the workbench can bind")
	ErrReservedKey   = fault.New(fault.KindInvalid, "reserved_key", "this key is kept for the browser or for moving around")
	ErrKeyConflict   = fault.New(fault.KindInvalid, "key_conflict", "two actions would share one key")
)

// reserved keys move focus, edit text or belong to the browser; binding
// them would trap a keyboard user.
var reserved = []string{"Tab", "Shift+Tab", "Escape", " ", "ArrowLeft", "ArrowRight", "Shift+ArrowUp", "Shift+ArrowDown",
	"Alt+ArrowUp", "Alt+ArrowDown", "Home", "End", "Delete", "Backspace",
	"Ctrl+a", "Ctrl+c", "Ctrl+v", "Ctrl+x", "Ctrl+f", "Ctrl+l", "Ctrl+r", "Ctrl+t", "Ctrl+w", "Ctrl+n", "Ctrl+q", "F5", "F11", "F12"}

// Reserved lists the keys no action may take.
func Reserved() []string { return slices.Clone(reserved) }

// named are the non-printing keys an action may take (with modifiers).
var named = []string{"Enter", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Insert",
	"F1", "F2", "F3", "F4", "F6", "F7", "F8", "F9", "F10"}

// keyForm: optional Ctrl+, Alt+, then Shift+ only before a named key (a
// printable key is the character Shift gives), then the key.
var keyForm = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(Ctrl\+)?(Alt\+)?(Shift\+)?(.+)$`) })

// checkKey accepts a key in the form the browser app writes: one printable
// character, lower case for letters, or a named key, after Ctrl+/Alt+/Shift+.
func checkKey(k string) error {
	m := keyForm().FindStringSubmatch(k)
	if m == nil {
		return ErrBadKey.With("key %q is empty", k)
	}
	base := m[4]
	if slices.Contains(named, base) || base == "Tab" || base == "Escape" || slices.Contains(reserved, base) {
		return nil
	}
	r := []rune(base)
	if len(r) != 1 || r[0] < ' ' || r[0] == 0x7f {
		return ErrBadKey.With("key %q is neither one character nor a named key (%s)", k, strings.Join(named, ", "))
	}
	if m[3] != "" {
		return ErrBadKey.With("key %q: write the character Shift gives, not Shift+", k)
	}
	if strings.ToLower(base) != base {
		return ErrBadKey.With("key %q: letters are written in lower case", k)
	}
	return nil
}

// Resolve is the member's full map: their own keys over the defaults.
func Resolve(own Map) []Binding {
	out := make([]Binding, len(defs))
	for i, d := range defs {
		k := d.key
		if v, ok := own[d.action]; ok {
			k = v
		}
		out[i] = Binding{Action: d.action, Key: k, Group: d.group, Label: d.label}
	}
	return out
}

// Defaults is the map every member starts with.
func Defaults() []Binding { return Resolve(nil) }

// live reports whether actions of groups a and b can be live at once.
func live(a, b Group) bool {
	if a == b || a == Global || b == Global {
		return true
	}
	pair := func(x, y Group) bool { return a == x && b == y || a == y && b == x }
	return pair(Options, Pairwise) || pair(Options, Rubric) || pair(Options, Conversation) || pair(Rubric, Conversation)
}

// Check validates a member's own keys: known actions, bindable keys, no
// reserved key, and no two actions live at once on the same key.
func Check(own Map) error {
	groups := map[Action]Group{}
	for _, d := range defs {
		groups[d.action] = d.group
	}
	for _, a := range slices.Sorted(maps.Keys(own)) {
		if _, ok := groups[a]; !ok {
			return ErrUnknownAction.With("no shortcut action %q", a)
		}
		k := own[a]
		if err := checkKey(k); err != nil {
			return err
		}
		if slices.Contains(reserved, k) {
			return ErrReservedKey.With("%s cannot be bound: it is kept for the browser or for moving around", describe(k))
		}
	}
	all := Resolve(own)
	for i, x := range all {
		for _, y := range all[i+1:] {
			if x.Key == y.Key && live(x.Group, y.Group) {
				return ErrKeyConflict.With("%s would do both %q and %q", describe(x.Key), x.Action, y.Action)
			}
		}
	}
	return nil
}

func describe(k string) string {
	if k == " " {
		return "Space"
	}
	return fmt.Sprintf("key %q", k)
}
