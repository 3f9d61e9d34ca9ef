package main

import (
	"context"
	"copyhold/labeling/importer"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

func cmdImport(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("import", "Import items into a project from a JSONL, CSV or Label Studio JSON file: copyhold import --project ID FILE. All or nothing: an error names the line and imports nothing.", e)
	bindDatabase(fset, e, &c)
	project := fset.Int64("project", 0, "project id")
	format := fset.String("format", "", "jsonl, csv or labelstudio (default: from the file name and contents)")
	if err := fset.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if *project <= 0 || fset.NArg() != 1 {
		fset.Usage()
		return fmt.Errorf("give --project ID and one FILE")
	}
	path := fset.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	rep, err := newStore(db).Projects.ImportItemsWith(ctx, nil, *project, f, importer.Request{
		Format: *format, Filename: filepath.Base(path),
		Progress: func(n int) { fmt.Fprintf(e.stderr, "\rread %s records", strconv.Itoa(n)) },
	})
	fmt.Fprintln(e.stderr)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(e.stdout, "imported %d, duplicate %d, rejected %d (of %d records) into project %d\n",
		rep.Imported, rep.Duplicates, rep.Rejected, rep.Records, *project)
	return nil
}

// reorderFlags lets flags follow the positional argument (FILE --project 1).
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !containsEq(a) && i+1 < len(args) && a != "--help" && a != "-h" {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}

func containsEq(s string) bool {
	for _, r := range s {
		if r == '=' {
			return true
		}
	}
	return false
}
