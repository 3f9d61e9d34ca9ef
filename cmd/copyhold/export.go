package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"copyhold/labeling/dataset"
)

// cmdExport writes a snapshot in a dataset format, streamed from the frozen
// rows, with the provenance and labour manifest beside it (FILE →
// FILE-without-extension.manifest.json; with stdout, on stderr's request
// only via --manifest).
func cmdExport(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("export", "Export a snapshot: copyhold export --snapshot ID --format F [-o FILE]. Formats: "+formatNames()+".", e)
	bindDatabase(fset, e, &c)
	snapshot := fset.Int64("snapshot", 0, "snapshot id (copyhold snapshot list)")
	format := fset.String("format", "", "export format")
	outPath := fset.String("o", "", "output file (default: standard output)")
	manifest := fset.String("manifest", "", "where to write the manifest (default: beside -o FILE as NAME.manifest.json; none for stdout)")
	license := fset.String("license", "", "license id for the manifest and card (e.g. cc-by-4.0)")
	terms := fset.String("terms", "", "the co-op's terms for this data, in words")
	opt := map[string]*string{
		"system":        fset.String("system", "", "system message first in conversational rows"),
		"instruction":   fset.String("instruction", "", "put before the original text of rewrite items without a prompt"),
		"kto_criterion": fset.String("kto-criterion", "", "rubric criterion a good/bad label is read from (trl-kto, trl-stepwise, --weight-zero below)"),
		"kto_threshold": fset.String("kto-threshold", "", "label true iff score >= this decimal (default: above the middle of the scale)"),
		"pairs":         fset.String("pairs", "", "rankings: all (default) or best-vs-rest"),
		"weight_zero":   fset.String("weight-zero", "", "openai-chat: comma list of marked, below, history (assistant turns that get weight 0)"),
		"separator":     fset.String("separator", "", "standard rows: space (default), newline or none between prompt and completion"),
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	settings, err := dataset.ParseExportSettings(func(name string) string { return *opt[name] })
	if err != nil {
		return err
	}
	if *snapshot <= 0 || *format == "" || fset.NArg() != 0 {
		fset.Usage()
		return fmt.Errorf("give --snapshot ID and --format F")
	}
	f, err := dataset.ParseExportFormat(*format)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st := newStore(db)
	// Refuse before creating any file.
	if _, err := st.Datasets.CheckSnapshotExportWith(ctx, *snapshot, f, settings); err != nil {
		return err
	}
	var out io.Writer = e.stdout
	var file *os.File
	if *outPath != "" && *outPath != "-" {
		tmp, err := os.CreateTemp(filepath.Dir(*outPath), "."+filepath.Base(*outPath)+".*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		file = tmp
		out = tmp
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	m, err := st.Datasets.ExportSnapshot(ctx, *snapshot, dataset.ExportRequest{Format: f, License: *license, Terms: *terms,
		Publisher: "copyhold co-operative", TempDir: os.TempDir(), Settings: settings}, bw)
	if err == nil {
		err = bw.Flush()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(file.Name(), *outPath)
		}
	}
	if err != nil {
		return err
	}
	mpath := *manifest
	if mpath == "" && file != nil {
		mpath = strings.TrimSuffix(*outPath, filepath.Ext(*outPath)) + ".manifest.json"
	}
	if mpath != "" {
		mf, err := os.Create(mpath)
		if err != nil {
			return err
		}
		err = dataset.WriteManifest(mf, m)
		if cerr := mf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "snapshot %d (sha256 %s): %d items, %d %s rows", *snapshot, m.SnapshotHash, m.Counts.Items, m.Counts.Rows, f)
	if mpath != "" {
		fmt.Fprintf(e.stderr, "; manifest %s", mpath)
	}
	fmt.Fprintln(e.stderr)
	return nil
}

func formatNames() string {
	var s []string
	for _, f := range dataset.ExportFormats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}
