package store

import (
	"encoding/json"
	"errors"
	"strconv"

	"gorm.io/gorm"
)

// Register is what the labelling side reads from the equity register, inside
// its own transactions (every method takes the transaction handle, so a
// snapshot sees the register and the work at the same moment): snapshots and
// releases are anchored to the register's head, a snapshot freezes the rate
// cards in force and the units vested for its data and names only the
// contributors who chose to be named, and a member's data export carries
// their ledger postings. Like Ledger it is declared here because the
// register depends on this package, not the other way round: equity/store
// implements it (Reads) and cmd/copyhold wires it in with WithRegister.
type Register interface {
	// Head is the register's current head.
	Head(tx *gorm.DB) (RegisterHead, error)
	// RateCards are the rate cards in force for the projects (the newest
	// version of each), as the JSON a snapshot freezes.
	RateCards(tx *gorm.DB, projectIDs []int64) (json.RawMessage, error)
	// Vested is what vested for the accepted submissions: their vest,
	// correct and reinstate credits, other than pending units and issuance.
	Vested(tx *gorm.DB, submissionIDs []int64) (VestedUnits, error)
	// Earned is the member's own net units per submission: what each
	// moved their holding (vested and receivable) and their pending book by.
	Earned(tx *gorm.DB, memberID int64, submissionIDs []int64) (map[int64]EarnedUnits, error)
	// Named reports, of the members, those who chose to be named; the
	// others appear under a pseudonym.
	Named(tx *gorm.DB, memberIDs []int64) (map[int64]bool, error)
	// Postings calls fn with every posting on the member's own accounts,
	// oldest first.
	Postings(tx *gorm.DB, memberID int64, fn func(MyDataPosting) error) error
	// Units writes an amount of a model's units as a decimal string.
	Units(amount int64) string
}

// RegisterHead is the register's head: the sequence number and hash of its
// newest entry.
type RegisterHead struct {
	Seq  int64
	Hash string
}

// VestedUnits is what vested for a set of submissions.
type VestedUnits struct {
	// Total is every credit: the labellers' shares and the reviewer credits.
	Total int64
	// Labellers is the part credited to each labeller's own accounts, by member id.
	Labellers map[int64]int64
}

// EarnedUnits is what one submission moved a member's books by, in the
// minor units of its model.
type EarnedUnits struct {
	Holding int64
	Pending int64
}

// ErrNoRegister is returned when a store without a register must anchor
// something (a snapshot, a release) to the register's head.
var ErrNoRegister = errors.New("store: no equity register attached (WithRegister): snapshots and releases are anchored to its head")

// noRegister is the register of a store nobody attached one to: the work
// engine runs on its own (tests and benchmarks), nothing has vested, nobody
// is named and a data export has no ledger part; only anchoring to the
// register's head fails, since a snapshot or release without it would
// claim a provenance it does not have.
type noRegister struct{}

func (noRegister) Head(*gorm.DB) (RegisterHead, error) { return RegisterHead{}, ErrNoRegister }
func (noRegister) RateCards(*gorm.DB, []int64) (json.RawMessage, error) {
	return json.RawMessage("[]"), nil
}
func (noRegister) Vested(*gorm.DB, []int64) (VestedUnits, error)   { return VestedUnits{}, nil }
func (noRegister) Named(*gorm.DB, []int64) (map[int64]bool, error) { return map[int64]bool{}, nil }
func (noRegister) Earned(*gorm.DB, int64, []int64) (map[int64]EarnedUnits, error) {
	return map[int64]EarnedUnits{}, nil
}
func (noRegister) Postings(*gorm.DB, int64, func(MyDataPosting) error) error {
	return nil
}
func (noRegister) Units(amount int64) string { return strconv.FormatInt(amount, 10) }
