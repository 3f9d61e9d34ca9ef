package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The dependency rules of docs/ARCHITECTURE.md, checked on the code as it is:
// the labelling side never depends on the register, and no package reads
// another store's tables.

// goCmd is the go command of the toolchain running the tests.
func goCmd(t *testing.T) string {
	t.Helper()
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); runtime.GOROOT() != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the dependency checks need the go command: %v", err)
	}
	return p
}

// listedPackage is what `go list -json` says of one package.
type listedPackage struct {
	ImportPath string
	Deps       []string
}

// goListDeps lists the packages matching the patterns with their transitive
// dependencies (`go list -deps` per package; tests are not included).
func goListDeps(t *testing.T, patterns ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command(goCmd(t), append([]string{"list", "-json=ImportPath,Deps"}, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", patterns, err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v matched no packages", patterns)
	}
	return pkgs
}

// inTree reports whether pkg is root or one of its subpackages.
func inTree(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

// TestLabelingDoesNotDependOnEquity: the register depends on labelling,
// never the reverse. Labelling reaches the register only through the
// interfaces it owns (labeling/store's Ledger and Register), which
// cmd/copyhold fills with equity/store's Hooks and Reads.
func TestLabelingDoesNotDependOnEquity(t *testing.T) {
	for _, p := range goListDeps(t, "copyhold/labeling/...") {
		for _, d := range p.Deps {
			if inTree(d, "copyhold/equity") {
				t.Errorf("%s depends on %s: labelling must not depend on the register (add a method to labeling/store's Register or Ledger instead)", p.ImportPath, d)
			}
		}
	}
}

// moduleRoot is the folder of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goCmd(t), "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// sourceString is a string constant in a production .go file.
type sourceString struct {
	pos   token.Position
	value string
	// table is set for a table named through GORM: a Table("…") argument or
	// what a TableName method returns.
	table bool
}

// productionStrings parses every non-test .go file of the module and returns
// its string literals by package folder (relative to the module root, with /).
func productionStrings(t *testing.T) map[string][]sourceString {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	out := map[string][]sourceString{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		dir := filepath.ToSlash(rel)
		add := func(lit *ast.BasicLit, table bool) {
			if lit.Kind != token.STRING {
				return
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Errorf("%s: %v", fset.Position(lit.Pos()), err)
				return
			}
			pos := fset.Position(lit.Pos())
			pos.Filename = filepath.ToSlash(filepath.Join(dir, filepath.Base(path)))
			out[dir] = append(out[dir], sourceString{pos: pos, value: v, table: table})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				add(n, false)
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Table" && len(n.Args) > 0 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						add(lit, true)
					}
				}
			case *ast.FuncDecl:
				if n.Recv != nil && n.Name.Name == "TableName" && n.Body != nil {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							if lit, ok := r.Results[0].(*ast.BasicLit); ok {
								add(lit, true)
							}
						}
						return true
					})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tableOwner is the package folder that alone may name a table in SQL:
// the register's tables belong to equity/store, the outbox to labeling/event,
// the webhook_* tables to labeling/webhook/store, the model_* tables to
// labeling/model/store, the gen_* tables to labeling/gen/store, every other table to
// labeling/store. (migrations, the schema, names them all.)
func tableOwner(table string) string {
	switch {
	case strings.HasPrefix(table, "equity_"):
		return "equity/store"
	case table == "events":
		return "labeling/event"
	case strings.HasPrefix(table, "webhook_"):
		return "labeling/webhook/store"
	case strings.HasPrefix(table, "gen_"):
		return "labeling/gen/store"
	case strings.HasPrefix(table, "model_"):
		return "labeling/model/store"
	default:
		return "labeling/store"
	}
}

// schemaTables are the tables the migrations create.
func schemaTables(t *testing.T, root string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "migrations", "postgres", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found under %s: %v", root, err)
	}
	create := regexp.MustCompile(`(?i)\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)`)
	tables := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range create.FindAllStringSubmatch(string(b), -1) {
			tables[strings.ToLower(m[1])] = true
		}
	}
	for _, want := range []string{"members", "member_roles", "sessions", "equity_postings", "events"} {
		if !tables[want] {
			t.Fatalf("the migrations create no table %s: the schema scan is broken (%v)", want, tables)
		}
	}
	return tables
}

// sqlTable finds the tables a statement names after FROM, JOIN, INTO, UPDATE,
// TABLE or TRUNCATE.
var sqlTable = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table|truncate)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)`)

// TestTablesOnlyInTheirStore: nothing outside a store reads or writes that
// store's tables (in particular no equity_* table outside equity/store, and
// no members, member_roles or sessions outside labeling/store); other
// packages go through the store's functions.
func TestTablesOnlyInTheirStore(t *testing.T) {
	tables := schemaTables(t, moduleRoot(t))
	strs := productionStrings(t)
	dirs := make([]string, 0, len(strs))
	for dir := range strs {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	if !slices.Contains(dirs, "equity/store") || !slices.Contains(dirs, "labeling/store") {
		t.Fatalf("the walk missed the stores: %v", dirs)
	}
	for _, dir := range dirs {
		if inTree(dir, "migrations") {
			continue
		}
		for _, s := range strs[dir] {
			var names []string
			if s.table {
				names = []string{s.value}
			}
			for _, m := range sqlTable.FindAllStringSubmatch(s.value, -1) {
				names = append(names, strings.ToLower(m[1]))
			}
			for _, name := range names {
				if owner := tableOwner(name); tables[name] && !inTree(dir, owner) {
					t.Errorf("%s: %s names table %s, which only %s may read or write (use its functions)", s.pos, dir, name, owner)
				}
			}
		}
	}
}
