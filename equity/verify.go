package equity

import (
	"fmt"
	"sort"
)

// Break names the first broken entry found by verification.
type Break struct {
	Seq    int64  `json:"seq"` // log sequence (0: not tied to one entry)
	Kind   string `json:"kind,omitempty"`
	RefID  int64  `json:"ref_id,omitempty"`
	Reason string `json:"reason"`
}

func (b Break) String() string {
	if b.Seq == 0 {
		return b.Reason
	}
	return fmt.Sprintf("entry %d (%s %d): %s", b.Seq, b.Kind, b.RefID, b.Reason)
}

// Verifier recomputes the hash chain and every ledger invariant from the
// log, entry by entry (streaming: memory grows with accounts, not entries).
type Verifier struct {
	members map[int64]bool // id → active
	prev    string
	seq     int64
	bal     map[balKey]int64
	lastSeq map[balKey]int64
	Entries int64 // on the log
	Pending int64 // committed, waiting in the queue for the integrator
	Txs     int64
	First   *Break
}

type balKey struct{ unit, account string }

// NewVerifier starts a verification; members maps every member id to whether
// the membership is active.
func NewVerifier(members map[int64]bool) *Verifier {
	return &Verifier{members: members, prev: GenesisHash, bal: map[balKey]int64{}, lastSeq: map[balKey]int64{}}
}

func (v *Verifier) fail(b Break) {
	if v.First == nil {
		v.First = &b
	}
}

// Entry checks one log entry. canonical is rebuilt from the stored rows (not
// read from the log), so a changed amount changes the hash. tx is nil for
// governance entries.
func (v *Verifier) Entry(seq int64, kind string, refID int64, storedPrev, storedHash string, canonical []byte, tx *Transaction) {
	v.Entries++
	brk := func(format string, args ...any) {
		v.fail(Break{Seq: seq, Kind: kind, RefID: refID, Reason: fmt.Sprintf(format, args...)})
	}
	if seq != v.seq+1 {
		brk("sequence jumps from %d to %d", v.seq, seq)
	}
	v.seq = seq
	if storedPrev != v.prev {
		brk("previous hash %s does not match the chain (%s)", short(storedPrev), short(v.prev))
	}
	if h := ChainHash(v.prev, canonical); h != storedHash {
		brk("hash mismatch: stored %s, recomputed %s (the entry or its postings were changed)", short(storedHash), short(h))
	}
	v.prev = storedHash
	v.check(seq, kind, refID, tx)
}

// Queued checks an entry that has committed but has not yet been given its
// place on the log by the integrator: the invariants of its transaction (nil
// for other entries), in queue order, after every logged entry.
func (v *Verifier) Queued(kind string, refID int64, tx *Transaction) {
	v.Pending++
	v.check(0, kind, refID, tx)
}

func (v *Verifier) check(seq int64, kind string, refID int64, tx *Transaction) {
	brk := func(format string, args ...any) {
		v.fail(Break{Seq: seq, Kind: kind, RefID: refID, Reason: fmt.Sprintf(format, args...)})
	}
	if tx == nil {
		return
	}
	v.Txs++
	if err := CheckBalanced(tx.Postings); err != nil {
		brk("unbalanced: %v", err)
	}
	for _, p := range tx.Postings {
		a, ok := ParseAccount(p.Account)
		switch {
		case !ok:
			brk("unknown account %q", p.Account)
		case a.Kind == "member":
			if _, known := v.members[a.MemberID]; !known {
				brk("units on %s, which is not a member", p.Account)
			}
			if (a.Sub == "payout") == IsModelUnit(p.Unit) {
				brk("account %s cannot hold %s", p.Account, p.Unit)
			}
		case a.Kind == AccountIssuance && !IsModelUnit(p.Unit), a.Kind == AccountRevenue && IsModelUnit(p.Unit):
			brk("account %s cannot hold %s", p.Account, p.Unit)
		}
		k := balKey{p.Unit, p.Account}
		v.bal[k] += p.Amount
		v.lastSeq[k] = seq
	}
	for _, p := range tx.Postings {
		b := v.bal[balKey{p.Unit, p.Account}]
		if b < 0 && !MayBeNegative(p.Account) {
			brk("%s goes negative in %s (%d)", p.Account, p.Unit, b)
		}
		if b > 0 && MayBeNegative(p.Account) && !IsSource(p.Account) {
			brk("receivable %s is positive in %s (%d)", p.Account, p.Unit, b)
		}
	}
}

// StoredBalance is one row of the balances table.
type StoredBalance struct {
	Unit    string
	Account string
	Balance int64
}

// Finish compares the replayed balances with the stored counters and the
// log head, and checks the supply identity per unit:
// issued = vested + pending + reserve + distribution + receivable.
func (v *Verifier) Finish(stored []StoredBalance, headSeq int64, headHash string) {
	if headSeq != v.seq || headHash != v.prev {
		v.fail(Break{Seq: v.seq, Reason: fmt.Sprintf("log head says entry %d %s, chain ends at %d %s", headSeq, short(headHash), v.seq, short(v.prev))})
	}
	seen := map[balKey]bool{}
	var bad []Break
	for _, s := range stored {
		k := balKey{s.Unit, s.Account}
		seen[k] = true
		if IsSource(s.Account) {
			bad = append(bad, Break{Reason: fmt.Sprintf("source account %s has a stored balance in %s", s.Account, s.Unit)})
			continue
		}
		if want := v.bal[k]; want != s.Balance {
			bad = append(bad, Break{Seq: v.lastSeq[k], Kind: LogTx, Reason: fmt.Sprintf("stored balance of %s in %s is %d, postings sum to %d", s.Account, s.Unit, s.Balance, want)})
		}
	}
	supply := map[string]int64{}
	source := map[string]int64{}
	for k, b := range v.bal {
		if IsSource(k.account) {
			source[k.unit] += b
			continue
		}
		supply[k.unit] += b
		if !seen[k] && b != 0 {
			bad = append(bad, Break{Seq: v.lastSeq[k], Kind: LogTx, Reason: fmt.Sprintf("%s in %s has no stored balance but postings sum to %d", k.account, k.unit, b)})
		}
		if a, ok := ParseAccount(k.account); ok && a.Kind == "member" && a.Sub == "vested" && b != 0 && !v.members[a.MemberID] {
			bad = append(bad, Break{Seq: v.lastSeq[k], Kind: LogTx, Reason: fmt.Sprintf("%s holds %d of %s but the membership has ended", k.account, b, k.unit)})
		}
	}
	for u, s := range supply {
		if s+source[u] != 0 {
			bad = append(bad, Break{Reason: fmt.Sprintf("%s: issued %d but accounts hold %d", u, -source[u], s)})
		}
	}
	// Report the earliest entry among the end-of-run findings.
	sort.SliceStable(bad, func(i, j int) bool {
		if (bad[i].Seq == 0) != (bad[j].Seq == 0) {
			return bad[j].Seq == 0
		}
		return bad[i].Seq < bad[j].Seq
	})
	for _, b := range bad {
		v.fail(b)
	}
}

// OK reports whether nothing was broken.
func (v *Verifier) OK() bool { return v.First == nil }

// Head is the last hash of the chain as replayed.
func (v *Verifier) Head() (int64, string) { return v.seq, v.prev }

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
