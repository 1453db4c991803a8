package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"breakout/session"
)

// snapshotEvery is the default number of entries between snapshots
// (Config's tuning).
const snapshotEvery = 1000

// Room tuning.
const (
	historySize   = 20000 // events kept for resume
	maxBatchBytes = maxLogMessage / 2
	appendTimeout = 10 * time.Second
)

// waiter is told the outcome of an op it is waiting for.
type waiter func(o session.Outcome, ev *session.Event)

// room is one session as this relay serves it: the state applied from the
// log, the recent events, the connections, and the group-commit queue.
type room struct {
	srv *Server
	id  string

	// mu guards what the log consumer changes. The consumer is the only
	// writer of state; others read under RLock.
	mu        sync.RWMutex
	state     *session.State
	streamSeq uint64          // last stream sequence applied
	history   []session.Event // recent events, oldest first
	// conns holds the connections by the group their viewer sees; ""
	// holds the organizers, who see every group.
	conns    map[string]map[*conn]struct{}
	online   map[string]int // connections per person on this relay
	caughtUp chan struct{}  // closed when the log is applied up to load time
	target   uint64         // stream sequence to reach before caughtUp
	failed   error          // set when the consumer gave up
	wake     []*conn        // connections with frames queued by the log message being applied
	// queuedFrames counts the frames queued by the log message being
	// applied, for the pacer.
	queuedFrames int

	wmu     sync.Mutex // guards waiters; taken inside mu by the consumer, never the other way round
	waiters map[string][]waiter

	snap *snapshotter

	// welcomeSize is the size of the room's last welcome, the estimate of
	// the next one's (see attach).
	welcomeSize atomic.Int64

	// limits holds each person's op limiter: per person, not per
	// connection, so that one resume token on ten connections gets no
	// more than on one.
	lmu    sync.Mutex
	limits map[string]*rate.Limiter

	qmu   sync.Mutex
	queue []session.Entry
	kick  chan struct{}

	stopConsumer func()
}

// load reads the newest snapshot, then replays the tail of the log and
// keeps applying it as it grows. It returns once the room has caught up.
func (s *Server) loadRoom(ctx context.Context, id string) (*room, error) {
	if !validSessionID(id) {
		// The id becomes a NATS subject: "*" or ">" would read every
		// session's log into one room (ids come from resume tokens).
		return nil, errNoSession
	}
	s.roomsMu.Lock()
	r, ok := s.rooms[id]
	if !ok {
		r = &room{srv: s, id: id, state: session.New(), conns: map[string]map[*conn]struct{}{},
			online: map[string]int{}, waiters: map[string][]waiter{}, limits: map[string]*rate.Limiter{},
			caughtUp: make(chan struct{}), kick: make(chan struct{}, 1)}
		s.rooms[id] = r
		s.roomsMu.Unlock()
		if err := r.start(ctx); err != nil {
			s.roomsMu.Lock()
			delete(s.rooms, id)
			s.roomsMu.Unlock()
			return nil, err
		}
		if s.cfg.Store.URL == "" {
			// A lone relay that just started has no connections, so
			// whoever the log says is online dropped off with the last run.
			r.resetOnline(ctx)
		}
	} else {
		s.roomsMu.Unlock()
	}
	select {
	case <-r.caughtUp:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.mu.Lock()
	err := r.failed
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *room) start(ctx context.Context) error {
	st := r.srv.store
	last, err := st.LastSeq(ctx, r.id)
	if err != nil {
		return err
	}
	r.target = last
	var raw []byte
	seq, data, err := st.Snapshot(ctx, r.id)
	if err == nil && seq <= r.target {
		var state *session.State
		if state, err = session.UnmarshalSnapshot(data); err == nil {
			r.state, r.streamSeq, raw = state, seq, data
		}
	}
	if err != nil && !errors.Is(err, errNoSnapshot) {
		r.srv.log.Warn("snapshot unreadable; replaying the whole log", "session", r.id, "err", err)
	}
	r.snap = newSnapshotter(r, raw, r.streamSeq)
	if r.streamSeq >= r.target {
		close(r.caughtUp)
	}
	var stop func()
	if r.srv.soleWriter() {
		// From here on only this room's appender adds to the session's
		// log, and it applies what it appends: a consumer is needed for
		// the tail only.
		_, stop, err = st.Replay(ctx, r.id, r.streamSeq+1, r.target, r.onMessage, r.logConsumer)
	} else {
		stop, err = st.Consume(ctx, r.id, r.streamSeq+1, r.onMessage, r.logConsumer)
	}
	if err != nil {
		return err
	}
	r.stopConsumer = stop
	if !r.srv.track(2) {
		stop()
		return errStopping
	}
	go r.appender()
	go r.snap.run()
	return nil
}

func (r *room) logConsumer(err error) {
	r.srv.log.Debug("log consumer", "session", r.id, "err", err)
}

// soleWriter reports whether this relay is its log's only writer: the
// embedded server has no listener, so no other relay appends to it.
func (s *Server) soleWriter() bool { return s.cfg.Store.URL == "" }

// onMessage applies one log message. The ordered consumer calls it for
// each message in log order, one at a time. A message the appender has
// applied already (see appendBatch) is skipped before it is decoded.
func (r *room) onMessage(seq uint64, data []byte) {
	r.mu.RLock()
	done := seq <= r.streamSeq
	r.mu.RUnlock()
	if done {
		return // in the snapshot, or applied by the appender
	}
	var lm session.LogMessage
	if err := json.Unmarshal(data, &lm); err != nil {
		r.srv.log.Error("unreadable log message skipped", "session", r.id, "seq", seq, "err", err)
		return
	}
	r.applyMessage(seq, lm.At, lm.Entries)
}

// applyMessage applies the entries of the log message at stream sequence
// seq, written at at, unless the room has applied it before.
func (r *room) applyMessage(seq uint64, at time.Time, entries []session.Entry) {
	start := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq <= r.streamSeq {
		return
	}
	for i := range entries {
		entries[i].At = at
		r.applyLocked(entries[i])
	}
	r.srv.pace.queued(r.queuedFrames)
	r.queuedFrames = 0
	for i, c := range r.wake {
		c.wakeDue = false
		c.schedule()
		r.wake[i] = nil
	}
	r.wake = r.wake[:0]
	r.streamSeq = seq
	r.snap.add(entries, seq, seq >= r.target)
	r.srv.metrics.applyLatency.Observe(time.Since(start).Seconds())
	if seq >= r.target {
		select {
		case <-r.caughtUp:
		default:
			close(r.caughtUp)
		}
	}
}

func (r *room) applyLocked(e session.Entry) {
	evs, err := r.state.Apply(e)
	key := e.By + "/" + e.Op.ID
	r.wmu.Lock()
	ws := r.waiters[key]
	if len(ws) > 0 {
		delete(r.waiters, key)
	}
	r.wmu.Unlock()
	var ev *session.Event
	if err == nil && len(evs) > 0 {
		ev = &evs[0]
		r.remember(*ev)
		r.fanout(ev)
		if ev.Kind == session.KindPersonRemove {
			r.cutRemoved(ev.Data.People)
		}
	}
	if len(ws) == 0 {
		return
	}
	o, ok := r.state.Outcome(e.By, e.Op.ID)
	if !ok {
		// Refused before its outcome could be kept (a bad op id): it must
		// not be acknowledged.
		o = session.Outcome{Code: session.CodeInvalid, Message: "op not applied"}
		var rej *session.Rejection
		if errors.As(err, &rej) {
			o = session.Outcome{Code: rej.Code, Message: rej.Message}
		}
	}
	if errors.Is(err, session.ErrDuplicate) {
		ev = nil
	}
	for _, w := range ws {
		w(o, ev)
	}
}

// cutRemoved ends the connections of people removed from the session;
// the room's lock is held.
func (r *room) cutRemoved(people []*session.Person) {
	for _, p := range people {
		if !p.Removed {
			continue
		}
		for c := range r.conns[viewerKey(session.ViewerOf(p))] {
			if c.viewer.ID == p.ID {
				c.fail(session.Errorf(session.ErrCodeRemoved, "you were removed from this session; ask your chair or organizer"))
			}
		}
		r.lmu.Lock()
		delete(r.limits, p.ID)
		r.lmu.Unlock()
	}
}

func (r *room) remember(ev session.Event) {
	if len(r.history) >= historySize {
		// Drop the oldest quarter at once, so trimming is rare.
		n := copy(r.history, r.history[historySize/4:])
		r.history = r.history[:n]
	}
	r.history = append(r.history, ev)
}

// fanout queues an event to every connection allowed to see it, encoding
// it once per audience. Only the connections of the event's group and the
// organizers are visited; a session-wide event, or any in the plenary,
// visits all.
func (r *room) fanout(ev *session.Event) {
	var frames map[string][]byte
	send := func(conns map[*conn]struct{}) {
		for c := range conns {
			aud, ok := ev.Audience(c.viewer)
			if !ok {
				continue
			}
			if frames == nil {
				frames = map[string][]byte{}
			}
			f, ok := frames[aud]
			if !ok {
				shown, _ := ev.For(c.viewer)
				f = eventFrame(shown)
				frames[aud] = f
			}
			if !c.enqueueQuiet(f) {
				continue
			}
			r.queuedFrames++
			if !c.wakeDue {
				c.wakeDue = true
				r.wake = append(r.wake, c)
			}
		}
	}
	// In the plenary a group's event may change what every screen shows
	// (a key idea, a published summary): every connection is asked.
	if g := ev.Data.Group; g != "" && !ev.Data.Public {
		send(r.conns[g])
		send(r.conns[""])
		return
	}
	for _, conns := range r.conns {
		send(conns)
	}
}

// allowOp reports whether person may send an op now.
func (r *room) allowOp(person string) bool {
	r.lmu.Lock()
	defer r.lmu.Unlock()
	l := r.limits[person]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(r.srv.cfg.OpsPerSecond), r.srv.cfg.OpBurst)
		r.limits[person] = l
	}
	return l.Allow()
}

// submit queues an entry for the next append and registers w, if not
// nil, for its outcome. An op applied before is answered at once.
func (r *room) submit(e session.Entry, w waiter) {
	key := e.By + "/" + e.Op.ID
	r.mu.RLock()
	o, done := r.state.Outcome(e.By, e.Op.ID)
	r.mu.RUnlock()
	if done {
		if w != nil {
			w(o, nil)
		}
		return
	}
	// An op applied between the check and here is appended again and
	// answered by Apply as a duplicate: correct, only a little wasteful.
	r.wmu.Lock()
	inflight := len(r.waiters[key]) > 0
	if w != nil {
		r.waiters[key] = append(r.waiters[key], w)
	}
	r.wmu.Unlock()
	if inflight {
		return // the first copy's outcome answers this one too
	}
	r.srv.pace.op()
	r.qmu.Lock()
	r.queue = append(r.queue, e)
	r.qmu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// appender is the room's group commit: it appends whatever queued up
// while the previous append was in flight as one log message, so many ops
// share one fsync. A lone op goes out at once. It ends when the server
// stops.
func (r *room) appender() {
	defer r.srv.wg.Done()
	ctx, cancel := r.srv.runContext()
	defer cancel()
	var last time.Time // the start of the last append
	for {
		select {
		case <-r.srv.stop:
			r.flushFinal()
			return
		case <-r.kick:
		}
		for more := true; more; {
			// A busy relay lingers a little after the last append, so
			// that more ops share the next (see pace.go).
			if d := r.srv.pace.appendWait(last); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-r.srv.stop:
					t.Stop()
				}
			}
			last = time.Now()
			more = r.appendBatch(ctx)
		}
	}
}

// flushFinal appends what is queued at shutdown, so ops in flight finish.
func (r *room) flushFinal() {
	ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
	defer cancel()
	for r.appendBatch(ctx) {
	}
}

// appendBatch appends one batch; it reports whether more may be queued.
func (r *room) appendBatch(ctx context.Context) bool {
	r.qmu.Lock()
	if len(r.queue) == 0 {
		r.qmu.Unlock()
		return false
	}
	n, size := 0, 0
	for n < len(r.queue) {
		sz := len(r.queue[n].Op.Data) + 256
		if n > 0 && size+sz > maxBatchBytes {
			break
		}
		size += sz
		n++
	}
	batch := make([]session.Entry, n)
	copy(batch, r.queue[:n])
	r.queue = append(r.queue[:0], r.queue[n:]...)
	more := len(r.queue) > 0
	r.qmu.Unlock()

	lm := session.LogMessage{At: time.Now().UTC().Truncate(time.Millisecond), Entries: batch}
	data := logMessage(lm)
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, appendTimeout)
	seq, direct, err := r.append(actx, data)
	cancel()
	r.srv.metrics.appendLatency.Observe(time.Since(start).Seconds())
	r.srv.metrics.batchSize.Observe(float64(n))
	if err != nil {
		r.srv.log.Warn("append to log failed", "session", r.id, "ops", n, "err", err)
		if ctx.Err() == nil {
			r.srv.appendFailed(err)
		}
		r.failBatch(batch)
		return more
	}
	r.srv.markLog(seq)
	if direct {
		r.applyMessage(seq, lm.At, batch)
	}
	return more
}

// append writes one log message. A relay with the embedded server is the
// only writer of its log, so it applies what it appended at once; it
// runs no consumer once it has caught up, so its appends do not come
// back to it (one goroutine hand-off, one delivery by the server and one
// decoding less per message). To be sure no message of the session falls
// between the last one applied and this one, the append expects the
// session's last sequence to be the room's; should it not be (an append
// that timed out but landed), the room replays the log up to its end and
// appends again. direct reports whether the caller is to apply the
// message; on a cluster the consumer applies it, in log order.
func (r *room) append(ctx context.Context, data []byte) (seq uint64, direct bool, err error) {
	if !r.srv.soleWriter() {
		seq, err = r.srv.store.Append(ctx, r.id, data)
		return seq, false, err
	}
	for {
		r.mu.RLock()
		last := r.streamSeq
		r.mu.RUnlock()
		seq, err = r.srv.store.AppendAfter(ctx, r.id, data, last)
		if !errors.Is(err, errNotLast) {
			return seq, err == nil, err
		}
		r.srv.log.Warn("the log holds a message the room has not applied; applying it first", "session", r.id)
		if err := r.replayTail(ctx); err != nil {
			return 0, false, err
		}
	}
}

// replayTail applies the session's log from the room's last message to
// the log's, with a consumer of its own that stops there.
func (r *room) replayTail(ctx context.Context) error {
	st := r.srv.store
	end, err := st.LastSeq(ctx, r.id)
	if err != nil {
		return err
	}
	r.mu.RLock()
	from := r.streamSeq + 1
	r.mu.RUnlock()
	done, stop, err := st.Replay(ctx, r.id, from, end, r.onMessage, r.logConsumer)
	if err != nil {
		return err
	}
	defer stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("replay log of session %s: %w", r.id, ctx.Err())
	}
}

// failBatch answers ops whose append failed. Whether the log holds them
// is unknown, so nothing is acknowledged or rejected: their senders are
// disconnected, reconnect, and send them again from their outboxes; the
// log applies each op once however often it arrives.
func (r *room) failBatch(batch []session.Entry) {
	senders := map[string]bool{}
	r.wmu.Lock()
	for _, e := range batch {
		delete(r.waiters, e.By+"/"+e.Op.ID)
		senders[e.By] = true
	}
	r.wmu.Unlock()
	var cut []*conn
	for _, c := range r.connections() {
		if senders[c.viewer.ID] {
			cut = append(cut, c)
		}
	}
	for _, c := range cut {
		c.fail(session.Errorf(ErrCodeUnavailable, "the relay lost its log; reconnect and your ops will be sent again"))
	}
}

// attach registers a connection and queues its welcome: the events since
// `since` when the relay still holds them all, else a snapshot. The
// welcome is taken and the connection registered under the room's lock,
// so no event falls between the welcome and the first event the
// connection is sent; the welcome is encoded after the lock is released
// (a snapshot can be large), and the connection holds back the events
// queued meanwhile until the welcome is in front of them. It reports
// whether this is the person's first connection on this relay; ok is
// false, and the connection is not registered, when the relay's welcome
// budget has no room for this welcome (see chargeWelcome).
func (r *room) attach(c *conn, since int64, you session.You, resume string) (first, ok bool) {
	// Charged before it is built, by the size of the room's last welcome:
	// building one (a view of the state, then its JSON) takes as much
	// memory as it holds once queued, and hundreds of hellos at once
	// would otherwise build theirs all together.
	est := max(r.welcomeSize.Load(), 1024)
	if !r.srv.chargeWelcome(c, est) {
		return false, false
	}
	r.mu.Lock()
	w := session.Welcome{Type: session.MsgWelcome, Session: r.id, You: you, Resume: resume, Seq: r.state.Seq}
	if since > 0 && since <= r.state.Seq && r.covers(since) {
		w.Events = []session.Event{}
		for _, ev := range r.history {
			if ev.Seq <= since {
				continue
			}
			if shown, ok := ev.For(c.viewer); ok {
				w.Events = append(w.Events, shown)
			}
		}
	} else {
		w.Snapshot = r.state.View(c.viewer)
	}
	c.holdForWelcome()
	g := viewerKey(c.viewer)
	if r.conns[g] == nil {
		r.conns[g] = map[*conn]struct{}{}
	}
	r.conns[g][c] = struct{}{}
	r.online[c.viewer.ID]++
	first = r.online[c.viewer.ID] == 1
	r.mu.Unlock()
	frame := mustJSON(w)
	r.welcomeSize.Store(int64(len(frame)))
	r.srv.rechargeWelcome(c, int64(len(frame)))
	c.enqueueWelcome(frame)
	return first, true
}

// viewerKey is the key of a viewer's connections in room.conns.
func viewerKey(v session.Viewer) string {
	if v.Role == session.Organizer {
		return ""
	}
	return v.Group
}

// resetOnline marks everyone offline once the room has caught up.
func (r *room) resetOnline(ctx context.Context) {
	select {
	case <-r.caughtUp:
	case <-ctx.Done():
		return
	}
	r.mu.RLock()
	var ids []string
	for id, p := range r.state.People {
		if p.Online && r.online[id] == 0 {
			ids = append(ids, id)
		}
	}
	r.mu.RUnlock()
	slices.Sort(ids)
	for _, id := range ids {
		r.markOffline(id)
	}
}

// covers reports whether the history holds every event after since.
func (r *room) covers(since int64) bool {
	if since == r.state.Seq {
		return true
	}
	return len(r.history) > 0 && r.history[0].Seq <= since+1
}

// detach removes a connection; it reports whether that was the person's
// last one on this relay.
func (r *room) detach(c *conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := viewerKey(c.viewer)
	if _, ok := r.conns[g][c]; !ok {
		return false
	}
	delete(r.conns[g], c)
	r.online[c.viewer.ID]--
	if r.online[c.viewer.ID] <= 0 {
		delete(r.online, c.viewer.ID)
		return true
	}
	return false
}

func (r *room) close() {
	if r.stopConsumer != nil {
		r.stopConsumer()
	}
}

// conns returns the connections of the room, for shutdown.
func (r *room) connections() []*conn {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*conn
	for _, conns := range r.conns {
		for c := range conns {
			out = append(out, c)
		}
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("relay: encode %T: %v", v, err)) // our own types always encode
	}
	return b
}
