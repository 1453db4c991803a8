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
	load   *LoadResult
	cpu    float64 // % of one core between the load's start and stop marks
	cpuSec float64 // CPU seconds between them
	srv    *server
	// mem holds figures a scenario measured beside the load's
	// (memory per connection).
	mem map[string]float64
}

// part starts the server, creates its session of groups × clients, runs
// job against it in the load process and stops the server. extra, if not
// nil, sees every mark too, and "ready" before the load starts.
func (b *runner) part(ctx context.Context, name string, on target, groups, clients int, job Job, extra func(*server, string) error) (outcome, error) {
	b.progress("%s on the %s", name, on)
	var srv *server
	var err error
	switch on {
	case onHub:
		srv, err = startHub()
	case onCentrifuge:
		srv, err = startCentrifuge()
		job.Proto = protoCentrifuge
	default:
		srv, err = startRelay(ctx, b.dataDir(name), 0, 0, on == onRelayNoSync)
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
	return outcome{load: lr, cpu: w.pct, cpuSec: w.cpuSec, srv: srv}, nil
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
// and the baselines take turns, round after round, so a noisy moment of
// the machine falls on all alike; each figure is the median of the
// rounds, with its range.
func (b *runner) room(ctx context.Context) (Result, error) {
	sz := b.sz
	rounds := max(sz.rounds, 1)
	res := Result{What: fmt.Sprintf("1 group × %d clients, one sender at %.0f ops/s, %d rounds of %v on each in turn; time until all %d have the event; median (range) of the rounds",
		sz.roomClients, sz.roomRate, rounds, sz.roomFor, sz.roomClients)}
	job := Job{Kind: "room", Rate: sz.roomRate, Duration: sz.roomFor, TextLen: 80}
	ons := []target{onRelay, onHub, onCentrifuge}
	outs, err := b.rounds(rounds, ons, func(on target) (outcome, error) {
		return b.part(ctx, "room", on, 1, sz.roomClients, job, nil)
	})
	if err != nil {
		return res, err
	}
	got := compare(&res, ons, outs, append([]metric{
		{key: "p50_ms", label: "p50 until all have it", of: p50ms, format: fmtMsTwo, decimals: 2},
		{key: "p99_ms", label: "p99 until all have it", of: p99ms, format: fmtMsTwo, decimals: 2},
		{key: "ops", label: "ops timed (all rounds)", of: func(o outcome) float64 { return float64(o.load.Latency["all"].N) }, format: fmtCount, sum: true},
	}, commonMetrics()...))
	r, h := got["p50_ms"][onRelay], got["p50_ms"][onHub]
	res.check(r <= 1.5*h, "relay p50 ≤ 1.5 × hub p50", "%s against 1.5 × %s = %s", fmtMsTwo(r), fmtMsTwo(h), fmtMsTwo(1.5*h))
	noteErrors(&res, allOuts(outs)...)
	return res, nil
}

// conference: every client of many groups adds ideas now and then.
func (b *runner) conference(ctx context.Context) (Result, error) {
	sz := b.sz
	n := sz.confGroups * sz.confClients
	rounds := max(sz.rounds, 1)
	res := Result{What: fmt.Sprintf("%d groups × %d clients (%s connections), each adds an idea every %v, for %v; %d rounds on each in turn; latency per delivery",
		sz.confGroups, sz.confClients, fmtInt(n), sz.confEvery, sz.confFor, rounds)}
	job := Job{Kind: "conference", Interval: sz.confEvery, Duration: sz.confFor, TextLen: 80}
	var appends appendWatch
	ons := []target{onRelay, onHub, onCentrifuge}
	outs, err := b.rounds(rounds, ons, func(on target) (outcome, error) {
		return b.part(ctx, "conference", on, sz.confGroups, sz.confClients, job, appends.mark)
	})
	if err != nil {
		return res, err
	}
	got := compare(&res, ons, outs, append([]metric{
		{key: "clients", label: "clients", of: func(o outcome) float64 { return float64(o.load.Clients) }, format: fmtCount},
		{key: "sent", label: "ops sent", of: func(o outcome) float64 { return float64(o.load.Sent) }, format: fmtCount},
		{key: "delivered", label: "deliveries", of: func(o outcome) float64 { return float64(o.load.Delivered) }, format: fmtCount},
		{key: "p50_ms", label: "p50 per delivery", of: p50ms, format: fmtMsOne, decimals: 2},
		{key: "p99_ms", label: "p99 per delivery", of: p99ms, format: fmtMsOne, decimals: 2},
	}, commonMetrics()...))
	appends.report(&res, "while the ops were sent")
	p99, gaps, unacked := got["p99_ms"][onRelay], got["gaps"][onRelay], got["unacked"][onRelay]
	res.check(p99 <= 25, "p99 ≤ 25 ms", "%s", fmtMsOne(p99))
	res.check(gaps == 0 && unacked == 0 && got["delivered"][onRelay] > 0, "gaps = 0", "%d gaps and %d unacknowledged ops in %s rounds",
		int(gaps), int(unacked), fmtInt(rounds))
	cpu := got["cpu_us_per_frame"]
	res.check(cpu[onRelay] <= 1.5*cpu[onHub], "relay CPU per delivered frame ≤ 1.5 × the hub's",
		"%.1f µs against 1.5 × %.1f µs = %.1f µs", cpu[onRelay], cpu[onHub], 1.5*cpu[onHub])
	res.check(cpu[onRelay] <= cpu[onCentrifuge], "relay CPU per delivered frame ≤ Centrifuge's",
		"%.1f µs against %.1f µs", cpu[onRelay], cpu[onCentrifuge])
	noteErrors(&res, allOuts(outs)...)
	return res, nil
}

// throughput: open loop over the conference's groups; the highest rate
// whose p99 per delivery stays within 50 ms, found by bisection.
func (b *runner) throughput(ctx context.Context) (Result, error) {
	sz := b.sz
	rounds := max(sz.rounds, 1)
	search := &Search{Start: sz.tpStart, Max: sz.tpMax, Tol: sz.tpTol, Duration: sz.tpStep}
	res := Result{What: fmt.Sprintf("open loop over %d groups × %d clients; the highest rate with p99 per delivery ≤ 50 ms, every op acknowledged and no gap, by bisection to within %.0f %% (from %.0f ops/s, %v a rate, a failed rate tried twice); %d rounds on each in turn",
		sz.confGroups, sz.confClients, 100*sz.tpTol, sz.tpStart, sz.tpStep, rounds)}
	job := Job{Kind: "throughput", Search: search, MaxP99: 50 * time.Millisecond, TextLen: 80}
	var batch, framesPerWrite float64
	var slow int
	var slowest float64
	ons := []target{onRelay, onHub, onRelayNoSync, onCentrifuge}
	outs, err := b.rounds(rounds, ons, func(on target) (outcome, error) {
		var before map[float64]float64
		var frames0, writes0 float64
		return b.part(ctx, "throughput", on, sz.confGroups, sz.confClients, job, func(s *server, m string) error {
			if s.relay == nil || on != onRelay {
				return nil
			}
			switch m {
			case "start":
				m := s.metrics()
				before, _ = m.histogram("breakout_append_seconds")
				frames0, writes0 = m.counter("breakout_frames_sent_total"), m.counter("breakout_client_writes_total")
			case "stop":
				m := s.metrics()
				after, _ := m.histogram("breakout_append_seconds")
				n, top := slowAppends(before, after, 0.0512)
				if slow += n; n > 0 {
					slowest = max(slowest, top)
				}
				if ops, sum := m.histogram("breakout_append_ops"); ops[math.Inf(1)] > 0 {
					batch = sum / ops[math.Inf(1)]
				}
				if w := m.counter("breakout_client_writes_total") - writes0; w > 0 {
					framesPerWrite = (m.counter("breakout_frames_sent_total") - frames0) / w
				}
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	got := compare(&res, ons, outs, append([]metric{
		{key: "ops_per_s", label: "ops/s (p99 ≤ 50 ms)", of: func(o outcome) float64 { return o.load.Best }, format: fmtCount},
		{key: "rates_tried", label: "rates tried", of: func(o outcome) float64 { return float64(len(o.load.Steps)) }, format: fmtCount},
	}, commonMetrics()...))
	if err := b.needFsync(); err != nil {
		return res, err
	}
	tp := got["ops_per_s"]
	durable, hub, noSync := tp[onRelay], tp[onHub], tp[onRelayNoSync]
	// The figures the earlier bench gave, under their old names.
	res.fig("durable_ops_per_s", durable)
	res.fig("fsync_per_s", round(b.fsyncPerSec, 0))
	res.fig("ops_per_append", round(batch, 1))
	res.fig("frames_per_write", round(framesPerWrite, 2))
	res.fig("slow_appends", slow)
	res.row("disk fsyncs/s", fmtInt(int(b.fsyncPerSec)))
	res.row("relay: ops per log append (mean, last round)", fmt.Sprintf("%.1f", batch))
	res.row("relay: frames per write to a client (mean, last round)", fmt.Sprintf("%.2f", framesPerWrite))
	for _, on := range ons {
		var rs []string
		for _, o := range outs[on] {
			rs = append(rs, fmtInt(int(o.load.Best)))
		}
		res.note("%s, round by round: %s ops/s", on, strings.Join(rs, ", "))
	}
	if slow > 0 {
		res.note("%d of the relay's log appends took over 51 ms during the rates tried (the slowest ≤ %s): an append waits for its fsync, and this machine's disk stalls an fsync now and then; each such stall holds up every op behind it and can fail a rate by itself (see docs/performance.md)",
			slow, fmtMs(slowest*1000))
	}
	for _, on := range ons {
		if tp[on] >= sz.tpMax {
			res.note("%s passed the highest rate tried, %s ops/s: its figure is a lower bound", on, fmtInt(int(sz.tpMax)))
		}
	}
	res.check(durable >= 5000, "≥ 5,000 durable ops/s", "%s ops/s", fmtInt(int(durable)))
	res.check(durable >= 0.9*hub, "durable ≥ 0.9 × the hub", "%s ops/s against 0.9 × %s = %s", fmtInt(int(durable)), fmtInt(int(hub)), fmtInt(int(0.9*hub)))
	res.check(durable >= 0.9*noSync, "durable ≥ 0.9 × the relay without fsync", "%s ops/s against 0.9 × %s = %s",
		fmtInt(int(durable)), fmtInt(int(noSync)), fmtInt(int(0.9*noSync)))
	noteErrors(&res, allOuts(outs)...)
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
	rounds := max(sz.idleRounds, 1)
	res := Result{What: fmt.Sprintf("%s idle connections (%d groups of 25), held %v, %d rounds on each in turn; memory per connection from the resident set after GC",
		fmtInt(n), groups, sz.idleHold, rounds)}
	job := Job{Kind: "idle", Hold: sz.idleHold, Dials: 64}
	ons := []target{onRelay, onHub, onCentrifuge}
	outs, err := b.rounds(rounds, ons, func(on target) (outcome, error) {
		return b.memPart(ctx, "idle", on, groups, n/groups, job, "held", nil)
	})
	if err != nil {
		return res, err
	}
	got := compare(&res, ons, outs, append(memMetrics(),
		metric{key: "lost", label: "connections lost while held (all rounds)", of: func(o outcome) float64 { return float64(o.load.Lost) }, format: fmtCount, sum: true},
	))
	res.fig("connections", n)
	res.check(got["kb_per_conn"][onRelay] <= 20, "≤ 20 KB per connection", "%.1f KB", got["kb_per_conn"][onRelay])
	if sz.idleHold < 54*time.Second {
		res.note("held for less than the 54 s ping period: no ping round was seen")
	}
	noteErrors(&res, allOuts(outs)...)
	return res, nil
}

// memPart runs a part and measures the server's memory per connection:
// the resident set after GC at the mark at, less what it was before the
// load connected.
func (b *runner) memPart(ctx context.Context, name string, on target, groups, clients int, job Job, at string, also func(*server, string) error) (outcome, error) {
	var rss0 int64
	var m0 memClasses
	mem := map[string]float64{}
	o, err := b.part(ctx, name, on, groups, clients, job, func(s *server, mark string) error {
		switch mark {
		case "ready":
			rss0, m0 = settledRSS(), readMem()
		case "connected":
			// The relay appends a join and an online entry per
			// connection, thousands of them here; let it settle.
			time.Sleep(b.sz.idleSettle)
		case at:
			rss := settledRSS()
			m1 := readMem()
			c := float64(groups * clients)
			mem["kb_per_conn"] = float64(rss-rss0) / 1024 / c
			mem["heap_kb_per_conn"] = float64(m1.heap-m0.heap) / 1024 / c
			mem["stack_kb_per_conn"] = float64(m1.stacks-m0.stacks) / 1024 / c
			mem["goroutines_per_conn"] = float64(m1.goroutines-m0.goroutines) / c
			b.writeHeap(name + "-" + strings.ReplaceAll(string(on), " ", "-"))
		}
		if also != nil {
			return also(s, mark)
		}
		return nil
	})
	o.mem = mem
	return o, err
}

// memMetrics are the rows of memory per connection.
func memMetrics() []metric {
	mem := func(k string) func(outcome) float64 { return func(o outcome) float64 { return o.mem[k] } }
	return []metric{
		{key: "kb_per_conn", label: "KB per connection (RSS)", of: mem("kb_per_conn"), format: fmtOne, decimals: 1},
		{key: "heap_kb_per_conn", label: "  of it Go heap", of: mem("heap_kb_per_conn"), format: fmtOne, decimals: 1},
		{key: "stack_kb_per_conn", label: "  of it goroutine stacks", of: mem("stack_kb_per_conn"), format: fmtOne, decimals: 1},
		{key: "goroutines_per_conn", label: "goroutines per connection", of: mem("goroutines_per_conn"), format: func(v float64) string { return fmt.Sprintf("%.2f", v) }, decimals: 2},
	}
}

// large: many more rooms, busy: 10,000 connections in groups of 25, a
// steady open-loop rate over all of them.
func (b *runner) large(ctx context.Context) (Result, error) {
	sz := b.sz
	n := sz.largeConns
	groups := max(n/25, 1)
	rounds := max(sz.rounds, 1)
	res := Result{What: fmt.Sprintf("%s connections (%d groups of 25), %.0f ops/s in, open loop, for %v; %d rounds on each in turn; latency per delivery, memory per connection from the resident set after GC at the end",
		fmtInt(n), groups, sz.largeRate, sz.largeFor, rounds)}
	// One try a round: a try that fails is a figure of the round, not
	// a reason to run it again (the throughput search's rule).
	job := Job{Kind: "throughput", Steps: []Step{{Rate: sz.largeRate, Duration: sz.largeFor}}, MaxP99: 50 * time.Millisecond, TextLen: 80, Dials: 64, Once: true}
	var appends appendWatch
	ons := []target{onRelay, onCentrifuge}
	outs, err := b.rounds(rounds, ons, func(on target) (outcome, error) {
		return b.memPart(ctx, "large", on, groups, 25, job, "stop", appends.mark)
	})
	if err != nil {
		return res, err
	}
	p99 := func(o outcome) float64 {
		if len(o.load.Steps) == 0 {
			return 0
		}
		return ms(o.load.Steps[0].Latency.P99)
	}
	p50 := func(o outcome) float64 {
		if len(o.load.Steps) == 0 {
			return 0
		}
		return ms(o.load.Steps[0].Latency.P50)
	}
	gaps := func(o outcome) float64 {
		var g int
		for _, s := range o.load.Steps {
			g += s.Gaps + s.Missing
		}
		return float64(g)
	}
	// An op whose client still had 64 unsent when it fell due is
	// dropped by the load, not sent: the server was not keeping up.
	dropped := func(o outcome) float64 {
		var d int
		for _, s := range o.load.Steps {
			d += s.Dropped
		}
		return float64(d)
	}
	got := compare(&res, ons, outs, append([]metric{
		{key: "delivered", label: "deliveries", of: func(o outcome) float64 { return float64(o.load.Delivered) }, format: fmtCount},
		{key: "p50_ms", label: "p50 per delivery", of: p50, format: fmtMsOne, decimals: 2},
		{key: "p99_ms", label: "p99 per delivery", of: p99, format: fmtMsOne, decimals: 2},
		{key: "missing", label: "deliveries missing (all rounds)", of: gaps, format: fmtCount, sum: true},
		{key: "unacked", label: "ops unacknowledged at the end (all rounds)", of: func(o outcome) float64 { return float64(o.load.Unacked) }, format: fmtCount, sum: true},
		{key: "dropped", label: "ops the load could not send in time (all rounds)", of: dropped, format: fmtCount, sum: true},
		{key: "cpu_pct", label: "server CPU, % of a core", of: cpuPct, format: fmtOne, decimals: 1},
		{key: "cpu_us_per_frame", label: "server CPU per delivered frame", of: usPerFrame, format: fmtUsFlat, decimals: 2},
		{key: "load_cpu_pct", label: "load process CPU, % of a core", of: func(o outcome) float64 { return o.load.CPUPct }, format: fmtOne, decimals: 1},
	}, memMetrics()...))
	res.fig("connections", n)
	appends.report(&res, "while the ops were sent")
	for _, on := range ons {
		var rs []string
		for _, o := range outs[on] {
			rs = append(rs, fmtMsOne(p99(o)))
		}
		res.note("%s, p99 round by round: %s%s", on, strings.Join(rs, ", "), appends.byRound(on))
	}
	for _, on := range ons {
		res.check(got["p99_ms"][on] <= 50, string(on)+": p99 ≤ 50 ms", "%s", fmtMsOne(got["p99_ms"][on]))
		res.check(got["missing"][on] == 0 && got["unacked"][on] == 0 && got["dropped"][on] == 0, string(on)+": 0 gaps",
			"%d deliveries missing, %d ops unacknowledged, %d not sent in time", int(got["missing"][on]), int(got["unacked"][on]), int(got["dropped"][on]))
		res.check(got["kb_per_conn"][on] <= 20, string(on)+": ≤ 20 KB per connection", "%.1f KB", got["kb_per_conn"][on])
	}
	noteErrors(&res, allOuts(outs)...)
	return res, nil
}
