package relay

import (
	"context"
	"sync/atomic"
	"time"
)

// Appends that fail (a full disk, a store that refuses writes) make the
// relay unhealthy: /healthz answers 503 and hellos are answered
// unavailable at once, rather than wait 15 s for a join the log cannot
// take. A recovery goroutine probes the log every probeEvery and, with
// the embedded server, restarts its JetStream, which is what clears a
// file store's sticky write error once the disk has room again.

// probeEvery is how often a relay whose appends failed probes its log
// (Config's tuning).
const probeEvery = time.Second

// restartAfter failed probes in a row the embedded JetStream is
// restarted, and again every restartEvery while the log does not take
// writes.
const (
	restartAfter = 3
	restartEvery = 5 * time.Second
)

// writeHealth is the server's part of it.
type writeHealth struct {
	failing atomic.Bool
}

// appendFailed notes a failed write to the log and starts the recovery,
// once.
func (s *Server) appendFailed(err error) {
	if !s.failing.CompareAndSwap(false, true) {
		return
	}
	s.metrics.logFailing.Set(1)
	s.log.Error("the log does not take writes: /healthz answers 503 and joins are refused until it does (a full disk? see docs/operations.md)",
		"err", err)
	if !s.track(1) {
		return
	}
	go s.recoverWrites()
}

// recoverWrites probes the log until it takes a write again; it ends
// then, or when the server stops.
func (s *Server) recoverWrites() {
	defer s.wg.Done()
	ctx, cancel := s.runContext()
	defer cancel()
	t := time.NewTicker(s.cfg.tuning.probeEvery)
	defer t.Stop()
	var restarted time.Time
	fails := 0
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.store.Probe(pctx)
		pcancel()
		if err == nil {
			s.failing.Store(false)
			s.metrics.logFailing.Set(0)
			s.log.Warn("the log takes writes again; the relay is healthy")
			return
		}
		fails++
		s.log.Debug("probe the log", "err", err)
		// Not at the first failed probe: a slow disk under load is no
		// reason to restart the store under every room's consumer.
		if fails >= restartAfter && time.Since(restarted) >= restartEvery {
			restarted = time.Now()
			if err := s.store.Restart(); err != nil {
				s.log.Warn("restart the log's store", "err", err)
			}
		}
	}
}
