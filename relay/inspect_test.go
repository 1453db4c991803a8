package relay

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"breakout/session"
)

// Helpers of the fault and hostile-input tests: looking into a relay,
// comparing replicas, reading the log, raw websocket clients.

// long reports whether the long versions of the fault tests run
// (BREAKOUT_LONG=1); n is the count for CI, nLong the one by hand.
func long(n, nLong int) int {
	if os.Getenv("BREAKOUT_LONG") != "" {
		return nLong
	}
	return n
}

// roomState returns a copy of the full state a relay holds of a session.
func roomState(t *testing.T, srv *Server, id string) *session.State {
	t.Helper()
	srv.roomsMu.Lock()
	r := srv.rooms[id]
	srv.roomsMu.Unlock()
	if r == nil {
		t.Fatalf("the relay has no room %s", id)
	}
	r.mu.Lock()
	b, err := r.state.MarshalSnapshot()
	r.mu.Unlock()
	if err != nil {
		t.Fatalf("MarshalSnapshot: %v", err)
	}
	s, err := session.UnmarshalSnapshot(b)
	if err != nil {
		t.Fatalf("UnmarshalSnapshot: %v", err)
	}
	return s
}

// textCount counts the ideas with that text.
func textCount(s *session.State, text string) int {
	n := 0
	for _, i := range s.Ideas {
		if i.Text == text {
			n++
		}
	}
	return n
}

// canon encodes a replica for comparing it with another member's of the
// same group: without the seq (a member does not see every op) and
// without what differs by viewer (Mine, the author of one's own
// anonymous idea).
func canon(s *session.State) string {
	b, _ := json.Marshal(s)
	var c session.State
	json.Unmarshal(b, &c)
	c.Seq = 0
	for _, i := range c.Ideas {
		i.Mine = false
		if i.Anonymous {
			i.Author = ""
		}
	}
	b, _ = json.Marshal(&c)
	return string(b)
}

// counter reads a counter of the relay's metrics.
func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatalf("read metric: %v", err)
	}
	return m.GetCounter().GetValue()
}

// waitUntil polls cond until it holds or d has passed.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logEntries reads a session's log from the stream, entries in order,
// each with its message's time: up to stream sequence upTo, or the whole
// log when upTo is 0.
func logEntries(t *testing.T, st *Store, sessionID string, upTo uint64) []session.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if upTo == 0 {
		last, err := st.stream.GetLastMsgForSubject(ctx, subject(sessionID))
		if err != nil {
			t.Fatalf("read log: %v", err)
		}
		upTo = last.Sequence
	}
	cons, err := st.js.OrderedConsumer(ctx, streamName, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject(sessionID)}})
	if err != nil {
		t.Fatalf("read log: %v", err)
	}
	var out []session.Entry
	for {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatalf("read log: %v", err)
		}
		md, _ := msg.Metadata()
		if md.Sequence.Stream > upTo {
			return out
		}
		var lm session.LogMessage
		if err := json.Unmarshal(msg.Data(), &lm); err != nil {
			t.Fatalf("log message unreadable: %v", err)
		}
		for _, e := range lm.Entries {
			e.At = lm.At
			out = append(out, e)
		}
		if md.Sequence.Stream == upTo {
			return out
		}
	}
}

// replayMatches checks that applying the log from scratch, as a relay
// starting without a snapshot would, gives the state the relay holds.
func replayMatches(t *testing.T, srv *Server, sessionID string) {
	t.Helper()
	srv.roomsMu.Lock()
	r := srv.rooms[sessionID]
	srv.roomsMu.Unlock()
	r.mu.Lock()
	got, _ := r.state.MarshalSnapshot()
	at := r.streamSeq
	r.mu.Unlock()
	s := session.New()
	for _, e := range logEntries(t, srv.store, sessionID, at) {
		s.Apply(e)
	}
	want, _ := s.MarshalSnapshot()
	if string(got) != string(want) {
		t.Errorf("the relay's state differs from a replay of its log:\n relay  %.2000s\n replay %.2000s", got, want)
	}
}

// frame is one message a raw client read.
type frame struct {
	Type string `json:"type"`
	raw  []byte
}

// readFrame reads the next message, waiting up to d.
func readFrame(ws *websocket.Conn, d time.Duration) (frame, error) {
	ws.SetReadDeadline(time.Now().Add(d))
	_, b, err := ws.ReadMessage()
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return frame{}, errors.New("relay sent a frame that is not JSON: " + strconv.Quote(string(b)))
	}
	f.raw = b
	return f, nil
}

// answer reads until the ack or reject of op id, or an error frame;
// events on the way are returned too.
func answer(t *testing.T, ws *websocket.Conn, id string) (ack *session.Ack, rej *session.Reject, werr *session.Error, events []session.Event) {
	t.Helper()
	for {
		f, err := readFrame(ws, 10*time.Second)
		if err != nil {
			t.Fatalf("waiting for the answer to op %q: %v", id, err)
		}
		switch f.Type {
		case session.MsgAck:
			var a session.Ack
			json.Unmarshal(f.raw, &a)
			if a.ID == id {
				return &a, nil, nil, events
			}
		case session.MsgReject:
			var r session.Reject
			json.Unmarshal(f.raw, &r)
			if r.ID == id {
				return nil, &r, nil, events
			}
		case session.MsgError:
			var e session.Error
			json.Unmarshal(f.raw, &e)
			return nil, nil, &e, events
		case session.MsgEvent:
			var m session.EventMsg
			json.Unmarshal(f.raw, &m)
			events = append(events, m.Event)
		}
	}
}

// expectClosed reads until the relay closes the connection; it returns
// the error frame, if one came first.
func expectClosed(t *testing.T, ws *websocket.Conn) (*session.Error, error) {
	t.Helper()
	var last *session.Error
	for {
		f, err := readFrame(ws, 10*time.Second)
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the relay did not close the connection")
			}
			return last, err
		}
		if f.Type == session.MsgError {
			var e session.Error
			json.Unmarshal(f.raw, &e)
			last = &e
		}
	}
}

// token returns a client's current resume token.
func (p *peer) token() string {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return p.c.resume
}

// smallSendBuffers wraps a listener so that the relay's side of each
// connection has a small kernel send buffer: a client that stops reading
// then blocks the relay's writes after a few KiB instead of megabytes.
// Its connections are not the relay's Listener's, so every write takes
// the writer-goroutine path (conn.slowWriter).
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

// startRelaySmallBuffers is startRelay with small kernel send buffers,
// served through the relay's Listener (writes that do not wait, as the
// relay command serves) or, with plain, without it.
func startRelaySmallBuffers(t *testing.T, cfg Config, plain bool) *testRelay {
	t.Helper()
	dir := t.TempDir()
	cfg.Store.Dir = dir
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	if plain {
		hs.Listener = smallSendBuffers{hs.Listener}
	} else {
		hs.Listener = Listener(hs.Listener, 8<<10)
	}
	hs.Start()
	tr := &testRelay{t: t, srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", dir: dir}
	t.Cleanup(tr.stop)
	return tr
}
