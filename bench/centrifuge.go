package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/gorilla/websocket"
)

// The peer written by others: Centrifuge (github.com/centrifugal/centrifuge),
// the library behind the Centrifugo server, with its in-memory broker. It
// serves the same rooms as the relay and the hub: a channel per group,
// every client subscribed to its group's channel, allowed to publish into
// it, and every subscriber (the sender too) receives each publication. Like
// the hub it keeps no log; unlike the hub it is a library others ship,
// with its own protocol, batching and ping/pong.

// startCentrifuge starts a Centrifuge node with its memory broker on a
// loopback port, accepting every connection, subscription and publish.
func startCentrifuge() (*server, error) {
	node, err := centrifuge.New(centrifuge.Config{LogLevel: centrifuge.LogLevelNone})
	if err != nil {
		return nil, fmt.Errorf("start centrifuge: %w", err)
	}
	node.OnConnecting(func(_ context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{UserID: e.Name}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(_ centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			cb(centrifuge.SubscribeReply{}, nil)
		})
		c.OnPublish(func(_ centrifuge.PublishEvent, cb centrifuge.PublishCallback) {
			cb(centrifuge.PublishReply{}, nil)
		})
	})
	if err := node.Run(); err != nil {
		return nil, fmt.Errorf("start centrifuge: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin: func(*http.Request) bool { return true },
	}))
	hs, ln, url, err := listen(mux, 0)
	if err != nil {
		node.Shutdown(context.Background())
		return nil, err
	}
	return &server{cf: node, hs: hs, ln: ln, url: url}, nil
}

// Centrifuge's JSON protocol (v2), as the load speaks it: commands and
// replies carry an id; pushes (publications) and the server's pings do
// not. A frame may hold several, separated by newlines. An op's
// publish goes out with id cfOpID + its number, so its reply acks it.
const cfOpID = 10

// protoCentrifuge is Job.Proto for Centrifuge's protocol.
const protoCentrifuge = "centrifuge"

var (
	prefixCfPush  = []byte(`{"push":`)
	prefixCfReply = []byte(`{"id":`)
	cfPing        = []byte(`{}`)
)

// cfJoin dials url, connects with the client's name and subscribes to
// its group's channel (the code).
func (c *client) cfJoin(ctx context.Context, d *websocket.Dialer) error {
	ws, _, err := d.DialContext(ctx, c.l.job.URL, nil)
	if err != nil {
		return err
	}
	ask := func(id int, cmd string) error {
		ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if err := ws.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
			return err
		}
		ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		want := []byte(`{"id":` + strconv.Itoa(id) + `,`)
		for {
			_, frame, err := ws.ReadMessage()
			if err != nil {
				return err
			}
			for f := range bytes.SplitSeq(frame, newline) {
				if bytes.HasPrefix(f, want) {
					if bytes.Contains(f, []byte(`"error":`)) {
						return fmt.Errorf("centrifuge: %s", f)
					}
					return nil
				}
			}
		}
	}
	if err := ask(1, `{"id":1,"connect":{"name":`+strconv.Quote(c.name)+`}}`); err != nil {
		ws.Close()
		return fmt.Errorf("connect: %w", err)
	}
	if err := ask(2, `{"id":2,"subscribe":{"channel":`+strconv.Quote(c.code)+`}}`); err != nil {
		ws.Close()
		return fmt.Errorf("subscribe: %w", err)
	}
	ws.SetReadDeadline(time.Time{})
	c.ws = ws
	return nil
}

// cfFrame handles one message of Centrifuge's protocol.
func (c *client) cfFrame(f []byte, now int64) {
	l := c.l
	switch {
	case bytes.HasPrefix(f, prefixCfPush):
		if n, ok := marker(f); ok {
			c.deliver(n, now)
		}
	case bytes.HasPrefix(f, prefixCfReply):
		id, ok := digits(f[len(prefixCfReply):])
		n := int(id) - cfOpID
		if !ok || n < 0 || n >= len(l.ops) {
			return
		}
		if bytes.Contains(f, []byte(`"error":`)) {
			l.rejected.Add(1)
			l.ops[n].rejected.Store(true)
			l.noteErr("%s: %s", c.name, f)
			return
		}
		if l.ops[n].acked.CompareAndSwap(0, now) {
			l.acked.Add(1)
		}
	case bytes.Equal(f, cfPing):
		// The server's ping, answered with a pong of the same shape.
		c.wmu.Lock()
		c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		c.ws.WriteMessage(websocket.TextMessage, cfPing)
		c.wmu.Unlock()
	}
}

// cfOp is op n as a publish into the client's channel, with the same
// marker and text as the relay's idea.add.
func (c *client) cfOp(b []byte, n int) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(n+cfOpID), 10)
	b = append(b, `,"publish":{"channel":`...)
	b = strconv.AppendQuote(b, c.code)
	b = append(b, `,"data":{"question":"q1","text":"#b`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, "# "...)
	b = append(b, c.l.filler...)
	b = append(b, `"}}}`...)
	return b
}
