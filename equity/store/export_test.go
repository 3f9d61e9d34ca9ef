package store

import (
	"context"

	"copyhold/equity"
	"copyhold/equity/roll"

	"gorm.io/gorm"
)

// ForgeChain is the hostile operator of the attack tests: with the
// append-only triggers already out of the way, it recomputes the whole hash
// chain and the tree's stored hashes from the current rows with the
// project's own code (it cannot sign: it has no key).
func ForgeChain(ctx context.Context, db *gorm.DB) error {
	src, err := newEntrySource(db)
	if err != nil {
		return err
	}
	type up struct {
		seq        int64
		prev, hash string
	}
	var ups []up
	var mem roll.MemoryHashes
	prev := equity.GenesisHash
	if err := src.walk(ctx, db, 0, 0, func(l logEntry, canon []byte, _ *equity.Transaction) error {
		h := equity.ChainHash(prev, canon)
		ups = append(ups, up{l.Seq, prev, h})
		prev = h
		return mem.Append(int64(len(ups)-1), roll.Leaf(l.Kind, l.RefID, canon))
	}); err != nil {
		return err
	}
	for _, u := range ups {
		if err := db.Exec("UPDATE equity_log SET prev_hash = ?, hash = ? WHERE seq = ?", u.prev, u.hash, u.seq).Error; err != nil {
			return err
		}
	}
	if len(ups) > 0 {
		if err := db.Exec("UPDATE equity_log_head SET seq = ?, hash = ? WHERE id = 1", ups[len(ups)-1].seq, prev).Error; err != nil {
			return err
		}
	}
	var size int64
	if err := db.Raw("SELECT COALESCE(MAX(size), 0) FROM equity_roll_checkpoints").Scan(&size).Error; err != nil {
		return err
	}
	if size > int64(len(ups)) {
		size = int64(len(ups))
	}
	if err := db.Exec("DELETE FROM equity_roll_hashes").Error; err != nil {
		return err
	}
	for i := int64(0); i < roll.StoredHashCount(size); i++ {
		if err := db.Exec("INSERT INTO equity_roll_hashes (idx, hash) VALUES (?, ?)", i, mem[i][:]).Error; err != nil {
			return err
		}
	}
	return nil
}

// SetStreamChunk makes verify read n entries per chunk until the returned
// function restores it.
func SetStreamChunk(n int64) (restore func()) {
	old := streamChunk
	streamChunk = n
	return func() { streamChunk = old }
}
