package relay

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// joinLimiter limits failed joins per address: a burst of mistakes is
// forgiven, then one attempt every few seconds, and each failure is
// answered a little later than the one before.
type joinLimiter struct {
	mu    sync.Mutex
	addrs map[string]*joinRecord
}

type joinRecord struct {
	lim   *rate.Limiter
	fails int
	last  time.Time
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
		r = &joinRecord{lim: rate.NewLimiter(rate.Every(joinInterval), joinBurst)}
		j.addrs[ip] = r
	}
	return r
}

// prune forgets addresses quiet for ten minutes.
func (j *joinLimiter) prune() {
	for ip, r := range j.addrs {
		if time.Since(r.last) > 10*time.Minute {
			delete(j.addrs, ip)
		}
	}
}

// allowed reports whether ip may try to join now.
func (j *joinLimiter) allowed(ip string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.addrs[ip]
	return !ok || r.lim.Tokens() >= 1
}

// fail records a failed join from ip and returns how long to wait before
// answering it.
func (j *joinLimiter) fail(ip string) time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := j.record(ip)
	r.lim.Allow()
	r.fails++
	r.last = time.Now()
	d := time.Duration(r.fails) * 100 * time.Millisecond
	return min(d, maxJoinDelay)
}
