package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"copyhold/labeling/dataset"
	"copyhold/labeling/page"
)

// cmdSnapshot freezes accepted annotations: copyhold snapshot create
// --model ID --projects 1,2 [--mode consensus|all], or lists snapshots.
func cmdSnapshot(ctx context.Context, e *env, args []string) error {
	const usage = "usage: copyhold snapshot create --model ID --projects 1,2 [--mode consensus|all] | copyhold snapshot list [--model ID]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(e.stdout, usage+"\n(copyhold snapshot SUBCOMMAND --help for its flags)")
		return nil
	}
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		return errors.New(usage)
	}
	var c config
	about := map[string]string{"create": "Freeze the accepted annotations of a model's projects as a snapshot.",
		"list": "List the snapshots: a model's with --model, else every one."}[args[0]]
	fset := newFlags("snapshot "+args[0], about, e)
	bindDatabase(fset, e, &c)
	projects, mode := new(string), new(string)
	if args[0] == "create" {
		bindSettings(fset, e, &c, "register-key")
		fset.StringVar(projects, "projects", "", "comma-separated project ids")
		fset.StringVar(mode, "mode", "consensus", "consensus (one answer per item) or all (every accepted annotation)")
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
		list, err := st.Datasets.Snapshots(ctx, *model, page.All)
		if err != nil {
			return err
		}
		for _, s := range list {
			fmt.Fprintf(e.stdout, "%d\tmodel %d\t%s\t%s\t%d items\t%d annotations\t%s\t%s\n", s.ID, s.ModelID, s.Mode, s.TaskType,
				s.Items, s.Annotations, s.Hash, s.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		return nil
	}
	var ids []int64
	for _, p := range strings.Split(*projects, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return fmt.Errorf("--projects: %q is not a project id", p)
		}
		ids = append(ids, id)
	}
	if err := integrateRegister(ctx, e, c, db); err != nil {
		return err
	}
	snap, err := st.Datasets.CreateSnapshot(ctx, nil, dataset.SnapshotRequest{ModelID: *model, ProjectIDs: ids, Mode: dataset.SnapshotMode(*mode)})
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(snap, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
	return nil
}
