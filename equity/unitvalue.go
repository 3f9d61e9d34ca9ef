package equity

import "time"

// UnitValueWindow is how recent a distribution must be to be quoted as a
// unit's recent value on project cards.
const UnitValueWindow = 365 * 24 * time.Hour

// unitValueExtra is how many decimals beyond the currency's a value per
// unit keeps (0.0123 EUR a unit needs them).
const unitValueExtra = 4

// UnitValue is what one vested unit of a model received in the model's
// latest distribution: the payouts (the amount less the reserve) over the
// vested units at the record date.
type UnitValue struct {
	ModelID  int64  `json:"model_id"`
	Currency string `json:"currency"`
	// PerUnit is a decimal string with the currency's decimals and four
	// more, rounded down ("0.042100").
	PerUnit       string    `json:"per_unit"`
	Paid          string    `json:"paid"`  // the payouts, in the currency
	Units         string    `json:"units"` // vested units at the record date
	RecordDate    time.Time `json:"record_date"`
	DistributedAt time.Time `json:"distributed_at"`
}

// ValueOfUnit computes a distribution's value per vested unit from its
// stored inputs; false when nobody held units (nothing to divide by).
func ValueOfUnit(in DistributionInputs) (perUnit, paid, units string, ok bool) {
	var total int64
	for _, h := range in.Holders {
		total += h.Units
	}
	if total <= 0 {
		return "", "", "", false
	}
	out := in.Amount - in.ReserveAmount
	v := ToDecimal(out, in.Scale).Div(ToDecimal(total, UnitScale))
	d := in.Scale + unitValueExtra
	return v.Truncate(d).StringFixed(d), Format(out, in.Scale), Format(total, UnitScale), true
}
