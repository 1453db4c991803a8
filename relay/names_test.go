package relay

import (
	"strings"
	"testing"

	"breakout/session"
)

// TestHelloWithInvisibleOrImpersonatingNameRefused: a name that shows
// blank, hides characters, stacks marks over other lines or writes a
// role into itself never becomes a person others see; names in any
// script and with emoji still join.
func TestHelloWithInvisibleOrImpersonatingNameRefused(t *testing.T) {
	h := newHostileRoom(t, Config{})
	code := h.codes.code(t, "Manzoni", session.Participant)
	for _, name := range []string{
		"\u3164",                              // Hangul filler: a blank name
		"\u115f\u1160",                        // more fillers
		"Eve\u200b",                           // zero-width space
		"E\u200bv\u200be",                     // a second "Eve" that differs
		"Eve\U000E0041\U000E0042",             // tag characters
		"\ufeffEve",                           // byte order mark
		"Eve" + strings.Repeat("\u0301", 998), // marks over the lines around
		"Eve (chair)",                         // passing for the chair
		"Eve [Rapporteur]",
	} {
		ws := rawDial(t, h.tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: code, Name: name})
		werr, _ := expectClosed(t, ws)
		if werr == nil || werr.Code != string(session.CodeInvalid) {
			t.Errorf("hello name %q: error %+v; want invalid", name, werr)
		}
	}
	for _, p := range roomState(t, h.tr.srv, h.codes.Session).People {
		if strings.Contains(p.Name, "Eve") || strings.ContainsRune(p.Name, '\u3164') {
			t.Errorf("person %q joined", p.Name)
		}
	}
	for _, name := range []string{"محمد عبد الله", "देवी", "王芳", "👩\u200d💻 Zaid", "Ana 🇮🇹"} {
		ws := rawDial(t, h.tr.url)
		w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: name})
		if w.You.Name != name {
			t.Errorf("hello name %q: welcome as %q", name, w.You.Name)
		}
	}
}
