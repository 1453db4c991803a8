package relay

import (
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
	// fan them out: let the writes end.
	after := settle()
	// The test's side holds no goroutine per connection: rawDial's
	// connections are read only by rawHello.
	if grown := after - before; grown > n+n/4 {
		t.Errorf("%d connections added %d goroutines; want about %d, one reader each", n, grown, n)
	}
}

// TestIdleConnectionsArePinged has the relay ping often and counts the
// pings that reach a client that sends nothing.
func TestIdleConnectionsArePinged(t *testing.T) {
	period := pingPeriod
	pingPeriod = 100 * time.Millisecond
	t.Cleanup(func() { pingPeriod = period })
	tr := startRelay(t, "", Config{})
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
	waitUntil(t, 5*time.Second, "three pings", func() bool { return pings.Load() >= 3 })
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
