package relay

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// joinLimiter limits failed joins per address: a burst of mistakes is
// forgiven, then one attempt every few seconds, and each failure is
// answered a little later than the one before.
//
// An attempt takes its token before the code is looked up, and gives it
// back when the code was right: had it looked at the tokens first and
// recorded the failure after, attempts sent at once would all find
// tokens left (300 parallel hellos got 299 bad_code and a welcome where
// the limit is 10). An attempt that finds no token while others from its
// address are still being decided waits for them, since a right code
// gives its token back: people joining at once behind one address (a
// conference network) are let in a few at a time rather than refused.
type joinLimiter struct {
	mu    sync.Mutex
	addrs map[string]*joinRecord
}

type joinRecord struct {
	tokens   float64
	at       time.Time // when tokens was last brought up to date
	inflight int       // attempts holding a token
	changed  chan struct{}
	fails    int
	last     time.Time
}

const (
	joinBurst    = 10
	joinInterval = 3 * time.Second
	maxJoinDelay = 2 * time.Second
)

func newJoinLimiter() *joinLimiter { return &joinLimiter{addrs: map[string]*joinRecord{}} }

func (j *joinLimiter) record(ip string) *joinRecord {
	r := j.addrs[ip]
	if r == nil {
		if len(j.addrs) > 100000 {
			j.prune()
		}
		r = &joinRecord{tokens: joinBurst, at: time.Now(), changed: make(chan struct{})}
		j.addrs[ip] = r
	}
	return r
}

// prune forgets addresses quiet for ten minutes.
func (j *joinLimiter) prune() {
	for ip, r := range j.addrs {
		if r.inflight == 0 && time.Since(r.last) > 10*time.Minute && time.Since(r.at) > 10*time.Minute {
			delete(j.addrs, ip)
		}
	}
}

// refill brings a record's tokens up to now.
func (r *joinRecord) refill(now time.Time) {
	r.tokens = min(joinBurst, r.tokens+now.Sub(r.at).Seconds()/joinInterval.Seconds())
	r.at = now
}

// wake tells the attempts waiting on a record that it changed.
func (r *joinRecord) wake() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// attempt is one join attempt holding a token of its address.
type attempt struct {
	j    *joinLimiter
	ip   string
	done bool
}

// take takes a token for an attempt from ip, waiting while attempts
// from ip that may give theirs back are decided. It returns nil when ip
// has none left (or ctx ends first). The caller ends the attempt with
// succeeded or failed.
func (j *joinLimiter) take(ctx context.Context, ip string) *attempt {
	j.mu.Lock()
	for {
		r := j.record(ip)
		r.refill(time.Now())
		if r.tokens >= 1 {
			r.tokens--
			r.inflight++
			j.mu.Unlock()
			return &attempt{j: j, ip: ip}
		}
		if r.inflight == 0 {
			j.mu.Unlock()
			return nil
		}
		ch := r.changed
		j.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil
		}
		j.mu.Lock()
	}
}

// succeeded ends an attempt whose code was right: its token goes back.
func (a *attempt) succeeded() {
	if a == nil || a.done {
		return
	}
	a.done = true
	a.j.mu.Lock()
	defer a.j.mu.Unlock()
	r := a.j.record(a.ip)
	r.refill(time.Now())
	r.tokens = min(joinBurst, r.tokens+1)
	r.inflight--
	r.wake()
}

// failed ends an attempt whose code was wrong: its token stays spent.
// It returns how long to wait before answering it.
func (a *attempt) failed() time.Duration {
	if a == nil || a.done {
		return 0
	}
	a.done = true
	a.j.mu.Lock()
	defer a.j.mu.Unlock()
	r := a.j.record(a.ip)
	r.inflight--
	r.fails++
	r.last = time.Now()
	r.wake()
	d := time.Duration(r.fails) * 100 * time.Millisecond
	return min(d, maxJoinDelay)
}

// addrLimiter is a token bucket per address.
type addrLimiter struct {
	mu    sync.Mutex
	every time.Duration
	burst int
	addrs map[string]*rate.Limiter
}

func newAddrLimiter(every time.Duration, burst int) *addrLimiter {
	return &addrLimiter{every: every, burst: burst, addrs: map[string]*rate.Limiter{}}
}

// allow reports whether ip may go ahead now, and takes its token.
func (l *addrLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.addrs[ip]
	if lim == nil {
		if len(l.addrs) > 100000 {
			for a, x := range l.addrs {
				if x.Tokens() >= float64(l.burst) {
					delete(l.addrs, a)
				}
			}
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.addrs[ip] = lim
	}
	return lim.Allow()
}

// Export limits: an export encodes a whole session's state, megabytes
// for a large one, so each address gets a burst (a report in every
// format for every group) and then one a second, and only a few are
// encoded at a time on the whole relay.
const (
	exportBurst    = 20
	exportInterval = time.Second
	exportsAtOnce  = 2
	exportWait     = 10 * time.Second
)
