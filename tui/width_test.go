package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// TestWideTextKeepsTheLayout fills a room with emoji sequences and
// right-to-left names and ideas and checks that no line of any screen is
// wider than the terminal, measured by grapheme clusters (as terminals
// with mode 2027 draw) and by code points (as the others do). Indic
// scripts with spacing marks are still a cell or two wider by code
// points (see docs/design.md); they are not in this test.
func TestWideTextKeepsTheLayout(t *testing.T) {
	tr := startRelay(t)
	names := []string{"👩🏽\u200d💻 Zaid", "محمد عبد الله", "👨\u200d👩\u200d👧\u200d👦 Famiglia", "🏳️\u200d🌈 Ren",
		"王芳 🇮🇹", "Ana ❤️ 1️⃣"}
	for i, n := range names {
		p := tr.peer("Manzoni", session.Participant, n, "")
		p.idea("q1", strings.Repeat("👩\u200d❤️\u200d👨 فكرة جيدة للمستقبل ", i+1)+"🇪🇺", false, "")
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		for _, role := range []session.Role{session.Chair, session.Participant, session.Rapporteur} {
			d := newDriver(t, tr.dial("Manzoni", role, "Ana "+string(role), ""), size[0], size[1], nil)
			d.settled()
			d.waitView("Famiglia")
			for _, keys := range [][]string{nil, {"tab"}, {"tab"}, {"p"}} {
				d.press(keys...)
				d.pump()
				for i, line := range strings.Split(d.view(), "\n") {
					g, wc := ansi.StringWidth(line), ansi.StringWidthWc(line)
					if g > size[0] || wc > size[0] {
						t.Errorf("%s at %dx%d after %v: line %d is %d cells (%d by code points) wide:\n%s",
							role, size[0], size[1], keys, i+1, g, wc, line)
					}
				}
			}
		}
	}
}
