package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The check at start-up. JetStream loads a damaged block file without a
// word: it drops the messages it cannot read, or all of them when the
// file is gone, and the relay would serve what is left as if nothing
// happened (a session whose log is gone answered every code bad_code).
// The BREAKOUT stream never deletes a message, so the relay can tell:
// its sequences must run from 1 without a gap, end no earlier than the
// highest sequence the relay was acknowledged (the mark, written once a
// second and at shutdown), and hold every session that has join codes
// or a snapshot.

// ErrLogDamaged is the error New returns when acknowledged messages are
// missing from the log.
var ErrLogDamaged = errors.New("the log is damaged: acknowledged ops are missing")

// markEvery is how often the relay records the highest acknowledged
// stream sequence (Config's tuning): ops acknowledged since the last
// mark are not covered by the check.
const markEvery = time.Second

// acceptedDamage is the damage an operator accepted (--accept-damaged-log):
// the messages then missing and the sessions then without a log.
type acceptedDamage struct {
	Missing  uint64   `json:"missing"`
	Sessions []string `json:"sessions,omitempty"`
}

// checkLog compares the log with the mark, the join codes and the
// snapshots. It returns an error wrapping ErrLogDamaged that names what
// is missing, unless the damage was accepted before or accept is set, in
// which case it logs it loudly, records it as accepted and returns nil.
func (s *Server) checkLog(ctx context.Context, accept bool) error {
	st := s.store
	ls, err := st.state(ctx)
	if err != nil {
		return err
	}
	markText, err := st.metaValue(ctx, logMarkKey)
	if err != nil {
		return err
	}
	mark, _ := strconv.ParseUint(markText, 10, 64)
	var acc acceptedDamage
	if v, err := st.metaValue(ctx, logAcceptedKey); err != nil {
		return err
	} else if v != "" {
		json.Unmarshal([]byte(v), &acc)
	}
	var problems []string
	// Messages are never deleted, so every sequence up to Last is there.
	missing := ls.Last - ls.Msgs
	if missing > acc.Missing {
		problems = append(problems, fmt.Sprintf("%d of the log's %d messages are missing", missing-acc.Missing, ls.Last))
	}
	if ls.Lost > 0 {
		problems = append(problems, fmt.Sprintf("%d messages could not be read", ls.Lost))
	}
	if ls.Last < mark {
		problems = append(problems, fmt.Sprintf("the log ends at message %d but messages up to %d were acknowledged", ls.Last, mark))
	}
	sessions, err := st.codeSessions(ctx)
	if err != nil {
		return err
	}
	snaps, err := st.snapshotSeqs(ctx)
	if err != nil {
		return err
	}
	for id, seq := range snaps {
		sessions[id] = true
		if seq > ls.Last {
			problems = append(problems, fmt.Sprintf("session %s has a snapshot at message %d, after the log's end", id, seq))
		}
	}
	acceptedGone := map[string]bool{}
	for _, id := range acc.Sessions {
		acceptedGone[id] = true
	}
	var gone []string
	for id := range sessions {
		if !validSessionID(id) {
			continue
		}
		if _, err := st.LastSeq(ctx, id); errors.Is(err, errNoSession) {
			gone = append(gone, id)
		} else if err != nil {
			return err
		}
	}
	sort.Strings(gone)
	var newlyGone []string
	for _, id := range gone {
		if !acceptedGone[id] {
			newlyGone = append(newlyGone, id)
		}
	}
	if len(newlyGone) > 0 {
		problems = append(problems, fmt.Sprintf("the log of session %s is gone (its join codes are kept)", strings.Join(newlyGone, ", ")))
	}
	s.lostSessions = map[string]bool{}
	for _, id := range gone {
		s.lostSessions[id] = true
	}
	if len(problems) == 0 {
		if missing > 0 || len(gone) > 0 {
			s.log.Warn("the log was damaged before and started with --accept-damaged-log; what was lost stays lost",
				"missing", missing, "sessions_without_log", strings.Join(gone, ","))
		}
		s.markLog(ls.Last)
		return nil
	}
	what := strings.Join(problems, "; ")
	if !accept {
		return fmt.Errorf("%w: %s. Stop here: restore the data directory from a backup, "+
			"or start with --accept-damaged-log to serve what is left (see docs/operations.md)", ErrLogDamaged, what)
	}
	s.log.Error("THE LOG IS DAMAGED; starting anyway as --accept-damaged-log asks: what is missing is lost", "damage", what)
	acc = acceptedDamage{Missing: missing, Sessions: gone}
	if err := st.putMeta(ctx, logAcceptedKey, string(mustJSON(acc))); err != nil {
		return fmt.Errorf("record accepted damage: %w", err)
	}
	// The log goes on from its end now: the old mark would stop every
	// later start.
	if err := st.putMeta(ctx, logMarkKey, strconv.FormatUint(ls.Last, 10)); err != nil {
		return fmt.Errorf("record log mark: %w", err)
	}
	s.markLog(ls.Last)
	s.marked.Store(ls.Last)
	return nil
}

// markLog notes that the log holds stream sequence seq.
func (s *Server) markLog(seq uint64) {
	for {
		cur := s.acked.Load()
		if seq <= cur || s.acked.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// writeMark records the highest acknowledged sequence, if it grew.
func (s *Server) writeMark(ctx context.Context) {
	seq := s.acked.Load()
	if seq <= s.marked.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, appendTimeout)
	defer cancel()
	if err := s.store.putMeta(ctx, logMarkKey, strconv.FormatUint(seq, 10)); err != nil {
		s.log.Debug("record log mark", "err", err)
		return
	}
	s.marked.Store(seq)
}

// marker writes the mark every markEvery until the server stops;
// Shutdown writes the last one.
func (s *Server) marker() {
	defer close(s.markerDone)
	t := time.NewTicker(s.cfg.tuning.markEvery)
	defer t.Stop()
	ctx, cancel := s.runContext()
	defer cancel()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.writeMark(ctx)
		}
	}
}

// logMarks is the server's part of the check: the highest sequence
// acknowledged and the highest recorded.
type logMarks struct {
	acked, marked atomic.Uint64
	markerDone    chan struct{}
	// lostSessions have join codes but no log (accepted damage): their
	// codes are answered "unavailable", never bad_code.
	lostSessions map[string]bool
}
