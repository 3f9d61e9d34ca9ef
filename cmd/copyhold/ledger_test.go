package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/migrations/dbtest"
)

func TestLedgerVerifyCheckpoint(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			if out, err := runCmd(t, vars, "", "demo"); err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			ctx := context.Background()
			c := config{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"], RegisterKey: vars["COPYHOLD_REGISTER_KEY"]}
			key, err := registerKey(c, true)
			if err != nil {
				t.Fatal(err)
			}
			db, err := openDB(ctx, c, false)
			if err != nil {
				t.Fatal(err)
			}
			rl := equitystore.NewRoll(db, key)
			if _, ok, err := rl.Integrate(ctx); err != nil || !ok {
				t.Fatalf("integrate: %v %v", ok, err)
			}
			cp, err := rl.Checkpoint(ctx)
			closeDB(db)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			saved := filepath.Join(dir, "saved.checkpoint")
			os.WriteFile(saved, []byte(cp.Note), 0o644)
			out, err := runCmd(t, vars, "", "ledger", "verify", "--checkpoint", saved)
			if err != nil || !strings.Contains(out, "extends the saved checkpoint") || !strings.Contains(out, "signatures checked") {
				t.Fatalf("verify --checkpoint: %v\n%s", err, out)
			}
			// A checkpoint of a longer tree, signed by the key: the register was rolled back.
			longer, _ := roll.Sign(roll.Checkpoint{Origin: key.Signer.Name(), Size: cp.Size + 5, Root: cp.Root}, key.Signer)
			os.WriteFile(saved, longer, 0o644)
			if out, err := runCmd(t, vars, "", "ledger", "verify", "--checkpoint", saved); err == nil || !strings.Contains(err.Error(), "dropped") {
				t.Fatalf("verify against a longer checkpoint: %v\n%s", err, out)
			}
			// A checkpoint signed by another key is refused.
			other, _ := roll.GenerateKey(key.Signer.Name())
			ok, _ := roll.ParseKey(other)
			forged, _ := roll.Sign(roll.Checkpoint{Origin: key.Signer.Name(), Size: cp.Size, Root: cp.Root}, ok.Signer)
			os.WriteFile(saved, forged, 0o644)
			if _, err := runCmd(t, vars, "", "ledger", "verify", "--checkpoint", saved); err == nil || !strings.Contains(err.Error(), "signature") {
				t.Fatalf("verify against a checkpoint of another key: %v", err)
			}
			if out, err := runCmd(t, vars, "", "ledger", "verify", "--help"); err != nil || !strings.Contains(out, "-checkpoint") {
				t.Fatalf("ledger verify --help: %v %s", err, out)
			}
		})
	}
}

// ledger verify --witnesses checks every stored cosignature by those
// witnesses against its stored checkpoint.
func TestLedgerVerifyWitnesses(t *testing.T) {
	for _, d := range []dbtest.Dialect{dbtest.SQLite, dbtest.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := dbVars(t, d)
			if out, err := runCmd(t, vars, "", "demo", "--bare"); err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			ctx := context.Background()
			c := config{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"], RegisterKey: vars["COPYHOLD_REGISTER_KEY"]}
			key, err := registerKey(c, true)
			must(t, err)
			db, err := openDB(ctx, c, false)
			must(t, err)
			defer closeDB(db)
			rl := equitystore.NewRoll(db, key)
			_, _, err = rl.Integrate(ctx)
			must(t, err)
			cp, err := rl.Checkpoint(ctx)
			must(t, err)
			wk, _ := roll.GenerateWitnessKey("witness.test")
			w, err := roll.ParseWitnessKey(wk)
			must(t, err)
			msg, err := roll.Cosign([]byte(cp.Note), key.Verifier, w.Signer)
			must(t, err)
			body, sigs, err := roll.OpenCosigned(msg, key.Verifier, []string{w.Verifier})
			must(t, err)
			must(t, rl.AddCosignatures(ctx, body, sigs))

			out, err := runCmd(t, vars, "", "ledger", "verify", "--witnesses", w.Verifier)
			if err != nil || !strings.Contains(out, "witness cosignatures: 1 checked") {
				t.Fatalf("verify --witnesses: %v\n%s", err, out)
			}
			if _, err := runCmd(t, vars, "", "ledger", "verify", "--witnesses", key.Verifier); err == nil || !strings.Contains(err.Error(), "COPYHOLD_WITNESSES") {
				t.Fatalf("a register key as a witness key: %v", err)
			}
			// The operator alters the stored cosignature.
			if d == dbtest.Postgres {
				must(t, db.Exec("ALTER TABLE equity_roll_cosignatures DISABLE TRIGGER USER").Error)
			} else {
				must(t, db.Exec("DROP TRIGGER equity_roll_cosignatures_no_update").Error)
			}
			f := strings.Fields(sigs[0].Line) // "—", name, base64(key hash ‖ time ‖ signature)
			b := []byte(f[2])
			b[30] = map[bool]byte{true: 'B', false: 'A'}[b[30] == 'A'] // a bit inside the Ed25519 signature
			bad := f[0] + " " + f[1] + " " + string(b) + "\n"
			must(t, db.Exec("UPDATE equity_roll_cosignatures SET line = ?", bad).Error)
			if out, err := runCmd(t, vars, "", "ledger", "verify", "--witnesses", w.Verifier); err == nil || !strings.Contains(err.Error(), "witness.test") {
				t.Fatalf("verify --witnesses after the cosignature was altered: %v\n%s", err, out)
			}
		})
	}
}
