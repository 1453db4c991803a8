package bench

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Hub is the baseline the relay is compared with: an in-memory broadcast
// hub in the shape of the gorilla/websocket chat example, with no log, no
// auth and no views. One goroutine owns the rooms; each client has a
// readPump and a writePump and a send channel; a client whose channel is
// full is dropped. It speaks just enough of the relay's wire for the same
// load to drive it: a hello (its code names the room) is answered with a
// welcome, and every op is echoed to every client of the room as an event
// with the room's next seq, and acknowledged to its sender.
type Hub struct {
	register   chan *hubClient
	unregister chan *hubClient
	broadcast  chan hubOp
	stop       chan struct{}
	done       chan struct{}
	once       sync.Once
	wg         sync.WaitGroup // client pumps

	upgrader websocket.Upgrader
}

// The chat example's timing and buffer sizes; the read limit is the
// relay's, so the same ops fit.
const (
	hubWriteWait  = 10 * time.Second
	hubPongWait   = 60 * time.Second
	hubPingPeriod = hubPongWait * 9 / 10
	hubMaxMessage = 64 << 10
	hubSendQueue  = 256
)

type hubClient struct {
	hub  *Hub
	ws   *websocket.Conn
	room string
	name string
	send chan []byte
}

// hubOp is an op on its way to the hub goroutine.
type hubOp struct {
	from *hubClient
	id   string
	kind string
	data json.RawMessage
}

type hubRoom struct {
	seq     int64
	clients map[*hubClient]bool
}

// NewHub starts a hub; Close stops it.
func NewHub() *Hub {
	h := &Hub{
		register:   make(chan *hubClient),
		unregister: make(chan *hubClient),
		broadcast:  make(chan hubOp, 256),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		upgrader:   websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024},
	}
	go h.run()
	return h
}

// Close stops the hub and closes every connection; it returns when all
// of the hub's goroutines have ended.
func (h *Hub) Close() {
	h.once.Do(func() { close(h.stop) })
	<-h.done
	h.wg.Wait()
}

// run is the hub goroutine: the only one that touches the rooms. It ends
// on Close.
func (h *Hub) run() {
	defer close(h.done)
	rooms := map[string]*hubRoom{}
	for {
		select {
		case <-h.stop:
			for _, r := range rooms {
				for c := range r.clients {
					close(c.send)
				}
			}
			return
		case c := <-h.register:
			r := rooms[c.room]
			if r == nil {
				r = &hubRoom{clients: map[*hubClient]bool{}}
				rooms[c.room] = r
			}
			r.clients[c] = true
			c.send <- mustMarshal(hubWelcome{Type: "welcome", Seq: r.seq}) // a fresh channel has room
		case c := <-h.unregister:
			if r := rooms[c.room]; r != nil && r.clients[c] {
				delete(r.clients, c)
				close(c.send)
			}
		case op := <-h.broadcast:
			r := rooms[op.from.room]
			if r == nil || !r.clients[op.from] {
				continue
			}
			r.seq++
			ev := mustMarshal(hubEvent{Type: "event", Seq: r.seq, By: op.from.name, Kind: op.kind, Data: op.data})
			h.deliver(r, op.from, mustMarshal(hubAck{Type: "ack", ID: op.id, Seq: r.seq}))
			for c := range r.clients {
				h.deliver(r, c, ev)
			}
		}
	}
}

// deliver queues a message, dropping a client that cannot keep up, as
// the chat example does.
func (h *Hub) deliver(r *hubRoom, c *hubClient, msg []byte) {
	if !r.clients[c] {
		return
	}
	select {
	case c.send <- msg:
	default:
		close(c.send)
		delete(r.clients, c)
	}
}

type hubWelcome struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

type hubEvent struct {
	Type string          `json:"type"`
	Seq  int64           `json:"seq"`
	By   string          `json:"by"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

type hubAck struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Seq  int64  `json:"seq"`
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("bench: encode " + err.Error()) // the hub's own types always encode
	}
	return b
}

// ServeHTTP upgrades a connection, reads its hello and starts its pumps.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadDeadline(time.Now().Add(hubPongWait))
	var hello struct {
		Type string `json:"type"`
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.Code == "" {
		ws.Close()
		return
	}
	c := &hubClient{hub: h, ws: ws, room: hello.Code, name: hello.Name, send: make(chan []byte, hubSendQueue)}
	h.wg.Add(2)
	select {
	case h.register <- c:
	case <-h.stop:
		h.wg.Add(-2)
		ws.Close()
		return
	}
	go c.writePump()
	go c.readPump()
}

// readPump hands the client's ops to the hub until the connection ends.
func (c *hubClient) readPump() {
	defer c.hub.wg.Done()
	defer func() {
		select {
		case c.hub.unregister <- c:
		case <-c.hub.stop:
		}
		c.ws.Close()
	}()
	c.ws.SetReadLimit(hubMaxMessage)
	c.ws.SetReadDeadline(time.Now().Add(hubPongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(hubPongWait)) })
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var op struct {
			Type string          `json:"type"`
			ID   string          `json:"id"`
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(msg, &op) != nil || op.Type != "op" {
			continue
		}
		select {
		case c.hub.broadcast <- hubOp{from: c, id: op.ID, kind: op.Kind, data: op.Data}:
		case <-c.hub.stop:
			return
		}
	}
}

// writePump writes what the hub queues, joining the messages queued
// meanwhile into one frame separated by newlines, as the chat example
// does; it pings on a ticker. It ends when the hub closes the channel or
// a write fails; closing the socket then ends readPump, which unregisters.
func (c *hubClient) writePump() {
	defer c.hub.wg.Done()
	ticker := time.NewTicker(hubPingPeriod)
	defer func() {
		ticker.Stop()
		c.ws.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(hubWriteWait))
			if !ok {
				c.ws.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			w, err := c.ws.NextWriter(websocket.TextMessage)
			if err != nil {
				return
			}
			w.Write(msg)
			for n := len(c.send); n > 0; n-- {
				m, ok := <-c.send
				if !ok {
					break
				}
				w.Write(newline)
				w.Write(m)
			}
			if err := w.Close(); err != nil {
				return
			}
		case <-ticker.C:
			c.ws.SetWriteDeadline(time.Now().Add(hubWriteWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

var newline = []byte{'\n'}
