package store_test

import (
	"errors"
	"testing"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

func TestRollCosignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1)
		f.submit(f.members[0])
		k := testKey(t)
		r := store.NewRoll(db, k)
		cp, ok, err := r.Integrate(ctx)
		must(t, err)
		if !ok {
			t.Fatal("no checkpoint")
		}
		wk, err := roll.GenerateWitnessKey("witness.test")
		must(t, err)
		w, err := roll.ParseWitnessKey(wk)
		must(t, err)
		sc, err := r.Checkpoint(ctx)
		must(t, err)
		msg, err := roll.Cosign([]byte(sc.Note), k.Verifier, w.Signer)
		must(t, err)
		got, sigs, err := roll.OpenCosigned(msg, k.Verifier, []string{w.Verifier})
		must(t, err)
		must(t, r.AddCosignatures(ctx, got, sigs))
		must(t, r.AddCosignatures(ctx, got, sigs)) // again: ignored
		stored, err := r.Cosignatures(ctx, cp.Size)
		must(t, err)
		if len(stored) != 1 || stored[0] != sigs[0] {
			t.Fatalf("stored %+v, want %+v", stored, sigs)
		}
		other := got
		other.Root[0] ^= 1
		if err := r.AddCosignatures(ctx, other, sigs); !errors.Is(err, equity.ErrUnknownCheckpoint) {
			t.Fatalf("other root: %v", err)
		}
		other = got
		other.Size++
		if err := r.AddCosignatures(ctx, other, sigs); !errors.Is(err, equity.ErrUnknownCheckpoint) {
			t.Fatalf("unknown size: %v", err)
		}
		if err := db.Exec("DELETE FROM equity_roll_cosignatures").Error; err == nil {
			t.Fatal("deleted a cosignature: the table is not append-only")
		}
	})
}
