package relay

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"breakout/session"
)

// Two windows of one person on one machine share a state directory: the
// same HOME, code and name. Each keeps its own queue of ops; a client
// started later takes over the queues of those that ended, and every op
// is applied once.

// addIdea queues an idea and returns its op id.
func (p *peer) addIdea(text string) string {
	p.t.Helper()
	id := p.c.NewOpID()
	if err := p.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
		p.t.Fatalf("Send(%q): %v", text, err)
	}
	return id
}

// queuedOnDisk reads every outbox file of a state directory.
func queuedOnDisk(t *testing.T, dir string) (files int, texts []string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "outbox*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		var ops []session.Op
		b, err := os.ReadFile(name)
		if err != nil || json.Unmarshal(b, &ops) != nil {
			t.Fatalf("outbox file %s: %v %q", name, err, b)
		}
		files++
		for _, op := range ops {
			var d session.IdeaAdd
			json.Unmarshal(op.Data, &d)
			texts = append(texts, d.Text)
		}
	}
	return files, texts
}

// offline waits until a client knows its connection is gone.
func (p *peer) offline() {
	p.t.Helper()
	p.waitFor("the connection to drop", func() bool { return p.c.Status().State != Live })
}

// wantOnce checks that each text is in the relay's log exactly once.
func wantOnce(t *testing.T, tr *testRelay, sessionID string, texts ...string) {
	t.Helper()
	s := roomState(t, tr.srv, sessionID)
	for _, text := range texts {
		if n := textCount(s, text); n != 1 {
			t.Errorf("%q is in the log %d times; want exactly 1", text, n)
		}
	}
}

// wantNoOutbox checks that nothing is left queued in a state directory.
func wantNoOutbox(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "outbox") {
			t.Errorf("%s is left in the state directory after the outbox was sent", e.Name())
		}
	}
}

// TestTwoWindowsOnOneStateDir runs two clients of one person on one state
// directory, offline, each queuing an idea; they quit (or are killed) with
// the ideas queued, and a third client on the directory sends both, once
// each.
func TestTwoWindowsOnOneStateDir(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)

	t.Run("both quit offline", func(t *testing.T) {
		px := newProxy(t, tr.http.Listener.Addr().String())
		dir := filepath.Join(t.TempDir(), "state")
		a := joinURL(t, px.url(), code, "Twin Tina", dir)
		b := joinURL(t, px.url(), code, "Twin Tina", dir)
		if a.you.ID != b.you.ID {
			t.Fatalf("the two windows are %s and %s; want one person", a.you.ID, b.you.ID)
		}
		px.goDown()
		a.offline()
		b.offline()
		a.addIdea("TWIN-A offline idea")
		b.addIdea("TWIN-B offline idea")
		a.addIdea("TWIN-A second idea")
		if qa, qb := a.c.Status().Queued, b.c.Status().Queued; qa != 2 || qb != 1 {
			t.Fatalf("queued %d and %d; want 2 and 1", qa, qb)
		}
		_, texts := queuedOnDisk(t, dir)
		if len(texts) != 3 {
			t.Errorf("on disk while both run: %q; want the three ideas", texts)
		}
		a.c.Close()
		b.c.Close()
		px.goUp()

		c := joinURL(t, tr.url, code, "Twin Tina", dir)
		if c.you.ID != a.you.ID {
			t.Fatalf("the third window is %s; want the same person %s", c.you.ID, a.you.ID)
		}
		c.waitFor("an empty outbox", func() bool { return c.c.Status().Queued == 0 })
		c.pump(100 * time.Millisecond)
		wantOnce(t, tr, codes.Session, "TWIN-A offline idea", "TWIN-B offline idea", "TWIN-A second idea")
		var order []string
		for _, ev := range c.events {
			if i := c.state.Ideas[ev.Data.Idea]; ev.Kind == session.KindIdeaAdd && i != nil {
				order = append(order, i.Text)
			}
		}
		if ia, ia2 := slices.Index(order, "TWIN-A offline idea"), slices.Index(order, "TWIN-A second idea"); ia < 0 || ia > ia2 {
			t.Errorf("ideas applied in the order %q; want A's in the order typed", order)
		}
		c.c.Close()
		wantNoOutbox(t, dir)
	})

	t.Run("a live window keeps its queue", func(t *testing.T) {
		px := newProxy(t, tr.http.Listener.Addr().String())
		dir := filepath.Join(t.TempDir(), "state")
		a := joinURL(t, px.url(), code, "Twin Tom", dir)
		px.goDown()
		a.offline()
		a.addIdea("TOM-A waits for the network")
		// A second window starts while the first still runs: it must not
		// take the first one's queue, nor overwrite it.
		b := joinURL(t, tr.url, code, "Twin Tom", dir)
		if q := b.c.Status().Queued; q != 0 {
			t.Errorf("a new window took %d ops of a running one; want 0", q)
		}
		b.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "TOM-B online"})
		b.c.Close()
		if _, texts := queuedOnDisk(t, dir); len(texts) != 1 || texts[0] != "TOM-A waits for the network" {
			t.Fatalf("on disk after the second window quit: %q; want the first one's idea", texts)
		}
		if q := a.c.Status().Queued; q != 1 {
			t.Fatalf("the first window holds %d queued; want 1", q)
		}
		px.goUp()
		a.waitFor("an empty outbox", func() bool { return a.c.Status().Queued == 0 })
		a.c.Close()
		wantOnce(t, tr, codes.Session, "TOM-A waits for the network", "TOM-B online")
		wantNoOutbox(t, dir)
	})

	t.Run("both killed offline", func(t *testing.T) {
		px := newProxy(t, tr.http.Listener.Addr().String())
		dir := filepath.Join(t.TempDir(), "state")
		k1 := startClientChild(t, dir, px.url(), code)
		k2 := startClientChild(t, dir, px.url(), code)
		if k1.you != k2.you {
			t.Fatalf("the two windows are %s and %s; want one person", k1.you, k2.you)
		}
		px.goDown()
		for i, k := range []*clientChild{k1, k2} {
			k.say("offline")
			if f := k.next(t); f[0] != "OFFLINE" {
				t.Fatalf("child said %q; want OFFLINE", f)
			}
			k.say("send 3 KILLED-" + string(rune('A'+i)))
			for range 3 {
				k.next(t)
			}
		}
		k1.kill()
		k2.kill()
		files, texts := queuedOnDisk(t, dir)
		if len(texts) != 6 {
			t.Fatalf("on disk after the kills: %d files holding %q; want the six ideas", files, texts)
		}
		px.goUp()
		c := joinURL(t, px.url(), code, "Kim again", dir)
		if c.you.ID != k1.you {
			t.Fatalf("the restarted client is %s; want the same person %s", c.you.ID, k1.you)
		}
		c.waitFor("an empty outbox", func() bool { return c.c.Status().Queued == 0 })
		c.pump(100 * time.Millisecond)
		wantOnce(t, tr, codes.Session, "KILLED-A 0", "KILLED-A 1", "KILLED-A 2", "KILLED-B 0", "KILLED-B 1", "KILLED-B 2")
		c.c.Close()
		wantNoOutbox(t, dir)
	})

	t.Run("an outbox of the earlier layout", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		a := joinURL(t, tr.url, code, "Old Olga", dir)
		a.c.Close()
		old := []session.Op{session.NewOp("old-1", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "OLGA from outbox.json"})}
		b, _ := json.Marshal(old)
		if err := os.WriteFile(filepath.Join(dir, "outbox.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		c := joinURL(t, tr.url, code, "Old Olga", dir)
		c.waitFor("an empty outbox", func() bool { return c.c.Status().Queued == 0 })
		wantOnce(t, tr, codes.Session, "OLGA from outbox.json")
		c.c.Close()
		wantNoOutbox(t, dir)
	})
}

// TestOutboxTakenOverOnce starts clients on one state directory at the
// same moment, where clients that ended left outbox files: every op left
// is taken over by exactly one of them, and no client takes the queue of
// another that runs.
func TestOutboxTakenOverOnce(t *testing.T) {
	for round := range long(30, 300) {
		dir := t.TempDir()
		want := map[string]bool{}
		// Clients that ended with ops queued, the last one of the
		// earlier layout.
		for i := range 6 {
			c := &Client{cfg: ClientConfig{StateDir: dir}}
			if err := c.loadStateLocked(); err != nil {
				t.Fatal(err)
			}
			for j := range 3 {
				id := fmt.Sprintf("gone%d-%d", i, j)
				want[id] = true
				c.outbox = append(c.outbox, session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: id}))
			}
			if err := c.saveOutboxLocked(); err != nil {
				t.Fatal(err)
			}
			c.closeOutboxLocked()
		}
		legacy := []session.Op{session.NewOp("legacy-0", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "legacy"})}
		b, _ := json.Marshal(legacy)
		os.WriteFile(filepath.Join(dir, "outbox.json"), b, 0o600)
		want["legacy-0"] = true

		const n = 4
		clients := make([]*Client, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				clients[i] = &Client{cfg: ClientConfig{StateDir: dir}}
				errs[i] = clients[i].loadStateLocked()
			})
		}
		wg.Wait()
		got := map[string]int{}
		for i, c := range clients {
			if errs[i] != nil {
				t.Fatalf("round %d: client %d: %v", round, i, errs[i])
			}
			for _, op := range c.outbox {
				got[op.ID]++
			}
		}
		for id := range want {
			if got[id] != 1 {
				t.Errorf("round %d: op %s taken over by %d clients; want 1", round, id, got[id])
			}
		}
		// Each file left is the queue of a running client.
		files, texts := queuedOnDisk(t, dir)
		if len(texts) != len(want) {
			t.Errorf("round %d: %d files hold %d ops; want %d", round, files, len(texts), len(want))
		}
		for _, c := range clients {
			c.closeOutboxLocked()
		}
		if t.Failed() {
			return
		}
	}
}
