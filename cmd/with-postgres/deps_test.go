package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// .ci/deps, the one script `make test` and .ci/run call first: it installs
// what is missing with apt-get (through sudo when not root) and, when it
// cannot, names the packages. Each case runs it with a PATH of stubs only.
type depsCase struct {
	name    string
	have    []string // commands present: gcc, make, python3, initdb, apt-get, sudo
	browser bool     // /usr/bin/chromium present
	uid     string
	aptFail bool
	code    int
	calls   string // the stubs' calls, in order
	stderr  []string
}

func TestDepsScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs("../../.ci/deps")
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"gcc", "make", "python3", "initdb"}
	cases := []depsCase{
		{name: "nothing missing", have: all, browser: true, uid: "1000"},
		{name: "root installs", have: []string{"gcc", "make", "python3", "apt-get"}, uid: "0",
			calls: "apt-get update\napt-get install -y --no-install-recommends chromium postgresql\n"},
		{name: "sudo when not root", have: []string{"make", "python3", "initdb", "apt-get", "sudo"}, browser: true, uid: "1000",
			calls: "sudo -n apt-get update\napt-get update\nsudo -n apt-get install -y --no-install-recommends gcc libc6-dev\n" +
				"apt-get install -y --no-install-recommends gcc libc6-dev\n"},
		{name: "no sudo", have: []string{"gcc", "make", "python3", "apt-get"}, uid: "1000", code: 1,
			stderr: []string{"missing chromium postgresql: not root, and sudo is not installed", "sudo apt-get install --no-install-recommends chromium postgresql"}},
		{name: "not Debian", have: []string{"gcc", "make", "initdb"}, browser: true, uid: "0", code: 1,
			stderr: []string{"missing python3: this is not a Debian-like system", "apt-get install --no-install-recommends python3"}},
		{name: "apt-get fails", have: []string{"gcc", "make", "python3", "apt-get"}, browser: true, uid: "0", aptFail: true, code: 1,
			calls:  "apt-get update\napt-get install -y --no-install-recommends postgresql\n",
			stderr: []string{"missing postgresql: apt-get install failed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			bin, log := filepath.Join(dir, "bin"), filepath.Join(dir, "calls")
			for _, d := range []string{bin, filepath.Join(dir, "pg", "15", "bin")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			stub := func(path, body string) {
				if err := os.WriteFile(path, []byte("#!"+bash+"\n"+body+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			stub(filepath.Join(bin, "id"), "echo "+c.uid)
			for _, h := range c.have {
				switch h {
				case "initdb":
					stub(filepath.Join(dir, "pg", "15", "bin", "initdb"), "exit 0")
				case "apt-get":
					fail := ""
					if c.aptFail {
						fail = `[ "$1" = install ] && exit 100`
					}
					stub(filepath.Join(bin, h), `echo "apt-get $*" >> "`+log+`"`+"\n"+fail+"\nexit 0")
				case "sudo":
					stub(filepath.Join(bin, h), `echo "sudo $*" >> "`+log+`"`+"\n"+`[ "$1" = -n ] && shift`+"\n"+`exec "$@"`)
				default:
					stub(filepath.Join(bin, h), "exit 0")
				}
			}
			browser := filepath.Join(dir, "chromium")
			if c.browser {
				stub(browser, "exit 0")
			}
			cmd := exec.Command(bash, script)
			cmd.Env = []string{"PATH=" + bin, "COPYHOLD_DEPS_CHROMIUM=" + browser, "COPYHOLD_DEPS_PGBIN=" + filepath.Join(dir, "pg", "*", "bin")}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			calls, _ := os.ReadFile(log)
			if code != c.code || string(calls) != c.calls {
				t.Fatalf("exit %d, want %d; calls:\n%s\nwant:\n%s\nstdout: %s\nstderr: %s", code, c.code, calls, c.calls, &stdout, &stderr)
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, &stderr)
				}
			}
			if c.code == 0 && c.calls == "" && stdout.Len()+stderr.Len() != 0 {
				t.Errorf("nothing to install, yet it spoke: %s %s", &stdout, &stderr)
			}
		})
	}
}
