package equity

import (
	"math/big"
	"sort"
)

// Holder is a weight in a pro-rata split: a member and their vested units.
type Holder struct {
	MemberID int64 `json:"member_id"`
	Units    int64 `json:"units"`
}

// Share is a holder's part of a split.
type Share struct {
	MemberID int64  `json:"member_id,omitempty"`
	Holder   string `json:"holder,omitempty"` // a pseudonym, on the public register, for a holder who hides their name
	Units    int64  `json:"units"`
	Amount   int64  `json:"amount"`
}

// SplitLargestRemainder divides total (minor units) over holders in
// proportion to their units by the largest-remainder (Hamilton) method:
// everyone gets the floor of their exact quota, and the minor units left
// over go one each to the largest fractional remainders (ties: lower member
// id first). The parts add up to total exactly, each is within one minor unit
// of its exact quota, and the result does not depend on the input order.
// Holders with zero units are dropped; it returns nil when nobody holds units.
func SplitLargestRemainder(total int64, holders []Holder) []Share {
	hs := make([]Holder, 0, len(holders))
	var weight big.Int
	for _, h := range holders {
		if h.Units > 0 {
			hs = append(hs, h)
			weight.Add(&weight, big.NewInt(h.Units))
		}
	}
	if len(hs) == 0 || weight.Sign() == 0 {
		return nil
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].MemberID < hs[j].MemberID })
	out := make([]Share, len(hs))
	rems := make([]*big.Int, len(hs))
	T := big.NewInt(total)
	given := int64(0)
	for i, h := range hs {
		p := new(big.Int).Mul(T, big.NewInt(h.Units))
		q, r := new(big.Int).QuoRem(p, &weight, new(big.Int))
		out[i] = Share{MemberID: h.MemberID, Units: h.Units, Amount: q.Int64()}
		rems[i] = r
		given += q.Int64()
	}
	order := make([]int, len(hs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	for k := int64(0); k < total-given; k++ {
		out[order[k]].Amount++
	}
	return out
}
