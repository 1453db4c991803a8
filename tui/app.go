package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/relay"
	"breakout/session"
)

// app is what every screen shares: the connection, the replica of the
// session as this person sees it, the clock and the styles. The root model
// owns it; screens read it and send ops through it.
type app struct {
	client *relay.Client
	now    func() time.Time
	extra  string
	done   chan struct{} // closed when the program ends; stops listen

	state  *session.State // nil until the welcome
	me     session.You
	viewer session.Viewer
	// rev counts the changes applied to the replica, so derived lists are
	// rebuilt when it moves and not on every frame.
	rev uint64

	styles  Styles
	pending map[string]pendingOp // by op id
	fatal   error
	notice  notice
	// bcast is the latest broadcast, shown until dismissed (zero: none).
	bcast   session.Broadcast
	nextID  int
	ticking bool // a clock tick is on its way
	// timeUp is, per group, the deadline whose end was announced.
	timeUp map[string]time.Time
	width  int // the terminal's width
}

func newApp(opts Options) *app {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &app{client: opts.Client, now: now, extra: opts.Extra, done: make(chan struct{}),
		styles: NewStyles(true), pending: map[string]pendingOp{}, timeUp: map[string]time.Time{}}
}

// Messages from the relay and the clock.
type (
	relayMsg    relay.Update
	tickMsg     time.Time
	noticeGone  int
	replicaMsg  struct{ ev *session.Event } // the replica changed (ev nil: a welcome)
	opResultMsg struct {
		id     string
		seq    int64
		reject *session.Reject
		what   string // what the rejected op did
		// op is the rejected op as it was queued, when the client had
		// it: the texts of ops queued by an earlier run are given back
		// from it.
		op *session.Op
		// earlier is set for an op this run did not send: queued by an
		// earlier run of the program.
		earlier bool
	}
)

// pendingOp is an op sent and not yet answered.
type pendingOp struct {
	what   string // what it does ("vote"), for a rejection
	done   string // what to say once applied; "" says nothing
	notice int    // the notice shown when it was sent
}

// listen reads one update from the client; the root re-arms it after each.
func (a *app) listen() tea.Cmd {
	if a.client == nil {
		return nil
	}
	ch, done := a.client.Updates(), a.done
	return func() tea.Msg {
		select {
		case u := <-ch:
			return relayMsg(u)
		case <-done:
			return nil
		}
	}
}

// take applies one relay update to the replica and says what the active
// screen should hear of it.
func (a *app) take(u relay.Update) (tea.Msg, tea.Cmd) {
	scrub(u.Welcome)
	scrub(u.Event)
	scrub(u.Reject)
	switch {
	case u.Welcome != nil:
		w := u.Welcome
		a.me = w.You
		a.viewer = session.Viewer{ID: w.You.ID, Role: w.You.Role, Group: w.You.Group}
		if w.Snapshot != nil {
			a.state = w.Snapshot
		}
		if a.state == nil {
			a.state = &session.State{}
		}
		var cmd tea.Cmd
		for _, ev := range w.Events {
			a.state.ApplyEvent(ev)
			if b := ev.Data.Broadcast; b != nil {
				a.bcast = *b
			}
		}
		a.rev++
		return replicaMsg{}, cmd
	case u.Event != nil:
		if a.state == nil {
			return nil, nil
		}
		a.state.ApplyEvent(*u.Event)
		a.rev++
		var cmd tea.Cmd
		if b := u.Event.Data.Broadcast; b != nil {
			a.bcast = *b
			cmd = bell()
		}
		if text := ideaNotice(*u.Event); text != "" && u.Event.Kind != session.KindIdeaRetract {
			cmd = a.say(noticeInfo, text)
		}
		return replicaMsg{ev: u.Event}, cmd
	case u.Ack != nil:
		p, ok := a.pending[u.Ack.ID]
		delete(a.pending, u.Ack.ID)
		var cmd tea.Cmd
		switch {
		case ok && p.done != "" && (a.notice.kind != noticeError || a.notice.id <= p.notice):
			// Not over a newer error: that one still needs reading.
			cmd = a.say(noticeInfo, p.done)
		case ok && a.notice.kind == noticeError && a.notice.id <= p.notice:
			// An error from before this op worked is old news.
			a.notice = notice{}
		}
		return opResultMsg{id: u.Ack.ID, seq: u.Ack.Seq}, cmd
	case u.Reject != nil:
		r := u.Reject
		p, ok := a.pending[r.ID]
		what := p.what
		if r.Code == session.CodeRateLimited {
			// The client sends it again by itself.
			return nil, a.say(noticeInfo, "going a little slower: the relay asked to wait")
		}
		delete(a.pending, r.ID)
		if !ok {
			what = "do that"
			if u.Op != nil {
				what = "send what was queued before breakout restarted"
			}
		}
		return opResultMsg{id: r.ID, reject: r, what: what, op: u.Op, earlier: !ok}, a.say(noticeError, "couldn't "+what+": "+r.Message)
	case u.Fatal != nil:
		a.fatal = u.Fatal
		return nil, a.say(noticeError, "disconnected for good: "+u.Fatal.Error())
	}
	return nil, nil
}

// send queues an op; what says what it does ("vote for the idea"), for a
// rejection. It returns the op id.
func (a *app) send(kind string, data any, what string) (string, tea.Cmd) {
	return a.sendSaying(kind, data, what, "")
}

// sendSaying is send that says done once the relay applied the op, so a
// person who steers the room sees that it took.
func (a *app) sendSaying(kind string, data any, what, done string) (string, tea.Cmd) {
	if a.client == nil {
		return "", a.say(noticeError, "couldn't "+what+": not connected")
	}
	id := a.client.NewOpID()
	offline := a.offline()
	if err := a.client.Send(session.NewOp(id, kind, data)); err != nil {
		// Not queued (too large), or queued but not kept on disk.
		if errors.Is(err, relay.ErrTooLarge) {
			return "", a.say(noticeError, "couldn't "+what+": "+err.Error())
		}
		a.pending[id] = pendingOp{what: what, done: done, notice: a.nextID + 1}
		return id, a.say(noticeError, "couldn't keep "+what+" on disk for later: "+err.Error())
	}
	a.pending[id] = pendingOp{what: what, done: done, notice: a.nextID}
	if offline && done != "" {
		// The chair must not think the room changed while it did not.
		return id, a.say(noticeInfo, "Offline: will "+what+" once the connection is back")
	}
	return id, nil
}

// status is the connection's state as the header shows it.
func (a *app) status() relay.Status {
	if a.client == nil {
		return relay.Status{State: relay.Closed}
	}
	return a.client.Status()
}

// group returns the viewer's group (nil for the organizer).
func (a *app) group() *session.Group {
	if a.state == nil || a.me.Group == "" {
		return nil
	}
	return a.state.Group(a.me.Group)
}

// name returns how a person is shown: with the role for a chair,
// rapporteur or organizer. The mark comes from the role, never from the
// name, so a participant cannot pass for the chair by a name alone.
func (a *app) name(id string) string {
	if id == a.me.ID {
		return "you"
	}
	if p := a.state.People[id]; p != nil && p.Name != "" {
		return steady(p.Name) + roleMark(p.Role)
	}
	return "someone"
}

// roleMark is " (chair)" and the like; nothing for a participant.
func roleMark(r session.Role) string {
	switch r {
	case session.Chair, session.Rapporteur, session.Organizer:
		return " (" + string(r) + ")"
	}
	return ""
}

// votesLeft is the viewer's vote budget left on a question.
func (a *app) votesLeft(question string) int {
	return a.state.VotesPerPerson - a.state.VotesUsed(a.me.ID, question)
}

// needsTick reports whether a timer runs anywhere the viewer sees.
func (a *app) needsTick() bool {
	if a.state == nil {
		return false
	}
	if a.state.Clock != nil {
		return true
	}
	for _, g := range a.state.Groups {
		if !g.Deadline.IsZero() {
			return true
		}
	}
	return false
}

// timesUp announces, with the bell, a timer that just ran out in the
// viewer's group (every group for the organizer). One that ran out long
// before the program saw it is not news.
func (a *app) timesUp() tea.Cmd {
	if a.state == nil {
		return nil
	}
	now := a.now()
	var cmds []tea.Cmd
	if c := a.state.Clock; c != nil && !c.Deadline.After(now) && !a.timeUp[clockKey].Equal(c.Deadline) {
		a.timeUp[clockKey] = c.Deadline
		if now.Sub(c.Deadline) <= 10*time.Second {
			cmds = append(cmds, a.say(noticeInfo, "Time's up: "+clockLabel(c)), bell())
		}
	}
	for _, g := range a.state.Groups {
		if a.me.Group != "" && g.Name != a.me.Group {
			continue
		}
		d := g.Deadline
		if d.IsZero() || d.After(now) || a.timeUp[g.Name].Equal(d) {
			continue
		}
		a.timeUp[g.Name] = d
		if now.Sub(d) > 10*time.Second {
			continue
		}
		_, qi := a.state.Question(g.Current)
		text := fmt.Sprintf("Time's up on Q%d", qi+1)
		switch {
		case a.me.Group == "":
			text = "Time's up in " + g.Name + fmt.Sprintf(" (Q%d)", qi+1)
		case a.me.Role == session.Chair:
			text += ": t sets a new timer, + adds a minute, > poses the next question"
		}
		cmds = append(cmds, a.say(noticeInfo, text), bell())
	}
	return tea.Batch(cmds...)
}

// clockKey keys the session clock in timeUp; no group has an empty name.
const clockKey = ""

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// offline reports whether ops wait for the connection now.
func (a *app) offline() bool { return a.client != nil && a.status().State != relay.Live }

// bell rings the terminal's bell.
func bell() tea.Cmd { return tea.Raw("\a") }

// Notices: a few lines under the header.
type noticeKind int

const (
	noticeInfo noticeKind = iota
	noticeError
)

type notice struct {
	id   int
	kind noticeKind
	text string
}

// say shows a notice and returns the command that clears it later.
func (a *app) say(kind noticeKind, text string) tea.Cmd {
	a.nextID++
	text = clean(text) // may quote the relay (a fatal error's message)
	a.notice = notice{id: a.nextID, kind: kind, text: text}
	// Long enough to read: a second for every few words, at least 8.
	ttl := max(8*time.Second, time.Duration(len(strings.Fields(text)))*400*time.Millisecond)
	if kind == noticeError {
		ttl = max(ttl, 15*time.Second)
	}
	id := a.nextID
	return tea.Tick(ttl, func(time.Time) tea.Msg { return noticeGone(id) })
}

// Text helpers.

// oneLine folds text onto one line.
func oneLine(s string) string {
	return steady(strings.Join(strings.Fields(s), " "))
}

// clock formats a time left as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = 0
	}
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// ideaIDOf is the id of the idea an idea.add applied with seq created.
func ideaIDOf(seq int64) string { return "i" + strconv.FormatInt(seq, 10) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
