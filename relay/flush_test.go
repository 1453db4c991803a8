package relay

import (
	"encoding/json"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// TestIdleConnectionsHaveOneGoroutineEach connects clients and counts
// the relay's goroutines: each connection has its reader, and its writes
// are left to the flushers, so a connection costs one goroutine, not two.
func TestIdleConnectionsHaveOneGoroutineEach(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Verdi", session.Participant)
	first := rawDial(t, tr.url) // the room is loaded, and its goroutines started
	rawHello(t, first, session.Hello{Type: session.MsgHello, Code: code, Name: "First"})
	settle := func() int {
		time.Sleep(200 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settle()
	const n = 40
	for i := range n {
		ws := rawDial(t, tr.url)
		rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: "Idle " + string(rune('A'+i))})
	}
	// Each hello makes the relay append a join and an online entry and
	// fan them out: give the goroutines that writes and the log start
	// for a while time to end. The test's side holds no goroutine per
	// connection: rawDial's connections are read only by rawHello.
	var grown int
	deadline := time.Now().Add(30 * time.Second)
	for {
		if grown = runtime.NumGoroutine() - before; grown <= n+n/4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if grown > n+n/4 {
		t.Errorf("%d connections added %d goroutines; want about %d, one reader each", n, grown, n)
	}
}

// TestIdleConnectionsArePinged has the relay ping often and counts the
// pings that reach a client that sends nothing.
func TestIdleConnectionsArePinged(t *testing.T) {
	t.Parallel()
	tr := startRelay(t, "", Config{tuning: tuning{pingPeriod: 100 * time.Millisecond}})
	codes := tr.create(testPlan)
	ws := rawDial(t, tr.url)
	rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: codes.code(t, "Verdi", session.Participant), Name: "Quiet"})
	var pings atomic.Int32
	ws.SetPingHandler(func(string) error { pings.Add(1); return nil })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	waitUntil(t, 30*time.Second, "three pings", func() bool { return pings.Load() >= 3 })
	ws.Close()
	<-done
}

// TestEventsAfterClientPing has a client ping the relay, which answers
// with a pong written with a deadline of its own, and then checks that
// events still reach the client once that deadline has passed: a
// deadline left on the socket must not fail the writes that follow.
func TestEventsAfterClientPing(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Verdi", session.Participant)
	ws := rawDial(t, tr.url)
	rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: "Pinger"})
	pongs := make(chan struct{}, 1)
	ws.SetPongHandler(func(string) error { pongs <- struct{}{}; return nil })
	frames := make(chan frame, 64)
	go func() {
		defer close(frames)
		for {
			f, err := readFrame(ws, 30*time.Second)
			if err != nil {
				return
			}
			frames <- f
		}
	}()
	if err := ws.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pongs:
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
	time.Sleep(1500 * time.Millisecond) // past the pong's write deadline
	other := tr.join(code, "Other")
	other.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after the ping"})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("the relay closed the connection after the ping")
			}
			if f.Type == session.MsgEvent && strings.Contains(string(f.raw), "after the ping") {
				return
			}
		case <-deadline:
			t.Fatal("the idea did not reach the client that pinged")
		}
	}
}

// pairThroughListener returns the relay's side of a loopback TCP
// connection accepted through Listener (a *batchConn) and the client's
// side, which the test never reads: small buffers fill at once.
func pairThroughListener(t *testing.T) (*batchConn, net.Conn) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, 4096)
	t.Cleanup(func() { ln.Close() })
	cl, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cl.(*net.TCPConn).SetReadBuffer(4096)
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close(); cl.Close() })
	return sc.(*batchConn), cl
}

// TestDirectWriteToStalledClientEnds replays the order in which a
// flusher's batch and the reader's pong (gorilla's WriteControl: a write
// deadline, then the write) can interleave: the pong's deadline comes
// while the batch is held and is dropped, the batch is written without
// waiting and clears the socket's deadline, and the pong is written
// straight to the socket of a client that does not read. That write must
// end by itself; waiting for ever, it would hold the connection for good.
func TestDirectWriteToStalledClientEnds(t *testing.T) {
	b, _ := pairThroughListener(t)
	b.directWait = 300 * time.Millisecond
	b.hold()
	b.Write([]byte("a held frame"))
	b.SetWriteDeadline(time.Now().Add(time.Second)) // dropped: holding
	if done, err := b.tryFlush(); !done || err != nil {
		t.Fatalf("tryFlush = %v, %v; want all written", done, err)
	}
	ended := make(chan error, 1)
	go func() { _, err := b.Write(make([]byte, 8<<20)); ended <- err }() // far more than the buffers hold
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("8 MiB written to a client that does not read")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a direct write to a stalled client is still waiting after 5 s")
	}
	// The socket is left without a deadline, so writes that do not wait
	// work: the buffers are full, so nothing goes, but nothing fails.
	b.hold()
	b.Write([]byte("x"))
	if _, err := b.tryFlush(); err != nil {
		t.Errorf("tryFlush after the direct write: %v", err)
	}
}

// TestFlusherDoesNotWaitForDirectWrite: while another goroutine's
// write straight to the socket waits for a client that does not read,
// a flusher must get "no" from tryHold at once, not wait behind it.
func TestFlusherDoesNotWaitForDirectWrite(t *testing.T) {
	b, _ := pairThroughListener(t)
	go b.Write(make([]byte, 8<<20)) // ends with the test's sockets
	// Wait until the write holds the connection: it cannot end before
	// its 10-second deadline, as nobody reads.
	waitUntil(t, 5*time.Second, "the direct write to start", func() bool {
		if b.mu.TryLock() {
			b.mu.Unlock()
			return false
		}
		return true
	})
	got := make(chan bool, 1)
	go func() { got <- b.tryHold() }()
	select {
	case ok := <-got:
		if ok {
			t.Error("tryHold took the connection while a direct write was still in progress")
		}
	case <-time.After(5 * time.Second): // still short of the write's 10 s
		t.Fatal("tryHold waited for the direct write")
	}
}

// TestBusyRelayJoinsFramesIntoWrites has the relay count as busy at any
// rate and sends ops one every 2 ms, each its own log message: a
// connection then waits in the flush list for the flush linger, and the
// events of several messages leave in one write. With the linger turned
// off (Config.FlushLinger 0) each message is written at once. Every
// event still arrives, in order.
func TestBusyRelayJoinsFramesIntoWrites(t *testing.T) {
	// Longer than DefaultFlushLinger: a busy machine running the race
	// detector sends the ops 4 ms or more apart, not 2, and only two or
	// three of them then fall in 10 ms, which left the figure with the
	// default linger just above 2.
	const linger = 100 * time.Millisecond
	lingering := framesPerWrite(t, linger)
	atOnce := framesPerWrite(t, 0)
	t.Logf("frames a write: %.1f with a flush linger of %v, %.1f without", lingering, linger, atOnce)
	// Per op: an event to each of two connections and an ack. Written at
	// once, that is 1.5 frames a write; lingering 100 ms over ops a few ms
	// apart, several ops share each write.
	if lingering < 2 || atOnce >= lingering {
		t.Errorf("frames a write: %.1f with the flush linger, %.1f without; want at least 2 with it, fewer without", lingering, atOnce)
	}
}

// framesPerWrite sends 100 ops 2 ms apart into a room of two and returns
// the relay's frames per write meanwhile.
func framesPerWrite(t *testing.T, linger time.Duration) float64 {
	busy := tuning{flushLingerFrom: 0, flushLingerFull: 1} // busy at any rate
	tr := startRelay(t, "", Config{OpsPerSecond: 1000, OpBurst: 1000, FlushLinger: linger, tuning: busy})
	codes := tr.create(testPlan)
	code := codes.code(t, "Verdi", session.Participant)
	watcher := rawDial(t, tr.url)
	rawHello(t, watcher, session.Hello{Type: session.MsgHello, Code: code, Name: "Watcher"})
	sender := tr.join(code, "Sender")
	sender.pump(200 * time.Millisecond) // the watcher's join and online events
	frames0, writes0 := counter(t, tr.srv.metrics.framesSent), counter(t, tr.srv.metrics.writes)

	const n = 100
	for i := range n {
		op := session.NewOp(sender.c.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %03d", i)})
		if err := sender.c.Send(op); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	var got []string
	for len(got) < n {
		f, err := readFrame(watcher, 10*time.Second)
		if err != nil {
			t.Fatalf("watcher, after %d of %d ideas: %v", len(got), n, err)
		}
		var ev session.Event
		if f.Type != session.MsgEvent || json.Unmarshal(f.raw, &ev) != nil || ev.Kind != session.KindIdeaAdd ||
			len(ev.Data.Ideas) != 1 {
			continue
		}
		got = append(got, ev.Data.Ideas[0].Text)
	}
	for i, text := range got {
		if want := fmt.Sprintf("idea %03d", i); text != want {
			t.Fatalf("watcher's idea %d is %q; want %q", i, text, want)
		}
	}
	sender.waitFor("every ack", func() bool { return len(sender.acks) >= n })
	frames := counter(t, tr.srv.metrics.framesSent) - frames0
	writes := counter(t, tr.srv.metrics.writes) - writes0
	if frames < 3*n {
		t.Errorf("%.0f frames for %d ops; want at least %d", frames, n, 3*n)
	}
	tr.stop()
	return frames / writes
}

// FlushLinger has one meaning: 0 is no linger, as on the command line,
// and a negative linger is a mistake, not another way to say 0.
func TestNegativeFlushLingerRefused(t *testing.T) {
	t.Parallel()
	srv, err := New(t.Context(), Config{Store: StoreConfig{Dir: t.TempDir()}, FlushLinger: -time.Millisecond})
	if err == nil {
		srv.Shutdown(t.Context())
		t.Fatal("New with a negative flush linger = nil error; want one")
	}
}

// TestPacerCountsConnections: the flush linger's count of open
// connections follows clients that join, one whose hello is refused,
// and their leaving, back to none.
func TestPacerCountsConnections(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Verdi", session.Participant)
	waitConns := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for tr.srv.pace.conns.Load() != want {
			if time.Now().After(deadline) {
				t.Fatalf("pacer counts %d connections; want %d", tr.srv.pace.conns.Load(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var wss []*websocket.Conn
	for i := range 3 {
		ws := rawDial(t, tr.url)
		rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: fmt.Sprintf("P%d", i)})
		wss = append(wss, ws)
	}
	waitConns(3)
	bad := rawDial(t, tr.url)
	if err := bad.WriteJSON(session.Hello{Type: session.MsgHello, Code: "zzzz-zzzz-zzzzz", Name: "Nobody"}); err != nil {
		t.Fatal(err)
	}
	bad.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := bad.ReadMessage(); err != nil {
			break // refused: the relay closed it
		}
	}
	waitConns(3)
	for _, ws := range wss {
		ws.Close()
	}
	waitConns(0)
}
