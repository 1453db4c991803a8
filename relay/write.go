package relay

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// writeState is what a connection has to write and who is writing it,
// under one lock. The relay writes to a connection from a flusher (see
// flush.go) or, when the socket does not take a write at once, from a
// goroutine of the connection's own (slowWriter); owned and listed make
// sure only one of them writes at a time and that a connection is in
// the flush list at most once. The socket beneath gathers one writer's
// frames into one write (batchConn, listener.go).
type writeState struct {
	mu     sync.Mutex
	queue  [][]byte
	queued int  // bytes in queue
	closed bool // nothing more is queued; the writer sends final and closes
	hold   bool // events are queued but not sent until the welcome is
	final  []byte
	ping   bool // a ping is due
	pingAt time.Time
	// owned: a goroutine (a flusher, or the connection's slow writer)
	// is writing to the socket; it writes what is queued meanwhile too.
	// The goroutine that ends the connection never gives it up.
	owned bool
	// listed: the connection waits in the server's flush list, since
	// listedAt (zero when it was listed with no flush linger); listedAt
	// is also guarded by the flusher's mu.
	listed   bool
	listedAt time.Time
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
		c.fail(session.Errorf(session.ErrCodeSlow, "you fell too far behind; reconnect to catch up"))
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
func (c *conn) fail(e *session.Error) {
	c.mu.Lock()
	if !c.closed {
		c.closed, c.final, c.queue, c.queued = true, mustJSON(e), nil, 0
		c.scheduleLocked()
	}
	c.mu.Unlock()
}

// shutdown closes the connection with a close frame, as at relay shutdown.
func (c *conn) shutdown() {
	c.fail(session.Errorf(session.ErrCodeShutdown, "the relay is restarting; reconnecting"))
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
		c.ping, c.pingAt = true, now.Add(c.srv.cfg.tuning.pingPeriod)
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
		if len(frames) > 0 {
			c.welcomeWritten()
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
		if len(frames) > 0 {
			c.welcomeWritten()
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
	c.welcomeWritten()
	c.srv.forget(c)
	close(c.done)
}
