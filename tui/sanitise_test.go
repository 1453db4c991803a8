package tui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/relay"
	"breakout/session"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"Trains\tfirst\nthen buses", "Trains\tfirst\nthen buses"},
		{"👨\u200d👩\u200d👧 العربية हिन्दी 日本語", "👨\u200d👩\u200d👧 العربية हिन्दी 日本語"},
		{"a\x1b]0;pwned\x07b", "ab"},
		{"a\x1b[31mred\x1b[0m", "ared"},
		{"a\x1b[2J\x1b[Hb", "ab"},
		{"a\u009b2Jb", "a2Jb"},
		{"a\u009d8;;http://x\u009cb", "a8;;http://xb"},
		{"a\x07\x08\x7fb", "ab"},
		{"a\u202eevil\u202cb", "aevilb"},
		{"a\rb", "ab"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// hostile is what a fake relay appends to every text it sends: a window
// title (OSC 0), a colour, a screen clear, a hyperlink started by a C1
// control, a bell.
const hostile = `\u001b]0;pwned\u0007\u001b[31;43m\u001b[2J\u009d8;;http://evil\u0007\u009b1;1H\u0007`

// sgr is the program's own styling, which the view may hold.
var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// TestFakeRelayCannotDriveTheTerminal has a fake relay send a welcome
// (and then a broadcast) whose every name, idea, group name, question,
// title and broadcast carries escape sequences; the screen must show the
// texts and hold no control character but its own styling.
func TestFakeRelayCannotDriveTheTerminal(t *testing.T) {
	// A real session gives the welcome's shape; the fake relay sends it
	// with the escape sequences added.
	tr := startRelay(t)
	org := tr.peer("", session.Organizer, "Olga", "")
	tr.peer("Manzoni", session.Chair, "Carla", "")
	p := tr.peer("Manzoni", session.Participant, "Pia", "")
	p.idea("q1", "Trains first", false, "")
	org.do(session.KindBroadcast, session.BroadcastData{Text: "Ten minutes left"})
	p.waitFor("the broadcast", func() bool { return len(p.state.Broadcasts) > 0 })

	b, err := json.Marshal(session.Welcome{Type: session.MsgWelcome, Session: p.state.ID, You: p.you,
		Resume: "tok", Snapshot: p.state, Seq: p.state.Seq})
	if err != nil {
		t.Fatal(err)
	}
	welcome := string(b)
	for _, s := range []string{"Olga", "Carla", "Pia", "Trains first", "Ten minutes left", "Manzoni",
		"What should we keep?", "Breakout groups on the future of the partnership"} {
		if !strings.Contains(welcome, s) {
			t.Fatalf("the welcome has no %q to poison", s)
		}
		welcome = strings.ReplaceAll(welcome, s, s+hostile)
	}
	event := `{"type":"event","seq":` + jsonInt(p.state.Seq+1) + `,"at":"2026-12-01T10:00:00Z","kind":"broadcast",` +
		`"data":{"broadcast":{"seq":` + jsonInt(p.state.Seq+1) + `,"at":"2026-12-01T10:00:00Z","text":"Back at noon` + hostile + `"}}}`

	up := websocket.Upgrader{}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		if _, _, err := ws.ReadMessage(); err != nil { // the hello
			return
		}
		ws.WriteMessage(websocket.TextMessage, []byte(welcome))
		time.Sleep(100 * time.Millisecond)
		ws.WriteMessage(websocket.TextMessage, []byte(event))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(fake.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relay.Dial(ctx, relay.ClientConfig{URL: "ws" + strings.TrimPrefix(fake.URL, "http") + "/ws", Code: "ABCD-EFGH", Name: "Pia"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(c.Close)
	d := newDriver(t, c, 120, 40, nil)
	d.waitView("Trains first", "Manzoni", "Back at noon")
	check := func(what string) {
		t.Helper()
		v := d.m.View()
		rest := sgr.ReplaceAllString(v.Content, "")
		for _, r := range rest + v.WindowTitle {
			if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
				i := strings.IndexRune(rest, r)
				t.Fatalf("%s: the view holds control character %U near %q", what, r, rest[max(0, i-30):min(len(rest), i+30)])
			}
		}
		if strings.Contains(v.Content, "pwned") || strings.Contains(v.WindowTitle, "pwned") {
			t.Errorf("%s: the window title sequence's text reached the screen", what)
		}
	}
	check("participant screen")
	for _, k := range []string{"?", "esc", "B", "esc"} {
		d.press(k)
		check("after " + k)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
