package session_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"breakout/session"
)

// t0 is when every test session starts. Times are UTC and carry no
// monotonic reading, so they survive a JSON round trip unchanged.
var t0 = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// at is n seconds after t0.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// groupNames are the groups of samplePlan, in plan order.
var groupNames = []string{"Manzoni", "Verdi", "Rossini"}

// castRoles are the people newFixture joins to every group; two
// participants, so one can act on the other's ideas.
var castRoles = []string{"chair", "rapporteur", "participant", "participant2"}

// sampleVotes is samplePlan's vote budget: small, so tests reach it.
const sampleVotes = 3

// samplePlan is a plan with three groups and five questions; q3 has no
// timebox.
func samplePlan() session.Plan {
	return session.Plan{
		Title:          "Breakout groups on the future of the partnership",
		VotesPerPerson: sampleVotes,
		Questions: []session.PlanQuestion{
			{ID: "q1", Text: "How best to meet the challenges of the future?", Minutes: 20},
			{ID: "q2", Text: "What should we stop doing?", Minutes: 15},
			{ID: "q3", Text: "Who is missing from the table?"},
			{ID: "q4", Text: "What would success look like in five years?", Minutes: 10},
			{ID: "q5", Text: "What is the first step on Monday?", Minutes: 5},
		},
		Groups: []session.PlanGroup{{Name: "Manzoni"}, {Name: "Verdi"}, {Name: "Rossini"}},
		Survey: []session.PlanSurveyItem{
			{ID: "s1", Kind: session.SurveyScale, Text: "How useful was the day?", Labels: []string{"Not at all", "Very"}},
			{ID: "s2", Kind: session.SurveySingle, Text: "Which format next time?", Options: []string{"Same", "Longer", "Online"}},
			{ID: "s3", Kind: session.SurveyMultiple, Text: "What helped?", Options: []string{"Chairs", "Votes", "Themes"}},
			{ID: "s4", Kind: session.SurveyText, Text: "What should change?"},
		},
	}
}

// plenary starts the plenary.
func (f *fixture) plenary() {
	f.tb.Helper()
	f.must("organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
}

// theme makes a conference theme on a question from a fresh idea of
// Manzoni's and returns its id.
func (f *fixture) theme(question, name string) string {
	f.tb.Helper()
	idea := f.idea("Manzoni/participant2", name+" (idea)")
	ev := f.must("organizer", session.KindThemeCreate, session.ThemeCreate{Question: question, Name: name, Ideas: []string{idea}})
	return ev.Data.Themes[0].ID
}

// fixture is a created session with a cast: "organizer", and
// "Manzoni/chair", "Manzoni/rapporteur", "Manzoni/participant",
// "Manzoni/participant2" and the same for Verdi and Rossini.
type fixture struct {
	tb  testing.TB
	s   *session.State
	n   int               // entries applied so far; makes op ids and times
	ids map[string]string // cast name -> person id
}

// newFixture creates the sample session and joins its cast.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	return newFixtureOf(tb, samplePlan())
}

// newFixtureOf is newFixture on another plan with the same groups.
func newFixtureOf(tb testing.TB, plan session.Plan) *fixture {
	tb.Helper()
	f := &fixture{tb: tb, s: session.New(), ids: map[string]string{}}
	f.system(session.KindSessionCreate, session.SessionCreate{
		ID: "s1", Plan: plan,
		Codes: map[string]session.Grant{"code-hash-organizer": {Role: session.Organizer}},
	})
	f.ids["organizer"] = f.join("Olga Organizer", session.Organizer, "")
	for _, g := range groupNames {
		for _, r := range castRoles {
			role := session.Role(r)
			if r == "participant2" {
				role = session.Participant
			}
			f.ids[g+"/"+r] = f.join(fmt.Sprintf("%s %s", r, g), role, g)
		}
	}
	return f
}

// id returns the person id of a cast member.
func (f *fixture) id(who string) string {
	f.tb.Helper()
	id, ok := f.ids[who]
	if !ok {
		f.tb.Fatalf("no cast member %q", who)
	}
	return id
}

// viewer returns the viewer of a cast member.
func (f *fixture) viewer(who string) session.Viewer {
	f.tb.Helper()
	return session.ViewerOf(f.s.People[f.id(who)])
}

// entry builds the next entry: a fresh op id and a time one second on.
func (f *fixture) entry(by, kind string, data any) session.Entry {
	f.n++
	return session.Entry{Op: rawOp(fmt.Sprintf("op-%d", f.n), kind, data), By: by, At: at(f.n)}
}

// rawOp is session.NewOp, except that invalid UTF-8 in data's strings
// stays invalid: encoding/json writes it as \ufffd, which rawOp turns
// back into a byte 0xff, as a careless client could send it.
func rawOp(id, kind string, data any) session.Op {
	op := session.NewOp(id, kind, data)
	op.Data = bytes.ReplaceAll(op.Data, []byte(`\ufffd`), []byte{0xff})
	return op
}

// apply applies an op by a cast member.
func (f *fixture) apply(who, kind string, data any) ([]session.Event, error) {
	f.tb.Helper()
	return f.s.Apply(f.entry(f.id(who), kind, data))
}

// must applies an op by a cast member and fails the test if it is refused.
func (f *fixture) must(who, kind string, data any) session.Event {
	f.tb.Helper()
	evs, err := f.apply(who, kind, data)
	if err != nil {
		f.tb.Fatalf("Apply(%s by %s) = %v; want success", kind, who, err)
	}
	if len(evs) != 1 {
		f.tb.Fatalf("Apply(%s by %s) gave %d events; want 1", kind, who, len(evs))
	}
	return evs[0]
}

// system applies a relay op (no By) and fails the test if it is refused.
func (f *fixture) system(kind string, data any) session.Event {
	f.tb.Helper()
	evs, err := f.s.Apply(f.entry("", kind, data))
	if err != nil {
		f.tb.Fatalf("Apply(%s) = %v; want success", kind, err)
	}
	return evs[0]
}

// join joins a new person and returns their id.
func (f *fixture) join(name string, role session.Role, group string) string {
	f.tb.Helper()
	ev := f.system(session.KindPersonJoin, session.PersonJoin{
		Name: name, Role: role, Group: group, TokenHash: "token-hash-" + name,
	})
	return ev.Data.People[0].ID
}

// idea adds an idea on the group's current question and returns its id.
func (f *fixture) idea(who, text string) string {
	f.tb.Helper()
	g := f.s.Group(f.s.People[f.id(who)].Group)
	ev := f.must(who, session.KindIdeaAdd, session.IdeaAdd{Question: g.Current, Text: text})
	return ev.Data.Idea
}

// jsonOf encodes v, failing the test if it cannot.
func jsonOf(tb tester, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("encode %T: %v", v, err)
	}
	return string(b)
}

// snapshotOf encodes a state as a snapshot, failing the test if it cannot.
func snapshotOf(tb tester, s *session.State) []byte {
	tb.Helper()
	b, err := s.MarshalSnapshot()
	if err != nil {
		tb.Fatalf("MarshalSnapshot: %v", err)
	}
	return b
}

// tester is what the checks need of a test: *testing.T and *rapid.T
// both have it.
type tester interface {
	Helper()
	Fatalf(format string, args ...any)
}
