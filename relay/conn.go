package relay

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

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
	// defaultWelcomeMB is Config.WelcomeBytes' default, in MiB.
	defaultWelcomeMB = 64
)

// defaultPingPeriod is how often each connection is pinged, within
// pongWait.
const defaultPingPeriod = pongWait * 9 / 10

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
	// wakeDue is guarded by the room's mu: the connection is in
	// room.wake, to be scheduled when the log message is applied.
	wakeDue bool
	// writeState is what waits to be written and who writes it; its mu
	// guards it all (see write.go).
	writeState
	done chan struct{} // closed when the socket is closed
	// welcome is the size of the welcome queued and not yet written, as
	// charged to the server's welcome budget.
	welcome atomic.Int64
}

func newConn(srv *Server, ws *websocket.Conn) *conn {
	c := &conn{srv: srv, ws: ws, done: make(chan struct{})}
	c.pingAt = time.Now().Add(srv.cfg.tuning.pingPeriod)
	return c
}

// chargeWelcome charges a welcome of n bytes to the server's welcome
// budget; it reports false when the budget has no room. A welcome larger
// than the whole budget goes through when no other is waiting.
func (s *Server) chargeWelcome(c *conn, n int64) bool {
	for {
		cur := s.welcomeBytes.Load()
		if cur > 0 && cur+n > s.cfg.WelcomeBytes {
			return false
		}
		if s.welcomeBytes.CompareAndSwap(cur, cur+n) {
			c.welcome.Store(n)
			return true
		}
	}
}

// rechargeWelcome charges the welcome's real size, n bytes, in place of
// the estimate charged for it, unless the connection ended meanwhile and
// gave the charge back.
func (s *Server) rechargeWelcome(c *conn, n int64) {
	for {
		old := c.welcome.Load()
		if old == 0 {
			return
		}
		if c.welcome.CompareAndSwap(old, n) {
			s.welcomeBytes.Add(n - old)
			return
		}
	}
}

// welcomeWritten gives back to the budget what the connection's welcome
// was charged, once it is written or the connection ended.
func (c *conn) welcomeWritten() {
	if n := c.welcome.Swap(0); n > 0 {
		c.srv.welcomeBytes.Add(-n)
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
				c.fail(session.Errorf(string(session.CodeTooLarge), "a message was over the %d KiB limit", maxFrame>>10))
			}
			c.markClosed()
			return
		}
		msg, err := session.DecodeClient(frame)
		if err != nil {
			c.fail(session.Errorf(session.ErrCodeProtocol, "%v", err))
			return
		}
		op, ok := msg.(*session.OpMsg)
		if !ok {
			c.fail(session.Errorf(session.ErrCodeProtocol, "hello was sent twice"))
			return
		}
		c.handleOp(op.Op())
	}
}

// canonicalJSON reports whether data is already as encoding/json writes
// it: no whitespace outside strings, and none of <, >, & and U+2028/9
// anywhere (it writes them as \u escapes). A space inside a string, as
// nearly every idea's text has, is kept as it is; checking for spaces
// anywhere sent nearly every op through a second encoding. data is
// valid JSON (DecodeClient checked it); only its form is in question.
func canonicalJSON(data []byte) bool {
	inString := false
	for i := 0; i < len(data); i++ {
		switch b := data[i]; b {
		case '<', '>', '&':
			return false
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9) {
				return false
			}
		case '\\':
			if inString {
				i++ // the escaped byte, perhaps a quote
			}
		case '"':
			inString = !inString
		case ' ', '\t', '\r', '\n':
			if !inString {
				return false
			}
		}
	}
	return true
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
	if !c.room.allowOp(c.viewer.ID) {
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
	if !canonicalJSON(op.Data) {
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
