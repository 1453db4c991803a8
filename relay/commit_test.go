package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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
// timed out but landed) must not be skipped: the next append then goes
// through the consumer, which applies both in log order.
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

	// The room believes it is one message behind where the log is.
	r.mu.Lock()
	r.streamSeq = last - 1
	r.mu.Unlock()
	seq, direct, err := r.append(ctx, entry("x1", "landed late"))
	r.mu.Lock()
	if r.streamSeq == last-1 {
		r.streamSeq = last
	}
	r.mu.Unlock()
	if err != nil || direct || seq <= last {
		t.Fatalf("append behind the log = seq %d, direct %v, %v; want a later seq, left to the consumer", seq, direct, err)
	}
	waitUntil(t, 10*time.Second, "the consumer to apply the late message", func() bool {
		return textCount(roomState(t, tr.srv, codes.Session), "landed late") == 1
	})
	// In step again, the appender applies at once.
	r.mu.RLock()
	last = r.streamSeq
	r.mu.RUnlock()
	if _, direct, err := r.append(ctx, entry("x2", "in step")); err != nil || !direct {
		t.Fatalf("append in step = direct %v, %v; want direct", direct, err)
	}
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after"})
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
	waitUntil(t, 10*time.Second, "a first snapshot", func() bool { _, first = snap(); return !first.IsZero() })
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
	waitUntil(t, 15*time.Second, "a snapshot of the last entry", func() bool { seq, at = snap(); return seq == want })
	if d := at.Sub(first); d < gap-100*time.Millisecond {
		t.Errorf("second snapshot %v after the first; want at least %v", d, gap)
	}
}

func TestLingersFollowTheRate(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want time.Duration
	}{{0, 0}, {appendLingerFrom, 0}, {(appendLingerFrom + appendLingerFull) / 2, maxAppendLinger / 2},
		{appendLingerFull, maxAppendLinger}, {10 * appendLingerFull, maxAppendLinger}} {
		if got := ramp(c.rate, appendLingerFrom, appendLingerFull, maxAppendLinger); got != c.want {
			t.Errorf("linger at %.0f ops/s = %v; want %v", c.rate, got, c.want)
		}
	}
	var p pacer
	p.appendLinger.Store(int64(maxAppendLinger))
	if d := p.appendWait(time.Time{}); d != 0 {
		t.Errorf("first append waits %v; want 0", d)
	}
	if d := p.appendWait(time.Now()); d <= 0 || d > maxAppendLinger {
		t.Errorf("append right after another waits %v; want up to %v", d, maxAppendLinger)
	}
	if d := p.appendWait(time.Now().Add(-time.Second)); d != 0 {
		t.Errorf("append a second after the last waits %v; want 0", d)
	}
	if d := ramp((flushLingerFrom+flushLingerFull)/2, flushLingerFrom, flushLingerFull, DefaultFlushLinger); d != DefaultFlushLinger/2 {
		t.Errorf("flush linger half way = %v; want %v", d, DefaultFlushLinger/2)
	}
	if d := p.flushWait(time.Now()); d != 0 {
		t.Errorf("a quiet relay holds a connection %v; want 0", d)
	}
	p.flushLinger.Store(int64(DefaultFlushLinger))
	if d := p.flushWait(time.Now()); d <= 0 || d > DefaultFlushLinger {
		t.Errorf("a connection listed just now waits %v; want up to %v", d, DefaultFlushLinger)
	}
	if d := p.flushWait(time.Now().Add(-DefaultFlushLinger)); d != 0 {
		t.Errorf("a connection listed %v ago waits %v; want 0", DefaultFlushLinger, d)
	}
	var m meter
	for range 99 {
		m.add(1)
	}
	time.Sleep(paceWindow + 10*time.Millisecond)
	rate, ok := m.add(1)
	if !ok || rate < 100/(paceWindow.Seconds()*3) || rate > 100/paceWindow.Seconds() {
		t.Errorf("meter after 100 events in %v = %.0f/s, %v", paceWindow, rate, ok)
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
