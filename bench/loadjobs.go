package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// echo times round trips of a 200-byte frame on one connection.
func (l *load) echo(ctx context.Context) (*LoadResult, error) {
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, l.job.URL, nil)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	msg := []byte(`{"type":"op","id":"echo","kind":"idea.add","data":{"question":"q1","text":"` + filler(130) + `"}}`)
	lat := make([]time.Duration, 0, l.job.Trials)
	for range l.job.Trials {
		t := time.Now()
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			return nil, err
		}
		if _, _, err := ws.ReadMessage(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
	}
	res := l.result()
	res.Latency["echo"] = Summarize(lat)
	return res, nil
}

// room: one sender at Rate, every client of the one group a receiver;
// each op's latency is until the last of them has it.
func (l *load) room(ctx context.Context) (*LoadResult, error) {
	l.ops = make([]opRec, int(l.job.Rate*l.job.Duration.Seconds())+16)
	if err := l.connectAll(ctx, -1); err != nil {
		return nil, err
	}
	defer l.closeAll()
	if err := l.mark("connected"); err != nil {
		return nil, err
	}
	sender := l.clients[0]
	if err := l.mark("start"); err != nil {
		return nil, err
	}
	pace(ctx, time.Now(), 0, time.Duration(float64(time.Second)/l.job.Rate), l.job.Duration, func() error {
		n := l.newOp(0)
		if n < 0 {
			return errors.New("out of ops")
		}
		return sender.sendOp(n, 0)
	})
	if err := l.mark("stop"); err != nil {
		return nil, err
	}
	to := int(min(l.nops.Load(), int64(len(l.ops))))
	l.drain(ctx, 0, to, l.groupExpected, 5*time.Second)
	res := l.result()
	t := l.tally(0, to, -1, l.groupExpected)
	res.fill(t)
	res.Samples = t.lat
	res.Latency["all"] = Summarize(slices.Clone(t.lat))
	return res, nil
}

// conference: every client adds an idea every Interval, starting at a
// random moment of the first; latency is per delivery.
func (l *load) conference(ctx context.Context) (*LoadResult, error) {
	clients := 0
	for _, g := range l.job.Groups {
		clients += g.Clients
	}
	per := int(l.job.Duration/l.job.Interval) + 2
	l.ops = make([]opRec, clients*per)
	l.perDelivery = true
	if err := l.connectAll(ctx, -1); err != nil {
		return nil, err
	}
	defer l.closeAll()
	if err := l.mark("connected"); err != nil {
		return nil, err
	}
	if err := l.mark("start"); err != nil {
		return nil, err
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offset := time.Duration(rand.Int64N(int64(l.job.Interval)))
			pace(ctx, start, offset, l.job.Interval, l.job.Duration, func() error {
				n := l.newOp(c.group)
				if n < 0 {
					return errors.New("out of ops")
				}
				return c.sendOp(n, 0)
			})
		}()
	}
	wg.Wait()
	if err := l.mark("stop"); err != nil {
		return nil, err
	}
	to := int(min(l.nops.Load(), int64(len(l.ops))))
	l.drain(ctx, 0, to, l.groupExpected, 5*time.Second)
	res := l.result()
	t := l.tally(0, to, -1, l.groupExpected)
	res.fill(t)
	res.Latency["all"] = Summarize(append(l.deliveries(0), t.timeouts...))
	return res, nil
}

// throughput offers rising rates, open loop: ops are due on a schedule
// whatever the answers, spread over every client, and each op's latency
// counts from when it was due. It stops after the first step whose p99
// passes MaxP99 or whose ops are not all acknowledged.
func (l *load) throughput(ctx context.Context) (*LoadResult, error) {
	total := 0
	for _, s := range l.job.Steps {
		total += 2 * (int(s.Rate*s.Duration.Seconds()) + 16) // a step may be tried twice
	}
	if s := l.job.Search; s != nil {
		// The doubling offers under 2 × Max in all, each bisection
		// under Max, and any rate may be tried twice.
		halvings := int(math.Ceil(math.Log2(math.Log(2)/math.Log(1+s.Tol)))) + 1
		doublings := int(math.Ceil(math.Log2(max(s.Max/s.Start, 1)))) + 1
		total = 2 * ((2+halvings)*int(s.Max*s.Duration.Seconds()) + 16*(doublings+halvings))
	}
	l.ops = make([]opRec, total)
	l.perDelivery = true
	l.setup = func(c *client) { c.out = make(chan int, 64) }
	if err := l.connectAll(ctx, -1); err != nil {
		return nil, err
	}
	defer l.closeAll()
	// Clients in an order that takes turns between the groups.
	order := make([]*client, len(l.clients))
	copy(order, l.clients)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var senders sync.WaitGroup
	for _, c := range l.clients {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for n := range c.out {
				if c.sendOp(n, l.ops[n].sent.Load()) != nil {
					for range c.out { // the connection is gone; let the dispatcher go on
					}
					return
				}
			}
		}()
	}
	defer func() {
		for _, c := range l.clients {
			close(c.out)
		}
		senders.Wait()
	}()
	if err := l.mark("connected"); err != nil {
		return nil, err
	}
	if err := l.mark("start"); err != nil {
		return nil, err
	}
	res := l.result()
	next, attempt := 0, 0
	// try offers one rate; a rate that fails is tried once more before
	// it counts as failed: on a shared machine one stall of someone
	// else's process can push a step's p99 over the limit by itself.
	try := func(step Step, retry bool) (bool, error) {
		phase := int32(attempt)
		attempt++
		l.phase.Store(phase)
		from := int(l.nops.Load())
		dropped := l.dispatch(ctx, step, order, &next)
		to := int(min(l.nops.Load(), int64(len(l.ops))))
		l.drain(ctx, from, to, l.groupExpected, 2*time.Second+step.Duration/2)
		t := l.tally(from, to, phase, l.groupExpected)
		sr := StepResult{Rate: step.Rate, Dropped: dropped, Retry: retry, Sent: t.sent, Acked: t.acked,
			Gaps: t.gaps, Unacked: t.unacked, Missing: t.missing, Delivered: t.delivered}
		sr.AckedPerSec = round(float64(sr.Acked)/step.Duration.Seconds(), 0)
		sr.Latency = Summarize(append(l.deliveries(phase), t.timeouts...))
		sr.AckLatency = Summarize(l.ackLatencies(from, to))
		sr.Pass = sr.Latency.P99 <= l.job.MaxP99 && sr.Unacked == 0 && sr.Gaps == 0 && dropped == 0
		res.Steps = append(res.Steps, sr)
		res.Sent += sr.Sent
		res.Delivered += sr.Delivered
		res.Unacked += sr.Unacked
		res.Missing += sr.Missing
		return sr.Pass, l.mark("step")
	}
	var markErr error
	probe := func(step Step) bool {
		if markErr != nil || ctx.Err() != nil {
			return false
		}
		ok, err := try(step, false)
		if !ok && err == nil && !l.job.Once {
			ok, err = try(step, true)
		}
		if err != nil {
			markErr = err
			return false
		}
		if ok {
			res.Best = max(res.Best, step.Rate)
		}
		return ok
	}
	if s := l.job.Search; s != nil {
		bisect(s.Start, s.Max, s.Tol, func(rate float64) bool {
			return probe(Step{Rate: rate, Duration: s.Duration})
		})
	} else {
		for _, step := range l.job.Steps {
			if !probe(step) {
				break
			}
		}
	}
	if markErr != nil {
		return nil, markErr
	}
	if err := l.mark("stop"); err != nil {
		return nil, err
	}
	res.Acked = int(l.acked.Load())
	return res, nil
}

// dispatch hands a step's ops to the clients' senders as they fall due,
// every millisecond; an op whose client still has 64 unsent is dropped.
func (l *load) dispatch(ctx context.Context, step Step, order []*client, next *int) (dropped int) {
	start := time.Now()
	startNs := l.now()
	period := float64(time.Second) / step.Rate
	// Every op due within the step is sent, those due in its last
	// moments too: the loop wakes every millisecond or later, and a wake
	// that falls past the step's end still sends what fell due before
	// it, so each server of a run is offered the same number of ops.
	total := int(math.Ceil(float64(step.Duration) / period))
	for i := 0; i < total; {
		if ctx.Err() != nil {
			return dropped
		}
		due := min(int(float64(time.Since(start))/period)+1, total)
		for ; i < due; i++ {
			c := order[*next%len(order)]
			*next++
			n := l.newOp(c.group)
			if n < 0 {
				return dropped
			}
			l.ops[n].sent.Store(startNs + int64(float64(i)*period))
			select {
			case c.out <- n:
			default:
				l.ops[n].sent.Store(0)
				dropped++
			}
		}
		if i < total {
			time.Sleep(time.Millisecond)
		}
	}
	return dropped
}

// slowConsumer: room, but the last client stops reading for Stall, then
// reads again and resumes after the relay cut it off. Latencies are over
// the other clients only.
func (l *load) slowConsumer(ctx context.Context) (*LoadResult, error) {
	total := l.job.Duration + l.job.Stall + l.job.Resume
	l.ops = make([]opRec, int(l.job.Rate*total.Seconds())+16)
	slowIdx := l.job.Groups[0].Clients - 1
	l.setup = func(c *client) {
		if c.idx == slowIdx {
			c.excluded, c.slow, c.seen = true, &SlowResult{}, map[int]bool{}
		}
	}
	if err := l.connectAll(ctx, slowIdx); err != nil {
		return nil, err
	}
	defer l.closeAll()
	slow := l.clients[slowIdx]
	others := func(*opRec) int { return l.groupSize[0] - 1 }
	if err := l.mark("connected"); err != nil {
		return nil, err
	}
	sender := l.clients[0]
	start := time.Now()
	period := time.Duration(float64(time.Second) / l.job.Rate)
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		pace(ctx, start, 0, period, total, func() error {
			n := l.newOp(0)
			if n < 0 {
				return errors.New("out of ops")
			}
			return sender.sendOp(n, 0)
		})
	}()
	sleepCtx(ctx, l.job.Duration)
	l.phase.Store(1)
	stall := make(chan struct{})
	slow.setGate(stall)
	if err := l.mark("stall-start"); err != nil {
		return nil, err
	}
	sleepCtx(ctx, l.job.Stall)
	if err := l.mark("stall-end"); err != nil {
		return nil, err
	}
	l.phase.Store(2)
	close(stall)
	<-sending
	to := int(min(l.nops.Load(), int64(len(l.ops))))
	l.drain(ctx, 0, to, others, 5*time.Second)
	// Let the slow client catch up on what the others have.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && slow.missing(to) > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	res := l.result()
	for phase, name := range []string{"unstalled", "stalled"} {
		res.Latency[name] = Summarize(l.tally(0, to, int32(phase), others).lat)
	}
	res.fill(l.tally(0, to, -1, others))
	slow.mu.Lock()
	sr := *slow.slow
	slow.mu.Unlock()
	sr.Gaps = slow.missing(to)
	res.Slow = &sr
	return res, nil
}

// idle opens every connection, holds them for Hold while they answer
// pings, and reports how many were lost.
func (l *load) idle(ctx context.Context) (*LoadResult, error) {
	if err := l.connectAll(ctx, -1); err != nil {
		return nil, err
	}
	defer l.closeAll()
	if err := l.mark("connected"); err != nil {
		return nil, err
	}
	sleepCtx(ctx, l.job.Hold)
	if err := l.mark("held"); err != nil {
		return nil, err
	}
	return l.result(), nil
}

// fill sends Ops ideas as fast as the relay takes them: every client
// keeps a few in flight.
func (l *load) fill(ctx context.Context) (*LoadResult, error) {
	l.ops = make([]opRec, l.job.Ops)
	l.setup = func(c *client) { c.window = make(chan struct{}, 16) }
	if err := l.connectAll(ctx, -1); err != nil {
		return nil, err
	}
	defer l.closeAll()
	var wg sync.WaitGroup
	for _, c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				select {
				case c.window <- struct{}{}:
				case <-ctx.Done():
					return
				}
				n := l.newOp(c.group)
				if n < 0 || c.sendOp(n, 0) != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	l.drain(ctx, 0, len(l.ops), func(*opRec) int { return 0 }, 30*time.Second)
	res := l.result()
	res.Sent = int(min(l.nops.Load(), int64(len(l.ops))))
	return res, nil
}

// welcomes times new clients' hello until their welcome has arrived, one
// after the other: Trials participants of the first group, then Trials
// organizers.
func (l *load) welcomes(ctx context.Context) (*LoadResult, error) {
	res := l.result()
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	try := func(code, name string) (time.Duration, welcomeHead, error) {
		t := time.Now()
		ws, w, err := hello(ctx, &d, l.job.URL, session.Hello{Type: session.MsgHello, Code: code, Name: name})
		el := time.Since(t)
		if err != nil {
			return 0, w, err
		}
		ws.Close()
		return el, w, nil
	}
	for _, who := range []struct{ key, code string }{{"participant", l.job.Groups[0].Code}, {"organizer", l.job.OrganizerCode}} {
		if who.code == "" {
			continue
		}
		var lat []time.Duration
		for i := range l.job.Trials {
			el, w, err := try(who.code, fmt.Sprintf("late %s %d", who.key, i+1))
			if err != nil {
				return nil, fmt.Errorf("%s welcome: %w", who.key, err)
			}
			if res.Seq == 0 {
				res.Seq = w.Seq
			}
			if who.key == "participant" {
				res.Resume = w.Resume
			}
			lat = append(lat, el)
		}
		res.Latency[who.key] = Summarize(lat)
	}
	return res, nil
}
