package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// Hostile-input tests: what a stranger, a confused third-party client or
// a curious participant may send a live relay. Each must get a clear
// reject or error; the relay stays up and nobody else notices.

// hostileRoom is a relay with a session, a bystander in Manzoni and the
// organizer, who must notice nothing, and a person in Verdi, Mallory,
// whose connections misbehave.
type hostileRoom struct {
	tr        *testRelay
	codes     *Codes
	bystander *peer
	org       *peer  // the organizer sees every group
	token     string // resume token of Mallory
	mallory   string // Mallory's person id
}

func newHostileRoom(t *testing.T, cfg Config) *hostileRoom {
	t.Helper()
	tr := startRelay(t, "", cfg)
	codes := tr.create(testPlan)
	h := &hostileRoom{tr: tr, codes: codes}
	h.bystander = tr.join(codes.code(t, "Manzoni", session.Participant), "Bea")
	h.org = tr.join(codes.code(t, "", session.Organizer), "Olga")
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: codes.code(t, "Verdi", session.Participant), Name: "Mallory"})
	h.token, h.mallory = w.Resume, w.You.ID
	ws.Close()
	h.sentinel(t, "setup", false, false)
	return h
}

// connect connects as Mallory (resume token).
func (h *hostileRoom) connect(t *testing.T) *websocket.Conn {
	t.Helper()
	ws := rawDial(t, h.tr.url)
	rawHello(t, ws, session.Hello{Type: session.MsgHello, Resume: h.token})
	return ws
}

// noticedNothing checks that the bystander and the organizer, and the
// other members of Manzoni given, saw no event since the last check but
// people coming and going and the sentinel: an idea added now in
// Manzoni. Anything fanned out before the sentinel would have reached
// them before it. With fromMallory, the organizer may also have seen
// Mallory's accepted ops in Verdi.
func (h *hostileRoom) noticedNothing(t *testing.T, what string, fromMallory bool, members ...*peer) {
	t.Helper()
	h.sentinel(t, what, true, fromMallory, members...)
}

// sentinel adds the sentinel idea and waits for it; with check, it fails
// for any other event seen since the last sentinel. People coming and
// going are logged by the relay on its own, whenever it sees them come
// or (after offlineGrace) go: the sentinel's own sender among them.
func (h *hostileRoom) sentinel(t *testing.T, what string, check, fromMallory bool, members ...*peer) {
	t.Helper()
	sentinel := fmt.Sprintf("sentinel after %s", what)
	cleo := h.tr.join(h.codes.code(t, "Manzoni", session.Chair), "Cleo")
	cleo.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: sentinel})
	cleo.c.Close()
	for _, p := range append([]*peer{h.bystander, h.org}, members...) {
		p.waitFor("the sentinel", func() bool { return textCount(p.state, sentinel) == 1 })
		for _, ev := range p.events {
			switch {
			case !check:
			case ev.Kind == session.KindPersonJoin || ev.Kind == session.KindPersonOnline:
				// Cleo, who sent the sentinel, and Mallory coming and going.
			case ev.Kind == session.KindIdeaAdd && len(ev.Data.Ideas) == 1 && ev.Data.Ideas[0].Text == sentinel:
			case fromMallory && p == h.org && ev.By == h.mallory:
			default:
				b, _ := json.Marshal(ev)
				t.Errorf("%s: %s noticed event %s", what, p.you.Name, b)
			}
		}
		if st := p.c.Status(); st.State != Live || p.welcomes != 1 {
			t.Errorf("%s: %s is %s after %d connections; want live, never cut off", what, p.you.Name, st.State, p.welcomes)
		}
		p.events = nil
	}
	if !h.tr.srv.Healthy() {
		t.Errorf("%s: the relay is not healthy", what)
	}
}

// TestMalformedFrames sends frames a relay must refuse, before and after
// the hello: each gets a clear error (or reject), the relay stays up, and
// other clients notice nothing.
func TestMalformedFrames(t *testing.T) {
	h := newHostileRoom(t, Config{})
	nested := `{"type":"op","id":"n","kind":"idea.add","data":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000) + "}"
	hugeArray := `{"type":"op","id":"h","kind":"idea.add","data":{"question":"q1","text":"x","junk":[` +
		strings.Repeat("1,", 30000) + `1]}}`
	tooBig := `{"type":"op","id":"b","kind":"idea.add","data":{"question":"q1","text":"` + strings.Repeat("x", 2<<20) + `"}}`
	cases := []struct {
		name       string
		afterHello bool
		msgType    int
		frame      string
		wantError  string       // error code, and the relay closes
		wantReject session.Code // or a reject of op id
		id         string
	}{
		{"not JSON", false, websocket.TextMessage, "hello, relay", session.ErrCodeProtocol, "", ""},
		{"not JSON after hello", true, websocket.TextMessage, "{{{", session.ErrCodeProtocol, "", ""},
		{"invalid UTF-8", false, websocket.TextMessage, "{\"type\":\"hello\",\"code\":\"x\",\"name\":\"\xff\xfe\"}", session.ErrCodeProtocol, "", ""},
		{"invalid UTF-8 in op", true, websocket.TextMessage, "{\"type\":\"op\",\"id\":\"u\",\"kind\":\"idea.add\",\"data\":{\"question\":\"q1\",\"text\":\"\xc3\x28\"}}", session.ErrCodeProtocol, "", ""},
		{"deeply nested", true, websocket.TextMessage, nested, session.ErrCodeProtocol, "", ""},
		{"deeply nested hello", false, websocket.TextMessage, `{"type":"hello","x":` + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + "}", session.ErrCodeProtocol, "", ""},
		{"huge JSON under the limit", true, websocket.TextMessage, hugeArray, "", session.CodeInvalid, "h"},
		{"over the read limit", true, websocket.TextMessage, tooBig, string(session.CodeTooLarge), "", ""},
		{"over the read limit before hello", false, websocket.TextMessage, tooBig, session.ErrCodeProtocol, "", ""},
		{"unknown message type", true, websocket.TextMessage, `{"type":"subscribe","group":"Manzoni"}`, session.ErrCodeProtocol, "", ""},
		{"unknown message type first", false, websocket.TextMessage, `{"type":"welcome"}`, session.ErrCodeProtocol, "", ""},
		{"no type", true, websocket.TextMessage, `{"id":"x","kind":"idea.add"}`, session.ErrCodeProtocol, "", ""},
		{"empty frame", true, websocket.TextMessage, "", session.ErrCodeProtocol, "", ""},
		{"binary garbage", true, websocket.BinaryMessage, "\x00\x01\x02\xff", session.ErrCodeProtocol, "", ""},
		{"two values", true, websocket.TextMessage, `{"type":"op","id":"a","kind":"idea.add"}{"type":"op"}`, session.ErrCodeProtocol, "", ""},
		{"array data", true, websocket.TextMessage, `{"type":"op","id":"a","kind":"idea.add","data":[1,2]}`, session.ErrCodeProtocol, "", ""},
		{"unknown field", true, websocket.TextMessage, `{"type":"op","id":"a","kind":"idea.add","as":"organizer"}`, session.ErrCodeProtocol, "", ""},
		{"op before hello", false, websocket.TextMessage, `{"type":"op","id":"a","kind":"idea.add","data":{}}`, session.ErrCodeProtocol, "", ""},
		{"hello twice", true, websocket.TextMessage, `{"type":"hello","code":"x","name":"y"}`, session.ErrCodeProtocol, "", ""},
		{"hello without code", false, websocket.TextMessage, `{"type":"hello","name":"y"}`, session.ErrCodeProtocol, "", ""},
		{"unknown op kind", true, websocket.TextMessage, `{"type":"op","id":"k","kind":"room.delete","data":{}}`, "", session.CodeForbidden, "k"},
		{"system op kind", true, websocket.TextMessage, `{"type":"op","id":"s","kind":"person.join","data":{"role":"organizer","name":"x","token_hash":"y"}}`, "", session.CodeForbidden, "s"},
		{"long op id", true, websocket.TextMessage, `{"type":"op","id":"` + strings.Repeat("i", 100) + `","kind":"idea.add","data":{}}`, "", session.CodeInvalid, strings.Repeat("i", 100)},
		{"op id with control", true, websocket.TextMessage, `{"type":"op","id":"a\u001bb","kind":"idea.add","data":{"question":"q1","text":"x"}}`, "", session.CodeInvalid, "a\x1bb"},
		{"unknown data field", true, websocket.TextMessage, `{"type":"op","id":"f","kind":"idea.add","data":{"question":"q1","text":"x","author":"p1"}}`, "", session.CodeInvalid, "f"},
		{"number out of range", true, websocket.TextMessage, `{"type":"op","id":"r","kind":"idea.vote","data":{"idea":1e400}}`, "", session.CodeInvalid, "r"},
		{"wrong data types", true, websocket.TextMessage, `{"type":"op","id":"w","kind":"idea.add","data":{"question":["q1"],"text":{"a":1}}}`, "", session.CodeInvalid, "w"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ws *websocket.Conn
			if c.afterHello {
				ws = h.connect(t)
			} else {
				ws = rawDial(t, h.tr.url)
			}
			overLimit := len(c.frame) > maxFrame
			if err := ws.WriteMessage(c.msgType, []byte(c.frame)); err != nil && !overLimit {
				t.Fatalf("write: %v", err)
			}
			if c.wantReject != "" {
				_, rej, werr, _ := answer(t, ws, c.id)
				if rej == nil || rej.Code != c.wantReject {
					t.Errorf("answer = reject %+v, error %+v; want reject %s", rej, werr, c.wantReject)
				}
				return
			}
			werr, err := expectClosed(t, ws)
			switch {
			case werr != nil && werr.Code == c.wantError:
			case overLimit && websocket.IsCloseError(err, websocket.CloseMessageTooBig):
				// The websocket library answers a frame over the read
				// limit with close 1009 "message too big" itself.
			default:
				t.Errorf("answer = error %+v, then %v; want error %s and the close", werr, err, c.wantError)
			}
		})
	}
	h.noticedNothing(t, "malformed frames", false)
}

// TestBrokenWebsocketFraming breaks the websocket protocol itself below
// the JSON: reserved bits, unknown opcodes, unmasked frames, oversized
// control frames, a lying length. The relay drops the connection and
// carries on.
func TestBrokenWebsocketFraming(t *testing.T) {
	h := newHostileRoom(t, Config{})
	mask := []byte{1, 2, 3, 4}
	masked := func(head byte, payload []byte) []byte {
		out := []byte{head, 0x80 | byte(len(payload))}
		out = append(out, mask...)
		for i, b := range payload {
			out = append(out, b^mask[i%4])
		}
		return out
	}
	cases := map[string][]byte{
		"reserved bits":        masked(0x80|0x70|0x1, []byte(`{"type":"op"}`)),
		"unknown opcode":       masked(0x80|0x3, []byte("x")),
		"unmasked frame":       append([]byte{0x81, 5}, "hello"...),
		"oversized ping":       append([]byte{0x89, 0x80 | 126, 0, 200, 1, 2, 3, 4}, make([]byte, 200)...),
		"fragmented ping":      masked(0x09, []byte("x")),
		"continuation first":   masked(0x80|0x0, []byte("x")),
		"huge declared length": {0x81, 0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4},
		"bad close code":       masked(0x88, []byte{0x03, 0xe7}), // 999
		"close, invalid UTF-8": masked(0x88, []byte{0x03, 0xe8, 0xff, 0xfe}),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			ws := h.connect(t)
			if _, err := ws.NetConn().Write(raw); err != nil {
				t.Fatalf("write: %v", err)
			}
			expectClosed(t, ws)
		})
	}
	h.noticedNothing(t, "broken framing", false)
}

// TestRandomFramesAtLiveRelay throws random and mutated frames at a live
// relay. Every frame is answered as the decoder says it must be (an
// error for what does not decode, an ack or reject for an op); the relay
// stays up, the bystander notices nothing, and replaying the log from
// scratch gives the relay's state (no hostile op made apply diverge).
func TestRandomFramesAtLiveRelay(t *testing.T) {
	h := newHostileRoom(t, Config{OpsPerSecond: 100000, OpBurst: 100000})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	seeds := []string{
		`{"type":"op","id":"x1","kind":"idea.add","data":{"question":"q1","text":"an idea"}}`,
		`{"type":"op","id":"x2","kind":"idea.vote","data":{"idea":"i5"}}`,
		`{"type":"op","id":"x3","kind":"idea.edit","data":{"idea":"i5","text":"better"}}`,
		`{"type":"op","id":"x4","kind":"minutes.edit","data":{"question":"q1","text":"notes","base":1}}`,
		`{"type":"op","id":"x5","kind":"group.lock","data":{}}`,
		`{"type":"op","id":"x6","kind":"idea.add","data":{"question":"q2","text":"x","builds_on":"i1","anonymous":true}}`,
		`{"type":"hello","resume":"` + h.token + `","since":3}`,
	}
	kinds := append(session.Kinds(), session.KindPersonJoin, session.KindSessionCreate, "idea", "", "idea.add.x")
	mutate := func() []byte {
		b := []byte(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			switch rng.IntN(7) {
			case 0: // flip a byte
				if len(b) > 0 {
					b[rng.IntN(len(b))] = byte(rng.IntN(256))
				}
			case 1: // cut
				b = b[:rng.IntN(len(b)+1)]
			case 2: // insert punctuation
				i := rng.IntN(len(b) + 1)
				b = append(b[:i], append([]byte{`{}[]":,\u`[rng.IntN(9)]}, b[i:]...)...)
			case 3: // another kind
				s := strings.Replace(string(b), `"kind":"`, `"kind":"`+kinds[rng.IntN(len(kinds))]+`","x":"`, 1)
				b = []byte(s)
			case 4: // a control character in a string
				s := strings.Replace(string(b), `"text":"`, `"text":"\u001b[2J`, 1)
				b = []byte(s)
			case 5: // duplicate a stretch
				if len(b) > 2 {
					i := rng.IntN(len(b) - 1)
					j := i + rng.IntN(len(b)-i)
					b = append(b[:j], append(append([]byte{}, b[i:j]...), b[j:]...)...)
				}
			case 6: // random bytes
				r := make([]byte, rng.IntN(40))
				for i := range r {
					r[i] = byte(rng.IntN(256))
				}
				b = r
			}
		}
		return b
	}
	n := long(400, 20000)
	ws := h.connect(t)
	counts := map[string]int{}
	for i := range n {
		if i%100 == 0 {
			// The bystanders read on, as a screen does.
			h.bystander.pump(time.Millisecond)
			h.org.pump(time.Millisecond)
		}
		b := mutate()
		msg, derr := session.DecodeClient(b)
		if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
			t.Fatalf("frame %d: write: %v", i, err)
		}
		op, isOp := msg.(*session.OpMsg)
		if derr == nil && isOp {
			ack, rej, werr, _ := answer(t, ws, op.ID)
			switch {
			case ack != nil:
				counts["ack"]++
			case rej != nil:
				counts["reject "+string(rej.Code)]++
			default:
				t.Fatalf("frame %d %q: error %+v; want an ack or reject of op %q", i, b, werr, op.ID)
			}
			continue
		}
		werr, _ := expectClosed(t, ws)
		if werr == nil || werr.Code != session.ErrCodeProtocol {
			t.Fatalf("frame %d %q (decoder: %v): error %+v; want a protocol error", i, b, derr, werr)
		}
		counts["error"]++
		ws.Close()
		ws = h.connect(t)
	}
	t.Logf("%d frames: %v", n, counts)
	h.noticedNothing(t, "random frames", true)
	replayMatches(t, h.tr.srv, h.codes.Session)
}

// hasControl reports whether s holds a character that could act on a
// terminal: C0 (but newline and tab), DEL, C1, line/paragraph separators,
// bidirectional controls.
func hasControl(s string) bool {
	return session.CheckText(s, 1<<30, true) != nil
}

// TestControlCharactersNeverFannedOut sends terminal escape sequences and
// other control characters in every kind of text people type: each op is
// rejected invalid and nothing reaches another person.
func TestControlCharactersNeverFannedOut(t *testing.T) {
	h := newHostileRoom(t, Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := h.codes
	ana := h.tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	rob := h.tr.join(codes.code(t, "Manzoni", session.Rapporteur), "Rob")
	cleo := h.tr.join(codes.code(t, "Manzoni", session.Chair), "Cleo")
	idea := ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "a plain idea"})
	ideaID := fmt.Sprintf("i%d", idea)
	// Each person's coming online is logged by the relay on its own, after
	// the welcome: wait for it too, so that the events left to see can only
	// come from the ops below.
	for _, p := range []*peer{h.bystander, h.org, ana, rob, cleo} {
		p.waitFor("the plain idea and everyone online", func() bool {
			for _, q := range []*peer{ana, rob, cleo} {
				if pp := p.state.People[q.you.ID]; pp == nil || !pp.Online {
					return false
				}
			}
			return textCount(p.state, "a plain idea") == 1
		})
		p.events = nil
	}
	nasty := []string{
		"\x1b[2J\x1b[H",                       // clear the screen
		"\x1b]0;pwned\x07",                    // set the window title
		"\x1b]52;c;cm0gLXJmIH4=\x07",          // write the clipboard
		"ok\x1b[31m red",                      // colour
		"\u009b31m",                           // C1 CSI
		"\u0090q\u009c",                       // C1 DCS ... ST
		"bell\x07",                            // BEL
		"back\x08\x08\x08",                    // backspace over text
		"car\rriage",                          // carriage return
		"del\x7f",                             // DEL
		"nul\x00",                             // NUL
		"evil\u202egnp.exe",                   // right-to-left override
		"isolate\u2066x\u2069",                // bidi isolate
		"line\u2028separator",                 // line separator
		"vertical\x0btab and \x0cfeed",        // VT, FF
		"\x1bP+q544e\x1b\\",                   // DCS request (terminal query)
		"\u001b[6n",                           // cursor position report request
		strings.Repeat("\x1b[1A", 1000)[:900], // cursor up, many times
	}
	type attempt struct {
		p    *peer
		kind string
		data any
	}
	var attempts []attempt
	for _, s := range nasty {
		attempts = append(attempts,
			attempt{ana, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: s}},
			attempt{ana, session.KindIdeaEdit, session.IdeaEdit{Idea: ideaID, Text: s}},
			attempt{rob, session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "minutes\n" + s}},
			attempt{rob, session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: s}},
			attempt{rob, session.KindIdeaTheme, session.IdeaTheme{Idea: ideaID, Theme: s}},
			attempt{h.org, session.KindBroadcast, session.BroadcastData{Text: s}},
			attempt{h.org, session.KindSynthesis, session.TextEdit{Question: "q1", Text: s}},
			attempt{h.org, session.KindPlanEdit, session.PlanEdit{Title: s}},
			attempt{h.org, session.KindPlanEdit, session.PlanEdit{Questions: []session.PlanQuestion{
				{Text: "What should we keep?"}, {Text: "What should we change?"}, {Text: s}}}},
		)
	}
	for _, a := range attempts {
		_, rej := a.p.send(a.kind, a.data)
		if rej == nil || rej.Code != session.CodeInvalid {
			t.Errorf("%s %s with %q = %+v; want reject invalid", a.p.you.Role, a.kind, a.data, rej)
		}
	}
	// Nothing reached anyone, the senders' own group included: an event
	// of a rejected op would come before the sentinel.
	h.noticedNothing(t, "control characters", false, ana, rob, cleo)
	s := roomState(t, h.tr.srv, codes.Session)
	b, _ := json.Marshal(s)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if hasControl(x) {
				t.Errorf("the relay's state holds %q", x)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var tree any
	json.Unmarshal(b, &tree)
	walk(tree)
	t.Logf("%d attempts with %d kinds of control text, all rejected", len(attempts), len(nasty))
}

// TestHelloWithControlCharactersRefused: a name or background holding an
// escape sequence never becomes a person others see.
func TestHelloWithControlCharactersRefused(t *testing.T) {
	h := newHostileRoom(t, Config{})
	code := h.codes.code(t, "Manzoni", session.Participant)
	for _, hello := range []session.Hello{
		{Name: "Eve\x1b[31m"},
		{Name: "\x1b]0;pwned\x07"},
		{Name: "Eve\u009b2J"},
		{Name: "Eve\nNewline"},
		{Name: "Eve\u202e"},
		{Name: "Eve", Background: "\x1b[2J"},
		{Name: "Eve", Background: "two\nlines"},
		{Name: strings.Repeat("E", 81)},
		{Name: "   "},
	} {
		hello.Type, hello.Code = session.MsgHello, code
		ws := rawDial(t, h.tr.url)
		ws.WriteJSON(hello)
		werr, _ := expectClosed(t, ws)
		if werr == nil || (werr.Code != string(session.CodeInvalid) && werr.Code != session.ErrCodeProtocol &&
			werr.Code != session.ErrCodeNameNeeded) {
			t.Errorf("hello name %q background %q: error %+v; want invalid", hello.Name, hello.Background, werr)
		}
	}
	h.noticedNothing(t, "hellos with control characters", false)
	for _, p := range roomState(t, h.tr.srv, h.codes.Session).People {
		if hasControl(p.Name) || hasControl(p.Background) || strings.HasPrefix(p.Name, "Eve") {
			t.Errorf("person %+v joined", p)
		}
	}
}

// TestFloodIsRateLimited floods the relay with ops: beyond the burst they
// are rejected rate_limited; the connection and the room survive, and
// a relay.Client that floods gets every op applied once in the end.
func TestFloodIsRateLimited(t *testing.T) {
	h := newHostileRoom(t, Config{}) // 20 ops a second, bursts of 40
	ws := h.connect(t)
	const n = 300
	answers := make(chan string, n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			for {
				f, err := readFrame(ws, 10*time.Second)
				if err != nil {
					answers <- "read error: " + err.Error()
					return
				}
				if f.Type == session.MsgAck {
					answers <- "ack"
					break
				}
				if f.Type == session.MsgReject {
					var r session.Reject
					json.Unmarshal(f.raw, &r)
					answers <- string(r.Code)
					break
				}
				if f.Type == session.MsgError {
					answers <- "error " + string(f.raw)
					return
				}
			}
		}
	}()
	for i := range n {
		if err := ws.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: fmt.Sprintf("flood-%d", i), Kind: session.KindIdeaAdd,
			Data: json.RawMessage(fmt.Sprintf(`{"question":"q1","text":"flood %d"}`, i))}); err != nil {
			t.Fatalf("write op %d: %v", i, err)
		}
	}
	<-done
	close(answers)
	counts := map[string]int{}
	for a := range answers {
		counts[a]++
	}
	t.Logf("%d ops flooded: %v", n, counts)
	if counts["ack"] == 0 || counts[string(session.CodeRateLimited)] == 0 || counts["ack"]+counts[string(session.CodeRateLimited)] != n {
		t.Errorf("answers %v; want acks and rate_limited rejects, nothing else", counts)
	}
	// The connection survives: once the limiter refills, an op goes in.
	waitUntil(t, 30*time.Second, "the flooding connection to be served again", func() bool {
		id := fmt.Sprintf("after-%d", time.Now().UnixNano())
		ws.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: id, Kind: session.KindIdeaAdd,
			Data: json.RawMessage(`{"question":"q1","text":"` + id + `"}`)})
		ack, rej, werr, _ := answer(t, ws, id)
		if werr != nil {
			t.Fatalf("the flooding connection got error %+v", werr)
		}
		if rej != nil && rej.Code != session.CodeRateLimited {
			t.Fatalf("after the flood: reject %+v", rej)
		}
		return ack != nil
	})
	h.noticedNothing(t, "a flood", true)

	// A client that floods gets each op applied once: rate-limited ops
	// are sent again a little later.
	kim := h.tr.join(h.codes.code(t, "Verdi", session.Participant), "Kim")
	const m = 100
	for i := range m {
		kim.c.Send(session.NewOp(kim.c.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("kim %d", i)}))
	}
	kim.waitFor("every op acknowledged", func() bool { return len(kim.acks) == m })
	s := roomState(t, h.tr.srv, h.codes.Session)
	for i := range m {
		if c := textCount(s, fmt.Sprintf("kim %d", i)); c != 1 {
			t.Errorf("kim %d is there %d times; want 1", i, c)
		}
	}
	limited := 0
	for _, r := range kim.rejects {
		if r.Code == session.CodeRateLimited {
			limited++
		}
	}
	t.Logf("a client flooding %d ops: %d rate limited on the way, all applied once", m, limited)
}

// TestGuessingCodesIsLimitedAndSlowed: failed joins from one address are
// answered ever later, and past the burst the address is refused even
// with a right code, while other addresses are not. A client of that
// address that loses its connection keeps trying and gets back in.
func TestGuessingCodesIsLimitedAndSlowed(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	px := newProxy(t, tr.http.Listener.Addr().String())
	kim := joinURL(t, px.url(), code, "Kim", "") // from 127.0.0.1, through a cuttable proxy

	// hello says hello from a local address and returns the first answer.
	hello := func(local string, h session.Hello) (frame, time.Duration) {
		d := websocket.Dialer{NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext}
		ws, _, err := d.Dial(tr.url, nil)
		if err != nil {
			t.Fatalf("dial from %s: %v", local, err)
		}
		defer ws.Close()
		start := time.Now()
		h.Type = session.MsgHello
		ws.WriteJSON(h)
		f, err := readFrame(ws, 10*time.Second)
		if err != nil {
			t.Fatalf("hello from %s: %v", local, err)
		}
		return f, time.Since(start)
	}
	errCode := func(f frame) string {
		var e session.Error
		json.Unmarshal(f.raw, &e)
		return e.Code
	}
	guesses := 0
	guess := func() (frame, time.Duration) {
		guesses++
		return hello("127.0.0.1", session.Hello{Code: fmt.Sprintf("aaaa-bbbb-%05d", guesses), Name: "Mallory"})
	}
	// One after the other, each failure is answered later than the one
	// before (lower bounds only: the relay sleeps at least that long).
	for range 4 {
		f, took := guess()
		if errCode(f) != session.ErrCodeBadCode {
			t.Fatalf("guess %d: %s; want bad_code", guesses, f.raw)
		}
		if min := time.Duration(guesses) * 100 * time.Millisecond; took < min {
			t.Errorf("guess %d answered after %v; want at least %v", guesses, took, min)
		}
	}
	// Then a burst at once, and on until the address is refused.
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range joinBurst - 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			guesses++
			g := fmt.Sprintf("aaaa-bbbb-%05d", guesses)
			mu.Unlock()
			f, _ := hello("127.0.0.1", session.Hello{Code: g, Name: "Mallory"})
			if errCode(f) == session.ErrCodeTooMany {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for {
		f, _ := guess()
		if errCode(f) == session.ErrCodeTooMany {
			refused++
			break
		}
		if guesses > 3*joinBurst {
			t.Fatalf("%d wrong codes from one address and still not limited", guesses)
		}
	}
	guesses -= refused
	t.Logf("limited after %d wrong guesses", guesses)
	if guesses < joinBurst {
		t.Errorf("limited after %d guesses; want a burst of %d forgiven", guesses, joinBurst)
	}
	// The right code from the limited address is refused too. A token
	// comes back every joinInterval, and a busy machine may be slow
	// enough between the refusal and this hello for one to have come
	// back: then the right code is welcomed (and gives the token back),
	// and is tried again once the address is refused anew. A limiter
	// that let the right code by would welcome it every time.
	for round := 1; ; round++ {
		f, _ := hello("127.0.0.1", session.Hello{Code: code, Name: "Right code"})
		if errCode(f) == session.ErrCodeTooMany {
			break
		}
		if f.Type != session.MsgWelcome || round == 3 {
			t.Errorf("the right code from the limited address, try %d: %s; want too_many_attempts", round, f.raw)
			break
		}
		t.Logf("the right code from the limited address was welcomed: a token came back; spending it")
		for {
			if f, _ := guess(); errCode(f) == session.ErrCodeTooMany {
				guesses-- // refused: not counted as a failed join
				break
			}
		}
	}
	if n := counter(t, tr.srv.metrics.failedJoins); int(n) != guesses {
		t.Errorf("failed joins metric = %v; want %d", n, guesses)
	}
	// Another address is not affected.
	if f, _ := hello("127.0.0.2", session.Hello{Code: code, Name: "Other address"}); f.Type != session.MsgWelcome {
		t.Errorf("the right code from another address: %s; want a welcome", f.raw)
	}

	// Kim, behind the same address, loses her connection and queues an
	// idea: she must keep trying, not give up, and get it through.
	px.cutAll()
	id := kim.c.NewOpID()
	kim.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "still here"}))
	kim.waitFor("Kim's idea through after the address is let in again", func() bool {
		_, ok := kim.acks[id]
		return ok
	})
	if st := kim.c.Status(); st.State != Live {
		t.Errorf("Kim is %s; want live", st.State)
	}
}

// TestPrivilegedOpsForbidden: a participant's connection tries every
// chair, rapporteur and organizer op with well-formed data, and members
// of one group try to act on another group's ideas: all forbidden.
func TestPrivilegedOpsForbidden(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	seq := ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Ana's idea"})
	seq2 := ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Ana's other idea"})
	mine, other := fmt.Sprintf("i%d", seq), fmt.Sprintf("i%d", seq2)
	data := map[string]any{
		session.KindIdeaPin:              session.IdeaFlag{Idea: mine, On: true},
		session.KindIdeaHide:             session.IdeaFlag{Idea: mine, On: true},
		session.KindIdeaKey:              session.IdeaFlag{Idea: mine, On: true},
		session.KindIdeaMerge:            session.IdeaMerge{Idea: mine, Into: other},
		session.KindIdeaTheme:            session.IdeaTheme{Idea: mine, Theme: "mine"},
		session.KindQuestionPose:         session.QuestionPose{Question: "q2"},
		session.KindGroupLock:            struct{}{},
		session.KindGroupUnlock:          struct{}{},
		session.KindTimerStart:           session.TimerStart{Seconds: 60},
		session.KindTimerExtend:          session.TimerStart{Seconds: 60},
		session.KindTimerStop:            struct{}{},
		session.KindMinutesEdit:          session.TextEdit{Question: "q1", Text: "my minutes"},
		session.KindSummaryEdit:          session.TextEdit{Question: "q1", Text: "my summary"},
		session.KindReportPub:            struct{}{},
		session.KindBroadcast:            session.BroadcastData{Text: "everyone, listen"},
		session.KindSynthesis:            session.TextEdit{Question: "q1", Text: "my synthesis"},
		session.KindPlanEdit:             session.PlanEdit{Title: "My session now"},
		session.KindExecutiveEdit:        session.TextEdit{Text: "mine"},
		session.KindRecommendationsEdit:  session.TextEdit{Text: "mine"},
		session.KindThemeCreate:          session.ThemeCreate{Question: "q1", Name: "mine", Ideas: []string{mine}},
		session.KindThemeRename:          session.ThemeRename{Theme: "t1", Name: "mine"},
		session.KindThemeMerge:           session.ThemeMerge{Theme: "t1", Into: "t2"},
		session.KindThemeSplit:           session.ThemeSplit{Theme: "t1", Name: "mine", Ideas: []string{mine}},
		session.KindThemeDismiss:         session.ThemeRef{Theme: "t1"},
		session.KindThemeMove:            session.ThemeMove{Theme: "t1", Ideas: []string{mine}},
		session.KindSuggestionDismiss:    session.SuggestionDismiss{Question: "q1", Name: "mine"},
		session.KindRecommendationAdd:    session.RecommendationAdd{Question: "q1", Text: "mine"},
		session.KindRecommendationEdit:   session.RecommendationEdit{Recommendation: "rec1", Text: "mine"},
		session.KindRecommendationRemove: session.RecommendationRef{Recommendation: "rec1"},
		session.KindTimerPause:           struct{}{},
		session.KindTimerResume:          struct{}{},
		session.KindPhaseSet:             session.PhaseSet{Phase: session.PhaseClosed},
		session.KindPlenaryPresent:       session.PlenaryPresent{Group: "Manzoni"},
		session.KindPlenaryFloor:         session.PlenaryFloor{Group: "Manzoni"},
		session.KindClockStart:           session.ClockStart{Seconds: 60},
		session.KindClockStop:            struct{}{},
		session.KindSurveyOpen:           session.SurveyRef{},
		session.KindSurveyClose:          session.SurveyRef{},
		session.KindPersonRemove:         session.PersonRemove{Person: ana.you.ID},
		session.KindPersonJoin: session.PersonJoin{Name: "Ana's friend", Role: session.Organizer,
			TokenHash: hashSecret("x")},
		session.KindPersonOnline:  session.PersonOnline{Person: "p1", Online: false},
		session.KindSessionCreate: session.SessionCreate{ID: "mine"},
	}
	tried := 0
	for kind, d := range data {
		if session.Allowed(session.Participant, kind) {
			t.Fatalf("test table: a participant may send %s", kind)
		}
		_, rej := ana.send(kind, d)
		if rej == nil || rej.Code != session.CodeForbidden {
			t.Errorf("participant %s = %+v; want forbidden", kind, rej)
		}
		tried++
	}
	for _, kind := range session.Kinds() {
		if _, ok := data[kind]; !ok && !session.Allowed(session.Participant, kind) {
			t.Errorf("test table misses %s", kind)
		}
	}

	// Across groups: Verdi's members on Manzoni's ideas.
	vic := tr.join(codes.code(t, "Verdi", session.Participant), "Vic")
	vera := tr.join(codes.code(t, "Verdi", session.Chair), "Vera")
	vito := tr.join(codes.code(t, "Verdi", session.Rapporteur), "Vito")
	org := tr.join(codes.code(t, "", session.Organizer), "Olga")
	across := []struct {
		p    *peer
		kind string
		data any
	}{
		{vic, session.KindIdeaVote, session.IdeaRef{Idea: mine}},
		{vic, session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "mine now"}},
		{vic, session.KindIdeaRetract, session.IdeaRef{Idea: mine}},
		{vic, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "builds on", BuildsOn: mine}},
		{vera, session.KindIdeaPin, session.IdeaFlag{Idea: mine, On: true}},
		{vera, session.KindIdeaHide, session.IdeaFlag{Idea: mine, On: true}},
		{vera, session.KindIdeaMerge, session.IdeaMerge{Idea: mine, Into: other}},
		{vito, session.KindIdeaTheme, session.IdeaTheme{Idea: mine, Theme: "theirs"}},
		{vito, session.KindIdeaKey, session.IdeaFlag{Idea: mine, On: true}},
		{vera, session.KindPersonRemove, session.PersonRemove{Person: ana.you.ID}},
		{org, session.KindIdeaPin, session.IdeaFlag{Idea: mine, On: true}},
		{org, session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "the organizer's minutes"}},
		{vera, session.KindGroupLock, session.GroupRef{Group: "Manzoni"}},
		{vera, session.KindQuestionPose, session.QuestionPose{Question: "q2", Group: "Manzoni"}},
		{org, session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 1}},
		{org, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "the organizer's idea"}},
	}
	for _, a := range across {
		_, rej := a.p.send(a.kind, a.data)
		if rej == nil || rej.Code != session.CodeForbidden {
			t.Errorf("%s of Verdi %s on Manzoni's idea = %+v; want forbidden", a.p.you.Role, a.kind, rej)
		}
		tried++
	}
	// And the other participant of Manzoni may not change Ana's idea.
	ben := tr.join(codes.code(t, "Manzoni", session.Participant), "Ben")
	for kind, d := range map[string]any{
		session.KindIdeaEdit:    session.IdeaEdit{Idea: mine, Text: "Ben's now"},
		session.KindIdeaRetract: session.IdeaRef{Idea: mine},
	} {
		if _, rej := ben.send(kind, d); rej == nil || rej.Code != session.CodeForbidden {
			t.Errorf("another participant's %s = %+v; want forbidden", kind, rej)
		}
		tried++
	}
	s := roomState(t, tr.srv, codes.Session)
	i := s.Ideas[mine]
	if i.Text != "Ana's idea" || i.Pinned || i.Hidden || i.Key || i.Theme != "" || i.Retracted || i.MergedInto != "" || len(i.Voters) != 0 {
		t.Errorf("Ana's idea after the attempts: %+v; want it untouched", i)
	}
	if s.Title != "Test session" || len(s.Broadcasts) != 0 || len(s.Texts) != 0 {
		t.Errorf("session after the attempts: title %q, %d broadcasts, %d texts; want untouched", s.Title, len(s.Broadcasts), len(s.Texts))
	}
	t.Logf("%d privileged or cross-group ops tried, all forbidden", tried)
}

// TestResumeTokenOnlyForOwnPersonAndSession tampers with a resume token
// every way that could open another person or session.
func TestResumeTokenOnlyForOwnPersonAndSession(t *testing.T) {
	tr := startRelay(t, "", Config{})
	a := tr.create(testPlan)
	b := tr.create(testPlan) // same plan: same groups, person ids alike
	ana := tr.join(a.code(t, "Manzoni", session.Participant), "Ana")
	ben := tr.join(a.code(t, "Manzoni", session.Participant), "Ben")
	mal := tr.join(b.code(t, "Manzoni", session.Participant), "Mal")
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "secret of session A"})
	sid, pid, secret, _ := parseResumeToken(ana.token())
	_, benID, benSecret, _ := parseResumeToken(ben.token())
	bid, malID, malSecret, _ := parseResumeToken(mal.token())

	// The real token works, for Ana in A only.
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Resume: ana.token()})
	if w.Session != sid || w.You.ID != pid {
		t.Fatalf("Ana's token opened %s as %s; want %s as %s", w.Session, w.You.ID, sid, pid)
	}
	ws.Close()

	bad := map[string]string{
		"Ana's secret, Ben's id":          resumeToken(sid, benID, secret),
		"Ben's secret, Ana's id":          resumeToken(sid, pid, benSecret),
		"Ana's token, session B":          resumeToken(bid, pid, secret),
		"Mal's token, session A":          resumeToken(sid, malID, malSecret),
		"tampered secret":                 resumeToken(sid, pid, tamper(secret)),
		"empty secret":                    sid + "." + pid + ".",
		"extra part":                      ana.token() + ".x",
		"roster person not joined":        resumeToken(sid, "r1", secret),
		"wildcard session":                resumeToken("*", malID, malSecret),
		"wildcard session, Ana's id":      resumeToken("*", pid, secret),
		"full wildcard session":           resumeToken(">", malID, malSecret),
		"subject of another kind":         resumeToken("breakout", malID, malSecret),
		"session id with space":           resumeToken(sid+" x", pid, secret),
		"session id with control":         resumeToken(sid+"\x1b", pid, secret),
		"unknown session":                 resumeToken("zzzzzzzzzz", pid, secret),
		"organizer id":                    resumeToken(sid, "p1", secret),
		"session.create as person":        resumeToken(sid, "", secret),
		"very long":                       strings.Repeat("a", 10000) + "." + pid + "." + secret,
		"prefix of Mal's, with wildcards": bid[:5] + "*" + "." + malID + "." + malSecret,
	}
	for name, tok := range bad {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: tok})
		f, err := readFrame(ws, 10*time.Second)
		var werr session.Error
		json.Unmarshal(f.raw, &werr)
		switch {
		case err != nil:
			t.Errorf("%s: %v; want a bad_resume error", name, err)
		case f.Type == session.MsgWelcome:
			t.Errorf("%s: opened a session: %.400s", name, f.raw)
		case werr.Code != session.ErrCodeBadToken:
			t.Errorf("%s: %s; want bad_resume", name, f.raw)
		}
		ws.Close()
		// Past the join limiter's burst the refusals would be
		// too_many_attempts; start afresh for the next try.
		tr.srv.joins.mu.Lock()
		clear(tr.srv.joins.addrs)
		tr.srv.joins.mu.Unlock()
	}
	// Mal of session B, with her own secret, under every person id of a
	// wildcard session: nothing opens (once, this showed her session A).
	for i := 1; i <= 12; i++ {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: resumeToken("*", fmt.Sprintf("p%d", i), malSecret)})
		if f, err := readFrame(ws, 10*time.Second); err != nil || f.Type != session.MsgError {
			t.Errorf("Mal's secret as p%d of session \"*\": %.300s %v; want bad_resume", i, f.raw, err)
		}
		ws.Close()
		tr.srv.joins.mu.Lock()
		clear(tr.srv.joins.addrs)
		tr.srv.joins.mu.Unlock()
	}
	tr.srv.roomsMu.Lock()
	for id := range tr.srv.rooms {
		if id != a.Session && id != b.Session {
			t.Errorf("a hostile resume token made the relay load a room %q", id)
		}
	}
	tr.srv.roomsMu.Unlock()
}

// TestCodeOpensOnlyItsRoom: every code of two sessions opens its own
// session, group and role, however it is typed, and nothing else.
func TestCodeOpensOnlyItsRoom(t *testing.T) {
	tr := startRelay(t, "", Config{})
	a := tr.create(testPlan)
	b := tr.create(testPlan)
	for _, codes := range []*Codes{a, b} {
		for _, c := range codes.Codes {
			for _, typed := range []string{c.Code, strings.ToUpper(c.Code), strings.ReplaceAll(c.Code, "-", " ")} {
				ws := rawDial(t, tr.url)
				w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: typed, Name: "Someone"})
				ws.Close()
				if w.Session != codes.Session || w.You.Role != c.Role || w.You.Group != c.Group {
					t.Errorf("code %q opened %s as %s of %q; want %s as %s of %q",
						typed, w.Session, w.You.Role, w.You.Group, codes.Session, c.Role, c.Group)
				}
				for _, g := range w.Snapshot.Groups {
					if c.Role != session.Organizer && g.Name != c.Group {
						t.Errorf("code of %s shows group %s", c.Group, g.Name)
					}
				}
			}
		}
	}
}

// TestCapturedFramesShowNothingOfOtherGroups records every frame Verdi's
// members and the organizer receive while Manzoni works, and looks for
// anything of Manzoni in Verdi's, and for the author of an anonymous idea
// in anyone's but the author's.
func TestCapturedFramesShowNothingOfOtherGroups(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := tr.create(testPlan)
	type capture struct {
		name   string
		you    session.You
		frames [][]byte
		done   chan struct{}
	}
	var mu sync.Mutex
	listen := func(code, name string) *capture {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: code, Name: name})
		c := &capture{name: name, done: make(chan struct{})}
		go func() {
			defer close(c.done)
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					return
				}
				mu.Lock()
				c.frames = append(c.frames, b)
				if len(c.frames) == 1 {
					var w session.Welcome
					json.Unmarshal(b, &w)
					c.you = w.You
				}
				mu.Unlock()
			}
		}()
		t.Cleanup(func() { ws.Close(); <-c.done })
		return c
	}
	vp := listen(codes.code(t, "Verdi", session.Participant), "Vic")
	vc := listen(codes.code(t, "Verdi", session.Chair), "Vera")
	vr := listen(codes.code(t, "Verdi", session.Rapporteur), "Vito")
	og := listen(codes.code(t, "", session.Organizer), "Olga")
	mp := listen(codes.code(t, "Manzoni", session.Participant), "Mia")

	// Manzoni at work, with names and texts that must not leak.
	m1 := tr.join(codes.code(t, "Manzoni", session.Participant), "ManzoniPersonOne")
	m2 := tr.join(codes.code(t, "Manzoni", session.Chair), "ManzoniChairTwo")
	m3 := tr.join(codes.code(t, "Manzoni", session.Rapporteur), "ManzoniRapporteurThree")
	s1 := m1.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "MANZONI-IDEA-OPEN"})
	s2 := m1.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "MANZONI-IDEA-ANON", Anonymous: true})
	anonM := fmt.Sprintf("i%d", s2)
	m1.mustSend(session.KindIdeaEdit, session.IdeaEdit{Idea: anonM, Text: "MANZONI-IDEA-ANON-EDITED"})
	m2.mustSend(session.KindIdeaVote, session.IdeaRef{Idea: fmt.Sprintf("i%d", s1)})
	m2.mustSend(session.KindIdeaPin, session.IdeaFlag{Idea: anonM, On: true})
	m3.mustSend(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "MANZONI-MINUTES"})
	m3.mustSend(session.KindIdeaTheme, session.IdeaTheme{Idea: anonM, Theme: "MANZONI-THEME"})
	m3.mustSend(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "MANZONI-SUMMARY"})
	m3.mustSend(session.KindReportPub, struct{}{})
	m2.mustSend(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	m2.mustSend(session.KindTimerStart, session.TimerStart{Seconds: 300})
	m2.mustSend(session.KindGroupLock, struct{}{})

	// An anonymous idea in Verdi too: its author must stay unknown to the
	// rest of Verdi and to the organizer.
	vanna := tr.join(codes.code(t, "Verdi", session.Participant), "Vanna")
	sv := vanna.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "VERDI-ANON", Anonymous: true})
	anonV := fmt.Sprintf("i%d", sv)
	vanna.mustSend(session.KindIdeaEdit, session.IdeaEdit{Idea: anonV, Text: "VERDI-ANON-EDITED"})
	vc2 := tr.join(codes.code(t, "Verdi", session.Chair), "Vasco")
	vc2.mustSend(session.KindIdeaPin, session.IdeaFlag{Idea: anonV, On: true})
	vanna.mustSend(session.KindIdeaRetract, session.IdeaRef{Idea: anonV})

	// Session-wide: a broadcast ends the capture.
	olga := tr.join(codes.code(t, "", session.Organizer), "Olga2")
	olga.mustSend(session.KindBroadcast, session.BroadcastData{Text: "SENTINEL"})
	for _, c := range []*capture{vp, vc, vr, og, mp} {
		waitUntil(t, 30*time.Second, c.name+"'s sentinel", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(c.frames) > 0 && strings.Contains(string(c.frames[len(c.frames)-1]), "SENTINEL")
		})
	}
	// A resume of a Verdi member, replaying events since the start, is
	// captured too.
	mu.Lock()
	defer mu.Unlock()
	var w session.Welcome
	json.Unmarshal(vp.frames[0], &w)
	ws := rawDial(t, tr.url)
	ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: w.Resume, Since: 1})
	_, replayed, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	vp.frames = append(vp.frames, replayed)

	quoted := func(id string) string { return `"` + id + `"` }
	manzoni := []string{"Manzoni", "MANZONI", quoted(m1.you.ID), quoted(m2.you.ID), quoted(m3.you.ID)}
	secret := []string{`"token_hash"`, `"codes"`, `"done"`, vanna.token(), m1.token()}
	for _, c := range []*capture{vp, vc, vr, og, mp} {
		for i, f := range c.frames {
			s := string(f)
			if c != og && c != mp {
				for _, x := range manzoni {
					if strings.Contains(s, x) {
						t.Errorf("%s of Verdi, frame %d holds %q: %.300s", c.name, i, x, s)
					}
				}
			}
			for _, x := range secret {
				if strings.Contains(s, x) {
					t.Errorf("%s, frame %d holds %q", c.name, i, x)
				}
			}
			checkAnonymous(t, c.name, c.you, f, map[string]string{anonM: m1.you.ID, anonV: vanna.you.ID})
		}
		t.Logf("%s: %d frames captured and searched", c.name, len(c.frames))
	}
}

// checkAnonymous parses a captured frame and fails if it names the author
// of one of the anonymous ideas to anyone but that author.
func checkAnonymous(t *testing.T, who string, you session.You, raw []byte, authors map[string]string) {
	t.Helper()
	var f struct {
		Type     string          `json:"type"`
		Snapshot *session.State  `json:"snapshot"`
		Events   []session.Event `json:"events"`
		session.Event
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Errorf("%s: frame not JSON: %v", who, err)
		return
	}
	events := f.Events
	if f.Type == session.MsgEvent {
		events = append(events, f.Event)
	}
	var ideas []*session.Idea
	if f.Snapshot != nil {
		for _, i := range f.Snapshot.Ideas {
			ideas = append(ideas, i)
		}
	}
	for _, ev := range events {
		ideas = append(ideas, ev.Data.Ideas...)
		anonymousIdea := false
		for _, i := range ev.Data.Ideas {
			if author, ok := authors[i.ID]; ok && author != you.ID && ev.By == author {
				anonymousIdea = true
			}
		}
		if anonymousIdea && strings.HasPrefix(ev.Kind, "idea.") && ev.Kind != session.KindIdeaVote && ev.Kind != session.KindIdeaUnvote {
			t.Errorf("%s got %s on an anonymous idea with by = its author %s", who, ev.Kind, ev.By)
		}
	}
	for _, i := range ideas {
		author, ok := authors[i.ID]
		if !ok || author == you.ID {
			continue
		}
		if i.Author != "" || i.Mine {
			t.Errorf("%s sees anonymous idea %s with author %q mine=%v", who, i.ID, i.Author, i.Mine)
		}
	}
}

// TestOversizedAndEscapableOps sends, from several connections at once,
// ops whose data grows sixfold in the log (raw <, > and & are stored as
// \u003c and the like), next to a bystander's ops: the large ones are
// rejected one by one, and nobody else's op fails or connection is cut
// along with them.
func TestOversizedAndEscapableOps(t *testing.T) {
	h := newHostileRoom(t, Config{OpsPerSecond: 1000, OpBurst: 1000})
	text := strings.Repeat("<&>", 15000) // 45 KB on the wire, 270 KB in the log
	const conns, n = 4, 8
	var wg sync.WaitGroup
	answers := make(chan string, conns*n)
	for k := range conns {
		ws := h.connect(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				frame := fmt.Sprintf(`{"type":"op","id":"big-%d-%d","kind":"idea.add","data":{"question":"q1","text":"%s"}}`, k, i, text)
				if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
					answers <- "write: " + err.Error()
					return
				}
			}
			for i := range n {
				id := fmt.Sprintf("big-%d-%d", k, i)
				for {
					f, err := readFrame(ws, 10*time.Second)
					if err != nil {
						answers <- id + ": " + err.Error()
						return
					}
					var a struct {
						ID   string `json:"id"`
						Code string `json:"code"`
					}
					json.Unmarshal(f.raw, &a)
					if f.Type == session.MsgError {
						answers <- id + ": error " + a.Code
						return
					}
					if (f.Type == session.MsgReject || f.Type == session.MsgAck) && a.ID == id {
						answers <- f.Type + " " + a.Code
						break
					}
				}
			}
		}()
	}
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = h.bystander.c.NewOpID()
		h.bystander.c.Send(session.NewOp(ids[i], session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("calm %d", i)}))
	}
	wg.Wait()
	close(answers)
	counts := map[string]int{}
	for a := range answers {
		counts[a]++
	}
	if counts["reject invalid"]+counts["reject too_large"] != conns*n {
		t.Errorf("answers to the large ops: %v; want %d rejects invalid or too_large", counts, conns*n)
	}
	h.bystander.waitFor("the calm ideas", func() bool {
		for _, id := range ids {
			if _, ok := h.bystander.acks[id]; !ok {
				return false
			}
		}
		return true
	})
	if h.bystander.welcomes != 1 {
		t.Errorf("the bystander connected %d times; want once, never cut off", h.bystander.welcomes)
	}
}

// TestLongMinutesInAnyScript: minutes as long as session allows, in a
// script of two- and three-byte characters and full of characters JSON
// escapes, go through; an op too large for any frame is refused by Send
// and never blocks the outbox.
func TestLongMinutesInAnyScript(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	rob := tr.join(codes.code(t, "Manzoni", session.Rapporteur), "Rob")
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	texts := map[string]string{
		"Cyrillic": strings.Repeat("протокол ", session.MaxLongText/9),
		"CJK":      strings.Repeat("会议记录。", session.MaxLongText/5),
		"markup":   strings.Repeat("<a & b>\n", session.MaxLongText/8),
	}
	for name, text := range texts {
		if err := session.CheckText(text, session.MaxLongText, true); err != nil {
			t.Fatalf("%s text: %v", name, err)
		}
		rob.mustSend(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: text})
		ana.waitFor(name+" minutes", func() bool {
			m := ana.state.Text(session.Minutes, "Manzoni", "q1")
			return m != nil && m.Body == text
		})
	}
	// After the long minutes the outbox is not stuck: an idea goes in.
	rob.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after the minutes"})

	// An op no frame can carry is refused at once, not queued.
	huge := session.NewOp(rob.c.NewOpID(), session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: strings.Repeat("<", 4*maxFrame)})
	if err := rob.c.Send(huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Send of a %d-byte op = %v; want ErrTooLarge", len(huge.Data), err)
	}
	if q := rob.c.Status().Queued; q != 0 {
		t.Errorf("after refusing the huge op the outbox holds %d; want 0", q)
	}
	rob.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after the huge one"})
}

// tamper changes the last character of a secret.
func tamper(secret string) string {
	last := "0"
	if strings.HasSuffix(secret, "0") {
		last = "1"
	}
	return secret[:len(secret)-1] + last
}
