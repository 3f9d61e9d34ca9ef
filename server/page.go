package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"copyhold/labeling/fault"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Every list endpoint pages the same way (docs/API.md, "Pagination"):
// ?cursor=&limit= answers {items, next_cursor}, limit 1 to pageMax (default
// pageDefault), next_cursor null on the last page. A cursor is the last
// row's keyset position, never an offset, so rows inserted between two
// pages neither repeat nor hide the rows already listed.
const (
	pageDefault = 50
	pageMax     = 100
	// maxCursorLen bounds what decodeCursor will look at.
	maxCursorLen = 512
)

var (
	errBadCursor = fault.New(fault.KindInvalid, "invalid_cursor", "the cursor is not one this list gave")
	errBadLimit  = fault.New(fault.KindInvalid, "invalid_limit", "limit is 1 to "+strconv.Itoa(pageMax))
)

// cursorBody is what a cursor carries: the list, with its filters, that gave
// it, and the key of the last row of the page.
type cursorBody struct {
	List string   `json:"l"`
	Key  page.Key `json:"k"`
}

// cursorCheck is the length of the checksum ahead of a cursor's JSON. It
// refuses cursors edited by hand or cut short; a client who recomputes it
// only chooses where a list starts, which every page checks anyway.
const cursorCheck = 8

// encodeCursor is base64url of a checksum and the JSON of the position.
func encodeCursor(list string, k page.Key) string {
	body, _ := json.Marshal(cursorBody{List: list, Key: k})
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(append(sum[:cursorCheck], body...))
}

// decodeCursor reads a cursor that encodeCursor gave for the same list.
func decodeCursor(list, s string) (page.Key, bool) {
	if len(s) > maxCursorLen {
		return page.Key{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) <= cursorCheck {
		return page.Key{}, false
	}
	body := raw[cursorCheck:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:cursorCheck], raw[:cursorCheck]) {
		return page.Key{}, false
	}
	var cb cursorBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cb); err != nil || cb.List != list || cb.Key.ID <= 0 || cb.Key.Rank < 0 {
		return page.Key{}, false
	}
	return cb.Key, true
}

// readPage reads ?cursor= and ?limit= for list (its name and any filters
// that shape it, so a cursor works only where it came from); it answers 400
// and false when either is bad. An empty one is as if absent, so a script
// may always send both. The page asks for one row more than the limit, so
// pageOf can tell whether another page follows.
func readPage(c *gin.Context, list string) (page.Page, bool) {
	limit := pageDefault
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > pageMax || strconv.Itoa(n) != v {
			fail(c, errBadLimit)
			return page.Page{}, false
		}
		limit = n
	}
	p := page.Page{Limit: limit + 1}
	if v := c.Query("cursor"); v != "" {
		k, good := decodeCursor(list, v)
		if !good {
			fail(c, errBadCursor)
			return page.Page{}, false
		}
		p.After = &k
	}
	return p, true
}

// pageOf is the {items, next_cursor} answer to a page that readPage asked
// for: it drops the extra row and, when there was one, gives the cursor
// after the last row kept.
func pageOf[T any](list string, p page.Page, items []T, key func(T) page.Key) gin.H {
	var next *string
	if limit := p.Limit - 1; len(items) > limit {
		items = items[:limit]
		cur := encodeCursor(list, key(items[limit-1]))
		next = &cur
	}
	if items == nil {
		items = []T{}
	}
	return gin.H{"items": items, "next_cursor": next}
}

// byID is the key of lists in id order.
func byID(id int64) page.Key { return page.Key{ID: id} }
