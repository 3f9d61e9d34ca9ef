package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"
)

// Start-up of the real binary, built once per run: `copyhold version`, and
// `copyhold serve` (embedded SQLite, already migrated) until /readyz answers
// 200. Each reports the median wall time per start as ms/start.
// BenchmarkStartupBareServer is the baseline of the same run: a Go program
// that does nothing but serve /readyz, started and polled the same way.
//
//	go test -run '^$' -bench Startup -benchtime 20x ./cmd/copyhold/

func buildBinary(b *testing.B) string {
	b.Helper()
	return goBuild(b, ".")
}

func goBuild(b *testing.B, pkg string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "bin")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = pkg
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func reportMedian(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/start")
	b.ReportMetric(0, "ns/op") // the wall time per iteration includes the build; the median is the figure
}

func BenchmarkStartupVersion(b *testing.B) {
	bin := buildBinary(b)
	var took []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			b.Fatalf("version: %v\n%s", err, out)
		}
		took = append(took, time.Since(start))
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
	var took []time.Duration
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
	var took []time.Duration
	b.ResetTimer()
	for range b.N {
		took = append(took, serveOnce(b, bin, env))
	}
	reportMedian(b, took)
}

// serveOnce starts the server, waits for /readyz to answer 200 and stops it;
// it returns the time from exec to that first 200.
func serveOnce(b *testing.B, bin string, env []string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
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
				return time.Since(start)
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatal("/readyz never answered 200")
	return 0
}
