package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/report"
	"breakout/session"
)

// plenaryPlan is testPlan with two priority votes and a questionnaire.
var plenaryPlan = strings.Replace(testPlan, "votes_per_person = 3", "votes_per_person = 3\npriority_votes = 2", 1) + `
[[survey]]
kind = "scale"
text = "How useful was the day?"
labels = ["Not at all", "Very"]
[[survey]]
kind = "single"
text = "Which format next time?"
options = ["Same", "Longer", "Online"]
[[survey]]
kind = "text"
text = "One thing to change"
[[survey]]
kind = "multiple"
text = "Which parts worked?"
options = ["Rooms", "Plenary", "Votes"]
`

// plenaryScene is a session that worked in the rooms and goes to the
// plenary: Manzoni published its summary of Q1 with a key idea, Verdi did
// too, the organizer drew up a theme raised in both.
type plenaryScene struct {
	tr     *testRelay
	r      *relaytest.Relay
	codes  *relay.Codes
	org    *peer
	peers  map[string]*peer
	theme  string
	theme2 string
}

func newPlenaryScene(t *testing.T) *plenaryScene {
	t.Helper()
	r := relaytest.Start(t, relay.Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := r.Create(t, plenaryPlan)
	tr := &testRelay{t: t, srv: r.Server, url: r.URL, codes: codes}
	sc := &plenaryScene{tr: tr, r: r, codes: codes, peers: map[string]*peer{}}
	join := func(group string, role session.Role, name, background string) *peer {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := relay.Dial(ctx, relay.ClientConfig{URL: tr.url, Code: tr.code(group, role), Name: name, Background: background})
		if err != nil {
			t.Fatalf("Dial(%s): %v", name, err)
		}
		t.Cleanup(c.Close)
		p := &peer{t: t, c: c, acks: map[string]int64{}, rejs: map[string]*session.Reject{}}
		p.waitFor("welcome", func() bool { return p.state != nil })
		sc.peers[name] = p
		return p
	}
	rafael := join("Manzoni", session.Rapporteur, "Rafael", "Engineering")
	ada := join("Manzoni", session.Participant, "Ada", "Engineering")
	join("Manzoni", session.Participant, "Bruno", "Policy")
	rita := join("Verdi", session.Rapporteur, "Rita", "Policy")
	dario := join("Verdi", session.Participant, "Dario", "Policy")
	sc.org = join("", session.Organizer, "Olga", "")

	cal := ada.idea("q1", "Shared calendars across all partner teams", false, "")
	ada.idea("q1", "Rotate the chair every quarter", false, "")
	news := dario.idea("q1", "Keep the monthly newsletter, with a calendar page", false, "")
	rafael.do(session.KindIdeaKey, session.IdeaFlag{Idea: cal, On: true})
	rafael.do(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "A shared calendar first, then a retreat."})
	rafael.do(session.KindReportPub, struct{}{})
	rita.do(session.KindIdeaKey, session.IdeaFlag{Idea: news, On: true})
	rita.do(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "Keep the newsletter; add the calendar to it."})
	rita.do(session.KindReportPub, struct{}{})
	sc.org.do(session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Shared calendar", Ideas: []string{cal, news}})
	sc.org.do(session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Rotating roles"})
	sc.org.do(session.KindSynthesis, session.TextEdit{Question: "q1", Text: "Both rooms want one calendar."})
	ts := sc.org.state.ThemesOf("q1")
	sc.theme, sc.theme2 = ts[0].ID, ts[1].ID
	return sc
}

func (sc *plenaryScene) phase(p session.Phase) {
	sc.org.do(session.KindPhaseSet, session.PhaseSet{Phase: p})
}

// lineWith returns the screen's first line holding s.
func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestPlenaryViewFollowsTheOrganizer(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	d.press("v")
	d.waitView("the plenary has not begun")

	// The plenary opens on every screen with every group's findings.
	sc.phase(session.PhasePlenary)
	d.waitView("Plenary · Q1/3", "Manzoni", "A shared calendar first", "★ Shared calendars", "Verdi", "Keep the newsletter")
	d.press("j", "j")
	d.waitView("Shared calendar", "raised in 2 of 2 groups", "2 of 2 priority votes left")

	// The organizer presents a group: the screen follows.
	sc.org.do(session.KindPlenaryPresent, session.PlenaryPresent{Group: "Verdi", Question: "q1"})
	d.waitView("presenting: Verdi on Q1")

	// Browsing away keeps the person where they are, and says what is
	// presented; f follows again.
	d.press("]")
	d.waitView("Plenary · Q2/3")
	sc.org.do(session.KindPlenaryPresent, session.PlenaryPresent{Theme: sc.theme})
	d.waitView("the organizer presents the theme “Shared calendar” of Q1 — f follows")
	if !strings.Contains(d.view(), "Q2/3") {
		t.Fatalf("the screen left the question the person browsed to:\n%s", d.view())
	}
	d.press("f")
	d.waitView("Plenary · Q1/3", "presenting: the theme “Shared calendar”")
	if l := lineWith(d.view(), "▶ presented"); !strings.HasPrefix(l, "▌ Shared calendar") {
		t.Fatalf("following did not select the theme presented: %q", l)
	}

	// The floor: the group is highlighted on every screen, the header too.
	sc.org.do(session.KindPlenaryFloor, session.PlenaryFloor{Group: "Manzoni"})
	d.waitView("◆ has the floor", "Manzoni has the floor")
	if l := lineWith(d.view(), "plenary"); !strings.Contains(l, "◆ Manzoni") {
		t.Fatalf("the header does not say who has the floor: %q", l)
	}

	// v goes back to the room and the room's idea list, v again to the
	// plenary.
	d.press("v")
	d.waitFor("the room", func() bool { return !strings.Contains(d.view(), "Plenary · Q") })
	d.press("v")
	d.waitView("Plenary · Q1/3")
}

func TestPlenaryPriorityVotes(t *testing.T) {
	sc := newPlenaryScene(t)
	sc.phase(session.PhasePlenary)
	d := newDriver(t, sc.tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, nil)
	o.settled()
	o.press("v")
	o.waitView("Plenary · Q1/3", "Shared calendar")

	// space on a group says where priority votes go.
	d.press("space")
	d.waitView("priority votes go to themes")
	d.press("j", "j", "space")
	d.waitView("● your priority", "1 of 2 priority votes left")
	o.waitView("1 priority vote")
	d.press("j", "space")
	d.waitView("0 of 2 priority votes left")
	d.press("k")
	// The budget is spent: a third vote is refused before it is sent.
	d.press("G")
	d.press("space")
	d.waitFor("the unvote", func() bool { return len(d.m.a.state.PriorityOf(d.m.a.me.ID, "q1")) == 1 })
	d.press("space")
	d.waitFor("the vote back", func() bool { return len(d.m.a.state.PriorityOf(d.m.a.me.ID, "q1")) == 2 })

	// Closed: nothing more is sent.
	sc.phase(session.PhaseClosed)
	d.waitView("The session is closed")
	d.press("space")
	d.waitView("priority votes are given in the plenary only")
}

func TestOrganizerPresentsAndGivesTheFloor(t *testing.T) {
	sc := newPlenaryScene(t)
	dora := sc.tr.peer("Verdi", session.Participant, "Dora", "")
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, nil)
	o.settled()

	// P asks, then moves the session to the plenary.
	o.press("P")
	o.waitView("Start the plenary?")
	o.press("y")
	dora.waitFor("the plenary", func() bool { return dora.state.PhaseOf() == session.PhasePlenary })
	o.waitView("v shows the plenary view")
	o.press("v")
	o.waitView("Plenary · Q1/3", "presenting nothing · enter presents")

	// enter presents the selected group; F gives it the floor.
	o.press("j", "enter")
	dora.waitFor("the presentation", func() bool {
		p := dora.state.Plenary.Present
		return p != nil && p.Group == "Verdi" && p.Question == "q1"
	})
	o.waitView("presenting: Verdi on Q1")
	o.press("F")
	dora.waitFor("the floor", func() bool { return dora.state.Plenary.Floor == "Verdi" })
	o.waitView("◆ has the floor")
	o.press("F")
	dora.waitFor("the floor back", func() bool { return dora.state.Plenary.Floor == "" })
	// A theme; the whole question; nothing.
	o.press("j", "enter")
	dora.waitFor("the theme", func() bool { p := dora.state.Plenary.Present; return p != nil && p.Theme == sc.theme })
	o.press("]", "w")
	dora.waitFor("Q2", func() bool { p := dora.state.Plenary.Present; return p != nil && p.Question == "q2" && p.Group == "" })
	o.press("x")
	dora.waitFor("nothing", func() bool { return dora.state.Plenary.Present == nil })
	o.waitView("presenting nothing · enter presents")

	// The rapporteur given the floor is told.
	remo := newDriver(t, sc.tr.dial("Manzoni", session.Rapporteur, "Remo", ""), 80, 24, nil)
	remo.settled()
	remo.waitView("Plenary · Q")
	o.press("[", "g", "enter", "F")
	remo.waitView("You have the floor: present Manzoni's findings", "◆ has the floor")

	// Closed, then the plenary again; never back to the rooms.
	o.press("v", "P")
	o.waitView("Close the session?")
	o.press("y")
	dora.waitFor("closed", func() bool { return dora.state.PhaseOf() == session.PhaseClosed })
	o.waitFor("closed", func() bool { return o.m.a.state.PhaseOf() == session.PhaseClosed })
	o.press("P")
	o.waitView("Reopen the plenary?")
	o.press("y")
	dora.waitFor("the plenary again", func() bool { return dora.state.PhaseOf() == session.PhasePlenary })
}

func TestClosedSessionIsReadOnly(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Manzoni", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	d.press("n")
	d.typeText("Half a thought")
	sc.phase(session.PhaseClosed)
	d.waitView("The session is closed: everything is read-only")
	// The draft is still there; sending is refused, and it stays.
	d.press("enter")
	d.waitView("couldn't add the idea", "An idea is back as a draft")
	d.press("n")
	d.waitView("Half a thought")
	d.press("esc", "x")
	d.waitView("the session is closed: it can be read, not changed")
	if d.m.scr.typing() {
		t.Fatal("the composer opened in a closed session")
	}
	// The report can still be read.
	d.press("r")
	d.waitView("Your group's report · Manzoni", "final")
	d.press("tab")
	d.waitView("The conference report (draft)")
	d.press("esc")
	d.waitFor("the room", func() bool { return !strings.Contains(d.view(), "conference report") })
}

func TestReadTheReports(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Manzoni", session.Chair, "Chiara", ""), 100, 30, nil)
	d.settled()
	d.press("r")
	d.waitView("Your group's report · Manzoni", "A shared calendar first")
	d.press("tab")
	d.waitView("the conference draft opens to everyone with the plenary")
	d.press("esc")
	sc.phase(session.PhasePlenary)
	d.waitView("Plenary · Q1/3")
	d.press("r", "tab")
	d.waitView("The conference report (draft)", "Purpose and method")
	// A chair is not shown the other groups' people: the draft gives
	// the own group's size and no false zero for the others, and leaves
	// the organizers' figures out.
	d.waitView("Manzoni (your group,")
	if v := d.view(); strings.Contains(v, "Verdi (0)") || strings.Contains(v, "took part in") {
		t.Errorf("the chair's draft counts a group it is not shown:\n%s", v)
	}
	if md := report.ConferenceDraftMarkdown(d.m.a.state, "Manzoni"); strings.Contains(md, "## Engagement") {
		t.Errorf("the chair's draft has the organizers' Engagement section")
	}
}

func TestOrganizerSessionControls(t *testing.T) {
	sc := newPlenaryScene(t)
	dario := sc.peers["Dario"]
	ada := sc.peers["Ada"]
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, nil)
	o.settled()

	// L locks every room, L again opens them.
	o.press("L")
	dario.waitFor("locked", func() bool { return dario.state.Group("Verdi").Locked })
	ada.waitFor("locked", func() bool { return ada.state.Group("Manzoni").Locked })
	o.waitFor("every room locked", func() bool { return o.m.a.state.Group("Verdi").Locked && o.m.a.state.Group("Manzoni").Locked })
	o.press("L")
	dario.waitFor("open", func() bool { return !dario.state.Group("Verdi").Locked })

	// Q poses a question in every room; a bad number keeps what was typed.
	o.press("Q")
	o.typeText("7")
	o.press("enter")
	o.waitView("“7” is not a question number from 1 to 3")
	if !o.m.scr.typing() || o.m.scr.(*organizerScreen).ask.ti.Value() != "7" {
		t.Fatal("the question number was lost")
	}
	o.press("backspace")
	o.typeText("2")
	o.press("enter")
	dario.waitFor("Q2 in Verdi", func() bool { return dario.state.Group("Verdi").Current == "q2" })
	ada.waitFor("Q2 in Manzoni", func() bool { return ada.state.Group("Manzoni").Current == "q2" })

	// c starts the session clock everyone sees; C stops it.
	o.press("c")
	o.typeText("15 Coffee break")
	o.press("enter")
	dario.waitFor("the clock", func() bool { return dario.state.Clock != nil && dario.state.Clock.Label == "Coffee break" })
	o.waitView("⏱ Coffee break 1")
	o.press("C")
	dario.waitFor("no clock", func() bool { return dario.state.Clock == nil })

	// From the watch view, b messages that room only.
	o.press("j", "enter", "b")
	o.waitView("Message to Verdi only")
	o.typeText("Verdi, two minutes")
	o.press("enter")
	dario.waitFor("the message", func() bool {
		n := len(dario.state.Broadcasts)
		return n > 0 && dario.state.Broadcasts[n-1].Group == "Verdi"
	})
	// Ada's idea comes after the message in the log: had the message
	// been sent to Manzoni, it would have reached her before the idea.
	after := ada.idea("q2", "After Verdi's message", false, "")
	ada.waitFor("her idea", func() bool { return ada.state.Ideas[after] != nil })
	for _, b := range ada.state.Broadcasts {
		if b.Text == "Verdi, two minutes" {
			t.Fatal("Manzoni got Verdi's message")
		}
	}
	o.press("B")
	o.waitView("to Verdi: Verdi, two minutes")
}

func TestOrganizerAlerts(t *testing.T) {
	sc := newPlenaryScene(t)
	sc.peers["Rita"].c.Close()
	clock := &fixedClock{t: time.Now().Add(20 * time.Minute)}
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, clock.now)
	o.settled()
	o.waitView("! Manzoni: no new idea for", "! Verdi: no rapporteur online")
	o.press("d")
	o.waitView("Alerts", "! Verdi: no new idea for")
}

func TestSurveyFormAnswersAndChanges(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	me := d.m.a.me.ID
	d.press("A")
	d.waitView("no survey is open now")

	sc.org.do(session.KindSurveyOpen, session.SurveyRef{})
	d.waitView("The organizer opened the survey: A answers it")
	d.press("A")
	d.waitView("Survey", "1/4  How useful was the day?", "not answered yet")
	d.press("down", "down", "down", "down", "enter")
	d.waitView("2/4  Which format next time?")
	d.press("down", "down", "enter")
	d.waitView("3/4  One thing to change")
	d.typeText("More breaks, please")
	d.press("enter")
	d.waitView("4/4  Which parts worked?", "Rooms", "Plenary", "Votes")
	d.press("x", "down", "down", "x", "enter")
	d.waitView("4 answers sent")
	d.waitFor("the answers", func() bool {
		a1, ok1 := d.m.a.state.AnswerOf(me, "s1")
		a2, ok2 := d.m.a.state.AnswerOf(me, "s2")
		a3, ok3 := d.m.a.state.AnswerOf(me, "s3")
		a4, ok4 := d.m.a.state.AnswerOf(me, "s4")
		return ok1 && ok2 && ok3 && ok4 && a1.Value == 4 && len(a2.Choices) == 1 && a2.Choices[0] == 1 &&
			a3.Text == "More breaks, please" && len(a4.Choices) == 2 && a4.Choices[0] == 0 && a4.Choices[1] == 2
	})

	// Opening it again shows the answers given; one changed is sent alone.
	d.press("A")
	d.waitView("you answered 4")
	d.press("up", "enter")
	d.waitView("2/4")
	d.press("enter")
	d.waitView("3/4", "More breaks, please")
	d.press("enter")
	d.waitView("4/4")
	d.press("enter")
	d.waitView("1 answer sent")
	d.waitFor("the change", func() bool { a, _ := d.m.a.state.AnswerOf(me, "s1"); return a.Value == 3 })

	// esc keeps what was typed; an item closed meanwhile keeps it too.
	d.press("A")
	d.waitView("1/4")
	d.press("enter")
	d.waitView("2/4")
	d.press("enter")
	d.waitView("3/4")
	d.typeText(" And longer lunches")
	// A resize keeps what was typed.
	d.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.waitView("3/4", "More breaks, please And longer lunches")
	d.press("esc")
	d.waitView("your choices are kept, not sent")
	if !d.m.survey.unsent() {
		t.Fatal("quitting would not ask first: the typed answer is not counted as unsent")
	}
	sc.org.do(session.KindSurveyClose, session.SurveyRef{Items: []string{"s3"}})
	d.waitFor("s3 closed", func() bool { return !d.m.a.state.SurveyItemOf("s3").Open })
	d.press("A")
	d.waitView("1/3")
	if got := d.m.survey.drafts["s3"].text; got != "More breaks, please And longer lunches" {
		t.Fatalf("the draft of the closed item = %q; want it kept", got)
	}
	d.press("esc")
}

func TestDashboardChartsAndSurveyResults(t *testing.T) {
	sc := newPlenaryScene(t)
	clock := &fixedClock{t: time.Now()}
	o := newDriver(t, sc.tr.dial("", session.Organizer, "Oscar", ""), 80, 24, clock.now)
	o.settled()
	o.press("d")
	o.waitView("Ideas per minute", "Manzoni", "Taking part, by background", "Engineering", "1/2  50%", "Policy", "1/3  33%")
	if l := lineWith(o.view(), "Manzoni "); !strings.ContainsAny(l, "▁▂▃▄▅▆▇█") || !strings.HasSuffix(strings.TrimSpace(l), " 2") {
		t.Fatalf("Manzoni's sparkline = %q; want a spark and 2 ideas", l)
	}

	// o opens the chosen item; answers come in as bars.
	o.waitView("closed How useful was the day?")
	o.press("o")
	o.waitView("open How useful was the day?")
	for k, name := range []string{"Ada", "Bruno", "Dario", "Rita"} {
		sc.peers[name].do(session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 5 - k%2})
	}
	o.waitView("4 answered", "everyone · 4 answers", "5 · Very")
	if l := lineWith(o.view(), "5 · Very"); !strings.Contains(l, "█") || !strings.HasSuffix(strings.TrimSpace(l), " 2") {
		t.Fatalf("the bar of 5 = %q", l)
	}
	// By group: too few in each to show any apart.
	o.press("tab")
	o.waitView("tab: by group", "too few answers to show them by group")
	o.press("o")
	o.waitView("closed How useful was the day?")
}

func TestGoldenPlenary(t *testing.T) {
	// The sparklines count ideas by the minute they came: start clear of
	// a minute's turn so the scene's ideas share one.
	if s := time.Now().Second(); s >= 40 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	sc := newPlenaryScene(t)
	for k, name := range []string{"Ada", "Bruno", "Dario", "Rita"} {
		if k == 0 {
			sc.org.do(session.KindSurveyOpen, session.SurveyRef{Items: []string{"s1"}})
		}
		sc.peers[name].do(session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 5 - k%2})
	}
	sc.org.do(session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "Fund one shared calendar for every partner"})
	rec := sc.org.state.RecommendationsOf("q1")[0].ID
	sc.phase(session.PhasePlenary)
	sc.peers["Dario"].do(session.KindPriorityVote, session.PriorityRef{Theme: sc.theme})
	sc.peers["Rita"].do(session.KindPriorityVote, session.PriorityRef{Recommendation: rec})
	sc.peers["Ada"].do(session.KindPriorityVote, session.PriorityRef{Recommendation: rec})
	sc.org.do(session.KindPlenaryPresent, session.PlenaryPresent{Group: "Manzoni", Question: "q1"})
	sc.org.do(session.KindPlenaryFloor, session.PlenaryFloor{Group: "Manzoni"})
	var last time.Time
	for _, i := range sc.org.state.Ideas {
		if i.Created.After(last) {
			last = i.Created
		}
	}
	clock := &fixedClock{t: last.Truncate(time.Minute).Add(59 * time.Second)}
	// Everyone who looks joins first, so every screen counts the same
	// people.
	clients := map[string]*relay.Client{}
	for _, w := range []int{80, 160} {
		clients[fmt.Sprint("Dora", w)] = sc.tr.dial("Verdi", session.Participant, fmt.Sprint("Dora", w), "")
		clients[fmt.Sprint("Oscar", w)] = sc.tr.dial("", session.Organizer, fmt.Sprint("Oscar", w), "")
		clients[fmt.Sprint("Otto", w)] = sc.tr.dial("", session.Organizer, fmt.Sprint("Otto", w), "")
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("participant_%dx%d", w, h), func(t *testing.T) {
			d := newDriver(t, clients[fmt.Sprint("Dora", w)], w, h, clock.now)
			d.settled()
			d.waitView("presenting: Manzoni on Q1")
			golden(t, d, w, h)
		})
		t.Run(fmt.Sprintf("dashboard_%dx%d", w, h), func(t *testing.T) {
			d := newDriver(t, clients[fmt.Sprint("Oscar", w)], w, h, clock.now)
			d.settled()
			d.waitView("7/7 online")
			d.press("d")
			d.waitView("Ideas per minute", "everyone · 4 answers")
			golden(t, d, w, h)
		})
		t.Run(fmt.Sprintf("organizer_plenary_%dx%d", w, h), func(t *testing.T) {
			d := newDriver(t, clients[fmt.Sprint("Otto", w)], w, h, clock.now)
			d.settled()
			d.waitView("7/7 online")
			d.press("v", "j", "j")
			d.waitView("1 priority vote")
			golden(t, d, w, h)
		})
	}
}

func TestClosedChairSteersNothing(t *testing.T) {
	sc := newPlenaryScene(t)
	d := newDriver(t, sc.tr.dial("Manzoni", session.Chair, "Chiara", ""), 80, 24, nil)
	d.settled()
	sc.phase(session.PhaseClosed)
	d.waitView("The session is closed")
	for _, k := range []string{">", "t", "l", "p", "h", "+"} {
		d.press(k)
		if d.m.confirm != nil || d.m.scr.typing() || len(d.m.a.pending) > 0 {
			t.Fatalf("%s in a closed session asked, opened an input or sent an op", k)
		}
		d.waitView("the session is closed: it can be read, not changed")
	}
}

// TestNamedSurveyItemOnScreen: a participant is told before answering
// that a named item shows the organizers their name; the organizer's
// dashboard lists that item's answers by name (tab), and an anonymous
// item offers no names.
func TestNamedSurveyItemOnScreen(t *testing.T) {
	r := relaytest.Start(t, relay.Config{OpsPerSecond: 1000, OpBurst: 1000})
	plan := testPlan + `
[[survey]]
kind = "scale"
text = "How useful was the day?"
[[survey]]
kind = "single"
text = "Which workshop tomorrow?"
options = ["Data", "Policy"]
named = true
`
	tr := &testRelay{t: t, srv: r.Server, url: r.URL, codes: r.Create(t, plan)}
	org := tr.peer("", session.Organizer, "Olga", "")
	d := newDriver(t, tr.dial("Verdi", session.Participant, "Dora", ""), 80, 24, nil)
	d.settled()
	org.do(session.KindSurveyOpen, session.SurveyRef{})
	d.waitView("A answers it", "(named items show")
	d.press("A")
	d.waitView("answers are anonymous but on items marked named", "1/2  How useful was the day?", "· anonymous")
	d.press("down", "enter")
	d.waitView("2/2  Which workshop tomorrow?", "named: the organizers see your name with this answer")
	d.press("down", "down", "enter")
	d.waitView("2 answers sent")

	o := newDriver(t, tr.dial("", session.Organizer, "Oscar", ""), 80, 24, nil)
	o.settled()
	o.press("d")
	o.waitView("How useful was the day?")
	// On an anonymous item tab goes from by background back to all.
	o.press("tab", "tab", "tab")
	o.waitView("tab: all", "everyone · 1 answer")
	o.press("j", "tab", "tab", "tab")
	o.waitView("Which workshop tomorrow? · 1 answered · named", "tab: by name", "the organizers alone see these", "Dora (Verdi) “Policy”")
	o.press("k")
	o.waitView("tab: all (this item is anonymous)")
	if strings.Contains(o.view(), "Dora") {
		t.Errorf("the anonymous item's results name Dora:\n%s", o.view())
	}
}
