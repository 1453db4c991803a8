package relay

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"breakout/session"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The NATS client keeps a few background timers alive briefly
		// after Close; they end on their own.
		goleak.IgnoreTopFunction("time.Sleep"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats-server/v2/server.(*Server).Start.func1"),
	)
}

func TestJoinEachKindOfCode(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	for _, c := range codes.Codes {
		p := tr.join(c.Code, "Someone "+string(c.Role))
		if p.you.Role != c.Role || p.you.Group != c.Group {
			t.Errorf("join with %s/%s code: you = %+v; want role %s group %q", c.Group, c.Role, p.you, c.Role, c.Group)
		}
		if p.state.Title != "Test session" {
			t.Errorf("welcome snapshot title = %q; want %q", p.state.Title, "Test session")
		}
	}
}

func TestWrongCodeGetsErrorAndClose(t *testing.T) {
	tr := startRelay(t, "", Config{})
	tr.create(testPlan)
	_, err := Dial(t.Context(), ClientConfig{URL: tr.url, Code: "zzzz-zzzz-zzzzz", Name: "Mallory"})
	if err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("Dial with a wrong code = %v; want a 'not valid' error", err)
	}
}

func TestEventsReachOwnGroupOnly(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ben := tr.join(codes.code(t, "Manzoni", session.Chair), "Ben")
	vic := tr.join(codes.code(t, "Verdi", session.Participant), "Vic")
	org := tr.join(codes.code(t, "", session.Organizer), "Olga")

	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Keep the long lunch"})
	ben.waitFor("Ana's idea", func() bool { return len(ben.visibleIdeas()) == 1 })
	org.waitFor("Ana's idea", func() bool { return len(org.visibleIdeas()) == 1 })
	// Vic's own idea comes after Ana's in the log: anything of Ana's
	// fanned out to Vic would have reached him before it.
	vic.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Verdi's own idea"})
	vic.waitFor("his own idea", func() bool { return textCount(vic.state, "Verdi's own idea") == 1 })
	if got := vic.visibleIdeas(); len(got) != 1 {
		t.Fatalf("Verdi participant sees %q; want no ideas of Manzoni, only his own", got)
	}
	for _, ev := range vic.events {
		if ev.Data.Group != "" && ev.Data.Group != "Verdi" {
			t.Errorf("Verdi participant got event %s of group %q", ev.Kind, ev.Data.Group)
		}
	}
}

func TestAnonymousAuthorNeverSent(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ben := tr.join(codes.code(t, "Manzoni", session.Chair), "Ben")
	org := tr.join(codes.code(t, "", session.Organizer), "Olga")
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "A quiet worry", Anonymous: true})
	for _, p := range []*peer{ben, org} {
		p.waitFor("the idea", func() bool { return len(p.visibleIdeas()) == 1 })
		for _, i := range p.state.Ideas {
			if i.Author != "" {
				t.Errorf("%s sees the author %q of an anonymous idea", p.you.Name, i.Author)
			}
		}
		for _, ev := range p.events {
			if ev.Kind == session.KindIdeaAdd && ev.By != "" {
				t.Errorf("%s got idea.add with by = %q", p.you.Name, ev.By)
			}
		}
	}
	for _, i := range ana.state.Ideas {
		if !i.Mine || i.Author != ana.you.ID {
			t.Errorf("the author sees own anonymous idea as mine=%v author=%q; want true, %q", i.Mine, i.Author, ana.you.ID)
		}
	}
}

func TestResumeGetsExactlyMissedEvents(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	ben := tr.join(codes.code(t, "Manzoni", session.Participant), "Ben")
	ana.pump(200 * time.Millisecond)
	ana.c.mu.Lock()
	token := ana.c.resume
	ana.c.mu.Unlock()
	ana.c.Close()
	since := ana.state.Seq
	for i := range 100 {
		ben.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %d", i)})
	}
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Resume: token, Since: since})
	if w.You.ID != ana.you.ID {
		t.Errorf("resumed as %s; want %s", w.You.ID, ana.you.ID)
	}
	if w.Snapshot != nil {
		t.Fatalf("resume sent a snapshot; want the missed events")
	}
	adds := map[string]bool{}
	for _, ev := range w.Events {
		if ev.Seq <= since {
			t.Errorf("resume sent event %d, which Ana had (since %d)", ev.Seq, since)
		}
		if ev.Kind == session.KindIdeaAdd {
			adds[ev.Data.Idea] = true
		}
	}
	if len(adds) != 100 {
		t.Errorf("resume sent %d distinct idea.add events; want 100", len(adds))
	}
}

func TestRetriedOpAppliedOnce(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	op := session.NewOp("same-id", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "once"})
	for range 3 {
		if err := ana.c.Send(op); err != nil {
			t.Fatal(err)
		}
	}
	ana.waitFor("ack", func() bool { _, ok := ana.acks["same-id"]; return ok })
	// An op sent after the three is answered after them: a copy applied
	// again would be in the log, and at Ana, before it.
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "after"})
	ana.waitFor("the op after", func() bool { return textCount(ana.state, "after") == 1 })
	if got := textCount(ana.state, "once"); got != 1 {
		t.Fatalf("after sending one op three times there are %d ideas; want 1", got)
	}
}

func TestForbiddenOpsOfParticipant(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := tr.create(testPlan)
	ana := tr.join(codes.code(t, "Manzoni", session.Participant), "Ana")
	for _, kind := range session.Kinds() {
		if session.Allowed(session.Participant, kind) {
			continue
		}
		_, rej := ana.send(kind, map[string]any{})
		if rej == nil || rej.Code != session.CodeForbidden {
			t.Errorf("participant %s = %+v; want forbidden", kind, rej)
		}
	}
	for _, kind := range []string{session.KindPersonJoin, session.KindPersonOnline, session.KindSessionCreate} {
		_, rej := ana.send(kind, map[string]any{})
		if rej == nil || rej.Code != session.CodeForbidden {
			t.Errorf("participant %s = %+v; want forbidden", kind, rej)
		}
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	tr := startRelay(t, dir, Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	ana := tr.join(code, "Ana")
	for i := range 5 {
		ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %d", i)})
	}
	ana.c.Close()
	tr.stop()

	tr2 := startRelay(t, dir, Config{})
	ben := tr2.join(code, "Ben")
	if got := len(ben.visibleIdeas()); got != 5 {
		t.Fatalf("after restart Ben sees %d ideas; want 5", got)
	}
}

func TestStaleResumeTokenFallsBackToCode(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	dir := t.TempDir()
	if err := writeFileAtomic(dir+"/resume", []byte("nosuch.p1.0123456789abcdef\n")); err != nil {
		t.Fatal(err)
	}
	p := joinURL(t, tr.url, codes.code(t, "Verdi", session.Chair), "Carla", dir)
	if p.you.Role != session.Chair || p.you.Group != "Verdi" {
		t.Fatalf("joined as %+v; want the Verdi chair", p.you)
	}
	b, _ := os.ReadFile(dir + "/resume")
	if !strings.HasPrefix(string(b), codes.Session+".") {
		t.Errorf("resume file = %q; want the new token of session %s", b, codes.Session)
	}
}
