package session_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"breakout/session"
)

// BenchmarkApplyIdeaAdd adds ideas to a session that holds from 0 to
// ideaRound of them: each op adds one, so the state starts afresh every
// ideaRound ops, and what is measured does not grow with b.N.
func BenchmarkApplyIdeaAdd(b *testing.B) {
	const ideaRound = 1000
	data := session.NewOp("", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "More night trains between the capitals"}).Data
	var f *fixture
	entries := make([]session.Entry, ideaRound)
	b.ReportAllocs()
	for i := range b.N {
		if i%ideaRound == 0 {
			b.StopTimer()
			f = newFixture(b)
			by := f.id("Manzoni/participant")
			for j := range entries {
				entries[j] = session.Entry{Op: session.Op{ID: fmt.Sprintf("b%d", j), Kind: session.KindIdeaAdd, Data: data}, By: by, At: at(j)}
			}
			b.StartTimer()
		}
		if _, err := f.s.Apply(entries[i%ideaRound]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyIdeaVote(b *testing.B) {
	f := newFixture(b)
	for range 50 {
		f.idea("Manzoni/participant2", "An idea to vote for")
	}
	id := f.idea("Manzoni/participant2", "The idea voted for")
	by := f.id("Manzoni/participant")
	data := session.NewOp("", "", session.IdeaRef{Idea: id}).Data
	entries := make([]session.Entry, b.N)
	for i := range entries {
		kind := session.KindIdeaVote
		if i%2 == 1 {
			kind = session.KindIdeaUnvote
		}
		entries[i] = session.Entry{Op: session.Op{ID: fmt.Sprintf("b%d", i), Kind: kind, Data: data}, By: by, At: at(i)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range entries {
		if _, err := f.s.Apply(entries[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// mixedLog returns n log entries of a busy session, session.create
// first: three groups of 40 people who add, vote, edit and retract
// ideas, chairs who pin, merge, pose and time, rapporteurs who write
// minutes, people who come and go. Nearly every op is one apply takes:
// the relay refuses most bad ops before they reach the log.
func mixedLog(tb testing.TB, n int) []session.Entry {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	s := session.New()
	var log []session.Entry
	add := func(by, kind string, data any) session.Event {
		e := session.Entry{Op: session.NewOp(fmt.Sprintf("m%d", len(log)), kind, data), By: by, At: at(len(log))}
		log = append(log, e)
		evs, _ := s.Apply(e)
		if len(evs) == 1 {
			return evs[0]
		}
		return session.Event{}
	}
	add("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: samplePlan()})
	type group struct {
		name              string
		chair, rapporteur string
		members           []string
		ideas             []string // open ideas of the current question
		question          int
	}
	var groups []*group
	for _, name := range groupNames {
		g := &group{name: name}
		join := func(role session.Role, i int) string {
			ev := add("", session.KindPersonJoin, session.PersonJoin{Name: fmt.Sprintf("%s %s %d", name, role, i), Role: role, Group: name, TokenHash: "h"})
			return ev.Data.People[0].ID
		}
		g.chair, g.rapporteur = join(session.Chair, 0), join(session.Rapporteur, 0)
		g.members = []string{g.chair, g.rapporteur}
		for i := range 38 {
			g.members = append(g.members, join(session.Participant, i))
		}
		groups = append(groups, g)
	}
	org := add("", session.KindPersonJoin, session.PersonJoin{Name: "Olga", Role: session.Organizer, TokenHash: "h"}).Data.People[0].ID
	minutes := strings.Repeat("The group discussed the idea at some length. ", 40)
	// find returns a random open idea of g for which ok holds, or "".
	find := func(g *group, ok func(*session.Idea) bool) string {
		for range 8 {
			if len(g.ideas) == 0 {
				return ""
			}
			k := rng.IntN(len(g.ideas))
			i := s.Ideas[g.ideas[k]]
			if i.Retracted || i.MergedInto != "" {
				g.ideas = slices.Delete(g.ideas, k, k+1)
				continue
			}
			if ok(i) {
				return i.ID
			}
		}
		return ""
	}
	used := map[string]int{} // votes per person and question, about
	for len(log) < n {
		g := groups[rng.IntN(len(groups))]
		who := g.members[rng.IntN(len(g.members))]
		q := samplePlan().Questions[g.question].ID
		var idea string
		switch r := rng.IntN(100); {
		case r < 25:
			idea = find(g, func(i *session.Idea) bool { return !i.Hidden && !i.VotedBy(who) && used[who+q] < s.VotesPerPerson })
			if idea != "" {
				add(who, session.KindIdeaVote, session.IdeaRef{Idea: idea})
				used[who+q] = s.VotesUsed(who, q) // merges and retractions give votes back
			}
		case r < 30:
			if idea = find(g, func(i *session.Idea) bool { return i.VotedBy(who) }); idea != "" {
				add(who, session.KindIdeaUnvote, session.IdeaRef{Idea: idea})
				used[who+q]--
			}
		case r < 35:
			if idea = find(g, func(i *session.Idea) bool { return i.Author == who }); idea != "" {
				add(who, session.KindIdeaEdit, session.IdeaEdit{Idea: idea, Text: "Edited: more trains, and sooner"})
			}
		case r < 37:
			if idea = find(g, func(i *session.Idea) bool { return i.Author == who }); idea != "" {
				add(who, session.KindIdeaRetract, session.IdeaRef{Idea: idea})
			}
		case r < 40:
			if idea = find(g, func(*session.Idea) bool { return true }); idea != "" {
				add(g.chair, session.KindIdeaPin, session.IdeaFlag{Idea: idea, On: rng.IntN(2) == 0})
			}
		case r < 42:
			a := find(g, func(*session.Idea) bool { return true })
			if idea = find(g, func(i *session.Idea) bool { return i.ID != a }); a != "" && idea != "" {
				add(g.chair, session.KindIdeaMerge, session.IdeaMerge{Idea: a, Into: idea})
			}
		case r < 45:
			if idea = find(g, func(*session.Idea) bool { return true }); idea != "" {
				add(g.rapporteur, session.KindIdeaTheme, session.IdeaTheme{Idea: idea, Theme: "Transport"})
			}
		case r < 50:
			idea = "-"
			add(g.rapporteur, session.KindMinutesEdit, session.TextEdit{Question: q, Text: minutes[:rng.IntN(len(minutes))]})
		case r < 58:
			idea = "-"
			add("", session.KindPersonOnline, session.PersonOnline{Person: who, Online: rng.IntN(2) == 0})
		case r < 60:
			idea = "-"
			add(g.chair, session.KindTimerStart, session.TimerStart{Seconds: 300})
		case r < 61:
			idea = "-"
			add(org, session.KindBroadcast, session.BroadcastData{Text: "Ten minutes left"})
		case r < 62:
			idea = "-"
			add(org, session.KindSynthesis, session.TextEdit{Question: q, Text: minutes})
		case r < 63 && len(g.ideas) > 300:
			idea = "-"
			g.question = (g.question + 1) % len(samplePlan().Questions)
			g.ideas = nil
			add(g.chair, session.KindQuestionPose, session.QuestionPose{Question: samplePlan().Questions[g.question].ID})
		}
		if idea == "" {
			ev := add(who, session.KindIdeaAdd, session.IdeaAdd{Question: q, Text: fmt.Sprintf("Idea %d: more trains, fewer planes", len(log)), Anonymous: rng.IntN(10) == 0})
			g.ideas = append(g.ideas, ev.Data.Idea)
		}
	}
	return log[:n]
}

// BenchmarkReplay100k replays the log of a busy session onto a new
// state, as a relay does when it starts without a snapshot.
func BenchmarkReplay100k(b *testing.B) {
	log := mixedLog(b, 100_000)
	applied := 0
	s := session.New()
	for _, e := range log {
		if _, err := s.Apply(e); err == nil {
			applied++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := session.New()
		for _, e := range log {
			s.Apply(e)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/replay")
	b.ReportMetric(float64(applied), "applied")
}

func BenchmarkView(b *testing.B) {
	log := mixedLog(b, 20_000)
	s := session.New()
	for _, e := range log {
		s.Apply(e)
	}
	for _, role := range []session.Role{session.Participant, session.Organizer} {
		var v session.Viewer
		for _, p := range s.People {
			if p.Role == role {
				v = session.ViewerOf(p)
				break
			}
		}
		b.Run(string(role), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				s.View(v)
			}
			b.ReportMetric(float64(len(s.Ideas)), "ideas")
		})
	}
}

// BenchmarkEventFor shows one event to every viewer of a session of 121
// people, as the relay's fan-out does.
func BenchmarkEventFor(b *testing.B) {
	log := mixedLog(b, 500)
	s := session.New()
	for _, e := range log {
		s.Apply(e)
	}
	var viewers []session.Viewer
	var author string
	for _, id := range slices.Sorted(maps.Keys(s.People)) {
		p := s.People[id]
		viewers = append(viewers, session.ViewerOf(p))
		if author == "" && p.Group == "Manzoni" && p.Role == session.Participant {
			author = id
		}
	}
	group := s.Group("Manzoni")
	evs, err := s.Apply(session.Entry{Op: session.NewOp("bench", session.KindIdeaAdd,
		session.IdeaAdd{Question: group.Current, Text: "Anonymous, with votes", Anonymous: true}), By: author, At: at(1 << 20)})
	if err != nil {
		b.Fatal(err)
	}
	ev := evs[0]
	b.Run("For", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			for _, v := range viewers {
				ev.For(v)
			}
		}
		b.ReportMetric(float64(len(viewers)), "viewers")
	})
	b.Run("Audience", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			for _, v := range viewers {
				ev.Audience(v)
			}
		}
	})
}
