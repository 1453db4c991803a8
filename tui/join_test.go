package tui

import (
	"bytes"
	"context"
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
		teatest.WithDuration(5*time.Second))
	tm.Type("Ada Lovelace")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // to the background
	tm.Type("mathematics")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // join
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("What should we keep?")) && bytes.Contains(b, []byte("Ada Lovelace"))
	}, teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(joinModel)
	defer fm.live.end()
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
