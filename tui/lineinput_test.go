package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// closeSession closes the session from another organizer and waits until
// the driver sees it; closed false reopens it, in the plenary.
func closeSession(d *driver, org *peer, closed bool) {
	d.t.Helper()
	phase := session.PhaseClosed
	if !closed {
		phase = session.PhasePlenary
	}
	org.do(session.KindPhaseSet, session.PhaseSet{Phase: phase})
	d.waitFor("phase "+string(phase), func() bool { return d.m.a.state.PhaseOf() == phase })
}

// TestRefusedLineTextComesBack: a broadcast, a new recommendation, an
// edited one and a theme name the relay refuses (here: the session was
// closed meanwhile) come back into their inputs; reopening shows them,
// and once the session is open again they are sent.
func TestRefusedLineTextComesBack(t *testing.T) {
	tr := startRelay(t)
	org := tr.peer("", session.Organizer, "Otto", "")
	org.do(session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "Second rec"})
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()

	// The broadcast.
	d.press("b")
	d.typeText("Lunch moves to the terrace")
	closeSession(d, org, true)
	d.press("enter")
	d.waitView("couldn't broadcast", "your text is back")
	if !d.m.scr.unsent() || !strings.Contains(d.m.UnsentText(), "Lunch moves to the terrace") {
		t.Errorf("the refused broadcast is not counted as unsent (%q)", d.m.UnsentText())
	}
	d.press("b")
	d.waitView("› Lunch moves to the terrace")
	d.press("esc")

	// A new recommendation and an edited one.
	d.press("M", "R")
	d.waitView("Second rec")
	d.press("n")
	d.typeText("Keep the shared calendar")
	d.press("enter")
	d.waitView("couldn't add the recommendation", "your text is back")
	d.selectRow("Second rec")
	d.press("e")
	d.typeText(" and more tea")
	d.press("enter")
	d.waitView("couldn't edit the recommendation", "your text is back")
	d.press("e")
	d.waitView("› Second rec and more tea")
	d.press("esc")
	d.press("n")
	d.waitView("› Keep the shared calendar")
	d.press("esc")

	// A conference theme's name.
	d.press("esc")
	d.waitView("Conference themes")
	d.press("n")
	d.typeText("Trains")
	d.press("enter")
	d.waitView("couldn't create the theme", "your text is back")

	// Open again, each is sent from where it came back.
	closeSession(d, org, false)
	d.press("n")
	d.waitView("› Trains")
	d.press("enter")
	d.waitFor("the theme", func() bool { return len(d.m.a.state.ThemesOf("q1")) == 1 })
	d.press("R", "n")
	d.waitView("› Keep the shared calendar")
	d.press("enter")
	d.waitFor("the recommendation", func() bool { return len(d.m.a.state.RecommendationsOf("q1")) == 2 })
	d.selectRow("Second rec")
	d.press("e")
	d.waitView("› Second rec and more tea")
	d.press("enter")
	d.waitFor("the edit", func() bool {
		for _, r := range d.m.a.state.RecommendationsOf("q1") {
			if r.Text == "Second rec and more tea" {
				return true
			}
		}
		return false
	})
	d.press("esc", "esc")
	d.press("b")
	d.waitView("› Lunch moves to the terrace")
	d.press("enter")
	d.waitFor("the broadcast", func() bool { return d.m.a.bcast.Text == "Lunch moves to the terrace" })
	if d.m.scr.unsent() {
		t.Errorf("with everything sent, quitting would still ask: %q", d.m.UnsentText())
	}
}

// TestEditOfRemovedRecommendationBecomesNew: an organizer edits a
// recommendation another organizer removes meanwhile; the edit comes
// back as a new recommendation's draft, and the notice says so.
func TestEditOfRemovedRecommendationBecomesNew(t *testing.T) {
	tr := startRelay(t)
	org := tr.peer("", session.Organizer, "Otto", "")
	org.do(session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "Second rec"})
	id := org.state.RecommendationsOf("q1")[0].ID
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()
	d.press("M", "R")
	d.waitView("Second rec")
	d.press("e")
	d.typeText(" and more tea")
	org.do(session.KindRecommendationRemove, session.RecommendationRef{Recommendation: id})
	d.waitFor("removed", func() bool { return d.m.a.state.Recommendations[id] == nil })
	d.press("enter")
	d.waitView("couldn't edit the recommendation", "kept as a new recommendation")
	d.press("n")
	d.waitView("› Second rec and more tea")
	d.press("enter")
	d.waitFor("the new one", func() bool {
		rs := d.m.a.state.RecommendationsOf("q1")
		return len(rs) == 1 && rs[0].Text == "Second rec and more tea"
	})
}

// TestRapporteurRefusedThemeComesBack: the # theme the relay refuses
// comes back when # opens on the idea again.
func TestRapporteurRefusedThemeComesBack(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 100, 30)
	d := r.d
	org := r.tr.peer("", session.Organizer, "Otto", "")
	id := r.chair.idea("q1", "Shared calendars", false, "")
	d.waitView("Shared calendars")
	d.press("#")
	d.typeText("tools")
	closeSession(d, org, true)
	d.press("enter")
	d.waitView("couldn't tag the idea", "your text is back")
	closeSession(d, org, false)
	d.waitView("Plenary · Q1/3")
	d.press("v") // back to the room
	d.waitView("Shared calendars")
	d.press("#")
	d.waitView("› tools")
	d.press("enter")
	d.waitFor("theme", func() bool { return d.m.a.state.Ideas[id].Theme == "tools" })
}

// TestBoardInputsTakePaste: the merge board's inputs take a terminal
// paste: one line as it is, many lines joined with spaces (and said so).
func TestBoardInputsTakePaste(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()
	d.press("M", "R", "n")
	d.send(tea.PasteMsg{Content: "Fund one shared calendar"})
	d.waitView("› Fund one shared calendar")
	d.press("ctrl+u")
	d.send(tea.PasteMsg{Content: "Fund one\nshared calendar\r\n\r\nfor all"})
	d.waitView("› Fund one shared calendar for all", "the pasted lines are joined into one line")
	d.press("enter")
	d.waitFor("the recommendation", func() bool { return len(d.m.a.state.RecommendationsOf("q1")) == 1 })

	d.press("esc")
	d.press("n")
	d.waitView("Name the new conference theme")
	d.send(tea.PasteMsg{Content: "Night trains"})
	d.waitView("› Night trains")
	d.press("enter")
	d.waitFor("the theme", func() bool { return len(d.m.a.state.ThemesOf("q1")) == 1 })
}

// TestLineInputLimitsCutNothing: text past an input's limit is neither
// cut nor sent: a counter shows it over, enter says by how much and
// keeps it, and once shortened it goes.
func TestLineInputLimitsCutNothing(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()

	// A pasted recommendation of 600 characters, at most 500.
	d.press("M", "R", "n")
	long := strings.Repeat("abcdefghi ", 60)
	d.send(tea.PasteMsg{Content: long})
	in := d.m.scr.(*organizerScreen).board.input
	if got := in.ti.Value(); got != long {
		t.Fatalf("the pasted 600 characters became %d", len(got))
	}
	d.waitView(fmt.Sprintf("600/%d", session.MaxRecommendation))
	d.press("enter")
	d.waitView(fmt.Sprintf("the recommendation is 600 characters; at most %d: shorten it", session.MaxRecommendation))
	if !in.open || in.ti.Value() != long {
		t.Fatal("enter on a text over the limit closed the input or changed the text")
	}
	d.press("esc", "esc")

	// A theme name typed past 80: all of it stays.
	d.press("n")
	name := "A theme name that is long enough to go past the eighty characters for sure yes"
	name += " indeed"
	d.typeText(name)
	if got := in.ti.Value(); got != name {
		t.Fatalf("the typed theme name became %q", got)
	}
	d.waitView(fmt.Sprintf("%d/%d", len(name), session.MaxTheme))
	d.press("enter")
	d.waitView(fmt.Sprintf("the theme name is %d characters; at most %d: shorten it", len(name), session.MaxTheme))
	for range len(" indeed") {
		d.press("backspace")
	}
	d.press("enter")
	d.waitFor("the theme", func() bool { return len(d.m.a.state.ThemesOf("q1")) == 1 })
	d.press("esc")

	// A broadcast of 1,001 characters.
	d.press("b")
	d.send(tea.PasteMsg{Content: strings.Repeat("x", session.MaxBroadcast+1)})
	d.waitView(fmt.Sprintf("%d/%d", session.MaxBroadcast+1, session.MaxBroadcast))
	d.press("enter")
	d.waitView(fmt.Sprintf("the broadcast is %d characters; at most %d", session.MaxBroadcast+1, session.MaxBroadcast))
	d.press("backspace", "enter")
	d.waitFor("the broadcast", func() bool { return len(d.m.a.bcast.Text) == session.MaxBroadcast })
}

// TestRemovedRapporteurIsNotPromisedASend: a rapporteur removed while
// writing the minutes is not told the text is sent once back online.
func TestRemovedRapporteurIsNotPromisedASend(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 100, 30)
	d := r.d
	d.press("tab")
	d.typeText("Ada opened.")
	d.waitView("saved v1")
	r.chair.do(session.KindPersonRemove, session.PersonRemove{Person: d.m.a.me.ID})
	d.waitView("disconnected for good")
	d.typeText(" Bruno agreed.")
	d.press("ctrl+s")
	d.waitView("not saved")
	if v := d.view(); strings.Contains(v, "sent when back online") {
		t.Errorf("a removed rapporteur is promised a send:\n%s", v)
	}
}

// TestSurveyTextAnswerCutsNothing: a pasted text answer past the limit
// is kept whole with a counter; moving on says how much to shorten, and
// the shortened answer is sent.
func TestSurveyTextAnswerCutsNothing(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	me := d.m.a.me.ID
	sc.org.do(session.KindSurveyOpen, session.SurveyRef{})
	d.waitView("The organizer opened the survey")
	d.press("A")
	d.waitView("1/4")
	d.press("enter")
	d.waitView("2/4")
	d.press("enter")
	d.waitView("3/4  One thing to change")
	var words []string
	for k := range 170 {
		words = append(words, fmt.Sprintf("w%04d", k))
	}
	long := strings.Join(words, " ") // 1,019 characters
	d.send(tea.PasteMsg{Content: long})
	d.waitView(fmt.Sprintf("%d/%d", len(long), session.MaxSurveyText))
	if got := d.m.survey.drafts["s3"].text; got != long {
		t.Fatalf("the pasted answer was cut to %d characters, ending %q", len(got), got[max(len(got)-10, 0):])
	}
	d.press("enter")
	d.waitView(fmt.Sprintf("the answer is %d characters; at most %d: shorten it", len(long), session.MaxSurveyText))
	d.waitView("3/4  One thing to change")
	for range len(long) - session.MaxSurveyText {
		d.press("backspace")
	}
	d.press("enter")
	d.waitView("4/4")
	d.press("enter")
	d.waitFor("the answer", func() bool {
		a, ok := d.m.a.state.AnswerOf(me, "s3")
		return ok && a.Text == long[:session.MaxSurveyText]
	})
}

// TestSoftHyphenKeepsPanesInLine: a soft hyphen typed in the synthesis
// is not drawn: the layout gives it no width, a terminal one column,
// which pushed the pane rule out of line.
func TestSoftHyphenKeepsPanesInLine(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()
	d.press("S")
	d.waitView("Synthesis · Q1/3")
	d.press("tab")
	d.typeText("Broadcast with soft\u00adhyphen and words")
	d.waitView("Broadcast with softhyphen and words")
	if v := d.m.View().Content; strings.Contains(v, "\u00ad") {
		t.Errorf("the screen draws a soft hyphen, which a terminal gives a column the layout does not:\n%s", ansi.Strip(v))
	}
}
