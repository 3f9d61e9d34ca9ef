package store

import (
	"fmt"

	"copyhold/equity"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// The entry fee (docs/GOVERNANCE.md): on admission a member owes the
// co-op's reserve the entry rule's fee, fixed in units. The debt is recorded
// once (equity_entry_fees, append-only) and settled by entry_fee postings
// (member vested → reserve) inside the member's next vestings, until paid.

// RecordEntryFee records what a newly admitted member owes: the entry rule's
// fee in force now (nothing when it is zero). Idempotent: a member owes at
// most one entry fee. proposalID is the admission proposal (0: by invite).
func RecordEntryFee(tx *gorm.DB, memberID, proposalID int64) (int64, error) {
	r, err := NewRules().EntryRule(tx)
	if err != nil || r.EntryFee <= 0 {
		return 0, err
	}
	var pid any
	if proposalID > 0 {
		pid = proposalID
	}
	err = tx.Exec(`INSERT INTO equity_entry_fees (member_id, fee, proposal_id, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (member_id) DO NOTHING`, memberID, r.EntryFee, pid, sqldb.Now(tx)).Error
	return r.EntryFee, err
}

// EntryFee is what a member owes on entry and what their vestings settled.
type EntryFee struct {
	MemberID int64 `json:"member_id"`
	Fee      int64 `json:"fee"`
	Settled  int64 `json:"settled"`
}

// Owed is what remains to settle.
func (f EntryFee) Owed() int64 { return f.Fee - f.Settled }

// MemberEntryFee reads a member's entry fee (zero Fee: none).
func MemberEntryFee(tx *gorm.DB, memberID int64) (EntryFee, error) {
	f := EntryFee{MemberID: memberID}
	var fees []int64
	if err := tx.Raw("SELECT fee FROM equity_entry_fees WHERE member_id = ?", memberID).Scan(&fees).Error; err != nil || len(fees) == 0 {
		return f, err
	}
	f.Fee = fees[0]
	err := tx.Raw("SELECT COALESCE(SUM(amount), 0) FROM equity_postings WHERE account = ? AND category = ?",
		equity.Vested(memberID), string(equity.CatEntryFee)).Scan(&f.Settled).Error
	f.Settled = -f.Settled
	return f, err
}

// feeLegs settle up to `from` vested units of what the member still owes of
// the entry fee f (none when nothing is owed).
func feeLegs(unit string, member int64, f EntryFee, from int64) []equity.Posting {
	pay := min(from, f.Owed())
	if pay <= 0 {
		return nil
	}
	return []equity.Posting{
		{Unit: unit, Account: equity.Vested(member), Amount: -pay, Category: equity.CatEntryFee},
		{Unit: unit, Account: equity.AccountReserve, Amount: pay, Category: equity.CatEntryFee},
	}
}

// verifyEntryFees checks that no member settled more than they owed, and
// that entry-fee settlements are only for members who owe a fee.
func verifyEntryFees(tx *gorm.DB) (string, error) {
	var rows []struct {
		Account string
		Settled int64
	}
	if err := tx.Raw(`SELECT account, -SUM(amount) AS settled FROM equity_postings WHERE category = ? AND account <> ? GROUP BY account ORDER BY account`,
		string(equity.CatEntryFee), equity.AccountReserve).Scan(&rows).Error; err != nil {
		return "", err
	}
	for _, r := range rows {
		var id int64
		if n, _ := fmt.Sscanf(r.Account, "member:%d:vested", &id); n != 1 || equity.Vested(id) != r.Account {
			return "entry fee settled from " + r.Account + ", which is not a member's vested account", nil
		}
		f, err := MemberEntryFee(tx, id)
		if err != nil {
			return "", err
		}
		if r.Settled > f.Fee {
			return "member " + r.Account + " settled " + equity.Format(r.Settled, equity.UnitScale) + " units of entry fee but owed " + equity.Format(f.Fee, equity.UnitScale), nil
		}
	}
	return "", nil
}
