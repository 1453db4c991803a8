package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

func (d *driver) text(kind, group, q string) *session.Text {
	return d.m.a.state.Text(kind, group, q)
}

func TestRapporteurMinutesAndSummary(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 80, 24)
	d := r.d
	s := d.m.scr.(*rapporteurScreen)

	// tab goes to the minutes; typing is saved a little after a pause.
	d.press("tab")
	if !d.m.scr.typing() || s.focus != paneMinutes {
		t.Fatalf("after tab: focus %v, typing %v", s.focus, d.m.scr.typing())
	}
	d.typeText("Ada opened.")
	d.waitFor("minutes saved", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == "Ada opened."
	})
	d.waitView("saved v1")
	d.typeText(" Bruno agreed.")
	d.waitFor("minutes v2", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Version == 2 && x.Body == "Ada opened. Bruno agreed."
	})

	// tab again: the summary.
	d.press("tab")
	if s.focus != paneSummary {
		t.Fatalf("second tab: focus %v; want the summary", s.focus)
	}
	d.typeText("Calendars first.")
	d.waitFor("summary saved", func() bool {
		x := d.text(session.Summary, "Manzoni", "q1")
		return x != nil && x.Body == "Calendars first."
	})

	// esc leaves the editor; q then quits instead of typing.
	d.press("esc")
	if d.m.scr.typing() || s.focus != paneIdeas {
		t.Fatalf("after esc: focus %v, typing %v", s.focus, d.m.scr.typing())
	}

	// A new question: the editors follow it, empty.
	r.chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	d.waitView("Q2/3")
	d.press("tab")
	d.waitView("Minutes", "empty")
	if v := s.minutes.ta.Value(); v != "" {
		t.Fatalf("minutes of q2 = %q; want empty", v)
	}
	d.typeText("Second question.")
	// Going back to q1 saves what was typed for q2 at once.
	d.press("esc", "[")
	d.waitFor("q2 minutes saved on leaving", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q2")
		return x != nil && x.Body == "Second question."
	})
	if v := s.minutes.ta.Value(); v != "Ada opened. Bruno agreed." {
		t.Fatalf("minutes of q1 shown = %q", v)
	}
}

// Two rapporteurs write the same minutes: what the other saves while
// Rafael types is merged into his editor, he is told who changed it, and
// his typing is saved on top; nothing either typed is lost.
func TestRapporteurMergesConcurrentEdits(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 80, 24)
	d := r.d
	s := d.m.scr.(*rapporteurScreen)
	other := r.tr.peer("Manzoni", session.Rapporteur, "Rita", "")
	d.press("tab")
	d.waitView("Minutes · Q1", "What should we keep?")
	d.typeText("Mine.")
	d.waitFor("v1", func() bool { x := d.text(session.Minutes, "Manzoni", "q1"); return x != nil && x.Version == 1 })

	// Rita saves on top of v1 while Rafael types.
	d.typeText(" More")
	other.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Rita first.\nMine.", Base: session.BaseOf(1)})
	d.waitView("Rita (rapporteur) changed the minutes")
	want := "Rita first.\nMine. More"
	d.waitFor("both in the editor", func() bool { return s.minutes.ta.Value() == want })
	d.waitFor("both saved", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == want && !s.minutes.dirty() && len(s.minutes.inflight) == 0
	})
	if d.m.scr.unsent() {
		t.Fatal("merged text counts as unsent")
	}

	// Rita rewords what Rafael rewords at the same time: both kept, his
	// marked, and he is told.
	base := d.text(session.Minutes, "Manzoni", "q1").Version
	other.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Rita first.\nMine. Much more", Base: session.BaseOf(base)})
	x := other.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Rita first.\nMine. Less", Base: session.BaseOf(base)})
	_ = x
	d.waitFor("the overlap merged", func() bool {
		b := s.minutes.ta.Value()
		return strings.Contains(b, "Much more") && strings.Contains(b, session.MarkOpen) && strings.Contains(b, "Less")
	})
}

// ctrl+r drops typed text only when the person says so.
func TestRapporteurReloadAsks(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 80, 24)
	d := r.d
	s := d.m.scr.(*rapporteurScreen)
	d.press("tab")
	d.typeText("Saved.")
	d.waitFor("v1", func() bool { x := d.text(session.Minutes, "Manzoni", "q1"); return x != nil && x.Version == 1 })
	d.typeText(" Typed")
	d.press("ctrl+r")
	d.waitView("Drop what you typed in the minutes")
	d.press("n")
	if got := s.minutes.ta.Value(); got != "Saved. Typed" {
		t.Fatalf("after ctrl+r, n: editor = %q; want the typing kept", got)
	}
	d.waitFor("the typing saved", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == "Saved. Typed"
	})
	d.typeText(" Dropped")
	d.press("ctrl+r")
	d.waitView("Drop what you typed")
	d.press("y")
	d.waitFor("reloaded", func() bool { return !strings.Contains(s.minutes.ta.Value(), "Dropped") })
}

// ctrl+o lists the versions with who made them; enter brings one back.
func TestRapporteurVersions(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 100, 30)
	d := r.d
	s := d.m.scr.(*rapporteurScreen)
	other := r.tr.peer("Manzoni", session.Rapporteur, "Rita", "")
	d.press("tab")
	d.typeText("First draft.")
	d.waitFor("v1", func() bool { x := d.text(session.Minutes, "Manzoni", "q1"); return x != nil && x.Version == 1 })
	other.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Rita's rewrite.", Base: session.BaseOf(1)})
	d.waitFor("v2 here", func() bool { return s.minutes.ta.Value() == "Rita's rewrite." })
	d.press("ctrl+o")
	d.waitView("Versions", "v2", "Rita", "v1", "you")
	d.press("down", "enter")
	d.waitFor("v1 restored", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Version == 3 && x.Body == "First draft." && s.minutes.ta.Value() == "First draft."
	})
	if v := d.text(session.Minutes, "Manzoni", "q1").VersionAt(3); v == nil || v.Restored != 1 {
		t.Fatalf("v3 = %+v; want a restore of v1", v)
	}
	d.press("ctrl+o")
	d.waitView("restored v1")
	// Typing while the versions show goes into the text, not lost.
	d.typeText("!")
	if s.minutes.vers != nil || s.minutes.ta.Value() != "First draft.!" {
		t.Fatalf("typing in the versions: editor %q, list open %v; want the key typed and the list closed", s.minutes.ta.Value(), s.minutes.vers != nil)
	}
	d.press("ctrl+o", "esc")
	if s.minutes.vers != nil || s.focus != paneMinutes {
		t.Fatal("esc in the versions did not go back to writing")
	}
}

// The minutes fill the editor after the window grows: no single line
// above rows of blanks.
func TestRapporteurMinutesFollowResize(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 80, 12)
	d := r.d
	d.press("tab")
	for i := range 30 {
		d.typeText(fmt.Sprintf("line %02d", i))
		if i < 29 {
			d.press("enter")
		}
	}
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	v := d.view()
	shown := 0
	for i := range 30 {
		if strings.Contains(v, fmt.Sprintf("line %02d", i)) {
			shown++
		}
	}
	if shown < 25 {
		t.Fatalf("after growing to 160x48 the minutes show %d of 30 lines; screen:\n%s", shown, v)
	}
}

func TestRapporteurThemesKeysPreviewPublishExport(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 100, 30)
	d := r.d
	id := r.chair.idea("q1", "Shared calendars", false, "")
	d.waitView("Shared calendars")

	d.press("#")
	if !d.m.scr.typing() {
		t.Fatal("# did not open the theme input")
	}
	d.typeText("tools")
	d.press("enter")
	d.waitFor("theme", func() bool { return d.m.a.state.Ideas[id].Theme == "tools" })
	d.press("*")
	d.waitFor("key idea", func() bool { return d.m.a.state.Ideas[id].Key })
	d.waitView("key idea · #tools")

	// The preview pane renders the group report.
	d.press("shift+tab")
	d.waitView("Report preview", "Group report: Manzoni")

	d.press("P")
	d.waitView("Publish the group report?")
	d.press("y")
	d.waitFor("published", func() bool { return !d.m.a.state.Group("Manzoni").Published.IsZero() })
	// The ack comes after the event; wait for its notice, or it would
	// replace the export's.
	d.waitView("published:")

	dir := t.TempDir()
	t.Chdir(dir)
	d.press("E")
	path := filepath.Join(dir, "report-manzoni.md")
	d.waitView("wrote")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if !strings.Contains(string(b), "Group report: Manzoni") {
		t.Fatalf("report-manzoni.md = %q; want the group's report", b)
	}
}
