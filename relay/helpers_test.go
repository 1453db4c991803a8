package relay

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

const testPlan = `
title = "Test session"
votes_per_person = 3

[[question]]
text = "What should we keep?"
[[question]]
text = "What should we change?"
minutes = 10

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
`

// testRelay is a relay on a real embedded NATS server in a temp dir,
// serving on a loopback port.
type testRelay struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	url   string
	codes *Codes
	dir   string
}

func startRelay(t *testing.T, dir string, cfg Config) *testRelay {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	cfg.Store.Dir = dir
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener = Listener(hs.Listener, 0) // as the relay command serves
	hs.Start()
	tr := &testRelay{t: t, srv: srv, http: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", dir: dir}
	t.Cleanup(tr.stop)
	return tr
}

func (tr *testRelay) stop() {
	if tr.http == nil {
		return
	}
	tr.http.CloseClientConnections()
	tr.http.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr.srv.Shutdown(ctx)
	tr.http = nil
}

func (tr *testRelay) create(plan string) *Codes {
	tr.t.Helper()
	p, err := session.ParsePlan("test.toml", []byte(plan))
	if err != nil {
		tr.t.Fatalf("ParsePlan: %v", err)
	}
	codes, err := tr.srv.CreateSession(context.Background(), p)
	if err != nil {
		tr.t.Fatalf("CreateSession: %v", err)
	}
	tr.codes = codes
	return codes
}

func (c *Codes) code(t *testing.T, group string, role session.Role) string {
	t.Helper()
	code := c.Find(group, role)
	if code == "" {
		t.Fatalf("no code for %s %s", group, role)
	}
	return code
}

// peer is a test client: a relay.Client and the replica it keeps.
type peer struct {
	t       *testing.T
	c       *Client
	state   *session.State
	you     session.You
	acks    map[string]int64
	rejects map[string]session.Reject
	events  []session.Event
	// welcomes counts connections: more than one means it reconnected.
	welcomes int
}

func (tr *testRelay) join(code, name string) *peer {
	tr.t.Helper()
	return joinURL(tr.t, tr.url, code, name, "")
}

func joinURL(t *testing.T, url, code, name, stateDir string) *peer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, ClientConfig{URL: url, Code: code, Name: name, StateDir: stateDir})
	if err != nil {
		t.Fatalf("Dial(%s): %v", name, err)
	}
	p := &peer{t: t, c: c, acks: map[string]int64{}, rejects: map[string]session.Reject{}}
	t.Cleanup(c.Close)
	p.waitFor("welcome", func() bool { return p.state != nil })
	return p
}

// pump applies the updates that have arrived, waiting up to d for one.
func (p *peer) pump(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case u, ok := <-p.c.Updates():
			if !ok {
				return
			}
			p.take(u)
		case <-timer.C:
			return
		}
		// Drain what else is there without waiting.
		for {
			select {
			case u := <-p.c.Updates():
				p.take(u)
				continue
			default:
			}
			return
		}
	}
}

func (p *peer) take(u Update) {
	switch {
	case u.Welcome != nil:
		p.welcomes++
		p.you = u.Welcome.You
		if u.Welcome.Snapshot != nil {
			p.state = u.Welcome.Snapshot
		}
		for _, ev := range u.Welcome.Events {
			p.state.ApplyEvent(ev)
			p.events = append(p.events, ev)
		}
	case u.Event != nil:
		p.state.ApplyEvent(*u.Event)
		p.events = append(p.events, *u.Event)
	case u.Ack != nil:
		p.acks[u.Ack.ID] = u.Ack.Seq
	case u.Reject != nil:
		p.rejects[u.Reject.ID] = *u.Reject
	}
}

func (p *peer) waitFor(what string, cond func() bool) {
	p.t.Helper()
	// Generous: a deadline, not a performance bound; CI machines are busy,
	// and some waits include a client's reconnect backoff (up to 7.5 s).
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: timed out waiting for %s", p.you.Name, what)
		}
		p.pump(50 * time.Millisecond)
	}
}

// send sends an op and waits for its ack or reject.
func (p *peer) send(kind string, data any) (int64, *session.Reject) {
	p.t.Helper()
	id := p.c.NewOpID()
	if err := p.c.Send(session.NewOp(id, kind, data)); err != nil {
		p.t.Fatalf("Send: %v", err)
	}
	p.waitFor("answer to "+kind, func() bool {
		_, a := p.acks[id]
		_, r := p.rejects[id]
		return a || r
	})
	if r, ok := p.rejects[id]; ok {
		return 0, &r
	}
	return p.acks[id], nil
}

func (p *peer) mustSend(kind string, data any) int64 {
	p.t.Helper()
	seq, rej := p.send(kind, data)
	if rej != nil {
		p.t.Fatalf("%s: %s rejected: %s %s", p.you.Name, kind, rej.Code, rej.Message)
	}
	return seq
}

func (p *peer) visibleIdeas() []string {
	var out []string
	for _, i := range p.state.Ideas {
		if i.Visible() {
			out = append(out, i.Text)
		}
	}
	return out
}

func rawDial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// rawHello sends a hello and returns the welcome, failing on anything else.
func rawHello(t *testing.T, ws *websocket.Conn, h session.Hello) session.Welcome {
	t.Helper()
	if err := ws.WriteJSON(h); err != nil {
		t.Fatalf("hello: %v", err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w session.Welcome
	if err := ws.ReadJSON(&w); err != nil {
		t.Fatalf("read welcome: %v", err)
	}
	if w.Type != session.MsgWelcome {
		t.Fatalf("answer to hello is %q; want welcome", w.Type)
	}
	return w
}
