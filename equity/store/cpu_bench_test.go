package store_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"
)

// cpuClock reads the CPU time spent so far by the whole machine (all cores,
// user + system, from /proc/stat) and by this process (getrusage), so that a
// benchmark can report where its CPU went: this process (the Go path) and
// everything else (on a quiet machine, the database server). ok is false
// where /proc/stat is missing.
type cpuClock struct {
	machine, self, server time.Duration
	ok, serverOK          bool
	postmaster            int
}

// readCPU reads the clocks; with a database on this host (the postmaster
// found from a backend's parent), also the server's CPU: every live
// postgres process plus what the postmaster reaped from exited backends.
func readCPU(db ...*gorm.DB) cpuClock {
	var c cpuClock
	if len(db) > 0 {
		var pid int
		if db[0].Raw("SELECT pg_backend_pid()").Scan(&pid).Error == nil {
			if f := procStat(pid); len(f) > 2 {
				c.postmaster, _ = strconv.Atoi(f[1])
			}
		}
	}
	c.server, c.serverOK = serverCPU(c.postmaster)
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return c
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return c
		}
		ticks += n
	}
	c.machine = time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
	c.ok = true
	return c
}

// procStat returns the fields of /proc/PID/stat after the command name
// (fields[0] is the state, [1] the parent, [11] utime, [12] stime, [13]
// cutime, [14] cstime), or nil.
func procStat(pid int) []string {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(raw[i+1:]))
}

func ticks(f []string, idx ...int) time.Duration {
	var t int64
	for _, i := range idx {
		if i < len(f) {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			t += n
		}
	}
	return time.Duration(t) * (time.Second / 100)
}

// serverCPU sums the CPU of the postmaster, its reaped children and its live
// children (backends, WAL writer, checkpointer…).
func serverCPU(postmaster int) (time.Duration, bool) {
	if postmaster <= 1 {
		return 0, false
	}
	pm := procStat(postmaster)
	if pm == nil {
		return 0, false
	}
	total := ticks(pm, 11, 12, 13, 14)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	parent := strconv.Itoa(postmaster)
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == postmaster {
			continue
		}
		if f := procStat(pid); len(f) > 12 && f[1] == parent {
			total += ticks(f, 11, 12)
		}
	}
	return total, true
}

// reportCPU adds cpu-ms/op (the machine) and go-cpu-ms/op (this process)
// for the n operations done since start.
func reportCPU(b *testing.B, start cpuClock, n int) {
	end := readCPU()
	if !start.ok || !end.ok || n == 0 {
		return
	}
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(n) }
	b.ReportMetric(per(end.machine-start.machine), "cpu-ms/op")
	b.ReportMetric(per(end.self-start.self), "go-cpu-ms/op")
	if start.serverOK {
		if server, ok := serverCPU(start.postmaster); ok {
			b.ReportMetric(per(server-start.server), "pg-cpu-ms/op")
		}
	}
}
