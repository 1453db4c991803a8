package relay

import (
	"sync"
	"sync/atomic"
	"time"
)

// A busy relay trades a little latency for larger group commits: after
// an append, the appender lingers up to maxAppendLinger before the next,
// so that more ops share one log message (one fsync, one round trip to
// NATS, one hand-over to the snapshotter). How long depends on the rate
// of ops the whole relay takes, measured over short windows, so a quiet
// relay (a room, or a conference of a thousand people adding an idea
// every few seconds) appends every op at once. See docs/performance.md.
const (
	paceWindow = 100 * time.Millisecond

	// Ops submitted per second: from appendLingerFrom the appender
	// lingers, at appendLingerFull and above for maxAppendLinger.
	appendLingerFrom = 1000
	appendLingerFull = 3000
	maxAppendLinger  = 2 * time.Millisecond
)

// pacer measures the relay's rate of ops and says how long to linger.
type pacer struct {
	ops          meter
	appendLinger atomic.Int64 // nanoseconds
}

// op counts an op submitted to a room.
func (p *pacer) op() {
	if rate, ok := p.ops.add(); ok {
		p.appendLinger.Store(int64(appendLingerAt(rate)))
	}
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

// appendLingerAt grows from nothing at appendLingerFrom ops/s to
// maxAppendLinger at appendLingerFull.
func appendLingerAt(rate float64) time.Duration {
	switch {
	case rate <= appendLingerFrom:
		return 0
	case rate >= appendLingerFull:
		return maxAppendLinger
	}
	return time.Duration(float64(maxAppendLinger) * (rate - appendLingerFrom) / (appendLingerFull - appendLingerFrom))
}

// meter counts events and reports their rate once per window.
type meter struct {
	mu    sync.Mutex
	start time.Time
	n     int
}

// add counts an event; at the end of a window it returns the window's
// rate per second and true. A window that spans a quiet spell averages
// over all of it, so a burst long ago does not keep the rate up.
func (m *meter) add() (float64, bool) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.start.IsZero() {
		m.start = now
	}
	m.n++
	el := now.Sub(m.start)
	if el < paceWindow {
		return 0, false
	}
	rate := float64(m.n) / el.Seconds()
	m.start, m.n = now, 0
	return rate, true
}
