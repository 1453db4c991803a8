package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// Tiny terminals do not break the screens, whatever is open: from 20x5
// every view fits the terminal, in width and in height, so nothing wraps
// or scrolls the alt screen, and the screens still say who is looking.
// A 1x1 terminal only must not crash them: no screen can fit it.
func TestTinyTerminals(t *testing.T) {
	w := smallWorld(t)
	w.do("Rafael", session.KindMinutesEdit, session.TextEdit{Question: "q2", Text: "some minutes\nand more"})
	for _, name := range []string{"Ada", "Chiara", "Rafael", "Olga"} {
		for _, size := range [][2]int{{1, 1}, {20, 5}, {40, 10}, {79, 23}} {
			m := w.model(name, size[0], size[1], w.at)
			for _, k := range []string{"?", "esc", "n", "esc", "w", "tab", "tab", "tab", "tab", "enter", "S", "tab", "b", "esc", "esc"} {
				m = step(m, keyPress(k))
				view := m.View().Content
				if size[0] < 20 {
					continue
				}
				lines := strings.Split(view, "\n")
				if len(lines) > size[1] {
					t.Errorf("%s at %dx%d after %q: %d lines; want at most %d", name, size[0], size[1], k, len(lines), size[1])
				}
				for i, l := range lines {
					if wd := ansi.StringWidth(l); wd > size[0] {
						t.Errorf("%s at %dx%d after %q: line %d is %d wide; want at most %d: %q",
							name, size[0], size[1], k, i+1, wd, size[0], ansi.Strip(l))
						break
					}
				}
			}
			if size[0] >= 79 && !strings.Contains(ansi.Strip(m.View().Content), name) {
				t.Errorf("%s at %dx%d: the screen does not name who is looking:\n%s", name, size[0], size[1], ansi.Strip(m.View().Content))
			}
		}
	}
}
