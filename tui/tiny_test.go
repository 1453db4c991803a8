package tui

import (
	"testing"

	"breakout/session"
)

// Tiny terminals do not break the screens, whatever is open.
func TestTinyTerminals(t *testing.T) {
	w := smallWorld(t)
	w.do("Rafael", session.KindMinutesEdit, session.TextEdit{Question: "q2", Text: "some minutes\nand more"})
	for _, name := range []string{"Ada", "Chiara", "Rafael", "Olga"} {
		for _, size := range [][2]int{{1, 1}, {20, 5}, {40, 10}, {79, 23}} {
			m := w.model(name, size[0], size[1], w.at)
			for _, k := range []string{"?", "esc", "n", "esc", "w", "tab", "tab", "tab", "tab", "enter", "S", "tab", "b", "esc", "esc"} {
				m = step(m, keyPress(k))
				m.View()
			}
		}
	}
}
