package tui

import (
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// TestEndToEnd connects the models of a participant, a chair, a rapporteur
// and the organizer to a real relay over loopback and drives them with
// keys: the chair poses a question, the participant adds an idea, and the
// idea shows on every other screen; the rapporteur's minutes reach the
// organizer.
func TestEndToEnd(t *testing.T) {
	tr := startRelay(t)
	clock := &fixedClock{t: time.Now()}
	part := newDriver(t, tr.dial("Manzoni", session.Participant, "Ada", ""), 80, 24, clock.now)
	chair := newDriver(t, tr.dial("Manzoni", session.Chair, "Chiara", ""), 100, 30, clock.now)
	rap := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 100, 30, clock.now)
	org := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, clock.now)
	for _, d := range []*driver{part, chair, rap, org} {
		d.settled()
	}
	part.waitView("Q1/3", "What should we keep?")

	// The chair poses the next question; everyone in the room follows.
	chair.answer(">", "y")
	chair.waitView("Q2/3 What should we change?")
	part.waitView("Q2/3", "What should we change?")
	org.waitFor("Manzoni on Q2", func() bool { return strings.Contains(org.view(), "Manzoni") && strings.Contains(org.view(), "Q2") })

	// The participant writes an idea and sends it.
	part.press("n")
	if !part.m.scr.typing() {
		t.Fatalf("after n the composer is not open; screen:\n%s", part.view())
	}
	part.typeText("Shared calendars across all partner teams")
	part.press("enter")
	part.waitView("Shared calendars across all partner teams", "you")

	chair.waitView("Shared calendars across all", "Ada")
	rap.waitView("Shared calendars across all")
	org.press("enter") // watch the first group, Manzoni
	org.waitView("Manzoni (watching)", "Shared calendars across all")

	// A vote from the chair shows on the participant's screen.
	chair.press("space")
	part.waitView("△  1 Shared calendars")

	// The rapporteur writes minutes; they are saved after a pause and
	// reach the organizer.
	rap.press("tab")
	if !rap.m.scr.typing() {
		t.Fatalf("after tab the minutes editor has no focus; screen:\n%s", rap.view())
	}
	rap.typeText("Calendars: everyone agrees.")
	rap.waitView("saved v1")
	org.press("tab") // minutes beside the watched ideas
	org.waitView("Minutes", "Calendars: everyone agrees.")
	if tx := org.m.a.state.Text(session.Minutes, "Manzoni", "q2"); tx == nil || tx.Body != "Calendars: everyone agrees." {
		t.Fatalf("organizer's replica minutes = %+v; want the rapporteur's text", tx)
	}
}
