package bench

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// hubPeer is a test client of the hub. The hub may join several messages
// into one frame, so frames are split on newlines and the rest kept.
type hubPeer struct {
	t       *testing.T
	ws      *websocket.Conn
	pending []string
}

func dialHub(t *testing.T, url, room, name string) *hubPeer {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]string{"type": "hello", "code": room, "name": name}); err != nil {
		t.Fatalf("hello: %v", err)
	}
	p := &hubPeer{t: t, ws: ws}
	var w hubWelcome
	p.read(&w)
	if w.Type != "welcome" {
		t.Fatalf("answer to hello = %+v; want a welcome", w)
	}
	return p
}

func (p *hubPeer) read(v any) {
	p.t.Helper()
	if len(p.pending) == 0 {
		p.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, frame, err := p.ws.ReadMessage()
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		p.pending = strings.Split(string(frame), "\n")
	}
	msg := p.pending[0]
	p.pending = p.pending[1:]
	if err := json.Unmarshal([]byte(msg), v); err != nil {
		p.t.Fatalf("decode %s: %v", msg, err)
	}
}

func (p *hubPeer) send(id, text string) {
	p.t.Helper()
	op := `{"type":"op","id":"` + id + `","kind":"idea.add","data":{"question":"q1","text":"` + text + `"}}`
	if err := p.ws.WriteMessage(websocket.TextMessage, []byte(op)); err != nil {
		p.t.Fatalf("send op: %v", err)
	}
}

func TestHubEchoesOpsToItsRoomOnly(t *testing.T) {
	h := NewHub()
	srv := httptest.NewServer(h)
	defer func() { srv.Close(); h.Close() }()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	a1 := dialHub(t, url, "A", "ann")
	a2 := dialHub(t, url, "A", "bob")
	b1 := dialHub(t, url, "B", "cat")

	a1.send("x1", "hello A")
	var ack hubAck
	a1.read(&ack)
	if ack.Type != "ack" || ack.ID != "x1" || ack.Seq != 1 {
		t.Errorf("sender's first message = %+v; want ack x1 seq 1", ack)
	}
	for _, p := range []*hubPeer{a1, a2} {
		var ev hubEvent
		p.read(&ev)
		if ev.Type != "event" || ev.Seq != 1 || ev.By != "ann" || ev.Kind != "idea.add" || !strings.Contains(string(ev.Data), "hello A") {
			t.Errorf("event in room A = %+v %s; want seq 1 by ann with the op's data", ev, ev.Data)
		}
	}
	// Room B has its own seq and saw nothing of room A: its first
	// event is its own op's, with seq 1.
	b1.send("y1", "hello B")
	var bAck hubAck
	b1.read(&bAck)
	var bEv hubEvent
	b1.read(&bEv)
	if bAck.Seq != 1 || bEv.Seq != 1 || !strings.Contains(string(bEv.Data), "hello B") {
		t.Errorf("room B got ack %+v and event %+v %s; want its own op with seq 1", bAck, bEv, bEv.Data)
	}
}
