package main

import (
	"context"
	"fmt"

	"copyhold/migrations"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("migrate", "Apply pending migrations (`migrate up`) or list them (`migrate status`).", e)
	bindDatabase(fset, e, &c)
	if err := fset.Parse(args); err != nil {
		return err
	}
	action := "up"
	if fset.NArg() > 0 {
		action = fset.Arg(0)
		// Flags may follow the action too (migrate up --help).
		if err := fset.Parse(fset.Args()[1:]); err != nil {
			return err
		}
		if fset.NArg() > 0 {
			return fmt.Errorf("migrate: unexpected argument %q", fset.Arg(0))
		}
	}
	db, err := migrations.Open(ctx, c.source())
	if err != nil {
		return err
	}
	defer closeDB(db)
	switch action {
	case "up":
		applied, err := migrations.Up(ctx, db)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(e.stdout, "schema is up to date")
		}
		for _, v := range applied {
			fmt.Fprintf(e.stdout, "applied migration %05d\n", v)
		}
		return nil
	case "status":
		list, err := migrations.List(ctx, db)
		if err != nil {
			return err
		}
		for _, s := range list {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(e.stdout, "%05d  %-8s %s\n", s.Version, state, s.Name)
		}
		return nil
	default:
		return fmt.Errorf("unknown migrate action %q: use up or status", action)
	}
}
