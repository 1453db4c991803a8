package tui

import (
	"strings"
	"testing"

	"breakout/session"
)

// The author of an idea the chair hides is told, since the idea leaves
// their list; another member is not.
func TestAuthorToldOfHiddenIdea(t *testing.T) {
	tr := startRelay(t)
	chair := tr.peer("Manzoni", session.Chair, "Cleo", "")
	other := newDriver(t, tr.dial("Manzoni", session.Participant, "Ben", ""), 80, 24, nil)
	d := newDriver(t, tr.dial("Manzoni", session.Participant, "Ada", ""), 80, 24, nil)
	d.settled()
	other.settled()
	_, cmd := d.m.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Night trains between all capitals"}, "add the idea")
	d.run(cmd)
	d.waitView("Night trains")
	chair.waitFor("the idea", func() bool { return len(chair.state.Ideas) == 1 })
	var id string
	for id = range chair.state.Ideas {
	}
	chair.do(session.KindIdeaHide, session.IdeaFlag{Idea: id, On: true})
	d.waitView("the chair hid your idea “Night trains between all capi…”; its votes went back")
	other.waitFor("the hidden idea", func() bool { return other.m.a.state.Ideas[id] != nil && other.m.a.state.Ideas[id].Hidden })
	if v := other.view(); strings.Contains(v, "hid your idea") {
		t.Errorf("another member's view = %s; want no notice of the hidden idea", v)
	}
	chair.do(session.KindIdeaHide, session.IdeaFlag{Idea: id, On: false})
	d.waitView("the chair shows your idea “Night trains between all capi…” again")
}
