package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
)

// ledgerAbout is what ledger verify and ledger head say of themselves.
var ledgerAbout = map[string]string{
	"verify": "Verify the equity register: recompute its Merkle tree and hash chain; check every stored checkpoint " +
		"(signature and root), the heads that snapshots and releases recorded, witnesses' cosignatures, every " +
		"transaction's balance, balances against postings, the supply and every voted rule version; with " +
		"--checkpoint, prove that the register extends a saved checkpoint. Fails naming the first broken entry.",
	"head": "Print the head of the register's hash chain: its sequence number and hash.",
}

// cmdLedger runs ledger subcommands: verify recomputes the register's hash
// chain and every invariant, and fails naming the first broken entry.
func cmdLedger(ctx context.Context, e *env, args []string) error {
	const usage = "usage: copyhold ledger verify [flags] | copyhold ledger head [flags] | copyhold ledger key [flags] | copyhold ledger keygen --out FILE\n" +
		"(copyhold ledger SUBCOMMAND --help for its flags)"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(e.stdout, usage)
		return nil
	}
	if len(args) == 0 || (args[0] != "verify" && args[0] != "head" && args[0] != "key" && args[0] != "keygen") {
		fmt.Fprintln(e.stderr, usage)
		return fmt.Errorf("ledger: say verify, head, key or keygen")
	}
	sub := args[0]
	if sub == "key" {
		return cmdLedgerKey(e, args[1:])
	}
	if sub == "keygen" {
		return cmdLedgerKeygen(e, args[1:])
	}
	var c config
	fs := newFlags("ledger "+sub, ledgerAbout[sub], e)
	bindDatabase(fs, e, &c)
	var asJSON *bool
	var savedPath, vkey *string
	if sub == "verify" { // the register's key gives the verifier key to check checkpoints with
		bindSettings(fs, e, &c, "register-key", "witnesses")
		asJSON = fs.Bool("json", false, "print the report as JSON")
		savedPath = fs.String("checkpoint", "", "a saved signed checkpoint (a member's or a witness's): prove the current register tree extends it")
		vkey = fs.String("verifier-key", "", "the register's verifier key (name+hash+base64); default: derived from --register-key or the data folder's register.key")
	}
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
	var opts equitystore.VerifyOptions
	opts.VerifierKey = *vkey
	if opts.Witnesses, err = c.witnesses(); err != nil {
		return err
	}
	if opts.VerifierKey == "" {
		kc := c
		kc.DatabaseURL = "unused" // never create a key here
		if k, err := registerKey(kc, false); err == nil {
			opts.VerifierKey = k.Verifier
		} else if *savedPath != "" {
			return fmt.Errorf("ledger verify --checkpoint needs the verifier key: give --verifier-key or %s (%v)", registerKeySetting, err)
		}
	}
	if *savedPath != "" {
		b, err := os.ReadFile(*savedPath)
		if err != nil {
			return fmt.Errorf("ledger verify --checkpoint: %w", err)
		}
		opts.Checkpoint = b
	}
	start := time.Now()
	rep, err := st.VerifyWith(ctx, opts)
	if err != nil {
		return fmt.Errorf("ledger verify: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		fmt.Fprintf(e.stdout, "checked %d entries and %d queued for the integrator (%d transactions) in %s; head %d %s\n",
			rep.Entries, rep.Pending, rep.Txs, time.Since(start).Round(time.Millisecond), rep.HeadSeq, rep.HeadHash)
	}
	if !rep.OK {
		return fmt.Errorf("ledger verify: BROKEN at %s", rep.First)
	}
	if !*asJSON && rep.Tree != nil {
		t := rep.Tree
		sig := "signatures checked"
		if !t.SignaturesChecked {
			sig = "signatures NOT checked (no verifier key)"
		}
		fmt.Fprintf(e.stdout, "register tree: %d leaves, root %s; %d checkpoints (latest %d), %s; %d recorded heads match the chain\n",
			t.Leaves, t.Root, t.Checkpoints, t.Integrated, sig, t.RecordedHeads)
		if t.Cosignatures+t.CosignaturesUnchecked > 0 {
			fmt.Fprintf(e.stdout, "witness cosignatures: %d checked against --witnesses, %d by other keys not checked\n", t.Cosignatures, t.CosignaturesUnchecked)
		}
		if t.Extends != nil {
			fmt.Fprintf(e.stdout, "ok: the register extends the saved checkpoint of size %d (consistency proof checked)\n", *t.Extends)
		}
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

// cmdLedgerKeygen makes a new register signing key in a file of its own
// (0600), for installations that configure --register-key (PostgreSQL). An
// existing key file is kept, never overwritten: replacing the key is a
// rotation the members must be told of (docs/LEDGER.md).
func cmdLedgerKeygen(e *env, args []string) error {
	var c config
	fs := newFlags("ledger keygen", "Create the register's signing key in a new file (0600); an existing key file is kept.", e)
	out := fs.String("out", "", "the key file to create (required)")
	fs.StringVar(&c.BaseURL, "base-url", e.getenv("COPYHOLD_BASE_URL"), "public URL; its host names the key and the checkpoints' origin (env COPYHOLD_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("ledger keygen: --out FILE is required")
	}
	if b, err := os.ReadFile(*out); err == nil {
		k, err := roll.ParseKey(string(b))
		if err != nil {
			return fmt.Errorf("ledger keygen: %s exists and is not a register key: %v", *out, err)
		}
		fmt.Fprintf(e.stdout, "kept the existing key %s\n%s\n", *out, k.Verifier)
		return nil
	}
	skey, err := roll.GenerateKey(c.registerOrigin())
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("ledger keygen: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	k, err := roll.ParseKey(skey)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s\n%s\n", *out, k.Verifier)
	return nil
}

func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}
