package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/relay"
	"breakout/session"
)

// world is a session state built with session's own apply, without a
// relay: for tests of rendering and derived lists, and the benchmark.
type world struct {
	tb     testing.TB
	s      *session.State
	people map[string]string // name → id
	n      int
	at     time.Time
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	plan, err := session.ParsePlan("test.toml", []byte(testPlan))
	if err != nil {
		tb.Fatalf("ParsePlan: %v", err)
	}
	w := &world{tb: tb, s: session.New(), people: map[string]string{}, at: time.Date(2030, 5, 4, 10, 0, 0, 0, time.UTC)}
	w.apply("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: *plan, Codes: map[string]session.Grant{}})
	return w
}

func (w *world) apply(by, kind string, data any) []session.Event {
	w.tb.Helper()
	w.n++
	w.at = w.at.Add(time.Second)
	evs, err := w.s.Apply(session.Entry{Op: session.NewOp(fmt.Sprintf("op%d", w.n), kind, data), By: by, At: w.at})
	if err != nil {
		w.tb.Fatalf("Apply(%s) = %v", kind, err)
	}
	return evs
}

func (w *world) join(name string, role session.Role, group string) string {
	w.tb.Helper()
	evs := w.apply("", session.KindPersonJoin, session.PersonJoin{Name: name, Role: role, Group: group, TokenHash: "h"})
	id := evs[0].Data.People[0].ID
	w.people[name] = id
	w.apply("", session.KindPersonOnline, session.PersonOnline{Person: id, Online: true})
	return id
}

func (w *world) do(name, kind string, data any) []session.Event {
	w.tb.Helper()
	return w.apply(w.people[name], kind, data)
}

func (w *world) idea(name, question, text string) string {
	w.tb.Helper()
	evs := w.do(name, session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text})
	return evs[0].Data.Idea
}

// model is the root model of name, fed the world's state as a welcome,
// at a size. It has no connection: keys that send ops say so.
func (w *world) model(name string, width, height int, now time.Time) Model {
	w.tb.Helper()
	id := w.people[name]
	p := w.s.People[id]
	v := session.ViewerOf(p)
	m := New(Options{Now: func() time.Time { return now }})
	m = step(m, relayMsg(relay.Update{Welcome: &session.Welcome{Session: w.s.ID,
		You: session.You{ID: id, Name: p.Name, Role: p.Role, Group: p.Group}, Snapshot: w.s.View(v), Seq: w.s.Seq}}))
	return step(m, tea.WindowSizeMsg{Width: width, Height: height})
}

// step runs Update and drops the command.
func step(m Model, msg tea.Msg) Model {
	nm, _ := m.Update(msg)
	return nm.(Model)
}
