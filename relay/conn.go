package relay

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"breakout/session"
)

// Connection tuning.
const (
	writeWait = 10 * time.Second
	pongWait  = 60 * time.Second
	// maxFrame bounds client frames. It fits the largest op session
	// accepts as encoding/json writes it: 50,000 characters of minutes
	// at up to six bytes each (\u003c), with room to spare.
	maxFrame = 320 << 10
	// maxOpData bounds an op's data as the log stores it, so that one op
	// always fits a log message.
	maxOpData      = maxBatchBytes
	defaultQueueMB = 1
)

// pingPeriod is how often each connection is pinged, within pongWait; a
// variable so that tests can ping often.
var pingPeriod = pongWait * 9 / 10

// ErrCodeUnavailable says the relay cannot reach its log right now.
const ErrCodeUnavailable = "unavailable"

// conn is one client connection. Its reader goroutine handles what the
// client sends. What the relay sends waits in a queue bounded in bytes
// and is written by the server's flushers (see flush.go): a connection
// has no writer goroutine of its own unless a write to it would block.
type conn struct {
	srv    *Server
	ws     *websocket.Conn
	room   *room
	viewer session.Viewer
	limit  *rate.Limiter

	mu     sync.Mutex
	queue  [][]byte
	queued int
	closed bool
	// wakeDue is guarded by the room's mu: the connection is in
	// room.wake, to be scheduled when the log message is applied.
	wakeDue bool
	hold    bool   // events are queued but not sent until the welcome is
	final   []byte // an error frame to send before closing
	ping    bool   // a ping is due
	pingAt  time.Time
	// owned: a goroutine (a flusher, or the connection's slow writer)
	// is writing to the socket; it writes what is queued meanwhile too.
	// The goroutine that ends the connection never gives it up.
	owned bool
	// listed: the connection waits in the server's flush list, since
	// listedAt (zero when it was listed with no flush linger).
	listed   bool
	listedAt time.Time
	done     chan struct{} // closed when the socket is closed
}

func newConn(srv *Server, ws *websocket.Conn) *conn {
	return &conn{srv: srv, ws: ws, done: make(chan struct{}), pingAt: time.Now().Add(pingPeriod),
		limit: rate.NewLimiter(rate.Limit(srv.cfg.OpsPerSecond), srv.cfg.OpBurst)}
}

// enqueue queues a frame without blocking. A client whose queue is over
// its byte bound is cut off: it reconnects and resumes from its seq.
func (c *conn) enqueue(frame []byte) {
	if c.enqueueQuiet(frame) {
		c.schedule()
	}
}

// enqueueQuiet queues a frame as enqueue does but leaves scheduling the
// write to the caller; it reports whether the frame was queued. The log
// consumer schedules each connection once per log message, so the events
// of one message and the acks among them go out in one write. A queue
// past a quarter of its bound is scheduled at once, so a large log
// message cannot pile up on a write still in progress and cut off a
// client that reads.
func (c *conn) enqueueQuiet(frame []byte) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	if c.queued+len(frame) > c.srv.cfg.QueueBytes && len(c.queue) > 0 {
		c.mu.Unlock()
		c.srv.metrics.cutOff.Inc()
		c.fail(session.Error{Type: session.MsgError, Code: session.ErrCodeSlow,
			Message: "you fell too far behind; reconnect to catch up"})
		return false
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	if c.queued > c.srv.cfg.QueueBytes/4 {
		c.scheduleLocked()
	}
	c.mu.Unlock()
	return true
}

// schedule has what is queued written soon.
func (c *conn) schedule() {
	c.mu.Lock()
	c.scheduleLocked()
	c.mu.Unlock()
}

// scheduleLocked puts the connection in the server's flush list, unless
// it is there already or a goroutine is writing to it (that one writes
// what is queued when its write is done).
func (c *conn) scheduleLocked() {
	if c.owned || c.listed {
		return
	}
	c.listed = true
	c.srv.flush.push(c)
}

// holdForWelcome holds back what is queued until enqueueWelcome puts the
// welcome in front of it.
func (c *conn) holdForWelcome() {
	c.mu.Lock()
	c.hold = true
	c.mu.Unlock()
}

// enqueueWelcome puts the welcome in front of the events queued since
// holdForWelcome, outside the byte bound: it may be larger than the bound
// (the missed events, or a whole snapshot), and the events that follow it
// must not find the queue full of it and cut the client off before it
// ever gets it.
func (c *conn) enqueueWelcome(frame []byte) {
	c.mu.Lock()
	if !c.closed {
		c.queue = append([][]byte{frame}, c.queue...)
	}
	c.hold = false
	c.scheduleLocked()
	c.mu.Unlock()
}

// fail sends one error frame ahead of anything queued, then closes the
// connection.
func (c *conn) fail(e session.Error) {
	c.mu.Lock()
	if !c.closed {
		c.closed, c.final, c.queue, c.queued = true, mustJSON(e), nil, 0
		c.scheduleLocked()
	}
	c.mu.Unlock()
}

// shutdown closes the connection with a close frame, as at relay shutdown.
func (c *conn) shutdown() {
	c.fail(session.Error{Type: session.MsgError, Code: session.ErrCodeShutdown,
		Message: "the relay is restarting; reconnecting"})
}

// markClosed ends the connection without a last frame.
func (c *conn) markClosed() {
	c.mu.Lock()
	c.closed, c.queue, c.queued = true, nil, 0
	c.scheduleLocked()
	c.mu.Unlock()
}

// pingDue marks a ping to be sent, if the connection is due one.
func (c *conn) pingDue(now time.Time) {
	c.mu.Lock()
	if now.After(c.pingAt) {
		c.ping, c.pingAt = true, now.Add(pingPeriod)
		c.scheduleLocked()
	}
	c.mu.Unlock()
}

// take hands the writing goroutine what there is to write: a ping, the
// queued frames (unless held for the welcome), and whether the
// connection is closing. It reports false, and gives up ownership, when
// there is nothing.
func (c *conn) take() (frames [][]byte, ping, closed bool, final []byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, false, true, c.final, true
	}
	if !c.hold {
		frames, c.queue, c.queued = c.queue, nil, 0
	}
	ping, c.ping = c.ping, false
	if len(frames) == 0 && !ping {
		c.owned = false
		return nil, false, false, nil, false
	}
	return frames, ping, false, nil, true
}

// flushOnce is a flusher's turn at the connection: it writes what is
// queued without blocking. What the socket does not take at once, and
// the closing frames, are left to a goroutine of the connection's own
// (slowWriter), so that one slow client never holds up a flusher.
func (c *conn) flushOnce() {
	c.mu.Lock()
	c.listed = false
	if c.owned {
		c.mu.Unlock()
		return
	}
	c.owned = true
	c.mu.Unlock()
	bc := batchConnOf(c.ws.NetConn())
	for {
		frames, ping, closed, final, ok := c.take()
		if !ok {
			return
		}
		if closed || bc == nil || !bc.canTry() || !bc.tryHold() {
			go c.slowWriter(frames, ping, closed, final)
			return
		}
		err := c.writeFrames(frames, ping)
		var done bool
		if err == nil {
			done, err = bc.tryFlush()
		}
		if err != nil {
			c.markClosed()
			go c.slowWriter(nil, false, true, nil)
			return
		}
		if !done {
			go c.slowWriter(nil, false, false, nil)
			return
		}
	}
}

// slowWriter owns the socket until everything queued is written, with
// blocking writes: the rest of a write the socket did not take at once,
// then whatever is queued meanwhile, then, if the connection is closing,
// the last frame and the close. It ends when the queue is empty.
func (c *conn) slowWriter(frames [][]byte, ping, closed bool, final []byte) {
	bc := batchConnOf(c.ws.NetConn())
	for {
		if closed {
			c.end(bc, final)
			return
		}
		deadline := time.Now().Add(writeWait)
		c.ws.SetWriteDeadline(deadline)
		if bc != nil {
			bc.hold()
		}
		err := c.writeFrames(frames, ping)
		if bc != nil {
			if ferr := bc.flush(deadline); err == nil {
				err = ferr
			}
		}
		if err != nil {
			c.markClosed()
			c.end(bc, nil)
			return
		}
		var ok bool
		if frames, ping, closed, final, ok = c.take(); !ok {
			return
		}
	}
}

// writeFrames writes a ping, if due, and the frames.
func (c *conn) writeFrames(frames [][]byte, ping bool) error {
	if len(frames) > 0 {
		c.srv.metrics.framesSent.Add(float64(len(frames)))
		c.srv.metrics.writes.Inc()
	}
	if ping {
		if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
			return err
		}
	}
	for _, f := range frames {
		if err := c.ws.WriteMessage(websocket.TextMessage, f); err != nil {
			return err
		}
	}
	return nil
}

// end sends the last frame, if any, and the close, and closes the socket.
func (c *conn) end(bc *batchConn, final []byte) {
	if bc != nil {
		bc.flush(time.Now().Add(time.Second))
	}
	if final != nil {
		c.ws.SetWriteDeadline(time.Now().Add(writeWait))
		c.ws.WriteMessage(websocket.TextMessage, final)
	}
	c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.ws.Close()
	c.srv.forget(c)
	close(c.done)
}

// send queues a message: an ack or a reject.
func (c *conn) send(v any) { c.enqueue(mustJSON(v)) }

// reader handles the client's ops until the connection ends.
func (c *conn) reader() {
	for {
		_, frame, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.srv.metrics.rejected.WithLabelValues(string(session.CodeTooLarge)).Inc()
				c.fail(session.Error{Type: session.MsgError, Code: string(session.CodeTooLarge),
					Message: fmt.Sprintf("a message was over the %d KiB limit", maxFrame>>10)})
			}
			c.markClosed()
			return
		}
		msg, err := session.DecodeClient(frame)
		if err != nil {
			c.fail(session.Error{Type: session.MsgError, Code: session.ErrCodeProtocol, Message: err.Error()})
			return
		}
		op, ok := msg.(*session.OpMsg)
		if !ok {
			c.fail(session.Error{Type: session.MsgError, Code: session.ErrCodeProtocol, Message: "hello was sent twice"})
			return
		}
		c.handleOp(op.Op())
	}
}

// validOpID is the op id check of session.Apply, made before the op
// goes into the log.
func validOpID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func (c *conn) rejectOp(id string, code session.Code, msg string) {
	c.srv.metrics.rejected.WithLabelValues(string(code)).Inc()
	c.send(session.Reject{Type: session.MsgReject, ID: id, Code: code, Message: msg})
}

// handleOp pre-checks an op (rate, shape, role) and hands it to the room.
func (c *conn) handleOp(op session.Op) {
	if !c.limit.Allow() {
		c.rejectOp(op.ID, session.CodeRateLimited, "too many ops; slow down a little")
		return
	}
	if !validOpID(op.ID) {
		c.rejectOp(op.ID, session.CodeInvalid, "op id must be 1 to 64 printable ASCII characters")
		return
	}
	if !session.Allowed(c.viewer.Role, op.Kind) {
		c.rejectOp(op.ID, session.CodeForbidden, "a "+string(c.viewer.Role)+" may not send "+op.Kind)
		return
	}
	// The log keeps op data as encoding/json writes it: compact, with <,
	// > and & six bytes each. Bring it to that form now, so that the
	// group commit's size estimate holds, an op too big for a log message
	// is refused here rather than fail the whole batch it would have
	// joined, and the appender, which applies what it appended without
	// reading it back, applies the very bytes a replay of the log does.
	if bytes.ContainsAny(op.Data, "<>&\u2028\u2029 \t\r\n") {
		op.Data = mustJSON(op.Data)
	}
	if len(op.Data) > maxOpData {
		c.rejectOp(op.ID, session.CodeTooLarge, "the op's data is too large")
		return
	}
	c.room.submit(session.Entry{Op: op, By: c.viewer.ID}, func(o session.Outcome, _ *session.Event) {
		if o.Code != "" {
			c.rejectOp(op.ID, o.Code, o.Message)
			return
		}
		c.srv.metrics.accepted.Inc()
		c.send(session.Ack{Type: session.MsgAck, ID: op.ID, Seq: o.Seq})
	})
}
