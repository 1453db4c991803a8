package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// wordList is n words "prefix00000 ", each in it once.
func wordList(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s%05d ", prefix, i)
	}
	return b.String()
}

// missingWords lists the words of wordList(prefix, n) that text lacks.
func missingWords(text, prefix string, n int) []string {
	var out []string
	for i := range n {
		if w := fmt.Sprintf("%s%05d", prefix, i); !strings.Contains(text, w) {
			out = append(out, w)
		}
	}
	return out
}

// Two rapporteurs add to long minutes at once; merged, the text is over
// the length the relay takes. Every word of both stays in the window that
// merged it, unsaved, and the screen says by how much to shorten it: the
// editor used to cut the merged text at the limit without a word.
func TestMergedMinutesOverTheLimitKeepEveryWord(t *testing.T) {
	tr := startRelay(t)
	w := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 120, 36, nil)
	w.settled()
	bot := tr.peer("Manzoni", session.Rapporteur, "Bot Rapporteur", "")
	base := wordList("base", 3300) // 33,000 characters
	bot.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: base})
	w.press("tab")
	ed := w.m.scr.(*rapporteurScreen).minutes
	w.waitFor("the saved minutes", func() bool { return ed.shadowV == 1 && ed.ta.Value() == base })
	ed.ta.MoveToEnd()
	w.send(tea.PasteMsg{Content: "\n" + wordList("B", 2300)}) // 16,100 characters, here
	bot.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: base + "\n" + wordList("A", 2300), Base: session.BaseOf(1)})
	w.waitFor("both additions merged here", func() bool {
		return strings.Contains(ed.ta.Value(), "A02299") && strings.Contains(ed.ta.Value(), "B02299") && ed.failed
	})
	text := ed.ta.Value()
	for _, p := range []struct {
		prefix string
		n      int
	}{{"base", 3300}, {"A", 2300}, {"B", 2300}} {
		if m := missingWords(text, p.prefix, p.n); len(m) > 0 {
			t.Fatalf("%d words of %s lost in the merge, the first %q", len(m), p.prefix, m[0])
		}
	}
	w.waitView("not saved:", "over the limit")
	if !w.m.scr.unsent() {
		t.Error("the screen does not count the unsaved minutes as unsent")
	}
	if x := w.text(session.Minutes, "Manzoni", "q1"); x == nil || strings.Contains(x.Body, "B00000") {
		t.Error("minutes over the limit were saved")
	}
}

// Minutes the relay would refuse (here a character nobody sees, typed)
// are not sent and not dropped when the chair moves the room on: they
// are kept for their question, counted as unsent, and back when the
// editor returns to it.
func TestRefusedMinutesKeptWhenTheQuestionMoves(t *testing.T) {
	tr := startRelay(t)
	w := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 120, 36, nil)
	w.settled()
	chair := tr.peer("Manzoni", session.Chair, "Chiara", "")
	w.press("tab")
	ed := w.m.scr.(*rapporteurScreen).minutes
	w.typeText("Kept words: co\u00adoperation matters")
	w.waitView("couldn't save the minutes")
	w.waitFor("the text refused here", func() bool { return ed.failed })
	chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	w.waitFor("the editor on Q2", func() bool { return ed.question == "q2" })
	w.waitView("come back when you return")
	if !strings.Contains(w.m.UnsentText(), "Kept words") || !w.m.scr.unsent() {
		t.Fatalf("the minutes of Q1 are not counted as unsent: %q", w.m.UnsentText())
	}
	if x := w.text(session.Minutes, "Manzoni", "q1"); x != nil {
		t.Fatalf("refused minutes reached the relay: %q", x.Body)
	}
	chair.do(session.KindQuestionPose, session.QuestionPose{Question: "q1"})
	w.waitFor("the editor back on Q1", func() bool { return ed.question == "q1" })
	if got := ed.ta.Value(); got != "Kept words: co\u00adoperation matters" {
		t.Fatalf("back on Q1 the minutes read %q", got)
	}
	// Taking the hidden character out saves them.
	w.m.scr.(*rapporteurScreen).setFocus(paneMinutes)
	ed.ta.SetValue("Kept words: cooperation matters")
	w.press("ctrl+s")
	w.waitFor("the minutes saved", func() bool {
		x := w.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == "Kept words: cooperation matters"
	})
}

// Minutes typed without a pause, so not yet saved, are saved when the
// program is asked to quit from outside (SIGTERM, or SIGHUP when the
// terminal closes: see stopOnDone): they reach the relay, not only the
// screen.
func TestQuitSavesMinutesTypedWithoutAPause(t *testing.T) {
	tr := startRelay(t)
	w := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 120, 36, nil)
	w.settled()
	w.press("tab")
	w.typeText("Typed right up to the moment the terminal closed")
	ed := w.m.scr.(*rapporteurScreen).minutes
	if !ed.dirty() {
		t.Fatal("the minutes are not waiting to be saved")
	}
	w.send(quitMsg{})
	w.waitFor("the minutes saved", func() bool {
		x := w.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == "Typed right up to the moment the terminal closed"
	})
	if !w.quit.Load() {
		t.Error("the program did not quit")
	}
}

// A pasted text loses the characters nobody sees, which the relay would
// refuse, and keeps every word; the screen says so.
func TestPasteLeavesOutInvisibleCharacters(t *testing.T) {
	tr := startRelay(t)
	w := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 120, 36, nil)
	w.settled()
	w.press("tab")
	w.send(tea.PasteMsg{Content: "Pasted from a web page: co\u00adoperation and the Arabic \u200fمرحبا word.\r\nSecond line"})
	ed := w.m.scr.(*rapporteurScreen).minutes
	want := "Pasted from a web page: cooperation and the Arabic مرحبا word.\nSecond line"
	if got := ed.ta.Value(); got != want {
		t.Fatalf("the paste reads %q; want %q", got, want)
	}
	w.waitView("nobody sees")
	w.waitFor("the minutes saved", func() bool {
		x := w.text(session.Minutes, "Manzoni", "q1")
		return x != nil && x.Body == want
	})
}

// newProgramTestIO are the options of a program that reads no terminal
// and draws nowhere.
func newProgramTestIO() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(io.Discard)}
}

// stopModel records that it was asked to quit.
type stopModel struct{ asked chan struct{} }

func (m stopModel) Init() tea.Cmd { return nil }
func (m stopModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(quitMsg); ok {
		close(m.asked)
		return m, tea.Quit
	}
	return m, nil
}
func (m stopModel) View() tea.View { return tea.NewView("") }

// A program stopped from outside (SIGTERM, or SIGHUP when the terminal
// closes) is asked to quit as the person would, which saves what waits
// to be saved, rather than killed on the spot.
func TestStopFromOutsideQuitsAsThePersonWould(t *testing.T) {
	m := stopModel{asked: make(chan struct{})}
	p := newProgram(m, newProgramTestIO()...)
	ctx, cancel := context.WithCancel(context.Background())
	stop := stopOnDone(ctx, p)
	defer stop()
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-m.asked:
	case <-time.After(30 * time.Second):
		t.Fatal("the program was not asked to quit")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the program ended with %v; want a plain quit", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the program did not end")
	}
}

// earlierOutbox leaves ops in a state directory's outbox as a run of the
// program that ended offline would have: the next run sends them.
func earlierOutbox(t *testing.T, dir string, ops ...session.Op) {
	t.Helper()
	b, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outbox.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// An idea and minutes queued by an earlier run of the program, which the
// relay refuses once the next run sends them (the room was locked, the
// minutes over the limit), come back to the person: the idea as a draft
// of its own, still anonymous, the minutes in the editor. Their text was
// only in the outbox.
func TestEarlierRunsRefusedTextsComeBack(t *testing.T) {
	tr := startRelay(t)
	dir := t.TempDir()
	first := tr.dial("Manzoni", session.Rapporteur, "Rafael", dir)
	first.Close()
	chair := tr.peer("Manzoni", session.Chair, "Chiara", "")
	chair.do(session.KindGroupLock, struct{}{})
	idea := session.NewOp("earlier-1", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "An idea typed on the train", Anonymous: true})
	long := strings.Repeat("minutes typed offline ", session.MaxLongText/20)
	minutes := session.NewOp("earlier-2", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: long, Base: session.BaseOf(0)})
	earlierOutbox(t, dir, idea, minutes)
	w := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", dir), 120, 36, nil)
	w.waitFor("both refusals", func() bool {
		s, ok := w.m.scr.(*rapporteurScreen)
		return ok && len(s.m.comp.back) == 1 && s.minutes.ta.Value() != ""
	})
	back := w.m.scr.(*rapporteurScreen).m.comp.back[0]
	if back.text != "An idea typed on the train" || !back.anon {
		t.Errorf("the idea came back as %+v; want its text, anonymous", back)
	}
	ed := w.m.scr.(*rapporteurScreen).minutes
	if ed.ta.Value() != long || !ed.unsent() {
		t.Errorf("the minutes came back as %d characters, unsent %v; want the %d typed, unsent", len(ed.ta.Value()), ed.unsent(), len(long))
	}
	if u := w.m.UnsentText(); !strings.Contains(u, "An idea typed on the train") || !strings.Contains(u, "minutes typed offline") {
		t.Errorf("the texts given back are not counted as unsent")
	}
}
