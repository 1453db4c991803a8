package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	d.waitView("saved · v1")
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

// Two rapporteurs write the same minutes: the second save of the one who
// did not see the other's change is refused as a conflict, and ctrl+r
// takes the other's text.
func TestRapporteurConflict(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 80, 24)
	d := r.d
	other := r.tr.peer("Manzoni", session.Rapporteur, "Rita", "")
	d.press("tab")
	d.typeText("Mine.")
	d.waitFor("v1", func() bool { x := d.text(session.Minutes, "Manzoni", "q1"); return x != nil && x.Version == 1 })

	// Rita saves on top of v1 while Rafael types: his save is based on
	// v1 too, and is refused.
	d.typeText(" More")
	other.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Rita's version.", Base: 1})
	d.waitView("couldn't save the minutes", "changed elsewhere")
	if got := d.m.scr.(*rapporteurScreen).minutes.ta.Value(); got != "Mine. More" {
		t.Fatalf("editor after conflict = %q; want the typed text kept", got)
	}
	if !d.m.scr.unsent() {
		t.Fatal("a conflict does not count as unsent text")
	}
	d.press("ctrl+r")
	d.waitFor("reloaded", func() bool { return d.m.scr.(*rapporteurScreen).minutes.ta.Value() == "Rita's version." })

	// ctrl+s keeps one's own text over the other's.
	d.typeText(" Plus mine.")
	d.press("ctrl+s")
	d.waitFor("mine saved", func() bool {
		x := d.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == "Rita's version. Plus mine."
	})
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
