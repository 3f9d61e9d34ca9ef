package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start-up of the real binary, built once per run by `make binary` (the
// Makefile's flags: the binary that `make build` and the Dockerfile ship):
// `copyhold version`, and `copyhold serve` (embedded SQLite, already
// migrated) until /readyz answers 200. Each reports the median wall time per
// start (ms/start) and the median CPU time the process had used by then
// (cpu-ms/start, all its threads), which a shared machine disturbs less.
// BenchmarkStartupBareServer is the baseline of the same run: a Go program
// that does nothing but serve /readyz, built static like copyhold (no cgo),
// started and polled the same way.
//
//	go test -run '^$' -bench Startup -benchtime 15x -count 3 ./cmd/copyhold/

func buildBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "copyhold")
	cmd := exec.Command("make", "-s", "--no-print-directory", "-C", "../..", "binary", "BIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("make binary: %v\n%s", err, out)
	}
	return bin
}

func goBuild(b *testing.B, pkg string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "bin")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = pkg
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// start is one start's wall time and the CPU time its process had used.
type start struct{ wall, cpu time.Duration }

func reportMedian(b *testing.B, starts []start) {
	median := func(pick func(start) time.Duration) float64 {
		ds := make([]time.Duration, len(starts))
		for i, s := range starts {
			ds[i] = pick(s)
		}
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(median(func(s start) time.Duration { return s.wall }), "ms/start")
	b.ReportMetric(median(func(s start) time.Duration { return s.cpu }), "cpu-ms/start")
	b.ReportMetric(0, "ns/op") // the wall time per iteration includes the build; the median is the figure
}

// cpuTime is the CPU time that the running process pid has used so far, the
// sum over its threads of /proc/PID/task/TID/schedstat (nanoseconds on the
// CPU); 0 where /proc does not have it.
func cpuTime(pid int) time.Duration {
	stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	for _, f := range stats {
		text, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fields := strings.Fields(string(text))
		if len(fields) == 0 {
			continue
		}
		if ns, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			sum += time.Duration(ns)
		}
	}
	return sum
}

func BenchmarkStartupVersion(b *testing.B) {
	bin := buildBinary(b)
	var took []start
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		cmd := exec.Command(bin, "version")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("version: %v\n%s", err, out)
		}
		took = append(took, start{wall: time.Since(t0), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()})
	}
	reportMedian(b, took)
}

const bareServer = `package main

import (
	"fmt"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	fmt.Printf("listening on http://%s\n", ln.Addr())
	http.Serve(ln, nil)
}
`

func BenchmarkStartupBareServer(b *testing.B) {
	dir := b.TempDir()
	for name, text := range map[string]string{"main.go": bareServer, "go.mod": "module bare\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	bin := goBuild(b, dir)
	var took []start
	b.ResetTimer()
	for range b.N {
		took = append(took, serveOnce(b, bin, os.Environ()))
	}
	reportMedian(b, took)
}

var listeningRE = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

func BenchmarkStartupServeReady(b *testing.B) {
	bin := buildBinary(b)
	data := b.TempDir()
	env := append(os.Environ(), "DATABASE_URL=", "COPYHOLD_DATA="+data, "COPYHOLD_ADDR=127.0.0.1:0")
	serveOnce(b, bin, env) // the first start migrates the new database; not timed
	var took []start
	b.ResetTimer()
	for range b.N {
		took = append(took, serveOnce(b, bin, env))
	}
	reportMedian(b, took)
}

// serveOnce starts the server, waits for /readyz to answer 200 and stops it;
// it returns the time from exec to that first 200, and the CPU time the
// server had used by then.
func serveOnce(b *testing.B, bin string, env []string) start {
	b.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	var base string
	for base == "" && sc.Scan() {
		if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		b.Fatal("serve printed no address")
	}
	go func() { // keep the pipe drained
		for sc.Scan() {
		}
	}()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if res, err := client.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return start{wall: time.Since(t0), cpu: cpuTime(cmd.Process.Pid)}
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatal("/readyz never answered 200")
	return start{}
}
