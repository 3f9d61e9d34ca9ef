package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/store"
	"copyhold/migrations"
	"copyhold/server"

	"gorm.io/gorm"
)

// config holds every setting. Each has a flag and an environment variable;
// a flag given on the command line wins.
type config struct {
	DatabaseURL    string
	DataDir        string
	Addr           string
	BaseURL        string
	AllowedOrigins string
	SecureCookies  bool
	// EventRetention is how long events stay for websocket resume; the
	// ledger keeps its own history, so pruning loses none of it.
	EventRetention time.Duration
	// ExportCache is the folder of finished snapshot downloads; empty means
	// export-cache under DataDir.
	ExportCache string
	// ExportCacheMaxAge and ExportCacheMaxBytes bound the export cache.
	ExportCacheMaxAge   time.Duration
	ExportCacheMaxBytes int64
	// RegisterKey is the court roll's signing key: a file path or the
	// PRIVATE+KEY+… text; empty means register.key in DataDir.
	RegisterKey string
	// Witnesses are the verifier keys of the witnesses whose cosignatures
	// the register accepts and shows, comma-separated.
	Witnesses string
	// DBConns caps the PostgreSQL connection pool; 0 means
	// migrations.DefaultMaxConns.
	DBConns int
}

type setting struct {
	flag, env, help, def string
	ptr                  *string
}

func (c *config) settings() []setting {
	return []setting{
		{"database-url", "DATABASE_URL", "PostgreSQL URL; empty uses the embedded SQLite database", "", &c.DatabaseURL},
		{"data", "COPYHOLD_DATA", "folder of the embedded SQLite database", "./data", &c.DataDir},
		{"addr", "COPYHOLD_ADDR", "address to listen on", "127.0.0.1:8080", &c.Addr},
		{"base-url", "COPYHOLD_BASE_URL", "public URL of the workbench, used in invite links", "", &c.BaseURL},
		{"allowed-origins", "COPYHOLD_ALLOWED_ORIGINS", "comma-separated extra origins trusted for state-changing requests and websockets", "", &c.AllowedOrigins},
		{"export-cache", "COPYHOLD_EXPORT_CACHE", fmt.Sprintf("folder (private to this user: 0700) where finished snapshot exports are kept for download; empty means export-cache in the data folder. "+
			"Each file is checked against the SHA-256 it was written with before it is served. Pruned at start and hourly (default: exports not downloaded for %d days, "+
			"then the least recently downloaded until it holds at most %d GiB)",
			int(server.DefaultExportCacheMaxAge.Hours()/24), server.DefaultExportCacheMaxBytes>>30), "", &c.ExportCache},
		{"register-key", "COPYHOLD_REGISTER_KEY", "the register's checkpoint signing key: a file path or the PRIVATE+KEY+... text; empty means register.key in the data folder " +
			"(created on first start for the embedded SQLite database; PostgreSQL installations must set it)", "", &c.RegisterKey},
		{"witnesses", "COPYHOLD_WITNESSES", "comma-separated verifier keys of the witnesses the co-op trusts: their cosignatures on the register's checkpoints are accepted and shown", "", &c.Witnesses},
	}
}

// newFlags makes a flag set whose --help says what the command does.
func newFlags(name, about string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { // --help: to stdout, and run exits 0
		fmt.Fprintf(e.stdout, "copyhold %s: %s\n\nFlags:\n", name, about)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// bindDatabase registers the two settings every command that opens the
// database uses: --database-url and --data.
func bindDatabase(fs *flag.FlagSet, e *env, c *config) {
	bindSettings(fs, e, c, "database-url", "data")
}

// bindSettings registers the named config flags on fs with env-derived
// defaults, so a command's --help lists only what it reads.
func bindSettings(fs *flag.FlagSet, e *env, c *config, names ...string) {
	for _, s := range c.settings() {
		if slices.Contains(names, s.flag) {
			bindSetting(fs, e, s)
		}
	}
}

func bindSetting(fs *flag.FlagSet, e *env, s setting) {
	def := s.def
	if v := e.getenv(s.env); v != "" {
		def = v
	}
	fs.StringVar(s.ptr, s.flag, def, s.help+" (env "+s.env+")")
}

// bindConfig registers every config flag on fs (serve reads them all).
func bindConfig(fs *flag.FlagSet, e *env, c *config) {
	for _, s := range c.settings() {
		bindSetting(fs, e, s)
	}
	secure, _ := strconv.ParseBool(e.getenv("COPYHOLD_SECURE_COOKIES"))
	fs.BoolVar(&c.SecureCookies, "secure-cookies", secure, "mark cookies Secure; set when served over HTTPS (env COPYHOLD_SECURE_COOKIES)")
	retention := 30 * 24 * time.Hour
	if v := e.getenv("COPYHOLD_EVENT_RETENTION"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			retention = d
		} else {
			fmt.Fprintf(e.stderr, "copyhold: COPYHOLD_EVENT_RETENTION=%q is not a positive duration such as 720h; using %s\n", v, retention)
		}
	}
	fs.DurationVar(&c.EventRetention, "event-retention", retention, "how long live events are kept for reconnecting clients (env COPYHOLD_EVENT_RETENTION)")
	maxAge := server.DefaultExportCacheMaxAge
	if v := e.getenv("COPYHOLD_EXPORT_CACHE_MAX_AGE"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			maxAge = d
		} else {
			fmt.Fprintf(e.stderr, "copyhold: COPYHOLD_EXPORT_CACHE_MAX_AGE=%q is not a positive duration such as 168h; using %s\n", v, maxAge)
		}
	}
	fs.DurationVar(&c.ExportCacheMaxAge, "export-cache-max-age", maxAge, "an export not downloaded for this long leaves the cache (env COPYHOLD_EXPORT_CACHE_MAX_AGE)")
	maxBytes := int64(server.DefaultExportCacheMaxBytes)
	if v := e.getenv("COPYHOLD_EXPORT_CACHE_MAX_BYTES"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			maxBytes = n
		} else {
			fmt.Fprintf(e.stderr, "copyhold: COPYHOLD_EXPORT_CACHE_MAX_BYTES=%q is not a positive number of bytes; using %d\n", v, maxBytes)
		}
	}
	conns := 0
	if v := e.getenv("COPYHOLD_DB_CONNS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			conns = n
		} else {
			fmt.Fprintf(e.stderr, "copyhold: COPYHOLD_DB_CONNS=%q is not a positive number of connections; using the default\n", v)
		}
	}
	fs.IntVar(&c.DBConns, "db-conns", conns, fmt.Sprintf("most PostgreSQL connections this instance opens; 0 means twice its cores plus one, at least 4 (here %d). "+
		"Size it, summed over every instance, to about twice the database server's cores (env COPYHOLD_DB_CONNS)", migrations.DefaultMaxConns()))
	fs.Int64Var(&c.ExportCacheMaxBytes, "export-cache-max-bytes", maxBytes, "the export cache keeps at most this many bytes, dropping the least recently downloaded first (env COPYHOLD_EXPORT_CACHE_MAX_BYTES)")
}

// exportCacheLimits are the configured bounds of the export cache.
func (c config) exportCacheLimits() (server.ExportCacheLimits, error) {
	if c.ExportCacheMaxAge <= 0 || c.ExportCacheMaxBytes <= 0 {
		return server.ExportCacheLimits{}, fmt.Errorf("--export-cache-max-age and --export-cache-max-bytes must be positive")
	}
	return server.ExportCacheLimits{MaxAge: c.ExportCacheMaxAge, MaxBytes: c.ExportCacheMaxBytes}, nil
}

func (c config) origins() []string {
	var out []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// exportCacheDir is the export cache folder: the flag, or one in the data folder.
func (c config) exportCacheDir() string {
	if c.ExportCache != "" {
		return c.ExportCache
	}
	return filepath.Join(c.DataDir, "export-cache")
}

// checkDBConns refuses a negative --db-conns (0 is the default size).
func (c config) checkDBConns() error {
	if c.DBConns < 0 {
		return fmt.Errorf("--db-conns must be 0 (the default) or a positive number of connections")
	}
	return nil
}

func (c config) source() migrations.Source {
	return migrations.Source{URL: c.DatabaseURL, DataDir: c.DataDir, MaxConns: c.DBConns}
}

// openDB opens the configured database. With migrate it applies pending
// migrations; otherwise it refuses an out-of-date schema, except that a brand
// new embedded database migrates itself on first start.
func openDB(ctx context.Context, c config, migrate bool) (*gorm.DB, error) {
	db, err := migrations.Open(ctx, c.source())
	if err != nil {
		return nil, err
	}
	return checkSchema(ctx, db, migrate)
}

// checkSchema is openDB's second half, on an open database: it migrates or
// checks the schema, and closes db when it fails.
func checkSchema(ctx context.Context, db *gorm.DB, migrate bool) (*gorm.DB, error) {
	if migrate {
		return migrateUp(ctx, db)
	}
	// The schema check first: on an up-to-date schema, as at every start but
	// the first, it is the only query.
	if err := migrations.Check(ctx, db); err != nil {
		if migrations.IsSQLite(db) {
			if applied, aerr := migrations.Applied(ctx, db); aerr == nil && !applied {
				return migrateUp(ctx, db)
			}
		}
		closeDB(db)
		if errors.Is(err, migrations.ErrOutdated) {
			return nil, fmt.Errorf("%w (the server will not start on an old schema)", err)
		}
		return nil, err
	}
	return db, nil
}

func migrateUp(ctx context.Context, db *gorm.DB) (*gorm.DB, error) {
	if _, err := migrations.Up(ctx, db); err != nil {
		closeDB(db)
		return nil, err
	}
	return db, nil
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		s.Close()
	}
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// newStore is the labelling store with the equity register attached, so
// every command that changes work or membership also keeps the ledger, and
// snapshots, releases and data exports read the register through it.
func newStore(db *gorm.DB) *store.Stores {
	return store.New(db).WithLedger(govern.NewLedger(db, nil)).WithRegister(equitystore.Reads{})
}

// witnesses parses --witnesses: each must be a cosignature/v1 verifier key.
func (c *config) witnesses() ([]string, error) {
	var out []string
	for _, w := range strings.Split(c.Witnesses, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		if _, err := roll.NewWitnessVerifier(w); err != nil {
			return nil, fmt.Errorf("--witnesses / COPYHOLD_WITNESSES: %q: %w", w, err)
		}
		out = append(out, w)
	}
	return out, nil
}
