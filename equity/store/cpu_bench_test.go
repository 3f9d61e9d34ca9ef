package store_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuClock reads the CPU time spent so far by the whole machine (all cores,
// user + system, from /proc/stat) and by this process (getrusage), so that a
// benchmark can report where its CPU went: this process (the Go path) and
// everything else (on a quiet machine, the database server). ok is false
// where /proc/stat is missing.
type cpuClock struct {
	machine, self time.Duration
	ok            bool
}

func readCPU() cpuClock {
	var c cpuClock
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
}
