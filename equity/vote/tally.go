package vote

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Choice is a ballot's answer.
type Choice string

const (
	Yes     Choice = "yes"
	No      Choice = "no"
	Abstain Choice = "abstain"
)

// ParseChoice accepts yes, no or abstain.
func ParseChoice(s string) (Choice, error) {
	switch c := Choice(s); c {
	case Yes, No, Abstain:
		return c, nil
	}
	return "", ErrInvalidChoice.With("choice %q: vote yes, no or abstain", s)
}

// Why a proposal failed.
const (
	FailQuorum   = "quorum"
	FailMajority = "majority"
)

// Result is a tally: the count and whether it carries.
type Result struct {
	Yes       int    `json:"yes"`
	No        int    `json:"no"`
	Abstain   int    `json:"abstain"`
	Eligible  int    `json:"eligible"`
	QuorumMet bool   `json:"quorum_met"`
	Passed    bool   `json:"passed"`
	Reason    string `json:"reason"`
}

// Cast is the number of ballots, abstentions included.
func (r Result) Cast() int { return r.Yes + r.No + r.Abstain }

// Tally counts ballots by the constitution's rules:
//
//   - quorum: ballots cast, abstentions included, are at least quorum_bp of
//     the eligible members (cast × 10000 ≥ quorum_bp × eligible);
//   - an ordinary resolution carries when yes is more than
//     ordinary_majority_bp of yes + no (yes × 10000 > bp × (yes + no));
//   - a special resolution when the yes share of yes + no, rounded up to a
//     whole basis point, reaches special_majority_bp
//     (yes × 10000 > (bp − 1) × (yes + no)): with the default 6667, exactly
//     two thirds carries, as "two thirds" means (2 of 3 is 6666.67 bp);
//   - with no yes or no votes at all (everyone abstained) nothing carries.
func Tally(eligible int, ballots []Choice, c Constitution, special bool) Result {
	r := Result{Eligible: eligible}
	for _, b := range ballots {
		switch b {
		case Yes:
			r.Yes++
		case No:
			r.No++
		case Abstain:
			r.Abstain++
		}
	}
	return Decide(r, c.QuorumBP, c.MajorityBP(special), special)
}

// Decide applies quorum and majority to counted ballots (see Tally).
func Decide(r Result, quorumBP, majorityBP int, special bool) Result {
	r.QuorumMet = int64(r.Cast())*10000 >= int64(quorumBP)*int64(r.Eligible)
	decided := r.Yes + r.No
	var majority bool
	switch {
	case decided == 0:
		majority = false
	case special:
		majority = int64(r.Yes)*10000 > int64(majorityBP-1)*int64(decided)
	default:
		majority = int64(r.Yes)*10000 > int64(majorityBP)*int64(decided)
	}
	r.Passed = r.QuorumMet && majority
	switch {
	case !r.QuorumMet:
		r.Reason = FailQuorum
	case !majority:
		r.Reason = FailMajority
	default:
		r.Reason = ""
	}
	return r
}

// QuorumNeeded is the fewest ballots that make a quorum of eligible members.
func QuorumNeeded(eligible, quorumBP int) int {
	n := int64(eligible) * int64(quorumBP)
	return int((n + 9999) / 10000)
}

// receiptPrefix marks a receipt token.
const receiptPrefix = "rcpt_"

// NewReceipt is a random token bound to one ballot: 256 bits, shown to the
// voter once. The server keeps only its hash (ReceiptHash).
func NewReceipt() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return receiptPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ValidReceipt checks a receipt's shape.
func ValidReceipt(r string) bool {
	if !strings.HasPrefix(r, receiptPrefix) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(r, receiptPrefix))
	return err == nil && len(b) == 32
}

// ReceiptHash is how a ballot is stored and published: the hex SHA-256 of
// its receipt token.
func ReceiptHash(receipt string) string {
	h := sha256.Sum256([]byte(receipt))
	return hex.EncodeToString(h[:])
}
