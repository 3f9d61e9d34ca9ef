// Command with-postgres runs a command against a throwaway PostgreSQL cluster.
//
//	go run ./cmd/with-postgres -- CMD ARGS...
//
// It creates a cluster in a temp dir on a free loopback port, runs CMD with
// TEST_DATABASE_URL pointing at it and COPYHOLD_REQUIRE_POSTGRES=1 (so the
// PostgreSQL tests fail instead of skipping), then stops and deletes the
// cluster, also when CMD fails or we get SIGINT/SIGTERM. The exit status is
// CMD's. See usage below for the fallbacks.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const usage = `usage: go run ./cmd/with-postgres -- CMD [ARGS...]

Runs CMD with TEST_DATABASE_URL pointing at a throwaway PostgreSQL cluster
(initdb + pg_ctl from the highest /usr/lib/postgresql/*/bin, else PATH) on a
free 127.0.0.1 port, and COPYHOLD_REQUIRE_POSTGRES=1 so PostgreSQL tests fail
rather than skip. The cluster is stopped and deleted afterwards, also when CMD
fails or on SIGINT/SIGTERM (which are forwarded to CMD). Exits with CMD's status.

  TEST_DATABASE_URL already set  CMD runs against that server, no cluster.
  no PostgreSQL installed        with CI set: fail (exit 1); otherwise warn
                                 loudly and run CMD on SQLite only.
`

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	if a := args[0]; a == "-h" || a == "-help" || a == "--help" {
		fmt.Print(usage)
		return 0
	}

	// Catch signals from the start, so a Ctrl-C during cluster start-up still
	// removes the cluster instead of killing us half-way.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	env := os.Environ()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return runChild(args, append(env, "COPYHOLD_REQUIRE_POSTGRES=1"), sigs)
	}

	bin, err := findBinDir()
	if err != nil {
		if os.Getenv("CI") != "" {
			logf("FAILED: %v; CI is set, so PostgreSQL must be tested. Install it (apt-get install postgresql) or set TEST_DATABASE_URL.", err)
			return 1
		}
		warnNotTested(err)
		code := runChild(args, env, sigs)
		warnNotTested(err) // again, since CMD's output has scrolled the first one away
		return code
	}

	c := &cluster{bin: bin}
	defer c.remove() // runs on every return below; main calls os.Exit only after
	url, err := c.start(sigs)
	if err != nil {
		logf("could not start PostgreSQL: %v", err)
		if c.interrupt != nil {
			return 128 + int(c.interrupt.(syscall.Signal))
		}
		return 1
	}
	env = append(env, "TEST_DATABASE_URL="+url, "COPYHOLD_REQUIRE_POSTGRES=1")
	return runChild(args, env, sigs)
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "with-postgres: "+format+"\n", a...)
}

func warnNotTested(why error) {
	const bar = "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	fmt.Fprintf(os.Stderr, "\n%s\n!!! PostgreSQL NOT TESTED: %v\n"+
		"!!! Running on SQLite only. PostgreSQL tests are SKIPPED.\n"+
		"!!! Install PostgreSQL (initdb, pg_ctl; e.g. apt-get install postgresql)\n"+
		"!!! or set TEST_DATABASE_URL. In CI (CI set) this is an error.\n%s\n\n", bar, why, bar)
}

// debianBinDirs is a variable for the tests.
var debianBinDirs = "/usr/lib/postgresql/*/bin"

// findBinDir returns a directory holding initdb and pg_ctl. The versioned
// Debian directories come first: the copies on PATH may be wrappers.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob(debianBinDirs)
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb and pg_ctl in %s or PATH", debianBinDirs)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

type cluster struct {
	bin       string
	dir       string              // temp dir: data/, postgres.log and the socket
	cred      *syscall.Credential // non-nil when we are root: run as "postgres"
	started   bool
	interrupt os.Signal // received while starting
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }
func (c *cluster) log() string  { return filepath.Join(c.dir, "postgres.log") }

// pg builds a command for a PostgreSQL binary. Its own process group keeps a
// terminal Ctrl-C away from the server: we stop it ourselves, after CMD.
func (c *cluster) pg(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir // the "postgres" user may not be able to read our cwd
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	return cmd
}

func (c *cluster) start(sigs <-chan os.Signal) (string, error) {
	var err error
	if c.dir, err = os.MkdirTemp("", "with-postgres-"); err != nil {
		return "", err
	}
	// initdb refuses to run as root, so hand the cluster to the postgres user.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root, and there is no postgres user to run initdb as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return "", err
		}
	}
	interrupted := func() bool {
		select {
		case c.interrupt = <-sigs:
			return true
		default:
			return false
		}
	}

	// C.UTF-8 gives deterministic sorting but Unicode-aware lower()/upper(),
	// like production; fall back to the environment's locale where it is missing.
	var out []byte
	for _, locale := range [][]string{{"--locale=C.UTF-8"}, nil} {
		args := append([]string{"-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"}, locale...)
		if out, err = c.pg("initdb", args...).CombinedOutput(); err == nil {
			break
		}
		os.RemoveAll(c.data())
	}
	if err != nil {
		return "", fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if interrupted() {
		return "", fmt.Errorf("interrupted by %v", c.interrupt)
	}

	// The free port may be taken between our check and the server's bind; retry.
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k '%s' -c fsync=off -c synchronous_commit=off"+
			" -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB", port, c.dir)
		c.started = true // pg_ctl may fail after the server came up; stop it anyway
		out, err := c.pg("pg_ctl", "-D", c.data(), "-o", opts, "-w", "-t", "60", "-l", c.log(), "start").CombinedOutput()
		if err == nil {
			err = waitTCP(port, 30*time.Second)
		}
		if interrupted() {
			return "", fmt.Errorf("interrupted by %v", c.interrupt)
		}
		if err != nil {
			logTail := tail(c.log(), 30)
			if attempt < 3 && strings.Contains(logTail, "already in use") {
				continue
			}
			return "", fmt.Errorf("pg_ctl start: %v\n%s\n--- %s (last lines) ---\n%s", err, out, c.log(), logTail)
		}
		version := "" // "pg_ctl (PostgreSQL) 15.18 (Debian ...)" -> "15.18"
		if v, _ := c.pg("pg_ctl", "--version").Output(); len(strings.Fields(string(v))) > 2 {
			version = strings.Fields(string(v))[2] + " "
		}
		logf("throwaway PostgreSQL %sfrom %s on 127.0.0.1:%d (data in %s)", version, c.bin, port, c.dir)
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), nil
	}
}

// remove stops the server hard (its data is thrown away anyway) and deletes everything.
func (c *cluster) remove() {
	if c.started {
		if out, err := c.pg("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil &&
			!bytes.Contains(out, []byte("is the server running?")) {
			logf("pg_ctl stop: %v\n%s", err, out)
		}
	}
	if c.dir != "" {
		if err := os.RemoveAll(c.dir); err != nil {
			logf("removing %s: %v", c.dir, err)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitTCP double-checks readiness: pg_ctl -w trusts the socket/pid file, and
// CMD connects over TCP.
func waitTCP(port int, timeout time.Duration) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listening on %s after %v: %v", addr, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runChild runs CMD, forwarding SIGINT/SIGTERM, and returns its exit status
// (128+N when killed by signal N, as shells report it).
func runChild(args, env []string, sigs <-chan os.Signal) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdin, os.Stdout, os.Stderr, env
	// Without a terminal (CI), give CMD its own process group so a forwarded
	// signal reaches its whole tree (sh -c 'go test ...; npm ...'), not just
	// the shell. On a terminal, stay in the foreground group so CMD can read
	// the tty; Ctrl-C reaches the whole group there anyway.
	fi, err := os.Stdin.Stat()
	null, _ := os.Stat(os.DevNull) // a character device too, but no terminal
	group := err != nil || fi.Mode()&os.ModeCharDevice == 0 || (null != nil && os.SameFile(fi, null))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: group}
	if err := cmd.Start(); err != nil {
		logf("%v", err)
		return 127
	}
	target := cmd.Process.Pid
	if group {
		target = -target
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for received := 0; ; {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				logf("%v", err)
				return 1
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ws.ExitStatus()
		case s := <-sigs:
			received++
			sig := s.(syscall.Signal)
			if received > 1 { // a second signal: the user means it
				sig = syscall.SIGKILL
			}
			logf("got %v, sending %v to %s", s, sig, args[0])
			syscall.Kill(target, sig)
		}
	}
}
