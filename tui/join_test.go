package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"breakout/relay"
	"breakout/session"
)

// TestJoinFormTypesNameAndJoins types a name into the join form, as the
// first screen most people see, and reaches the participant's room
// through a real relay, under that name.
func TestJoinFormTypesNameAndJoins(t *testing.T) {
	tr := startRelay(t)
	code := tr.code("Manzoni", session.Participant)
	dial := func(ctx context.Context, name, bg string) (*relay.Client, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return relay.Dial(ctx, relay.ClientConfig{URL: tr.url, Code: code, Name: name, Background: bg})
	}
	jm := newJoinModel(context.Background(), JoinOptions{Heading: "Joining the test relay", Dial: dial})
	tm := teatest.NewTestModel(t, jm, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Your name")) },
		teatest.WithDuration(30*time.Second))
	tm.Type("Ada Lovelace")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // to the background
	tm.Type("mathematics")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // join
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("What should we keep?")) && bytes.Contains(b, []byte("Ada Lovelace"))
	}, teatest.WithDuration(30*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(joinModel)
	defer fm.live.End()
	if fm.room == nil {
		t.Fatal("the join form never opened the room")
	}
	me := fm.room.a.state.People[fm.room.a.me.ID]
	if me == nil || me.Name != "Ada Lovelace" || me.Background != "mathematics" || me.Role != session.Participant {
		t.Fatalf("joined as %+v; want the participant Ada Lovelace, mathematics", me)
	}
}

// A join that fails says why in the form and keeps the name typed.
func TestJoinFormKeepsNameOnFailure(t *testing.T) {
	fail := func(context.Context, string, string) (*relay.Client, error) {
		return nil, relay.ErrRefused
	}
	j := newJoinModel(context.Background(), JoinOptions{Heading: "Joining", Dial: fail})
	var m tea.Model = j
	for _, r := range "Bea" {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter on the background did not try to join")
	}
	m, _ = m.Update(cmd())
	j = m.(joinModel)
	v := j.View().Content
	if j.form.name() != "Bea" || !bytes.Contains([]byte(v), []byte("couldn't join")) {
		t.Fatalf("after a failed join the name is %q and the form shows:\n%s\nwant Bea and why it failed", j.form.name(), v)
	}
}

// The code form: a wrong code is told and kept; a group's code opens the
// name form, whose join goes with that code.
func TestCodeFormThenNameForm(t *testing.T) {
	var dialed []string
	code := func(_ context.Context, c string) (*relay.Client, error) {
		dialed = append(dialed, c)
		if c != "good-code-12345" {
			return nil, relay.ErrRefused
		}
		return nil, relay.ErrNameNeeded
	}
	named := func(context.Context, string, string) (*relay.Client, error) { return nil, errors.New("stop here") }
	var m tea.Model = newJoinModel(context.Background(), JoinOptions{Heading: "Joining", Code: code, Dial: named})
	typ := func(s string) {
		for _, r := range s {
			m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	enter := func() {
		var cmd tea.Cmd
		m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		if cmd != nil {
			if msg := cmd(); msg != nil {
				m, _ = m.Update(msg)
			}
		}
	}
	typ("bad")
	enter()
	j := m.(joinModel)
	if j.step != stepCode || j.code.value() != "bad" || !strings.Contains(j.View().Content, "couldn't join") {
		t.Fatalf("after a wrong code: step %d, code %q, view:\n%s\nwant the code form, the code kept and why", j.step, j.code.value(), j.View().Content)
	}
	for range 3 {
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typ("good-code-12345")
	enter()
	j = m.(joinModel)
	if j.step != stepName || !strings.Contains(j.View().Content, "Your name") {
		t.Fatalf("a code that needs a name: step %d, view:\n%s\nwant the name form", j.step, j.View().Content)
	}
	if len(dialed) != 2 || dialed[1] != "good-code-12345" {
		t.Fatalf("dialed %q; want bad, then good-code-12345", dialed)
	}
}
