package main

import (
	"context"
	"copyhold/labeling/importer"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

func cmdImport(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("import", "Import items into a project from a JSONL, CSV or Label Studio JSON file: copyhold import --project ID FILE. All or nothing: an error names the line and imports nothing.", e)
	bindDatabase(fset, e, &c)
	project := fset.Int64("project", 0, "project id")
	format := fset.String("format", "", "jsonl, csv or labelstudio (default: from the file name and contents)")
	annotations := fset.String("annotations", "", "Label Studio annotations become: predictions, prior (external annotators' work: counts for agreement and exports, earns no units), gold or drop; required when the file's tasks carry annotations")
	idField := fset.String("id-field", "", "data field whose value becomes the item's external id")
	goldField := fset.String("gold-field", "", "data field holding the gold label: stored as gold and removed from what labellers see")
	priority := fset.Int("priority", 0, "priority of records that set none (higher is served first)")
	sensitive := fset.Bool("sensitive", false, "mark every item sensitive")
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
		Options:  importer.Options{Annotations: *annotations, IDField: *idField, GoldField: *goldField, Priority: *priority, Sensitive: *sensitive},
		Progress: func(n int) { fmt.Fprintf(e.stderr, "\rread %s records", strconv.Itoa(n)) },
	})
	fmt.Fprintln(e.stderr)
	if errors.Is(err, importer.ErrAnnotationsChoiceRequired) {
		return fmt.Errorf("%s: %w\nchoose with --annotations predictions|prior|gold|drop", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(e.stdout, "imported %d, duplicate %d, rejected %d (of %d records) into project %d\n",
		rep.Imported, rep.Duplicates, rep.Rejected, rep.Records, *project)
	a := rep.Annotations
	if n := a.Predictions.Kept + a.Predictions.Converted + a.Predictions.Dropped + a.Annotations.Kept + a.Annotations.Converted + a.Annotations.Dropped; n > 0 {
		for _, k := range []struct {
			name string
			t    importer.KindTally
		}{{"predictions", a.Predictions}, {"annotations", a.Annotations}} {
			fmt.Fprintf(e.stdout, "%s: kept %d, converted %d, dropped %d", k.name, k.t.Kept, k.t.Converted, k.t.Dropped)
			for _, r := range sortedReasons(k.t.Reasons) {
				fmt.Fprintf(e.stdout, "; %d %s", k.t.Reasons[r], r)
			}
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "prior annotations stored: %d\n", rep.PriorAnnotations)
	}
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

func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
