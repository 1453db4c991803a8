package relay

import (
	"time"

	"breakout/session"
)

// offlineGrace is how long a person may be away before the log says they
// went offline: a laptop that reconnects within it (Wi-Fi roaming, a
// relay restart) adds nothing to the log and flickers on no one's screen.
const offlineGrace = 5 * time.Second

func onlineEntry(person string, online bool) session.Entry {
	return session.Entry{Op: session.NewOp("o"+newSecret()[:20], session.KindPersonOnline,
		session.PersonOnline{Person: person, Online: online})}
}

// cameOnline records that a person's first connection on this relay
// arrived, unless the log says they are online already.
func (r *room) cameOnline(person string) {
	if !r.loggedOnline(person) {
		r.submit(onlineEntry(person, true), nil)
	}
}

// wentAway records, after offlineGrace, that a person's last connection
// on this relay ended, unless they came back meanwhile.
func (r *room) wentAway(person string) {
	time.AfterFunc(offlineGrace, func() {
		if r.srv.stopping() {
			return
		}
		r.mu.RLock()
		back := r.online[person] > 0
		r.mu.RUnlock()
		if !back && r.loggedOnline(person) {
			r.markOffline(person)
		}
	})
}

// markOffline logs that a person went offline. A connection of theirs
// that arrives while the entry is on its way to the log finds them still
// online in the log and logs nothing (cameOnline), so once the entry is
// applied they are logged online again if they are connected.
func (r *room) markOffline(person string) {
	r.submit(onlineEntry(person, false), func(session.Outcome, *session.Event) {
		go r.backOnline(person) // waiters may run with r.mu held
	})
}

// backOnline logs a person online again if they are connected.
func (r *room) backOnline(person string) {
	r.mu.RLock()
	back := r.online[person] > 0
	r.mu.RUnlock()
	if back {
		r.cameOnline(person)
	}
}

// loggedOnline reports whether the applied log says the person is online.
func (r *room) loggedOnline(person string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p := r.state.People[person]
	return p != nil && p.Online
}
