package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// cpuMeter measures the CPU this process uses over a window, as a
// percentage of one core.
type cpuMeter struct {
	cpu  time.Duration
	wall time.Time
}

func startCPU() cpuMeter { return cpuMeter{cpu: cpuTime(), wall: time.Now()} }

// seconds is the CPU time used since the meter started.
func (m cpuMeter) seconds() float64 { return (cpuTime() - m.cpu).Seconds() }

func (m cpuMeter) percent() float64 {
	wall := time.Since(m.wall)
	if wall <= 0 {
		return 0
	}
	return round(100*float64(cpuTime()-m.cpu)/float64(wall), 1)
}

// rssBytes is this process's resident set (VmRSS), or 0 where
// /proc/self/status cannot be read.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	return statusField(b, "VmRSS:") * 1024
}

// statusField reads a "Key:   123 kB" line of /proc/*/status.
func statusField(status []byte, key string) int64 {
	s := bufio.NewScanner(bytes.NewReader(status))
	for s.Scan() {
		line := s.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// settledRSS collects garbage and gives freed memory back to the system,
// then reads the resident set: what the process holds, not what it has
// not yet returned.
func settledRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	return rssBytes()
}

// memClasses is where the Go runtime says the memory is.
type memClasses struct {
	heap, stacks, goroutines int64
}

func readMem() memClasses {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
		{Name: "/sched/goroutines:goroutines"},
	}
	metrics.Read(s)
	val := func(i int) int64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return int64(s[i].Value.Uint64())
		}
		return 0
	}
	return memClasses{heap: val(0), stacks: val(1), goroutines: val(2)}
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPU        string `json:"cpu"`
	MemoryGiB  int64  `json:"memory_gib"`
	Go         string `json:"go"`
	OS         string `json:"os"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(bytes.NewReader(b))
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryGiB = (statusField(b, "MemTotal:") + 512<<10) >> 20
	}
	return m
}

// loadAvg is the 1, 5 and 15 minute load average of the machine.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
