package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// Roll is the court roll as a transparency log: the tree's stored hashes
// over equity_log and the signed checkpoints (docs/LEDGER.md). Integrate
// takes committed entries into the tree; the rest only reads.
type Roll struct {
	db    *gorm.DB
	clock sqldb.Clock
	key   *roll.Key // nil: read-only (no signing)

	mu       sync.Mutex
	lastSign time.Time
}

// NewRoll returns the roll on db, signing with key (nil: it cannot integrate).
func NewRoll(db *gorm.DB, key *roll.Key) *Roll { return &Roll{db: db, key: key} }

// WithClock makes r's transactions read time from c.
func (r *Roll) WithClock(c sqldb.Clock) *Roll { r.clock = c; return r }

// VerifierKey is the key that verifies r's checkpoints ("" without a key).
func (r *Roll) VerifierKey() string {
	if r.key == nil {
		return ""
	}
	return r.key.Verifier
}

// StoredCheckpoint is one row of the signed checkpoints.
type StoredCheckpoint = roll.Signed

type checkpointRow struct {
	Size      int64
	Root      []byte
	Note      string
	CreatedAt time.Time
}

func (c checkpointRow) stored() StoredCheckpoint {
	s := StoredCheckpoint{Size: c.Size, Note: c.Note, CreatedAt: c.CreatedAt}
	copy(s.Root[:], c.Root)
	return s
}

// latestCheckpoint is the newest checkpoint in tx (ok false when none).
func latestCheckpoint(tx *gorm.DB) (StoredCheckpoint, bool, error) {
	var rows []checkpointRow
	if err := tx.Raw("SELECT size, root, note, created_at FROM equity_roll_checkpoints ORDER BY size DESC LIMIT 1").Scan(&rows).Error; err != nil {
		return StoredCheckpoint{}, false, err
	}
	if len(rows) == 0 {
		return StoredCheckpoint{}, false, nil
	}
	return rows[0].stored(), true, nil
}

// treeSize is the number of leaves the stored hashes cover: the latest
// checkpoint's size (hashes and checkpoint are written together).
func treeSize(tx *gorm.DB) (int64, error) {
	c, ok, err := latestCheckpoint(tx)
	if err != nil || !ok {
		return 0, err
	}
	return c.Size, nil
}

// txHashes reads stored hashes in tx, with the hashes of this integration
// not yet written (pending, from storage index base) first. Stored hashes
// once read are kept: appending leaf after leaf reads the same few subtree
// roots again and again.
type txHashes struct {
	tx      *gorm.DB
	base    int64
	pending []roll.Hash
	seen    map[int64]roll.Hash
}

func (h *txHashes) ReadHashes(idx []int64) ([]roll.Hash, error) {
	out := make([]roll.Hash, len(idx))
	var need []int64
	for i, x := range idx {
		if x >= h.base && x < h.base+int64(len(h.pending)) {
			out[i] = h.pending[x-h.base]
		} else if v, ok := h.seen[x]; ok {
			out[i] = v
		} else {
			need = append(need, x)
		}
	}
	if len(need) == 0 {
		return out, nil
	}
	var rows []struct {
		Idx  int64
		Hash []byte
	}
	if err := h.tx.Raw("SELECT idx, hash FROM equity_roll_hashes WHERE idx IN (" + idList(need) + ")").Scan(&rows).Error; err != nil {
		return nil, err
	}
	got := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		got[r.Idx] = r.Hash
	}
	if h.seen == nil {
		h.seen = map[int64]roll.Hash{}
	}
	for i, x := range idx {
		if x >= h.base && x < h.base+int64(len(h.pending)) {
			continue
		}
		if v, ok := h.seen[x]; ok {
			out[i] = v
			continue
		}
		b, ok := got[x]
		if !ok || len(b) != len(out[i]) {
			return nil, fmt.Errorf("roll: stored hash %d missing", x)
		}
		copy(out[i][:], b)
		h.seen[x] = out[i]
	}
	return out, nil
}

// Run integrates after start and then about every tick until ctx ends,
// signing at most once per minGap and only when the tree grew; errors go to
// logf.
func (r *Roll) Run(ctx context.Context, tick, minGap time.Duration, logf func(string, ...any)) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		r.mu.Lock()
		due := time.Since(r.lastSign) >= minGap
		r.mu.Unlock()
		if due {
			if _, ok, err := r.Integrate(ctx); err != nil && ctx.Err() == nil {
				logf("register tree: integrate: %v", err)
			} else if ok {
				r.mu.Lock()
				r.lastSign = time.Now()
				r.mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Checkpoint is the latest signed checkpoint.
func (r *Roll) Checkpoint(ctx context.Context) (StoredCheckpoint, error) {
	c, ok, err := latestCheckpoint(r.db.WithContext(ctx))
	if err != nil {
		return c, err
	}
	if !ok {
		return c, equity.ErrNoCheckpoint
	}
	return c, nil
}

// Checkpoints are every stored checkpoint in size order.
func (r *Roll) Checkpoints(ctx context.Context) ([]StoredCheckpoint, error) {
	var rows []checkpointRow
	if err := r.db.WithContext(ctx).Raw("SELECT size, root, note, created_at FROM equity_roll_checkpoints ORDER BY size").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]StoredCheckpoint, len(rows))
	for i, c := range rows {
		out[i] = c.stored()
	}
	return out, nil
}

// RollEntry is a leaf of the tree.
type RollEntry = roll.Entry

// Entry is leaf index of the latest checkpoint's tree.
func (r *Roll) Entry(ctx context.Context, index int64) (RollEntry, error) {
	var e RollEntry
	err := r.readTx(ctx, func(tx *gorm.DB) error {
		size, err := treeSize(tx)
		if err != nil {
			return err
		}
		if index < 0 || index >= size {
			return equity.ErrNotInTree
		}
		src, err := newEntrySource(tx)
		if err != nil {
			return err
		}
		return src.walk(ctx, tx, index, 1, func(l logEntry, canon []byte, _ *equity.Transaction) error {
			leaf := roll.Leaf(l.Kind, l.RefID, canon)
			e = RollEntry{Index: l.Seq - 1, Kind: l.Kind, RefID: l.RefID, Leaf: leaf, LeafHash: roll.LeafHash(leaf)}
			return nil
		})
	})
	return e, err
}

// InclusionProof proves leaf index in the tree of size n (≤ the latest checkpoint).
func (r *Roll) InclusionProof(ctx context.Context, index, n int64) (leafHash roll.Hash, proof []roll.Hash, err error) {
	err = r.readTx(ctx, func(tx *gorm.DB) error {
		size, err := treeSize(tx)
		if err != nil {
			return err
		}
		if n > size {
			return equity.ErrBeyondTree
		}
		if index < 0 || index >= n {
			return equity.ErrBadRange
		}
		h := &txHashes{tx: tx}
		lh, err := h.ReadHashes([]int64{roll.StoredHashIndex(0, index)})
		if err != nil {
			return err
		}
		leafHash = lh[0]
		proof, err = roll.InclusionProof(index, n, h)
		return err
	})
	return leafHash, proof, err
}

// ConsistencyProof proves the tree of size from is a prefix of that of size to.
func (r *Roll) ConsistencyProof(ctx context.Context, from, to int64) (proof []roll.Hash, err error) {
	err = r.readTx(ctx, func(tx *gorm.DB) error {
		size, err := treeSize(tx)
		if err != nil {
			return err
		}
		if to > size {
			return equity.ErrBeyondTree
		}
		if from < 0 || from > to {
			return equity.ErrBadRange
		}
		proof, err = roll.ConsistencyProof(from, to, &txHashes{tx: tx})
		return err
	})
	return proof, err
}

// Tile is the hash tile at path (C2SP tlog-tiles, after "tile/"), and
// whether it is full (immutable).
func (r *Roll) Tile(ctx context.Context, path string) (data []byte, full bool, err error) {
	t, err := roll.ParseTile(path)
	if err != nil {
		return nil, false, equity.ErrBadTilePath
	}
	err = r.readTx(ctx, func(tx *gorm.DB) error {
		size, err := treeSize(tx)
		if err != nil {
			return err
		}
		if !roll.TileWithin(t, size) {
			return equity.ErrNotInTree
		}
		data, err = roll.ReadTile(t, &txHashes{tx: tx})
		return err
	})
	return data, t.W == 256, err
}

// readTx is a read-only snapshot of the roll.
func (r *Roll) readTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return (&Store{db: r.db}).readTx(ctx, fn)
}

// AddCosignatures stores verified witness cosignatures on the checkpoint cp,
// which must be a stored checkpoint (same size and root); a witness's second
// cosignature on the same checkpoint is ignored (the first one stays).
func (r *Roll) AddCosignatures(ctx context.Context, cp roll.Checkpoint, sigs []roll.Cosignature) error {
	return sqldb.InTx(sqldb.WithClock(ctx, r.clock), r.db, func(tx *gorm.DB) error {
		var rows []checkpointRow
		if err := tx.Raw("SELECT size, root, note, created_at FROM equity_roll_checkpoints WHERE size = ?", cp.Size).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 || rows[0].stored().Root != cp.Root {
			return equity.ErrUnknownCheckpoint
		}
		if r.key != nil && cp.Origin != r.key.Signer.Name() {
			return equity.ErrUnknownCheckpoint
		}
		for _, s := range sigs {
			if err := tx.Exec("INSERT INTO equity_roll_cosignatures (size, witness, line, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size, witness) DO NOTHING",
				cp.Size, s.Witness, s.Line, sqldb.Now(tx)).Error; err != nil {
				return fmt.Errorf("roll: store cosignature: %w", err)
			}
		}
		return nil
	})
}

// Cosignatures are the stored witness cosignatures on the checkpoint of size n, oldest first.
func (r *Roll) Cosignatures(ctx context.Context, n int64) ([]roll.Cosignature, error) {
	var rows []struct {
		Witness string
		Line    string
	}
	if err := r.db.WithContext(ctx).Raw("SELECT witness, line FROM equity_roll_cosignatures WHERE size = ? ORDER BY created_at, witness", n).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]roll.Cosignature, len(rows))
	for i, x := range rows {
		out[i] = roll.Cosignature{Witness: x.Witness, Line: x.Line}
	}
	return out, nil
}
