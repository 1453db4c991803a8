package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// composerOf is the participant's idea composer.
func (d *driver) composer() *composer { return d.member().comp }

func (d *driver) member() *member {
	switch s := d.m.scr.(type) {
	case *participantScreen:
		return s.m
	case *chairScreen:
		return s.m
	case *rapporteurScreen:
		return s.m
	}
	d.t.Fatalf("no member screen: %T", d.m.scr)
	return nil
}

// title is the composer's title line.
func (d *driver) composerTitle() string {
	return strings.SplitN(ansi.Strip(d.composer().view()), "\n", 2)[0]
}

// waitNotice waits until the notice holds all of texts (the screen may
// wrap a long one).
func (d *driver) waitNotice(texts ...string) {
	d.t.Helper()
	d.waitFor("notice "+strings.Join(texts, ", "), func() bool {
		for _, s := range texts {
			if !strings.Contains(d.m.a.notice.text, s) {
				return false
			}
		}
		return true
	})
}

// postIdea adds an idea of the viewer's without the composer, which may
// hold an idea given back.
func (d *driver) postIdea(text string) *session.Idea {
	d.t.Helper()
	_, cmd := d.m.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: d.m.a.group().Current, Text: text}, "add the idea")
	d.run(cmd)
	d.waitFor("idea "+text, func() bool { return d.idea(text) != nil })
	return d.idea(text)
}

// Ideas refused while the screen did not know the room was locked (as
// when they were queued offline) each come back as a draft of their own,
// in the order typed, with their own anonymity; n opens one at a time.
func TestRefusedIdeasComeBackEachAsItWas(t *testing.T) {
	r := newRoom(t, session.Participant, 100, 24)
	d := r.d
	r.chair.do(session.KindGroupLock, struct{}{})
	// Nothing is pumped: the screen has not heard of the lock.
	d.press("n", "ctrl+t")
	d.typeText("My anonymous whistleblowing idea")
	d.press("enter")
	d.press("n")
	d.typeText("Second offline idea")
	d.press("enter")
	c := d.composer()
	d.waitFor("both ideas refused", func() bool { return len(d.member().waiting) == 0 && len(c.back) == 2 })
	d.waitView("2 ideas are back as drafts: n opens the first (anonymous)")
	// a sets the anonymity of the idea n opens next: the first given back.
	d.press("a")
	d.waitNotice("the idea given back, “My anonymous", "will carry your name")
	d.press("a")
	d.waitNotice("will be anonymous: n opens it")
	if got := d.m.UnsentText(); !strings.Contains(got, "My anonymous whistleblowing idea") || !strings.Contains(got, "Second offline idea") {
		t.Fatalf("UnsentText() = %q; want both ideas given back", got)
	}

	d.press("n")
	if v := c.ta.Value(); v != "My anonymous whistleblowing idea" {
		t.Fatalf("first draft given back = %q; want the first idea alone", v)
	}
	if title := d.composerTitle(); !strings.Contains(title, "New idea · anonymous") ||
		!strings.Contains(title, "room locked: send with enter once it opens") {
		t.Fatalf("title = %q; want it anonymous, and locked until sent with enter", title)
	}
	r.chair.do(session.KindGroupUnlock, struct{}{})
	d.waitNotice("The room is open again: enter sends what you wrote")
	d.press("enter")
	d.waitFor("the anonymous idea", func() bool { return d.idea("My anonymous whistleblowing idea") != nil })
	if i := d.idea("My anonymous whistleblowing idea"); !i.Anonymous {
		t.Fatalf("idea given back and sent = %+v; want it anonymous", i)
	}
	d.waitNotice("1 more idea is back as a draft: n opens it")

	d.press("n")
	if v := c.ta.Value(); v != "Second offline idea" {
		t.Fatalf("second draft given back = %q", v)
	}
	if title := d.composerTitle(); strings.Contains(title, "anonymous") {
		t.Fatalf("title = %q; the second idea was not anonymous", title)
	}
	d.press("enter")
	d.waitFor("the second idea", func() bool { return d.idea("Second offline idea") != nil })
	if i := d.idea("Second offline idea"); i.Anonymous {
		t.Fatalf("second idea = %+v; want it named", i)
	}
	if len(c.back) != 0 || c.unsentText() != "" {
		t.Fatalf("after both were sent: back = %v, unsent %q", c.back, c.unsentText())
	}
}

// A build-on refused because the room moved on comes back anonymous if it
// was, as a new idea, since its idea is on an earlier question; one being
// written when the room moves on is told so at once.
func TestBuildOnWhenTheRoomMovesOn(t *testing.T) {
	r := newRoom(t, session.Participant, 100, 24)
	d := r.d
	id := r.chair.idea("q1", "Night trains", false, "")
	d.waitView("Night trains")
	d.member().list.selectID(id)
	d.press("b", "ctrl+t")
	d.typeText("with sleeper cars")
	r.chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	d.press("enter") // the screen has not heard of Q2
	d.waitNotice("couldn't add the idea", "your idea is back as a draft: n opens it")
	d.waitView("Q2/3")
	d.press("n")
	d.waitNotice("it goes as a new idea")
	if title := d.composerTitle(); !strings.HasPrefix(title, "New idea · anonymous") {
		t.Fatalf("title = %q; want a new idea, anonymous", title)
	}
	d.press("enter")
	d.waitFor("the idea on Q2", func() bool { return d.idea("with sleeper cars") != nil })
	if i := d.idea("with sleeper cars"); !i.Anonymous || i.Question != "q2" || i.BuildsOn != "" {
		t.Fatalf("idea = %+v; want anonymous, new, on q2", i)
	}

	// Writing a build-on while the room moves on.
	id2 := r.chair.idea("q2", "Bike lanes", false, "")
	d.seeNew("Bike lanes")
	d.member().list.selectID(id2)
	d.press("b", "ctrl+t")
	d.typeText("painted red")
	r.chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q3"})
	d.waitNotice("Now on Q3", "no longer builds on an idea")
	if title := d.composerTitle(); !strings.HasPrefix(title, "New idea · anonymous") {
		t.Fatalf("title = %q; want a new idea, anonymous", title)
	}
	d.press("enter")
	d.waitFor("the idea on Q3", func() bool { return d.idea("painted red") != nil })
	if i := d.idea("painted red"); !i.Anonymous || i.Question != "q3" {
		t.Fatalf("idea = %+v; want anonymous on q3", i)
	}
}

// An edit of an idea the chair merges meanwhile comes back as a new idea,
// never as an edit that waits for an idea that is gone; the author is
// told of the merge.
func TestEditOfMergedIdeaComesBackAsNewIdea(t *testing.T) {
	r := newRoom(t, session.Participant, 120, 24)
	d := r.d
	mine := d.addIdea("Shared calendars")
	other := r.chair.idea("q1", "One calendar for all", false, "")
	d.seeNew("One calendar for all")

	// Sent after the merge reached the relay, before the screen.
	d.member().list.selectID(mine.ID)
	d.press("e")
	d.typeText(" EDIT-DURING-MERGE")
	r.chair.do(session.KindIdeaMerge, session.IdeaMerge{Idea: mine.ID, Into: other})
	d.press("enter")
	d.waitNotice("couldn't edit the idea", "your edited text is back as a new idea: n opens it")
	c := d.composer()
	if len(c.edits) != 0 || strings.Contains(d.view(), "edit is waiting") {
		t.Fatalf("edits = %v; want none waiting for a merged idea:\n%s", c.edits, d.view())
	}
	d.press("n")
	if v := c.ta.Value(); v != "Shared calendars EDIT-DURING-MERGE" {
		t.Fatalf("draft = %q; want the edited text", v)
	}
	d.press("enter")
	d.waitFor("the edited text as an idea", func() bool { return d.idea("Shared calendars EDIT-DURING-MERGE") != nil })

	// The merge reaches the screen while the edit is open.
	two := d.postIdea("Open the archive")
	d.member().list.selectID(two.ID)
	d.press("e")
	d.typeText(" on Sundays")
	r.chair.do(session.KindIdeaMerge, session.IdeaMerge{Idea: two.ID, Into: other})
	d.waitNotice("the chair merged your idea “Open the archive” into “One calendar for all”",
		"what you are writing is now a new idea")
	if title := d.composerTitle(); !strings.HasPrefix(title, "New idea") {
		t.Fatalf("title = %q; want a new idea", title)
	}
	d.press("esc")
	d.waitView("An idea is back as a draft: n opens it")

	// An edit kept with esc follows its idea when it is merged.
	three := d.postIdea("Quiet hours")
	d.member().list.selectID(three.ID)
	d.press("e")
	d.typeText(" after six")
	d.press("esc")
	d.waitView("An idea is back as a draft") // the one from before is first
	r.chair.do(session.KindIdeaMerge, session.IdeaMerge{Idea: three.ID, Into: other})
	d.waitNotice("the chair merged your idea “Quiet hours”", "back as an idea of its own")
	if len(c.edits) != 0 || len(c.back) != 2 {
		t.Fatalf("edits = %v, back = %v; want the kept edit given back", c.edits, c.back)
	}
	if got := d.m.UnsentText(); !strings.Contains(got, "Open the archive on Sundays") || !strings.Contains(got, "Quiet hours after six") {
		t.Fatalf("UnsentText() = %q", got)
	}

	// Told of a merge with nothing being written.
	four := d.postIdea("Lunch together")
	r.chair.do(session.KindIdeaMerge, session.IdeaMerge{Idea: four.ID, Into: other})
	d.waitNotice("the chair merged your idea “Lunch together” into “One calendar for all”")
}

// A build-on starts from its own draft, never from the new idea's.
func TestBuildOnStartsFromItsOwnDraft(t *testing.T) {
	r := newRoom(t, session.Participant, 100, 24)
	d := r.d
	id := r.chair.idea("q1", "Night trains", false, "")
	d.waitView("Night trains")
	d.press("n")
	d.typeText("EXISTING DRAFT words")
	d.press("esc")
	d.member().list.selectID(id)
	d.press("b")
	c := d.composer()
	if v := c.ta.Value(); v != "" {
		t.Fatalf("build-on starts from %q; want empty", v)
	}
	d.typeText("BUILD TEXT")
	d.press("esc")
	d.waitView("A draft is waiting")
	if got := d.m.UnsentText(); !strings.Contains(got, "EXISTING DRAFT words") || !strings.Contains(got, "BUILD TEXT") {
		t.Fatalf("UnsentText() = %q; want both drafts", got)
	}
	d.press("b")
	if v := c.ta.Value(); v != "BUILD TEXT" {
		t.Fatalf("build-on draft = %q; want its own", v)
	}
	d.typeText(" words")
	d.press("enter")
	d.waitFor("the build-on", func() bool { return d.idea("BUILD TEXT words") != nil })
	if i := d.idea("BUILD TEXT words"); i.BuildsOn != id {
		t.Fatalf("build-on = %+v", i)
	}
	d.press("n")
	if v := c.ta.Value(); v != "EXISTING DRAFT words" {
		t.Fatalf("new idea draft = %q; want it untouched", v)
	}
}

// Pasted text over the limit is kept whole: the counter and a line say by
// how much, and enter refuses until it fits.
func TestIdeaOverTheLimitIsKeptAndRefused(t *testing.T) {
	r := newRoom(t, session.Participant, 100, 30)
	d := r.d
	d.press("n")
	text := strings.Repeat("word ", 239) + "last" // 1,199 characters
	d.send(tea.PasteMsg{Content: text})
	c := d.composer()
	if v := c.ta.Value(); v != text {
		t.Fatalf("composer holds %d characters; want all %d pasted", len([]rune(v)), len(text))
	}
	d.waitView("1199/1000", "over the limit by 199 characters: shorten it to send")
	d.press("enter")
	d.waitNotice("couldn't send the idea: it is 199 characters over the limit of 1000")
	if !d.m.scr.typing() {
		t.Fatal("enter over the limit closed the composer")
	}
	for range 199 {
		d.press("backspace")
	}
	d.waitView("1000/1000")
	if v := ansi.Strip(c.view()); strings.Contains(v, "over the limit") {
		t.Fatalf("still over the limit:\n%s", v)
	}
	d.press("enter")
	d.waitFor("the idea", func() bool { return d.idea(strings.TrimSpace(text[:1000])) != nil })

	// A paste far past what an idea can be is refused whole, and said.
	d.press("n")
	d.send(tea.PasteMsg{Content: strings.Repeat("x", composeMax+1)})
	d.waitNotice("nothing pasted")
	if v := c.ta.Value(); v != "" {
		t.Fatalf("composer after a refused paste holds %d characters", len(v))
	}
}

// n on an earlier question opens the composer on the current one, so that
// what is typed next is the idea, not commands.
func TestNewIdeaFromAnEarlierQuestion(t *testing.T) {
	r := newRoom(t, session.Participant, 100, 24)
	d := r.d
	r.chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	d.waitView("Q2/3")
	d.press("[")
	d.waitView("Q1/3 (not the current question: read only)")
	d.press("n")
	if !d.m.scr.typing() {
		t.Fatal("n on an earlier question did not open the composer")
	}
	d.waitNotice("Back on Q2, the room's current question")
	d.typeText("a space vote sort")
	d.press("enter")
	d.waitFor("the idea", func() bool { return d.idea("a space vote sort") != nil })
	if i := d.idea("a space vote sort"); i.Question != "q2" || i.Anonymous {
		t.Fatalf("idea = %+v; want it on q2, named", i)
	}
}
