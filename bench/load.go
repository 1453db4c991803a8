package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Job is what the load process is asked to do against a relay or the
// hub. Its Kind picks the shape; the other fields size it.
type Job struct {
	Kind string `json:"kind"` // echo, room, conference, throughput, slow, idle, fill, welcome
	URL  string `json:"url"`
	// Groups are the rooms and how many clients join each.
	Groups []JobGroup `json:"groups,omitempty"`
	// Rate is the one sender's ops per second (room, slow).
	Rate float64 `json:"rate,omitempty"`
	// Interval is how often each client adds an idea (conference).
	Interval time.Duration `json:"interval,omitempty"`
	// Duration is how long ops are sent (room, conference, and the
	// unstalled phase of slow).
	Duration time.Duration `json:"duration,omitempty"`
	// Steps are the offered rates of throughput, tried in order until
	// one's p99 passes MaxP99.
	Steps  []Step        `json:"steps,omitempty"`
	MaxP99 time.Duration `json:"max_p99,omitempty"`
	// Once tries each of Steps once: a step that fails is not tried
	// again, so the figures are those of its one try (large).
	Once bool `json:"once,omitempty"`
	// Search, when set, makes throughput find its highest passing rate
	// by bisection instead of trying Steps.
	Search *Search `json:"search,omitempty"`
	// Proto is the wire the clients speak: "" for the relay's (and the
	// hub's), "centrifuge" for Centrifuge's JSON protocol.
	Proto string `json:"proto,omitempty"`
	// Stall is how long the slow client stops reading; Resume how long
	// the sender goes on after it reads again.
	Stall  time.Duration `json:"stall,omitempty"`
	Resume time.Duration `json:"resume,omitempty"`
	// Hold is how long idle connections are kept open.
	Hold time.Duration `json:"hold,omitempty"`
	// Ops is how many ops fill sends.
	Ops int `json:"ops,omitempty"`
	// Trials is the number of echo round trips or of welcomes timed.
	Trials int `json:"trials,omitempty"`
	// OrganizerCode is joined with in welcome trials too.
	OrganizerCode string `json:"organizer_code,omitempty"`
	// TextLen is the length of each idea's text.
	TextLen int `json:"text_len,omitempty"`
	// Dials is how many connections are opened at once.
	Dials int `json:"dials,omitempty"`
}

// JobGroup is one room of a job: its join code and how many clients join.
type JobGroup struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Clients int    `json:"clients"`
}

// Search is a bisection of the offered rate: from Start, doubled until a
// rate fails (or Max passes), then halved between pass and fail until
// they are within Tol; each rate is offered for Duration.
type Search struct {
	Start    float64       `json:"start"`
	Max      float64       `json:"max"`
	Tol      float64       `json:"tol"`
	Duration time.Duration `json:"duration"`
}

// Step is one offered rate of the throughput job.
type Step struct {
	Rate     float64       `json:"rate"`
	Duration time.Duration `json:"duration"`
}

// LoadResult is what the load measured.
type LoadResult struct {
	Clients   int `json:"clients"`
	Sent      int `json:"sent"`
	Acked     int `json:"acked"`
	Rejected  int `json:"rejected"`
	Delivered int `json:"delivered"`
	Gaps      int `json:"gaps"`
	// Unacked counts the ops sent but never acknowledged by the end;
	// Missing the deliveries still missing then. Each missing delivery
	// is in the latencies as a timeout.
	Unacked int `json:"unacked"`
	Missing int `json:"missing"`
	// Lost counts connections that ended while the job still needed them.
	Lost   int      `json:"lost"`
	Errors []string `json:"errors,omitempty"`
	// Latency holds the latencies by phase: "all" (room: per op until
	// every client has it; conference: per delivery), "unstalled" and
	// "stalled" (slow), "echo", "participant" and "organizer" (welcome).
	Latency map[string]Summary `json:"latency,omitempty"`
	Steps   []StepResult       `json:"steps,omitempty"`
	// Best is the highest rate whose step passed (throughput).
	Best float64     `json:"best,omitempty"`
	Slow *SlowResult `json:"slow,omitempty"`
	// Seq is the highest seq seen: of the welcomes, or acknowledged.
	Seq int64 `json:"seq,omitempty"`
	// Resume is the resume token of the last client welcomed (welcome).
	Resume string `json:"resume,omitempty"`
	// Samples are the per-op latencies of room, for pooling rounds.
	Samples []time.Duration `json:"samples,omitempty"`
	// CPUPct is the load process's own CPU between its start and stop
	// marks, in % of one core: near 100 × cores, the load is the limit.
	CPUPct float64 `json:"cpu_pct,omitempty"`
}

// StepResult is one offered rate of the throughput job.
type StepResult struct {
	Rate    float64 `json:"rate"`
	Sent    int     `json:"sent"`
	Acked   int     `json:"acked"`
	Dropped int     `json:"dropped"` // the client's own send queue was full
	Gaps    int     `json:"gaps"`
	Unacked int     `json:"unacked"`
	Missing int     `json:"missing"`
	// Delivered counts the deliveries of the step's ops.
	Delivered int `json:"delivered"`
	// AckedPerSec is the ops acknowledged per second of the step.
	AckedPerSec float64 `json:"acked_per_s"`
	Latency     Summary `json:"latency"` // per delivery, from the scheduled send
	// AckLatency is from the scheduled send until the sender's ack:
	// the op is in the log and applied.
	AckLatency Summary `json:"ack_latency"`
	Pass       bool    `json:"pass"`
	// Retry marks the second try of a rate whose first try failed.
	Retry bool `json:"retry,omitempty"`
}

// SlowResult is what happened to the client that stopped reading.
type SlowResult struct {
	// CutOff: its connection ended while it was not reading.
	CutOff bool `json:"cut_off"`
	// ErrorCode is the code of the error frame it found, if any.
	ErrorCode string `json:"error_code,omitempty"`
	// Resumed: it reconnected with its resume token and seq.
	Resumed bool `json:"resumed"`
	// ResumedEvents is how many events the welcome of the resume held.
	ResumedEvents int `json:"resumed_events"`
	// Gaps are the acknowledged ops it never saw.
	Gaps int `json:"gaps"`
}

// opRec is one op the load sent. Its fields are written and read from
// different goroutines, with only the network in between, hence atomics.
type opRec struct {
	sent     atomic.Int64 // ns since the load's base; 0 until sent
	acked    atomic.Int64
	last     atomic.Int64 // latency of the latest delivery, ns
	count    atomic.Int32 // deliveries
	rejected atomic.Bool
	group    int32
	phase    int32
}

// load is one job being run: its ops, its clients and what they saw.
type load struct {
	job  Job
	mark func(string) error
	base time.Time

	ops     []opRec
	nops    atomic.Int64
	clients []*client
	// groupSize is the clients per group that count as receivers.
	groupSize []int
	// perDelivery records each delivery's latency (conference, throughput).
	perDelivery bool
	phase       atomic.Int32
	filler      string

	acked, rejected, maxSeq atomic.Int64
	closing                 atomic.Bool
	stop                    chan struct{} // closed by closeAll
	// setup prepares each client before its reader starts.
	setup func(*client)

	errMu sync.Mutex
	errs  []string
	lost  int
}

// RunLoad runs a job and returns what it measured. mark is called at the
// points the measuring side cares about ("connected", "start", "stop",
// "stall-start", "stall-end", "held") and the load waits for it.
func RunLoad(ctx context.Context, job Job, mark func(string) error) (*LoadResult, error) {
	if mark == nil {
		mark = func(string) error { return nil }
	}
	var cpu cpuMeter
	var cpuPct float64
	outer := mark
	mark = func(m string) error {
		switch m {
		case "start":
			cpu = startCPU()
		case "stop":
			cpuPct = cpu.percent()
		}
		return outer(m)
	}
	res, err := runLoad(ctx, job, mark)
	if res != nil {
		res.CPUPct = cpuPct
	}
	return res, err
}

func runLoad(ctx context.Context, job Job, mark func(string) error) (*LoadResult, error) {
	l := &load{job: job, mark: mark, base: time.Now(), filler: filler(job.TextLen), stop: make(chan struct{})}
	switch job.Kind {
	case "echo":
		return l.echo(ctx)
	case "room":
		return l.room(ctx)
	case "conference":
		return l.conference(ctx)
	case "throughput":
		return l.throughput(ctx)
	case "slow":
		return l.slowConsumer(ctx)
	case "idle":
		return l.idle(ctx)
	case "fill":
		return l.fill(ctx)
	case "welcome":
		return l.welcomes(ctx)
	}
	return nil, fmt.Errorf("unknown load %q", job.Kind)
}

func (l *load) now() int64 { return int64(time.Since(l.base)) }

func filler(n int) string {
	const words = "a shared idea board per question, with votes and a short summary at the end; "
	if n <= 0 {
		n = 80
	}
	return strings.Repeat(words, n/len(words)+1)[:n]
}

func (l *load) noteErr(format string, args ...any) {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if len(l.errs) < 10 {
		l.errs = append(l.errs, fmt.Sprintf(format, args...))
	}
}

// result is the common part of every job's result.
func (l *load) result() *LoadResult {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return &LoadResult{Clients: len(l.clients), Acked: int(l.acked.Load()), Rejected: int(l.rejected.Load()),
		Lost: l.lost, Errors: l.errs, Seq: l.maxSeq.Load(), Latency: map[string]Summary{}}
}

// fill copies a tally's counts into the result.
func (r *LoadResult) fill(t tallied) {
	r.Sent, r.Acked, r.Delivered, r.Gaps, r.Unacked, r.Missing = t.sent, t.acked, t.delivered, t.gaps, t.unacked, t.missing
}

// newOp takes the next op number for a client's group, or -1 when the
// job's ops are used up.
func (l *load) newOp(group int) int {
	n := int(l.nops.Add(1) - 1)
	if n >= len(l.ops) {
		return -1
	}
	l.ops[n].group = int32(group)
	l.ops[n].phase = l.phase.Load()
	return n
}

// pace calls send every period from start until stop, the first time
// after offset; it returns early when ctx ends or send fails.
func pace(ctx context.Context, start time.Time, offset, period, stop time.Duration, send func() error) {
	for i := 0; ; i++ {
		at := offset + time.Duration(i)*period
		if at >= stop {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(start.Add(at))):
		}
		if send() != nil {
			return
		}
	}
}

// drain waits until every op in [from, to) is answered and delivered to
// its expected receivers, or until d has passed.
func (l *load) drain(ctx context.Context, from, to int, expected func(*opRec) int, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		done := true
		for i := from; i < to && done; i++ {
			op := &l.ops[i]
			if op.sent.Load() == 0 || op.rejected.Load() {
				continue
			}
			done = op.acked.Load() != 0 && int(op.count.Load()) >= expected(op)
		}
		if done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tallied is what tally counted over a range of ops.
type tallied struct {
	sent, acked, delivered int
	// gaps are deliveries missing for acknowledged ops; unacked the ops
	// never acknowledged; missing every delivery missing at the end.
	gaps, unacked, missing int
	// lat is per op, until its last expected receiver had it; an op
	// not complete by the end counts as a timeout (from its send until
	// the end).
	lat []time.Duration
	// timeouts has one such sample per missing delivery, for the
	// per-delivery latencies.
	timeouts []time.Duration
}

// tally counts the sent, acked, delivered and missing deliveries of the
// ops in [from, to) whose phase is phase (-1: any), and collects their
// latency until the last expected receiver had them. An op still
// incomplete now counts as a timeout.
func (l *load) tally(from, to int, phase int32, expected func(*opRec) int) tallied {
	var t tallied
	end := l.now()
	var sentAt []int64
	var lacking []int
	for i := from; i < to; i++ {
		op := &l.ops[i]
		if op.sent.Load() == 0 || (phase >= 0 && op.phase != phase) {
			continue
		}
		t.sent++
		if op.rejected.Load() {
			continue // answered, and reported as a reject
		}
		cnt := int(op.count.Load())
		t.delivered += cnt
		want := expected(op)
		short := max(want-cnt, 0)
		if op.acked.Load() == 0 {
			t.unacked++
		} else {
			t.acked++
			t.gaps += short
		}
		if short > 0 || op.acked.Load() == 0 {
			t.missing += short
			sentAt, lacking = append(sentAt, op.sent.Load()), append(lacking, short)
			t.lat = append(t.lat, time.Duration(max(end-op.sent.Load(), 0)))
		} else {
			t.lat = append(t.lat, time.Duration(op.last.Load()))
		}
	}
	t.timeouts = withTimeouts(nil, sentAt, lacking, end)
	return t
}

// ackLatencies are the times from send to ack of the ops in [from, to).
func (l *load) ackLatencies(from, to int) []time.Duration {
	var out []time.Duration
	for i := from; i < to; i++ {
		op := &l.ops[i]
		if sent, acked := op.sent.Load(), op.acked.Load(); sent != 0 && acked != 0 {
			out = append(out, time.Duration(acked-sent))
		}
	}
	return out
}

// deliveries merges the clients' per-delivery latencies of a phase.
func (l *load) deliveries(phase int32) []time.Duration {
	var out []time.Duration
	for _, c := range l.clients {
		c.mu.Lock()
		if int(phase) < len(c.samples) {
			out = append(out, c.samples[phase]...)
		}
		c.mu.Unlock()
	}
	return out
}

func (l *load) groupExpected(op *opRec) int { return l.groupSize[op.group] }

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
