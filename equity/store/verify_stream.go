package store

import (
	"context"
	"slices"
	"sync"

	"copyhold/equity"
	"copyhold/equity/roll"

	"gorm.io/gorm"
)

// streamChunk is how many log seqs verify reads per round of queries (a
// variable for the tests).
var streamChunk int64 = 20000

// storedHash is one row of equity_roll_hashes.
type storedHash struct {
	Idx  int64
	Hash []byte
}

// streamed is one chunk of entries with their transactions, and the stored
// tree hashes of the leaves they are (if the tree has them).
type streamed struct {
	logs   []logEntry
	txs    map[int64]*equity.Transaction
	hashes []storedHash
	err    error
}

// stream is walk for verify: every entry in seq order, and the stored tree
// hashes. Each chunk of streamChunk seqs is four queries that read in index
// order, with no sort and no per-row IN list: the log's seq range, the
// transactions and their postings over the id range those entries name (ids
// and seqs grow together, so the range is about the chunk; when it is far
// wider, an IN list of the ids instead), and the stored hashes of those
// leaves. A reader goroutine fetches the next chunk while this one is
// hashed, so the database and the hashing overlap; it alone uses tx until
// stream returns. Rows are scanned without reflection, transactions encoded
// by appendCanonicalTx. canon and t are only valid during fn; chunkDone gets
// each chunk's stored hashes after its entries. Memory is three chunks.
func (s *entrySource) stream(ctx context.Context, tx *gorm.DB, fn func(l logEntry, canon []byte, t *equity.Transaction) error, chunkDone func([]storedHash) error) error {
	var last int64
	if err := tx.Raw("SELECT COALESCE(MAX(seq), 0) FROM equity_log").Row().Scan(&last); err != nil {
		return err
	}
	chunks := make(chan streamed, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		leaves := int64(0)
		for from := int64(0); from < last; from += streamChunk {
			c := readChunk(tx, from, leaves)
			leaves += int64(len(c.logs))
			select {
			case chunks <- c:
			case <-done:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()
	var buf []byte
	missing := []byte("missing")
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		for _, l := range c.logs {
			var canon []byte
			var t *equity.Transaction
			switch l.Kind {
			case equity.LogTx:
				if t = c.txs[l.RefID]; t == nil {
					canon = missing
				} else {
					buf = appendCanonicalTx(buf[:0], t)
					canon = buf
				}
			default:
				canon = s.canonical(l)
			}
			if err := fn(l, canon, t); err != nil {
				return err
			}
		}
		if err := chunkDone(c.hashes); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// readChunk reads the entries with seq in (from, from+streamChunk], which
// are leaves from leaf on, their transactions and their stored hashes.
func readChunk(tx *gorm.DB, from, leaf int64) streamed {
	c := streamed{txs: make(map[int64]*equity.Transaction, streamChunk)}
	if c.logs, c.err = scanLogRange(tx, nil, from, from+streamChunk); c.err != nil {
		return c
	}
	if c.err = loadTxRange(tx, c.logs, c.txs); c.err != nil {
		return c
	}
	lo, hi := roll.StoredHashCount(leaf), roll.StoredHashCount(leaf+int64(len(c.logs)))
	c.err = rowsOf(tx, "SELECT idx, hash FROM equity_roll_hashes WHERE idx >= ? AND idx < ? ORDER BY idx", []any{lo, hi}, func(rows rowScanner) error {
		for rows.Next() {
			var h storedHash
			if err := rows.Scan(&h.Idx, &h.Hash); err != nil {
				return err
			}
			c.hashes = append(c.hashes, h)
		}
		return nil
	})
	return c
}

func scanLogRange(tx *gorm.DB, logs []logEntry, from, to int64) ([]logEntry, error) {
	err := rowsOf(tx, "SELECT seq, kind, ref_id, prev_hash, hash FROM equity_log WHERE seq > ? AND seq <= ? ORDER BY seq", []any{from, to}, func(rows rowScanner) error {
		for rows.Next() {
			var l logEntry
			if err := rows.Scan(&l.Seq, &l.Kind, &l.RefID, &l.PrevHash, &l.Hash); err != nil {
				return err
			}
			logs = append(logs, l)
		}
		return nil
	})
	return logs, err
}

// loadTxRange reads the transactions the tx entries of logs name, with
// their postings in seq order, into txs.
func loadTxRange(tx *gorm.DB, logs []logEntry, txs map[int64]*equity.Transaction) error {
	var ids []int64
	for _, l := range logs {
		if l.Kind == equity.LogTx {
			ids = append(ids, l.RefID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	lo, hi := ids[0], ids[len(ids)-1]
	txWhere, pWhere, args := "t.id BETWEEN ? AND ?", "tx_id BETWEEN ? AND ?", []any{lo, hi}
	if hi-lo > 4*int64(len(ids))+1000 {
		in := idList(slices.Compact(ids))
		txWhere, pWhere, args = "t.id IN ("+in+")", "tx_id IN ("+in+")", nil
	}
	// The rows come in id order, so the ids they should be are a merge walk
	// over the sorted ids, not a set.
	want := slices.Compact(ids)
	if err := rowsOf(tx, "SELECT "+txColumns+" FROM equity_transactions t WHERE "+txWhere+" ORDER BY t.id", args, func(rows rowScanner) error {
		return scanTxs(rows, func(r txRow) {
			for len(want) > 0 && want[0] < r.ID {
				want = want[1:]
			}
			if len(want) > 0 && want[0] == r.ID {
				t := r.tx()
				txs[r.ID] = &t
			}
		})
	}); err != nil {
		return err
	}
	return rowsOf(tx, "SELECT tx_id, seq, unit, account, amount, category FROM equity_postings WHERE "+pWhere+" ORDER BY tx_id, seq", args, func(rows rowScanner) error {
		return scanPostingRows(rows, txs)
	})
}

// canonical is the bytes of a log entry that is not a transaction ("missing"
// when its row is gone), as walk builds them.
func (s *entrySource) canonical(l logEntry) []byte {
	switch l.Kind {
	case equity.LogRateCard:
		if c, ok := s.cardByID[l.RefID]; ok {
			return equity.CanonicalRateCard(c)
		}
		return []byte("missing")
	case equity.LogGovernance:
		if g, ok := s.govByID[l.RefID]; ok {
			return equity.CanonicalGovernance(g)
		}
		return []byte("missing")
	case equity.LogSnapshot, equity.LogRelease:
		if b, ok := s.anchors[l.Kind][l.RefID]; ok {
			return b
		}
		return []byte("missing")
	default: // collective rule's entries (verify_votes.go)
		return s.votes.canonical(l.Seq, l.Kind, l.RefID)
	}
}

// idSet is a set of positive ids as a bitmap (ids are dense: a million take
// 125 KB), with a map for any outside it.
type idSet struct {
	bits  []uint64
	other map[int64]bool
	n     int64 // distinct ids added
}

func (s *idSet) add(id int64) {
	if id <= 0 || id >= 1<<36 {
		if s.other == nil {
			s.other = map[int64]bool{}
		}
		if !s.other[id] {
			s.other[id] = true
			s.n++
		}
		return
	}
	w := int(id >> 6)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits)+len(s.bits)/2)...)
	}
	if m := uint64(1) << (id & 63); s.bits[w]&m == 0 {
		s.bits[w] |= m
		s.n++
	}
}
