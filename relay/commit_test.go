package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	dto "github.com/prometheus/client_model/go"

	"breakout/session"
)

// The appender applies what it appended without reading it back. What it
// applies must be what a replay of the log applies: data sent with
// spaces, line breaks and characters the log escapes included.
func TestAppendedOpsAppliedAsReplayed(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ws := rawDial(t, tr.url)
	rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: codes.code(t, "Manzoni", session.Participant), Name: "Ana"})
	frames := []string{
		`{"type":"op","id":"w1","kind":"idea.add","data":{ "question" : "q1",` + "\n\t" + `"text" : "tea & <b>coffee</b>" }}`,
		`{"type":"op","id":"w2","kind":"idea.add","data":{"question":"q1","text":"plain"}}`,
		`{"type":"op","id":"w3","kind":"idea.add","data":{"question":"q1","text":"say \"hi\" caf\u00e9"}}`,
	}
	for i, f := range frames {
		if err := ws.WriteMessage(1, []byte(f)); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("w%d", i+1)
		if ack, rej, werr, _ := answer(t, ws, id); ack == nil {
			t.Fatalf("op %s: reject %+v, error %+v; want an ack", id, rej, werr)
		}
	}
	st := roomState(t, tr.srv, codes.Session)
	if textCount(st, "tea & <b>coffee</b>") != 1 || textCount(st, "say \"hi\" café") != 1 {
		t.Errorf("the room lacks the ideas as sent: %v", st.Ideas)
	}
	replayMatches(t, tr.srv, codes.Session)
}

// A message in the log that the room has not applied (an append that
// timed out but landed) must not be skipped: the next append finds the
// log ahead of the room, which replays the log's tail first, then
// appends in step and applies its own message.
func TestUnappliedLogMessageIsNotSkipped(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "first"})
	tr.srv.roomsMu.Lock()
	r := tr.srv.rooms[codes.Session]
	tr.srv.roomsMu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.mu.RLock()
	last := r.streamSeq
	r.mu.RUnlock()
	entry := func(id, text string) []byte {
		return mustJSON(session.LogMessage{At: time.Now().UTC().Truncate(time.Millisecond), Entries: []session.Entry{{
			By: ana.you.ID, Op: session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})}}})
	}
	// The expectation the appender relies on: the log refuses an append
	// after a sequence that is not the session's last.
	_, err := tr.srv.store.AppendAfter(ctx, codes.Session, entry("x0", "never"), last-1)
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
		t.Fatalf("AppendAfter a stale sequence = %v; want wrong last sequence", err)
	}

	// A message lands in the log behind the room's back; nothing reads
	// the log now, so the room learns of it at its next append.
	late, err := tr.srv.store.Append(ctx, codes.Session, entry("x1", "landed late"))
	if err != nil || late <= last {
		t.Fatalf("Append = %d, %v; want a sequence after %d", late, err, last)
	}
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after"})
	st := roomState(t, tr.srv, codes.Session)
	if textCount(st, "landed late") != 1 || textCount(st, "after") != 1 {
		t.Fatalf("the room holds %v; want the late idea and the one after it", st.Ideas)
	}
	// Applied in log order: the room's state is the log's replay.
	replayMatches(t, tr.srv, codes.Session)
	r.mu.RLock()
	inStep := r.streamSeq > late
	r.mu.RUnlock()
	if !inStep {
		t.Errorf("the room's last applied message is not after the late one (%d)", late)
	}
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "in step"})
	ana.waitFor("every idea", func() bool { return len(ana.visibleIdeas()) == 4 })
	if got := strings.Join(ana.visibleIdeas(), ","); !strings.Contains(got, "landed late") || strings.Contains(got, "never") {
		t.Errorf("Ana sees %s", got)
	}
	replayMatches(t, tr.srv, codes.Session)
}

// Snapshots are paced by their cost (here by a least gap), and one held
// back is still taken when it falls due, with no entry coming after it.
func TestSnapshotsPacedNotDropped(t *testing.T) {
	t.Parallel()
	gap := 1500 * time.Millisecond
	tr := startRelay(t, "", Config{tuning: tuning{snapshotEvery: 5, snapshotMinGap: gap}})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ctx := context.Background()
	snap := func() (uint64, time.Time) {
		e, err := tr.srv.store.snapshots.Get(ctx, codes.Session)
		if err != nil {
			return 0, time.Time{}
		}
		seq, _, err := decodeSnapshot(e.Value())
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		return seq, e.Created()
	}
	for i := range 6 {
		ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("a%d", i)})
	}
	var first time.Time
	waitUntil(t, 30*time.Second, "a first snapshot", func() bool { _, first = snap(); return !first.IsZero() })
	// Enough entries for the next snapshot whatever the session holds
	// (entriesPerSnapshot: half its events once that is more than 5).
	for i := range 16 {
		ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("b%d", i)})
	}
	tr.srv.roomsMu.Lock()
	r := tr.srv.rooms[codes.Session]
	tr.srv.roomsMu.Unlock()
	r.mu.RLock()
	want := r.streamSeq
	r.mu.RUnlock()
	var seq uint64
	var at time.Time
	waitUntil(t, 30*time.Second, "a snapshot of the last entry", func() bool { seq, at = snap(); return seq == want })
	if d := at.Sub(first); d < gap-100*time.Millisecond {
		t.Errorf("second snapshot %v after the first; want at least %v", d, gap)
	}
}

func TestLingersFollowTheRate(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want time.Duration
	}{{0, 0}, {appendLingerFrom, 0}, {(appendLingerFrom + appendLingerFull) / 2, maxAppendLinger / 2},
		{appendLingerFull, maxAppendLinger}, {2 * appendLingerFull, maxAppendLinger / 2},
		{4 * appendLingerFull, maxAppendLinger / 4}, {10 * appendLingerFull, maxAppendLinger / 5},
		{100 * appendLingerFull, maxAppendLinger / 5}} {
		if got := appendLingerAt(c.rate, appendLingerFrom, appendLingerFull, maxAppendLinger); got != c.want {
			t.Errorf("linger at %.0f ops/s = %v; want %v", c.rate, got, c.want)
		}
	}
	// waitsTheRest checks a wait d for a linger of most asked for at
	// since, which took took: the rest of the linger, all of it gone when
	// a busy machine took as long as the linger between the two.
	waitsTheRest := func(what string, d, most time.Duration, since time.Time) {
		t.Helper()
		took := time.Since(since)
		if d > most || d < most-took || (d <= 0 && took < most) {
			t.Errorf("%s waits %v %v later; want up to %v, the rest of it", what, d, took, most)
		}
	}
	var p pacer
	p.appendLinger.Store(int64(maxAppendLinger))
	if d := p.appendWait(time.Time{}); d != 0 {
		t.Errorf("first append waits %v; want 0", d)
	}
	now := time.Now()
	waitsTheRest("append right after another", p.appendWait(now), maxAppendLinger, now)
	if d := p.appendWait(time.Now().Add(-time.Second)); d != 0 {
		t.Errorf("append a second after the last waits %v; want 0", d)
	}
	for _, c := range []struct {
		rate  float64
		conns int64
		want  time.Duration
	}{{flushLingerFrom, 0, 0}, {(flushLingerFrom + flushLingerFull) / 2, 0, DefaultFlushLinger / 2},
		{flushLingerFull, 0, DefaultFlushLinger}, {flushLingerFull, 1000, DefaultFlushLinger},
		{4 * flushLingerFull, 1000, DefaultFlushLinger},
		// Ten thousand connections at 25,000 frames a second: 2.5 each.
		{25000, 10000, 0}, {flushLingerFull, int64(flushLingerFull/flushPerConnFrom) + 1, 0},
		{flushLingerFull, int64(flushLingerFull / flushPerConnFrom), DefaultFlushLinger}} {
		if got := flushLingerAt(c.rate, c.conns, flushLingerFrom, flushLingerFull, DefaultFlushLinger); got != c.want {
			t.Errorf("flush linger at %.0f frames/s over %d connections = %v; want %v", c.rate, c.conns, got, c.want)
		}
	}
	if d := p.flushWait(time.Now()); d != 0 {
		t.Errorf("a quiet relay holds a connection %v; want 0", d)
	}
	p.flushLinger.Store(int64(DefaultFlushLinger))
	now = time.Now()
	waitsTheRest("a connection listed just now", p.flushWait(now), DefaultFlushLinger, now)
	if d := p.flushWait(time.Now().Add(-DefaultFlushLinger)); d != 0 {
		t.Errorf("a connection listed %v ago waits %v; want 0", DefaultFlushLinger, d)
	}
	var m meter
	start := time.Now()
	for range 99 {
		m.add(1)
	}
	time.Sleep(paceWindow + 10*time.Millisecond)
	rate, ok := m.add(1)
	// The window is at least paceWindow long and at most the time taken
	// here, which a busy machine stretches past the sleep.
	took := time.Since(start)
	if !ok || rate < 100/took.Seconds() || rate > 100/paceWindow.Seconds() {
		t.Errorf("meter after 100 events in %v (window at least %v) = %.0f/s, %v; want %.0f to %.0f",
			took, paceWindow, rate, ok, 100/took.Seconds(), 100/paceWindow.Seconds())
	}
}

// A large session is snapshotted every time it has grown by half its
// events, a small one every snapshotEvery entries.
func TestSnapshotsFollowTheSessionSize(t *testing.T) {
	for _, c := range []struct {
		events int64
		want   int
	}{{0, snapshotEvery}, {2 * int64(snapshotEvery), snapshotEvery}, {100000, 50000}} {
		sn := &snapshotter{state: &session.State{Seq: c.events}, every: snapshotEvery}
		if got := sn.entriesPerSnapshot(); got != c.want {
			t.Errorf("entries between snapshots of a session of %d events = %d; want %d", c.events, got, c.want)
		}
	}
}

// A relay on its embedded server is its log's only writer: once a room
// has caught up it runs no consumer of the log, and its own appends are
// not delivered back to it.
func TestSoleWriterRunsNoConsumer(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ctx := context.Background()
	consumers := func() int {
		info, err := tr.srv.store.stream.Info(ctx)
		if err != nil {
			t.Fatalf("stream info: %v", err)
		}
		return info.State.Consumers
	}
	waitUntil(t, 30*time.Second, "the replay's consumer to go", func() bool { return consumers() == 0 })
	for i := range 3 {
		ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %d", i)})
	}
	ana.waitFor("three ideas", func() bool { return len(ana.visibleIdeas()) == 3 })
	if n := consumers(); n != 0 {
		t.Errorf("%d consumers of the log after appends; want none", n)
	}
	replayMatches(t, tr.srv, codes.Session)
}

// The snapshotter is woken when the entries handed over make up its next
// snapshot (or once the room has caught up), not for every log message.
func TestSnapshotterWokenForSnapshotsOnly(t *testing.T) {
	sn := &snapshotter{wake: make(chan struct{}, 1), every: 10, state: session.New()}
	woken := func() bool {
		select {
		case <-sn.wake:
			return true
		default:
			return false
		}
	}
	one := []session.Entry{{}}
	sn.add(one, 1, false)
	if !woken() {
		t.Fatal("the first message did not wake the snapshotter")
	}
	sn.pending, sn.pendingEntries = nil, 0 // as run takes them
	sn.wakeFor(false)
	for seq := uint64(2); seq < maxPendingEntries; seq++ {
		sn.add(one, seq, false)
		if woken() {
			t.Fatalf("message %d woke a snapshotter that is catching up", seq)
		}
	}
	sn.add(one, maxPendingEntries, true)
	if !woken() {
		t.Fatal("catching up did not wake the snapshotter")
	}
	sn.pending, sn.pendingEntries = nil, 0
	sn.caughtUp, sn.since = true, 3
	sn.wakeFor(false)
	for i := range 7 {
		sn.add(one, uint64(2000+i), true)
		if w := woken(); w != (i == 6) {
			t.Fatalf("entry %d of the 7 the next snapshot lacks: woken %v", i+1, w)
		}
	}
	sn.pending, sn.pendingEntries = nil, 0
	sn.wakeFor(true) // held back by pacing: its timer wakes it
	for i := range maxPendingEntries - 1 {
		sn.add(one, uint64(3000+i), true)
		if woken() {
			t.Fatalf("entry %d woke a snapshotter whose snapshot is held back", i+1)
		}
	}
}

// A busy relay lingers after an append, so that the ops that come in
// meanwhile share the next log message: one fsync and one round trip to
// the log for many ops (see pace.go). The linger here is on from 2 ops a
// second, 50 ms at least; without it each op, sent 2 ms after the last,
// would mostly go out on its own.
func TestBusyRelaySharesAppends(t *testing.T) {
	t.Parallel()
	tr := startRelay(t, "", Config{OpsPerSecond: 1e6, OpBurst: 1e6,
		tuning: tuning{appendLingerFrom: 1, appendLingerFull: 2, appendLinger: 250 * time.Millisecond}})
	codes := tr.create(testPlan)
	ws := rawDial(t, tr.url)
	rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: codes.code(t, "Manzoni", session.Participant), Name: "Ana"})
	ops0, appends0 := appendOps(t, tr.srv)

	// The rate that turns the linger on is measured over 100 ms, so the
	// first 50 or so ops may go out one by one; the rest share appends.
	const n = 600
	acked := make(chan error, 1)
	go func() {
		for got := 0; got < n; {
			f, err := readFrame(ws, 30*time.Second)
			if err != nil {
				acked <- fmt.Errorf("after %d acks: %w", got, err)
				return
			}
			switch f.Type {
			case session.MsgAck:
				got++
			case session.MsgReject, session.MsgError:
				acked <- fmt.Errorf("after %d acks: %s", got, f.raw)
				return
			}
		}
		acked <- nil
	}()
	for i := range n {
		op := fmt.Sprintf(`{"type":"op","id":"b%d","kind":"idea.add","data":{"question":"q1","text":"idea %d"}}`, i, i)
		if err := ws.WriteMessage(1, []byte(op)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := <-acked; err != nil {
		t.Fatal(err)
	}
	ops1, appends1 := appendOps(t, tr.srv)
	ops, appends := ops1-ops0, appends1-appends0
	if ops < n || appends == 0 || ops/appends < 4 {
		t.Errorf("%.0f ops in %.0f appends; want the %d ops sent, at least 4 an append", ops, appends, n)
	}
	t.Logf("%.0f ops in %.0f appends", ops, appends)
}

// appendOps reads the relay's count of ops appended and of appends.
func appendOps(t *testing.T, srv *Server) (ops, appends float64) {
	t.Helper()
	var m dto.Metric
	if err := srv.metrics.batchSize.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleSum(), float64(m.GetHistogram().GetSampleCount())
}
