package store

import (
	"database/sql"
	"reflect"
	"strings"

	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// scanRaw is db.Raw(q, args...).Scan(dest) without Scan's recorder: Scan
// hands GORM's logger a recorder that formats every statement with its
// values (logger.ExplainSQL, regexps), whether or not anything is logged.
// For the reads on the claim and submit paths.
func scanRaw(db *gorm.DB, dest any, q string, args ...any) error {
	rows, err := rawRows(db, q, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	// GORM makes room for 20 rows in an empty slice; these reads answer one
	// (a few for the scoring read), of a wide row type.
	if v := reflect.ValueOf(dest); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Slice && v.Elem().Cap() == 0 {
		v.Elem().Set(reflect.MakeSlice(v.Elem().Type(), 0, 1))
	}
	if rows.Next() {
		if err := db.ScanRows(rows, dest); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// rawRows is db.Raw(q, args...).Rows() without GORM's statement builder,
// which copies these multi-kilobyte statements byte by byte on every call,
// when the arguments allow: one map of @names (sqldb.QueryNamed) or one
// plain value per ? (sqldb.Query). Anything else goes through GORM.
func rawRows(db *gorm.DB, q string, args []any) (*sql.Rows, error) {
	if len(args) == 1 {
		if named, ok := args[0].(map[string]any); ok {
			if rows, ok, err := sqldb.QueryNamed(db, q, named); ok {
				return rows, err
			}
			return db.Raw(q, args...).Rows()
		}
	}
	if db.Error == nil && strings.Count(q, "?") == len(args) && sqldb.AllPlain(args) {
		return sqldb.Query(db, q, args...)
	}
	return db.Raw(q, args...).Rows()
}
