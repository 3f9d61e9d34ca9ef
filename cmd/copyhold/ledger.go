package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	equitystore "copyhold/equity/store"
)

// cmdLedger runs ledger subcommands: verify recomputes the register's hash
// chain and every invariant, and fails naming the first broken entry.
func cmdLedger(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "head" && args[0] != "key") {
		fmt.Fprintln(e.stderr, "usage: copyhold ledger verify [flags] | copyhold ledger head [flags] | copyhold ledger key [flags]")
		return fmt.Errorf("ledger: say verify, head or key")
	}
	sub := args[0]
	if sub == "key" {
		return cmdLedgerKey(e, args[1:])
	}
	var c config
	fs := newFlags("ledger "+sub, "Verify the equity register: recompute the SHA-256 hash chain, balances and supply invariants.", e)
	bindConfig(fs, e, &c)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st := equitystore.New(db)
	if sub == "head" {
		h, err := st.Head(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d %s\n", h.Seq, h.Hash)
		return nil
	}
	start := time.Now()
	rep, err := st.Verify(ctx)
	if err != nil {
		return fmt.Errorf("ledger verify: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		fmt.Fprintf(e.stdout, "checked %d entries (%d transactions) in %s; head %d %s\n",
			rep.Entries, rep.Txs, time.Since(start).Round(time.Millisecond), rep.HeadSeq, rep.HeadHash)
	}
	if !rep.OK {
		return fmt.Errorf("ledger verify: BROKEN at %s", rep.First)
	}
	if !*asJSON {
		fmt.Fprintln(e.stdout, "ok: chain intact, every transaction balanced, balances match postings, supply adds up, every voted rule version matches its passing proposal")
	}
	return nil
}

// cmdLedgerKey prints the register's verifier key (name+hash+base64), the
// key members and witnesses check checkpoints with.
func cmdLedgerKey(e *env, args []string) error {
	var c config
	fs := newFlags("ledger key", "Print the verifier key of the register's checkpoints, to publish.", e)
	fs.StringVar(&c.DataDir, "data", envOr(e, "COPYHOLD_DATA", "./data"), "folder holding register.key (env COPYHOLD_DATA)")
	fs.StringVar(&c.RegisterKey, "register-key", e.getenv("COPYHOLD_REGISTER_KEY"), "the signing key: a file path or the PRIVATE+KEY+... text (env COPYHOLD_REGISTER_KEY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.DatabaseURL = "unused" // never create a key here
	k, err := registerKey(c, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, k.Verifier)
	return nil
}

func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}
