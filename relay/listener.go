package relay

import (
	"crypto/tls"
	"net"
	"sync"
	"syscall"
	"time"
)

// Listener wraps a listener for the relay: each accepted connection can
// gather the frames of one writer batch into a single write to the
// socket (gorilla/websocket writes every frame on its own), and has a
// modest kernel send buffer, so a stalled client is noticed by its
// send-queue bound rather than hidden in megabytes of kernel memory.
// sendBuffer is that buffer in bytes; 0 takes DefaultSendBuffer.
func Listener(ln net.Listener, sendBuffer int) net.Listener {
	return newListener(ln, sendBuffer, directWriteWait)
}

func newListener(ln net.Listener, sendBuffer int, directWait time.Duration) net.Listener {
	if sendBuffer <= 0 {
		sendBuffer = DefaultSendBuffer
	}
	return &listener{Listener: ln, sendBuffer: sendBuffer, directWait: directWait}
}

// cappedListener is newListener that closes at once the connections over
// caps (see caps.go).
func cappedListener(ln net.Listener, sendBuffer int, directWait time.Duration, caps *connCaps) net.Listener {
	l := newListener(ln, sendBuffer, directWait).(*listener)
	l.caps = caps
	return l
}

// DefaultSendBuffer is the kernel send buffer of client connections.
const DefaultSendBuffer = 128 << 10

type listener struct {
	net.Listener
	sendBuffer int
	directWait time.Duration
	caps       *connCaps // nil for none
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var ip string
		if l.caps != nil {
			ip = addrOf(c)
			if !l.caps.admit(ip) {
				c.Close()
				if l.caps.refused != nil {
					l.caps.refused()
				}
				continue
			}
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetWriteBuffer(l.sendBuffer)
			tc.SetNoDelay(true)
		}
		bc := newBatchConn(c, l.directWait)
		if l.caps != nil {
			bc.onClose = func() { l.caps.leave(ip) }
		}
		return bc, nil
	}
}

// batchConn holds writes between hold and flush and sends them as one.
// Writes from other goroutines (a pong from the reader) join the batch.
// The buffer is taken from a pool for the batch only: kept per
// connection, it would hold the largest batch ever sent (often the
// welcome, several KB) for the life of an idle connection.
type batchConn struct {
	net.Conn
	raw syscall.RawConn // for writes that must not block; nil where there are none (see writeNow)
	// directWait bounds a write straight to the socket that comes
	// without a deadline of its own (see Write).
	directWait time.Duration
	mu         sync.Mutex
	holding    bool
	buf        *[]byte
	off        int // bytes of buf written already (by tryFlush)
	// onClose, if set, is called once when the connection is closed.
	onClose   func()
	closeOnce sync.Once
	// deadline is the write deadline set on the socket, zero for none.
	// tryFlush clears it first: once passed, it would fail writes that
	// do not wait.
	deadline time.Time
}

// directWriteWait bounds a write straight to the socket that comes
// without a deadline of its own (a TLS record the reader's tls.Conn
// answers with, or a pong whose deadline was set while a batch was
// held); the default of Config's tuning.
const directWriteWait = writeWait

func newBatchConn(c net.Conn, directWait time.Duration) *batchConn {
	b := &batchConn{Conn: c, directWait: directWait}
	if sc, ok := c.(syscall.Conn); ok && nonblockingWrites {
		if raw, err := sc.SyscallConn(); err == nil {
			b.raw = raw
		}
	}
	return b
}

// Close closes the connection, and uncounts it once.
func (b *batchConn) Close() error {
	err := b.Conn.Close()
	if b.onClose != nil {
		b.closeOnce.Do(b.onClose)
	}
	return err
}

var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holding {
		if b.buf == nil {
			b.buf = batchBufs.Get().(*[]byte)
		}
		*b.buf = append(*b.buf, p...)
		return len(p), nil
	}
	if now := time.Now(); !b.deadline.After(now) {
		// No deadline, or one long past: a write that waits for a
		// client that does not read must not wait for ever, holding mu
		// (and with it the flushers' turn at this connection).
		b.Conn.SetWriteDeadline(now.Add(b.directWait))
		n, err := b.Conn.Write(p)
		b.Conn.SetWriteDeadline(b.deadline)
		return n, err
	}
	return b.Conn.Write(p)
}

// SetDeadline sets both deadlines, the write deadline as
// SetWriteDeadline does.
func (b *batchConn) SetDeadline(t time.Time) error {
	if err := b.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return b.SetWriteDeadline(t)
}

// SetWriteDeadline is ignored while holding: gorilla sets one before
// every frame, each a timer update in the runtime's poller, and the
// held frames are written by tryFlush, which does not wait, or by flush,
// which sets its own.
func (b *batchConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holding {
		return nil
	}
	b.deadline = t
	return b.Conn.SetWriteDeadline(t)
}

func (b *batchConn) hold() {
	b.mu.Lock()
	b.holding = true
	b.mu.Unlock()
}

// tryHold is hold for a flusher: it reports false, rather than wait,
// while another goroutine writes to the socket directly (a pong, or a
// TLS record), which can take up to directWriteWait.
func (b *batchConn) tryHold() bool {
	if !b.mu.TryLock() {
		return false
	}
	b.holding = true
	b.mu.Unlock()
	return true
}

// canTry reports whether tryFlush can write without blocking.
func (b *batchConn) canTry() bool { return b.raw != nil }

// tryFlush writes what is held as far as the socket takes it without
// waiting. done reports that all of it went out, and holding stopped;
// otherwise the rest stays held for flush. On an error what is held is
// dropped.
func (b *batchConn) tryFlush() (done bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.deadline.IsZero() {
		b.Conn.SetWriteDeadline(time.Time{})
		b.deadline = time.Time{}
	}
	for b.buf != nil && b.off < len(*b.buf) {
		n, full, err := writeNow(b.raw, (*b.buf)[b.off:])
		b.off += n
		if full {
			return false, nil
		}
		if err != nil {
			b.release()
			return false, err
		}
	}
	b.release()
	return true, nil
}

// flush writes what is held, waiting for the socket until deadline (none
// if zero), and stops holding.
func (b *batchConn) flush(deadline time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil || b.off >= len(*b.buf) {
		b.release()
		return nil
	}
	b.Conn.SetWriteDeadline(deadline)
	b.deadline = deadline
	_, err := b.Conn.Write((*b.buf)[b.off:])
	b.release()
	return err
}

// release stops holding and gives the buffer back.
func (b *batchConn) release() {
	b.holding = false
	if b.buf != nil && cap(*b.buf) <= 64<<10 { // a rare large batch is left to the GC
		*b.buf = (*b.buf)[:0]
		batchBufs.Put(b.buf)
	}
	b.buf, b.off = nil, 0
}

// batchConnOf finds the batchConn under a websocket's connection, also
// beneath TLS.
func batchConnOf(c net.Conn) *batchConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	bc, _ := c.(*batchConn)
	return bc
}
