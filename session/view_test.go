package session_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"breakout/session"
)

func TestView(t *testing.T) {
	f := newFixture(t)
	m := f.idea("Manzoni/participant", "Trains")
	anon := f.must("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Fewer meetings", Anonymous: true}).Data.Idea
	v := f.idea("Verdi/participant", "Buses")
	f.must("Manzoni/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Manzoni notes"})
	f.must("Verdi/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Verdi notes"})
	f.must("organizer", session.KindSynthesis, session.TextEdit{Question: "q1", Text: "Everyone"})
	f.must("organizer", session.KindBroadcast, session.BroadcastData{Text: "Coffee"})

	tests := []struct {
		who    string
		groups []string
		ideas  []string
		texts  int
		people int
		author map[string]string // idea -> the author the viewer is shown
		mine   []string
	}{
		{"Manzoni/participant", []string{"Manzoni"}, []string{m, anon}, 2, 5,
			map[string]string{m: f.id("Manzoni/participant"), anon: f.id("Manzoni/participant")}, []string{m, anon}},
		{"Manzoni/participant2", []string{"Manzoni"}, []string{m, anon}, 2, 5,
			map[string]string{m: f.id("Manzoni/participant"), anon: ""}, nil},
		{"Manzoni/chair", []string{"Manzoni"}, []string{m, anon}, 2, 5,
			map[string]string{m: f.id("Manzoni/participant"), anon: ""}, nil},
		{"Verdi/participant", []string{"Verdi"}, []string{v}, 2, 5,
			map[string]string{v: f.id("Verdi/participant")}, []string{v}},
		{"Rossini/chair", []string{"Rossini"}, nil, 1, 5, nil, nil},
		{"organizer", groupNames, []string{m, anon, v}, 3, 13,
			map[string]string{m: f.id("Manzoni/participant"), anon: "", v: f.id("Verdi/participant")}, nil},
	}
	for _, tt := range tests {
		viewer := f.viewer(tt.who)
		view := f.s.View(viewer)
		checkView(t, f.s, viewer, view)
		var groups []string
		for _, g := range view.Groups {
			groups = append(groups, g.Name)
		}
		if !slices.Equal(groups, tt.groups) {
			t.Errorf("View(%s) groups = %v; want %v", tt.who, groups, tt.groups)
		}
		var mine []string
		for _, g := range groupNames {
			for _, i := range view.IdeasOf(g, "q1") {
				if i.Mine {
					mine = append(mine, i.ID)
				}
				if want := tt.author[i.ID]; i.Author != want {
					t.Errorf("View(%s) idea %s author = %q; want %q", tt.who, i.ID, i.Author, want)
				}
			}
		}
		ideas := slices.Sorted(maps.Keys(view.Ideas))
		want := slices.Sorted(slices.Values(tt.ideas))
		if !slices.Equal(ideas, want) {
			t.Errorf("View(%s) ideas = %v; want %v", tt.who, ideas, want)
		}
		if !slices.Equal(mine, tt.mine) {
			t.Errorf("View(%s) mine = %v; want %v", tt.who, mine, tt.mine)
		}
		if len(view.Texts) != tt.texts || len(view.People) != tt.people || len(view.Broadcasts) != 1 {
			t.Errorf("View(%s) holds %d texts, %d people, %d broadcasts; want %d, %d, 1",
				tt.who, len(view.Texts), len(view.People), len(view.Broadcasts), tt.texts, tt.people)
		}
		if view.Seq != f.s.Seq || view.ID != "s1" || len(view.Questions) != 5 || view.VotesPerPerson != sampleVotes {
			t.Errorf("View(%s) header = %s; want the session's", tt.who, jsonOf(t, view))
		}
	}

	// The view shares nothing with the state.
	view := f.s.View(f.viewer("organizer"))
	view.Ideas[m].Voters = append(view.Ideas[m].Voters, "x")
	view.Ideas[m].Text = "changed"
	view.Groups[0].Locked = true
	view.People[f.id("organizer")].Name = "changed"
	view.Texts[session.TextKey(session.Synthesis, "", "q1")].Body = "changed"
	view.Questions[0].Text = "changed"
	if i := f.s.Ideas[m]; i.Text != "Trains" || len(i.Voters) != 0 || f.s.Groups[0].Locked ||
		f.s.People[f.id("organizer")].Name == "changed" || f.s.Text(session.Synthesis, "", "q1").Body != "Everyone" ||
		f.s.Questions[0].Text == "changed" {
		t.Errorf("changing a view changed the state")
	}
}

func TestEventFor(t *testing.T) {
	f := newFixture(t)
	author := f.id("Manzoni/participant")
	ev := f.must("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Fewer meetings", Anonymous: true})
	tests := []struct {
		who      string
		shown    bool
		by       string
		author   string
		mine     bool
		audience string
	}{
		{"Manzoni/participant", true, author, author, true, "p:" + author},
		{"Manzoni/participant2", true, "", "", false, "g:Manzoni"},
		{"Manzoni/chair", true, "", "", false, "g:Manzoni"},
		{"Manzoni/rapporteur", true, "", "", false, "g:Manzoni"},
		{"organizer", true, "", "", false, "o"},
		{"Verdi/participant", false, "", "", false, ""},
	}
	for _, tt := range tests {
		v := f.viewer(tt.who)
		got, ok := ev.For(v)
		key, aok := ev.Audience(v)
		if ok != tt.shown || aok != tt.shown || key != tt.audience {
			t.Errorf("For(%s) shown %v, Audience = %q, %v; want shown %v, %q", tt.who, ok, key, aok, tt.shown, tt.audience)
		}
		if !ok {
			continue
		}
		i := got.Data.Ideas[0]
		if got.By != tt.by || i.Author != tt.author || i.Mine != tt.mine || got.Data.Idea != ev.Data.Idea {
			t.Errorf("For(%s) = by %q, author %q, mine %v; want by %q, author %q, mine %v",
				tt.who, got.By, i.Author, i.Mine, tt.by, tt.author, tt.mine)
		}
	}
	// For leaves the event as it was.
	if ev.By != author || ev.Data.Ideas[0].Author != author || ev.Data.Ideas[0].Mine {
		t.Errorf("event after For = %s; want it unchanged", jsonOf(t, ev))
	}

	// A vote on an anonymous idea shows the voter, never the author.
	ev = f.must("Manzoni/chair", session.KindIdeaVote, session.IdeaRef{Idea: ev.Data.Idea})
	got, _ := ev.For(f.viewer("Manzoni/participant2"))
	if got.By != f.id("Manzoni/chair") || got.Data.Ideas[0].Author != "" {
		t.Errorf("vote event for participant2 = %s; want by the chair, no author", jsonOf(t, got))
	}
	if k1, _ := ev.Audience(f.viewer("Manzoni/chair")); k1 != "g:Manzoni" {
		t.Errorf("Audience(chair) of own vote = %q; want g:Manzoni", k1)
	}

	// Session-wide events go to everyone; join events to the group.
	ev = f.must("organizer", session.KindBroadcast, session.BroadcastData{Text: "Coffee"})
	for _, who := range []string{"Verdi/participant", "Rossini/chair", "organizer"} {
		if _, ok := ev.For(f.viewer(who)); !ok {
			t.Errorf("broadcast For(%s) not shown; want shown", who)
		}
	}
	ev = f.system(session.KindPersonJoin, session.PersonJoin{Name: "Zoe", Role: session.Participant, Group: "Verdi", TokenHash: "secret"})
	if _, ok := ev.For(f.viewer("Manzoni/chair")); ok {
		t.Errorf("Verdi join shown to Manzoni")
	}
	got, ok := ev.For(f.viewer("Verdi/chair"))
	if !ok || len(got.Data.People) != 1 || got.Data.People[0].TokenHash != "" || ev.Data.People[0].TokenHash != "secret" {
		t.Errorf("join For(Verdi chair) = %s; want Zoe without her token hash", jsonOf(t, got))
	}
}

func TestEventForCreate(t *testing.T) {
	p := samplePlan()
	p.People = []session.PlanPerson{
		{Name: "Anna", Background: "Rail", Group: "Verdi", Role: session.Chair},
		{Name: "Bruno", Background: "Ports", Group: "Manzoni"},
	}
	s := session.New()
	evs, err := s.Apply(session.Entry{Op: session.NewOp("c", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: p}), At: at(0)})
	if err != nil {
		t.Fatalf("Apply(session.create) = %v; want success", err)
	}
	anna := session.ViewerOf(s.People["r1"])
	got, ok := evs[0].For(anna)
	if !ok || len(got.Data.Groups) != 1 || got.Data.Groups[0].Name != "Verdi" || len(got.Data.People) != 1 || got.Data.People[0].ID != "r1" {
		t.Errorf("session.create For(Verdi chair) = %s; want only Verdi and its people", jsonOf(t, got))
	}
	// A replica built from the event equals the view.
	r := session.New().View(anna)
	r.ApplyEvent(got)
	if g, w := jsonOf(t, r), jsonOf(t, s.View(anna)); g != w {
		t.Errorf("replica after session.create = %s; want %s", g, w)
	}
	org := session.Viewer{ID: "p9", Role: session.Organizer}
	if got, _ := evs[0].For(org); len(got.Data.Groups) != 3 || len(got.Data.People) != 2 {
		t.Errorf("session.create For(organizer) = %s; want every group and person", jsonOf(t, got))
	}
}

func TestApplyEvent(t *testing.T) {
	f := newFixture(t)
	v := f.viewer("Manzoni/participant2")
	r := f.s.View(v)
	shown := 0
	do := func(who, kind string, data any) session.Event {
		t.Helper()
		var ev session.Event
		if who == "" {
			ev = f.system(kind, data)
		} else {
			ev = f.must(who, kind, data)
		}
		if e, ok := ev.For(v); ok {
			r.ApplyEvent(e)
			shown++
		}
		return ev
	}
	a := do("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Trains", Anonymous: true}).Data.Idea
	b := do("Manzoni/participant2", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Rail"}).Data.Idea
	do("Manzoni/participant2", session.KindIdeaVote, session.IdeaRef{Idea: a})
	do("Manzoni/chair", session.KindIdeaMerge, session.IdeaMerge{Idea: a, Into: b})
	do("Manzoni/chair", session.KindGroupLock, struct{}{})
	do("Manzoni/chair", session.KindTimerStart, session.TimerStart{Seconds: 90})
	do("Manzoni/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Notes"})
	do("Verdi/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Buses"})
	do("Verdi/chair", session.KindGroupLock, struct{}{})
	do("organizer", session.KindSynthesis, session.TextEdit{Question: "q1", Text: "All"})
	do("organizer", session.KindBroadcast, session.BroadcastData{Text: "Coffee"})
	do("organizer", session.KindPlanEdit, session.PlanEdit{Title: "New title"})
	do("", session.KindPersonJoin, session.PersonJoin{Name: "Zoe", Role: session.Participant, Group: "Manzoni", TokenHash: "h"})
	do("", session.KindPersonOnline, session.PersonOnline{Person: f.id("Manzoni/chair"), Online: true})
	do("", session.KindPersonOnline, session.PersonOnline{Person: f.id("Verdi/chair"), Online: true})
	if shown != 12 {
		t.Errorf("participant2 was shown %d events; want 12", shown)
	}
	r.Seq = f.s.Seq // the last two events were Verdi's
	if got, want := jsonOf(t, r), jsonOf(t, f.s.View(v)); got != want {
		t.Errorf("replica = %s; want %s", got, want)
	}
	if i := r.Ideas[a]; i.Author != "" || i.MergedInto != b || r.Ideas[b].Votes() != 1 {
		t.Errorf("replica idea %s = %+v; want merged into %s, no author", a, i, b)
	}

	// A zero state takes events too.
	var z session.State
	for _, ev := range []session.Event{{Seq: 3, Data: session.EventData{Ideas: []*session.Idea{{ID: "i1"}}, People: []*session.Person{{ID: "p1"}},
		Texts: []*session.Text{{Kind: session.Minutes, Group: "G", Question: "q1"}}, Groups: []*session.Group{{Name: "G"}}}}} {
		z.ApplyEvent(ev)
	}
	if z.Seq != 3 || len(z.Ideas) != 1 || len(z.People) != 1 || z.Text(session.Minutes, "G", "q1") == nil || z.Group("G") == nil {
		t.Errorf("zero state after ApplyEvent = %s; want the event's entities", jsonOf(t, &z))
	}
}

func TestUnmarshalSnapshot(t *testing.T) {
	f := newFixture(t)
	f.idea("Manzoni/participant", "Trains")
	c := roundTrip(t, f.s)
	if len(c.Codes) != 1 || len(c.Done) == 0 || c.People[f.id("organizer")].TokenHash == "" {
		t.Errorf("restored state lost the relay's secrets: %d codes, %d outcomes", len(c.Codes), len(c.Done))
	}
	for _, tt := range []struct{ name, data, want string }{
		{"not JSON", "{", "decode snapshot"},
		{"other version", `{"version":2,"state":{}}`, "format version 2"},
		{"no state", `{"version":1}`, "no state"},
	} {
		if _, err := session.UnmarshalSnapshot([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("UnmarshalSnapshot(%s) = %v; want an error saying %q", tt.name, err, tt.want)
		}
	}
	s, err := session.UnmarshalSnapshot([]byte(`{"version":1,"state":{"id":"s1"}}`))
	if err != nil || s.People == nil || s.Ideas == nil || s.Texts == nil || s.Codes == nil || s.Done == nil {
		t.Errorf("UnmarshalSnapshot(bare state) = %+v, %v; want every map made", s, err)
	}
}

// TestViewEmptyLists: a view sends empty lists as [], never null, so a
// client that indexes them does not crash before the first broadcast.
func TestViewEmptyLists(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"organizer", "Manzoni/participant"} {
		b, err := json.Marshal(f.s.View(f.viewer(who)))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"broadcasts", "groups", "questions"} {
			if v := string(got[k]); v == "" || v == "null" {
				t.Errorf("View(%s) %s = %q; want a list", who, k, v)
			}
		}
	}
}
