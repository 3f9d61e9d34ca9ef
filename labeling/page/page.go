// Package page is one page of a list read in keyset order: where the
// previous page ended and how many rows come next. Stores read it in SQL;
// the server turns a Key into an opaque cursor and back.
package page

// Key is a row's place in its list's order: its id always, and Rank or Text
// when the list orders by them before the id (proposals by open-then-closed,
// models by name).
type Key struct {
	Rank int64  `json:"r,omitempty"`
	Text string `json:"t,omitempty"`
	ID   int64  `json:"i"`
}

// Page asks for the rows after After (nil: from the first), at most Limit
// of them (0: all, for callers inside the program).
type Page struct {
	After *Key
	Limit int
}

// All is every row, in the list's order.
var All = Page{}
