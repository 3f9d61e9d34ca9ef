// Package equity is the co-op's ledger of model units: each accepted
// contribution credits its worker with units of the model it helps build.
//
// The domain here is pure: amounts, account names, postings, rate cards,
// governance parameters, the distribution split, statements, the hash chain
// and the invariant checker. Storage lives in equity/store; see docs/LEDGER.md.
package equity

import (
	"copyhold/labeling/fault"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// UnitScale is the scale of every model unit, fixed once: micro-units.
const UnitScale = 6

// MaxScale bounds a currency's scale so that amounts fit in BIGINT.
const MaxScale = 12

// Sentinel errors. Codes are stable; the server maps kinds to statuses.
var (
	ErrNotPositive       = fault.New(fault.KindInvalid, "amount_not_positive", "the amount must be greater than zero")
	ErrPrecision         = fault.New(fault.KindInvalid, "amount_precision", "the amount has more decimals than the unit allows")
	ErrAmountFormat      = fault.New(fault.KindInvalid, "amount_invalid", "the amount is not a decimal number")
	ErrAmountRange       = fault.New(fault.KindInvalid, "amount_out_of_range", "the amount is too large")
	ErrNotMember         = fault.New(fault.KindInvalid, "recipient_not_member", "units can only go to an active member of the co-op")
	ErrSelfTransfer      = fault.New(fault.KindInvalid, "self_transfer", "a transfer needs two different members")
	ErrInsufficient      = fault.New(fault.KindConflict, "insufficient_units", "the account does not hold enough vested units")
	ErrHoldingCap        = fault.New(fault.KindConflict, "holding_cap_exceeded", "this would put the member above the holding cap")
	ErrIdempotency       = fault.New(fault.KindConflict, "idempotency_conflict", "this idempotency key was already used with a different request")
	ErrAlreadyReversed   = fault.New(fault.KindConflict, "already_reversed", "this transaction has already been reversed")
	ErrAlreadyResolved   = fault.New(fault.KindConflict, "already_resolved", "this pending credit has already been vested, corrected or voided")
	ErrNoPending         = fault.New(fault.KindNotFound, "no_pending_credit", "there is no pending credit for this submission")
	ErrNotVested         = fault.New(fault.KindNotFound, "not_vested", "this submission's credit was never vested")
	ErrNoHolders         = fault.New(fault.KindConflict, "no_holders", "nobody held vested units of this model at the record date")
	ErrNoRateCard        = fault.New(fault.KindConflict, "no_rate_card", "this project has no rate card yet; a coordinator must set one")
	ErrInvalidRateCard   = fault.New(fault.KindInvalid, "invalid_rate_card", "the rate card is invalid")
	ErrInvalidGovernance = fault.New(fault.KindInvalid, "invalid_governance", "the governance parameters are invalid")
	ErrScaleMismatch     = fault.New(fault.KindInvalid, "scale_mismatch", "this currency is already used with another scale")
	ErrInvalidCurrency   = fault.New(fault.KindInvalid, "invalid_currency", "currency codes are 3 to 8 capital letters")
	ErrInvalidSuccessor  = fault.New(fault.KindInvalid, "invalid_successor", "the successor must be another active member")
	ErrMemberActive      = fault.New(fault.KindConflict, "member_active", "holdings pass on only when a membership has ended")
	ErrRecordDate        = fault.New(fault.KindInvalid, "invalid_record_date", "the record date must not be in the future")
	ErrIdempotencyKey    = fault.New(fault.KindInvalid, "idempotency_key_required", "send an idempotency key (1-128 printable characters)")
	ErrNotReversible     = fault.New(fault.KindConflict, "not_reversible", "this transaction cannot be reversed this way")
	ErrUnknownModel      = fault.New(fault.KindNotFound, "model_not_found", "model not found")
	ErrUnknownMember     = fault.New(fault.KindNotFound, "member_not_found", "member not found")
	ErrUnknownProject    = fault.New(fault.KindNotFound, "project_not_found", "project not found")
	ErrUnknownTx         = fault.New(fault.KindNotFound, "transaction_not_found", "ledger transaction not found")
)

// ---- amounts ----

// ParseAmount turns a decimal string into minor units of the given scale,
// refusing zero, negatives, extra precision and overflow.
func ParseAmount(s string, scale int32) (int64, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return 0, ErrAmountFormat.With("amount %q is not a decimal number", s)
	}
	return FromDecimal(d, scale)
}

// FromDecimal is ParseAmount for a decimal.Decimal.
func FromDecimal(d decimal.Decimal, scale int32) (int64, error) {
	if d.Sign() <= 0 {
		return 0, ErrNotPositive.With("the amount must be greater than zero, not %s", d.String())
	}
	m := d.Shift(scale)
	if !m.IsInteger() {
		return 0, ErrPrecision.With("amount %s has more than %d decimals", d.String(), scale)
	}
	if m.GreaterThan(decimal.NewFromInt(math.MaxInt64 / 4)) {
		return 0, ErrAmountRange.With("amount %s is too large", d.String())
	}
	return m.IntPart(), nil
}

// ToDecimal turns minor units into a decimal.
func ToDecimal(v int64, scale int32) decimal.Decimal { return decimal.New(v, -scale) }

// Format renders minor units with exactly scale decimals ("1.500000").
func Format(v int64, scale int32) string { return decimal.New(v, -scale).StringFixed(scale) }

// ---- units and accounts ----

// ModelUnit names a model's unit.
func ModelUnit(modelID int64) string { return "unit:" + strconv.FormatInt(modelID, 10) }

// IsModelUnit reports whether unit is a model unit (and not a currency).
func IsModelUnit(unit string) bool { return strings.HasPrefix(unit, "unit:") }

// ValidCurrency accepts currency codes like EUR.
func ValidCurrency(c string) bool {
	if len(c) < 3 || len(c) > 8 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

const (
	// AccountIssuance is where a model's units come from; the only unit
	// account that may go negative (its balance is minus all units issued).
	AccountIssuance = "issuance"
	// AccountRevenue is where money comes from, issuance's twin for currencies.
	AccountRevenue = "revenue"
	// AccountReserve is the co-op's collective, indivisible reserve.
	AccountReserve = "reserve"
)

// Pending, Vested, Receivable and Payout name a member's accounts.
func Pending(member int64) string    { return fmt.Sprintf("member:%d:pending", member) }
func Vested(member int64) string     { return fmt.Sprintf("member:%d:vested", member) }
func Receivable(member int64) string { return fmt.Sprintf("member:%d:receivable", member) }
func Payout(member int64) string     { return fmt.Sprintf("member:%d:payout", member) }

// Distribution names a distribution's transit account.
func Distribution(id int64) string { return fmt.Sprintf("distribution:%d", id) }

// Account is a parsed account name.
type Account struct {
	Kind     string // issuance, revenue, reserve, member, distribution
	MemberID int64  // for member accounts
	Sub      string // pending, vested, receivable, payout
	ID       int64  // for distribution accounts
}

// ParseAccount parses an account name; ok is false for an unknown shape.
func ParseAccount(name string) (Account, bool) {
	switch name {
	case AccountIssuance, AccountRevenue, AccountReserve:
		return Account{Kind: name}, true
	}
	parts := strings.Split(name, ":")
	switch {
	case len(parts) == 3 && parts[0] == "member":
		id, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || id <= 0 {
			return Account{}, false
		}
		switch parts[2] {
		case "pending", "vested", "receivable", "payout":
			return Account{Kind: "member", MemberID: id, Sub: parts[2]}, true
		}
	case len(parts) == 2 && parts[0] == "distribution":
		id, err := strconv.ParseInt(parts[1], 10, 64)
		if err == nil && id > 0 {
			return Account{Kind: "distribution", ID: id}, true
		}
	}
	return Account{}, false
}

// IsSource reports the accounts whose balance is derived, not stored, and
// may be negative: issuance for units, revenue for money.
func IsSource(account string) bool { return account == AccountIssuance || account == AccountRevenue }

// MayBeNegative reports accounts allowed below zero: the sources, and a
// member's receivable (a debt left by a clawback after a transfer).
func MayBeNegative(account string) bool {
	if IsSource(account) {
		return true
	}
	a, ok := ParseAccount(account)
	return ok && a.Kind == "member" && a.Sub == "receivable"
}

// ---- transactions ----

// TxKind says what a transaction did.
type TxKind string

const (
	KindPending      TxKind = "pending"      // issuance → member pending, on submission
	KindVest         TxKind = "vest"         // pending → vested, on acceptance
	KindVoid         TxKind = "void"         // pending → issuance, on rejection
	KindCorrect      TxKind = "correct"      // split between labeller and correcting reviewer
	KindReinstate    TxKind = "reinstate"    // issuance → vested, when a dispute overturns a rejection
	KindClawback     TxKind = "clawback"     // vested → issuance, on overturn
	KindReversal     TxKind = "reversal"     // the exact opposite of an earlier transaction
	KindTransfer     TxKind = "transfer"     // member → member, fee to the reserve
	KindExit         TxKind = "exit"         // a former member's holdings to the successor or reserve
	KindDistribution TxKind = "distribution" // revenue → reserve share + payouts
)

// Category labels a posting for statements.
type Category string

const (
	CatAnnotation Category = "annotation"
	CatCorrection Category = "correction"
	CatReview     Category = "review"
	CatVoid       Category = "void"
	CatClawback   Category = "clawback"
	CatReversal   Category = "reversal"
	CatTransfer   Category = "transfer"
	CatFee        Category = "fee"
	CatExit       Category = "exit"
	CatRevenue    Category = "revenue"
	CatReserve    Category = "reserve_share"
	CatPayout     Category = "payout"
	// CatEntryFee settles a member's entry fee from their vested units
	// into the reserve (docs/GOVERNANCE.md, admission).
	CatEntryFee Category = "entry_fee"
)

// Posting is one leg of a transaction: a signed amount on one account.
// The legs of a transaction sum to zero per unit.
type Posting struct {
	Seq      int      `json:"seq"`
	Unit     string   `json:"unit"`
	Account  string   `json:"account"`
	Amount   int64    `json:"amount"`
	Category Category `json:"category"`
}

// Cause says why a transaction happened, for drill-down.
type Cause struct {
	ProjectID    int64 `json:"project_id,omitempty"`
	ItemID       int64 `json:"item_id,omitempty"`
	SubmissionID int64 `json:"submission_id,omitempty"`
	ReviewID     int64 `json:"review_id,omitempty"`
}

// Transaction is an immutable, balanced set of postings.
type Transaction struct {
	ID           int64     `json:"id"`
	Key          string    `json:"idempotency_key"`
	Kind         TxKind    `json:"kind"`
	ModelID      int64     `json:"model_id,omitempty"`
	ReversesID   int64     `json:"reverses_id,omitempty"`
	ResolvesID   int64     `json:"resolves_id,omitempty"`
	RateCardID   int64     `json:"rate_card_id,omitempty"`
	GovernanceID int64     `json:"governance_id,omitempty"`
	ActorID      int64     `json:"actor_id,omitempty"`
	MemberID     int64     `json:"member_id,omitempty"`
	Cause        Cause     `json:"cause"`
	Reason       string    `json:"reason,omitempty"`
	Meta         string    `json:"meta,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Postings     []Posting `json:"postings"`
	// Existing is true when the idempotency key had already been used with
	// the same body: nothing new was written.
	Existing bool `json:"existing,omitempty"`
}

// CheckBalanced verifies the posting rules: at least two legs, no zero
// legs, and the legs of each unit sum to zero.
func CheckBalanced(ps []Posting) error {
	if len(ps) < 2 {
		return fmt.Errorf("a transaction needs at least two postings, has %d", len(ps))
	}
	sums := map[string]int64{}
	for _, p := range ps {
		if p.Amount == 0 {
			return fmt.Errorf("posting %d on %s is zero", p.Seq, p.Account)
		}
		sums[p.Unit] += p.Amount
	}
	for u, s := range sums {
		if s != 0 {
			return fmt.Errorf("postings in %s sum to %d, not zero", u, s)
		}
	}
	return nil
}

// ValidKey checks a client-chosen idempotency key.
func ValidKey(k string) error {
	if len(k) == 0 || len(k) > 128 {
		return ErrIdempotencyKey
	}
	for _, r := range k {
		if r < 0x21 || r > 0x7e {
			return ErrIdempotencyKey.With("idempotency keys use printable ASCII without spaces")
		}
	}
	return nil
}
