package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// cmdProject reads a project's settings: copyhold project lsconfig ID
// prints its Label Studio labelling config.
func cmdProject(ctx context.Context, e *env, args []string) error {
	const usage = "usage: copyhold project lsconfig ID [-o FILE]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(e.stdout, usage+"\n(copyhold project SUBCOMMAND --help for its flags)")
		return nil
	}
	if len(args) == 0 || args[0] != "lsconfig" {
		return errors.New(usage)
	}
	var c config
	fset := newFlags("project lsconfig", "Print a project's Label Studio labelling config: the one it was made from, or one generated from its schema. Its control and object names are those of the project's Label Studio exports: copyhold project lsconfig ID [-o FILE].", e)
	bindDatabase(fset, e, &c)
	out := fset.String("o", "", "write to FILE instead of stdout")
	if err := fset.Parse(reorderFlags(args[1:])); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return errors.New(usage)
	}
	id, err := strconv.ParseInt(fset.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("project lsconfig: %q is not a project id", fset.Arg(0))
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	x, stored, err := newStore(db).Projects.LSConfig(ctx, id)
	if err != nil {
		return err
	}
	if !stored {
		fmt.Fprintf(e.stderr, "project %d was not made from a Label Studio config: this one is generated from its schema\n", id)
	}
	if *out == "" {
		_, err = fmt.Fprint(e.stdout, x)
		return err
	}
	return os.WriteFile(*out, []byte(x), 0o644)
}
