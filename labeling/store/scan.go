package store

import "gorm.io/gorm"

// scanRaw is db.Raw(q, args...).Scan(dest) without Scan's recorder: Scan
// hands GORM's logger a recorder that formats every statement with its
// values (logger.ExplainSQL, regexps), whether or not anything is logged.
// For the reads on the claim and submit paths.
func scanRaw(db *gorm.DB, dest any, q string, args ...any) error {
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
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
