package tui

import (
	"flag"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// smallWorld is Manzoni on Q2 with a few ideas, a thread and votes.
func smallWorld(t testing.TB) *world {
	w := newWorld(t)
	w.join("Chiara", session.Chair, "Manzoni")
	w.join("Rafael", session.Rapporteur, "Manzoni")
	w.join("Ada", session.Participant, "Manzoni")
	w.join("Bruno", session.Participant, "Manzoni")
	w.join("Dario", session.Participant, "Verdi")
	w.join("Olga", session.Organizer, "")
	w.do("Chiara", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	cal := w.idea("Ada", "q2", "Shared calendars")
	w.idea("Bruno", "q2", "A retreat")
	w.do("Bruno", session.KindIdeaAdd, session.IdeaAdd{Question: "q2", Text: "as a feed", BuildsOn: cal})
	w.do("Bruno", session.KindIdeaVote, session.IdeaRef{Idea: cal})
	return w
}

// Every role's screen fills the terminal exactly, from 80×24 up, on dark
// and light backgrounds.
func TestScreensFitTheTerminal(t *testing.T) {
	w := smallWorld(t)
	for _, name := range []string{"Ada", "Chiara", "Rafael", "Olga"} {
		for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 50}} {
			for _, dark := range []bool{true, false} {
				m := w.model(name, size[0], size[1], w.at)
				m = step(m, tea.BackgroundColorMsg{Color: bg(dark)})
				if m.a.styles.IsDark != dark {
					t.Fatalf("%s: styles IsDark = %v after a background message; want %v", name, m.a.styles.IsDark, dark)
				}
				lines := strings.Split(m.View().Content, "\n")
				if len(lines) != size[1] {
					t.Errorf("%s %dx%d: %d lines; want %d\n%s", name, size[0], size[1], len(lines), size[1], ansi.Strip(m.View().Content))
				}
				for i, l := range lines {
					if ansi.StringWidth(l) > size[0] {
						t.Errorf("%s %dx%d: line %d is %d wide: %q", name, size[0], size[1], i, ansi.StringWidth(l), ansi.Strip(l))
					}
				}
				if v := m.View(); !v.AltScreen || !strings.Contains(v.WindowTitle, "breakout") {
					t.Errorf("%s: view alt screen %v, title %q", name, v.AltScreen, v.WindowTitle)
				}
			}
		}
	}
}

func bg(dark bool) color.Color {
	if dark {
		return color.RGBA{0x10, 0x10, 0x10, 0xff}
	}
	return color.RGBA{0xf8, 0xf8, 0xf8, 0xff}
}

func TestStylesDifferByBackground(t *testing.T) {
	d, l := NewStyles(true), NewStyles(false)
	if d.Accent.GetForeground() == l.Accent.GetForeground() || d.Glamour == l.Glamour {
		t.Fatal("dark and light styles are the same")
	}
}

func TestHelpPageAndQuit(t *testing.T) {
	w := smallWorld(t)
	m := w.model("Chiara", 80, 24, w.at)
	if m.showHelp {
		t.Fatal("help shown at start")
	}
	m = step(m, keyPress("?"))
	v := ansi.Strip(m.View().Content)
	for _, want := range []string{"Keys for the chair", "pose next Q", "merge into…", "who takes part"} {
		if !strings.Contains(v, want) {
			t.Errorf("? page lacks %q:\n%s", want, v)
		}
	}
	m = step(m, keyPress("esc"))
	if m.showHelp {
		t.Fatal("esc did not close the help")
	}
	_, cmd := m.Update(keyPress("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}

// The participant's help does not offer the chair's keys.
func TestKeysFollowTheRole(t *testing.T) {
	w := smallWorld(t)
	m := step(w.model("Ada", 80, 24, w.at), keyPress("?"))
	v := ansi.Strip(m.View().Content)
	if strings.Contains(v, "pose next Q") || !strings.Contains(v, "vote/unvote") {
		t.Fatalf("participant's ? page:\n%s", v)
	}
	o := step(w.model("Olga", 80, 24, w.at), keyPress("?"))
	if v := ansi.Strip(o.View().Content); strings.Contains(v, "new idea") || !strings.Contains(v, "broadcast") {
		t.Fatalf("organizer's ? page:\n%s", v)
	}
	// Keys a role lacks do nothing.
	m = step(w.model("Ada", 80, 24, w.at), keyPress(">"))
	if g := m.a.state.Group("Manzoni"); g.Current != "q2" {
		t.Fatalf("a participant's > moved the room to %s", g.Current)
	}
}

// The idea list: pinned first, then newest or most voted, threads under
// their parent; the derived rows are rebuilt only when the replica moves.
func TestIdeaListOrderAndCache(t *testing.T) {
	w := smallWorld(t)
	m := w.model("Ada", 80, 24, w.at)
	l := m.scr.(*participantScreen).m.list
	texts := func() string {
		l.refresh()
		var out []string
		for _, r := range l.rows {
			out = append(out, strings.Repeat(">", r.depth)+r.idea.Text)
		}
		return strings.Join(out, "|")
	}
	if got := texts(); got != "A retreat|Shared calendars|>as a feed" {
		t.Fatalf("newest first = %s", got)
	}
	l.sort = byVotes
	if got := texts(); got != "Shared calendars|>as a feed|A retreat" {
		t.Fatalf("most voted first = %s", got)
	}
	rows := &l.rows[0]
	m.View()
	if &l.rows[0] != rows {
		t.Fatal("rows rebuilt without a change")
	}
	before := l.rev
	m = step(m, keyPress("j"))
	m.View()
	if l.rev != before {
		t.Fatal("a key rebuilt the rows")
	}
}

// docs/keys.md is generated from the key maps; -update rewrites it.
func TestKeysDoc(t *testing.T) {
	path := filepath.Join("..", "docs", "keys.md")
	want := KeysMarkdown()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tui -run TestKeysDoc -update writes it)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/keys.md is out of date; go test ./tui -run TestKeysDoc -update")
	}
}

// The demo's join codes have a page of their own (i), named at the top of
// ?, and a long data path is wrapped, not cut.
func TestDemoInfoPage(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("Manzoni", session.Participant, "Ada", ""), 80, 24, nil)
	d.settled()
	path := "/tmp/breakout-demo-1234567890/a/rather/deep/directory/that/goes/on/and/on/until/the/end-of-the-path"
	d.m.a.extra = "breakout demo: relay at ws://127.0.0.1:7780/ws, data in " + path + "\n\nVerdi participant  abcd-efgh-ijklm\n"
	d.press("?")
	d.waitView("i: how others join")
	d.press("esc")
	d.waitView("i how others join")
	d.press("i")
	d.waitView("abcd-efgh-ijklm", "end-of-the-path")
	if got := strings.ReplaceAll(strings.ReplaceAll(d.view(), "\n", ""), " ", ""); !strings.Contains(got, path) {
		t.Fatalf("the data path is not all there:\n%s", d.view())
	}
	d.press("esc")
	d.waitView("No ideas yet")
}
