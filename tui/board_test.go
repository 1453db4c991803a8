package tui

import (
	"slices"
	"strings"
	"testing"

	"breakout/report"
	"breakout/session"
)

// TestMergeBoard builds conference themes the way an organizer would, live
// while rapporteurs tag: a suggestion from matching tags is accepted under
// a new name, one worded alike is set aside, a group's whole tag and a
// single idea join a theme, a theme is split and merged back, an idea is
// taken out, a theme dismissed. At 80×24 the panes take turns.
func TestMergeBoard(t *testing.T) {
	tr := startRelay(t)
	mr := tr.peer("Manzoni", session.Rapporteur, "Marco", "")
	vr := tr.peer("Verdi", session.Rapporteur, "Vera", "")
	ma := tr.peer("Manzoni", session.Participant, "Ada", "")
	va := tr.peer("Verdi", session.Participant, "Vic", "")
	night := ma.idea("q1", "Night trains to every capital", false, "")
	sleep := va.idea("q1", "Bring back the sleeper cars", false, "")
	ma.idea("q1", "Publish every dataset openly", false, "")
	va.idea("q1", "Publish the datasets openly for all", false, "")
	pass := va.idea("q1", "A rail pass for visiting researchers", false, "")
	mr.do(session.KindIdeaTheme, session.IdeaTheme{Idea: night, Theme: "Rail"})

	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 80, 24, nil)
	d.settled()
	d.press("M")
	d.waitView("Merge board · Q1/3", "Conference themes", "no conference theme yet")

	// Live: Verdi's rapporteur tags as Manzoni's did, in another spelling,
	// and the tag suggestion appears.
	vr.do(session.KindIdeaTheme, session.IdeaTheme{Idea: sleep, Theme: "rails"})
	vr.do(session.KindIdeaTheme, session.IdeaTheme{Idea: pass, Theme: "Passes"})
	d.press("tab")
	d.waitView("Suggestions", "2/2 groups · tag · Rail", "2/2 groups · alike · Publish")

	// x sets the wording suggestion aside; it does not come back.
	d.selectRow("Publish")
	d.press("x")
	d.waitFor("set aside", func() bool { return len(d.m.a.state.Dismissed["q1"]) == 1 })
	d.waitFor("gone", func() bool { return !strings.Contains(d.view(), "alike · Publish") })

	// r accepts the tag suggestion under a name of one's own.
	d.press("g", "r")
	if !d.m.scr.typing() {
		t.Fatal("r did not ask for a name")
	}
	d.typeText(" across Europe")
	d.press("enter")
	var theme *session.Theme
	d.waitFor("theme", func() bool {
		for _, th := range d.m.a.state.Themes {
			// The ideas in either order: a suggestion lists its ideas
			// most representative first, and these two tie.
			theme = th
			ideas := slices.Sorted(slices.Values(th.Ideas))
			want := slices.Sorted(slices.Values([]string{night, sleep}))
			return (th.Name == "Rail across Europe" || th.Name == "Rails across Europe") && slices.Equal(ideas, want)
		}
		return false
	})

	// i adds Verdi's whole "Passes" tag to the theme.
	d.press("tab", "tab") // themes
	d.press("i")
	d.waitView("Add to the theme", "Verdi #passes")
	d.selectRow("Verdi #passes")
	d.press("enter")
	d.waitFor("tag added", func() bool { return slices.Contains(d.m.a.state.Themes[theme.ID].Ideas, pass) })

	// In the theme's ideas, space marks and s splits them off.
	d.press("tab", "tab") // ideas
	d.waitView("Ideas of " + theme.Name)
	d.selectRow("Verdi A rail pass")
	d.press("space", "s")
	d.typeText("Passes")
	d.press("enter")
	d.waitFor("split", func() bool { return len(d.m.a.state.Themes) == 2 })

	// m … m merges it back.
	d.press("tab") // themes
	d.press("G", "m", "g", "m")
	d.waitFor("merged", func() bool {
		return len(d.m.a.state.Themes) == 1 && len(d.m.a.state.Themes[theme.ID].Ideas) == 3
	})

	// o takes an idea out; x, confirmed, dismisses the theme.
	d.press("shift+tab") // ideas, the pane before the themes
	d.press("g", "o")
	d.waitFor("out", func() bool { return len(d.m.a.state.Themes[theme.ID].Ideas) == 2 })
	d.press("tab") // themes
	d.press("x")
	d.waitView("Dismiss the theme")
	d.press("y")
	d.waitFor("dismissed", func() bool { return len(d.m.a.state.Themes) == 0 })
	d.press("esc")
	d.waitView("Group", "Manzoni", "Verdi")
}

// selectRow moves the selection of the focused list to the row that holds
// text.
func (d *driver) selectRow(text string) {
	d.t.Helper()
	d.press("g")
	for range 30 {
		for _, line := range strings.Split(d.view(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "▌") && strings.Contains(line, text) {
				return
			}
		}
		d.press("j")
	}
	d.t.Fatalf("no row %q to select:\n%s", text, d.view())
}

// TestOrganizerWritesExecutiveSummary: before the first question's
// synthesis come the executive summary and the recommendations; what the
// organizer writes there opens the conference report.
func TestOrganizerWritesExecutiveSummary(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 80, 24, nil)
	d.settled()
	d.press("S")
	d.waitView("Synthesis · Q1/3")
	d.press("[")
	d.waitView("Recommendations", "of the whole conference")
	d.press("tab")
	d.typeText("- Fund night trains")
	d.press("esc", "[")
	d.waitView("Executive summary", "of the whole conference")
	d.press("tab")
	d.typeText("Every group asked for trains.")
	d.press("esc")
	d.waitFor("both saved", func() bool {
		e := d.m.a.state.Text(session.Executive, "", "")
		r := d.m.a.state.Text(session.Recommendations, "", "")
		return e != nil && e.Body == "Every group asked for trains." && r != nil && r.Body == "- Fund night trains"
	})
	md := report.ConferenceMarkdown(d.m.a.state)
	exec, recs, method := strings.Index(md, "## Executive summary\n\nEvery group asked for trains."),
		strings.Index(md, "## Recommendations\n\n- Fund night trains"), strings.Index(md, "## Purpose and method")
	if exec < 0 || recs < exec || method < recs {
		t.Errorf("the conference report does not open with the executive summary, then the recommendations:\n%s", md)
	}
	d.press("]", "]")
	d.waitView("Synthesis · Q1/3")
}

// TestLineInputKeepsWhatEscLeaves: esc on a half-typed recommendation or
// broadcast keeps the text, which comes back when the same question opens
// again, counts as unsent on quitting, and is gone once sent.
func TestLineInputKeepsWhatEscLeaves(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()
	d.press("M", "R", "n")
	d.typeText("Open the archive to every partner")
	d.press("esc")
	d.waitView("kept what you typed")
	if !d.m.scr.unsent() || !strings.Contains(d.m.UnsentText(), "Open the archive to every partner") {
		t.Fatalf("the kept recommendation is not counted as unsent (%q)", d.m.UnsentText())
	}
	d.press("n")
	d.waitView("› Open the archive to every partner")
	d.press("enter")
	d.waitFor("the recommendation", func() bool { return len(d.m.a.state.RecommendationsOf("q1")) == 1 })
	if d.m.scr.unsent() {
		t.Errorf("a sent recommendation still counts as unsent")
	}
	d.press("n")
	d.waitView("New recommendation")
	if v := d.m.scr.(*organizerScreen).board.input.ti.Value(); v != "" {
		t.Errorf("after sending, n opens with %q; want nothing", v)
	}
	d.press("esc", "esc", "esc")

	d.press("b")
	d.typeText("Lunch is at one")
	d.press("esc")
	d.press("b")
	d.waitView("› Lunch is at one")
}
