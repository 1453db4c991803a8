package relay

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"breakout/session"
)

// startNATS starts a NATS server with JetStream listening on loopback, as
// an external cluster would be.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns
}

func TestScaleOutTwoRelaysOneSession(t *testing.T) {
	ns := startNATS(t)
	a := startRelay(t, "", Config{Store: StoreConfig{URL: ns.ClientURL()}})
	b := startRelay(t, "", Config{Store: StoreConfig{URL: ns.ClientURL()}})
	codes := a.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)

	onA := joinURL(t, a.url, code, "Ana", "")
	onB := joinURL(t, b.url, code, "Ben", "")
	orgB := joinURL(t, b.url, codes.code(t, "", session.Organizer), "Olga", "")
	for i := range 10 {
		onA.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("from A %d", i)})
		onB.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("from B %d", i)})
	}
	for _, p := range []*peer{onA, onB, orgB} {
		p.waitFor("all 20 ideas", func() bool { return len(p.visibleIdeas()) == 20 })
	}
	// Both relays end holding the same state.
	snap := func(tr *testRelay) string {
		r := tr.srv.rooms[codes.Session]
		r.mu.Lock()
		defer r.mu.Unlock()
		b, _ := r.state.MarshalSnapshot()
		return string(b)
	}
	// Each relay applies the log as it reads it: a deadline for a busy
	// machine, not a bound on how late a relay may be.
	deadline := time.Now().Add(30 * time.Second)
	for snap(a) != snap(b) {
		if time.Now().After(deadline) {
			t.Fatalf("the two relays hold different states")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A replica on A and one on B end equal.
	if len(onA.state.Ideas) != len(onB.state.Ideas) {
		t.Errorf("replicas differ: %d ideas on A, %d on B", len(onA.state.Ideas), len(onB.state.Ideas))
	}
}
