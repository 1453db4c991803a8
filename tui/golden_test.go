package tui

import (
	"bytes"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"breakout/relay"
	"breakout/session"
)

// scene is a session in progress on a real relay: Manzoni on its second
// question with a running timer, ideas, votes, a thread, a pin, a theme,
// minutes and a summary; Verdi still on the first; one broadcast.
type scene struct {
	tr       *testRelay
	watcher  *peer // stays connected and sees who comes and goes
	dirs     map[string]string
	peers    map[string]*peer
	clients  map[string]*relay.Client // reopened programs' clients
	deadline time.Time
}

func newScene(t *testing.T) *scene {
	t.Helper()
	tr := startRelay(t)
	sc := &scene{tr: tr, dirs: map[string]string{}, peers: map[string]*peer{}, clients: map[string]*relay.Client{}}
	join := func(group string, role session.Role, name string) *peer {
		sc.dirs[name] = t.TempDir()
		p := tr.peer(group, role, name, sc.dirs[name])
		sc.peers[name] = p
		return p
	}
	chiara := join("Manzoni", session.Chair, "Chiara")
	rafael := join("Manzoni", session.Rapporteur, "Rafael")
	ada := join("Manzoni", session.Participant, "Ada")
	bruno := join("Manzoni", session.Participant, "Bruno")
	carla := join("Manzoni", session.Participant, "Carla")
	dario := join("Verdi", session.Participant, "Dario")
	olga := join("", session.Organizer, "Olga")
	sc.watcher = bruno

	chiara.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	cal := ada.idea("q2", "Shared calendars across all partner teams", false, "")
	retreat := bruno.idea("q2", "A yearly retreat for every partner, with a day set aside for newcomers to meet the old hands", false, "")
	ada.idea("q2", "Rotate the chair every quarter", true, "")
	bruno.idea("q2", "…and publish the calendar as a feed people can subscribe to", false, cal)
	rafael.idea("q2", "Write decisions down where everyone can find them", false, "")
	ada.do(session.KindIdeaVote, session.IdeaRef{Idea: retreat})
	bruno.do(session.KindIdeaVote, session.IdeaRef{Idea: cal})
	chiara.do(session.KindIdeaVote, session.IdeaRef{Idea: retreat})
	chiara.do(session.KindIdeaPin, session.IdeaFlag{Idea: retreat, On: true})
	rafael.do(session.KindIdeaTheme, session.IdeaTheme{Idea: cal, Theme: "tools"})
	rafael.do(session.KindIdeaKey, session.IdeaFlag{Idea: cal, On: true})
	rafael.do(session.KindMinutesEdit, session.TextEdit{Question: "q2",
		Text: "Ada opened with calendars; Bruno wants a yearly retreat.\nAgreed: try a shared calendar for one quarter."})
	rafael.do(session.KindSummaryEdit, session.TextEdit{Question: "q2", Text: "A shared calendar first, then a retreat."})
	dario.idea("q1", "Keep the monthly newsletter", false, "")
	olga.do(session.KindBroadcast, session.BroadcastData{Text: "Ten minutes left, please wrap up"})
	// Carla joined and left without a word.
	sc.leave("Carla")
	_ = carla
	chiara.waitFor("the deadline", func() bool { return !chiara.state.Group("Manzoni").Deadline.IsZero() })
	sc.deadline = chiara.state.Group("Manzoni").Deadline
	return sc
}

// leave disconnects a person and waits until the watcher saw them go.
func (sc *scene) leave(name string) {
	p := sc.peers[name]
	id := p.you.ID
	p.c.Close()
	if c := sc.clients[name]; c != nil {
		c.Close()
	}
	sc.watcher.waitFor(name+" offline", func() bool { q := sc.watcher.state.People[id]; return q != nil && !q.Online })
}

// reopen is a person's program started again: it resumes as the same
// person and gets a fresh snapshot.
func (sc *scene) reopen(t *testing.T, name string, w, h int) *driver {
	t.Helper()
	p := sc.peers[name]
	sc.leave(name)
	group, role := p.you.Group, p.you.Role
	c := sc.tr.dial(group, role, name, sc.dirs[name])
	sc.clients[name] = c
	clock := &fixedClock{t: sc.deadline.Add(-7*time.Minute - 30*time.Second)}
	d := newDriver(t, c, w, h, clock.now)
	d.settled()
	me := p.you.ID
	d.waitFor("back online", func() bool { q := d.m.a.state.People[me]; return q != nil && q.Online })
	return d
}

// golden renders the settled model in a teatest program at a fixed size
// and compares its screen, as text, with testdata/<test name>.golden
// (go test ./tui -update rewrites them).
func golden(t *testing.T, d *driver, w, h int) {
	t.Helper()
	tm := teatest.NewTestModel(t, d.m, teatest.WithInitialTermSize(w, h))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Breakout")) },
		teatest.WithDuration(30*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(Model)
	teatest.RequireEqualOutput(t, []byte(ansi.Strip(m.View().Content)))
}

func TestGolden(t *testing.T) {
	sc := newScene(t)
	t.Run("participant", func(t *testing.T) {
		d := sc.reopen(t, "Ada", 80, 24)
		golden(t, d, 80, 24)
	})
	t.Run("participant_writing", func(t *testing.T) {
		d := sc.reopen(t, "Ada", 80, 24)
		d.press("b")
		d.typeText("Start with the board's calendar")
		golden(t, d, 80, 24)
	})
	t.Run("chair", func(t *testing.T) {
		d := sc.reopen(t, "Chiara", 100, 30)
		golden(t, d, 100, 30)
	})
	t.Run("chair_narrow_who", func(t *testing.T) {
		d := sc.reopen(t, "Chiara", 80, 24)
		d.press("w")
		golden(t, d, 80, 24)
	})
	t.Run("rapporteur", func(t *testing.T) {
		d := sc.reopen(t, "Rafael", 100, 30)
		golden(t, d, 100, 30)
	})
	t.Run("rapporteur_narrow_minutes", func(t *testing.T) {
		d := sc.reopen(t, "Rafael", 80, 24)
		d.press("tab")
		golden(t, d, 80, 24)
	})
	t.Run("organizer", func(t *testing.T) {
		d := sc.reopen(t, "Olga", 80, 24)
		golden(t, d, 80, 24)
	})
	t.Run("organizer_watch", func(t *testing.T) {
		d := sc.reopen(t, "Olga", 100, 30)
		d.press("enter")
		golden(t, d, 100, 30)
	})
}
