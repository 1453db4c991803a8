package demo

import (
	"context"
	"testing"
	"time"

	"breakout/relay"
	"breakout/session"
)

// TestDemoComesAlive starts the demo's relay and simulated people without
// a terminal and checks, as the organizer sees it, that ideas, votes and
// minutes appear in every group.
func TestDemoComesAlive(t *testing.T) {
	d, err := Start(context.Background(), Config{Dir: t.TempDir(), Bots: 9, Pace: 40})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer d.Close()
	c, err := relay.Dial(t.Context(), relay.ClientConfig{URL: d.URL, Code: d.Code("", session.Organizer), Name: "Watcher"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	var state *session.State
	alive := func() bool {
		if state == nil {
			return false
		}
		for _, g := range state.Groups {
			ideas, votes, minutes := 0, 0, false
			for _, i := range state.Ideas {
				if i.Group == g.Name {
					ideas++
					votes += i.Votes()
				}
			}
			for _, tx := range state.Texts {
				if tx.Group == g.Name && tx.Kind == session.Minutes && tx.Body != "" {
					minutes = true
				}
			}
			if ideas == 0 || votes == 0 || !minutes {
				return false
			}
		}
		return true
	}
	deadline := time.After(30 * time.Second)
	for !alive() {
		select {
		case u := <-c.Updates():
			switch {
			case u.Welcome != nil:
				state = u.Welcome.Snapshot
			case u.Event != nil:
				state.ApplyEvent(*u.Event)
			}
		case <-deadline:
			t.Fatalf("after 30s not every group has ideas, votes and minutes")
		}
	}
}

func TestDemoNeedsAKnownGroup(t *testing.T) {
	_, err := Start(context.Background(), Config{Dir: t.TempDir(), Role: session.Chair, Group: "Puccini"})
	if err == nil {
		t.Fatal("Start with group Puccini succeeded; want an error naming the demo's groups")
	}
}
