package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// integrateBatch bounds how many queued entries one integration takes; the
// rest wait for the next round (Run calls again about every second).
const integrateBatch = 5000

// Integrate is the register's sequencer and integrator in one transaction,
// one instance at a time (integrateLock). It takes the entries that have
// committed into the queue, in queue order, gives each its place in the log
// (seq and chain hash) and in the tree, deletes exactly the queue rows it
// took, stores the tree's new hashes and signs a checkpoint. Every committed
// entry therefore enters the log once, in one total order, and checkpoints
// cover only integrated entries. It reports the new checkpoint, or ok false
// when the tree did not grow.
func (r *Roll) Integrate(ctx context.Context) (cp roll.Checkpoint, ok bool, err error) {
	if r.key == nil {
		return cp, false, errors.New("roll: no signing key")
	}
	err = sqldb.InTx(sqldb.WithClock(ctx, r.clock), r.db, func(tx *gorm.DB) error {
		ok = false
		if err := integrateLock(tx); err != nil {
			return err
		}
		size, err := treeSize(tx)
		if err != nil {
			return err
		}
		h, err := head(tx)
		if err != nil {
			return err
		}
		t := &treeGrowth{hashes: &txHashes{tx: tx, base: roll.StoredHashCount(size)}, n: size}
		// Entries sequenced before the queue existed but not yet in the tree.
		if h.Seq > size {
			if err := t.takeLog(ctx, tx); err != nil {
				return err
			}
		}
		if h, err = t.sequence(tx, h); err != nil {
			return err
		}
		if t.n == size {
			return nil
		}
		if err := t.store(tx); err != nil {
			return err
		}
		root, err := roll.TreeHash(t.n, t.hashes)
		if err != nil {
			return err
		}
		cp = roll.Checkpoint{Origin: r.key.Signer.Name(), Size: t.n, Root: root}
		note, err := roll.Sign(cp, r.key.Signer)
		if err != nil {
			return err
		}
		if err := tx.Exec("INSERT INTO equity_roll_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)",
			t.n, root[:], string(note), sqldb.Now(tx)).Error; err != nil {
			return fmt.Errorf("roll: store checkpoint: %w", err)
		}
		ok = true
		// Members' browsers turn "pending" lines into "in the register".
		return event.Append(tx, "register.checkpoint", event.CoopScope, nil, map[string]any{
			"size": t.n, "root": base64.StdEncoding.EncodeToString(root[:])})
	})
	return cp, ok, err
}

// treeGrowth is the tree being extended in one integration.
type treeGrowth struct {
	hashes *txHashes
	n      int64 // leaves so far
}

func (t *treeGrowth) add(kind string, ref int64, canon []byte) error {
	hs, err := roll.StoredHashes(t.n, roll.Leaf(kind, ref, canon), t.hashes)
	if err != nil {
		return err
	}
	t.hashes.pending = append(t.hashes.pending, hs...)
	t.n++
	return nil
}

// takeLog adds the log entries beyond the tree (from an installation that
// wrote its log before the queue existed).
func (t *treeGrowth) takeLog(ctx context.Context, tx *gorm.DB) error {
	src, err := newEntrySource(tx)
	if err != nil {
		return err
	}
	return src.walk(ctx, tx, t.n, 0, func(l logEntry, canon []byte, _ *equity.Transaction) error {
		if l.Seq != t.n+1 {
			return fmt.Errorf("roll: log entry %d follows %d: a gap in the log", l.Seq, t.n)
		}
		return t.add(l.Kind, l.RefID, canon)
	})
}

// sequence takes up to integrateBatch committed queue entries after head h:
// it appends them to the log and the tree, moves the head, deletes the rows
// it took (by entry number: a row that commits meanwhile with a lower
// number stays for the next round), and returns the new head.
func (t *treeGrowth) sequence(tx *gorm.DB, h equity.Head) (equity.Head, error) {
	if h.Seq != t.n {
		return h, fmt.Errorf("roll: the log has %d entries but the tree %d", h.Seq, t.n)
	}
	var qs []queued
	if err := tx.Raw("SELECT entry, kind, ref_id FROM equity_log_queue ORDER BY entry LIMIT ?", integrateBatch).Scan(&qs).Error; err != nil {
		return h, fmt.Errorf("roll: read queue: %w", err)
	}
	if len(qs) == 0 {
		return h, nil
	}
	canon, err := queuedBytes(tx, qs)
	if err != nil {
		return h, err
	}
	now := sqldb.Now(tx)
	entries := make([]int64, len(qs))
	for start := 0; start < len(qs); start += 500 {
		end := min(start+500, len(qs))
		var sb strings.Builder
		args := make([]any, 0, 6*(end-start))
		sb.WriteString("INSERT INTO equity_log (seq, kind, ref_id, prev_hash, hash, created_at) VALUES ")
		for i := start; i < end; i++ {
			q := qs[i]
			hash := equity.ChainHash(h.Hash, canon[i])
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, h.Seq+1, q.Kind, q.RefID, h.Hash, hash, now)
			h = equity.Head{Seq: h.Seq + 1, Hash: hash}
			entries[i] = q.Entry
			if err := t.add(q.Kind, q.RefID, canon[i]); err != nil {
				return h, err
			}
		}
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return h, fmt.Errorf("roll: append log: %w", err)
		}
		if err := tx.Exec("DELETE FROM equity_log_queue WHERE entry IN (" + idList(entries[start:end]) + ")").Error; err != nil {
			return h, fmt.Errorf("roll: take queue: %w", err)
		}
	}
	if err := tx.Exec("UPDATE equity_log_head SET seq = ?, hash = ? WHERE id = 1", h.Seq, h.Hash).Error; err != nil {
		return h, fmt.Errorf("roll: move head: %w", err)
	}
	return h, nil
}

// store writes the hashes this integration computed.
func (t *treeGrowth) store(tx *gorm.DB) error {
	h := t.hashes
	for i := 0; i < len(h.pending); i += 500 {
		j := min(i+500, len(h.pending))
		var sb strings.Builder
		args := make([]any, 0, 2*(j-i))
		sb.WriteString("INSERT INTO equity_roll_hashes (idx, hash) VALUES ")
		for k := i; k < j; k++ {
			if k > i {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?)")
			args = append(args, h.base+int64(k), h.pending[k][:])
		}
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("roll: store hashes: %w", err)
		}
	}
	return nil
}
