package relay

import "time"

// idleTimeout is how long Serve keeps an idle keep-alive HTTP connection.
const idleTimeout = 60 * time.Second

// tuning holds the relay's inner knobs. Each relay has its own, in its
// Config, so that a test can make one relay ping, snapshot or linger
// differently without touching any other: relay tests run in parallel.
// A zero field takes its default.
type tuning struct {
	// snapshotEvery is the number of entries between snapshots of a
	// small session (see snapshotter.entriesPerSnapshot).
	snapshotEvery int
	// snapshotMinGap is a least time between snapshots.
	snapshotMinGap time.Duration
	// pingPeriod is how often each connection is pinged, within pongWait.
	pingPeriod time.Duration
	// directWriteWait bounds a write straight to a socket that comes
	// without a deadline of its own (see batchConn.Write).
	directWriteWait time.Duration
	// flushLingerFrom and flushLingerFull are the rates of frames queued
	// for clients per second from which a connection waits in the flush
	// list, and at which it waits the whole flush linger (see pace.go).
	// Both zero take the defaults.
	flushLingerFrom, flushLingerFull float64
	// appendLingerFrom and appendLingerFull are the rates of ops per
	// second from which the appender lingers after an append, and at
	// which it lingers appendLinger (see pace.go). All three zero take
	// the defaults.
	appendLingerFrom, appendLingerFull float64
	appendLinger                       time.Duration
	// markEvery is how often the highest acknowledged sequence is
	// recorded for the check at start (see check.go).
	markEvery time.Duration
	// probeEvery is how often a relay whose appends failed probes its
	// log (see health.go).
	probeEvery time.Duration
	// idleTimeout closes idle keep-alive HTTP connections (Serve).
	idleTimeout time.Duration
}

// withDefaults fills in the fields left zero.
func (t tuning) withDefaults() tuning {
	if t.snapshotEvery <= 0 {
		t.snapshotEvery = snapshotEvery
	}
	if t.pingPeriod <= 0 {
		t.pingPeriod = defaultPingPeriod
	}
	if t.directWriteWait <= 0 {
		t.directWriteWait = directWriteWait
	}
	if t.flushLingerFrom == 0 && t.flushLingerFull == 0 {
		t.flushLingerFrom, t.flushLingerFull = flushLingerFrom, flushLingerFull
	}
	if t.appendLingerFrom == 0 && t.appendLingerFull == 0 && t.appendLinger == 0 {
		t.appendLingerFrom, t.appendLingerFull, t.appendLinger = appendLingerFrom, appendLingerFull, maxAppendLinger
	}
	if t.idleTimeout <= 0 {
		t.idleTimeout = idleTimeout
	}
	if t.probeEvery <= 0 {
		t.probeEvery = probeEvery
	}
	if t.markEvery <= 0 {
		t.markEvery = markEvery
	}
	return t
}
