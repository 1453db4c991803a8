package tui

import (
	"strings"
	"testing"

	"breakout/session"
)

// TestBoardWritesRecommendations: on the merge board R shows the
// question's recommendations; n adds one, e edits it, x removes it after
// asking; esc goes back to the themes.
func TestBoardWritesRecommendations(t *testing.T) {
	tr := startRelay(t)
	watcher := tr.peer("Manzoni", session.Participant, "Ada", "")
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 80, 24, nil)
	d.settled()
	d.press("M")
	d.waitView("Merge board · Q1/3", "recommendations (0): R")
	d.press("R")
	d.waitView("Recommendations of this question (0)", "no recommendation yet: n writes one")
	if got := d.m.scr.bar().ShortHelp(); len(got) == 0 || got[0].Help().Desc != "new recommendation" {
		t.Fatalf("the help bar of the recommendations pane starts with %v; want its keys", got)
	}

	d.press("n")
	if !d.m.scr.typing() {
		t.Fatal("n did not ask for the recommendation")
	}
	d.typeText("Fund one shared calendar for every partner")
	d.press("enter")
	d.waitView("0 priority votes · Fund one shared calendar for every partner")
	d.press("n")
	d.typeText("Meet once a year")
	d.press("enter")
	d.waitView("Recommendations of this question (2)", "Meet once a year")
	if n := len(d.m.a.state.RecommendationsOf("q1")); n != 2 {
		t.Fatalf("the replica holds %d recommendations of q1; want 2", n)
	}
	// In the rooms the members are not shown them.
	if n := len(watcher.state.Recommendations); n != 0 {
		t.Errorf("a participant holds %d recommendations in the rooms; want none", n)
	}

	// e edits the selected one; an empty text is not sent.
	d.selectRow("Meet once a year")
	d.press("e")
	d.press("ctrl+u")
	d.typeText("Meet twice a year")
	d.press("enter")
	d.waitView("Meet twice a year")

	// x asks, y removes.
	d.press("x")
	d.waitView("Remove the recommendation?")
	d.press("y")
	d.waitFor("removed", func() bool { return len(d.m.a.state.RecommendationsOf("q1")) == 1 })
	d.waitFor("gone from the screen", func() bool { return !strings.Contains(d.view(), "Meet twice a year") })

	// Another question has its own; esc goes back to the themes.
	d.press("]")
	d.waitView("Merge board · Q2/3")
	d.press("R")
	d.waitView("Recommendations of this question (0)")
	d.press("esc")
	d.waitView("recommendations (0): R")
	d.press("[")
	d.waitView("Merge board · Q1/3", "recommendations (1): R")
}

// TestPlenaryPriorityVotesOnRecommendations: the plenary lists the
// question's recommendations below its themes; space gives the selected
// one a priority vote from the same budget as the themes, and the
// organizer sees the tally live.
func TestPlenaryPriorityVotesOnRecommendations(t *testing.T) {
	sc := newPlenaryScene(t)
	var recs []string
	for _, text := range []string{"Fund one shared calendar", "Publish a quarterly newsletter"} {
		sc.org.do(session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: text})
	}
	for _, r := range sc.org.state.RecommendationsOf("q1") {
		recs = append(recs, r.ID)
	}
	sc.phase(session.PhasePlenary)
	d := newDriver(t, sc.tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, nil)
	o.settled()
	o.press("v")
	o.waitView("Plenary · Q1/3")

	d.waitView("Plenary · Q1/3")
	d.selectRow("Fund one shared calendar")
	d.waitView("Recommendations of Q1")
	d.press("space")
	d.waitFor("the vote", func() bool { return len(d.m.a.state.PriorityOf(d.m.a.me.ID, "q1")) == 1 })
	d.waitView("● your priority", "1 of 2 priority votes left")
	o.selectRow("Fund one shared calendar")
	o.waitFor("the tally", func() bool { return o.m.a.state.PriorityTally("q1")[recs[0]] == 1 })
	if l := lineAfter(o.view(), "Fund one shared calendar"); !strings.Contains(l, "1 priority vote") {
		t.Errorf("the organizer's line under the recommendation = %q; want its tally", l)
	}

	// One budget: a theme takes the second vote, and the other
	// recommendation finds none left.
	d.selectRow("Shared calendar")
	d.press("space")
	d.waitView("0 of 2 priority votes left")
	d.selectRow("Publish a quarterly newsletter")
	d.press("space")
	d.waitView("no priority votes left on this question")
	// Taking the vote on the recommendation back frees one.
	d.selectRow("Fund one shared calendar")
	d.press("space")
	d.waitFor("the unvote", func() bool { return len(d.m.a.state.PriorityOf(d.m.a.me.ID, "q1")) == 1 })
	o.waitFor("the tally back", func() bool { return o.m.a.state.PriorityTally("q1")[recs[0]] == 0 })

	// Removed by the organizer, it leaves every screen.
	sc.org.do(session.KindRecommendationRemove, session.RecommendationRef{Recommendation: recs[0]})
	d.waitFor("removed", func() bool { return !strings.Contains(d.view(), "Fund one shared calendar") })
}

// lineAfter returns the line after the first one holding s.
func lineAfter(view, s string) string {
	lines := strings.Split(view, "\n")
	for k, l := range lines {
		if strings.Contains(l, s) && k+1 < len(lines) {
			return lines[k+1]
		}
	}
	return ""
}
