package relay

import (
	"runtime"
	"sync"
	"time"
)

// The relay writes to its clients from a few flusher goroutines, one per
// processor, rather than from a writer goroutine per connection. A log
// message that reaches a thousand connections then wakes two goroutines,
// not a thousand, and the relay's own goroutines (the appender, the log)
// do not wait behind a thousand writers for a processor. A flusher writes
// without blocking; a socket that does not take all of a write at once
// (a client that reads slowly) gets a goroutine of its own until its
// queue is written (conn.slowWriter). See docs/design.md, "Writing to
// clients".

// flushBatch is how many connections a flusher takes from the list at
// once; the others are left for the other flushers.
const flushBatch = 64

// flusher is the list of connections with something to write, and the
// goroutines that write it. The list is in the order the connections
// were listed; while the relay is busy a connection waits in it for the
// pacer's flush linger, so that what reaches it meanwhile leaves in the
// same write (see pace.go).
type flusher struct {
	pace *pacer
	mu   sync.Mutex
	list []*conn
	wake chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

func newFlusher(pace *pacer) *flusher {
	n := runtime.GOMAXPROCS(0)
	f := &flusher{pace: pace, wake: make(chan struct{}, n), stop: make(chan struct{})}
	f.wg.Add(n)
	for range n {
		go f.run()
	}
	return f
}

// push lists a connection; the caller holds its mu.
func (f *flusher) push(c *conn) {
	f.mu.Lock()
	if f.pace.flushLinger.Load() > 0 {
		c.listedAt = time.Now()
	} else {
		c.listedAt = time.Time{}
	}
	f.list = append(f.list, c)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// next takes up to flushBatch connections from the list, waiting for
// some, and for the first to have lingered its time; it returns nil when
// the flusher stops.
func (f *flusher) next(buf []*conn) []*conn {
	for {
		f.mu.Lock()
		if len(f.list) > 0 && !f.list[0].listedAt.IsZero() {
			if d := f.pace.flushWait(f.list[0].listedAt); d > 0 {
				f.mu.Unlock()
				if !f.sleep(d) {
					return nil
				}
				continue
			}
		}
		n := min(len(f.list), flushBatch)
		buf = append(buf[:0], f.list[:n]...)
		rest := copy(f.list, f.list[n:])
		clear(f.list[rest:])
		f.list = f.list[:rest]
		f.mu.Unlock()
		if rest > 0 {
			select { // another flusher can take the rest meanwhile
			case f.wake <- struct{}{}:
			default:
			}
		}
		if n > 0 {
			return buf
		}
		select {
		case <-f.wake:
		case <-f.stop:
			return nil
		}
	}
}

// sleep waits for d; it reports false if the flusher stops meanwhile.
func (f *flusher) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-f.stop:
		return false
	}
}

func (f *flusher) run() {
	defer f.wg.Done()
	var buf []*conn
	for {
		if buf = f.next(buf); buf == nil {
			return
		}
		for i, c := range buf {
			c.flushOnce()
			buf[i] = nil
		}
	}
}

// close stops the flushers once the connections have ended.
func (f *flusher) close() {
	close(f.stop)
	f.wg.Wait()
}

// admit adds a new connection to those Shutdown waits for (its reader)
// and to those the relay pings and shuts down, under the lock that
// Shutdown begins under, so that Shutdown finds every connection it
// waits for; it reports false once shutdown has begun.
func (s *Server) admit(c *conn) bool {
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	if !s.trackLocked(1) {
		return false
	}
	s.connsMu.Lock()
	s.conns[c] = struct{}{}
	s.pace.conns.Store(int64(len(s.conns)))
	s.connsMu.Unlock()
	return true
}

// forget removes an ended connection.
func (s *Server) forget(c *conn) {
	s.connsMu.Lock()
	delete(s.conns, c)
	s.pace.conns.Store(int64(len(s.conns)))
	s.connsMu.Unlock()
}

// allConns returns every open connection.
func (s *Server) allConns() []*conn {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// pinger pings each connection every ping period, so that the reader of a
// client that went away without a word times out. It looks once a
// second, so pings are spread as the connections came.
func (s *Server) pinger() {
	defer close(s.pingerDone)
	t := time.NewTicker(min(time.Second, s.cfg.tuning.pingPeriod/4))
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			for _, c := range s.allConns() {
				c.pingDue(now)
			}
		}
	}
}
