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
// PostgreSQL drivers and the SQLite drivers.
func dbPackage(path string) bool {
	for _, p := range []string{"gorm.io/", "github.com/jackc/pgx", "glebarez", "modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/lib/pq"} {
		if strings.Contains(path, p) {
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
			t.Fatalf("the dependency check needs the go command: %v", err)
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

// reaches lists the database packages reachable from pkg, each with the
// import chain that reaches it.
func reaches(g map[string][]string, pkg string) []string {
	from := map[string]string{pkg: ""}
	var found []string
	todo := []string{pkg}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		for _, q := range g[p] {
			if _, seen := from[q]; seen {
				continue
			}
			from[q] = p
			if dbPackage(q) {
				chain := []string{q}
				for at := p; at != ""; at = from[at] {
					chain = append(chain, at)
				}
				slices.Reverse(chain)
				found = append(found, strings.Join(chain, " -> "))
				continue
			}
			todo = append(todo, q)
		}
	}
	slices.Sort(found)
	return found
}

// The transport links no database package at all, directly or through
// another copyhold package: the live layer reads events through
// live.Reader, and the server reaches the stores only through the
// interfaces of server/deps.go, which cmd/copyhold fills.
func TestTransportLinksNoDatabaseDriver(t *testing.T) {
	g := importGraph(t, "copyhold/server", "copyhold/server/live")
	for _, pkg := range []string{"copyhold/server", "copyhold/server/live"} {
		if _, ok := g[pkg]; !ok {
			t.Fatalf("go list did not list %s", pkg)
		}
		for _, chain := range reaches(g, pkg) {
			t.Errorf("%s links a database package: %s", pkg, chain)
		}
	}
	for _, imp := range g["copyhold/server"] {
		if dbPackage(imp) || imp == "copyhold/labeling/event" || imp == "copyhold/labeling/sqldb" || imp == "copyhold/migrations" ||
			inTree(imp, "copyhold/labeling/store") || inTree(imp, "copyhold/equity/store") || imp == "copyhold/labeling/work" ||
			inTree(imp, "copyhold/labeling/webhook/store") || inTree(imp, "copyhold/labeling/webhook/relay") {
			t.Errorf("server imports %s (take it through an interface of server/deps.go)", imp)
		}
	}
}

// inTree reports whether pkg is root or one of its subpackages.
func inTree(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }
