package tui

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

const testPlan = `
title = "Breakout groups on the future of the partnership"
votes_per_person = 3

[[question]]
text = "What should we keep?"
[[question]]
text = "What should we change?"
minutes = 10
[[question]]
text = "Who should do it, and by when?"

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
`

// testRelay is a real relay on a real embedded NATS server in a temp dir,
// serving on a loopback port, with one session of testPlan.
type testRelay struct {
	t     *testing.T
	srv   *relay.Server
	url   string
	codes *relay.Codes
}

func startRelay(t *testing.T) *testRelay {
	t.Helper()
	r := relaytest.Start(t, relay.Config{OpsPerSecond: 1000, OpBurst: 1000})
	return &testRelay{t: t, srv: r.Server, url: r.URL, codes: r.Create(t, testPlan)}
}

func (tr *testRelay) code(group string, role session.Role) string {
	tr.t.Helper()
	return relaytest.Code(tr.t, tr.codes, group, role)
}

// dial joins with a code; stateDir may be empty.
func (tr *testRelay) dial(group string, role session.Role, name, stateDir string) *relay.Client {
	tr.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relay.Dial(ctx, relay.ClientConfig{URL: tr.url, Code: tr.code(group, role), Name: name, StateDir: stateDir})
	if err != nil {
		tr.t.Fatalf("Dial(%s): %v", name, err)
	}
	tr.t.Cleanup(c.Close)
	return c
}

// peer is a plain client that sets the scene: it sends ops and waits for
// their answers, keeping a replica like the program does.
type peer struct {
	t     *testing.T
	c     *relay.Client
	state *session.State
	you   session.You
	acks  map[string]int64
	rejs  map[string]*session.Reject
}

func (tr *testRelay) peer(group string, role session.Role, name, stateDir string) *peer {
	tr.t.Helper()
	p := &peer{t: tr.t, c: tr.dial(group, role, name, stateDir), acks: map[string]int64{}, rejs: map[string]*session.Reject{}}
	p.waitFor("welcome", func() bool { return p.state != nil })
	return p
}

func (p *peer) take(u relay.Update) {
	switch {
	case u.Welcome != nil:
		p.you = u.Welcome.You
		if u.Welcome.Snapshot != nil {
			p.state = u.Welcome.Snapshot
		}
		for _, ev := range u.Welcome.Events {
			p.state.ApplyEvent(ev)
		}
	case u.Event != nil:
		p.state.ApplyEvent(*u.Event)
	case u.Ack != nil:
		p.acks[u.Ack.ID] = u.Ack.Seq
	case u.Reject != nil:
		p.rejs[u.Reject.ID] = u.Reject
	}
}

func (p *peer) waitFor(what string, cond func() bool) {
	p.t.Helper()
	// Generous: a deadline, not a performance bound; CI machines are busy.
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case u := <-p.c.Updates():
			p.take(u)
		case <-deadline:
			p.t.Fatalf("%s: timed out waiting for %s", p.you.Name, what)
		}
	}
}

// do sends an op and waits for it to be applied; it returns the seq.
func (p *peer) do(kind string, data any) int64 {
	p.t.Helper()
	id := p.c.NewOpID()
	if err := p.c.Send(session.NewOp(id, kind, data)); err != nil {
		p.t.Fatalf("Send: %v", err)
	}
	p.waitFor("answer to "+kind, func() bool { _, a := p.acks[id]; _, r := p.rejs[id]; return a || r })
	if r := p.rejs[id]; r != nil {
		p.t.Fatalf("%s: %s rejected: %s %s", p.you.Name, kind, r.Code, r.Message)
	}
	return p.acks[id]
}

// idea adds an idea and returns its id.
func (p *peer) idea(question, text string, anon bool, buildsOn string) string {
	p.t.Helper()
	return ideaIDOf(p.do(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text, Anonymous: anon, BuildsOn: buildsOn}))
}

// driver runs a root model the way a Bubble Tea program does: commands
// run on goroutines and their messages come back through Update, which
// runs on the test's goroutine only.
type driver struct {
	t    *testing.T
	m    Model
	msgs chan tea.Msg
	stop chan struct{}
	once sync.Once
	quit atomic.Bool // the model asked to quit
}

func newDriver(t *testing.T, c *relay.Client, w, h int, now func() time.Time) *driver {
	t.Helper()
	d := &driver{t: t, m: New(Options{Client: c, Now: now}), msgs: make(chan tea.Msg, 4096), stop: make(chan struct{})}
	t.Cleanup(d.close)
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *driver) close() {
	d.once.Do(func() {
		close(d.stop)
		close(d.m.a.done)
	})
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.deliver(cmd()) }()
}

func (d *driver) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.QuitMsg:
		d.quit.Store(true)
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	}
	select {
	case d.msgs <- msg:
	case <-d.stop:
	}
}

// send runs Update with msg.
func (d *driver) send(msg tea.Msg) {
	m, cmd := d.m.Update(msg)
	d.m = m.(Model)
	d.run(cmd)
}

// press sends key presses: "enter", "esc", "space", "tab", "up",
// "ctrl+s", or single characters.
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.send(keyPress(k))
	}
}

// typeText types text one key at a time.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyPress(k string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "backspace": tea.KeyBackspace, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if k == "space" {
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(rest)[0], Mod: tea.ModCtrl}
	}
	if k == "shift+tab" {
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// pump handles the messages that are waiting, without blocking.
func (d *driver) pump() {
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		default:
			return
		}
	}
}

// view is the screen as text.
func (d *driver) view() string { return ansi.Strip(d.m.View().Content) }

// waitFor handles messages until cond holds.
func (d *driver) waitFor(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(30 * time.Second) // a deadline for busy machines, as peer.waitFor
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for {
		d.pump()
		if cond() {
			return
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-poll.C:
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.view())
		}
	}
}

// waitView waits until the screen shows all of texts.
func (d *driver) waitView(texts ...string) {
	d.t.Helper()
	d.waitFor(strings.Join(texts, ", "), func() bool {
		v := d.view()
		for _, s := range texts {
			if !strings.Contains(v, s) {
				return false
			}
		}
		return true
	})
}

// settled waits until the welcome came and no op is waiting.
func (d *driver) settled() {
	d.t.Helper()
	d.waitFor("settled", func() bool {
		return d.m.scr != nil && len(d.m.a.pending) == 0 && d.m.a.status().State == relay.Live && d.m.a.status().Queued == 0
	})
}

// fixedClock is a clock tests set.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
