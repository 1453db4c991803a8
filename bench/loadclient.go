package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// client is one websocket client of the load: its connection, what it
// has seen, and what it sends.
type client struct {
	l     *load
	idx   int
	group int
	name  string
	code  string
	ws    *websocket.Conn
	// excluded clients' deliveries do not count (the stalled one).
	excluded bool
	// gate holds the reader while the client pretends to be stalled.
	gate    chan struct{}
	resume  string
	lastSeq atomic.Int64
	window  chan struct{} // fill: ops in flight
	out     chan int      // throughput: ops to send
	wbuf    []byte
	// wmu keeps writes apart: Centrifuge's pongs are written by the
	// reader while the sender writes ops.
	wmu  sync.Mutex
	done chan struct{} // closed when the reader ends

	mu      sync.Mutex
	samples [][]time.Duration // per phase, per delivery
	seen    map[int]bool      // ops seen, for the slow client
	slow    *SlowResult
}

// connectAll joins every client of the job's groups, a few at a time,
// and starts their readers. The client numbered slow (-1: none) gets a
// small receive buffer.
func (l *load) connectAll(ctx context.Context, slow int) error {
	for g, jg := range l.job.Groups {
		for i := range jg.Clients {
			c := &client{l: l, idx: len(l.clients), group: g, code: jg.Code,
				name: fmt.Sprintf("%s-%d", jg.Name, i+1), done: make(chan struct{})}
			if l.setup != nil {
				l.setup(c)
			}
			l.clients = append(l.clients, c)
		}
		l.groupSize = append(l.groupSize, jg.Clients)
	}
	dials := max(l.job.Dials, 1)
	sem := make(chan struct{}, dials)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, c := range l.clients {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := c.join(ctx, c.idx == slow)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("client %s: %w", c.name, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		for _, c := range l.clients {
			if c.ws != nil {
				c.ws.Close()
			}
		}
		l.clients = nil
		return first
	}
	for _, c := range l.clients {
		go c.read()
	}
	return nil
}

// join dials and says hello with the client's code; slow clients get a
// small receive buffer, as a laptop on a thin link has.
func (c *client) join(ctx context.Context, slow bool) error {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	if slow {
		nd := net.Dialer{Control: receiveBuffer(slowRcvBuf)}
		d.NetDialContext = nd.DialContext
	}
	if c.l.job.Proto == protoCentrifuge {
		return c.cfJoin(ctx, &d)
	}
	ws, w, err := hello(ctx, &d, c.l.job.URL, session.Hello{Type: session.MsgHello, Code: c.code, Name: c.name})
	if err != nil {
		return err
	}
	c.ws, c.resume = ws, w.Resume
	c.lastSeq.Store(w.Seq)
	atomicMax(&c.l.maxSeq, w.Seq)
	return nil
}

// slowRcvBuf and slowSndBuf are the slow client's socket receive buffer
// and the relay's send buffers in the slow-consumer scenario: loopback's
// autotuned buffers hold megabytes, and would hide a stall for minutes
// where a thin link holds a few dozen kilobytes in flight. (The kernel
// doubles both for its bookkeeping.)
const (
	slowRcvBuf = 8 << 10
	slowSndBuf = 32 << 10
)

type welcomeHead struct {
	Type    string `json:"type"`
	Seq     int64  `json:"seq"`
	Resume  string `json:"resume"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// hello dials url, sends h and reads the answer: the welcome, or the
// error the relay sent instead.
func hello(ctx context.Context, d *websocket.Dialer, url string, h session.Hello) (*websocket.Conn, welcomeHead, error) {
	ws, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return nil, welcomeHead{}, err
	}
	ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := ws.WriteJSON(h); err != nil {
		ws.Close()
		return nil, welcomeHead{}, fmt.Errorf("hello: %w", err)
	}
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, frame, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		return nil, welcomeHead{}, fmt.Errorf("wait for welcome: %w", err)
	}
	ws.SetReadDeadline(time.Time{})
	w, err := readWelcome(frame)
	if err != nil {
		ws.Close()
		return nil, w, err
	}
	return ws, w, nil
}

func readWelcome(frame []byte) (welcomeHead, error) {
	var w welcomeHead
	if err := json.Unmarshal(frame, &w); err != nil {
		return w, fmt.Errorf("read welcome: %w", err)
	}
	if w.Type != session.MsgWelcome {
		return w, fmt.Errorf("answer to hello: %s %s %s", w.Type, w.Code, w.Message)
	}
	return w, nil
}

// closeAll closes every connection and waits for the readers.
func (l *load) closeAll() {
	if l.closing.Swap(true) {
		return
	}
	close(l.stop)
	for _, c := range l.clients {
		c.mu.Lock()
		ws := c.ws
		c.mu.Unlock()
		ws.Close()
	}
	for _, c := range l.clients {
		<-c.done
	}
}

var (
	prefixEvent  = []byte(`{"type":"event"`)
	prefixAck    = []byte(`{"type":"ack"`)
	prefixReject = []byte(`{"type":"reject"`)
	prefixError  = []byte(`{"type":"error"`)
	markerStart  = []byte("#b")
)

// read handles what the client is sent until its connection ends. A
// frame may hold several messages separated by newlines (the hub joins
// them, as the chat example does; the relay's JSON never holds a raw
// newline).
func (c *client) read() {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		c.waitGate()
		_, r, err := c.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			if c.slow != nil && c.reconnect() {
				continue
			}
			if !c.l.closing.Load() {
				c.l.errMu.Lock()
				c.l.lost++
				c.l.errMu.Unlock()
				c.l.noteErr("%s: connection lost: %v", c.name, err)
			}
			return
		}
		now := c.l.now()
		cf := c.l.job.Proto == protoCentrifuge
		for f := range bytes.SplitSeq(buf.Bytes(), newline) {
			if cf {
				c.cfFrame(f, now)
			} else {
				c.frame(f, now)
			}
		}
	}
}

func (c *client) frame(f []byte, now int64) {
	l := c.l
	switch {
	case bytes.HasPrefix(f, prefixEvent):
		if seq, ok := intAfter(f, `"seq":`); ok {
			c.lastSeq.Store(seq)
		}
		if n, ok := marker(f); ok {
			c.deliver(n, now)
		}
	case bytes.HasPrefix(f, prefixAck):
		n, ok := intAfter(f, `"id":"b`)
		if !ok || int(n) >= len(l.ops) {
			return
		}
		if seq, ok := intAfter(f, `"seq":`); ok {
			atomicMax(&l.maxSeq, seq)
		}
		if l.ops[n].acked.CompareAndSwap(0, now) {
			l.acked.Add(1)
		}
		c.settle()
	case bytes.HasPrefix(f, prefixReject):
		l.rejected.Add(1)
		if n, ok := intAfter(f, `"id":"b`); ok && int(n) < len(l.ops) {
			l.ops[n].rejected.Store(true)
		}
		l.noteErr("%s: %s", c.name, f)
		c.settle()
	case bytes.HasPrefix(f, prefixError):
		var e session.Error
		json.Unmarshal(f, &e)
		if c.slow != nil {
			c.mu.Lock()
			c.slow.ErrorCode = e.Code
			c.mu.Unlock()
		} else {
			l.noteErr("%s: error %s: %s", c.name, e.Code, e.Message)
		}
	}
}

// settle frees a place in the client's window of ops in flight.
func (c *client) settle() {
	if c.window != nil {
		select {
		case <-c.window:
		default:
		}
	}
}

func (c *client) deliver(n int, now int64) {
	l := c.l
	if n >= len(l.ops) {
		return
	}
	op := &l.ops[n]
	if c.seen != nil {
		c.mu.Lock()
		c.seen[n] = true
		c.mu.Unlock()
	}
	sent := op.sent.Load()
	if c.excluded || sent == 0 {
		return
	}
	lat := now - sent
	op.count.Add(1)
	atomicMax(&op.last, lat)
	if l.perDelivery {
		c.mu.Lock()
		for int(op.phase) >= len(c.samples) {
			c.samples = append(c.samples, nil)
		}
		c.samples[op.phase] = append(c.samples[op.phase], time.Duration(lat))
		c.mu.Unlock()
	}
}

// marker finds the op number in "#b<n>#", which the load puts at the
// start of every idea's text.
func marker(f []byte) (int, bool) {
	i := bytes.Index(f, markerStart)
	if i < 0 {
		return 0, false
	}
	n, ok := digits(f[i+len(markerStart):])
	return int(n), ok
}

// intAfter reads the decimal number that follows the first key in f.
func intAfter(f []byte, key string) (int64, bool) {
	i := bytes.Index(f, []byte(key))
	if i < 0 {
		return 0, false
	}
	return digits(f[i+len(key):])
}

func digits(b []byte) (int64, bool) {
	var n int64
	k := 0
	for ; k < len(b) && k < 18 && b[k] >= '0' && b[k] <= '9'; k++ {
		n = n*10 + int64(b[k]-'0')
	}
	return n, k > 0
}

func atomicMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// sendOp sends op n as an idea.add whose text starts with its marker.
// sent is its send time (ns since base), 0 for now.
func (c *client) sendOp(n int, sent int64) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var b []byte
	if c.l.job.Proto == protoCentrifuge {
		b = c.cfOp(c.wbuf[:0], n)
	} else {
		b = append(c.wbuf[:0], `{"type":"op","id":"b`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `","kind":"idea.add","data":{"question":"q1","text":"#b`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, "# "...)
		b = append(b, c.l.filler...)
		b = append(b, `"}}`...)
	}
	c.wbuf = b
	if sent == 0 {
		sent = c.l.now()
	}
	c.l.ops[n].sent.Store(sent)
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.l.noteErr("%s: send: %v", c.name, err)
		return err
	}
	return nil
}

func (c *client) setGate(g chan struct{}) {
	c.mu.Lock()
	c.gate = g
	c.mu.Unlock()
}

// waitGate holds the reader while its gate is shut.
func (c *client) waitGate() {
	c.mu.Lock()
	g := c.gate
	c.mu.Unlock()
	if g == nil {
		return
	}
	select {
	case <-g:
	case <-c.l.stop:
	}
}

// missing counts the acknowledged ops below to that the client never saw.
func (c *client) missing(to int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for i := range to {
		if c.l.ops[i].acked.Load() != 0 && !c.seen[i] {
			n++
		}
	}
	return n
}

// reconnect resumes the slow client after its connection ended: hello
// with its resume token and the last seq it read. It reports whether the
// client is connected again.
func (c *client) reconnect() bool {
	c.mu.Lock()
	sr := c.slow
	already := sr.CutOff
	c.mu.Unlock()
	if c.l.closing.Load() || already {
		return false
	}
	c.mu.Lock()
	sr.CutOff = true
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	ws, _, err := d.DialContext(ctx, c.l.job.URL, nil)
	if err != nil {
		c.l.noteErr("%s: reconnect: %v", c.name, err)
		return false
	}
	h := session.Hello{Type: session.MsgHello, Resume: c.resume, Since: c.lastSeq.Load()}
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := ws.WriteJSON(h); err != nil {
		ws.Close()
		return false
	}
	_, frame, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		c.l.noteErr("%s: resume: %v", c.name, err)
		return false
	}
	w, err := readWelcome(frame)
	if err != nil {
		ws.Close()
		c.l.noteErr("%s: resume: %v", c.name, err)
		return false
	}
	// The welcome holds the missed events (or a snapshot): every marker
	// in it is an op the client now has.
	events := 0
	rest := frame
	c.mu.Lock()
	for {
		i := bytes.Index(rest, markerStart)
		if i < 0 {
			break
		}
		rest = rest[i+len(markerStart):]
		if n, ok := digits(rest); ok {
			c.seen[int(n)] = true
			events++
		}
	}
	sr.Resumed, sr.ResumedEvents = true, events
	c.mu.Unlock()
	c.lastSeq.Store(w.Seq)
	c.resume = w.Resume
	c.mu.Lock()
	if c.l.closing.Load() {
		c.mu.Unlock()
		ws.Close()
		return false
	}
	old := c.ws
	c.ws = ws
	c.mu.Unlock()
	old.Close()
	return true
}
