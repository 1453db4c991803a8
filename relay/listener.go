package relay

import (
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// Listener wraps a listener for the relay: each accepted connection can
// gather the frames of one writer batch into a single write to the
// socket (gorilla/websocket writes every frame on its own), and has a
// modest kernel send buffer, so a stalled client is noticed by its
// send-queue bound rather than hidden in megabytes of kernel memory.
// sendBuffer is that buffer in bytes; 0 takes DefaultSendBuffer.
func Listener(ln net.Listener, sendBuffer int) net.Listener {
	if sendBuffer <= 0 {
		sendBuffer = DefaultSendBuffer
	}
	return &listener{Listener: ln, sendBuffer: sendBuffer}
}

// DefaultSendBuffer is the kernel send buffer of client connections.
const DefaultSendBuffer = 128 << 10

type listener struct {
	net.Listener
	sendBuffer int
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(l.sendBuffer)
		tc.SetNoDelay(true)
	}
	return &batchConn{Conn: c}, nil
}

// batchConn holds writes between hold and flush and sends them as one.
// Writes from other goroutines (a pong from the reader) join the batch.
// The buffer is taken from a pool for the batch only: kept per
// connection, it would hold the largest batch ever sent (often the
// welcome, several KB) for the life of an idle connection.
type batchConn struct {
	net.Conn
	mu       sync.Mutex
	holding  bool
	buf      *[]byte
	deadline time.Time // the last write deadline set while holding
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
	return b.Conn.Write(p)
}

// SetWriteDeadline keeps a deadline set while holding for the flush,
// the one write it is for: gorilla sets one before every frame, and
// each costs a timer update in the runtime's poller.
func (b *batchConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holding {
		b.deadline = t
		return nil
	}
	return b.Conn.SetWriteDeadline(t)
}

func (b *batchConn) hold() {
	b.mu.Lock()
	b.holding = true
	b.mu.Unlock()
}

// flush writes what was held and stops holding.
func (b *batchConn) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.holding = false
	if !b.deadline.IsZero() {
		b.Conn.SetWriteDeadline(b.deadline)
		b.deadline = time.Time{}
	}
	if b.buf == nil {
		return nil
	}
	_, err := b.Conn.Write(*b.buf)
	if cap(*b.buf) <= 64<<10 { // a rare large batch is left to the GC
		*b.buf = (*b.buf)[:0]
		batchBufs.Put(b.buf)
	}
	b.buf = nil
	return err
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
