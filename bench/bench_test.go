package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/relay"
	"breakout/session"
)

// fanoutFixture is an idea.add event in a session of two groups of 25
// and an organizer, and the viewers connected to it.
func fanoutFixture(b *testing.B) (session.Event, []session.Viewer) {
	b.Helper()
	st := session.New()
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	n := 0
	apply := func(by, kind string, data any) session.Event {
		n++
		evs, err := st.Apply(session.Entry{Op: session.NewOp(fmt.Sprintf("op%d", n), kind, data), By: by, At: at})
		if err != nil {
			b.Fatalf("Apply(%s) = %v", kind, err)
		}
		return evs[0]
	}
	plan := session.Plan{Title: "Bench", VotesPerPerson: 5,
		Questions: []session.PlanQuestion{{ID: "q1", Text: "What next?"}},
		Groups:    []session.PlanGroup{{Name: "A"}, {Name: "B"}}}
	apply("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: plan, Codes: map[string]session.Grant{}})
	var viewers []session.Viewer
	join := func(name string, role session.Role, group string) {
		ev := apply("", session.KindPersonJoin, session.PersonJoin{Name: name, Role: role, Group: group, TokenHash: "h"})
		viewers = append(viewers, session.ViewerOf(ev.Data.People[0]))
	}
	join("Olga", session.Organizer, "")
	for _, g := range []string{"A", "B"} {
		for i := range 25 {
			join(fmt.Sprintf("%s%d", g, i), session.Participant, g)
		}
	}
	ev := apply(viewers[1].ID, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: filler(100)})
	return ev, viewers
}

// BenchmarkFanoutEncode encodes one event for everyone connected to its
// session, as the relay's fan-out does: per viewer, or once per audience
// (viewers shown the same bytes share one encoding). Per op, the second
// is what the relay pays before its writers take over.
func BenchmarkFanoutEncode(b *testing.B) {
	ev, viewers := fanoutFixture(b)
	b.Run("per-viewer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, v := range viewers {
				if shown, ok := ev.For(v); ok {
					mustMarshal(session.EventMsg{Type: session.MsgEvent, Event: shown})
				}
			}
		}
	})
	b.Run("per-audience", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var frames map[string][]byte
			for _, v := range viewers {
				aud, ok := ev.Audience(v)
				if !ok {
					continue
				}
				if frames == nil {
					frames = map[string][]byte{}
				}
				if _, ok := frames[aud]; !ok {
					shown, _ := ev.For(v)
					frames[aud] = mustMarshal(session.EventMsg{Type: session.MsgEvent, Event: shown})
				}
			}
		}
	})
}

// BenchmarkWriterQueue sends ops into a room of receivers and waits until
// every receiver has every event: one op is one frame through each
// receiver's send queue and the relay's flushers. The relay runs without
// fsync, so the disk is not what is measured; the hub, with its
// chat-example writer that joins queued messages into one frame, is the
// baseline. The loop is closed (64 ops in flight), so its rate is bound
// by the round trip: "relay" holds frames up to the flush linger once it
// queues over 20,000 frames a second, as a busy relay does by default,
// and "relay-at-once" (FlushLinger 0) writes them at once.
func BenchmarkWriterQueue(b *testing.B) {
	for _, receivers := range []int{1, 25} {
		for _, v := range []struct {
			name   string
			linger time.Duration
		}{{"relay", relay.DefaultFlushLinger}, {"relay-at-once", 0}} {
			b.Run(fmt.Sprintf("%s/receivers=%d", v.name, receivers), func(b *testing.B) {
				benchRelayQueue(b, receivers, v.linger)
			})
		}
		b.Run(fmt.Sprintf("hub/receivers=%d", receivers), func(b *testing.B) {
			h := NewHub()
			hs := httptest.NewServer(h)
			defer func() { hs.Close(); h.Close() }()
			benchQueue(b, "ws"+strings.TrimPrefix(hs.URL, "http"), "room", receivers)
		})
	}
}

// benchRelayQueue runs benchQueue on a relay without fsync.
func benchRelayQueue(b *testing.B, receivers int, linger time.Duration) {
	srv, err := relay.New(context.Background(), relay.Config{Store: relay.StoreConfig{Dir: b.TempDir(), NoSync: true},
		OpsPerSecond: benchOpsPerSecond, OpBurst: benchOpBurst, FlushLinger: linger})
	if err != nil {
		b.Fatalf("relay.New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		hs.CloseClientConnections()
		hs.Close()
		srv.Shutdown(context.Background())
	}()
	s := &server{relay: srv}
	groups, _, err := s.session(context.Background(), 1, receivers)
	if err != nil {
		b.Fatalf("session: %v", err)
	}
	benchQueue(b, "ws"+strings.TrimPrefix(hs.URL, "http")+"/ws", groups[0].Code, receivers)
}

// benchQueue joins receivers clients with code (the first also sends),
// sends b.N ops with at most 64 not yet delivered to every receiver, and
// waits for every event.
func benchQueue(b *testing.B, url, code string, receivers int) {
	ctx := context.Background()
	d := websocket.Dialer{}
	conns := make([]*websocket.Conn, receivers)
	for i := range conns {
		ws, _, err := hello(ctx, &d, url, session.Hello{Type: session.MsgHello, Code: code, Name: fmt.Sprintf("r%d", i)})
		if err != nil {
			b.Fatalf("hello: %v", err)
		}
		defer ws.Close()
		conns[i] = ws
	}
	window := make(chan struct{}, 64)
	pending := make([]atomic.Int32, b.N)
	for i := range pending {
		pending[i].Store(int32(receivers))
	}
	var wg sync.WaitGroup
	var lost error
	var lostOnce sync.Once
	for _, ws := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := 0
			for seen < b.N {
				ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				_, frame, err := ws.ReadMessage()
				if err != nil {
					lostOnce.Do(func() { lost = err })
					return
				}
				for f := range bytes.SplitSeq(frame, newline) {
					if n, ok := marker(f); ok && bytes.HasPrefix(f, prefixEvent) && n < b.N {
						seen++
						if pending[n].Add(-1) == 0 {
							<-window
						}
					}
				}
			}
		}()
	}
	text := filler(100)
	b.ResetTimer()
	start := time.Now()
	for n := range b.N {
		window <- struct{}{}
		op := `{"type":"op","id":"b` + strconv.Itoa(n) + `","kind":"idea.add","data":{"question":"q1","text":"#b` +
			strconv.Itoa(n) + `# ` + text + `"}}`
		if err := conns[0].WriteMessage(websocket.TextMessage, []byte(op)); err != nil {
			b.Fatalf("send: %v", err)
		}
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if lost != nil {
		b.Fatalf("a receiver lost its connection: %v", lost)
	}
	b.ReportMetric(float64(b.N*receivers)/el.Seconds(), "frames/s")
}

// BenchmarkWriteFrames compares ways a writer can drain a queue of 16
// event-sized messages to one loopback websocket: a frame and a write
// syscall per message, as gorilla/websocket does by itself; a frame per
// message but one syscall for all (the connection buffers writes until
// the writer flushes, as the relay's flushers do); or all of them joined
// by newlines in one frame, as
// the chat example's writePump does (a change of the wire).
func BenchmarkWriteFrames(b *testing.B) {
	msg := bytes.Repeat([]byte("x"), 400)
	const batch = 16
	for _, mode := range []string{"frame-per-message", "frames-one-write", "joined"} {
		b.Run(mode, func(b *testing.B) {
			up := websocket.Upgrader{}
			got := make(chan *websocket.Conn, 1)
			hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				got <- ws
			}))
			hs.Listener = flushListener{hs.Listener}
			hs.Start()
			defer hs.Close()
			cl, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
			if err != nil {
				b.Fatalf("dial: %v", err)
			}
			defer cl.Close()
			sv := <-got
			defer sv.Close()
			fc := sv.NetConn().(*flushConn)
			done := make(chan int)
			go func() {
				n := 0
				for n < b.N*batch {
					_, f, err := cl.ReadMessage()
					if err != nil {
						break
					}
					n += bytes.Count(f, newline) + 1
				}
				done <- n
			}()
			b.SetBytes(int64(batch * len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				switch mode {
				case "joined":
					w, err := sv.NextWriter(websocket.TextMessage)
					if err != nil {
						b.Fatal(err)
					}
					for i := range batch {
						if i > 0 {
							w.Write(newline)
						}
						w.Write(msg)
					}
					w.Close()
				case "frames-one-write":
					fc.hold(true)
					for range batch {
						sv.WriteMessage(websocket.TextMessage, msg)
					}
					if err := fc.hold(false); err != nil {
						b.Fatal(err)
					}
				default:
					for range batch {
						if err := sv.WriteMessage(websocket.TextMessage, msg); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			if n := <-done; n != b.N*batch {
				b.Fatalf("client read %d messages; want %d", n, b.N*batch)
			}
		})
	}
}

// flushListener's connections can hold their writes in a buffer and
// send them with one syscall, which gorilla/websocket, writing each
// frame with its own Write, cannot do by itself.
type flushListener struct{ net.Listener }

func (l flushListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &flushConn{Conn: c}, nil
}

type flushConn struct {
	net.Conn
	holding bool
	buf     []byte
}

// hold starts holding writes, or stops and sends what was held.
func (c *flushConn) hold(on bool) error {
	c.holding = on
	if on || len(c.buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}

func (c *flushConn) Write(p []byte) (int, error) {
	if c.holding {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}
