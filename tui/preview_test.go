package tui

import (
	"strings"
	"testing"

	"breakout/session"
)

// TestPreviewRendersRapporteursMarkdown: the report preview shows what the
// rapporteur wrote as Markdown (a heading, a list, line breaks) and an
// idea typed on two lines on two lines, with no escapes in sight.
func TestPreviewRendersRapporteursMarkdown(t *testing.T) {
	r := newRoom(t, session.Rapporteur, 100, 40)
	d := r.d
	r.chair.idea("q1", "Shared calendars\nfor every team", false, "")
	other := r.tr.peer("Manzoni", session.Rapporteur, "Rita", "")
	other.do(session.KindSummaryEdit, session.TextEdit{Question: "q1",
		Text: "## Agreed\n- one calendar\n- one retreat\nAna spoke first\nBo answered <b>loudly</b>"})
	d.waitFor("summary", func() bool {
		x := d.text(session.Summary, "Manzoni", "q1")
		return x != nil && x.Body != ""
	})
	d.press("shift+tab")
	// "## Agreed" under "### Summary" is a heading one level further in.
	d.waitView("Report preview", "##### Agreed", "• one calendar", "• one retreat")
	v := d.view()
	for _, bad := range []string{`\#`, `\-`, `\<`} {
		if strings.Contains(v, bad) {
			t.Errorf("preview shows %q; the rapporteur's Markdown should render:\n%s", bad, v)
		}
	}
	for _, want := range [][2]string{{"Ana spoke first", "Bo answered <b>loudly</b>"}, {"Shared calendars", "for every team"}} {
		if !linesFollow(v, want[0], want[1]) {
			t.Errorf("preview does not show %q and %q on consecutive lines:\n%s", want[0], want[1], v)
		}
	}
}

// linesFollow reports whether a line holding b comes right after a line
// holding a.
func linesFollow(view, a, b string) bool {
	lines := strings.Split(view, "\n")
	for k := 0; k+1 < len(lines); k++ {
		if strings.Contains(lines[k], a) && strings.Contains(lines[k+1], b) {
			return true
		}
	}
	return false
}
