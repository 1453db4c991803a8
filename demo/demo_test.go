package demo

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"breakout/relay"
	"breakout/report"
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

// TestDemoRestartKeepsItsPeople starts a demo, stops it and starts it
// again on the same data directory: the simulated people come back as
// themselves, none twice.
func TestDemoRestartKeepsItsPeople(t *testing.T) {
	dir := t.TempDir()
	const bots = 6
	seats := bots + 6 // a chair and a rapporteur in each of three groups
	// members counts the people in groups, and those of them online, as
	// the organizer sees them.
	members := func(d *Demo) (people, online int, names map[string]int) {
		t.Helper()
		c, err := relay.Dial(t.Context(), relay.ClientConfig{URL: d.URL, Code: d.Code("", session.Organizer), Name: "Watcher"})
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer c.Close()
		var state *session.State
		deadline := time.After(30 * time.Second)
		for {
			select {
			case u := <-c.Updates():
				switch {
				case u.Welcome != nil:
					state = u.Welcome.Snapshot
				case u.Event != nil && state != nil:
					state.ApplyEvent(*u.Event)
				}
			case <-deadline:
				var off []string
				for _, p := range state.People {
					if p.Role != session.Organizer && !p.Online {
						off = append(off, p.Name+" ("+string(p.Role)+" in "+p.Group+")")
					}
				}
				t.Fatalf("after 30s %d of %d simulated people are online; offline: %v", online, seats, off)
			}
			if state == nil {
				continue
			}
			people, online, names = 0, 0, map[string]int{}
			for _, p := range state.People {
				if p.Role != session.Organizer {
					people++
					names[p.Name+" in "+p.Group]++
					if p.Online {
						online++
					}
				}
			}
			if online >= seats {
				return people, online, names
			}
		}
	}
	for run := 1; run <= 2; run++ {
		d, err := Start(context.Background(), Config{Dir: dir, Bots: bots, Pace: 40})
		if err != nil {
			t.Fatalf("Start (run %d): %v", run, err)
		}
		t.Logf("run %d", run)
		people, online, names := members(d)
		d.Close()
		if people != seats || online != seats {
			t.Errorf("run %d: %d people in groups, %d online; want %d and %d", run, people, online, seats, seats)
		}
		for name, n := range names {
			if n > 1 {
				t.Errorf("run %d: %s is there %d times; want once", run, name, n)
			}
		}
	}
}

// The simulated rapporteur quotes ideas as people typed them: an idea of
// two lines with quotes becomes one line, with no escapes such as \n.
func TestBotMinutesLineQuotesPlainly(t *testing.T) {
	b := &bot{rng: rand.New(rand.NewPCG(1, 2))}
	idea := &session.Idea{Text: "Share \"open\" data\nacross partners"}
	for range 20 {
		line := b.minutesLine(idea)
		if strings.ContainsAny(line, "\\\n") || !strings.Contains(line, `Share "open" data across partners`) {
			t.Fatalf("minutesLine = %q; want the idea quoted as typed, on one line", line)
		}
	}
}

// A person who joins with the code of a simulated rapporteur's seat takes
// it: the simulated one leaves and writes no more.
func TestBotStepsBackForAPerson(t *testing.T) {
	d, err := Start(context.Background(), Config{Dir: t.TempDir(), Bots: 3, Pace: 40})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer d.Close()
	watch, err := relay.Dial(t.Context(), relay.ClientConfig{URL: d.URL, Code: d.Code("", session.Organizer), Name: "Watcher"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer watch.Close()
	var state *session.State
	real := "Real Rapporteur"
	// online reports whether the person (real) or the simulated
	// rapporteur (!real) of Verdi is online.
	online := func(real bool) func() bool {
		return func() bool {
			if state == nil {
				return false
			}
			for _, p := range state.People {
				if p.Group == "Verdi" && p.Role == session.Rapporteur && p.Online && (p.Name == "Real Rapporteur") == real {
					return true
				}
			}
			return false
		}
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		// The simulated rapporteur is logged offline only after the
		// relay's offline grace (5 s); the rest is for busy machines.
		deadline := time.After(30 * time.Second)
		for !cond() {
			select {
			case u := <-watch.Updates():
				switch {
				case u.Welcome != nil:
					state = u.Welcome.Snapshot
				case u.Event != nil && state != nil:
					state.ApplyEvent(*u.Event)
				}
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	until("the simulated rapporteur of Verdi", online(false))
	c, err := relay.Dial(t.Context(), relay.ClientConfig{URL: d.URL, Code: d.Code("Verdi", session.Rapporteur), Name: real})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	until("the simulated rapporteur to step back", func() bool { return online(true)() && !online(false)() })
}

// TestDemoRepliesDifferAcrossGroups: each group's build-on replies are
// its own and none is worded like another group's, so the merge board
// does not suggest a reply such as "Good point" as a theme raised in
// every room.
func TestDemoRepliesDifferAcrossGroups(t *testing.T) {
	for g, set := range buildOns {
		for h := g + 1; h < len(buildOns); h++ {
			for _, a := range set {
				for _, b := range buildOns[h] {
					if ok, score := report.Similar(a, b); ok {
						t.Errorf("replies of groups %d and %d are alike (%.2f): %q / %q", g+1, h+1, score, a, b)
					}
				}
			}
		}
	}
}
