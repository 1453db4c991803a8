package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/session"
)

func TestOrganizerTableWatchBroadcastSynthesis(t *testing.T) {
	tr := startRelay(t)
	chair := tr.peer("Manzoni", session.Chair, "Chiara", "")
	rap := tr.peer("Verdi", session.Rapporteur, "Rita", "")
	ada := tr.peer("Manzoni", session.Participant, "Ada", "")
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 80, 24, nil)
	d.settled()
	d.waitView("Group", "Manzoni", "Verdi", "2 groups")

	// The table follows the rooms live.
	chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	ada.idea("q2", "Shared calendars", false, "")
	chair.do(session.KindGroupLock, struct{}{})
	d.waitFor("Manzoni's row", func() bool {
		for _, l := range strings.Split(d.view(), "\n") {
			if strings.HasPrefix(l, "Manzoni") && strings.Contains(l, "Q2") && strings.Contains(l, "locked") &&
				strings.Contains(l, "2/2") && strings.Contains(l, " 1 ") {
				return true
			}
		}
		return false
	})

	// enter watches a group, read only; esc goes back.
	d.press("enter")
	d.waitView("Manzoni (watching)", "Shared calendars")
	d.press("space", "n")
	if d.m.scr.typing() {
		t.Fatal("the organizer got a composer while watching")
	}
	d.press("tab")
	d.waitView("Who takes part", "Ada")
	d.press("esc")
	d.waitView("Group", "Verdi")

	// b broadcasts to every group.
	d.press("b")
	if !d.m.scr.typing() {
		t.Fatal("b did not open the broadcast input")
	}
	d.typeText("Five minutes left")
	d.press("enter")
	ada.waitFor("the broadcast", func() bool {
		n := len(ada.state.Broadcasts)
		return n > 0 && ada.state.Broadcasts[n-1].Text == "Five minutes left"
	})
	d.waitView("Last broadcast: Five minutes left")

	// S opens the synthesis beside every group's summary.
	rap.do(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "Verdi keeps the newsletter."})
	d.press("k") // Manzoni is on Q2; Verdi on Q1
	d.press("j")
	d.press("S")
	d.waitView("Synthesis · Q1/3", "Verdi keeps the newsletter.", "no summary yet")
	d.press("]")
	d.waitView("Synthesis · Q2/3")
	d.press("[")
	d.press("tab")
	if !d.m.scr.typing() {
		t.Fatal("tab did not focus the synthesis editor")
	}
	d.typeText("Groups agree on calendars.")
	d.waitFor("synthesis saved", func() bool {
		x := d.m.a.state.Text(session.Synthesis, "", "q1")
		return x != nil && x.Body == "Groups agree on calendars."
	})
	d.press("esc", "esc")
	d.waitView("Group", "Manzoni")

	dir := t.TempDir()
	t.Chdir(dir)
	d.press("E")
	d.waitView("wrote")
	if _, err := os.Stat(filepath.Join(dir, "conference-report.md")); err != nil {
		t.Fatalf("export: %v", err)
	}
}

// A participant's broadcast notice, and a rejection of one's own op, read
// as short notices with the reason.
func TestNoticesShowBroadcastsAndRejections(t *testing.T) {
	tr := startRelay(t)
	org := tr.peer("", session.Organizer, "Olga", "")
	d := newDriver(t, tr.dial("Manzoni", session.Participant, "Ada", ""), 80, 24, nil)
	d.settled()
	org.do(session.KindBroadcast, session.BroadcastData{Text: "Back in the plenary at 11"})
	d.waitView("» From the organizer at", "Back in the plenary at 11")

	// An op the relay refuses: too long an idea cannot be typed, so send
	// one for an unknown question through the same path as the keys.
	_, cmd := d.m.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: "nope", Text: "x"}, "add the idea")
	d.run(cmd)
	d.waitView(`✕ couldn't add the idea: no question "nope"`)
}

// A long broadcast is shown whole at 80 columns, stays until dismissed,
// and every broadcast can be read again with B.
func TestBroadcastWrapsStaysAndHasHistory(t *testing.T) {
	tr := startRelay(t)
	org := tr.peer("", session.Organizer, "Olga", "")
	d := newDriver(t, tr.dial("Manzoni", session.Participant, "Ada", ""), 80, 24, nil)
	d.settled()
	org.do(session.KindBroadcast, session.BroadcastData{Text: "Coffee is in the hall"})
	long := "Ten minutes left in every group: please agree on your three key ideas and make sure the rapporteur has them in the summary before we meet again"
	org.do(session.KindBroadcast, session.BroadcastData{Text: long})
	d.waitView("Ten minutes left", "we meet again")
	// Notices time out; the broadcast does not.
	for id := 0; id <= d.m.a.nextID+1; id++ {
		d.send(noticeGone(id))
	}
	if v := d.view(); !strings.Contains(v, "we meet again") {
		t.Fatalf("the broadcast went with the notices; screen:\n%s", v)
	}
	// Typing an idea does not lose it either, and the composer still fits.
	d.press("D")
	d.waitFor("dismissed", func() bool { return !strings.Contains(d.view(), "we meet again") })
	d.press("B")
	d.waitView("Broadcasts from the organizer", "Coffee is in the hall", "we meet again")
	d.press("esc")
	d.waitView("No ideas yet")
}

// At 80 columns the organizer reads a group's long minutes from the top:
// the moving keys scroll them.
func TestOrganizerScrollsWatchedMinutes(t *testing.T) {
	tr := startRelay(t)
	rap := tr.peer("Manzoni", session.Rapporteur, "Rafael", "")
	var body []string
	for i := 1; i <= 40; i++ {
		body = append(body, fmt.Sprintf("Minute line %d", i))
	}
	rap.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: strings.Join(body, "\n")})
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 80, 24, nil)
	d.settled()
	d.press("enter", "tab", "tab")
	d.waitView("Minute line 40", "of 40")
	if strings.Contains(d.view(), "Minute line 1\n") {
		t.Fatalf("the first line shows before scrolling:\n%s", d.view())
	}
	d.press("g")
	d.waitView("Minute line 1\n", "Minute line 2\n")
	d.press("down")
	d.waitFor("one line down", func() bool { return !strings.Contains(d.view(), "Minute line 1\n") })
	d.press("G")
	d.waitView("Minute line 40")
}
