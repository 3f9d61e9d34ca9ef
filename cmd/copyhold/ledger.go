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
	if len(args) == 0 || (args[0] != "verify" && args[0] != "head") {
		fmt.Fprintln(e.stderr, "usage: copyhold ledger verify [flags] | copyhold ledger head [flags]")
		return fmt.Errorf("ledger: say verify or head")
	}
	sub := args[0]
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
