package equity_test

import (
	"math/big"
	"slices"
	"testing"

	"copyhold/equity"
	"copyhold/labeling/fault"

	"pgregory.net/rapid"
)

func TestSplitLargestRemainder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		total := rapid.Int64Range(0, 1<<50).Draw(t, "total")
		n := rapid.IntRange(1, 30).Draw(t, "n")
		var hs []equity.Holder
		for i := 0; i < n; i++ {
			hs = append(hs, equity.Holder{MemberID: int64(i + 1), Units: rapid.Int64Range(0, 1<<45).Draw(t, "units")})
		}
		got := equity.SplitLargestRemainder(total, hs)
		var weight int64
		for _, h := range hs {
			weight += h.Units
		}
		if weight == 0 {
			if got != nil {
				t.Fatalf("no units, got %v", got)
			}
			return
		}
		var sum int64
		for _, s := range got {
			sum += s.Amount
			// |amount - total*units/weight| < 1, i.e. |amount*weight - total*units| < weight.
			exact := new(big.Int).Mul(big.NewInt(total), big.NewInt(s.Units))
			diff := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(s.Amount), big.NewInt(weight)), exact)
			if diff.Abs(diff).Cmp(big.NewInt(weight)) >= 0 {
				t.Fatalf("share %+v is more than one minor unit from its quota", s)
			}
		}
		if sum != total {
			t.Fatalf("parts sum to %d, not %d", sum, total)
		}
		// Independent of input order.
		shuffled := slices.Clone(hs)
		perm := rapid.Permutation(shuffled).Draw(t, "perm")
		if again := equity.SplitLargestRemainder(total, perm); !slices.Equal(again, got) {
			t.Fatalf("order changed the split: %v vs %v", again, got)
		}
	})
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"1.5", 1_500_000, ""}, {"0.000001", 1, ""}, {"0.0000001", 0, "amount_precision"},
		{"0", 0, "amount_not_positive"}, {"-2", 0, "amount_not_positive"}, {"abc", 0, "amount_invalid"},
		{"1e30", 0, "amount_out_of_range"}, {"2.500000000", 2_500_000, ""},
	} {
		got, err := equity.ParseAmount(tc.in, equity.UnitScale)
		code := ""
		if e, ok := err.(interface{ Error() string }); ok && err != nil {
			code = e.Error()
			if le, ok := err.(*fault.Error); ok {
				code = le.Code
			}
		}
		if tc.err == "" && (err != nil || got != tc.want) || tc.err != "" && (err == nil || code != tc.err) {
			t.Errorf("ParseAmount(%q) = %d, %v (%s)", tc.in, got, err, code)
		}
	}
	if s := equity.Format(1_500_000, 6); s != "1.500000" {
		t.Errorf("Format = %s", s)
	}
}
