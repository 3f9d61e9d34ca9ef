package importer

// Request describes one import beyond the file itself.
type Request struct {
	Format   string // jsonl, csv, labelstudio; "" detects it from Filename and the first bytes
	Filename string
	Options  Options
	// Progress, if set, is called after each batch with the records read so far.
	Progress func(records int)
	// MaxBytes and MaxRecords lower the limits (labeling.MaxImportBytes,
	// labeling.MaxImportRecords) when > 0.
	MaxBytes   int64
	MaxRecords int
}
