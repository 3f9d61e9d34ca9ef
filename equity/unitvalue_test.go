package equity_test

import (
	"testing"

	"copyhold/equity"
)

func TestValueOfUnit(t *testing.T) {
	for _, tc := range []struct {
		name             string
		in               equity.DistributionInputs
		per, paid, units string
		ok               bool
	}{
		// 100.00 EUR, 10.00 to the reserve, 90.00 over 3 units: 30 a unit.
		{"even", equity.DistributionInputs{Scale: 2, Amount: 10000, ReserveAmount: 1000,
			Holders: []equity.Share{{Units: 1_000_000}, {Units: 2_000_000}}}, "30.000000", "90.00", "3.000000", true},
		// 1.00 over 3 units: 0.333333…, rounded down at six decimals.
		{"thirds", equity.DistributionInputs{Scale: 2, Amount: 100, Holders: []equity.Share{{Units: 3_000_000}}},
			"0.333333", "1.00", "3.000000", true},
		// 5 JPY over 0.000001 units: a large value stays exact.
		{"tiny holding", equity.DistributionInputs{Scale: 0, Amount: 5, Holders: []equity.Share{{Units: 1}}},
			"5000000.0000", "5", "0.000001", true},
		{"no holders", equity.DistributionInputs{Scale: 2, Amount: 100}, "", "", "", false},
	} {
		per, paid, units, ok := equity.ValueOfUnit(tc.in)
		if per != tc.per || paid != tc.paid || units != tc.units || ok != tc.ok {
			t.Errorf("%s: ValueOfUnit = %q %q %q %v, want %q %q %q %v", tc.name, per, paid, units, ok, tc.per, tc.paid, tc.units, tc.ok)
		}
	}
}
