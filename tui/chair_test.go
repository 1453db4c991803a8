package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

func TestChairSteersTheRoom(t *testing.T) {
	r := newRoom(t, session.Chair, 80, 24)
	d, bruno := r.d, r.chair // here the plain client is a participant
	group := func() *session.Group { return d.m.a.state.Group("Manzoni") }

	// > and < ask, then pose the next and previous questions; q2 has a
	// timebox.
	d.press(">")
	d.waitView("Pose Q2")
	d.press("y")
	d.waitFor("Q2", func() bool { return group().Current == "q2" })
	d.waitView("Q2/3 What should we change?", "⏱", "Q2 is posed")
	bruno.waitFor("Q2 at the participant", func() bool { return bruno.state.Group("Manzoni").Current == "q2" })
	d.answer(">", "y")
	d.waitFor("Q3", func() bool { return group().Current == "q3" })
	// The notice that Q3 is posed comes with the relay's answer; wait for
	// it, or it could replace the next notice before the screen is read.
	d.waitView("Q3 is posed")
	d.press(">")
	d.waitView("there is no question that way")
	d.answer("<", "y")
	d.waitFor("Q2 again", func() bool { return group().Current == "q2" })

	// T asks before it stops the timer; t asks for minutes; + extends.
	d.press("T")
	d.waitView("Stop the timer")
	d.press("y")
	d.waitFor("no timer", func() bool { return group().Deadline.IsZero() })
	d.waitView("no timer")
	d.press("t", "enter")
	d.waitFor("a timer", func() bool { return !group().Deadline.IsZero() })
	first := group().Deadline
	d.press("+")
	d.waitFor("a longer timer", func() bool { return group().Deadline.Sub(first) == time.Minute })

	// l locks the room; a participant's idea is then refused; l opens it.
	d.press("l")
	d.waitFor("locked", func() bool { return group().Locked })
	d.waitView("│ locked")
	id := bruno.c.NewOpID()
	bruno.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q2", Text: "late"}))
	bruno.waitFor("the refusal", func() bool { return bruno.rejs[id] != nil })
	if c := bruno.rejs[id].Code; c != session.CodeClosed {
		t.Fatalf("idea in a locked room: code %s; want closed", c)
	}
	d.press("l")
	d.waitFor("open", func() bool { return !group().Locked })

	// p pins, h hides (the chair still sees it, struck), m…m merges.
	a := bruno.idea("q2", "Shared calendars", false, "")
	b := bruno.idea("q2", "One calendar for all", false, "")
	c := bruno.idea("q2", "Off-topic remark", false, "")
	d.waitView("Off-topic remark", "One calendar for all", "Shared calendars")
	d.m.scr.(*chairScreen).m.list.selectID(a)
	d.press("p")
	d.waitFor("pinned", func() bool { return d.m.a.state.Ideas[a].Pinned })
	d.waitView("Shared calendars  Bruno · pinned")
	if top := d.m.scr.(*chairScreen).m.list.rows[0].idea.ID; top != a {
		t.Fatalf("first row = %s; want the pinned idea %s", top, a)
	}
	d.m.scr.(*chairScreen).m.list.selectID(c)
	d.press("h")
	d.waitFor("hidden", func() bool { return d.m.a.state.Ideas[c].Hidden })
	d.waitView("Off-topic remark  Bruno · hidden", "2 ideas + 1 hidden")
	bruno.waitFor("hidden at the participant", func() bool { return bruno.state.Ideas[c].Hidden })

	d.m.scr.(*chairScreen).m.list.selectID(b)
	d.press("m")
	d.waitView("Merge “One calendar for all” into")
	d.m.scr.(*chairScreen).m.list.selectID(a)
	d.press("m")
	d.waitFor("merged", func() bool { return d.m.a.state.Ideas[b].MergedInto == a })
	if strings.Contains(d.view(), "One calendar for all") {
		t.Fatalf("merged idea still listed:\n%s", d.view())
	}

	// w shows who takes part; silent participants stand out, the chair
	// who steers does not.
	r.tr.peer("Manzoni", session.Participant, "Dora", "")
	d.press("w")
	d.waitView("Who takes part", "Bruno", "Dora", "Chiara (chair, you)", "! 1 member is silent")
	// Bruno's hidden idea is not counted, as the list does not count it;
	// the one merged into another still is his.
	for _, l := range strings.Split(d.view(), "\n") {
		if strings.Contains(l, "Bruno") && !strings.Contains(l, "    2 ") {
			t.Errorf("Bruno's row %q; want 2 ideas (the hidden one not counted)", l)
		}
	}
	d.press("w")
	d.waitView("Shared calendars")
}

func TestChairPanelBesideListWhenWide(t *testing.T) {
	r := newRoom(t, session.Chair, 120, 30)
	r.d.waitView("Who takes part", "No ideas yet")
	r.chair.idea("q1", "An idea from Bruno", false, "")
	r.d.waitView("An idea from Bruno", "Who takes part")
	lines := strings.Split(r.d.view(), "\n")
	for _, l := range lines {
		if strings.Contains(l, "Bruno") && strings.Contains(l, "An idea") {
			return // the idea and Bruno's row of the panel share a line
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "● Bruno") && strings.Contains(l, "│") {
			return
		}
	}
	t.Fatalf("panel not beside the list:\n%s", r.d.view())
}

const rosterPlan = `
title = "Roster test"
[[question]]
text = "What should we keep?"
[[group]]
name = "Manzoni"
[[person]]
name = "Giuseppina Strepponi-Verdi"
background = "Opera houses and their finances"
group = "Manzoni"
role = "participant"
`

// The panel shows who has not joined yet, and each background, and grows
// with the terminal, from 100 to 150 columns.
func TestChairPanelShowsStatusAndBackground(t *testing.T) {
	rt := relaytest.Start(t, relay.Config{})
	codes := rt.Create(t, rosterPlan)
	for _, w := range []int{100, 150} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := relay.Dial(ctx, relay.ClientConfig{URL: rt.URL, Code: relaytest.Code(t, codes, "Manzoni", session.Chair),
			Name: fmt.Sprintf("Chiara%d", w), Background: "Facilitation"})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		d := newDriver(t, c, w, 30, nil)
		d.settled()
		d.waitView("Who takes part", "not joined", "Opera houses", "Giuseppina")
		if pw := sidePanel(w); pw < 40 {
			t.Errorf("panel at %d columns is %d wide; want at least 40", w, pw)
		}
	}
}

// The chair's timer: t asks for minutes (the plan's by default), a bad
// number keeps what was typed, P pauses and resumes, T can be declined,
// a question posed again keeps its time left, and time's up is told.
func TestChairTimer(t *testing.T) {
	r := newRoom(t, session.Chair, 80, 24)
	d := r.d
	group := func() *session.Group { return d.m.a.state.Group("Manzoni") }
	d.answer(">", "y")
	d.waitFor("Q2", func() bool { return group().Current == "q2" })
	d.waitFor("Q2's timebox", func() bool { return !group().Deadline.IsZero() })
	d.waitView("Q2 is posed")

	d.press("t")
	d.waitView("A timer runs", "esc keeps it")
	if v := d.m.scr.(*chairScreen).prompt.ti.Value(); v != "10" {
		t.Fatalf("minutes asked with %q; want the plan's 10", v)
	}
	d.press("backspace", "backspace")
	d.typeText("two")
	d.press("enter")
	d.waitView("“two” is not a number of minutes")
	if v := d.m.scr.(*chairScreen).prompt.ti.Value(); !d.m.scr.typing() || v != "two" {
		t.Fatalf("after a bad number the input is open %v with %q; want open with what was typed", d.m.scr.typing(), v)
	}
	d.press("backspace", "backspace", "backspace")
	d.typeText("2")
	d.press("enter")
	d.waitFor("a 2-minute timer", func() bool {
		left := time.Until(group().Deadline)
		return left > 90*time.Second && left <= 2*time.Minute
	})
	d.waitView("Timer started: 2:00")

	// Pause and resume.
	d.press("P")
	d.waitFor("paused", func() bool { return group().Paused > 0 })
	d.waitView("paused")
	d.press("P")
	d.waitFor("running again", func() bool { return group().Paused == 0 && !group().Deadline.IsZero() })
	d.waitView("The timer runs again")

	// T declined leaves the timer running.
	d.answer("T", "n")
	d.waitView("left as it was")
	if group().Deadline.IsZero() {
		t.Fatal("T declined stopped the timer")
	}

	// To Q3 and back: Q2 runs on from what it had, not its 10 minutes.
	d.press(">")
	d.waitView("keeps its timer")
	d.press("y")
	d.waitFor("Q3", func() bool { return group().Current == "q3" })
	d.answer("<", "y")
	d.waitFor("Q2 again", func() bool { return group().Current == "q2" })
	if left := time.Until(group().Deadline); left > 2*time.Minute || left < time.Minute {
		t.Fatalf("Q2 posed again with %v on its timer; want what was left of 2 minutes", left)
	}

	// Time's up, told to the chair, with the bell. The pose's own notice
	// comes with its ack; wait for it so it cannot replace the one tested.
	d.waitView("Q2 is posed")
	clock := &fixedClock{t: group().Deadline.Add(time.Second)}
	d.m.a.now = clock.now
	d.send(tickMsg(clock.t))
	d.waitView("Time's up on Q2")
}

// answer presses k and, once its question shows, answers it.
func (d *driver) answer(k, yn string) {
	d.t.Helper()
	d.press(k)
	d.waitFor("the question of "+k, func() bool { return d.m.confirm != nil })
	d.press(yn)
}

// TestChairRemovesAPerson: X asks whom to take out of the room, completes
// the name, asks again, and the person is out; their ideas stay.
func TestChairRemovesAPerson(t *testing.T) {
	r := newRoom(t, session.Chair, 100, 30)
	d := r.d
	id := r.chair.idea("q1", "A register of lab incidents", false, "")
	d.waitView("A register of lab incidents")
	d.press("X")
	d.waitView("Remove who from the room?")
	d.typeText("nobody here")
	d.press("enter")
	d.waitView("nobody called “nobody here” is in the room")
	if v := d.m.scr.(*chairScreen).prompt.ti.Value(); v != "nobody here" {
		t.Fatalf("after an unknown name the prompt holds %q; want what was typed", v)
	}
	d.press("esc", "X")
	d.typeText("bru")
	d.press("tab", "enter")
	d.waitView("Remove Bruno from the room?")
	d.press("y")
	d.waitFor("removed", func() bool {
		for _, p := range d.m.a.state.People {
			if p.Name == "Bruno" {
				return p.Removed
			}
		}
		return false
	})
	if i := d.m.a.state.Ideas[id]; i == nil || !i.Visible() {
		t.Errorf("the removed person's idea is gone: %+v", i)
	}
}
