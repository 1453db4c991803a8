package session_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"breakout/session"
)

// The recommendation ops join the permission table and its cases: the
// organizer's alone, session-wide, so every member role is refused.
func init() {
	org := []session.Role{session.Organizer}
	type opCase = struct {
		targeted bool
		data     opData
	}
	cases := map[string]func(f *fixture) any{
		session.KindRecommendationAdd: func(f *fixture) any {
			return session.RecommendationAdd{Question: "q1", Text: "Fund night trains"}
		},
		session.KindRecommendationEdit: func(f *fixture) any {
			return session.RecommendationEdit{Recommendation: f.recommendation("q1", "Fund trains"), Text: "Fund night trains"}
		},
		session.KindRecommendationRemove: func(f *fixture) any {
			return session.RecommendationRef{Recommendation: f.recommendation("q1", "Fund trains")}
		},
	}
	for kind, build := range cases {
		allowedRoles[kind] = org
		opCases[kind] = opCase{data: func(f *fixture, actor, group string) any { return build(f) }}
	}
	// A priority vote on a recommendation, beside the one on a theme.
	opCases["priority.vote/recommendation"] = opCase{data: func(f *fixture, actor, group string) any {
		id := f.recommendation("q1", "Fund night trains")
		f.plenary()
		return session.PriorityRef{Recommendation: id}
	}}
}

// recommendation adds a recommendation to a question and returns its id.
func (f *fixture) recommendation(question, text string) string {
	f.tb.Helper()
	ev := f.must("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: question, Text: text})
	return ev.Data.Recommendations[0].ID
}

// TestPriorityVoteOnRecommendationRoles: every member role may give a
// recommendation a priority vote, the organizer may not.
func TestPriorityVoteOnRecommendationRoles(t *testing.T) {
	c := opCases["priority.vote/recommendation"]
	for _, role := range session.Roles {
		actor := "Verdi/" + string(role)
		if role == session.Organizer {
			actor = "organizer"
		}
		t.Run(string(role), func(t *testing.T) {
			f := newFixture(t)
			data := c.data(f, actor, "Verdi")
			for _, kind := range []string{session.KindPriorityVote, session.KindPriorityUnvote} {
				_, err := f.apply(actor, kind, data)
				want := slices.Contains(allowedRoles[kind], role)
				if want && err != nil {
					t.Fatalf("Apply(%s by %s) = %v; want success", kind, role, err)
				}
				if !want && !errors.Is(err, session.ErrForbidden) {
					t.Fatalf("Apply(%s by %s) = %v; want forbidden", kind, role, err)
				}
			}
		})
	}
}

// TestRecommendationOps adds, edits and removes recommendations, checks
// every refusal, and that members are shown them from the plenary on.
func TestRecommendationOps(t *testing.T) {
	w := newWatched(t)
	ev := w.do("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "  Fund night trains  "})
	r := ev.Data.Recommendations[0]
	if r.Text != "Fund night trains" || r.Question != "q1" || r.By != w.id("organizer") || !strings.HasPrefix(r.ID, "rec") {
		t.Fatalf("recommendation.add made %s; want trimmed text on q1 by the organizer", jsonOf(t, r))
	}
	if _, ok := ev.For(w.viewer("Manzoni/participant")); ok {
		t.Errorf("a recommendation shown to a member in the rooms")
	}
	if got := w.replicas["organizer"].state.Recommendations[r.ID]; got == nil {
		t.Errorf("the organizer's replica holds no recommendation %s", r.ID)
	}
	long := strings.Repeat("x", session.MaxRecommendation+1)
	for _, c := range []struct {
		kind string
		data any
		want error
	}{
		{session.KindRecommendationAdd, session.RecommendationAdd{Question: "q9", Text: "x"}, session.ErrNotFound},
		{session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "   "}, session.ErrInvalid},
		{session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: long}, session.ErrInvalid},
		{session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "two\nlines"}, session.ErrInvalid},
		{session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "bell\a"}, session.ErrInvalid},
		{session.KindRecommendationEdit, session.RecommendationEdit{Recommendation: "rec999", Text: "x"}, session.ErrNotFound},
		{session.KindRecommendationEdit, session.RecommendationEdit{Recommendation: r.ID, Text: ""}, session.ErrInvalid},
		{session.KindRecommendationEdit, session.RecommendationEdit{Recommendation: r.ID, Text: long}, session.ErrInvalid},
		{session.KindRecommendationRemove, session.RecommendationRef{Recommendation: "rec999"}, session.ErrNotFound},
		{session.KindRecommendationRemove, map[string]string{"recommendation": r.ID, "theme": "t1"}, session.ErrInvalid},
	} {
		seq := w.s.Seq
		if _, err := w.apply("organizer", c.kind, c.data); !errors.Is(err, c.want) || w.s.Seq != seq {
			t.Errorf("Apply(%s %s) = %v, seq %d; want %v, seq %d", c.kind, jsonOf(t, c.data), err, w.s.Seq, c.want, seq)
		}
	}
	w.do("organizer", session.KindRecommendationEdit, session.RecommendationEdit{Recommendation: r.ID, Text: "Fund sleeper trains"})
	if got := w.s.Recommendations[r.ID]; got.Text != "Fund sleeper trains" || got.Edited.IsZero() {
		t.Errorf("after recommendation.edit = %s; want the new text, edited", jsonOf(t, got))
	}
	other := w.do("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: "Open the labs"}).Data.Recommendations[0].ID
	w.do("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: "q2", Text: "Stop the paperwork"})
	if got := w.s.RecommendationsOf("q1"); len(got) != 2 || got[0].ID != r.ID || got[1].ID != other {
		t.Errorf("RecommendationsOf(q1) = %s; want %s then %s", jsonOf(t, got), r.ID, other)
	}

	// The plenary shows them to everyone, and what changes them after.
	w.do("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
	m := w.replicas["Rossini/participant"].state
	if len(m.RecommendationsOf("q1")) != 2 || len(m.RecommendationsOf("q2")) != 1 {
		t.Errorf("in the plenary a participant holds %s; want every recommendation", jsonOf(t, m.Recommendations))
	}
	w.do("organizer", session.KindRecommendationRemove, session.RecommendationRef{Recommendation: other})
	if m := w.replicas["Rossini/participant"].state; m.Recommendations[other] != nil {
		t.Errorf("a removed recommendation stays on a participant's screen")
	}
}

// TestPriorityVotesOnRecommendations: one budget per question covers
// themes and recommendations; a vote names exactly one of them; removing
// a recommendation gives its votes back; the replicas and a replay agree.
func TestPriorityVotesOnRecommendations(t *testing.T) {
	w := newWatched(t)
	var log []session.Entry
	do := func(who, kind string, data any) (session.Event, error) {
		w.tb.Helper()
		e := w.entry(w.id(who), kind, data)
		log = append(log, e)
		evs, err := w.s.Apply(e)
		if err != nil {
			return session.Event{}, err
		}
		w.deliver(evs[0])
		return evs[0], nil
	}
	must := func(who, kind string, data any) session.Event {
		t.Helper()
		ev, err := do(who, kind, data)
		if err != nil {
			t.Fatalf("Apply(%s by %s) = %v; want success", kind, who, err)
		}
		return ev
	}
	idea := must("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Night trains"}).Data.Idea
	theme := must("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Rail", Ideas: []string{idea}}).Data.Themes[0].ID
	var recs []string
	for _, text := range []string{"Fund night trains", "Open the labs", "Share offices"} {
		recs = append(recs, must("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: text}).Data.Recommendations[0].ID)
	}
	q2 := must("organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: "q2", Text: "Stop the forms"}).Data.Recommendations[0].ID
	p := "Verdi/participant"
	vote := func(ref session.PriorityRef) step { return step{p, session.KindPriorityVote, ref, nil} }
	unvote := func(ref session.PriorityRef) step { return step{p, session.KindPriorityUnvote, ref, nil} }
	steps := []step{
		// In the rooms: refused as for themes.
		{p, session.KindPriorityVote, session.PriorityRef{Recommendation: recs[0]}, session.ErrClosed},
		{"organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary}, nil},
		// Exactly one of theme and recommendation.
		{p, session.KindPriorityVote, session.PriorityRef{}, session.ErrInvalid},
		{p, session.KindPriorityVote, session.PriorityRef{Theme: theme, Recommendation: recs[0]}, session.ErrInvalid},
		{p, session.KindPriorityVote, session.PriorityRef{Recommendation: "rec999"}, session.ErrNotFound},
		{p, session.KindPriorityVote, session.PriorityRef{Recommendation: theme}, session.ErrNotFound},
		{p, session.KindPriorityVote, session.PriorityRef{Theme: recs[0]}, session.ErrNotFound},
		// The one budget of 3 covers the theme and the recommendations.
		vote(session.PriorityRef{Theme: theme}),
		vote(session.PriorityRef{Recommendation: recs[0]}),
		{p, session.KindPriorityVote, session.PriorityRef{Recommendation: recs[0]}, session.ErrInvalid},
		vote(session.PriorityRef{Recommendation: recs[1]}),
		{p, session.KindPriorityVote, session.PriorityRef{Recommendation: recs[2]}, session.ErrClosed},
		// Another question has a budget of its own.
		vote(session.PriorityRef{Recommendation: q2}),
		// Unvote gives one back.
		{p, session.KindPriorityUnvote, session.PriorityRef{Recommendation: recs[2]}, session.ErrInvalid},
		unvote(session.PriorityRef{Theme: theme}),
		vote(session.PriorityRef{Recommendation: recs[2]}),
		{p, session.KindPriorityVote, session.PriorityRef{Theme: theme}, session.ErrClosed},
		{"Verdi/chair", session.KindPriorityVote, session.PriorityRef{Recommendation: recs[0]}, nil},
		{"Manzoni/rapporteur", session.KindPriorityVote, session.PriorityRef{Recommendation: recs[0]}, nil},
	}
	for i, s := range steps {
		_, err := do(s.who, s.kind, s.data)
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Fatalf("step %d: Apply(%s by %s %s) = %v; want %v", i+1, s.kind, s.who, jsonOf(t, s.data), err, s.want)
		}
	}
	if got, want := w.s.PriorityTally("q1"), map[string]int{recs[0]: 3, recs[1]: 1, recs[2]: 1}; !sameCounts(got, want) {
		t.Errorf("PriorityTally(q1) = %v; want %v", got, want)
	}
	if got := w.replicas["organizer"].state.PriorityTally("q1"); !sameCounts(got, w.s.PriorityTally("q1")) {
		t.Errorf("organizer's replica tally = %v; want %v", got, w.s.PriorityTally("q1"))
	}
	if got := w.replicas[p].state.PriorityOf(w.id(p), "q1"); !slices.Equal(got, recs) {
		t.Errorf("voter's own votes on q1 = %v; want %v", got, recs)
	}
	if got := w.replicas["Verdi/participant2"].state.Priorities; len(got) != 0 {
		t.Errorf("another member holds a tally %v; want none", got)
	}

	// Removing a recommendation gives its votes back.
	must("organizer", session.KindRecommendationRemove, session.RecommendationRef{Recommendation: recs[0]})
	if got := w.s.PriorityOf(w.id(p), "q1"); !slices.Equal(got, recs[1:]) {
		t.Errorf("after removing %s the voter's votes = %v; want %v", recs[0], got, recs[1:])
	}
	if got := w.s.PriorityTally("q1"); got[recs[0]] != 0 || len(got) != 2 {
		t.Errorf("after removing %s the tally = %v; want it gone", recs[0], got)
	}
	// The relay's state keeps no trace of them, so no snapshot does.
	if _, ok := w.s.Priorities[recs[0]]; ok {
		t.Errorf("after removing %s the state still counts its votes", recs[0])
	}
	for who, ids := range w.s.PriorityBy {
		if slices.Contains(ids, recs[0]) {
			t.Errorf("after removing %s the state still holds %s's vote on it", recs[0], who)
		}
	}
	must(p, session.KindPriorityVote, session.PriorityRef{Theme: theme})
	if got := w.replicas["organizer"].state.PriorityTally("q1"); !sameCounts(got, map[string]int{theme: 1, recs[1]: 1, recs[2]: 1}) {
		t.Errorf("organizer's tally after the vote given back = %v", got)
	}
	// A theme's votes and the wire form of old clients: {"theme": id}.
	raw := session.Op{ID: "old-client", Kind: session.KindPriorityUnvote, Data: []byte(`{"theme":"` + theme + `"}`)}
	if _, err := w.s.Apply(session.Entry{Op: raw, By: w.id(p), At: at(10000)}); err != nil {
		t.Fatalf(`Apply(priority.unvote {"theme": …}) = %v; want success`, err)
	}
	log = append(log, session.Entry{Op: raw, By: w.id(p), At: at(10000)})

	// A replay of the same log gives the same state.
	again := newFixture(t)
	for _, e := range log {
		_, _ = again.s.Apply(e)
	}
	if g, want := string(snapshotOf(t, again.s)), string(snapshotOf(t, w.s)); g != want {
		t.Errorf("replayed state differs:\n%s\nwant\n%s", g, want)
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	return true
}
