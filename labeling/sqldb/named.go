package sqldb

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// namedShape is a statement with @name parameters, parsed once: its text
// with the parameters numbered for the dialect, one per occurrence (the
// text GORM's builder makes), and the name behind each.
type namedShape struct {
	sql   string
	names []string
	mark  bool // q has a ?, which GORM would bind too: left to GORM
}

// namedShapes caches the parsed statements per dialect (bounded as rebound).
var namedShapes sync.Map // namedKey → namedShape

type namedKey struct {
	q  string
	pg bool
}

// QueryNamed runs q, whose parameters are @name, with the values in named,
// like tx.Raw(q, named).Rows() but without GORM's statement builder: the
// names are found once per distinct text (parseNamed). A name ends where
// GORM's does (space, comma, closing parenthesis, quote, semicolon, line
// end); an @ whose run is no identifier stays as it is (@>, @@x, an address
// in a literal); every name must be in named (ok false otherwise, and
// nothing is run: the caller falls back to GORM). Values go to the driver as
// they are: plain values only.
func QueryNamed(tx *gorm.DB, q string, named map[string]any) (rows *sql.Rows, ok bool, err error) {
	if tx.Error != nil {
		return nil, false, nil
	}
	pg := IsPostgres(tx)
	shape := parseNamed(q, pg)
	if shape.mark {
		return nil, false, nil
	}
	args := make([]any, len(shape.names))
	for i, n := range shape.names {
		v, found := named[n]
		if !found || !Plain(v) {
			return nil, false, nil
		}
		args[i] = v
	}
	rows, err = query(tx, shape.sql, args)
	return rows, true, err
}

// parseNamed runs GORM's NamedExpr scan over q once: an @ starts a name,
// which takes every byte up to one of GORM's enders; a name that is an
// identifier becomes a parameter (QueryNamed requires its value), any other
// (the > of @>) is written back as it was, as GORM writes back a name it
// has no value for.
func parseNamed(q string, pg bool) namedShape {
	key := namedKey{q, pg}
	if v, ok := namedShapes.Load(key); ok {
		return v.(namedShape)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	var names []string
	emit := func(name string) {
		if name == "" || !isName(name) {
			b.WriteByte('@')
			b.WriteString(name)
			return
		}
		// One parameter per occurrence, as GORM binds them: a name used
		// where PostgreSQL would deduce two types stays two parameters.
		names = append(names, name)
		if pg {
			b.WriteString("$" + strconv.Itoa(len(names)))
		} else {
			b.WriteByte('?')
		}
	}
	inName, from := false, 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '@' && !inName:
			inName, from = true, i+1
		case endsName(c):
			if inName {
				emit(q[from:i])
				inName = false
			}
			b.WriteByte(c)
		case !inName:
			b.WriteByte(c)
		}
	}
	if inName {
		emit(q[from:])
	}
	shape := namedShape{sql: b.String(), names: names, mark: strings.IndexByte(q, '?') >= 0}
	if reboundSize.Load() < maxRebound {
		if _, loaded := namedShapes.LoadOrStore(key, shape); !loaded {
			reboundSize.Add(1)
		}
	}
	return shape
}

// endsName is GORM's list of the bytes that end an @name.
func endsName(c byte) bool {
	switch c {
	case ' ', ',', ')', '"', '\'', '`', '\r', '\n', ';':
		return true
	}
	return false
}

// isName: letters, digits and underscores only (anything else after an @ is
// not a parameter copyhold writes, and is left to GORM).
func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Plain reports whether GORM would bind v as one parameter, as it is: what
// Query and QueryNamed may pass to the driver. Slices other than []byte
// (which GORM expands into lists), maps, structs other than time.Time, and
// GORM's own expressions and valuers are not plain.
func Plain(v any) bool {
	switch v := v.(type) {
	case nil, []byte, time.Time, *time.Time:
		return true
	case gorm.Valuer, clause.Expression, sql.NamedArg, *gorm.DB:
		return false
	case driver.Valuer:
		return v != nil
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// AllPlain reports whether every argument is Plain.
func AllPlain(args []any) bool {
	for _, a := range args {
		if !Plain(a) {
			return false
		}
	}
	return true
}
