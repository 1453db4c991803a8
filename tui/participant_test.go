package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// room is one group on a real relay: a chair steering through a plain
// client, and the program of a participant.
type room struct {
	tr    *testRelay
	chair *peer
	d     *driver
}

func newRoom(t *testing.T, role session.Role, w, h int) *room {
	t.Helper()
	tr := startRelay(t)
	r := &room{tr: tr}
	if role == session.Chair {
		r.chair = tr.peer("Manzoni", session.Participant, "Bruno", "")
	} else {
		r.chair = tr.peer("Manzoni", session.Chair, "Chiara", "")
	}
	name := map[session.Role]string{session.Participant: "Ada", session.Chair: "Chiara", session.Rapporteur: "Rafael"}[role]
	r.d = newDriver(t, tr.dial("Manzoni", role, name, ""), w, h, nil)
	r.d.settled()
	return r
}

// idea is the replica's idea with that text.
func (d *driver) idea(text string) *session.Idea {
	for _, i := range d.m.a.state.Ideas {
		if i.Text == text {
			return i
		}
	}
	return nil
}

func (d *driver) addIdea(text string) *session.Idea {
	d.t.Helper()
	d.press("n")
	d.typeText(text)
	d.press("enter")
	d.waitFor("idea "+text, func() bool { return d.idea(text) != nil })
	return d.idea(text)
}

func TestParticipantAddVoteEditRetract(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	if d.m.scr.typing() {
		t.Fatal("typing before n")
	}
	d.press("n")
	if !d.m.scr.typing() {
		t.Fatal("n did not open the composer")
	}
	d.press("esc")
	if d.m.scr.typing() {
		t.Fatal("esc did not close the composer")
	}

	i := d.addIdea("Shared calendars")
	if !i.Mine || i.Anonymous {
		t.Fatalf("idea = %+v; want mine, not anonymous", i)
	}
	d.waitFor("the new idea selected", func() bool { return d.m.scr.(*participantScreen).m.list.sel == i.ID })
	d.waitView("Shared calendars  you", "3 of 3 votes left")

	// space votes for the selected idea, and again takes the vote back.
	d.press("space")
	d.waitView("▲  1 Shared calendars", "2 of 3 votes left")
	d.press("space")
	d.waitView("△  0 Shared calendars", "3 of 3 votes left")

	// e edits one's own idea.
	d.press("e")
	d.typeText(" for everyone")
	d.press("enter")
	d.waitView("Shared calendars for everyone", "edited")

	// a makes the next idea anonymous, and only the next.
	d.press("a")
	d.waitView("Your next idea will be anonymous")
	anon := d.addIdea("Rotate the chair")
	if !anon.Anonymous {
		t.Fatalf("idea after a = %+v; want anonymous", anon)
	}
	named := d.addIdea("A yearly retreat")
	if named.Anonymous {
		t.Fatalf("second idea after a = %+v; want named", named)
	}
	r.chair.waitFor("the anonymous idea", func() bool { return r.chair.state.Ideas[anon.ID] != nil })
	if a := r.chair.state.Ideas[anon.ID].Author; a != "" {
		t.Fatalf("the chair sees the anonymous idea's author %q", a)
	}

	// b builds on the selected idea: the new one sits under it.
	d.waitFor("the retreat selected", func() bool { return d.m.scr.(*participantScreen).m.list.sel == named.ID })
	d.press("b")
	d.waitView("Build on: A yearly retreat")
	d.typeText("with a day for newcomers")
	d.press("enter")
	d.waitFor("the idea built on", func() bool { return d.idea("with a day for newcomers") != nil })
	child := d.idea("with a day for newcomers")
	if child.BuildsOn != named.ID {
		t.Fatalf("BuildsOn = %q; want %q", child.BuildsOn, named.ID)
	}
	d.waitView("↳ △  0 with a day for newcomers")
	d.waitFor("the new idea selected", func() bool { return d.m.scr.(*participantScreen).m.list.sel == child.ID })

	// x asks first, then retracts.
	d.press("x")
	d.waitView("Retract your idea")
	d.press("y")
	d.waitFor("the retraction", func() bool { return d.m.a.state.Ideas[child.ID].Retracted })
	if strings.Contains(d.view(), "with a day for newcomers") {
		t.Fatalf("retracted idea still shown:\n%s", d.view())
	}

	// Others' ideas cannot be edited or retracted.
	r.chair.idea("q1", "The chair's own idea", false, "")
	d.seeNew("The chair's own idea")
	for d.m.scr.(*participantScreen).m.list.selected().Text != "The chair's own idea" {
		d.press("k")
	}
	d.press("e")
	d.waitView("only your own ideas can be edited")
	if d.m.scr.typing() {
		t.Fatal("e opened the composer on someone else's idea")
	}
}

func TestParticipantSortBrowseAndLimits(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	old := r.chair.idea("q1", "Old favourite", false, "")
	r.chair.idea("q1", "Newer idea", false, "")
	d.waitView("Newer idea", "Old favourite")
	d.press("G")
	d.press("space") // the last row: the oldest idea
	d.waitView("▲  1 Old favourite")
	if first := d.m.scr.(*participantScreen).m.list.rows[0].idea.Text; first != "Newer idea" {
		t.Fatalf("first row by newest = %q", first)
	}
	d.press("s")
	d.waitView("most voted first")
	if first := d.m.scr.(*participantScreen).m.list.rows[0].idea.ID; first != old {
		t.Fatalf("first row by votes = %q; want %q", first, old)
	}

	// The chair moves on; [ reads the earlier question, read only.
	r.chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	d.waitView("Q2/3", "No ideas yet")
	d.press("[")
	d.waitView("Q1/3 (not the current question: read only)", "Old favourite")
	d.press("space")
	d.waitView("not the room's current question")
	// n takes the list back to the current question, where the idea goes.
	d.press("n")
	d.waitNotice("Back on Q2, the room's current question")
	d.press("esc")
	d.waitView("Q2/3", "No ideas yet. Press n to add the first.")

	// A locked room: the person is told before typing, and the text
	// waits in the composer instead of being sent to be refused.
	r.chair.do(session.KindGroupLock, struct{}{})
	d.waitView("The chair locked the room")
	d.press("n")
	d.waitView("The room is locked by the chair: write on", "room locked")
	d.typeText("Too late")
	d.press("enter")
	d.waitView("your text stays here", "Too late")
	if !d.m.scr.typing() {
		t.Fatal("enter in a locked room closed the composer")
	}
	d.press("esc")

	// Votes run out.
	r.chair.do(session.KindGroupUnlock, struct{}{})
	d.waitView("The room is open again")
	d.press("n", "enter")
	d.waitFor("Too late sent once open", func() bool { return d.idea("Too late") != nil })
	for _, text := range []string{"v1", "v2", "v3"} {
		r.chair.idea("q2", text, false, "")
	}
	d.seeNew("v3")
	d.press("s", "g") // newest first again, so rows stay put while voting
	d.waitView("newest first")
	for left := 2; left >= 0; left-- {
		d.press("space")
		d.waitView(fmt.Sprintf("%d of 3 votes left", left))
		d.press("j")
	}
	d.press("space")
	d.waitView("no votes left")
}

// addIdeaRejected types and sends an idea the relay will refuse.
func (d *driver) addIdeaRejected(text string) {
	d.press("n")
	d.typeText(text)
	d.press("enter")
}

func TestParticipantQuitAsksWhenTextIsUnsent(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	d.press("n")
	d.typeText("half a thought")
	d.press("esc")
	d.press("q")
	d.waitView("Unsent text will be lost. Quit anyway? (y/n)")
	d.press("n")
	d.waitView("A draft is waiting")
	if d.quit.Load() {
		t.Fatal("quit after n")
	}
	d.press("n")
	d.waitView("half a thought")
	d.press("ctrl+c")
	d.waitView("Unsent text will be lost")
	d.press("y")
	d.waitFor("quit", d.quit.Load)
}

// An idea the relay refuses (the lock reached the relay before it, but not
// yet the screen) comes back as the draft, with what was typed since.
func TestParticipantRejectedIdeaIsKept(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	r.chair.do(session.KindGroupLock, struct{}{})
	// The screen has not heard of the lock yet: nothing is pumped.
	d.press("n")
	d.typeText("A thought the lock overtook")
	d.press("enter")
	d.waitView("couldn't add the idea", "An idea is back as a draft: n opens it")
	p := d.m.scr.(*participantScreen).m
	if len(p.comp.back) != 1 || p.comp.back[0].text != "A thought the lock overtook" {
		t.Fatalf("ideas given back after the rejection = %v; want the rejected idea", p.comp.back)
	}
	d.press("n")
	d.waitView("A thought the lock overtook", "room locked")
	d.press("esc")
	r.chair.do(session.KindGroupUnlock, struct{}{})
	d.waitView("The room is open again")
	d.press("n", "enter")
	d.waitFor("the kept idea sent", func() bool { return d.idea("A thought the lock overtook") != nil })
}

// The room hears when its timer runs out, and when it is paused.
func TestParticipantHearsTimesUp(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	r.chair.do(session.KindTimerStart, session.TimerStart{Seconds: 60})
	d.waitFor("the timer", func() bool { return !d.m.a.state.Group("Manzoni").Deadline.IsZero() })
	r.chair.do(session.KindTimerPause, struct{}{})
	d.waitView("The chair paused the timer", "paused")
	r.chair.do(session.KindTimerResume, struct{}{})
	d.waitView("The timer runs again")
	clock := &fixedClock{t: d.m.a.state.Group("Manzoni").Deadline.Add(2 * time.Second)}
	d.m.a.now = clock.now
	d.send(tickMsg(clock.t))
	d.waitView("Time's up on Q1", "time's up")
}

// seeNew waits for an idea someone else just added: in view, or announced
// above the window, where g goes to see it.
func (d *driver) seeNew(text string) {
	d.t.Helper()
	d.waitFor(text+" or its announcement", func() bool {
		v := d.view()
		return strings.Contains(v, text) || strings.Contains(v, "new above")
	})
	if !strings.Contains(d.view(), text) {
		d.press("g")
		d.waitView(text)
	}
}

// In a busy room the list does not move under the person reading it: the
// selected idea keeps its row on screen and new ideas are announced.
func TestParticipantListStaysStill(t *testing.T) {
	r := newRoom(t, session.Participant, 80, 24)
	d := r.d
	for i := range 6 {
		r.chair.idea("q1", fmt.Sprintf("Idea number %d", i), false, "")
	}
	d.waitView("Idea number 5", "Idea number 0")
	d.press("j", "j")
	sel := d.m.scr.(*participantScreen).m.list.selected()
	row := func() int {
		for k, l := range strings.Split(d.view(), "\n") {
			if strings.Contains(l, sel.Text) {
				return k
			}
		}
		return -1
	}
	before := row()
	r.chair.idea("q1", "Newcomer one", false, "")
	r.chair.idea("q1", "Newcomer two", false, "")
	d.waitView("↑ 2 new above")
	if got := d.m.scr.(*participantScreen).m.list.selected(); got.ID != sel.ID || row() != before {
		t.Fatalf("after two new ideas the selection is %q on row %d; want %q still on row %d:\n%s",
			got.Text, row(), sel.Text, before, d.view())
	}
	d.press("g")
	d.waitView("Newcomer two")
	if strings.Contains(d.view(), "new above") {
		t.Fatalf("the announcement stayed after g:\n%s", d.view())
	}
}
