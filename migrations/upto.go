package migrations

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// UpTo applies the pending migrations up to and including version (tests of
// an upgrade path use it).
func UpTo(ctx context.Context, db *gorm.DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate up to %d: %w", version, err)
	}
	return nil
}
