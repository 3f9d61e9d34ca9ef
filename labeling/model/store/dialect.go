package store

// Everything in this package that differs between SQLite and PostgreSQL:
// a read that is about to be written back takes the row lock on
// PostgreSQL; SQLite's single writer (BEGIN IMMEDIATE) already serialises it.

import (
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

func forUpdate(tx *gorm.DB) string {
	if sqldb.IsPostgres(tx) {
		return " FOR UPDATE"
	}
	return ""
}
