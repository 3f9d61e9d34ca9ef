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
