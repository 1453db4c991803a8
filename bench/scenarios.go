package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// target names which server a part runs against.
type target string

const (
	onRelay target = "relay"
	onHub   target = "hub"
	// onRelayNoSync is the relay with its log written but not fsynced
	// (breakout relay --no-sync): what the relay does when the disk's
	// latency is taken out.
	onRelayNoSync target = "relay without fsync"
)

// outcome is what one part (one scenario on one server) gave.
type outcome struct {
	load *LoadResult
	cpu  float64 // % of one core between the load's start and stop marks
	srv  *server
}

// part starts the server, creates its session of groups × clients, runs
// job against it in the load process and stops the server. extra, if not
// nil, sees every mark too, and "ready" before the load starts.
func (b *runner) part(ctx context.Context, name string, on target, groups, clients int, job Job, extra func(*server, string) error) (outcome, error) {
	b.progress("%s on the %s", name, on)
	var srv *server
	var err error
	if on != onHub {
		srv, err = startRelay(ctx, b.dataDir(name), 0, 0, on == onRelayNoSync)
	} else {
		srv, err = startHub()
	}
	if err != nil {
		return outcome{}, err
	}
	defer srv.close()
	job.URL = srv.url
	if job.Groups, _, err = srv.session(ctx, groups, clients); err != nil {
		return outcome{}, err
	}
	if job.Dials == 0 {
		job.Dials = 32
	}
	if extra != nil {
		if err := extra(srv, "ready"); err != nil {
			return outcome{}, err
		}
	}
	w := b.window(name + "-" + strings.ReplaceAll(string(on), " ", "-"))
	lr, err := b.runChild(ctx, job, func(m string) error {
		if m == "connected" && job.Kind != "idle" {
			// Every join is followed by an online entry that the relay
			// appends and fans out on its own; let those settle before
			// anything is timed.
			time.Sleep(b.sz.settle)
		}
		if extra != nil {
			if err := extra(srv, m); err != nil {
				return err
			}
		}
		return w.mark(m)
	})
	if err != nil {
		return outcome{}, fmt.Errorf("%s: %w", on, err)
	}
	return outcome{load: lr, cpu: w.pct, srv: srv}, nil
}

// floor: what loopback websockets and the disk cost at the least.
func (b *runner) floor(ctx context.Context) (Result, error) {
	res := Result{What: "websocket echo round trip over loopback (200-byte frames); write+fsync loop in the data directory"}
	up := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			t, m, err := ws.ReadMessage()
			if err != nil || ws.WriteMessage(t, m) != nil {
				return
			}
		}
	})
	hs, _, url, err := listen(mux, 0)
	if err != nil {
		return res, err
	}
	b.progress("floor: echo")
	lr, err := b.runChild(ctx, Job{Kind: "echo", URL: url, Trials: b.sz.echoTrials}, nil)
	hs.Close()
	if err != nil {
		return res, err
	}
	b.progress("floor: fsync")
	fs, perSec, err := b.fsync(b.sz.fsyncs)
	if err != nil {
		return res, err
	}
	e := lr.Latency["echo"]
	res.fig("echo_p50_us", us(e.P50))
	res.fig("echo_p99_us", us(e.P99))
	res.fig("fsync_p50_us", us(fs.P50))
	res.fig("fsync_p99_us", us(fs.P99))
	res.fig("fsync_max_us", us(fs.Max))
	res.fig("fsync_per_s", round(perSec, 0))
	res.row("echo round trip p50", fmtUs(us(e.P50)), "", "")
	res.row("echo round trip p99", fmtUs(us(e.P99)), "", "")
	res.row("write+fsync p50", fmtUs(us(fs.P50)), "", "")
	res.row("write+fsync p99", fmtUs(us(fs.P99)), "", "")
	res.row("write+fsync slowest", fmtUs(us(fs.Max)), "", "")
	res.row("fsyncs per second", fmtInt(int(perSec)), "", "")
	return res, nil
}

// fsync times writes of 256 bytes, each followed by fsync, to a file in
// the data directory, as the log's appends are; it remembers the result
// for the targets that depend on it.
func (b *runner) fsync(n int) (Summary, float64, error) {
	f, err := os.CreateTemp(b.dir, "fsync-")
	if err != nil {
		return Summary{}, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 256)
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for range n {
		t := time.Now()
		if _, err := f.Write(buf); err != nil {
			return Summary{}, 0, err
		}
		if err := f.Sync(); err != nil {
			return Summary{}, 0, err
		}
		lat = append(lat, time.Since(t))
	}
	perSec := float64(n) / time.Since(start).Seconds()
	s := Summarize(lat)
	b.fsyncP50, b.fsyncPerSec = s.P50, perSec
	return s, perSec, nil
}

// needFsync measures the disk when the floor has not run.
func (b *runner) needFsync() error {
	if b.fsyncP50 > 0 {
		return nil
	}
	_, _, err := b.fsync(max(b.sz.fsyncs/2, 200))
	return err
}

// room: one sender, everyone in the room waits for each op. The relay
// and the hub take turns in rounds, so a noisy moment of the machine
// falls on both alike; their per-op latencies are pooled.
func (b *runner) room(ctx context.Context) (Result, error) {
	sz := b.sz
	rounds := max(sz.roomRounds, 1)
	res := Result{What: fmt.Sprintf("1 group × %d clients, one sender at %.0f ops/s, %d × %v on each in turn; time until all %d have the event",
		sz.roomClients, sz.roomRate, rounds, sz.roomFor, sz.roomClients)}
	job := Job{Kind: "room", Rate: sz.roomRate, Duration: sz.roomFor, TextLen: 80}
	var rel, hub pooled
	for range rounds {
		for _, on := range []target{onRelay, onHub} {
			o, err := b.part(ctx, "room", on, 1, sz.roomClients, job, nil)
			if err != nil {
				return res, err
			}
			if on == onRelay {
				rel.add(o)
			} else {
				hub.add(o)
			}
		}
	}
	if err := b.needFsync(); err != nil {
		return res, err
	}
	r, h := Summarize(rel.samples), Summarize(hub.samples)
	res.fig("relay_p50_us", us(r.P50))
	res.fig("relay_p99_us", us(r.P99))
	res.fig("hub_p50_us", us(h.P50))
	res.fig("hub_p99_us", us(h.P99))
	res.fig("ops", r.N)
	res.fig("relay_gaps", rel.gaps)
	res.fig("hub_gaps", hub.gaps)
	res.fig("relay_cpu_pct", rel.cpu())
	res.fig("hub_cpu_pct", hub.cpu())
	res.row("p50 until all have it", fmtUs(us(r.P50)), fmtUs(us(h.P50)), ratio(us(r.P50), us(h.P50)))
	res.row("p99 until all have it", fmtUs(us(r.P99)), fmtUs(us(h.P99)), ratio(us(r.P99), us(h.P99)))
	res.row("ops timed", fmtInt(r.N), fmtInt(h.N), "")
	res.row("gaps", fmtInt(rel.gaps), fmtInt(hub.gaps), "")
	res.row("CPU, % of a core", fmt.Sprintf("%.1f", rel.cpu()), fmt.Sprintf("%.1f", hub.cpu()), ratio(rel.cpu(), hub.cpu()))
	res.fig("load_cpu_pct", rel.loadCPU())
	res.row("load process CPU, % of a core", fmt.Sprintf("%.1f", rel.loadCPU()), fmt.Sprintf("%.1f", hub.loadCPU()), "")
	limit := b.fsyncP50 + 3*h.P50
	res.check(r.P50 <= limit, "relay p50 ≤ fsync p50 + 3 × hub p50",
		"%s ≤ %s + 3 × %s = %s", fmtUs(us(r.P50)), fmtUs(us(b.fsyncP50)), fmtUs(us(h.P50)), fmtUs(us(limit)))
	noteErrors(&res, rel.outs...)
	noteErrors(&res, hub.outs...)
	return res, nil
}

// pooled gathers the rounds of one server.
type pooled struct {
	samples []time.Duration
	gaps    int
	outs    []outcome
}

func (p *pooled) add(o outcome) {
	p.samples = append(p.samples, o.load.Samples...)
	p.gaps += o.load.Gaps
	p.outs = append(p.outs, o)
}

func (p *pooled) cpu() float64 {
	var sum float64
	for _, o := range p.outs {
		sum += o.cpu
	}
	return round(sum/float64(max(len(p.outs), 1)), 1)
}

func (p *pooled) loadCPU() float64 {
	var sum float64
	for _, o := range p.outs {
		sum += o.load.CPUPct
	}
	return round(sum/float64(max(len(p.outs), 1)), 1)
}

// conference: every client of many groups adds ideas now and then.
func (b *runner) conference(ctx context.Context) (Result, error) {
	sz := b.sz
	n := sz.confGroups * sz.confClients
	res := Result{What: fmt.Sprintf("%d groups × %d clients (%s connections), each adds an idea every %v, for %v; latency per delivery",
		sz.confGroups, sz.confClients, fmtInt(n), sz.confEvery, sz.confFor)}
	job := Job{Kind: "conference", Interval: sz.confEvery, Duration: sz.confFor, TextLen: 80}
	// The log's appends over 50 ms while the ops are sent: one holds up
	// every op behind it, and the disk, not the relay, sets them.
	var appendsBefore, appendsAfter map[float64]float64
	rel, err := b.part(ctx, "conference", onRelay, sz.confGroups, sz.confClients, job, func(s *server, m string) error {
		switch m {
		case "start":
			appendsBefore, _ = s.metrics().histogram("breakout_append_seconds")
		case "stop":
			appendsAfter, _ = s.metrics().histogram("breakout_append_seconds")
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	hub, err := b.part(ctx, "conference", onHub, sz.confGroups, sz.confClients, job, nil)
	if err != nil {
		return res, err
	}
	r, h := rel.load.Latency["all"], hub.load.Latency["all"]
	res.fig("clients", rel.load.Clients)
	res.fig("sent", rel.load.Sent)
	res.fig("delivered", rel.load.Delivered)
	res.fig("gaps", rel.load.Gaps)
	res.fig("p50_ms", ms(r.P50))
	res.fig("p99_ms", ms(r.P99))
	res.fig("relay_cpu_pct", rel.cpu)
	res.fig("hub_p50_ms", ms(h.P50))
	res.fig("hub_p99_ms", ms(h.P99))
	res.fig("hub_gaps", hub.load.Gaps)
	res.fig("hub_cpu_pct", hub.cpu)
	res.row("clients", fmtInt(rel.load.Clients), fmtInt(hub.load.Clients), "")
	res.row("ops sent", fmtInt(rel.load.Sent), fmtInt(hub.load.Sent), "")
	res.row("deliveries", fmtInt(rel.load.Delivered), fmtInt(hub.load.Delivered), "")
	res.row("gaps", fmtInt(rel.load.Gaps), fmtInt(hub.load.Gaps), "")
	res.row("p50 per delivery", fmtMs(ms(r.P50)), fmtMs(ms(h.P50)), ratio(ms(r.P50), ms(h.P50)))
	res.row("p99 per delivery", fmtMs(ms(r.P99)), fmtMs(ms(h.P99)), ratio(ms(r.P99), ms(h.P99)))
	res.row("CPU, % of a core", fmt.Sprintf("%.1f", rel.cpu), fmt.Sprintf("%.1f", hub.cpu), ratio(rel.cpu, hub.cpu))
	loadCPU(&res, rel, hub)
	slow, slowest := slowAppends(appendsBefore, appendsAfter, 0.0512)
	res.fig("slow_appends", slow)
	res.row("log appends over 51 ms", fmtInt(slow), "", "")
	if slow > 0 {
		res.note("%d of the relay's log appends took over 51 ms while the ops were sent (the slowest ≤ %s): an append waits for its fsync, every op behind it waits too, and this machine's disk stalls an fsync now and then (see docs/performance.md)",
			slow, fmtMs(slowest*1000))
	}
	res.check(r.P99 <= 25*time.Millisecond, "p99 ≤ 25 ms", "%s", fmtMs(ms(r.P99)))
	res.check(rel.load.Gaps == 0 && rel.load.Acked > 0, "gaps = 0", "%d gaps in %s deliveries of %s acknowledged ops",
		rel.load.Gaps, fmtInt(rel.load.Delivered), fmtInt(rel.load.Acked))
	noteErrors(&res, rel, hub)
	return res, nil
}

// throughput: open loop over the conference's groups, at rising rates.
func (b *runner) throughput(ctx context.Context) (Result, error) {
	sz := b.sz
	res := Result{What: fmt.Sprintf("open loop over %d groups × %d clients; rate ×%.2f every %v from %.0f ops/s until p99 per delivery passes 50 ms",
		sz.confGroups, sz.confClients, sz.tpFactor, sz.tpStep, sz.tpStart)}
	var steps []Step
	for r := sz.tpStart; r <= sz.tpMax; r *= sz.tpFactor {
		steps = append(steps, Step{Rate: math.Round(r), Duration: sz.tpStep})
	}
	job := Job{Kind: "throughput", Steps: steps, MaxP99: 50 * time.Millisecond, TextLen: 80}
	var batch float64
	// The log's appends that took over 50 ms, step by step: one is
	// enough to fail a step, and the disk, not the relay, sets them.
	type stall struct {
		n       int
		slowest float64
	}
	var stalls []stall
	var last map[float64]float64
	// Frames written to clients per socket write over the steps: a busy
	// relay holds connections a little so that frames share writes.
	var frames0, writes0, framesPerWrite float64
	rel, err := b.part(ctx, "throughput", onRelay, sz.confGroups, sz.confClients, job, func(s *server, m string) error {
		switch m {
		case "start":
			m := s.metrics()
			last, _ = m.histogram("breakout_append_seconds")
			frames0, writes0 = m.counter("breakout_frames_sent_total"), m.counter("breakout_client_writes_total")
		case "step":
			h, _ := s.metrics().histogram("breakout_append_seconds")
			n, slowest := slowAppends(last, h, 0.0512)
			stalls, last = append(stalls, stall{n, slowest}), h
		case "stop":
			m := s.metrics()
			if ops, sum := m.histogram("breakout_append_ops"); ops[math.Inf(1)] > 0 {
				batch = sum / ops[math.Inf(1)]
			}
			if w := m.counter("breakout_client_writes_total") - writes0; w > 0 {
				framesPerWrite = (m.counter("breakout_frames_sent_total") - frames0) / w
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	hub, err := b.part(ctx, "throughput", onHub, sz.confGroups, sz.confClients, job, nil)
	if err != nil {
		return res, err
	}
	noSync, err := b.part(ctx, "throughput", onRelayNoSync, sz.confGroups, sz.confClients, job, nil)
	if err != nil {
		return res, err
	}
	if err := b.needFsync(); err != nil {
		return res, err
	}
	best := func(o outcome) (float64, *StepResult) {
		var top float64
		var at *StepResult
		for i, s := range o.load.Steps {
			if s.Pass && s.AckedPerSec > top {
				top, at = s.AckedPerSec, &o.load.Steps[i]
			}
		}
		return top, at
	}
	durable, _ := best(rel)
	hubRate, _ := best(hub)
	noSyncRate, _ := best(noSync)
	res.fig("durable_ops_per_s", durable)
	res.fig("hub_ops_per_s", hubRate)
	res.fig("fsync_per_s", round(b.fsyncPerSec, 0))
	res.fig("nosync_ops_per_s", noSyncRate)
	res.fig("ops_per_append", round(batch, 1))
	res.fig("frames_per_write", round(framesPerWrite, 2))
	res.row("durable ops/s (p99 ≤ 50 ms)", fmtInt(int(durable)), fmtInt(int(hubRate)), ratio(durable, hubRate))
	res.row("without fsync (--no-sync), ops/s", fmtInt(int(noSyncRate)), fmtInt(int(hubRate)), ratio(noSyncRate, hubRate))
	res.row("disk fsyncs/s", fmtInt(int(b.fsyncPerSec)), "", "")
	res.row("ops per log append (mean)", fmt.Sprintf("%.1f", batch), "", "")
	res.row("frames per write to a client (mean)", fmt.Sprintf("%.2f", framesPerWrite), "", "")
	res.row("CPU over the steps, % of a core", fmt.Sprintf("%.1f", rel.cpu), fmt.Sprintf("%.1f", hub.cpu), "")
	loadCPU(&res, rel, hub)
	// stepText is one try of a step, with the relay's slow appends in it.
	stepText := func(o outcome, stalls []stall, i int) string {
		st := o.load.Steps[i]
		t := fmt.Sprintf("%s/s p99 %s", fmtInt(int(st.AckedPerSec)), fmtMs(ms(st.Latency.P99)))
		if !st.Pass {
			t += " ✗"
		}
		if i < len(stalls) && stalls[i].n > 0 {
			t += fmt.Sprintf(" (%d appends > 51 ms, slowest ≤ %s)", stalls[i].n, fmtMs(stalls[i].slowest*1000))
		}
		return t
	}
	// tries are the tries of the step at rate.
	tries := func(o outcome, stalls []stall, rate float64) []string {
		var out []string
		for i, st := range o.load.Steps {
			if st.Rate == rate {
				out = append(out, stepText(o, stalls, i))
			}
		}
		return out
	}
	for _, st := range steps {
		r, h := tries(rel, stalls, st.Rate), tries(hub, nil, st.Rate)
		if len(r) == 0 && len(h) == 0 {
			break
		}
		res.row(fmt.Sprintf("offered %s ops/s", fmtInt(int(st.Rate))), strings.Join(r, ", again "), strings.Join(h, ", again "), "")
	}
	var noSyncSteps []string
	for i := range noSync.load.Steps {
		noSyncSteps = append(noSyncSteps, stepText(noSync, nil, i))
	}
	res.note("the relay without fsync, step by step: %s", strings.Join(noSyncSteps, ", "))
	var slowTotal int
	var slowest float64
	for _, s := range stalls {
		slowTotal += s.n
		slowest = max(slowest, s.slowest)
	}
	res.fig("slow_appends", slowTotal)
	if slowTotal > 0 {
		res.note("%d of the relay's log appends took over 51 ms during the steps (the slowest ≤ %s): an append waits for its fsync, and this machine's disk stalls an fsync now and then for 50 to 700 ms; each such stall holds up every op behind it and can fail a step by itself (see docs/performance.md)",
			slowTotal, fmtMs(slowest*1000))
	}
	res.note("a rate that fails is tried once more before the climb ends (\"again\"), as one stall of another process on a shared machine can fail a step by itself")
	if last := hub.load.Steps[len(hub.load.Steps)-1]; last.Pass {
		res.note("the hub passed every step up to %s ops/s: its figure is a lower bound, set by the load", fmtInt(int(last.Rate)))
	}
	res.check(durable >= 5000, "≥ 5,000 durable ops/s", "%s ops/s", fmtInt(int(durable)))
	res.check(durable >= 1.75*b.fsyncPerSec, "≥ 1.75 × the disk's fsyncs per second",
		"%s ops/s against 1.75 × %s = %s", fmtInt(int(durable)), fmtInt(int(b.fsyncPerSec)), fmtInt(int(1.75*b.fsyncPerSec)))
	noteErrors(&res, rel, hub)
	return res, nil
}

// slowConsumer: room, with one client that stops reading for a while.
func (b *runner) slowConsumer(ctx context.Context) (Result, error) {
	sz := b.sz
	res := Result{What: fmt.Sprintf("room of %d, one client stops reading for %v; relay queue bound %d KiB, socket buffers %d KiB (relay send) and %d KiB (client receive); latencies over the other %d",
		sz.roomClients, sz.slowStall, sz.slowQueue>>10, slowSndBuf>>10, slowRcvBuf>>10, sz.roomClients-1)}
	b.progress("slow-consumer on the relay")
	srv, err := startRelay(ctx, b.dataDir("slow-consumer"), sz.slowQueue, slowSndBuf, false)
	if err != nil {
		return res, err
	}
	defer srv.close()
	groups, _, err := srv.session(ctx, 1, sz.roomClients)
	if err != nil {
		return res, err
	}
	job := Job{Kind: "slow", URL: srv.url, Groups: groups, Rate: sz.roomRate, Duration: sz.slowFor,
		Stall: sz.slowStall, Resume: sz.slowResume, TextLen: sz.slowText, Dials: 16}
	// The relay's resident set and its cut-off counter are sampled
	// every 250 ms in every phase alike, so the sampling weighs on the
	// unstalled phase as much as on the stalled one.
	var (
		mu                            sync.Mutex
		stalled                       bool
		rss0, rssPeak                 int64
		stallAt, cutAt                time.Time
		stopSampling, samplingStopped = make(chan struct{}), make(chan struct{})
	)
	sample := func() {
		defer close(samplingStopped)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
			r := rssBytes()
			cut := srv.metrics().counter("breakout_clients_cut_off_total") > 0
			mu.Lock()
			if stalled {
				rssPeak = max(rssPeak, r)
				if cut && cutAt.IsZero() {
					cutAt = time.Now()
				}
			}
			mu.Unlock()
		}
	}
	cpu := startCPU()
	lr, err := b.runChild(ctx, job, func(m string) error {
		switch m {
		case "connected":
			go sample()
		case "stall-start":
			mu.Lock()
			stalled, stallAt = true, time.Now()
			rss0 = rssBytes()
			rssPeak = rss0
			mu.Unlock()
		case "stall-end":
			mu.Lock()
			stalled = false
			mu.Unlock()
		}
		return nil
	})
	close(stopSampling)
	<-samplingStopped
	if err != nil {
		return res, err
	}
	cpuPct := cpu.percent()
	un, st := lr.Latency["unstalled"], lr.Latency["stalled"]
	growth := float64(rssPeak-rss0) / (1 << 20)
	cutOff := srv.metrics().counter("breakout_clients_cut_off_total") > 0 && lr.Slow.CutOff
	res.fig("p99_ms_unstalled", ms(un.P99))
	res.fig("p99_ms_stalled", ms(st.P99))
	res.fig("rss_growth_mb", round(growth, 1))
	res.fig("cut_off", cutOff)
	res.fig("resumed_gaps", lr.Slow.Gaps)
	if !cutAt.IsZero() {
		res.fig("cut_off_after_s", round(cutAt.Sub(stallAt).Seconds(), 1))
	}
	res.fig("error_code", lr.Slow.ErrorCode)
	res.fig("resumed_events", lr.Slow.ResumedEvents)
	res.fig("others_gaps", lr.Gaps)
	res.fig("relay_cpu_pct", cpuPct)
	res.row("p50 until the others have it, unstalled", fmtMs(ms(un.P50)), "", "")
	res.row("p99 until the others have it, unstalled", fmtMs(ms(un.P99)), "", "")
	res.row("p50 until the others have it, stalled", fmtMs(ms(st.P50)), "", "")
	res.row("p99 until the others have it, stalled", fmtMs(ms(st.P99)), "", "")
	res.row("relay RSS growth during the stall", fmt.Sprintf("%.1f MB", growth), "", "")
	cut := "no"
	if cutOff {
		cut = "yes"
		if !cutAt.IsZero() {
			cut = fmt.Sprintf("yes, %.1f s into the stall", cutAt.Sub(stallAt).Seconds())
		}
	}
	res.row("slow client cut off", cut, "", "")
	code := lr.Slow.ErrorCode
	if code == "" {
		code = "(none: the socket closed before it could be sent)"
	}
	res.row("error frame it found", code, "", "")
	res.row("events in its resume welcome", fmtInt(lr.Slow.ResumedEvents), "", "")
	res.row("ops it never saw after resuming", fmtInt(lr.Slow.Gaps), "", "")
	res.check(st.P99 <= un.P99*12/10, "stalled p99 ≤ 1.2 × unstalled", "%s against 1.2 × %s = %s",
		fmtMs(ms(st.P99)), fmtMs(ms(un.P99)), fmtMs(ms(un.P99*12/10)))
	bound := float64(sz.slowQueue)/(1<<20) + 8
	res.check(growth <= bound, "memory bounded (growth ≤ the queue bound + 8 MB of heap slack)",
		"%.1f MB ≤ %.1f MB", growth, bound)
	res.check(cutOff, "the slow client is cut off", "%s", cut)
	res.check(lr.Slow.Resumed && lr.Slow.Gaps == 0, "0 gaps after resume", "resumed %v, %d ops missing", lr.Slow.Resumed, lr.Slow.Gaps)
	noteErrors(&res, outcome{load: lr, srv: srv})
	return res, nil
}

// idle: many connections that only answer pings.
func (b *runner) idle(ctx context.Context) (Result, error) {
	sz := b.sz
	n := sz.idleConns
	groups := max(n/25, 1)
	res := Result{What: fmt.Sprintf("%s idle connections (%d groups of 25), held %v; memory per connection from the resident set after GC",
		fmtInt(n), groups, sz.idleHold)}
	type mem struct {
		kb, heapKB, stackKB float64
		goroutines          float64
		lost                int
	}
	measure := func(on target) (mem, error) {
		var m mem
		var rss0 int64
		var m0 memClasses
		job := Job{Kind: "idle", Hold: sz.idleHold, Dials: 64}
		o, err := b.part(ctx, "idle", on, groups, n/groups, job, func(_ *server, mark string) error {
			switch mark {
			case "ready":
				rss0, m0 = settledRSS(), readMem()
			case "connected":
				// The relay appends a join and an online entry per
				// connection; let it settle.
				time.Sleep(sz.idleSettle)
			case "held":
				rss := settledRSS()
				m1 := readMem()
				c := float64(n)
				m.kb = float64(rss-rss0) / 1024 / c
				m.heapKB = float64(m1.heap-m0.heap) / 1024 / c
				m.stackKB = float64(m1.stacks-m0.stacks) / 1024 / c
				m.goroutines = float64(m1.goroutines-m0.goroutines) / c
				b.writeHeap("idle-" + string(on))
			}
			return nil
		})
		if err != nil {
			return m, err
		}
		m.lost = o.load.Lost
		noteErrors(&res, o)
		return m, nil
	}
	rel, err := measure(onRelay)
	if err != nil {
		return res, err
	}
	hub, err := measure(onHub)
	if err != nil {
		return res, err
	}
	res.fig("connections", n)
	res.fig("relay_kb_per_conn", round(rel.kb, 1))
	res.fig("hub_kb_per_conn", round(hub.kb, 1))
	res.fig("relay_heap_kb_per_conn", round(rel.heapKB, 1))
	res.fig("relay_stack_kb_per_conn", round(rel.stackKB, 1))
	res.fig("relay_goroutines_per_conn", round(rel.goroutines, 2))
	res.fig("lost", rel.lost)
	res.row("KB per connection (RSS)", fmt.Sprintf("%.1f", rel.kb), fmt.Sprintf("%.1f", hub.kb), ratio(rel.kb, hub.kb))
	res.row("  of it Go heap", fmt.Sprintf("%.1f", rel.heapKB), fmt.Sprintf("%.1f", hub.heapKB), ratio(rel.heapKB, hub.heapKB))
	res.row("  of it goroutine stacks", fmt.Sprintf("%.1f", rel.stackKB), fmt.Sprintf("%.1f", hub.stackKB), ratio(rel.stackKB, hub.stackKB))
	res.row("goroutines per connection", fmt.Sprintf("%.2f", rel.goroutines), fmt.Sprintf("%.2f", hub.goroutines), "")
	res.row("connections lost while held", fmtInt(rel.lost), fmtInt(hub.lost), "")
	res.check(rel.kb <= 20, "≤ 20 KB per connection", "%.1f KB", rel.kb)
	if sz.idleHold < 54*time.Second {
		res.note("held for less than the 54 s ping period: no ping round was seen")
	}
	return res, nil
}

// loadCPU adds the load process's own CPU, which tells when the load
// rather than the server is the limit.
func loadCPU(res *Result, rel, hub outcome) {
	res.fig("load_cpu_pct", rel.load.CPUPct)
	res.row("load process CPU, % of a core", fmt.Sprintf("%.1f", rel.load.CPUPct), fmt.Sprintf("%.1f", hub.load.CPUPct), "")
}
