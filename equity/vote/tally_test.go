package vote

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// referenceTally is the counting rule written the plain way, with exact
// fractions: quorum when cast/eligible ≥ quorum; ordinary when yes/(yes+no)
// is more than the majority; special when yes/(yes+no), rounded up to a
// whole basis point, is at least the majority; nothing carries without a
// yes or a no.
func referenceTally(eligible int, ballots []Choice, quorumBP, ordinaryBP, specialBP int, special bool) Result {
	r := Result{Eligible: eligible}
	for _, b := range ballots {
		switch b {
		case Yes:
			r.Yes++
		case No:
			r.No++
		default:
			r.Abstain++
		}
	}
	cast := r.Yes + r.No + r.Abstain
	if eligible == 0 {
		r.QuorumMet = true
	} else {
		share := big.NewRat(int64(cast), int64(eligible))
		r.QuorumMet = share.Cmp(big.NewRat(int64(quorumBP), 10000)) >= 0
	}
	majority := false
	if d := r.Yes + r.No; d > 0 {
		share := big.NewRat(int64(r.Yes), int64(d))
		if special {
			// ceil(share × 10000) ≥ bp
			bps := new(big.Rat).Mul(share, big.NewRat(10000, 1))
			ceil := new(big.Int).Quo(bps.Num(), bps.Denom())
			if new(big.Rat).SetInt(ceil).Cmp(bps) < 0 {
				ceil.Add(ceil, big.NewInt(1))
			}
			majority = ceil.Cmp(big.NewInt(int64(specialBP))) >= 0
		} else {
			majority = share.Cmp(big.NewRat(int64(ordinaryBP), 10000)) > 0
		}
	}
	r.Passed = r.QuorumMet && majority
	switch {
	case !r.QuorumMet:
		r.Reason = FailQuorum
	case !majority:
		r.Reason = FailMajority
	}
	return r
}

func genConstitution(t *rapid.T) Constitution {
	c := DefaultConstitution()
	c.QuorumBP = rapid.OneOf(rapid.IntRange(0, 10000), rapid.SampledFrom([]int{0, 2500, 3333, 5000, 6667, 10000})).Draw(t, "quorum_bp")
	c.OrdinaryMajorityBP = rapid.OneOf(rapid.IntRange(5000, 9999), rapid.SampledFrom([]int{5000, 6000, 6667, 7500})).Draw(t, "ordinary_bp")
	c.SpecialMajorityBP = rapid.OneOf(rapid.IntRange(c.OrdinaryMajorityBP, 10000), rapid.Just(max(6667, c.OrdinaryMajorityBP)),
		rapid.Just(10000), rapid.Just(c.OrdinaryMajorityBP)).Draw(t, "special_bp")
	if err := c.Validate(); err != nil {
		t.Fatalf("generated an invalid constitution: %v", err)
	}
	return c
}

// TestTallyMatchesReference: random electorates and ballots against the
// reference, with the edges drawn often: exactly at quorum, ties, all
// abstain, nobody voting, unanimity.
func TestTallyMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genConstitution(t)
		special := rapid.Bool().Draw(t, "special")
		eligible := rapid.IntRange(0, 60).Draw(t, "eligible")
		var ballots []Choice
		switch rapid.IntRange(0, 4).Draw(t, "shape") {
		case 0: // any ballots
			ballots = rapid.SliceOfN(rapid.SampledFrom([]Choice{Yes, No, Abstain}), 0, eligible).Draw(t, "ballots")
		case 1: // exactly at quorum (the fewest ballots that make it), and one fewer
			n := QuorumNeeded(eligible, c.QuorumBP)
			if rapid.Bool().Draw(t, "one fewer") && n > 0 {
				n--
			}
			ballots = rapid.SliceOfN(rapid.SampledFrom([]Choice{Yes, No, Abstain}), n, n).Draw(t, "ballots")
		case 2: // a tie, with some abstentions
			k := rapid.IntRange(0, eligible/2).Draw(t, "k")
			a := rapid.IntRange(0, eligible-2*k).Draw(t, "abstain")
			for i := 0; i < k; i++ {
				ballots = append(ballots, Yes, No)
			}
			for i := 0; i < a; i++ {
				ballots = append(ballots, Abstain)
			}
		case 3: // everyone who votes abstains
			n := rapid.IntRange(0, eligible).Draw(t, "n")
			for i := 0; i < n; i++ {
				ballots = append(ballots, Abstain)
			}
		case 4: // a share near a majority: yes of yes+no around the threshold
			d := rapid.IntRange(1, max(1, eligible)).Draw(t, "decided")
			if d > eligible {
				eligible = d
			}
			bp := c.MajorityBP(special)
			yes := int(int64(bp)*int64(d)/10000) + rapid.IntRange(-1, 1).Draw(t, "delta")
			yes = min(max(yes, 0), d)
			for i := 0; i < d; i++ {
				if i < yes {
					ballots = append(ballots, Yes)
				} else {
					ballots = append(ballots, No)
				}
			}
		}
		got := Tally(eligible, ballots, c, special)
		want := referenceTally(eligible, ballots, c.QuorumBP, c.OrdinaryMajorityBP, c.SpecialMajorityBP, special)
		if got != want {
			t.Fatalf("Tally(%d, %v, quorum %d, ordinary %d, special %d, special=%v) = %+v, reference %+v",
				eligible, ballots, c.QuorumBP, c.OrdinaryMajorityBP, c.SpecialMajorityBP, special, got, want)
		}
		if got.Cast() >= QuorumNeeded(eligible, c.QuorumBP) != got.QuorumMet {
			t.Fatalf("QuorumNeeded(%d, %d) = %d disagrees with the tally (%d cast, met %v)", eligible, c.QuorumBP,
				QuorumNeeded(eligible, c.QuorumBP), got.Cast(), got.QuorumMet)
		}
	})
}

// The edges, by hand, under the default constitution.
func TestTallyEdges(t *testing.T) {
	c := DefaultConstitution() // quorum 25 %, ordinary > 50 %, special 2/3
	rep := func(ch Choice, n int) []Choice {
		out := make([]Choice, n)
		for i := range out {
			out[i] = ch
		}
		return out
	}
	cat := func(xs ...[]Choice) []Choice {
		var out []Choice
		for _, x := range xs {
			out = append(out, x...)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		eligible int
		ballots  []Choice
		special  bool
		passed   bool
		reason   string
	}{
		{"exactly at quorum", 12, rep(Yes, 3), false, true, ""},
		{"one below quorum", 12, rep(Yes, 2), false, false, FailQuorum},
		{"abstentions count for quorum", 12, cat(rep(Yes, 1), rep(Abstain, 2)), false, true, ""},
		{"tie fails an ordinary resolution", 12, cat(rep(Yes, 2), rep(No, 2)), false, false, FailMajority},
		{"all abstain fails", 12, rep(Abstain, 12), false, false, FailMajority},
		{"all abstain fails a special resolution", 12, rep(Abstain, 12), true, false, FailMajority},
		{"nobody votes", 12, nil, false, false, FailQuorum},
		{"exactly two thirds carries a special resolution", 12, cat(rep(Yes, 2), rep(No, 1)), true, true, ""},
		{"just under two thirds fails", 30, cat(rep(Yes, 19), rep(No, 10)), true, false, FailMajority},
		{"a bare majority is not special", 12, cat(rep(Yes, 3), rep(No, 2)), true, false, FailMajority},
		{"no electorate", 0, nil, false, false, FailMajority},
	} {
		r := Tally(tc.eligible, tc.ballots, c, tc.special)
		if r.Passed != tc.passed || r.Reason != tc.reason {
			t.Errorf("%s: %+v, want passed=%v reason=%q", tc.name, r, tc.passed, tc.reason)
		}
	}
}
