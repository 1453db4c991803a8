package tui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// Two windows on one rapporteur code and a simulated rapporteur write
// the same minutes at once, as in the field test: each window types
// lines, sometimes in the middle of the text, while the bot appends lines
// made on the version it last saw. Afterwards every line anyone wrote is
// in the minutes, both windows show them as saved, and nothing was
// refused.
func TestMinutesNeverLoseAWord(t *testing.T) {
	d := 30 * time.Second
	if testing.Short() {
		d = 8 * time.Second
	}
	tr := startRelay(t)
	w1 := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 80, 24, nil)
	w2 := newDriver(t, tr.dial("Manzoni", session.Rapporteur, "Rafael", ""), 160, 48, nil)
	w1.settled()
	w2.settled()
	bot := tr.peer("Manzoni", session.Rapporteur, "Bot Rapporteur", "")
	for _, w := range []*driver{w1, w2} {
		w.press("tab")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var want []string
	windows := []*driver{w1, w2}
	typed := [2]int{}
	// Each window types its next line a key at a time, interleaved with
	// the other, and handles what arrives in between.
	type typing struct {
		line []rune
		at   int
	}
	cur := [2]*typing{}
	botEvery, nextBot := 700*time.Millisecond, time.Now()
	botN := 0
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for k, w := range windows {
			if cur[k] == nil {
				typed[k]++
				text := fmt.Sprintf("w%d line %d says %s", k+1, typed[k], []string{"yes", "no", "maybe", "later"}[rng.IntN(4)])
				want = append(want, text)
				cur[k] = &typing{line: []rune(text)}
				// Start a new line: at the end, or now and then at the
				// start of the text, above what is there.
				if rng.IntN(4) == 0 {
					w.press("pgup", "pgup", "pgup")
					w.send(keyPress("ctrl+a"))
					w.press("enter", "up")
				} else {
					w.send(keyPress("ctrl+e"))
					for range 3 {
						w.press("pgdown")
					}
					w.send(keyPress("ctrl+e"))
					w.press("enter")
				}
			}
			c := cur[k]
			r := c.line[c.at]
			w.send(keyPressRune(r))
			c.at++
			if c.at == len(c.line) {
				cur[k] = nil
			}
			w.pump()
		}
		if time.Now().After(nextBot) {
			botN++
			line := fmt.Sprintf("- bot line %d", botN)
			want = append(want, line)
			body, base := "", 0
			if x := bot.state.Text(session.Minutes, "Manzoni", "q1"); x != nil {
				body, base = x.Body, x.Version
			}
			if body != "" {
				body += "\n"
			}
			bot.do(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: body + line, Base: session.BaseOf(base)})
			nextBot = time.Now().Add(botEvery)
		}
		time.Sleep(15 * time.Millisecond)
	}
	// Finish the lines being typed, and let everything be saved.
	for k, w := range windows {
		if c := cur[k]; c != nil {
			for _, r := range c.line[c.at:] {
				w.send(keyPressRune(r))
			}
		}
		w.press("ctrl+s")
	}
	settledText := func(w *driver) string {
		ed := w.m.scr.(*rapporteurScreen).minutes
		w.waitFor("the minutes saved", func() bool {
			x := w.text(session.Minutes, "Manzoni", "q1")
			return x != nil && !ed.dirty() && len(ed.inflight) == 0 && ed.shadowV == x.Version
		})
		return ed.ta.Value()
	}
	var final string
	for range 5 { // a last save of one window moves the other on
		a, b := settledText(w1), settledText(w2)
		final = w1.text(session.Minutes, "Manzoni", "q1").Body
		if a == final && b == final && w2.text(session.Minutes, "Manzoni", "q1").Body == final {
			break
		}
	}
	for _, w := range windows {
		if got := w.m.scr.(*rapporteurScreen).minutes.ta.Value(); got != final {
			t.Fatalf("a window shows minutes that differ from the saved ones:\n%s\nsaved:\n%s", got, final)
		}
		if w.m.scr.unsent() {
			t.Fatal("a window holds text it could not save")
		}
	}
	for _, line := range want {
		if !strings.Contains(final, line) {
			t.Errorf("lost: %q", line)
		}
	}
	conflicts := 0
	if x := w1.text(session.Minutes, "Manzoni", "q1"); x != nil {
		for _, v := range x.Versions {
			conflicts += v.Conflicts
		}
		t.Logf("%d lines typed by two windows and the bot, %d versions, %d marked overlaps in the last %d",
			len(want), x.Version, conflicts, len(x.Versions))
	}
	if t.Failed() {
		t.Logf("final minutes:\n%s", final)
	}
}

// keyPressRune is the key press that types r.
func keyPressRune(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }
