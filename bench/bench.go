// Package bench measures the relay side by side with a baseline: how fast
// a change reaches everyone in a room, how many rooms one machine holds,
// and what one slow client does to the rest.
//
// The relay (or the baseline hub) runs in the bench's own process; the
// load, real websocket clients speaking the wire protocol, runs in a
// child process (ServeLoad), so the CPU and memory measured are the
// relay's own. The machine may be shared and noisy: each scenario runs
// the relay and the hub in the same run, and the ratios are what count.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// Scenarios lists the scenarios in the order they run.
var Scenarios = []string{"floor", "room", "conference", "throughput", "slow-consumer", "idle", "large", "catch-up", "ssh"}

// onRequest are the scenarios that run only when asked for by name: ssh
// runs the relay binary with its SSH screens, about a minute.
var onRequest = []string{"ssh"}

// Options configures a bench run.
type Options struct {
	// Quick runs every scenario smaller and shorter (within a minute).
	Quick bool
	// Scenarios to run; empty runs them all.
	Scenarios []string
	// Dir is where the relay keeps its data (and the fsync floor is
	// taken); empty makes a temporary directory, removed afterwards.
	Dir string
	// ProfileDir, when set, receives CPU and heap profiles of the
	// relay's process for each scenario.
	ProfileDir string
	// LoadArgs are the arguments that make this binary run the load
	// (ServeLoad), e.g. ["bench-load"].
	LoadArgs []string
	// InProcess runs the load in this process instead (tests): CPU and
	// memory figures then include it.
	InProcess bool
	// Progress receives a line as each part starts; nil for none.
	Progress io.Writer

	sizes *sizes // tests: instead of the full or quick sizes
}

// runner is one bench run.
type runner struct {
	opts Options
	exe  string
	dir  string
	sz   sizes
	// fsyncP50 and fsyncPerSec come from the floor, which later
	// targets need; measured on demand when the floor is not run.
	fsyncP50    time.Duration
	fsyncPerSec float64
	dirs        int // data directories made so far
}

// Run runs the scenarios and returns their figures.
func Run(ctx context.Context, opts Options) (*Report, error) {
	for _, s := range opts.Scenarios {
		if !slices.Contains(Scenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q; the scenarios are %s", s, strings.Join(Scenarios, ", "))
		}
	}
	b := &runner{opts: opts, sz: fullSizes}
	switch {
	case opts.sizes != nil:
		b.sz = *opts.sizes
	case opts.Quick:
		b.sz = quickSizes
	}
	if !opts.InProcess {
		exe, err := executable()
		if err != nil {
			return nil, err
		}
		b.exe = exe
	}
	limit := raiseFileLimit()
	for _, need := range []struct {
		name  string
		conns int
	}{{"idle", b.sz.idleConns}, {"large", b.sz.largeConns}} {
		if limit < uint64(need.conns)+1000 && b.wants(need.name) {
			return nil, fmt.Errorf("the %s scenario needs %d open files, and the limit is %d even after raising it to the hard limit; raise the hard limit (ulimit -Hn, limits.conf) or leave the scenario out",
				need.name, need.conns+1000, limit)
		}
	}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	dir, err := os.MkdirTemp(opts.Dir, "breakout-bench-")
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	b.dir = dir
	if opts.ProfileDir != "" {
		if err := os.MkdirAll(opts.ProfileDir, 0o755); err != nil {
			return nil, fmt.Errorf("profile directory: %w", err)
		}
	}
	rep := &Report{Machine: machine(), Quick: opts.Quick}
	rep.LoadAvg[0] = loadAvg()
	defer func() { rep.LoadAvg[1] = loadAvg() }()
	run := map[string]func(context.Context) (Result, error){
		"floor":         b.floor,
		"room":          b.room,
		"conference":    b.conference,
		"throughput":    b.throughput,
		"slow-consumer": b.slowConsumer,
		"idle":          b.idle,
		"large":         b.large,
		"catch-up":      b.catchUp,
		"ssh":           b.sshScenario,
	}
	for _, name := range Scenarios {
		if !b.wants(name) {
			continue
		}
		b.progress("%s", name)
		res, err := run[name](ctx)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", name, err)
		}
		res.Name = name
		rep.Scenarios = append(rep.Scenarios, res)
	}
	return rep, nil
}

func (b *runner) wants(name string) bool {
	if len(b.opts.Scenarios) == 0 {
		return !slices.Contains(onRequest, name)
	}
	return slices.Contains(b.opts.Scenarios, name)
}

func (b *runner) progress(format string, args ...any) {
	if b.opts.Progress != nil {
		fmt.Fprintf(b.opts.Progress, "bench: "+format+"\n", args...)
	}
}

// dataDir is a fresh directory for one relay.
func (b *runner) dataDir(name string) string {
	b.dirs++
	return filepath.Join(b.dir, fmt.Sprintf("%s-%d", name, b.dirs))
}

// profile starts a CPU profile of this process (the relay) when profiles
// are asked for; the returned func stops it and writes a heap profile.
func (b *runner) profile(name string) func() {
	if b.opts.ProfileDir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(b.opts.ProfileDir, name+".cpu.pprof"))
	if err != nil {
		b.progress("profile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.progress("profile: %v", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		b.writeHeap(name)
	}
}

// writeHeap writes a heap profile of this process when profiles are
// asked for.
func (b *runner) writeHeap(name string) {
	if b.opts.ProfileDir == "" {
		return
	}
	if h, err := os.Create(filepath.Join(b.opts.ProfileDir, name+".heap.pprof")); err == nil {
		pprof.WriteHeapProfile(h)
		h.Close()
	}
}

// window measures the relay's CPU between the load's "start" and "stop"
// marks, and profiles it when asked to.
type window struct {
	b        *runner
	name     string
	cpu      cpuMeter
	pct      float64
	cpuSec   float64
	stopProf func()
}

func (b *runner) window(name string) *window { return &window{b: b, name: name} }

func (w *window) mark(m string) error {
	switch m {
	case "start":
		w.stopProf = w.b.profile(w.name)
		w.cpu = startCPU()
	case "stop":
		w.pct, w.cpuSec = w.cpu.percent(), w.cpu.seconds()
		if w.stopProf != nil {
			w.stopProf()
		}
	}
	return nil
}

// sizes are how big and long the scenarios are.
type sizes struct {
	echoTrials, fsyncs int
	// settle is the pause between connecting and timing.
	settle time.Duration
	// rounds is how many times each server runs each scenario, in turns.
	rounds int

	roomClients int
	roomRate    float64
	roomFor     time.Duration

	confGroups, confClients int
	confEvery, confFor      time.Duration

	// Throughput doubles from tpStart (up to tpMax) until a rate
	// fails, then bisects to within tpTol; each rate runs tpStep.
	tpStart, tpMax, tpTol float64
	tpStep                time.Duration

	slowFor, slowStall, slowResume time.Duration
	slowQueue, slowText            int

	idleConns            int
	idleHold, idleSettle time.Duration
	idleRounds           int

	largeConns int
	largeRate  float64
	largeFor   time.Duration

	entries, welcomeTrials    int
	catchGroups, catchFillers int
}

var fullSizes = sizes{
	echoTrials: 5000, fsyncs: 2000, settle: 2 * time.Second, rounds: 3,
	roomClients: 50, roomRate: 20, roomFor: 10 * time.Second,
	confGroups: 40, confClients: 25, confEvery: 2 * time.Second, confFor: 20 * time.Second,
	tpStart: 1000, tpMax: 32000, tpTol: 0.05, tpStep: 3 * time.Second,
	slowFor: 20 * time.Second, slowStall: 20 * time.Second, slowResume: 5 * time.Second,
	slowQueue: 64 << 10, slowText: 900,
	idleConns: 10000, idleHold: 60 * time.Second, idleSettle: 2 * time.Second, idleRounds: 3,
	largeConns: 10000, largeRate: 1000, largeFor: 20 * time.Second,
	entries: 50000, welcomeTrials: 7, catchGroups: 40, catchFillers: 5,
}

var quickSizes = sizes{
	echoTrials: 1000, fsyncs: 300, settle: 500 * time.Millisecond, rounds: 1,
	roomClients: 50, roomRate: 20, roomFor: 2 * time.Second,
	confGroups: 8, confClients: 25, confEvery: 2 * time.Second, confFor: 2 * time.Second,
	tpStart: 2000, tpMax: 16000, tpTol: 0.05, tpStep: 500 * time.Millisecond,
	slowFor: 2 * time.Second, slowStall: 8 * time.Second, slowResume: time.Second,
	slowQueue: 64 << 10, slowText: 900,
	idleConns: 1000, idleHold: 500 * time.Millisecond, idleSettle: 500 * time.Millisecond, idleRounds: 1,
	largeConns: 1000, largeRate: 1000, largeFor: time.Second,
	entries: 5000, welcomeTrials: 3, catchGroups: 40, catchFillers: 5,
}
