package store

import (
	"copyhold/labeling/page"

	"gorm.io/gorm"
)

// Lists read by page (labeling/page) go by keyset: the rows after the last
// one listed, in a fixed order ending in a unique column, never an OFFSET,
// so rows inserted meanwhile neither repeat nor hide rows on later pages.

// pageByID orders q by col (a unique id column), ascending or descending,
// and keeps the page's rows.
func pageByID(q *gorm.DB, col string, desc bool, p page.Page) *gorm.DB {
	op, dir := ">", ""
	if desc {
		op, dir = "<", " DESC"
	}
	if p.After != nil {
		q = q.Where(col+" "+op+" ?", p.After.ID)
	}
	q = q.Order(col + dir)
	if p.Limit > 0 {
		q = q.Limit(p.Limit)
	}
	return q
}

// keysetByID is pageByID for raw SQL: the condition to AND in ("" on the
// first page), the ORDER BY and LIMIT to end with, and the arguments of
// both in that order.
func keysetByID(col string, desc bool, p page.Page) (cond, tail string, args []any) {
	op, dir := ">", ""
	if desc {
		op, dir = "<", " DESC"
	}
	if p.After != nil {
		cond, args = col+" "+op+" ?", append(args, p.After.ID)
	}
	tail = " ORDER BY " + col + dir
	if p.Limit > 0 {
		tail, args = tail+" LIMIT ?", append(args, p.Limit)
	}
	return cond, tail, args
}
