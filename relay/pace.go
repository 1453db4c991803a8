package relay

import (
	"sync"
	"sync/atomic"
	"time"
)

// A busy relay trades a little latency for less work per op, in two
// places, each paced by a rate measured over short windows:
//
//   - After an append, the appender lingers up to maxAppendLinger before
//     the next, so that more ops share one log message (one fsync, one
//     round trip to NATS, one hand-over to the snapshotter). It follows
//     the rate of ops the relay takes.
//   - A connection with frames to write waits up to the flush linger
//     (Config.FlushLinger, DefaultFlushLinger by default) in the flush
//     list, so that the events that reach it meanwhile leave in the same
//     write (one write(2) for the relay, one read for the client). It
//     follows the rate of frames the relay queues for its clients, and
//     their rate per open connection.
//
// A quiet relay (a room, or a conference of a thousand people adding an
// idea a minute each: 17 ops a second) appends every op and writes every
// frame at once. From 200 ops a second the appender lingers, up to 10 ms
// at 500, so that about five ops share an append; faster, it lingers as
// long as five ops take to come in, down to 2 ms. At the bench's
// conference (500 ops a second) that took a quarter of the relay's CPU
// per delivered frame off, for 6 ms more at the p50 (docs/performance.md).
const (
	paceWindow = 100 * time.Millisecond

	// Ops submitted per second: from appendLingerFrom the appender
	// lingers, at appendLingerFull for maxAppendLinger, above it less
	// (appendLingerAt).
	appendLingerFrom = 200
	appendLingerFull = 500
	maxAppendLinger  = 10 * time.Millisecond
)

// DefaultFlushLinger is the longest a busy relay holds a connection's
// frames unless Config.FlushLinger says otherwise.
const DefaultFlushLinger = 10 * time.Millisecond

// Frames queued for clients per second: from flushLingerFrom a
// connection waits in the flush list, at flushLingerFull and above for
// the whole flush linger (defaults of Config's tuning).
const (
	flushLingerFrom = 20000.0
	flushLingerFull = 60000.0
)

// flushPerConnFrom is the least rate of frames per open connection at
// which a connection waits in the flush list: lingering d joins about
// rate × d of the frames that reach a connection in one write, so under
// 20 frames a second (0.2 frames in 10 ms) it costs latency for next to
// nothing. Ten thousand connections sharing 25,000 frames a second get
// 2.5 each and are written at once; a thousand sharing 60,000 get 60.
const flushPerConnFrom = 20.0

// pacer measures the relay's rates and says how long to linger.
type pacer struct {
	ops          meter
	frames       meter
	appendLinger atomic.Int64 // nanoseconds
	flushLinger  atomic.Int64 // nanoseconds
	conns        atomic.Int64 // open client connections, as admit and forget leave them
	// maxFlushLinger is the flush linger at full rate, from the rate
	// flushFrom to flushFull; 0 for none. Set before the server starts.
	maxFlushLinger       time.Duration
	flushFrom, flushFull float64
	// appendFrom, appendFull and maxAppend shape the append linger as
	// the flush linger's fields shape it. Set before the server starts.
	appendFrom, appendFull float64
	maxAppend              time.Duration
}

// op counts an op submitted to a room.
func (p *pacer) op() {
	if rate, ok := p.ops.add(1); ok {
		p.appendLinger.Store(int64(appendLingerAt(rate, p.appendFrom, p.appendFull, p.maxAppend)))
	}
}

// appendLingerAt is the append linger at rate ops per second: none up to
// from, growing to most at full; above full, the time it takes the ops of
// one append at full to come in, so that about as many share each
// append, but no less than a fifth of most. An append costs about the
// same whatever it holds, so at full rate and above about full × most ops
// share one (five with the defaults), and a faster stream of ops waits
// less for them.
func appendLingerAt(rate, from, full float64, most time.Duration) time.Duration {
	if rate <= full {
		return ramp(rate, from, full, most)
	}
	return max(time.Duration(float64(most)*full/rate), most/5)
}

// queued counts frames queued for clients.
func (p *pacer) queued(n int) {
	if n <= 0 || p.maxFlushLinger <= 0 {
		return
	}
	if rate, ok := p.frames.add(n); ok {
		p.flushLinger.Store(int64(flushLingerAt(rate, p.conns.Load(), p.flushFrom, p.flushFull, p.maxFlushLinger)))
	}
}

// flushLingerAt is the flush linger at rate frames per second queued for
// conns connections: none up to from, growing to most at full, and none
// while the connections get under flushPerConnFrom frames a second each.
func flushLingerAt(rate float64, conns int64, from, full float64, most time.Duration) time.Duration {
	if conns > 0 && rate/float64(conns) < flushPerConnFrom {
		return 0
	}
	return ramp(rate, from, full, most)
}

// appendWait is how long an appender whose last append started at last
// waits before the next; 0 for at once.
func (p *pacer) appendWait(last time.Time) time.Duration {
	d := time.Duration(p.appendLinger.Load())
	if d <= 0 || last.IsZero() {
		return 0
	}
	return max(0, d-time.Since(last))
}

// flushWait is how long a connection listed at listed waits before it is
// written; 0 for at once.
func (p *pacer) flushWait(listed time.Time) time.Duration {
	d := time.Duration(p.flushLinger.Load())
	if d <= 0 {
		return 0
	}
	return max(0, d-time.Since(listed))
}

// ramp grows from nothing at rate from to most at rate full.
func ramp(rate, from, full float64, most time.Duration) time.Duration {
	switch {
	case rate <= from:
		return 0
	case rate >= full:
		return most
	}
	return time.Duration(float64(most) * (rate - from) / (full - from))
}

// meter counts events and reports their rate once per window.
type meter struct {
	mu    sync.Mutex
	start time.Time
	n     int
}

// add counts n events; at the end of a window it returns the window's
// rate per second and true. A window that spans a quiet spell averages
// over all of it, so a burst long ago does not keep the rate up.
func (m *meter) add(n int) (float64, bool) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.start.IsZero() {
		m.start = now
	}
	m.n += n
	el := now.Sub(m.start)
	if el < paceWindow {
		return 0, false
	}
	rate := float64(m.n) / el.Seconds()
	m.start, m.n = now, 0
	return rate, true
}
