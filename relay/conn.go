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
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// maxFrame bounds client frames. It fits the largest op session
	// accepts as encoding/json writes it: 50,000 characters of minutes
	// at up to six bytes each (\u003c), with room to spare.
	maxFrame = 320 << 10
	// maxOpData bounds an op's data as the log stores it, so that one op
	// always fits a log message.
	maxOpData      = maxBatchBytes
	defaultQueueMB = 1
)

// ErrCodeUnavailable says the relay cannot reach its log right now.
const ErrCodeUnavailable = "unavailable"

// conn is one client connection. Its reader goroutine handles what the
// client sends; its writer goroutine is the only one that writes, draining
// a queue bounded in bytes.
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
	// room.wake, to be woken when the log message is applied.
	wakeDue bool
	hold    bool   // events are queued but not sent until the welcome is
	final   []byte // an error frame to send before closing
	wake    chan struct{}
	done    chan struct{} // closed when the writer has ended
}

func newConn(srv *Server, ws *websocket.Conn) *conn {
	return &conn{srv: srv, ws: ws, wake: make(chan struct{}, 1), done: make(chan struct{}),
		limit: rate.NewLimiter(rate.Limit(srv.cfg.OpsPerSecond), srv.cfg.OpBurst)}
}

// enqueue queues a frame without blocking. A client whose queue is over
// its byte bound is cut off: it reconnects and resumes from its seq.
func (c *conn) enqueue(frame []byte) {
	if c.enqueueQuiet(frame) {
		c.wakeWriter()
	}
}

// enqueueQuiet queues a frame as enqueue does but leaves waking the
// writer to the caller; it reports whether the frame was queued. The log
// consumer wakes each writer once per log message, so the events of one
// message and the acks among them go out in one write, and the writer
// does not take the CPU from the consumer after every frame. A queue
// past a quarter of its bound wakes the writer at once, so a large log
// message cannot pile up on one that is still being written and cut off a
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
	urgent := c.queued > c.srv.cfg.QueueBytes/4
	c.mu.Unlock()
	if urgent {
		c.wakeWriter()
	}
	return true
}

func (c *conn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// holdForWelcome makes the writer hold back what is queued until
// enqueueWelcome puts the welcome in front of it.
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
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// fail sends one error frame ahead of anything queued, then closes the
// connection.
func (c *conn) fail(e session.Error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.final, c.queue, c.queued = true, mustJSON(e), nil, 0
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// shutdown closes the connection with a close frame, as at relay shutdown.
func (c *conn) shutdown() {
	c.fail(session.Error{Type: session.MsgError, Code: session.ErrCodeShutdown,
		Message: "the relay is restarting; reconnecting"})
}

// writer is the connection's only writer. It ends when the connection is
// closed (fail) or a write fails, and then closes the socket, which ends
// the reader.
func (c *conn) writer() {
	defer close(c.done)
	defer c.ws.Close()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	var batch [][]byte
	for {
		select {
		case <-c.wake:
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.markClosed()
				return
			}
			continue
		case <-c.srv.stop:
			c.shutdown()
		}
		c.mu.Lock()
		if c.hold && !c.closed {
			c.mu.Unlock()
			continue
		}
		batch, c.queue = c.queue, batch[:0]
		c.queued = 0
		closed, final := c.closed, c.final
		c.mu.Unlock()
		if len(batch) > 0 {
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.writeBatch(batch); err != nil {
				c.markClosed()
				return
			}
			clear(batch)
		}
		if closed {
			if final != nil {
				c.ws.WriteMessage(websocket.TextMessage, final)
			}
			c.ws.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			return
		}
	}
}

// writeBatch writes frames as one write to the socket where the
// connection came through Listener, else one write each.
func (c *conn) writeBatch(frames [][]byte) error {
	bc := batchConnOf(c.ws.NetConn())
	if bc != nil {
		bc.hold()
	}
	for _, f := range frames {
		if err := c.ws.WriteMessage(websocket.TextMessage, f); err != nil {
			if bc != nil {
				bc.flush()
			}
			return err
		}
	}
	if bc != nil {
		return bc.flush()
	}
	return nil
}

// markClosed ends the connection without a last frame.
func (c *conn) markClosed() {
	c.mu.Lock()
	c.closed = true
	c.queue = nil
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
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
