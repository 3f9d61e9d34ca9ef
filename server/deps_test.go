package server_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// dbPackage matches the packages the transport must not link: the ORM, the
// PostgreSQL driver and the SQLite driver.
func dbPackage(path string) bool {
	for _, p := range []string{"gorm.io/", "github.com/jackc/pgx", "github.com/glebarez/sqlite", "github.com/glebarez/go-sqlite", "modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/lib/pq"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// importGraph is `go list -deps` of pkgs: every package reachable, with its imports.
func importGraph(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to list dependencies with")
		}
	}
	out, err := exec.Command(gobin, append([]string{"list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		g[f[0]] = f[1:]
	}
	return g
}

// reaches lists the database packages reachable from pkg, skipping the
// packages in through.
func reaches(g map[string][]string, pkg string, through []string) []string {
	seen := map[string]bool{pkg: true}
	var found []string
	todo := []string{pkg}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		for _, q := range g[p] {
			if seen[q] || slices.Contains(through, q) {
				continue
			}
			seen[q] = true
			if dbPackage(q) {
				found = append(found, q)
				continue
			}
			todo = append(todo, q)
		}
	}
	slices.Sort(found)
	return found
}

// The transport imports no database driver: the live layer reads events
// through live.Reader and links none at all; the server reaches the
// database only through the stores it is handed.
func TestTransportLinksNoDatabaseDriver(t *testing.T) {
	g := importGraph(t, "copyhold/server", "copyhold/server/live")
	if db := reaches(g, "copyhold/server/live", nil); len(db) > 0 {
		t.Errorf("server/live depends on %v", db)
	}
	for _, imp := range g["copyhold/server"] {
		if dbPackage(imp) || imp == "copyhold/labeling/event" || imp == "copyhold/labeling/sqldb" || imp == "copyhold/migrations" {
			t.Errorf("server imports %s", imp)
		}
	}
	// The stores are the server's last way to the database. When it holds
	// them through interfaces too, drop them from this list.
	stores := []string{"copyhold/labeling/store", "copyhold/equity/store"}
	if db := reaches(g, "copyhold/server", stores); len(db) > 0 {
		t.Errorf("server depends on %v other than through %v", db, stores)
	}
}
