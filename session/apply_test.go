package session_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// allowedRoles is the role table of DESIGN.md, written out again so the
// test does not trust the table it checks.
var allowedRoles = map[string][]session.Role{
	session.KindIdeaAdd:      {session.Participant, session.Chair, session.Rapporteur},
	session.KindIdeaEdit:     {session.Participant, session.Chair, session.Rapporteur},
	session.KindIdeaRetract:  {session.Participant, session.Chair, session.Rapporteur},
	session.KindIdeaVote:     {session.Participant, session.Chair, session.Rapporteur},
	session.KindIdeaUnvote:   {session.Participant, session.Chair, session.Rapporteur},
	session.KindIdeaPin:      {session.Chair},
	session.KindIdeaMerge:    {session.Chair},
	session.KindIdeaHide:     {session.Chair},
	session.KindIdeaTheme:    {session.Rapporteur},
	session.KindIdeaKey:      {session.Rapporteur},
	session.KindQuestionPose: {session.Chair, session.Organizer},
	session.KindGroupLock:    {session.Chair, session.Organizer},
	session.KindGroupUnlock:  {session.Chair, session.Organizer},
	session.KindTimerStart:   {session.Chair},
	session.KindTimerExtend:  {session.Chair},
	session.KindTimerStop:    {session.Chair},
	session.KindTimerPause:   {session.Chair},
	session.KindTimerResume:  {session.Chair},
	session.KindMinutesEdit:  {session.Rapporteur},
	session.KindSummaryEdit:  {session.Rapporteur},
	session.KindReportPub:    {session.Rapporteur},
	session.KindBroadcast:    {session.Organizer},
	session.KindSynthesis:    {session.Organizer},
	session.KindPlanEdit:     {session.Organizer},

	session.KindPhaseSet:       {session.Organizer},
	session.KindPlenaryPresent: {session.Organizer},
	session.KindPlenaryFloor:   {session.Organizer},
	session.KindPriorityVote:   {session.Participant, session.Chair, session.Rapporteur},
	session.KindPriorityUnvote: {session.Participant, session.Chair, session.Rapporteur},
	session.KindClockStart:     {session.Organizer},
	session.KindClockStop:      {session.Organizer},
	session.KindSurveyOpen:     {session.Organizer},
	session.KindSurveyClose:    {session.Organizer},
	session.KindSurveyAnswer:   {session.Participant, session.Chair, session.Rapporteur},
	session.KindPersonRemove:   {session.Chair, session.Organizer},
}

// opData builds valid data for an op of kind by actor that targets group:
// the ideas it needs exist there, by the actor where the op needs the
// actor's own idea and the actor may add one.
type opData func(f *fixture, actor, group string) any

// opCases holds valid data for every op kind. Targeted kinds name an
// idea, which may lie in another group; the others act on the actor's own
// group or on the session.
var opCases = map[string]struct {
	targeted bool
	data     opData
}{
	session.KindIdeaAdd: {data: func(f *fixture, actor, group string) any {
		return session.IdeaAdd{Question: "q1", Text: "More night trains"}
	}},
	session.KindIdeaEdit: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaEdit{Idea: ownIdea(f, actor, group), Text: "More and faster night trains"}
	}},
	session.KindIdeaRetract: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaRef{Idea: ownIdea(f, actor, group)}
	}},
	session.KindIdeaVote: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaRef{Idea: f.idea(group+"/participant2", "Shared offices")}
	}},
	session.KindIdeaUnvote: {targeted: true, data: func(f *fixture, actor, group string) any {
		id := f.idea(group+"/participant2", "Shared offices")
		f.apply(actor, session.KindIdeaVote, session.IdeaRef{Idea: id}) // refused where the unvote is too
		return session.IdeaRef{Idea: id}
	}},
	session.KindIdeaPin: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaFlag{Idea: f.idea(group+"/participant2", "Shared offices"), On: true}
	}},
	session.KindIdeaHide: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaFlag{Idea: f.idea(group+"/participant2", "Buy more ads"), On: true}
	}},
	session.KindIdeaKey: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaFlag{Idea: f.idea(group+"/participant2", "Shared offices"), On: true}
	}},
	session.KindIdeaMerge: {targeted: true, data: func(f *fixture, actor, group string) any {
		a := f.idea(group+"/participant2", "Shared offices")
		b := f.idea(group+"/participant", "Office sharing")
		return session.IdeaMerge{Idea: a, Into: b}
	}},
	session.KindIdeaTheme: {targeted: true, data: func(f *fixture, actor, group string) any {
		return session.IdeaTheme{Idea: f.idea(group+"/participant2", "Shared offices"), Theme: "Space"}
	}},
	session.KindQuestionPose: {data: func(f *fixture, actor, group string) any {
		return session.QuestionPose{Question: "q2"}
	}},
	session.KindGroupLock:   {data: empty},
	session.KindGroupUnlock: {data: empty},
	session.KindTimerStart: {data: func(f *fixture, actor, group string) any {
		return session.TimerStart{Seconds: 600}
	}},
	session.KindTimerExtend: {data: func(f *fixture, actor, group string) any {
		return session.TimerStart{Seconds: 60}
	}},
	session.KindTimerStop: {data: empty},
	session.KindTimerPause: {data: func(f *fixture, actor, group string) any {
		f.apply("Manzoni/chair", session.KindTimerStart, session.TimerStart{Seconds: 600})
		return struct{}{}
	}},
	session.KindTimerResume: {data: func(f *fixture, actor, group string) any {
		f.apply("Manzoni/chair", session.KindTimerStart, session.TimerStart{Seconds: 600})
		f.apply("Manzoni/chair", session.KindTimerPause, struct{}{})
		return struct{}{}
	}},
	session.KindMinutesEdit: {data: func(f *fixture, actor, group string) any {
		return session.TextEdit{Question: "q1", Text: "We agreed on trains."}
	}},
	session.KindSummaryEdit: {data: func(f *fixture, actor, group string) any {
		return session.TextEdit{Question: "q1", Text: "Trains."}
	}},
	session.KindReportPub: {data: empty},
	session.KindBroadcast: {data: func(f *fixture, actor, group string) any {
		return session.BroadcastData{Text: "Ten minutes left"}
	}},
	session.KindSynthesis: {data: func(f *fixture, actor, group string) any {
		return session.TextEdit{Question: "q1", Text: "Every group wants trains."}
	}},
	session.KindPlanEdit: {data: func(f *fixture, actor, group string) any {
		return session.PlanEdit{Title: "The partnership in 2030"}
	}},
	session.KindPhaseSet: {data: func(f *fixture, actor, group string) any {
		return session.PhaseSet{Phase: session.PhasePlenary}
	}},
	session.KindPlenaryPresent: {data: func(f *fixture, actor, group string) any {
		f.plenary()
		return session.PlenaryPresent{Group: "Verdi", Question: "q1"}
	}},
	session.KindPlenaryFloor: {data: func(f *fixture, actor, group string) any {
		f.plenary()
		return session.PlenaryFloor{Group: "Verdi"}
	}},
	session.KindPriorityVote: {data: func(f *fixture, actor, group string) any {
		theme := f.theme("q1", "Night trains")
		f.plenary()
		return session.PriorityRef{Theme: theme}
	}},
	session.KindPriorityUnvote: {data: func(f *fixture, actor, group string) any {
		theme := f.theme("q1", "Night trains")
		f.plenary()
		f.apply(actor, session.KindPriorityVote, session.PriorityRef{Theme: theme}) // refused where the unvote is too
		return session.PriorityRef{Theme: theme}
	}},
	session.KindClockStart: {data: func(f *fixture, actor, group string) any {
		return session.ClockStart{Seconds: 900, Label: "Coffee break"}
	}},
	session.KindClockStop: {data: func(f *fixture, actor, group string) any {
		f.must("organizer", session.KindClockStart, session.ClockStart{Seconds: 900})
		return struct{}{}
	}},
	session.KindSurveyOpen: {data: func(f *fixture, actor, group string) any {
		return session.SurveyRef{Items: []string{"s1"}}
	}},
	session.KindSurveyClose: {data: func(f *fixture, actor, group string) any {
		f.must("organizer", session.KindSurveyOpen, session.SurveyRef{})
		return session.SurveyRef{}
	}},
	session.KindSurveyAnswer: {data: func(f *fixture, actor, group string) any {
		f.must("organizer", session.KindSurveyOpen, session.SurveyRef{})
		return session.Answer{Item: "s1", Value: 4}
	}},
	// Not targeted: the organizer may remove anyone of any group; a
	// chair acting on another group is TestApplyPersonRemove's.
	session.KindPersonRemove: {data: func(f *fixture, actor, group string) any {
		return session.PersonRemove{Person: f.id(group + "/participant2")}
	}},
}

func empty(*fixture, string, string) any { return struct{}{} }

// ownIdea is an idea in group by the actor when the actor may add one
// there, else by someone else (and the op must be refused anyway).
func ownIdea(f *fixture, actor, group string) string {
	if strings.HasPrefix(actor, group+"/") {
		return f.idea(actor, "Car-free Sundays")
	}
	return f.idea(group+"/participant2", "Car-free Sundays")
}

func TestApplyPermissions(t *testing.T) {
	for _, kind := range session.Kinds() {
		c, ok := opCases[kind]
		if !ok {
			t.Errorf("no test case for op kind %s", kind)
			continue
		}
		for _, role := range session.Roles {
			for _, inside := range []bool{true, false} {
				if !inside && !c.targeted {
					continue // the op acts on the actor's own group or the session
				}
				actor, group := "Manzoni/"+string(role), "Manzoni"
				if role == session.Organizer {
					actor = "organizer"
				}
				where := "own group"
				if !inside {
					group, where = "Verdi", "other group"
				}
				t.Run(kind+"/"+string(role)+"/"+where, func(t *testing.T) {
					f := newFixture(t)
					data := c.data(f, actor, group)
					seq := f.s.Seq
					evs, err := f.apply(actor, kind, data)
					var want error
					if !slices.Contains(allowedRoles[kind], role) || !inside {
						want = session.ErrForbidden
					}
					if want == nil {
						if err != nil {
							t.Fatalf("Apply(%s) = %v; want success", kind, err)
						}
						ev := evs[0]
						if ev.Seq != seq+1 || f.s.Seq != seq+1 || ev.Kind != kind || ev.By != f.id(actor) {
							t.Errorf("Apply(%s) = event seq %d kind %s by %s, state seq %d; want seq %d kind %s by %s",
								kind, ev.Seq, ev.Kind, ev.By, f.s.Seq, seq+1, kind, f.id(actor))
						}
						return
					}
					if !errors.Is(err, want) {
						t.Fatalf("Apply(%s) = %v; want %v", kind, err, want)
					}
					if f.s.Seq != seq {
						t.Errorf("Apply(%s) refused moved seq to %d; want %d", kind, f.s.Seq, seq)
					}
				})
			}
		}
	}
}

func TestAllowedMatchesTable(t *testing.T) {
	for _, kind := range session.Kinds() {
		for _, role := range session.Roles {
			want := slices.Contains(allowedRoles[kind], role)
			if got := session.Allowed(role, kind); got != want {
				t.Errorf("Allowed(%s, %s) = %v; want %v", role, kind, got, want)
			}
		}
	}
	for _, kind := range []string{session.KindSessionCreate, session.KindPersonJoin, session.KindPersonOnline, "idea.steal"} {
		for _, role := range session.Roles {
			if session.Allowed(role, kind) {
				t.Errorf("Allowed(%s, %s) = true; want false", role, kind)
			}
		}
	}
}

// step is one op of a scripted test and the error it must end with.
type step struct {
	who  string
	kind string
	data any
	want error
}

func run(t *testing.T, f *fixture, steps []step) {
	t.Helper()
	for i, s := range steps {
		_, err := f.apply(s.who, s.kind, s.data)
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Errorf("step %d: Apply(%s by %s) = %v; want %v", i+1, s.kind, s.who, err, s.want)
		}
	}
}

func TestApplyVoteBudget(t *testing.T) {
	f := newFixture(t)
	var q1 []string
	for _, text := range []string{"A", "B", "C", "D", "E"} {
		q1 = append(q1, f.idea("Manzoni/participant2", text))
	}
	vote := func(who, id string, want error) step {
		return step{who, session.KindIdeaVote, session.IdeaRef{Idea: id}, want}
	}
	unvote := func(who, id string, want error) step {
		return step{who, session.KindIdeaUnvote, session.IdeaRef{Idea: id}, want}
	}
	p := "Manzoni/participant"
	run(t, f, []step{
		vote(p, q1[0], nil),
		vote(p, q1[0], session.ErrInvalid), // one vote per idea
		vote(p, q1[1], nil),
		vote(p, q1[2], nil),
		vote(p, q1[3], session.ErrClosed), // budget of 3 used
		unvote(p, q1[3], session.ErrInvalid),
		unvote(p, q1[2], nil),
		vote(p, q1[3], nil),
		vote(p, q1[4], session.ErrClosed),
		vote("Manzoni/chair", q1[4], nil), // the budget is per person
		vote("Manzoni/participant2", q1[4], nil),
	})
	if got := f.s.VotesUsed(f.id(p), "q1"); got != sampleVotes {
		t.Errorf("VotesUsed(participant, q1) = %d; want %d", got, sampleVotes)
	}

	// A retracted idea gives its votes back.
	f.must("Manzoni/participant2", session.KindIdeaRetract, session.IdeaRef{Idea: q1[0]})
	run(t, f, []step{vote(p, q1[4], nil), vote(p, q1[2], session.ErrClosed)})

	// Merging two ideas one voted for gives one vote back.
	f.must("Manzoni/chair", session.KindIdeaMerge, session.IdeaMerge{Idea: q1[1], Into: q1[3]})
	if got := f.s.VotesUsed(f.id(p), "q1"); got != 2 {
		t.Errorf("VotesUsed(participant, q1) after merge = %d; want 2", got)
	}
	if got := f.s.Ideas[q1[3]].Voters; !slices.Contains(got, f.id(p)) || len(got) != 1 {
		t.Errorf("voters of merge target = %v; want [%s]", got, f.id(p))
	}
	run(t, f, []step{vote(p, q1[2], nil), vote(p, "i999", session.ErrNotFound)})

	// The budget is per question.
	f.must("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	var q2 []string
	for _, text := range []string{"F", "G", "H", "I"} {
		q2 = append(q2, f.idea("Manzoni/participant2", text))
	}
	run(t, f, []step{
		vote(p, q2[0], nil), vote(p, q2[1], nil), vote(p, q2[2], nil),
		vote(p, q2[3], session.ErrClosed),
		unvote(p, q1[2], session.ErrClosed), // q1 is over
	})

	// A hidden idea takes no votes, and gives back those it holds.
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: q2[3], On: true})
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: q2[0], On: true})
	q2 = append(q2, f.idea("Manzoni/participant2", "J"))
	run(t, f, []step{
		vote("Manzoni/chair", q2[3], session.ErrNotFound),
		unvote(p, q2[0], session.ErrInvalid), // given back already
		vote(p, q2[0], session.ErrNotFound),
		vote(p, q2[3], session.ErrNotFound),
		vote(p, q2[4], nil), // the vote given back
		vote(p, q2[1], session.ErrInvalid),
	})
}

// TestApplyHideGivesVotesBack: the voters of an idea the chair hides get
// their votes back at once (they cannot see the idea to take them back),
// so every count of votes agrees with the ideas people are shown; its
// author is told by the event, which shows them the idea as theirs and
// hidden.
func TestApplyHideGivesVotesBack(t *testing.T) {
	f := newFixture(t)
	author, voter := "Manzoni/participant", "Manzoni/participant2"
	hidden := f.idea(author, "Off topic")
	other := f.idea(author, "On topic")
	f.must(voter, session.KindIdeaVote, session.IdeaRef{Idea: hidden})
	f.must(voter, session.KindIdeaVote, session.IdeaRef{Idea: other})
	f.must("Manzoni/chair", session.KindIdeaVote, session.IdeaRef{Idea: hidden})
	ev := f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: hidden, On: true})

	if got := f.s.Ideas[hidden].Voters; len(got) != 0 {
		t.Errorf("voters of the hidden idea = %v; want none", got)
	}
	for _, who := range []string{voter, "Manzoni/chair"} {
		shown := 0
		for _, i := range f.s.Ideas {
			if i.Visible() && i.Question == "q1" && i.VotedBy(f.id(who)) {
				shown++
			}
		}
		if got := f.s.VotesUsed(f.id(who), "q1"); got != shown {
			t.Errorf("VotesUsed(%s) = %d; want %d, the votes on ideas shown", who, got, shown)
		}
	}
	// The budget agrees: the voter has two of three left again.
	third := f.idea("Manzoni/rapporteur", "Third")
	fourth := f.idea("Manzoni/rapporteur", "Fourth")
	run(t, f, []step{
		{voter, session.KindIdeaVote, session.IdeaRef{Idea: third}, nil},
		{voter, session.KindIdeaVote, session.IdeaRef{Idea: fourth}, nil},
	})

	mine, ok := ev.For(f.viewer(author))
	if !ok || len(mine.Data.Ideas) != 1 || !mine.Data.Ideas[0].Mine || !mine.Data.Ideas[0].Hidden {
		t.Errorf("idea.hide event for its author = %s; want the idea, hidden and mine", jsonOf(t, mine))
	}
	if theirs, _ := ev.For(f.viewer(voter)); len(theirs.Data.Ideas) != 1 || theirs.Data.Ideas[0].Mine {
		t.Errorf("idea.hide event for a voter = %s; want the idea, not mine", jsonOf(t, theirs))
	}

	// Shown again, the idea comes back without votes.
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: hidden, On: false})
	if i := f.s.Ideas[hidden]; !i.Visible() || i.Votes() != 0 {
		t.Errorf("idea shown again = %+v; want visible, no votes", i)
	}
	checkState(t, f.s)
}

// TestApplyFlagNeedsOn: leaving "on" out of idea.pin, idea.hide or
// idea.key is refused, not read as false, which would unmark the idea.
func TestApplyFlagNeedsOn(t *testing.T) {
	f := newFixture(t)
	id := f.idea("Manzoni/participant", "Trains")
	f.must("Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: id, On: true})
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: id, On: true})
	f.must("Manzoni/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: id, On: true})
	for _, tt := range []struct{ who, kind string }{
		{"Manzoni/chair", session.KindIdeaPin},
		{"Manzoni/chair", session.KindIdeaHide},
		{"Manzoni/rapporteur", session.KindIdeaKey},
	} {
		// The plain form, one with an escape, which another decoder
		// reads, and an explicit null.
		for _, data := range []string{`{"idea":"` + id + `"}`, `{"idea":"i` + id[1:] + `"}`, `{"idea":"` + id + `","on":null}`} {
			f.n++
			e := session.Entry{Op: session.Op{ID: fmt.Sprintf("op-%d", f.n), Kind: tt.kind, Data: json.RawMessage(data)}, By: f.id(tt.who), At: at(f.n)}
			_, err := f.s.Apply(e)
			var r *session.Rejection
			if !errors.As(err, &r) || r.Code != session.CodeInvalid || !strings.Contains(r.Message, `"on"`) {
				t.Errorf("Apply(%s %s) = %v; want invalid, saying \"on\" is needed", tt.kind, data, err)
			}
		}
	}
	if i := f.s.Ideas[id]; !i.Pinned || !i.Hidden || !i.Key {
		t.Errorf("idea after flags without on = %+v; want still pinned, hidden and key", i)
	}
}

func TestApplyLockedRoom(t *testing.T) {
	f := newFixture(t)
	own := f.idea("Manzoni/participant", "Mine")
	other := f.idea("Manzoni/participant2", "Theirs")
	p := "Manzoni/participant"
	run(t, f, []step{
		{"Manzoni/chair", session.KindGroupLock, struct{}{}, nil},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Late"}, session.ErrClosed},
		{p, session.KindIdeaEdit, session.IdeaEdit{Idea: own, Text: "Late"}, session.ErrClosed},
		{p, session.KindIdeaRetract, session.IdeaRef{Idea: own}, session.ErrClosed},
		{p, session.KindIdeaVote, session.IdeaRef{Idea: other}, session.ErrClosed},
		{"Manzoni/chair", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Late"}, session.ErrClosed},
		// Other rooms stay open; the chair and rapporteur keep working.
		{"Verdi/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "On time"}, nil},
		{"Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: other, On: true}, nil},
		{"Manzoni/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Locked."}, nil},
		{"Manzoni/chair", session.KindGroupUnlock, struct{}{}, nil},
		{p, session.KindIdeaVote, session.IdeaRef{Idea: other}, nil},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Late"}, nil},
	})
	if g := f.s.Group("Manzoni"); g.Locked {
		t.Errorf("Manzoni locked after unlock")
	}
}

func TestApplyEarlierQuestion(t *testing.T) {
	f := newFixture(t)
	own := f.idea("Manzoni/participant", "Mine")
	other := f.idea("Manzoni/participant2", "Theirs")
	p := "Manzoni/participant"
	run(t, f, []step{
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q2", Text: "Too early"}, session.ErrClosed},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q9", Text: "No such"}, session.ErrNotFound},
		{p, session.KindIdeaVote, session.IdeaRef{Idea: other}, nil},
		{"Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q9"}, session.ErrNotFound},
		{"Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q2"}, nil},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Too late"}, session.ErrClosed},
		{p, session.KindIdeaEdit, session.IdeaEdit{Idea: own, Text: "Too late"}, session.ErrClosed},
		{p, session.KindIdeaRetract, session.IdeaRef{Idea: own}, session.ErrClosed},
		{p, session.KindIdeaUnvote, session.IdeaRef{Idea: other}, session.ErrClosed},
		{"Manzoni/participant2", session.KindIdeaVote, session.IdeaRef{Idea: own}, session.ErrClosed},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q2", Text: "On time", BuildsOn: other}, session.ErrInvalid},
		{p, session.KindIdeaAdd, session.IdeaAdd{Question: "q2", Text: "On time"}, nil},
		// Verdi is still on q1.
		{"Verdi/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Still q1"}, nil},
		// The rapporteur writes minutes of any question.
		{"Manzoni/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Late notes"}, nil},
		// The chair may go back.
		{"Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q1"}, nil},
		{p, session.KindIdeaEdit, session.IdeaEdit{Idea: own, Text: "Back again"}, nil},
	})
}

func TestApplyOwnIdeas(t *testing.T) {
	f := newFixture(t)
	mine := f.idea("Manzoni/participant", "Mine")
	anon := f.must("Manzoni/participant", session.KindIdeaAdd,
		session.IdeaAdd{Question: "q1", Text: "Secret", Anonymous: true}).Data.Idea
	run(t, f, []step{
		{"Manzoni/participant2", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "Mine now"}, session.ErrForbidden},
		{"Manzoni/chair", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "Chair's now"}, session.ErrForbidden},
		{"Manzoni/chair", session.KindIdeaRetract, session.IdeaRef{Idea: anon}, session.ErrForbidden},
		{"Verdi/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "Verdi's now"}, session.ErrForbidden},
		{"Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "Mine, better"}, nil},
		{"Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "  "}, session.ErrInvalid},
		{"Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: "i999", Text: "x"}, session.ErrNotFound},
		{"Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: anon, Text: "Still secret"}, nil},
		{"Manzoni/participant2", session.KindIdeaVote, session.IdeaRef{Idea: mine}, nil},
		{"Manzoni/participant", session.KindIdeaRetract, session.IdeaRef{Idea: mine}, nil},
		{"Manzoni/participant", session.KindIdeaRetract, session.IdeaRef{Idea: mine}, session.ErrNotFound},
		{"Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: mine, Text: "Back"}, session.ErrNotFound},
		{"Manzoni/participant2", session.KindIdeaVote, session.IdeaRef{Idea: mine}, session.ErrNotFound},
		{"Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: mine, On: true}, session.ErrNotFound},
		{"Manzoni/participant", session.KindIdeaRetract, session.IdeaEdit{Idea: anon, Text: "x"}, session.ErrInvalid},
	})
	i := f.s.Ideas[mine]
	if i.Text != "Mine, better" || !i.Retracted || len(i.Voters) != 0 || i.Edited.IsZero() {
		t.Errorf("idea after edit and retract = %+v; want text %q, retracted, no voters, edited", i, "Mine, better")
	}
}

func TestApplyMerge(t *testing.T) {
	f := newFixture(t)
	a := f.idea("Manzoni/participant", "Trains")
	b := f.idea("Manzoni/participant2", "Railways")
	c := f.idea("Manzoni/participant2", "Rail")
	verdi := f.idea("Verdi/participant", "Trains")
	f.must("Manzoni/participant", session.KindIdeaVote, session.IdeaRef{Idea: a})
	f.must("Manzoni/participant", session.KindIdeaVote, session.IdeaRef{Idea: b})
	f.must("Manzoni/participant2", session.KindIdeaVote, session.IdeaRef{Idea: a})
	f.must("Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: a, On: true})

	merge := func(idea, into string, want error) step {
		return step{"Manzoni/chair", session.KindIdeaMerge, session.IdeaMerge{Idea: idea, Into: into}, want}
	}
	run(t, f, []step{
		merge(a, a, session.ErrInvalid),
		merge(a, verdi, session.ErrForbidden),
		merge(a, "i999", session.ErrNotFound),
		{"Verdi/chair", session.KindIdeaMerge, session.IdeaMerge{Idea: a, Into: b}, session.ErrForbidden},
	})
	ev := f.must("Manzoni/chair", session.KindIdeaMerge, session.IdeaMerge{Idea: a, Into: b})
	if len(ev.Data.Ideas) != 2 || ev.Data.Ideas[0].ID != a || ev.Data.Ideas[1].ID != b {
		t.Fatalf("merge event ideas = %s; want %s and %s", jsonOf(t, ev.Data.Ideas), a, b)
	}
	src, dst := f.s.Ideas[a], f.s.Ideas[b]
	want := []string{f.id("Manzoni/participant"), f.id("Manzoni/participant2")}
	slices.Sort(want)
	if src.MergedInto != b || src.Pinned || len(src.Voters) != 0 || src.Visible() || !slices.Equal(dst.Voters, want) {
		t.Errorf("after merge: source %+v, target voters %v; want merged into %s, unpinned, no voters; voters %v", src, dst.Voters, b, want)
	}
	run(t, f, []step{
		merge(a, c, session.ErrNotFound), // merged already
		merge(c, a, session.ErrNotFound),
		{"Manzoni/participant", session.KindIdeaVote, session.IdeaRef{Idea: a}, session.ErrNotFound},
		merge(c, b, nil),
	})
	f.must("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	d := f.idea("Manzoni/participant", "Buses")
	run(t, f, []step{merge(d, b, session.ErrInvalid)}) // different questions
}

func TestApplyTimer(t *testing.T) {
	f := newFixture(t)
	chair := "Manzoni/chair"
	deadline := func() time.Time { return f.s.Group("Manzoni").Deadline }

	f.must(chair, session.KindTimerStart, session.TimerStart{Seconds: 300})
	if want := at(f.n).Add(300 * time.Second); !deadline().Equal(want) {
		t.Errorf("deadline after start 300s = %v; want %v", deadline(), want)
	}
	before := deadline()
	f.must(chair, session.KindTimerExtend, session.TimerStart{Seconds: 60})
	if want := before.Add(time.Minute); !deadline().Equal(want) {
		t.Errorf("deadline after extend 60s = %v; want %v", deadline(), want)
	}
	// Seconds 0 starts the question's timebox: q1 has 20 minutes.
	f.must(chair, session.KindTimerStart, session.TimerStart{})
	if want := at(f.n).Add(20 * time.Minute); !deadline().Equal(want) {
		t.Errorf("deadline after start of timebox = %v; want %v", deadline(), want)
	}
	ev := f.must(chair, session.KindTimerStop, struct{}{})
	if !deadline().IsZero() || len(ev.Data.Groups) != 1 || !ev.Data.Groups[0].Deadline.IsZero() {
		t.Errorf("deadline after stop = %v (event %s); want none", deadline(), jsonOf(t, ev.Data.Groups))
	}
	// Extending a stopped timer runs it from now.
	f.must(chair, session.KindTimerExtend, session.TimerStart{Seconds: 30})
	if want := at(f.n).Add(30 * time.Second); !deadline().Equal(want) {
		t.Errorf("deadline after extend of stopped timer = %v; want %v", deadline(), want)
	}
	run(t, f, []step{
		{chair, session.KindTimerStart, session.TimerStart{Seconds: -1}, session.ErrInvalid},
		{chair, session.KindTimerStart, session.TimerStart{Seconds: 24*3600 + 1}, session.ErrInvalid},
		{chair, session.KindTimerExtend, session.TimerStart{}, session.ErrInvalid},
		{chair, session.KindTimerStart, session.TimerStart{Seconds: 24 * 3600}, nil},
		{chair, session.KindTimerExtend, session.TimerStart{Seconds: 3600}, session.ErrInvalid}, // past 24 h
		{chair, session.KindTimerStop, map[string]int{"seconds": 1}, session.ErrInvalid},
		{chair, session.KindQuestionPose, session.QuestionPose{Question: "q3"}, nil},
		{chair, session.KindTimerStart, session.TimerStart{}, session.ErrInvalid}, // q3 has no timebox
	})
	if !deadline().IsZero() {
		t.Errorf("deadline after posing q3 (no timebox) = %v; want none", deadline())
	}
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q4"})
	if want := at(f.n).Add(10 * time.Minute); !deadline().Equal(want) {
		t.Errorf("deadline after posing q4 = %v; want %v", deadline(), want)
	}
}

// Pause keeps the time left, resume runs it on from then; extend on a
// paused timer adds to it; stop clears it.
func TestApplyTimerPauseResume(t *testing.T) {
	f := newFixture(t)
	chair := "Manzoni/chair"
	g := func() *session.Group { return f.s.Group("Manzoni") }
	run(t, f, []step{
		{chair, session.KindTimerPause, struct{}{}, session.ErrInvalid}, // none runs
		{chair, session.KindTimerResume, struct{}{}, session.ErrInvalid},
		{"Manzoni/participant", session.KindTimerPause, struct{}{}, session.ErrForbidden},
	})
	f.must(chair, session.KindTimerStart, session.TimerStart{Seconds: 300})
	started := f.n
	ev := f.must(chair, session.KindTimerPause, struct{}{})
	if want := 300 - (f.n - started); g().Paused != want || !g().Deadline.IsZero() {
		t.Errorf("after pause: paused %d, deadline %v; want %d and none", g().Paused, g().Deadline, want)
	}
	if len(ev.Data.Groups) != 1 || ev.Data.Groups[0].Paused != g().Paused {
		t.Errorf("pause event groups = %s; want the paused group", jsonOf(t, ev.Data.Groups))
	}
	left := g().Paused
	run(t, f, []step{{chair, session.KindTimerPause, struct{}{}, session.ErrInvalid}}) // paused already
	f.must(chair, session.KindTimerExtend, session.TimerStart{Seconds: 60})
	if g().Paused != left+60 || !g().Deadline.IsZero() {
		t.Errorf("extend while paused: paused %d, deadline %v; want %d and still paused", g().Paused, g().Deadline, left+60)
	}
	f.must(chair, session.KindTimerResume, struct{}{})
	if want := at(f.n).Add(time.Duration(left+60) * time.Second); !g().Deadline.Equal(want) || g().Paused != 0 {
		t.Errorf("after resume: deadline %v, paused %d; want %v and 0", g().Deadline, g().Paused, want)
	}
	f.must(chair, session.KindTimerPause, struct{}{})
	f.must(chair, session.KindTimerStop, struct{}{})
	if g().Paused != 0 || !g().Deadline.IsZero() {
		t.Errorf("after stop: paused %d, deadline %v; want no timer", g().Paused, g().Deadline)
	}
}

// Posing a question again runs its timer on from what it had left, not
// its whole timebox; a question posed for the first time gets its
// timebox.
func TestApplyPoseAgainKeepsTimeLeft(t *testing.T) {
	f := newFixture(t)
	chair := "Manzoni/chair"
	g := func() *session.Group { return f.s.Group("Manzoni") }
	f.must(chair, session.KindTimerStart, session.TimerStart{}) // q1: 20 minutes
	started := f.n
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q3"}) // no timebox
	used := f.n - started
	if !g().Deadline.IsZero() {
		t.Fatalf("q3 has no timebox but a deadline %v", g().Deadline)
	}
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q1"})
	if want := at(f.n).Add(20*time.Minute - time.Duration(used)*time.Second); !g().Deadline.Equal(want) {
		t.Errorf("q1 posed again: deadline %v; want %v (what was left, not 20 minutes)", g().Deadline, want)
	}
	// A paused timer's time left is kept too, and posing the current
	// question again changes nothing.
	f.must(chair, session.KindTimerPause, struct{}{})
	paused := g().Paused
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q1"})
	if g().Paused != paused {
		t.Errorf("posing the current question again: paused %d; want %d", g().Paused, paused)
	}
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q4"})
	if want := at(f.n).Add(10 * time.Minute); !g().Deadline.Equal(want) {
		t.Errorf("q4 posed first: deadline %v; want its 10-minute timebox from now, %v", g().Deadline, want)
	}
	f.must(chair, session.KindQuestionPose, session.QuestionPose{Question: "q1"})
	if want := at(f.n).Add(time.Duration(paused) * time.Second); !g().Deadline.Equal(want) {
		t.Errorf("q1 posed after a pause: deadline %v; want %v", g().Deadline, want)
	}
}

func TestApplyTextEdits(t *testing.T) {
	f := newFixture(t)
	r := "Manzoni/rapporteur"
	b := session.BaseOf
	edit := func(kind string, base *int, text string, want error) step {
		return step{r, kind, session.TextEdit{Question: "q1", Text: text, Base: base}, want}
	}
	run(t, f, []step{
		edit(session.KindMinutesEdit, b(0), "Notes\n\twith a tab", nil), // version 1
		edit(session.KindMinutesEdit, b(1), "Notes\n\twith a tab\nMore", nil),
		edit(session.KindMinutesEdit, b(1), "Ada: Notes\n\twith a tab", nil), // made on v1: merged, v3
		edit(session.KindMinutesEdit, b(4), "x", session.ErrInvalid),         // no version 4 yet
		edit(session.KindSummaryEdit, b(1), "x", session.ErrInvalid),         // summaries count on their own
		edit(session.KindSummaryEdit, nil, "Sum", nil),                       // no base: replaces, summary v1
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q9", Text: "x"}, session.ErrNotFound},
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Restore: 9}, session.ErrNotFound},
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "x", Restore: 1}, session.ErrInvalid},
		{"Verdi/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Verdi", Base: b(1)}, session.ErrInvalid},
		{"Verdi/rapporteur", session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Verdi"}, nil},
		{"organizer", session.KindSynthesis, session.TextEdit{Question: "q1", Text: "All of it"}, nil},
		{"organizer", session.KindSynthesis, session.TextEdit{Question: "q1", Text: "All of it, v2", Base: b(1)}, nil},
	})
	check := func(kind, group string, version int, body string) {
		t.Helper()
		tx := f.s.Text(kind, group, "q1")
		if tx == nil || tx.Version != version || tx.Body != body {
			t.Errorf("Text(%s, %q, q1) = %+v; want version %d body %q", kind, group, tx, version, body)
		}
	}
	check(session.Minutes, "Manzoni", 3, "Ada: Notes\n\twith a tab\nMore")
	check(session.Summary, "Manzoni", 1, "Sum")
	check(session.Minutes, "Verdi", 1, "Verdi")
	check(session.Synthesis, "", 2, "All of it, v2")
	tx := f.s.Text(session.Minutes, "Manzoni", "q1")
	if tx.By != f.id(r) || tx.At.IsZero() {
		t.Errorf("minutes by %q at %v; want by %s at a time", tx.By, tx.At, f.id(r))
	}
	// Every version is kept with its author; the merged one says so.
	if len(tx.Versions) != 3 || tx.Versions[2].Base != 1 || !tx.Versions[2].Merged || tx.Versions[1].Merged || tx.Versions[0].Body != "Notes\n\twith a tab" {
		t.Errorf("versions = %+v; want 3, the last merged from v1", tx.Versions)
	}

	// A restore brings an old version back as a new one.
	run(t, f, []step{{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Restore: 1, Base: b(3)}, nil}})
	check(session.Minutes, "Manzoni", 4, "Notes\n\twith a tab")
	if v := f.s.Text(session.Minutes, "Manzoni", "q1").VersionAt(4); v == nil || v.Restored != 1 {
		t.Errorf("version 4 = %+v; want it to say it restored version 1", v)
	}
}

// Edits of one text made on the same version by different people are all
// kept: apart where they touch different parts, both and marked where
// they overlap.
func TestApplyTextEditsMerge(t *testing.T) {
	f := newFixture(t)
	r := "Manzoni/rapporteur"
	b := session.BaseOf
	base := "Ada opened.\nBruno spoke about trains.\nCarla closed."
	run(t, f, []step{
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: base, Base: b(0)}, nil},
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Base: b(1),
			Text: "Ada began.\nBruno spoke about trains.\nCarla closed."}, nil},
		{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Base: b(1),
			Text: "Ada opened.\nBruno spoke about trains.\nCarla closed.\nDario added a line."}, nil},
		// Made on v1 too, and rewords what v2 reworded.
		{"Manzoni/chair", session.KindMinutesEdit, session.TextEdit{Question: "q1", Base: b(1),
			Text: "Ada opened late.\nBruno spoke about trains.\nCarla closed."}, session.ErrForbidden},
	})
	got := f.s.Text(session.Minutes, "Manzoni", "q1").Body
	want := "Ada began.\nBruno spoke about trains.\nCarla closed.\nDario added a line."
	if got != want {
		t.Fatalf("merged minutes = %q; want %q", got, want)
	}
	run(t, f, []step{{r, session.KindMinutesEdit, session.TextEdit{Question: "q1", Base: b(1),
		Text: "Ada started.\nBruno spoke about trains.\nCarla closed."}, nil}})
	tx := f.s.Text(session.Minutes, "Manzoni", "q1")
	if !strings.Contains(tx.Body, "began") || !strings.Contains(tx.Body, session.MarkOpen) ||
		!strings.Contains(tx.Body, "started") || !strings.Contains(tx.Body, "Dario added a line.") {
		t.Fatalf("overlapping edit = %q; want both wordings kept, the later marked", tx.Body)
	}
	if v := tx.VersionAt(tx.Version); v == nil || v.Conflicts != 1 || v.Base != 1 || !v.Merged {
		t.Fatalf("version = %+v; want one conflict, merged from v1", v)
	}
}

func TestMerge3(t *testing.T) {
	tests := []struct {
		name, base, saved, mine, want string
		conflicts                     int
	}{
		{"nothing saved since", "a", "a", "ab", "ab", 0},
		{"nothing typed", "a", "ab", "a", "ab", 0},
		{"both append", "A\n", "A\nsaved\n", "A\nmine\n", "A\nsaved\nmine\n", 0},
		{"apart", "one two three", "ONE two three", "one two THREE", "ONE two THREE", 0},
		{"same change", "one", "two", "two", "two", 0},
		{"overlap", "the cat sat", "the dog sat", "the bird sat", "the dog⟦Rafael: bird⟧ sat", 1},
		{"mine deleted what saved changed", "a b c", "a B c", "a c", "a B ⟦Rafael deleted this⟧c", 1},
		{"saved deleted what mine changed", "a b c", "a c", "a B c", "a ⟦Rafael: B ⟧c", 1},
		{"empty base", "", "saved", "mine", "saved\nmine", 0},
		{"typing on while a line is added", "a\nw1 li", "a\nw1 li\n- bot", "a\nw1 line 3", "a\nw1 line 3\n- bot", 0},
		// The saved side finished a line and added one after a line just
		// begun ("w"); the cleanup of its diff joins the two into one
		// change over "\nw", and what mine typed on after "w" must stay
		// on that line, not go after the added one.
		{"typing on a line begun before two changes", "later\nw1 l\nw", "later\nw1 line 5\nw\n- bot line 37", "later\nw1 l\nw2 lin",
			"later\nw1 line 5\nw2 lin\n- bot line 37", 0},
		{"the same, the other way round", "later\nw1 l\nw", "later\nw1 l\nw2 lin", "later\nw1 line 5\nw\n- bot line 37",
			"later\nw1 line 5\nw2 lin\n- bot line 37", 0},
	}
	for _, tt := range tests {
		m := session.Merge3(tt.base, tt.saved, tt.mine, "Rafael")
		if m.Text != tt.want || m.Conflicts != tt.conflicts {
			t.Errorf("%s: Merge3(%q, %q, %q) = %q, %d conflicts; want %q, %d", tt.name, tt.base, tt.saved, tt.mine, m.Text, m.Conflicts, tt.want, tt.conflicts)
		}
	}
}

// Large texts rewritten wholly on both sides merge in bounded time and
// keep both: diffed by lines, and as a whole past the bound.
func TestMerge3Large(t *testing.T) {
	for _, lines := range []int{1500, 6000} {
		var a, b, c strings.Builder
		for i := range lines {
			fmt.Fprintf(&a, "%d x\n", i)
			fmt.Fprintf(&b, "saved %d\n", i*7)
			fmt.Fprintf(&c, "mine %d\n", i*13)
		}
		start := time.Now()
		m := session.Merge3(a.String(), b.String(), c.String(), "R")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Merge3 of %d rewritten lines took %v", lines, d)
		}
		last := lines - 1
		if !strings.Contains(m.Text, fmt.Sprintf("saved %d", last*7)) || !strings.Contains(m.Text, fmt.Sprintf("mine %d", last*13)) {
			t.Errorf("Merge3 of %d lines lost a side", lines)
		}
	}
}

func TestApplyPlanEdit(t *testing.T) {
	qs := func(texts ...string) []session.PlanQuestion {
		var out []session.PlanQuestion
		for _, t := range texts {
			out = append(out, session.PlanQuestion{Text: t})
		}
		return out
	}
	five := qs("One?", "Two?", "Three?", "Four?", "Five?")
	tests := []struct {
		name string
		data any
		want error
	}{
		{"title", session.PlanEdit{Title: "  The partnership in 2030 "}, nil},
		{"reword", session.PlanEdit{Questions: five}, nil},
		{"add", session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{Text: "Six?", Minutes: 5})}, nil},
		{"add with id", session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{ID: "extra", Text: "Six?"})}, nil},
		{"keep ids", session.PlanEdit{Questions: []session.PlanQuestion{{ID: "q1", Text: "One?"}, {Text: "Two?"}, {Text: "3?"}, {Text: "4?"}, {Text: "5?"}}}, nil},
		{"remove", session.PlanEdit{Questions: five[:4]}, session.ErrInvalid},
		{"remove all", map[string]any{"questions": []any{}}, session.ErrInvalid},
		{"change id", session.PlanEdit{Questions: []session.PlanQuestion{{ID: "first", Text: "One?"}, {Text: "2?"}, {Text: "3?"}, {Text: "4?"}, {Text: "5?"}}}, session.ErrInvalid},
		{"duplicate id", session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{ID: "q2", Text: "Again?"})}, session.ErrInvalid},
		{"empty question", session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{Text: " "})}, session.ErrInvalid},
		{"bad minutes", session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{Text: "Six?", Minutes: 2000})}, session.ErrInvalid},
		{"control title", session.PlanEdit{Title: "Evil \x1b[2J"}, session.ErrInvalid},
		{"long title", session.PlanEdit{Title: strings.Repeat("t", 161)}, session.ErrInvalid},
		{"unknown field", map[string]any{"votes_per_person": 9}, session.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := jsonOf(t, f.s.Questions)
			evs, err := f.apply("organizer", session.KindPlanEdit, tt.data)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("Apply(plan.edit %s) = %v; want %v", tt.name, err, tt.want)
				}
				if got := jsonOf(t, f.s.Questions); got != before {
					t.Errorf("refused plan.edit changed the questions to %s", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply(plan.edit %s) = %v; want success", tt.name, err)
			}
			h := evs[0].Data.Session
			if h == nil || h.Title != f.s.Title || jsonOf(t, h.Questions) != jsonOf(t, f.s.Questions) || evs[0].Data.Group != "" {
				t.Errorf("plan.edit event = %s; want the new header, session-wide", jsonOf(t, evs[0]))
			}
			for i, q := range f.s.Questions[:5] {
				if want := samplePlan().Questions[i].ID; q.ID != want {
					t.Errorf("question %d id = %q; want %q", i+1, q.ID, want)
				}
			}
		})
	}
	f := newFixture(t)
	f.must("organizer", session.KindPlanEdit, session.PlanEdit{Title: "  The partnership in 2030 "})
	f.must("organizer", session.KindPlanEdit, session.PlanEdit{Questions: append(slices.Clone(five), session.PlanQuestion{Text: "Six?", Minutes: 5})})
	if f.s.Title != "The partnership in 2030" || len(f.s.Questions) != 6 || f.s.Questions[5].ID != "q6" || f.s.Questions[0].Text != "One?" {
		t.Errorf("after plan edits: title %q, questions %s; want the new title and six questions", f.s.Title, jsonOf(t, f.s.Questions))
	}
	// Ideas may go to the added question once it is posed.
	f.must("Manzoni/chair", session.KindQuestionPose, session.QuestionPose{Question: "q6"})
	f.idea("Manzoni/participant", "Six!")
}

func TestApplySystemOps(t *testing.T) {
	f := newFixture(t)
	p := f.id("Manzoni/participant")
	create := session.SessionCreate{ID: "s2", Plan: samplePlan()}
	join := session.PersonJoin{Name: "Mallory", Role: session.Organizer, TokenHash: "h"}
	online := session.PersonOnline{Person: p, Online: true}
	for _, who := range []string{"organizer", "Manzoni/chair", "Manzoni/participant"} {
		run(t, f, []step{
			{who, session.KindSessionCreate, create, session.ErrForbidden},
			{who, session.KindPersonJoin, join, session.ErrForbidden},
			{who, session.KindPersonOnline, online, session.ErrForbidden},
		})
	}
	// A person id nobody holds is refused too.
	if _, err := f.s.Apply(f.entry("p999", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "x"})); !errors.Is(err, session.ErrForbidden) {
		t.Errorf("Apply(idea.add by unknown) = %v; want %v", err, session.ErrForbidden)
	}
	// The relay's own ops go through.
	ev := f.system(session.KindPersonOnline, online)
	if !f.s.People[p].Online || len(ev.Data.People) != 1 || ev.Data.Group != "Manzoni" {
		t.Errorf("person.online event = %s; want %s online in Manzoni", jsonOf(t, ev), p)
	}
	if _, err := f.s.Apply(f.entry("", session.KindSessionCreate, create)); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(second session.create) = %v; want %v", err, session.ErrInvalid)
	}
	for _, tt := range []struct {
		name string
		data session.PersonJoin
		want error
	}{
		{"no token", session.PersonJoin{Name: "Ann", Role: session.Participant, Group: "Verdi"}, session.ErrInvalid},
		{"bad role", session.PersonJoin{Name: "Ann", Role: "king", Group: "Verdi", TokenHash: "h"}, session.ErrInvalid},
		{"organizer in group", session.PersonJoin{Name: "Ann", Role: session.Organizer, Group: "Verdi", TokenHash: "h"}, session.ErrInvalid},
		{"member without group", session.PersonJoin{Name: "Ann", Role: session.Chair, TokenHash: "h"}, session.ErrInvalid},
		{"unknown group", session.PersonJoin{Name: "Ann", Role: session.Chair, Group: "Puccini", TokenHash: "h"}, session.ErrNotFound},
		{"unknown roster id", session.PersonJoin{ID: "r9", TokenHash: "h"}, session.ErrNotFound},
		{"no name", session.PersonJoin{Name: " ", Role: session.Participant, Group: "Verdi", TokenHash: "h"}, session.ErrInvalid},
		{"fine", session.PersonJoin{Name: "Ann", Role: session.Participant, Group: "Verdi", TokenHash: "h"}, nil},
	} {
		_, err := f.s.Apply(f.entry("", session.KindPersonJoin, tt.data))
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Apply(person.join %s) = %v; want %v", tt.name, err, tt.want)
		}
	}
	if _, err := f.s.Apply(f.entry("", session.KindPersonOnline, session.PersonOnline{Person: "p999"})); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Apply(person.online of unknown) = %v; want %v", err, session.ErrNotFound)
	}
}

func TestApplyBeforeCreate(t *testing.T) {
	s := session.New()
	e := session.Entry{Op: session.NewOp("x", session.KindPersonJoin, session.PersonJoin{Name: "A", Role: session.Organizer, TokenHash: "h"}), At: at(0)}
	if _, err := s.Apply(e); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(person.join before create) = %v; want %v", err, session.ErrInvalid)
	}
	if _, ok := s.Outcome("", "x"); ok {
		t.Errorf("Outcome of an op before create is remembered; want not")
	}
	bad := session.Entry{Op: session.NewOp("c", session.KindSessionCreate, session.SessionCreate{ID: "s1"}), At: at(0)}
	if _, err := s.Apply(bad); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Apply(session.create with empty plan) = %v; want %v", err, session.ErrInvalid)
	}
	good := session.Entry{Op: session.NewOp("c", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: samplePlan()}), At: at(1)}
	evs, err := s.Apply(good)
	if err != nil {
		t.Fatalf("Apply(session.create) = %v; want success", err)
	}
	h := evs[0].Data.Session
	if s.ID != "s1" || h == nil || h.ID != "s1" || len(evs[0].Data.Groups) != 3 || evs[0].Seq != 1 || !s.Created.Equal(at(1)) {
		t.Errorf("session.create event = %s; want session s1 with 3 groups at seq 1", jsonOf(t, evs[0]))
	}
	for _, g := range s.Groups {
		if g.Current != "q1" {
			t.Errorf("group %s starts on %q; want q1", g.Name, g.Current)
		}
	}
}

func TestApplyRoster(t *testing.T) {
	p := samplePlan()
	p.People = []session.PlanPerson{
		{Name: "Anna Bianchi", Background: "Rail", Group: "Verdi", Role: session.Chair},
		{Name: "Bruno Neri", Background: "Ports", Group: "Manzoni"},
	}
	s := session.New()
	evs, err := s.Apply(session.Entry{Op: session.NewOp("c", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: p}), At: at(0)})
	if err != nil {
		t.Fatalf("Apply(session.create with roster) = %v; want success", err)
	}
	if n := len(evs[0].Data.People); n != 2 {
		t.Fatalf("session.create event holds %d people; want 2", n)
	}
	anna := s.People["r1"]
	if anna == nil || anna.Role != session.Chair || anna.Group != "Verdi" || anna.Joined {
		t.Fatalf("roster person r1 = %+v; want Anna, chair of Verdi, not joined", anna)
	}
	join := func(id string, d session.PersonJoin) error {
		_, err := s.Apply(session.Entry{Op: session.NewOp(id, session.KindPersonJoin, d), At: at(1)})
		return err
	}
	if err := join("j1", session.PersonJoin{ID: "r1", Name: "Anna B.", TokenHash: "h"}); err != nil {
		t.Fatalf("Apply(person.join of r1) = %v; want success", err)
	}
	if !anna.Joined || anna.Name != "Anna B." || anna.TokenHash != "h" || anna.Role != session.Chair {
		t.Errorf("r1 after join = %+v; want joined as Anna B., still chair", anna)
	}
	for _, tt := range []struct {
		name string
		data session.PersonJoin
	}{
		{"long name", session.PersonJoin{ID: "r2", Name: strings.Repeat("n", 81), TokenHash: "h"}},
		{"control name", session.PersonJoin{ID: "r2", Name: "Bruno\x1b[31m", TokenHash: "h"}},
		{"control background", session.PersonJoin{ID: "r2", Background: "Ports\u009b", TokenHash: "h"}},
	} {
		if err := join("j-"+strings.ReplaceAll(tt.name, " ", "-"), tt.data); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Apply(person.join %s) = %v; want %v", tt.name, err, session.ErrInvalid)
		}
	}
	if b := s.People["r2"]; b.Joined || b.Name != "Bruno Neri" || b.Background != "Ports" {
		t.Errorf("r2 after refused joins = %+v; want unchanged", b)
	}
}

func TestApplyDuplicate(t *testing.T) {
	f := newFixture(t)
	p := f.id("Manzoni/participant")
	add := session.Entry{Op: session.NewOp("same", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Once"}), By: p, At: at(100)}
	evs, err := f.s.Apply(add)
	if err != nil {
		t.Fatalf("Apply(idea.add) = %v; want success", err)
	}
	seq, ideas := f.s.Seq, len(f.s.Ideas)
	// Retried later, with other data even: the first outcome stands.
	again := add
	again.At = at(200)
	again.Op = session.NewOp("same", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Twice"})
	if _, err := f.s.Apply(again); !errors.Is(err, session.ErrDuplicate) {
		t.Errorf("Apply(retried idea.add) = %v; want %v", err, session.ErrDuplicate)
	}
	if f.s.Seq != seq || len(f.s.Ideas) != ideas {
		t.Errorf("retry moved seq to %d with %d ideas; want %d with %d", f.s.Seq, len(f.s.Ideas), seq, ideas)
	}
	if o, ok := f.s.Outcome(p, "same"); !ok || o != (session.Outcome{Seq: evs[0].Seq}) {
		t.Errorf("Outcome(same) = %+v, %v; want seq %d", o, ok, evs[0].Seq)
	}
	// The same id from another person is another op.
	other := add
	other.By = f.id("Manzoni/participant2")
	if _, err := f.s.Apply(other); err != nil {
		t.Errorf("Apply(idea.add, same id by another person) = %v; want success", err)
	}

	// A refused op is remembered as refused, even once it would succeed.
	lock := session.Entry{Op: session.NewOp("lock-1", session.KindGroupLock, struct{}{}), By: p, At: at(300)}
	if _, err := f.s.Apply(lock); !errors.Is(err, session.ErrForbidden) {
		t.Fatalf("Apply(group.lock by participant) = %v; want %v", err, session.ErrForbidden)
	}
	o, ok := f.s.Outcome(p, "lock-1")
	if !ok || o.Code != session.CodeForbidden || o.Seq != 0 || o.Message == "" {
		t.Errorf("Outcome(lock-1) = %+v, %v; want code forbidden with a message", o, ok)
	}
	if _, err := f.s.Apply(lock); !errors.Is(err, session.ErrDuplicate) {
		t.Errorf("Apply(retried refused op) = %v; want %v", err, session.ErrDuplicate)
	}
	if o2, _ := f.s.Outcome(p, "lock-1"); o2 != o {
		t.Errorf("Outcome(lock-1) after retry = %+v; want %+v", o2, o)
	}
	if _, ok := f.s.Outcome(p, "never-sent"); ok {
		t.Errorf("Outcome(never-sent) found; want none")
	}

	// Bad op ids are refused and not remembered.
	for _, id := range []string{"", strings.Repeat("x", 65), "with space", "tab\t", "caffè", "del\x7f"} {
		e := session.Entry{Op: session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "x"}), By: p, At: at(400)}
		if _, err := f.s.Apply(e); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Apply(op id %q) = %v; want %v", id, err, session.ErrInvalid)
		}
		if _, ok := f.s.Outcome(p, id); ok {
			t.Errorf("Outcome(%q) is remembered; want not", id)
		}
	}
	e := session.Entry{Op: session.NewOp(strings.Repeat("~", 64), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "x"}), By: p, At: at(400)}
	if _, err := f.s.Apply(e); err != nil {
		t.Errorf("Apply(op id of 64 printable characters) = %v; want success", err)
	}
}

func TestApplyBadData(t *testing.T) {
	f := newFixture(t)
	p := f.id("Manzoni/participant")
	for n, tt := range []struct {
		kind string
		data string
		want error
	}{
		{session.KindIdeaAdd, `{"question":"q1","text":"x","colour":"red"}`, session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1","text":5}`, session.ErrInvalid},
		{session.KindIdeaAdd, `[1,2]`, session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1"`, session.ErrInvalid},
		{session.KindIdeaAdd, ``, session.ErrNotFound}, // no question
		{session.KindIdeaAdd, "{\"question\":\"q1\",\"text\":\"caff\xe8\"}", session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1","text":"x"} {}`, session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1","text":"x"}}`, session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1","text":"x"}x`, session.ErrInvalid},
		{session.KindIdeaAdd, "{\"question\":\"q1\",\"text\":\"spaced\"} \n", nil},
		{session.KindIdeaAdd, `{"question":"q1","text":"after bad ones"}`, nil},
		{session.KindIdeaAdd, `5`, session.ErrInvalid},
		{session.KindIdeaAdd, `{"question":"q1","text":"after a number"}`, nil},
		{"idea.steal", `{}`, session.ErrInvalid},
		{"", `{}`, session.ErrInvalid},
	} {
		e := session.Entry{Op: session.Op{ID: "bad-" + strconv.Itoa(n), Kind: tt.kind, Data: []byte(tt.data)}, By: p, At: at(1)}
		if _, err := f.s.Apply(e); tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Apply(%s %s) = %v; want %v", tt.kind, tt.data, err, tt.want)
		}
	}
}

func TestApplyBadText(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	ideaTests := []struct {
		name string
		text string
		ok   bool
	}{
		{"1000 chars", long(1000), true},
		{"1000 runes", strings.Repeat("è", 1000), true},
		{"1001 chars", long(1001), false},
		{"newline", "line one\nline two", true},
		{"tab", "a\tb", true},
		{"carriage return", "a\rb", false},
		{"invalid UTF-8", "caff\xe8", false},
		{"ESC", "red \x1b[31m", false},
		{"NUL", "a\x00b", false},
		{"BEL", "a\ab", false},
		{"DEL", "a\x7fb", false},
		{"C1 CSI", "a\u009b2J", false},
		{"C1 NEL", "a\u0085b", false},
		{"line separator", "a\u2028b", false},
		{"bidi override", "a\u202eb", false},
		{"blank", " \n\t ", false},
		{"emoji", "🚆 trains", true},
	}
	for _, tt := range ideaTests {
		t.Run("idea/"+tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.apply("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: tt.text})
			checkOK(t, "idea.add "+tt.name, err, tt.ok)
			id := f.idea("Manzoni/participant", "fine")
			_, err = f.apply("Manzoni/participant", session.KindIdeaEdit, session.IdeaEdit{Idea: id, Text: tt.text})
			checkOK(t, "idea.edit "+tt.name, err, tt.ok)
		})
	}
	nameTests := []struct {
		name string
		text string
		ok   bool
	}{
		{"80 chars", long(80), true},
		{"81 chars", long(81), false},
		{"newline", "Ann\nBob", false},
		{"tab", "Ann\tBob", false},
		{"ESC", "Ann\x1b]0;pwned\a", false},
		{"C1", "Ann\u0090", false},
		{"invalid UTF-8", "Ann\xff", false},
	}
	for _, tt := range nameTests {
		t.Run("name/"+tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.s.Apply(f.entry("", session.KindPersonJoin, session.PersonJoin{Name: tt.text, Role: session.Participant, Group: "Verdi", TokenHash: "h"}))
			checkOK(t, "person.join name "+tt.name, err, tt.ok)
			_, err = f.s.Apply(f.entry("", session.KindPersonJoin, session.PersonJoin{Name: "Ann", Background: tt.text, Role: session.Participant, Group: "Verdi", TokenHash: "h"}))
			checkOK(t, "person.join background "+tt.name, err, tt.ok)
			_, err = f.apply("Manzoni/rapporteur", session.KindIdeaTheme, session.IdeaTheme{Idea: f.idea("Manzoni/participant", "x"), Theme: tt.text})
			checkOK(t, "idea.theme "+tt.name, err, tt.ok)
		})
	}
	longTests := []struct {
		name string
		text string
		ok   bool
	}{
		{"empty", "", true},
		{"50000 chars", long(50000), true},
		{"50001 chars", long(50001), false},
		{"newlines and tabs", "# Minutes\n\n\t- trains\n", true},
		{"ESC", "# Minutes\x1b[2J", false},
		{"C1", "x\u009cy", false},
		{"invalid UTF-8", "x\xc3", false},
	}
	for _, tt := range longTests {
		t.Run("long/"+tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, who := range []struct{ who, kind string }{
				{"Manzoni/rapporteur", session.KindMinutesEdit},
				{"Manzoni/rapporteur", session.KindSummaryEdit},
				{"organizer", session.KindSynthesis},
			} {
				_, err := f.apply(who.who, who.kind, session.TextEdit{Question: "q1", Text: tt.text})
				checkOK(t, who.kind+" "+tt.name, err, tt.ok)
			}
		})
	}
	for _, tt := range []struct {
		name string
		text string
		ok   bool
	}{
		{"1000 chars", long(1000), true},
		{"1001 chars", long(1001), false},
		{"two lines", "Back in\nten minutes", true},
		{"ESC", "\x1bc", false},
		{"blank", "  ", false},
	} {
		f := newFixture(t)
		_, err := f.apply("organizer", session.KindBroadcast, session.BroadcastData{Text: tt.text})
		checkOK(t, "broadcast "+tt.name, err, tt.ok)
	}
}

func checkOK(t *testing.T, what string, err error, ok bool) {
	t.Helper()
	switch {
	case ok && err != nil:
		t.Errorf("Apply(%s) = %v; want success", what, err)
	case !ok && !errors.Is(err, session.ErrInvalid):
		t.Errorf("Apply(%s) = %v; want %v", what, err, session.ErrInvalid)
	}
}

func TestApplyFlagsAndThemes(t *testing.T) {
	f := newFixture(t)
	id := f.idea("Manzoni/participant", "Trains")
	f.must("Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: id, On: true})
	f.must("Manzoni/rapporteur", session.KindIdeaKey, session.IdeaFlag{Idea: id, On: true})
	f.must("Manzoni/rapporteur", session.KindIdeaTheme, session.IdeaTheme{Idea: id, Theme: " Transport "})
	i := f.s.Ideas[id]
	if !i.Pinned || !i.Key || i.Theme != "Transport" {
		t.Errorf("idea after pin, key, theme = %+v; want pinned, key, theme Transport", i)
	}
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: id, On: true})
	if i.Visible() {
		t.Errorf("hidden idea is Visible; want not")
	}
	f.must("Manzoni/chair", session.KindIdeaHide, session.IdeaFlag{Idea: id})
	f.must("Manzoni/chair", session.KindIdeaPin, session.IdeaFlag{Idea: id})
	if !i.Visible() || i.Pinned {
		t.Errorf("idea after unhide, unpin = %+v; want visible, not pinned", i)
	}
	ev := f.must("Manzoni/rapporteur", session.KindReportPub, struct{}{})
	g := f.s.Group("Manzoni")
	if !g.Published.Equal(at(f.n)) || g.PublishedSeq != ev.Seq {
		t.Errorf("group after report.publish = %+v; want published at %v, seq %d", g, at(f.n), ev.Seq)
	}
	ev = f.must("organizer", session.KindBroadcast, session.BroadcastData{Text: "Coffee"})
	if b := f.s.Broadcasts; len(b) != 1 || b[0].Text != "Coffee" || b[0].Seq != ev.Seq || ev.Data.Group != "" || ev.Data.Broadcast == nil {
		t.Errorf("broadcasts = %+v, event %s; want one, session-wide", b, jsonOf(t, ev))
	}
}

func TestApplyIdeaAdd(t *testing.T) {
	f := newFixture(t)
	base := f.idea("Manzoni/participant2", "Trains")
	verdi := f.idea("Verdi/participant", "Trains")
	ev := f.must("Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Night trains", BuildsOn: base})
	i := f.s.Ideas[ev.Data.Idea]
	if i == nil || i.ID != "i"+strconv.FormatInt(ev.Seq, 10) || i.BuildsOn != base || i.Author != f.id("Manzoni/participant") ||
		i.Group != "Manzoni" || i.Question != "q1" || !i.Created.Equal(at(f.n)) || ev.Data.Group != "Manzoni" {
		t.Errorf("idea.add made %+v (event %s); want id i%d building on %s", i, jsonOf(t, ev), ev.Seq, base)
	}
	run(t, f, []step{
		{"Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "x", BuildsOn: verdi}, session.ErrForbidden},
		{"Manzoni/participant", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "x", BuildsOn: "i999"}, session.ErrNotFound},
	})
}

func TestApplyPersonRemove(t *testing.T) {
	f := newFixture(t)
	idea := f.idea("Manzoni/participant2", "Keep the night trains")
	run(t, f, []step{
		{"Verdi/chair", session.KindPersonRemove, session.PersonRemove{Person: f.id("Manzoni/participant2")}, session.ErrForbidden},
		{"Manzoni/chair", session.KindPersonRemove, session.PersonRemove{Person: f.id("Manzoni/chair")}, session.ErrForbidden},
		{"Manzoni/chair", session.KindPersonRemove, session.PersonRemove{Person: f.id("organizer")}, session.ErrForbidden},
		{"Manzoni/participant", session.KindPersonRemove, session.PersonRemove{Person: f.id("Manzoni/participant2")}, session.ErrForbidden},
		{"organizer", session.KindPersonRemove, session.PersonRemove{Person: "p999"}, session.ErrNotFound},
		{"Manzoni/chair", session.KindPersonRemove, session.PersonRemove{Person: f.id("Manzoni/participant2")}, nil},
		{"Manzoni/chair", session.KindPersonRemove, session.PersonRemove{Person: f.id("Manzoni/participant2")}, session.ErrNotFound},
		{"Manzoni/participant2", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Still here?"}, session.ErrForbidden},
		{"organizer", session.KindPersonRemove, session.PersonRemove{Person: f.id("Verdi/chair")}, nil},
		{"Verdi/chair", session.KindGroupLock, struct{}{}, session.ErrForbidden},
	})
	p := f.s.People[f.id("Manzoni/participant2")]
	if !p.Removed || p.TokenHash != "" || p.Online {
		t.Errorf("removed person = %+v; want removed, offline, without a token hash", p)
	}
	// Not a member any more (the reports' counts), still the author.
	for _, m := range f.s.Members("Manzoni") {
		if m.ID == p.ID {
			t.Errorf("Members(Manzoni) holds the removed %s; want them left out", p.ID)
		}
	}
	if n := len(f.s.Members("Manzoni")); n != 3 {
		t.Errorf("Members(Manzoni) = %d people; want 3 after one of 4 was removed", n)
	}
	if i := f.s.Ideas[idea]; i == nil || !i.Visible() {
		t.Errorf("the removed person's idea = %+v; want it kept", i)
	}
	// The event tells the group, and shows no token hash.
	f2 := newFixture(t)
	ev := f2.must("organizer", session.KindPersonRemove, session.PersonRemove{Person: f2.id("Verdi/participant")})
	if ev.Data.Group != "Verdi" || len(ev.Data.People) != 1 || !ev.Data.People[0].Removed {
		t.Errorf("person.remove event = %+v; want Verdi's, with the removed person", ev.Data)
	}
	if shown, ok := ev.For(f2.viewer("Verdi/chair")); !ok || shown.Data.People[0].TokenHash != "" {
		t.Errorf("person.remove as Verdi's chair sees it = %+v, %v; want it, without a token hash", shown.Data.People, ok)
	}
	if _, ok := ev.For(f2.viewer("Manzoni/chair")); ok {
		t.Errorf("person.remove of a Verdi person shown to Manzoni's chair")
	}
	// A removed roster person cannot take their place again.
	s := session.New()
	plan := samplePlan()
	plan.People = []session.PlanPerson{{Name: "Rosa", Group: "Manzoni", Role: session.Participant}}
	apply := func(by, kind string, data any) error {
		_, err := s.Apply(session.Entry{Op: session.NewOp(fmt.Sprintf("op-%d", s.Seq), kind, data), By: by, At: t0})
		return err
	}
	if err := apply("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: plan}); err != nil {
		t.Fatal(err)
	}
	apply("", session.KindPersonJoin, session.PersonJoin{Name: "Olga", Role: session.Organizer, TokenHash: "h-olga"})
	apply("", session.KindPersonJoin, session.PersonJoin{ID: "r1", TokenHash: "h-rosa"})
	if err := apply("p2", session.KindPersonRemove, session.PersonRemove{Person: "r1"}); err != nil {
		t.Fatalf("Apply(person.remove of a roster person) = %v; want success", err)
	}
	if err := apply("", session.KindPersonJoin, session.PersonJoin{ID: "r1", TokenHash: "h-rosa-2"}); !errors.Is(err, session.ErrForbidden) {
		t.Errorf("Apply(person.join of a removed roster person) = %v; want %v", err, session.ErrForbidden)
	}
}

func TestApplyMaxPerCode(t *testing.T) {
	s := session.New()
	plan := samplePlan()
	plan.MaxPerCode = 3
	plan.People = []session.PlanPerson{{Name: "Rosa", Group: "Manzoni", Role: session.Participant}}
	n := 0
	apply := func(by, kind string, data any) ([]session.Event, error) {
		n++
		return s.Apply(session.Entry{Op: session.NewOp(fmt.Sprintf("op-%d", n), kind, data), By: by, At: at(n)})
	}
	join := func(name string, role session.Role, group string) (string, error) {
		evs, err := apply("", session.KindPersonJoin, session.PersonJoin{Name: name, Role: role, Group: group, TokenHash: "h-" + name})
		if err != nil {
			return "", err
		}
		return evs[0].Data.People[0].ID, nil
	}
	if _, err := apply("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: plan}); err != nil {
		t.Fatal(err)
	}
	org, _ := join("Olga", session.Organizer, "")
	if _, err := apply("", session.KindPersonJoin, session.PersonJoin{ID: "r1", TokenHash: "h-rosa"}); err != nil {
		t.Fatalf("roster join: %v", err)
	}
	var first string
	for i := range 3 {
		id, err := join(fmt.Sprintf("P%d", i), session.Participant, "Manzoni")
		if err != nil {
			t.Fatalf("join %d of 3: %v", i+1, err)
		}
		if i == 0 {
			first = id
		}
	}
	if _, err := join("P3", session.Participant, "Manzoni"); !errors.Is(err, session.ErrClosed) {
		t.Errorf("join 4 with a code capped at 3 = %v; want %v", err, session.ErrClosed)
	}
	// Other codes have their own count.
	if _, err := join("C", session.Chair, "Manzoni"); err != nil {
		t.Errorf("a chair's join = %v; want success", err)
	}
	if _, err := join("V", session.Participant, "Verdi"); err != nil {
		t.Errorf("Verdi's participant join = %v; want success", err)
	}
	// Removing one makes room.
	if _, err := apply(org, session.KindPersonRemove, session.PersonRemove{Person: first}); err != nil {
		t.Fatal(err)
	}
	if _, err := join("P4", session.Participant, "Manzoni"); err != nil {
		t.Errorf("join after a removal = %v; want success", err)
	}
	// A session logged before max_per_code (0 in its session.create)
	// replays uncapped.
	old := session.New()
	p0 := samplePlan()
	p0.MaxPerCode = 0
	old.Apply(session.Entry{Op: session.NewOp("c", session.KindSessionCreate, session.SessionCreate{ID: "s0", Plan: p0}), At: t0})
	for i := range 60 {
		d := session.PersonJoin{Name: fmt.Sprintf("Q%d", i), Role: session.Participant, Group: "Manzoni", TokenHash: "h"}
		if _, err := old.Apply(session.Entry{Op: session.NewOp(fmt.Sprintf("j%d", i), session.KindPersonJoin, d), At: t0}); err != nil {
			t.Fatalf("join %d in a session without max_per_code: %v", i+1, err)
		}
	}
}
