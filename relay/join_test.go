package relay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// peopleNamed returns the people of that name in a session's state.
func peopleNamed(s *session.State, name string) []*session.Person {
	var out []*session.Person
	for _, p := range s.People {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// TestHelloSentAgainWithItsJoinKeyIsOnePerson sends the same hello, join
// key and all, on two connections, as a client does whose first welcome
// was lost: both are welcomed as the one person the first made, with the
// same resume token. Another key makes another person; the key with a
// code of another group, or a key of the wrong shape, is refused.
func TestHelloSentAgainWithItsJoinKeyIsOnePerson(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Verdi", session.Participant)
	hello := session.Hello{Type: session.MsgHello, Code: code, Name: "Dora", Join: "dora-join-key-0123456789"}
	w1 := rawHello(t, rawDial(t, tr.url), hello)
	w2 := rawHello(t, rawDial(t, tr.url), hello)
	if w2.You != w1.You || w2.Resume != w1.Resume {
		t.Errorf("second hello with the key: %+v %q; want %+v %q", w2.You, w2.Resume, w1.You, w1.Resume)
	}
	if w := rawHello(t, rawDial(t, tr.url), session.Hello{Type: session.MsgHello, Resume: w2.Resume}); w.You != w1.You {
		t.Errorf("the second welcome's resume token gives %+v; want %+v", w.You, w1.You)
	}
	hello.Join = "dora-other-key-0123456789"
	if w3 := rawHello(t, rawDial(t, tr.url), hello); w3.You.ID == w1.You.ID {
		t.Errorf("a hello with another key is %s too; want a new person", w3.You.ID)
	}
	if n := len(peopleNamed(roomState(t, tr.srv, codes.Session), "Dora")); n != 2 {
		t.Errorf("%d people named Dora; want 2 (one per key)", n)
	}

	for what, h := range map[string]session.Hello{
		"the key with another group's code": {Type: session.MsgHello, Code: codes.code(t, "Manzoni", session.Participant),
			Name: "Dora", Join: "dora-join-key-0123456789"},
		"a key too short":  {Type: session.MsgHello, Code: code, Name: "Dora", Join: "short"},
		"a key with a dot": {Type: session.MsgHello, Code: code, Name: "Dora", Join: "dora.join.key.0123456789"},
	} {
		ws := rawDial(t, tr.url)
		if err := ws.WriteJSON(h); err != nil {
			t.Fatal(err)
		}
		f, err := readFrame(ws, 10*time.Second)
		if err != nil || f.Type != session.MsgError || !strings.Contains(string(f.raw), `"code":"protocol"`) {
			t.Errorf("%s: answered %s, %v; want a protocol error", what, f.raw, err)
		}
	}
	if n := len(peopleNamed(roomState(t, tr.srv, codes.Session), "Dora")); n != 2 {
		t.Errorf("%d people named Dora after the refused hellos; want 2", n)
	}
}

// TestJoinWhoseWelcomeWasLostIsOnePerson cuts a new client's connection
// right after its hello reached the relay, before the welcome could come
// back, as a relay restart or a dropped network would: the relay has
// made the person, the client does not know it. Joining again from the
// same state directory (as `breakout join` run again does) is welcomed
// as that person, not as a second one of the same name.
func TestJoinWhoseWelcomeWasLostIsOnePerson(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	px := newProxy(t, tr.http.Listener.Addr().String())
	dir := t.TempDir()

	cut := px.cutAfter(1) // the websocket handshake passes, the hello is cut after
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := Dial(ctx, ClientConfig{URL: px.url(), Code: code, Name: "Ana", StateDir: dir}); err == nil {
		c.Close()
		t.Fatal("Dial through a connection cut after the hello succeeded")
	}
	select {
	case <-cut:
	case <-time.After(10 * time.Second):
		t.Fatal("the hello never passed the proxy")
	}
	waitUntil(t, 30*time.Second, "the relay to apply Ana's join", func() bool {
		return len(peopleNamed(roomState(t, tr.srv, codes.Session), "Ana")) == 1
	})
	if _, err := os.Stat(filepath.Join(dir, "join")); err != nil {
		t.Fatalf("the client did not keep its join key: %v", err)
	}

	ana := joinURL(t, px.url(), code, "Ana", dir)
	people := peopleNamed(roomState(t, tr.srv, codes.Session), "Ana")
	if len(people) != 1 {
		t.Fatalf("%d people named Ana after joining again; want 1", len(people))
	}
	if ana.you.ID != people[0].ID {
		t.Errorf("welcomed as %s; the first join made %s", ana.you.ID, people[0].ID)
	}
	if _, err := os.Stat(filepath.Join(dir, "join")); !os.IsNotExist(err) {
		t.Errorf("the join key is still kept after the welcome (%v); the resume token stands for Ana now", err)
	}
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "one of me"})
}

// A roster person's own code joins without a name and keeps the roster's
// name and background, whatever the hello says: the report counts
// backgrounds from the roster. A shared code without a name is answered
// name_needed, which the client turns into ErrNameNeeded so it can ask.
func TestRosterPersonKeepsRosterName(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(`title = "T"
[[question]]
text = "Q?"
[[group]]
name = "G"
[[person]]
name = "Ada Lovelace"
background = "mathematics"
group = "G"
role = "participant"
`)
	var own string
	for _, c := range codes.Codes {
		if c.Name == "Ada Lovelace" {
			own = c.Code
		}
	}
	if own == "" {
		t.Fatalf("no personal code in %+v", codes.Codes)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, ClientConfig{URL: tr.url, Code: own, Name: "Someone Else", Background: "ports"})
	if err != nil {
		t.Fatalf("Dial with the personal code: %v", err)
	}
	defer c.Close()
	w := (<-c.Updates()).Welcome
	if w == nil {
		t.Fatal("first update is not the welcome")
	}
	p := w.Snapshot.People[w.You.ID]
	if w.You.Name != "Ada Lovelace" || p == nil || p.Name != "Ada Lovelace" || p.Background != "mathematics" {
		t.Errorf("personal code joined as %q (%+v); want the roster's Ada Lovelace, mathematics", w.You.Name, p)
	}

	_, err = Dial(ctx, ClientConfig{URL: tr.url, Code: codes.code(t, "G", session.Participant)})
	if !errors.Is(err, ErrNameNeeded) {
		t.Errorf("Dial with a shared code and no name = %v; want ErrNameNeeded", err)
	}
	if errors.Is(err, ErrRefused) {
		t.Errorf("Dial with a shared code and no name = %v; a missing name is not a refusal", err)
	}
}
