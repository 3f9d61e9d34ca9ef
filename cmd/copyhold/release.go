package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"copyhold/labeling/dataset"
	"copyhold/labeling/page"
)

// cmdRelease registers or lists model releases: the record of which
// snapshots a fine-tuned model was trained on.
func cmdRelease(ctx context.Context, e *env, args []string) error {
	const usage = "usage: copyhold release create --model ID --version V --snapshots HASH[,HASH] [--base-model B] [--checkpoint C] [--notes N] | copyhold release list [--model ID]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(e.stdout, usage+"\n(copyhold release SUBCOMMAND --help for its flags)")
		return nil
	}
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		return errors.New(usage)
	}
	var c config
	about := map[string]string{"create": "Register a model release and the snapshot hashes it was trained on. " +
		"A release is recorded on the register with the register head of that moment.",
		"list": "List the releases: a model's with --model, else every one."}[args[0]]
	fset := newFlags("release "+args[0], about, e)
	bindDatabase(fset, e, &c)
	version, snapshots, base, checkpoint, notes := new(string), new(string), new(string), new(string), new(string)
	if args[0] == "create" {
		bindSettings(fset, e, &c, "register-key")
		fset.StringVar(version, "version", "", "release version")
		fset.StringVar(snapshots, "snapshots", "", "comma-separated snapshot hashes it was trained on")
		fset.StringVar(base, "base-model", "", "base model")
		fset.StringVar(checkpoint, "checkpoint", "", "checkpoint hash or URI")
		fset.StringVar(notes, "notes", "", "training notes")
	}
	model := fset.Int64("model", 0, "model id")
	if err := fset.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st := newStore(db)
	if args[0] == "list" {
		list, err := st.Datasets.Releases(ctx, *model, page.All)
		if err != nil {
			return err
		}
		for _, r := range list {
			fmt.Fprintf(e.stdout, "%d\tmodel %d\t%s\t%s\ttrained on %s\tregister #%d %s\n", r.ID, r.ModelID, r.Version, r.Hash,
				strings.Join(r.SnapshotHashes, ","), r.LedgerSeq, r.LedgerHead)
		}
		return nil
	}
	var hashes []string
	for _, h := range strings.Split(*snapshots, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hashes = append(hashes, h)
		}
	}
	if err := integrateRegister(ctx, e, c, db); err != nil {
		return err
	}
	r, err := st.Datasets.CreateRelease(ctx, nil, dataset.ReleaseRequest{ModelID: *model, Version: *version, BaseModel: *base,
		TrainingNotes: *notes, Checkpoint: *checkpoint, SnapshotHashes: hashes})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "release %d: %s of model %d, hash %s, at register #%d %s\n", r.ID, r.Version, r.ModelID, r.Hash, r.LedgerSeq, r.LedgerHead)
	return nil
}

// cmdLeaderboard prints a model's evaluation leaderboard: Bradley–Terry
// ratings of its releases with 95% bootstrap intervals.
func cmdLeaderboard(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("leaderboard", "Print a model's release leaderboard from accepted evaluation judgements: Bradley-Terry ratings with 95% bootstrap intervals.", e)
	bindDatabase(fset, e, &c)
	model := fset.Int64("model", 0, "model id")
	asJSON := fset.Bool("json", false, "print the whole leaderboard as JSON")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *model <= 0 {
		return fmt.Errorf("--model is required")
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	lb, err := newStore(db).Datasets.Leaderboard(ctx, *model, dataset.BTOptions{Seed: 1})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(lb)
	}
	if lb.BradleyTerry == nil {
		fmt.Fprintf(e.stdout, "no accepted comparisons yet for model %d (%d evaluations)\n", *model, len(lb.Evaluations))
		return nil
	}
	fmt.Fprintf(e.stdout, "%d accepted comparisons\n", lb.Comparisons)
	for i, r := range lb.BradleyTerry.Ratings {
		fmt.Fprintf(e.stdout, "%d. %-20s %7.1f  [%.1f, %.1f]  %d-%d-%d\n", i+1, r.Player, r.Score, r.Lower, r.Upper, r.Wins, r.Losses, r.Ties)
	}
	return nil
}
