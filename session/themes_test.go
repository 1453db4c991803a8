package session_test

import (
	"errors"
	"slices"
	"testing"

	"breakout/session"
)

// The theme ops join the permission table and its cases.
func init() {
	org := []session.Role{session.Organizer}
	type opCase = struct {
		targeted bool
		data     opData
	}
	themeCase := func(build func(f *fixture) any) opCase {
		return opCase{data: func(f *fixture, actor, group string) any { return build(f) }}
	}
	withTheme := func(f *fixture) string {
		ev := f.must("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Trains",
			Ideas: []string{f.idea("Manzoni/participant", "Night trains"), f.idea("Verdi/participant", "More sleepers")}})
		return ev.Data.Themes[len(ev.Data.Themes)-1].ID
	}
	cases := map[string]func(f *fixture) any{
		session.KindThemeCreate: func(f *fixture) any {
			return session.ThemeCreate{Question: "q1", Name: "Trains", Ideas: []string{f.idea("Manzoni/participant", "Night trains")}}
		},
		session.KindThemeRename: func(f *fixture) any { return session.ThemeRename{Theme: withTheme(f), Name: "Rail"} },
		session.KindThemeMerge: func(f *fixture) any {
			a := withTheme(f)
			b := f.must("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Rail"}).Data.Themes[0].ID
			return session.ThemeMerge{Theme: b, Into: a}
		},
		session.KindThemeSplit: func(f *fixture) any {
			id := withTheme(f)
			return session.ThemeSplit{Theme: id, Name: "Sleepers", Ideas: f.s.Themes[id].Ideas[1:]}
		},
		session.KindThemeDismiss: func(f *fixture) any { return session.ThemeRef{Theme: withTheme(f)} },
		session.KindThemeMove: func(f *fixture) any {
			return session.ThemeMove{Theme: withTheme(f), Ideas: []string{f.idea("Rossini/participant", "Rail passes")}}
		},
		session.KindSuggestionDismiss: func(f *fixture) any {
			return session.SuggestionDismiss{Question: "q1", Name: "Trains"}
		},
	}
	cases[session.KindExecutiveEdit] = func(f *fixture) any { return session.TextEdit{Text: "Three groups, one message: trains."} }
	cases[session.KindRecommendationsEdit] = func(f *fixture) any { return session.TextEdit{Text: "- Fund night trains"} }
	for kind, build := range cases {
		allowedRoles[kind] = org
		opCases[kind] = themeCase(build)
	}
}

// TestThemeOps walks a conference theme through its life: created from
// ideas of two groups, grown by a group's whole tag, split, merged,
// renamed and dismissed, with every replica in step.
func TestThemeOps(t *testing.T) {
	f := newFixture(t)
	night := f.idea("Manzoni/participant", "Night trains to every capital")
	sleep := f.idea("Verdi/participant", "Bring back sleeper cars")
	pass := f.idea("Rossini/participant", "A rail pass for researchers")
	other := f.idea("Rossini/participant2", "Fund young scientists")
	for _, id := range []string{pass, other} {
		f.must("Rossini/rapporteur", session.KindIdeaTheme, session.IdeaTheme{Idea: id, Theme: "Rail"})
	}

	org := f.s.View(f.viewer("organizer"))
	member := f.s.View(f.viewer("Manzoni/participant"))
	apply := func(kind string, data any) session.Event {
		t.Helper()
		ev := f.must("organizer", kind, data)
		for _, r := range []struct {
			s *session.State
			v session.Viewer
		}{{org, f.viewer("organizer")}, {member, f.viewer("Manzoni/participant")}} {
			if e, ok := ev.For(r.v); ok {
				r.s.ApplyEvent(e)
			}
		}
		return ev
	}
	created := apply(session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "  Night   trains ", Ideas: []string{night, sleep, night}})
	th := created.Data.Themes[0]
	if th.Name != "Night trains" || !slices.Equal(th.Ideas, []string{night, sleep}) {
		t.Fatalf("theme.create = %+v; want name %q and ideas [%s %s]", th, "Night trains", night, sleep)
	}

	// A group's whole tag moves in: both Rossini ideas tagged Rail.
	apply(session.KindThemeMove, session.ThemeMove{Theme: th.ID, Group: "Rossini", Tag: "rail"})
	if got := f.s.Themes[th.ID].Ideas; !slices.Equal(got, []string{night, sleep, pass, other}) {
		t.Fatalf("after moving Rossini's Rail in, theme ideas = %v", got)
	}
	if got := org.Themes[th.ID].Groups; !slices.Equal(got, []string{"Manzoni", "Rossini", "Verdi"}) {
		t.Errorf("the organizer's replica counts the theme's groups as %v; want Manzoni, Rossini, Verdi", got)
	}
	if f.s.ThemeOf(pass) == nil || f.s.ThemeOf(pass).ID != th.ID {
		t.Errorf("ThemeOf(%s) = %v; want %s", pass, f.s.ThemeOf(pass), th.ID)
	}

	split := apply(session.KindThemeSplit, session.ThemeSplit{Theme: th.ID, Name: "Young scientists", Ideas: []string{other}})
	young := split.Data.Themes[len(split.Data.Themes)-1]
	if young.Name != "Young scientists" || !slices.Equal(young.Ideas, []string{other}) ||
		slices.Contains(f.s.Themes[th.ID].Ideas, other) {
		t.Fatalf("theme.split left %v and %v", f.s.Themes[th.ID].Ideas, young.Ideas)
	}

	// Moving an idea into a theme takes it out of the one it was in.
	apply(session.KindThemeMove, session.ThemeMove{Theme: young.ID, Ideas: []string{pass}})
	if slices.Contains(f.s.Themes[th.ID].Ideas, pass) || !slices.Contains(f.s.Themes[young.ID].Ideas, pass) {
		t.Fatalf("theme.move left %v and %v", f.s.Themes[th.ID].Ideas, f.s.Themes[young.ID].Ideas)
	}
	apply(session.KindThemeMerge, session.ThemeMerge{Theme: young.ID, Into: th.ID})
	if _, ok := f.s.Themes[young.ID]; ok || len(f.s.Themes[th.ID].Ideas) != 4 {
		t.Fatalf("theme.merge left themes %v", f.s.Themes)
	}
	apply(session.KindThemeRename, session.ThemeRename{Theme: th.ID, Name: "Rail across Europe"})
	apply(session.KindSuggestionDismiss, session.SuggestionDismiss{Question: "q1", Name: "Fund  Young scientists"})
	if !f.s.SuggestionDismissed("q1", "fund young SCIENTISTS") {
		t.Errorf("SuggestionDismissed after suggestion.dismiss = false; want true")
	}

	if got, want := org.Themes[th.ID], f.s.Themes[th.ID]; got == nil || got.Name != want.Name || !slices.Equal(got.Ideas, want.Ideas) {
		t.Errorf("organizer's replica holds %+v; want %+v", got, want)
	}
	if !slices.Equal(org.Dismissed["q1"], f.s.Dismissed["q1"]) {
		t.Errorf("organizer's replica set aside %v; want %v", org.Dismissed["q1"], f.s.Dismissed["q1"])
	}
	if len(member.Themes) != 0 || len(member.Dismissed) != 0 {
		t.Errorf("a participant's replica holds themes %v, set aside %v; want none", member.Themes, member.Dismissed)
	}
	if v := f.s.View(f.viewer("Verdi/chair")); len(v.Themes) != 0 {
		t.Errorf("a chair's view holds conference themes %v; want none", v.Themes)
	}

	apply(session.KindThemeDismiss, session.ThemeRef{Theme: th.ID})
	if len(f.s.Themes) != 0 || len(org.Themes) != 0 {
		t.Errorf("after theme.dismiss: state %v, organizer's replica %v; want no themes", f.s.Themes, org.Themes)
	}
}

func TestThemeOpsRefused(t *testing.T) {
	f := newFixture(t)
	a := f.idea("Manzoni/participant", "Night trains")
	q2 := f.must("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	_ = q2
	b := f.idea("Manzoni/participant", "Stop the paperwork")
	th := f.must("organizer", session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Trains", Ideas: []string{a}}).Data.Themes[0].ID
	for _, c := range []struct {
		kind string
		data any
		want error
	}{
		{session.KindThemeCreate, session.ThemeCreate{Question: "q9", Name: "x"}, session.ErrNotFound},
		{session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "   "}, session.ErrInvalid},
		{session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "x\x1b]0;owned\x07"}, session.ErrInvalid},
		{session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "x", Ideas: []string{b}}, session.ErrInvalid},
		{session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "x", Ideas: []string{"i999"}}, session.ErrNotFound},
		{session.KindThemeRename, session.ThemeRename{Theme: "t999", Name: "x"}, session.ErrNotFound},
		{session.KindThemeMerge, session.ThemeMerge{Theme: th, Into: th}, session.ErrInvalid},
		{session.KindThemeSplit, session.ThemeSplit{Theme: th, Name: "x"}, session.ErrInvalid},
		{session.KindThemeSplit, session.ThemeSplit{Theme: th, Name: "x", Ideas: []string{b}}, session.ErrInvalid},
		{session.KindThemeMove, session.ThemeMove{Theme: th}, session.ErrInvalid},
		{session.KindThemeMove, session.ThemeMove{Theme: th, Group: "Manzoni"}, session.ErrInvalid},
		{session.KindThemeMove, session.ThemeMove{Theme: th, Group: "Atlantis", Tag: "x"}, session.ErrNotFound},
		{session.KindThemeMove, session.ThemeMove{Theme: th, Group: "Manzoni", Tag: "nothing tagged"}, session.ErrNotFound},
		{session.KindThemeMove, session.ThemeMove{Ideas: []string{b}}, session.ErrInvalid},
		{session.KindSuggestionDismiss, session.SuggestionDismiss{Question: "q1"}, session.ErrInvalid},
	} {
		seq := f.s.Seq
		before := len(f.s.Themes)
		if _, err := f.apply("organizer", c.kind, c.data); !errors.Is(err, c.want) {
			t.Errorf("Apply(%s %+v) = %v; want %v", c.kind, c.data, err, c.want)
		}
		if f.s.Seq != seq || len(f.s.Themes) != before {
			t.Errorf("refused %s changed the state", c.kind)
		}
	}
}

// TestConferenceTexts: the organizer's executive summary and
// recommendations belong to no group and no question, keep versions like
// every text, and reach every viewer.
func TestConferenceTexts(t *testing.T) {
	f := newFixture(t)
	f.must("organizer", session.KindExecutiveEdit, session.TextEdit{Text: "Trains, first."})
	f.must("organizer", session.KindExecutiveEdit, session.TextEdit{Text: "Trains, first. Then data.", Base: session.BaseOf(1)})
	f.must("organizer", session.KindRecommendationsEdit, session.TextEdit{Text: "- Fund night trains"})
	if x := f.s.Text(session.Executive, "", ""); x == nil || x.Body != "Trains, first. Then data." || x.Version != 2 {
		t.Fatalf("executive summary = %+v; want version 2", x)
	}
	if _, err := f.apply("organizer", session.KindRecommendationsEdit, session.TextEdit{Question: "q1", Text: "x"}); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("recommendations.edit with a question = %v; want invalid", err)
	}
	v := f.s.View(f.viewer("Verdi/participant"))
	if x := v.Text(session.Recommendations, "", ""); x == nil || x.Body != "- Fund night trains" {
		t.Errorf("a participant's view holds recommendations %+v; want them", x)
	}
}
