package session_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// watched is a fixture with a client replica for every cast member, kept
// current with the events each is shown, as the relay would send them.
type watched struct {
	*fixture
	replicas map[string]*replica // by cast name
}

func newWatched(t *testing.T) *watched {
	w := &watched{fixture: newFixture(t), replicas: map[string]*replica{}}
	for name := range w.ids {
		v := w.viewer(name)
		w.replicas[name] = &replica{viewer: v, state: w.s.View(v)}
	}
	return w
}

// do applies an op, sends its event to every replica as the relay would,
// and checks that every replica equals its viewer's View afterwards.
func (w *watched) do(who, kind string, data any) session.Event {
	w.tb.Helper()
	ev := w.must(who, kind, data)
	w.deliver(ev)
	return ev
}

func (w *watched) deliver(ev session.Event) {
	w.tb.Helper()
	var viewers []session.Viewer
	for _, r := range w.replicas {
		viewers = append(viewers, r.viewer)
	}
	checkAudiences(w.tb, ev, viewers)
	for name, r := range w.replicas {
		if shown, ok := checkEvent(w.tb, w.s, ev, r.viewer); ok {
			r.apply(w.tb, shown)
		}
		got := r.state
		got.Seq = w.s.Seq
		want := w.s.View(r.viewer)
		if g, wt := jsonOf(w.tb, got), jsonOf(w.tb, want); g != wt {
			w.tb.Fatalf("after %s: replica of %s = %s; want View %s", ev.Kind, name, g, wt)
		}
		checkView(w.tb, w.s, r.viewer, want)
	}
}

// TestPlenaryDay runs a day from the rooms through the plenary to the
// close, and checks after every op that every person's replica equals
// their view, and what the plenary shows each of them.
func TestPlenaryDay(t *testing.T) {
	w := newWatched(t)
	// The rooms.
	w.do("organizer", session.KindSurveyOpen, session.SurveyRef{})
	verdiKey := w.do("Verdi/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Night trains", Anonymous: true}).Data.Idea
	verdiOther := w.do("Verdi/participant2", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Cheaper tickets"}).Data.Idea
	manzoniKey := w.do("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Shared offices"}).Data.Idea
	w.do("Verdi/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: verdiKey, On: true})
	w.do("Verdi/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: verdiOther, On: true})
	w.do("Manzoni/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: manzoniKey, On: true})
	w.do("Verdi/rapporteur", session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "Trains at night."})
	w.do("Verdi/rapporteur", session.KindReportPub, struct{}{})
	w.do("Verdi/rapporteur", session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "Draft: trains at night, and buses."})
	w.do("Verdi/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Long talk."})
	theme := w.do("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Rail", Ideas: []string{verdiKey}}).Data.Themes[0].ID
	w.do("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Space", Ideas: []string{manzoniKey}})
	w.do("organizer", session.KindBroadcast, session.BroadcastData{Text: "Verdi: five minutes", Group: "Verdi"})
	w.do("organizer", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	w.do("organizer", session.KindGroupLock, session.GroupRef{Group: "Rossini"})
	w.do("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 4})

	m := w.replicas["Manzoni/participant"].state
	if len(m.Groups) != 1 || len(m.Themes) != 0 || m.Ideas[verdiKey] != nil || len(m.Broadcasts) != 0 {
		t.Fatalf("in the rooms Manzoni's participant holds groups %d, themes %d, Verdi's idea %v, broadcasts %d; want 1, 0, none, 0",
			len(m.Groups), len(m.Themes), m.Ideas[verdiKey] != nil, len(m.Broadcasts))
	}

	// The plenary shows every group's key ideas and published summary.
	w.do("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
	m = w.replicas["Manzoni/participant"].state
	if got := len(m.Groups); got != 3 {
		t.Errorf("in the plenary Manzoni's participant holds %d groups; want 3", got)
	}
	if i := m.Ideas[verdiKey]; i == nil || i.Author != "" {
		t.Errorf("in the plenary Verdi's anonymous key idea = %+v; want it, without its author", i)
	}
	if s := m.Text(session.Summary, "Verdi", "q1"); s == nil || s.Body != "Trains at night." {
		t.Errorf("in the plenary Verdi's summary = %+v; want the published one", s)
	}
	if m.Text(session.Minutes, "Verdi", "q1") != nil {
		t.Errorf("in the plenary Manzoni's participant holds Verdi's minutes")
	}
	if m.Themes[theme] == nil {
		t.Errorf("in the plenary Manzoni's participant holds no theme %s", theme)
	}
	// What changes the plenary reaches everyone; the rest does not.
	w.do("Verdi/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: verdiOther, On: false})
	if w.replicas["Manzoni/participant"].state.Ideas[verdiOther] != nil {
		t.Errorf("an idea no longer key stays on Manzoni's screens")
	}
	w.do("Verdi/rapporteur", session.KindReportPub, struct{}{})
	if s := w.replicas["Rossini/chair"].state.Text(session.Summary, "Verdi", "q1"); s == nil || !strings.Contains(s.Body, "buses") {
		t.Errorf("after publishing again Rossini holds Verdi's summary %+v; want the new one", s)
	}
	w.do("Verdi/chair", session.KindIdeaHide, session.IdeaFlag{Idea: verdiKey, On: true})
	w.do("Verdi/chair", session.KindIdeaHide, session.IdeaFlag{Idea: verdiKey, On: false})
	w.do("organizer", session.KindPlenaryPresent, session.PlenaryPresent{Theme: theme})
	if p := w.replicas["Rossini/participant"].state.Plenary.Present; p == nil || p.Theme != theme || p.Question != "q1" {
		t.Errorf("presented = %+v; want theme %s of q1", p, theme)
	}
	w.do("organizer", session.KindPlenaryFloor, session.PlenaryFloor{Group: "Verdi"})
	w.do("organizer", session.KindClockStart, session.ClockStart{Seconds: 600, Label: "Plenary"})
	w.do("Manzoni/participant", session.KindPriorityVote, session.PriorityRef{Theme: theme})
	w.do("Verdi/chair", session.KindPriorityVote, session.PriorityRef{Theme: theme})
	w.do("Verdi/chair", session.KindPriorityUnvote, session.PriorityRef{Theme: theme})
	if got := w.replicas["organizer"].state.Priorities[theme]; got != 1 {
		t.Errorf("organizer's tally of %s = %d; want 1", theme, got)
	}
	if got := w.replicas["Manzoni/participant"].state.PriorityOf(w.id("Manzoni/participant"), "q1"); !slices.Equal(got, []string{theme}) {
		t.Errorf("voter's own priority votes = %v; want [%s]", got, theme)
	}
	w.do("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 2})
	w.do("Verdi/participant", session.KindSurveyAnswer, session.Answer{Item: "s4", Text: "More breaks"})
	w.do("organizer", session.KindThemeDismiss, session.ThemeRef{Theme: theme})
	w.do("organizer", session.KindClockStop, struct{}{})
	w.do("organizer", session.KindSurveyClose, session.SurveyRef{})
	w.do("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhaseClosed})
	w.do("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
}

// TestClosedRefusesEveryOp: once closed, every op but phase.set is
// refused as closed, for the roles that may send it.
func TestClosedRefusesEveryOp(t *testing.T) {
	for _, kind := range session.Kinds() {
		if kind == session.KindPhaseSet {
			continue
		}
		role := allowedRoles[kind][0]
		actor := "Manzoni/" + string(role)
		if role == session.Organizer {
			actor = "organizer"
		}
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t)
			data := opCases[kind].data(f, actor, "Manzoni")
			f.must("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhaseClosed})
			seq := f.s.Seq
			if _, err := f.apply(actor, kind, data); !errors.Is(err, session.ErrClosed) || f.s.Seq != seq {
				t.Errorf("Apply(%s) when closed = %v, seq %d; want closed, seq %d", kind, err, f.s.Seq, seq)
			}
		})
	}
}

func TestPhaseSet(t *testing.T) {
	f := newFixture(t)
	if _, err := f.apply("organizer", session.KindPhaseSet, session.PhaseSet{Phase: "lunch"}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(phase.set lunch) = %v; want invalid", err)
	}
	for _, k := range []string{session.KindPlenaryPresent, session.KindPlenaryFloor} {
		if _, err := f.apply("organizer", k, session.PlenaryFloor{}); !errors.Is(err, session.ErrClosed) {
			t.Errorf("Apply(%s) in the rooms = %v; want closed", k, err)
		}
	}
	f.plenary()
	if _, err := f.apply("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhaseRooms}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(phase.set rooms) after the plenary = %v; want invalid", err)
	}
	for _, d := range []session.PlenaryPresent{{Group: "Nowhere"}, {Question: "q9"}, {Theme: "t999"}} {
		if _, err := f.apply("organizer", session.KindPlenaryPresent, d); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Apply(plenary.present %+v) = %v; want not_found", d, err)
		}
	}
	ev := f.must("organizer", session.KindPlenaryPresent, session.PlenaryPresent{Group: "Verdi", Question: "q2"})
	if p := f.s.Plenary.Present; p == nil || p.Group != "Verdi" || p.Question != "q2" || p.Seq != ev.Seq {
		t.Errorf("presented = %+v; want Verdi on q2 at seq %d", p, ev.Seq)
	}
	f.must("organizer", session.KindPlenaryPresent, session.PlenaryPresent{})
	if f.s.Plenary.Present != nil {
		t.Errorf("presented after an empty present = %+v; want nothing", f.s.Plenary.Present)
	}
}

// TestOrganizerRoomControls: the organizer poses, locks and messages one
// room or every room; a chair only their own.
func TestOrganizerRoomControls(t *testing.T) {
	f := newFixture(t)
	ev := f.must("organizer", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	for _, g := range f.s.Groups {
		if g.Current != "q2" {
			t.Errorf("after posing q2 everywhere %s is on %s", g.Name, g.Current)
		}
	}
	if shown, ok := ev.For(f.viewer("Verdi/participant")); !ok || len(shown.Data.Groups) != 1 || shown.Data.Groups[0].Name != "Verdi" {
		t.Errorf("pose everywhere shown to Verdi = %+v, %v; want Verdi's group alone", shown.Data.Groups, ok)
	}
	ev = f.must("organizer", session.KindGroupLock, session.GroupRef{Group: "Verdi"})
	if !f.s.Group("Verdi").Locked || f.s.Group("Manzoni").Locked {
		t.Errorf("lock Verdi locked Verdi %v, Manzoni %v; want true, false", f.s.Group("Verdi").Locked, f.s.Group("Manzoni").Locked)
	}
	if _, ok := ev.For(f.viewer("Manzoni/participant")); ok {
		t.Errorf("Verdi's lock shown to Manzoni")
	}
	f.must("organizer", session.KindGroupLock, session.GroupRef{})
	f.must("organizer", session.KindGroupUnlock, session.GroupRef{})
	for _, g := range f.s.Groups {
		if g.Locked {
			t.Errorf("after unlocking all %s is locked", g.Name)
		}
	}
	if _, err := f.apply("Manzoni/chair", session.KindGroupLock, session.GroupRef{Group: "Verdi"}); !errors.Is(err, session.ErrForbidden) {
		t.Errorf("Apply(group.lock Verdi by Manzoni's chair) = %v; want forbidden", err)
	}
	if _, err := f.apply("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q3", Group: "Verdi"}); !errors.Is(err, session.ErrForbidden) {
		t.Errorf("Apply(question.pose in Verdi by Manzoni's chair) = %v; want forbidden", err)
	}
	if ev := f.must("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q3", Group: "Manzoni"}); ev.Data.Group != "Manzoni" {
		t.Errorf("a chair's pose naming their own group = event of %q; want Manzoni's", ev.Data.Group)
	}
	if _, err := f.apply("organizer", session.KindQuestionPose, session.QuestionPose{Question: "q1", Group: "Nowhere"}); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Apply(question.pose Nowhere) = %v; want not_found", err)
	}
	ev = f.must("organizer", session.KindBroadcast, session.BroadcastData{Text: "Verdi, wrap up", Group: "Verdi"})
	if _, ok := ev.For(f.viewer("Manzoni/participant")); ok {
		t.Errorf("a broadcast to Verdi shown to Manzoni")
	}
	if n := len(f.s.View(f.viewer("Manzoni/participant")).Broadcasts); n != 0 {
		t.Errorf("Manzoni's view holds %d broadcasts to Verdi; want 0", n)
	}
	if n := len(f.s.View(f.viewer("Verdi/participant")).Broadcasts); n != 1 {
		t.Errorf("Verdi's view holds %d broadcasts; want 1", n)
	}
}

// TestSurveyAnswersUnlinkable: two people of the same group and
// background give the same answer in twin sessions; every frame anyone
// but the author receives is byte for byte the same in both, so nothing
// in it tells who answered. The author's own frame holds the answer.
func TestSurveyAnswersUnlinkable(t *testing.T) {
	for _, a := range []session.Answer{{Item: "s1", Value: 3}, {Item: "s3", Choices: []int{0, 2}}, {Item: "s4", Text: "More breaks"}} {
		frames := map[string]string{}
		for _, author := range []string{"Manzoni/participant", "Manzoni/participant2"} {
			f := newFixture(t)
			f.must("organizer", session.KindSurveyOpen, session.SurveyRef{})
			for _, who := range []string{"Verdi/participant", "Verdi/chair", "Verdi/rapporteur"} {
				f.must(who, session.KindSurveyAnswer, answerFor(a.Item, 1, []int{1}, "Less talk"))
			}
			ev := f.must(author, session.KindSurveyAnswer, a)
			for name := range f.ids {
				v := f.viewer(name)
				shown, ok := ev.For(v)
				if name == author {
					if !ok || len(shown.Data.Answers) != 1 || shown.By != f.id(author) {
						t.Errorf("%s's own survey.answer event = %s; want their answer", author, jsonOf(t, shown))
					}
					continue
				}
				b := jsonOf(t, shown)
				if !ok || strings.Contains(b, `"answers"`) || strings.Contains(b, `"by"`) || strings.Contains(b, f.id(author)) {
					t.Errorf("survey.answer shown to %s = %s, %v; want tallies only", name, b, ok)
				}
				if name == "Manzoni/participant" || name == "Manzoni/participant2" {
					continue // the author in the other twin
				}
				if prev, seen := frames[name]; seen && prev != b {
					t.Errorf("survey.answer shown to %s tells the authors apart:\n%s\n%s", name, prev, b)
				}
				frames[name] = b
				view := jsonOf(t, f.s.View(v))
				if strings.Contains(view, `"`+f.id(author)+`":{"s`) {
					t.Errorf("view of %s holds %s's answers", name, author)
				}
			}
		}
		if !strings.Contains(frames["organizer"], `"total"`) {
			t.Errorf("organizer's frame %s holds no tally", frames["organizer"])
		}
	}
}

// TestNamedSurveyItem: an item the plan marks named shows the organizer
// each answer with its author's name, in the view and in the events;
// everyone else sees the same tallies as for an anonymous item, and an
// anonymous item of the same survey still names no one.
func TestNamedSurveyItem(t *testing.T) {
	plan := samplePlan()
	plan.Survey = append(plan.Survey, session.PlanSurveyItem{ID: "s5", Kind: session.SurveySingle,
		Text: "Which workshop will you join tomorrow?", Options: []string{"Data", "Policy"}, Named: true})
	f := newFixtureOf(t, plan)
	f.must("organizer", session.KindSurveyOpen, session.SurveyRef{})
	f.must("Verdi/chair", session.KindSurveyAnswer, session.Answer{Item: "s5", Choices: []int{1}})
	f.must("Verdi/participant", session.KindSurveyAnswer, session.Answer{Item: "s4", Text: "More breaks"})
	ev := f.must("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s5", Choices: []int{0}})

	want := []session.NamedAnswer{
		{Name: "chair Verdi", Group: "Verdi", Answer: session.Answer{Item: "s5", Choices: []int{1}}},
		{Name: "participant Manzoni", Group: "Manzoni", Answer: session.Answer{Item: "s5", Choices: []int{0}}},
	}
	org := f.viewer("organizer")
	if it := f.s.View(org).SurveyItemOf("s5"); it == nil || !it.Named || it.Results == nil || !reflect.DeepEqual(it.Results.ByPerson, want) {
		t.Errorf("organizer's view of the named item = %s; want answers by name %v", jsonOf(t, it), want)
	}
	shown, ok := ev.For(org)
	if !ok || len(shown.Data.Survey) != 1 || !reflect.DeepEqual(shown.Data.Survey[0].Results.ByPerson, want) {
		t.Errorf("organizer's survey.answer event = %s; want answers by name", jsonOf(t, shown))
	}
	if it := f.s.View(org).SurveyItemOf("s4"); it.Results == nil || it.Results.ByPerson != nil {
		t.Errorf("organizer's view of an anonymous item names its authors: %s", jsonOf(t, it))
	}
	for _, name := range []string{"Manzoni/chair", "Verdi/participant", "Verdi/rapporteur", "Rossini/participant2"} {
		v := f.viewer(name)
		b := jsonOf(t, f.s.View(v).SurveyItemOf("s5"))
		if shown, ok := ev.For(v); ok {
			b += jsonOf(t, shown)
		}
		if strings.Contains(b, "by_person") || strings.Contains(b, "chair Verdi") || strings.Contains(b, "participant Manzoni") {
			t.Errorf("%s is shown who answered the named item: %s", name, b)
		}
	}
}

// answerFor is an answer to item with the field its kind takes.
func answerFor(item string, value int, choices []int, text string) session.Answer {
	switch item {
	case "s1":
		return session.Answer{Item: item, Value: value}
	case "s4":
		return session.Answer{Item: item, Text: text}
	}
	return session.Answer{Item: item, Choices: choices}
}

func TestSurveyAnswerRefused(t *testing.T) {
	f := newFixture(t)
	if _, err := f.apply("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 3}); !errors.Is(err, session.ErrClosed) {
		t.Errorf("Apply(survey.answer) before it opens = %v; want closed", err)
	}
	f.must("organizer", session.KindSurveyOpen, session.SurveyRef{Items: []string{"s1", "s2", "s3", "s4"}})
	for _, c := range []struct {
		a    session.Answer
		want error
	}{
		{session.Answer{Item: "s9", Value: 3}, session.ErrNotFound},
		{session.Answer{Item: "s1", Value: 0}, session.ErrInvalid},
		{session.Answer{Item: "s1", Value: 6}, session.ErrInvalid},
		{session.Answer{Item: "s1", Value: 3, Text: "x"}, session.ErrInvalid},
		{session.Answer{Item: "s2", Choices: []int{0, 1}}, session.ErrInvalid},
		{session.Answer{Item: "s2"}, session.ErrInvalid},
		{session.Answer{Item: "s2", Choices: []int{3}}, session.ErrInvalid},
		{session.Answer{Item: "s3", Choices: []int{1, 1}}, session.ErrInvalid},
		{session.Answer{Item: "s3", Choices: []int{-1}}, session.ErrInvalid},
		{session.Answer{Item: "s4", Text: "  "}, session.ErrInvalid},
		{session.Answer{Item: "s4", Text: "bell\a"}, session.ErrInvalid},
		{session.Answer{Item: "s4", Text: strings.Repeat("x", session.MaxSurveyText+1)}, session.ErrInvalid},
	} {
		if _, err := f.apply("Manzoni/participant", session.KindSurveyAnswer, c.a); !errors.Is(err, c.want) {
			t.Errorf("Apply(survey.answer %+v) = %v; want %v", c.a, err, c.want)
		}
	}
	if _, err := f.apply("organizer", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 3}); !errors.Is(err, session.ErrForbidden) {
		t.Errorf("Apply(survey.answer by the organizer) = %v; want forbidden", err)
	}
	// Answering again replaces the answer; closing ends answering.
	f.must("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 3})
	f.must("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 5})
	if got := f.s.SurveyItemOf("s1").Results.Total; got.Respondents != 1 || !slices.Equal(got.Counts, []int{0, 0, 0, 0, 1}) {
		t.Errorf("after answering 3 then 5 the tally = %+v; want one answer of 5", got)
	}
	f.must("organizer", session.KindSurveyClose, session.SurveyRef{Items: []string{"s1"}})
	if _, err := f.apply("Manzoni/participant", session.KindSurveyAnswer, session.Answer{Item: "s1", Value: 1}); !errors.Is(err, session.ErrClosed) {
		t.Errorf("Apply(survey.answer) once closed = %v; want closed", err)
	}
}

// TestSurveyCells: tallies by group show only groups with MinCell answers
// or more; smaller ones are pooled, and a pool too small drops the
// breakdown.
func TestSurveyCells(t *testing.T) {
	f := newFixture(t)
	f.must("organizer", session.KindSurveyOpen, session.SurveyRef{})
	answer := func(who string, v int) {
		f.must(who, session.KindSurveyAnswer, session.Answer{Item: "s1", Value: v})
	}
	for _, r := range castRoles[:3] {
		answer("Manzoni/"+r, 5)
	}
	answer("Verdi/chair", 1)
	r := f.s.SurveyItemOf("s1").Results
	if r.Total.Respondents != 4 || r.ByGroup != nil {
		t.Fatalf("with Verdi's one answer the results = %s; want 4 answers and no breakdown by group", jsonOf(t, r))
	}
	answer("Rossini/chair", 2)
	answer("Rossini/rapporteur", 2)
	r = f.s.SurveyItemOf("s1").Results
	want := `[{"name":"Manzoni","respondents":3,"counts":[0,0,0,0,3]},{"name":"other","respondents":3,"counts":[1,2,0,0,0]}]`
	if got := jsonOf(t, r.ByGroup); got != want {
		t.Errorf("results by group = %s; want %s", got, want)
	}
	if got := jsonOf(t, r.ByBackground); got != `[{"name":"unknown","respondents":6,"counts":[1,2,0,0,3]}]` {
		t.Errorf("results by background = %s; want one cell of 6", got)
	}
}

func TestPriorityVotes(t *testing.T) {
	f := newFixture(t)
	var themes []string
	for _, n := range []string{"Rail", "Space", "Money", "Time"} {
		themes = append(themes, f.theme("q1", n))
	}
	if _, err := f.apply("Verdi/participant", session.KindPriorityVote, session.PriorityRef{Theme: themes[0]}); !errors.Is(err, session.ErrClosed) {
		t.Errorf("Apply(priority.vote) in the rooms = %v; want closed", err)
	}
	f.plenary()
	for _, th := range themes[:session.DefaultPriorityVotes] {
		ev := f.must("Verdi/participant", session.KindPriorityVote, session.PriorityRef{Theme: th})
		if _, ok := ev.For(f.viewer("Verdi/participant2")); ok {
			t.Errorf("a priority vote shown to another member")
		}
		if o, ok := ev.For(f.viewer("organizer")); !ok || o.By != "" || o.Data.Priority.Mine != nil || o.Data.Priority.Tally[th] != 1 {
			t.Errorf("priority vote shown to the organizer = %s; want the tally alone", jsonOf(t, o))
		}
	}
	if _, err := f.apply("Verdi/participant", session.KindPriorityVote, session.PriorityRef{Theme: themes[3]}); !errors.Is(err, session.ErrClosed) {
		t.Errorf("Apply(priority.vote) past the budget = %v; want closed", err)
	}
	if _, err := f.apply("Verdi/participant", session.KindPriorityVote, session.PriorityRef{Theme: themes[0]}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(priority.vote) twice = %v; want invalid", err)
	}
	// A dismissed theme gives its votes back.
	f.must("organizer", session.KindThemeDismiss, session.ThemeRef{Theme: themes[0]})
	f.must("Verdi/participant", session.KindPriorityVote, session.PriorityRef{Theme: themes[3]})
	if got := f.s.PriorityTally("q1"); len(got) != 3 || got[themes[0]] != 0 {
		t.Errorf("tally = %v; want three themes, none of them %s", got, themes[0])
	}
}

func TestClockAndAlerts(t *testing.T) {
	f := newFixture(t)
	if _, err := f.apply("organizer", session.KindClockStop, struct{}{}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(clock.stop) with no clock = %v; want invalid", err)
	}
	ev := f.must("organizer", session.KindClockStart, session.ClockStart{Seconds: 60, Label: "Break"})
	if shown, ok := ev.For(f.viewer("Rossini/participant")); !ok || shown.Data.Clock == nil || shown.Data.Clock.Label != "Break" {
		t.Errorf("clock.start shown to a participant = %s; want the clock", jsonOf(t, shown))
	}
	f.must("Manzoni/chair", session.KindTimerStart, session.TimerStart{Seconds: 30})
	f.idea("Manzoni/participant", "Trains")
	f.system(session.KindPersonOnline, session.PersonOnline{Person: f.id("Verdi/rapporteur"), Online: true})
	now := f.s.Created.Add(session.SilentAfter + 5*time.Second) // past the clock, not 5 minutes after the idea
	kinds := map[string]bool{}
	for _, a := range f.s.Alerts(now) {
		kinds[a.Kind+"/"+a.Group] = true
	}
	for _, want := range []string{"timer_expired/Manzoni", "timer_expired/", "no_rapporteur/Manzoni", "no_rapporteur/Rossini", "silent/Verdi", "silent/Rossini"} {
		if !kinds[want] {
			t.Errorf("Alerts = %v; want %s among them", kinds, want)
		}
	}
	for _, not := range []string{"no_rapporteur/Verdi", "silent/Manzoni"} {
		if kinds[not] {
			t.Errorf("Alerts = %v; want no %s", kinds, not)
		}
	}
}
