package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"breakout/session"
)

// texts people type in the property tests, good and bad.
var propTexts = []string{
	"Trains", "Night trains\nand buses", "Shared\toffices", "caffè per tutti", "🚆",
	"", "  ", "red \x1b[31m", "bell\a", "c1 \u009b", "bad \xff utf-8", "rtl \u202e",
	strings.Repeat("x", 1001), strings.Repeat("y", 81),
}

// propGen draws entries that fit the state often enough to reach deep
// into apply, and misfit it often enough to test every refusal.
type propGen struct {
	t     *rapid.T
	sent  []session.Entry // for retries
	n     int             // op ids
	clock int             // seconds after t0
}

func (g *propGen) text(label string) string { return rapid.SampledFrom(propTexts).Draw(g.t, label) }

func (g *propGen) person(s *session.State) string {
	ids := slices.Sorted(maps.Keys(s.People))
	if len(ids) == 0 || rapid.IntRange(0, 30).Draw(g.t, "stranger") == 0 {
		return rapid.SampledFrom([]string{"", "p999"}).Draw(g.t, "nobody")
	}
	return rapid.SampledFrom(ids).Draw(g.t, "by")
}

// organizer draws an organizer, or anyone when there is none.
func (g *propGen) organizer(s *session.State) string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(s.People)) {
		if s.People[id].Role == session.Organizer {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return g.person(s)
	}
	return rapid.SampledFrom(ids).Draw(g.t, "organizer")
}

// group draws a group name for ops that may name one: none mostly.
func (g *propGen) group() string {
	return rapid.SampledFrom([]string{"", "", "Manzoni", "Verdi", "Nowhere"}).Draw(g.t, "group")
}

func (g *propGen) theme(s *session.State) string {
	ids := slices.Sorted(maps.Keys(s.Themes))
	if len(ids) == 0 || rapid.IntRange(0, 10).Draw(g.t, "no such theme") == 0 {
		return "t999"
	}
	return rapid.SampledFrom(ids).Draw(g.t, "theme")
}

func (g *propGen) recommendation(s *session.State) string {
	ids := slices.Sorted(maps.Keys(s.Recommendations))
	if len(ids) == 0 || rapid.IntRange(0, 10).Draw(g.t, "no such recommendation") == 0 {
		return "rec999"
	}
	return rapid.SampledFrom(ids).Draw(g.t, "recommendation")
}

func (g *propGen) idea(s *session.State) string {
	ids := slices.Sorted(maps.Keys(s.Ideas))
	if len(ids) == 0 || rapid.IntRange(0, 20).Draw(g.t, "no such idea") == 0 {
		return "i999"
	}
	return rapid.SampledFrom(ids).Draw(g.t, "idea")
}

func (g *propGen) question(s *session.State, by string) string {
	if p := s.People[by]; p != nil && rapid.IntRange(0, 3).Draw(g.t, "other question") > 0 {
		if grp := s.Group(p.Group); grp != nil {
			return grp.Current
		}
	}
	ids := []string{"q9"}
	for _, q := range s.Questions {
		ids = append(ids, q.ID)
	}
	return rapid.SampledFrom(ids).Draw(g.t, "question")
}

// entry draws the next entry for state s.
func (g *propGen) entry(s *session.State) session.Entry {
	t := g.t
	if len(g.sent) > 0 && rapid.IntRange(0, 15).Draw(t, "retry") == 0 {
		e := rapid.SampledFrom(g.sent).Draw(t, "retried")
		return e // At is set by the batch
	}
	g.n++
	id := fmt.Sprintf("o%d", g.n)
	var by, kind string
	var data any
	switch rapid.IntRange(0, 13).Draw(t, "what") {
	case 10, 12:
		// The organizer's plenary and survey, often enough to reach
		// the plenary and what it shows.
		by = g.organizer(s)
		kind = rapid.SampledFrom([]string{session.KindPhaseSet, session.KindThemeCreate, session.KindSurveyOpen,
			session.KindPlenaryPresent, session.KindQuestionPose, session.KindGroupLock, session.KindBroadcast,
			session.KindRecommendationAdd, session.KindRecommendationEdit, session.KindRecommendationRemove}).Draw(t, "organizer kind")
	case 11, 13:
		by = g.person(s)
		kind = rapid.SampledFrom([]string{session.KindSurveyAnswer, session.KindPriorityVote, session.KindPriorityUnvote,
			session.KindIdeaKey, session.KindReportPub}).Draw(t, "member kind")
	case 0:
		kind, data = session.KindPersonJoin, g.join(s)
	case 1:
		kind, data = session.KindPersonOnline, session.PersonOnline{Person: g.person(s), Online: rapid.Bool().Draw(t, "online")}
	case 2, 3:
		by, kind = g.person(s), session.KindIdeaAdd
	case 4:
		by, kind = g.person(s), rapid.SampledFrom([]string{session.KindIdeaVote, session.KindIdeaUnvote}).Draw(t, "vote")
	default:
		kinds := append(session.Kinds(), session.KindSessionCreate, "idea.bogus")
		by, kind = g.person(s), rapid.SampledFrom(kinds).Draw(t, "kind")
	}
	if data == nil {
		data = g.data(s, by, kind)
	}
	var op session.Op
	switch rapid.IntRange(0, 40).Draw(t, "raw data") {
	case 0:
		op = session.Op{ID: id, Kind: kind, Data: json.RawMessage(`{"bogus":1}`)}
	case 1:
		op = session.Op{ID: id, Kind: kind, Data: json.RawMessage("{\"text\":\"\xff\"}")}
	case 2:
		op = session.Op{ID: id, Kind: kind}
	default:
		op = rawOp(id, kind, data)
	}
	return session.Entry{Op: op, By: by}
}

func (g *propGen) join(s *session.State) session.PersonJoin {
	t := g.t
	if rapid.IntRange(0, 5).Draw(t, "roster join") == 0 {
		return session.PersonJoin{ID: g.person(s), Name: rapid.SampledFrom([]string{"", "Anna B."}).Draw(t, "name"), TokenHash: "h"}
	}
	role := rapid.SampledFrom([]session.Role{session.Participant, session.Participant, session.Chair, session.Rapporteur, session.Organizer, "king"}).Draw(t, "role")
	group := rapid.SampledFrom(append(slices.Clone(groupNames), "Puccini")).Draw(t, "group")
	if role == session.Organizer && rapid.IntRange(0, 5).Draw(t, "organizer in group") > 0 {
		group = ""
	}
	name := fmt.Sprintf("%s %d", role, g.n)
	if rapid.IntRange(0, 10).Draw(t, "odd name") == 0 {
		name = g.text("name")
	}
	hash := "hash-" + name
	if rapid.IntRange(0, 20).Draw(t, "no hash") == 0 {
		hash = ""
	}
	return session.PersonJoin{Name: name, Role: role, Group: group, TokenHash: hash}
}

func (g *propGen) data(s *session.State, by, kind string) any {
	t := g.t
	switch kind {
	case session.KindIdeaAdd:
		d := session.IdeaAdd{Question: g.question(s, by), Text: g.text("text"), Anonymous: rapid.Bool().Draw(t, "anonymous")}
		if rapid.IntRange(0, 4).Draw(t, "builds on") == 0 {
			d.BuildsOn = g.idea(s)
		}
		if rapid.IntRange(0, 2).Draw(t, "plain text") > 0 {
			d.Text = fmt.Sprintf("idea %d", g.n)
		}
		return d
	case session.KindIdeaEdit:
		return session.IdeaEdit{Idea: g.idea(s), Text: g.text("text")}
	case session.KindIdeaRetract, session.KindIdeaVote, session.KindIdeaUnvote:
		return session.IdeaRef{Idea: g.idea(s)}
	case session.KindIdeaPin, session.KindIdeaHide, session.KindIdeaKey:
		return session.IdeaFlag{Idea: g.idea(s), On: rapid.Bool().Draw(t, "on")}
	case session.KindIdeaMerge:
		return session.IdeaMerge{Idea: g.idea(s), Into: g.idea(s)}
	case session.KindIdeaTheme:
		return session.IdeaTheme{Idea: g.idea(s), Theme: g.text("theme")}
	case session.KindQuestionPose:
		return session.QuestionPose{Question: g.question(s, ""), Group: g.group()}
	case session.KindGroupLock, session.KindGroupUnlock:
		return session.GroupRef{Group: g.group()}
	case session.KindPhaseSet:
		return session.PhaseSet{Phase: rapid.SampledFrom([]session.Phase{session.PhaseRooms, session.PhasePlenary,
			session.PhasePlenary, session.PhaseClosed, "lunch"}).Draw(t, "phase")}
	case session.KindPlenaryPresent:
		return session.PlenaryPresent{Group: g.group(), Question: rapid.SampledFrom([]string{"", "q1", "q9"}).Draw(t, "present question"),
			Theme: g.theme(s)}
	case session.KindPlenaryFloor:
		return session.PlenaryFloor{Group: g.group()}
	case session.KindPriorityVote, session.KindPriorityUnvote:
		switch rapid.IntRange(0, 6).Draw(t, "priority to") {
		case 0:
			return session.PriorityRef{Theme: g.theme(s), Recommendation: g.recommendation(s)}
		case 1, 2, 3:
			return session.PriorityRef{Recommendation: g.recommendation(s)}
		}
		return session.PriorityRef{Theme: g.theme(s)}
	case session.KindRecommendationAdd:
		return session.RecommendationAdd{Question: g.question(s, ""), Text: g.text("recommendation")}
	case session.KindRecommendationEdit:
		return session.RecommendationEdit{Recommendation: g.recommendation(s), Text: g.text("recommendation")}
	case session.KindRecommendationRemove:
		return session.RecommendationRef{Recommendation: g.recommendation(s)}
	case session.KindClockStart:
		return session.ClockStart{Seconds: rapid.SampledFrom([]int{0, 300, 86401}).Draw(t, "clock"), Label: g.text("label")}
	case session.KindSurveyOpen, session.KindSurveyClose:
		return session.SurveyRef{Items: rapid.SampledFrom([][]string{nil, {"s1"}, {"s2", "s4"}, {"s9"}}).Draw(t, "items")}
	case session.KindSurveyAnswer:
		return rapid.SampledFrom([]session.Answer{
			{Item: "s1", Value: 1}, {Item: "s1", Value: 5}, {Item: "s1", Value: 6}, {Item: "s2", Choices: []int{2}},
			{Item: "s2", Choices: []int{0, 1}}, {Item: "s3", Choices: []int{0, 2}}, {Item: "s3"}, {Item: "s4", Text: "More time"},
			{Item: "s4", Text: "bell\a"}, {Item: "s9", Value: 1},
		}).Draw(t, "answer")
	case session.KindThemeCreate:
		return session.ThemeCreate{Question: g.question(s, ""), Name: g.text("theme"), Ideas: []string{g.idea(s)}}
	case session.KindTimerStart, session.KindTimerExtend:
		return session.TimerStart{Seconds: rapid.SampledFrom([]int{0, 60, 600, -1, 86400, 86401}).Draw(t, "seconds")}
	case session.KindMinutesEdit, session.KindSummaryEdit, session.KindSynthesis:
		d := session.TextEdit{Question: g.question(s, by), Text: g.text("text")}
		if b := rapid.IntRange(-1, 3).Draw(t, "base"); b >= 0 {
			d.Base = session.BaseOf(b)
		}
		return d
	case session.KindBroadcast:
		return session.BroadcastData{Text: g.text("text"), Group: g.group()}
	case session.KindPlanEdit:
		d := session.PlanEdit{}
		if rapid.Bool().Draw(t, "retitle") {
			d.Title = g.text("title")
		}
		if rapid.Bool().Draw(t, "requestion") {
			for _, q := range s.Questions {
				d.Questions = append(d.Questions, session.PlanQuestion{Text: q.Text + "!", Minutes: q.Minutes})
			}
			switch rapid.IntRange(0, 3).Draw(t, "questions") {
			case 0:
				d.Questions = append(d.Questions, session.PlanQuestion{Text: g.text("question"), Minutes: 5})
			case 1:
				if len(d.Questions) > 0 {
					d.Questions = d.Questions[1:]
				}
			}
		}
		return d
	case session.KindSessionCreate:
		return session.SessionCreate{ID: "again", Plan: samplePlan()}
	}
	return struct{}{}
}

// propPlan draws the plan of a property test session: the sample plan
// with a drawn vote budget and roster.
func propPlan(t *rapid.T) session.Plan {
	p := samplePlan()
	p.VotesPerPerson = rapid.IntRange(1, 3).Draw(t, "votes")
	for i := range rapid.IntRange(0, 3).Draw(t, "roster") {
		p.People = append(p.People, session.PlanPerson{
			Name: fmt.Sprintf("Roster %d", i), Background: "x",
			Group: rapid.SampledFrom(groupNames).Draw(t, "roster group"),
			Role:  rapid.SampledFrom([]session.Role{session.Participant, session.Chair, session.Rapporteur}).Draw(t, "roster role"),
		})
	}
	return p
}

// replica is a client: the view of one viewer, kept current by the
// events that viewer is shown, as they arrive over the wire.
type replica struct {
	viewer session.Viewer
	state  *session.State
}

func (r *replica) apply(tb tester, e session.Event) {
	b, err := json.Marshal(session.EventMsg{Type: session.MsgEvent, Event: e})
	if err != nil {
		tb.Fatalf("encode event: %v", err)
	}
	var msg session.EventMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		tb.Fatalf("decode event %s: %v", b, err)
	}
	r.state.ApplyEvent(msg.Event)
}

// TestProperties applies random entries, valid and not, and checks:
//
//  1. two replicas that apply the same entries end in the same state,
//     one of them reading the entries back from encoded log messages as
//     a relay does;
//  2. a snapshot round trip loses nothing: the decoded state encodes to
//     the same bytes and goes on exactly as the original;
//  3. every viewer's client replica, built from View at the time the
//     viewer joined and kept current with the events the viewer is
//     shown, equals View of the new state after every entry;
//  4. the invariants of checkState, checkView and checkEvent.
func TestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := &propGen{t: t}
		a, b := session.New(), session.New()
		var c *session.State // restored from a snapshot of a
		snapAt := rapid.IntRange(0, 40).Draw(t, "snapshot at")
		replicas := map[string]*replica{}
		var viewers []session.Viewer
		// addViewers starts a replica for every new person: the roster
		// people of the plan from nothing plus the session.create event
		// (seen), people who join from the view at their joining.
		addViewers := func(seen []session.Event) {
			for _, id := range slices.Sorted(maps.Keys(a.People)) {
				if replicas[id] != nil {
					continue
				}
				v := session.ViewerOf(a.People[id])
				r := &replica{viewer: v, state: a.View(v)}
				if len(seen) > 0 {
					r.state = session.New().View(v)
					for _, ev := range seen {
						if shown, ok := checkEvent(t, a, ev, v); ok {
							r.apply(t, shown)
						}
					}
				}
				replicas[id] = r
				viewers = append(viewers, v)
			}
		}

		create := session.Entry{Op: session.NewOp("create", session.KindSessionCreate,
			session.SessionCreate{ID: "s1", Plan: propPlan(t), Codes: map[string]session.Grant{"h": {Role: session.Organizer}}})}
		batches := [][]session.Entry{{create}}
		steps := rapid.IntRange(1, 40).Draw(t, "batches")
		for step := 0; step <= steps; step++ {
			var batch []session.Entry
			if step == 0 {
				batch = batches[0]
			} else {
				for range rapid.IntRange(1, 4).Draw(t, "batch size") {
					batch = append(batch, g.entry(a))
				}
			}
			g.clock += rapid.IntRange(0, 90).Draw(t, "seconds on")
			msg := session.LogMessage{At: at(g.clock), Entries: batch}
			// b reads the entries back from the log message, as a relay.
			raw, err := json.Marshal(msg)
			if err != nil {
				t.Fatalf("encode log message: %v", err)
			}
			var logged session.LogMessage
			if err := json.Unmarshal(raw, &logged); err != nil {
				t.Fatalf("decode log message: %v", err)
			}
			if step == snapAt {
				c = roundTrip(t, a)
			}
			for k, e := range batch {
				e.At = msg.At
				le := logged.Entries[k]
				le.At = logged.At
				before := captureState(t, a)
				evs, err := a.Apply(e)
				evsB, errB := b.Apply(le)
				if fmt.Sprint(err) != fmt.Sprint(errB) || jsonOf(t, evs) != jsonOf(t, evsB) {
					t.Fatalf("Apply(%s) on replica b = %s, %v; want %s, %v", e.Op.Kind, jsonOf(t, evsB), errB, jsonOf(t, evs), err)
				}
				if c != nil {
					evsC, errC := c.Apply(e)
					if fmt.Sprint(err) != fmt.Sprint(errC) || jsonOf(t, evs) != jsonOf(t, evsC) {
						t.Fatalf("Apply(%s) on restored snapshot = %s, %v; want %s, %v", e.Op.Kind, jsonOf(t, evsC), errC, jsonOf(t, evs), err)
					}
				}
				checkApplied(t, a, e, before, evs, err)
				for _, ev := range evs {
					checkAudiences(t, ev, viewers)
					for _, v := range viewers {
						if shown, ok := checkEvent(t, a, ev, v); ok {
							replicas[v.ID].apply(t, shown)
						}
					}
				}
				if step == 0 {
					addViewers(evs)
				} else {
					addViewers(nil)
				}
				checkState(t, a)
				for _, v := range viewers {
					got := replicas[v.ID].state
					// Seq is the relay's position: a replica sees only
					// the seqs of the events it is shown, so it lags
					// behind the relay's count until its next event.
					got.Seq = a.Seq
					want := a.View(v)
					if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
						t.Fatalf("after %s: replica of %s = %s; want View %s", e.Op.Kind, v.ID, g, w)
					}
					checkView(t, a, v, want)
				}
			}
			g.sent = append(g.sent, batch...)
		}
		sa, sb := snapshotOf(t, a), snapshotOf(t, b)
		if !bytes.Equal(sa, sb) {
			t.Fatalf("replica b snapshot = %s; want %s", sb, sa)
		}
		if c != nil {
			if sc := snapshotOf(t, c); !bytes.Equal(sa, sc) {
				t.Fatalf("restored replica snapshot = %s; want %s", sc, sa)
			}
		}
		roundTrip(t, a)
	})
}

// roundTrip encodes s as a snapshot and decodes it, and fails unless the
// decoded state encodes to the same bytes.
func roundTrip(tb tester, s *session.State) *session.State {
	tb.Helper()
	b := snapshotOf(tb, s)
	c, err := session.UnmarshalSnapshot(b)
	if err != nil {
		tb.Fatalf("UnmarshalSnapshot: %v", err)
	}
	if b2 := snapshotOf(tb, c); !bytes.Equal(b, b2) {
		tb.Fatalf("snapshot after round trip = %s; want %s", b2, b)
	}
	return c
}

// stateOf is what checkApplied compares: the encoded state without the
// op outcomes, its seq, and how many outcomes it remembers.
type stateOf struct {
	state []byte
	seq   int64
	done  int
}

func captureState(tb tester, s *session.State) stateOf {
	tb.Helper()
	done := s.Done
	s.Done = nil
	b := snapshotOf(tb, s)
	s.Done = done
	return stateOf{state: b, seq: s.Seq, done: len(done)}
}

// checkApplied checks what Apply reported against the state: an applied
// op advanced the seq by one and is remembered; a refused op changed
// nothing but its remembered outcome; a refused vote for lack of budget
// had none left.
func checkApplied(tb tester, s *session.State, e session.Entry, before stateOf, evs []session.Event, err error) {
	tb.Helper()
	if err == nil {
		if len(evs) != 1 || evs[0].Seq != before.seq+1 || s.Seq != before.seq+1 || evs[0].Kind != e.Op.Kind {
			tb.Fatalf("Apply(%s) = %s at state seq %d; want one event with seq %d", e.Op.Kind, jsonOf(tb, evs), s.Seq, before.seq+1)
		}
		if o, ok := s.Outcome(e.By, e.Op.ID); !ok || o.Seq != s.Seq || o.Code != "" {
			tb.Fatalf("Outcome(%s) = %+v, %v; want seq %d", e.Op.ID, o, ok, s.Seq)
		}
		return
	}
	if len(evs) != 0 {
		tb.Fatalf("Apply(%s) = %v with events %s; want none", e.Op.Kind, err, jsonOf(tb, evs))
	}
	var r *session.Rejection
	if !errors.As(err, &r) && !errors.Is(err, session.ErrDuplicate) {
		tb.Fatalf("Apply(%s) = %v (%T); want a *Rejection or ErrDuplicate", e.Op.Kind, err, err)
	}
	remembered := 0
	if o, ok := s.Outcome(e.By, e.Op.ID); r != nil && ok {
		if o.Code != r.Code || o.Message != r.Message || o.Seq != 0 {
			tb.Fatalf("Outcome(%s) = %+v; want %s", e.Op.ID, o, r.Code)
		}
		remembered = 1
	}
	if r != nil && remembered == 0 && s.ID != "" && errors.Is(err, session.ErrForbidden) {
		tb.Fatalf("Apply(%s) = %v not remembered", e.Op.Kind, err)
	}
	after := captureState(tb, s)
	if after.done != before.done+remembered {
		tb.Fatalf("refused Apply(%s) = %v left %d outcomes; want %d", e.Op.Kind, err, after.done, before.done+remembered)
	}
	if !bytes.Equal(after.state, before.state) {
		tb.Fatalf("refused Apply(%s) = %v changed the state to %s; want %s", e.Op.Kind, err, after.state, before.state)
	}
	if e.Op.Kind == session.KindIdeaVote && errors.Is(err, session.ErrClosed) && strings.Contains(err.Error(), "no votes left") {
		var d session.IdeaRef
		json.Unmarshal(e.Op.Data, &d)
		q := s.Ideas[d.Idea].Question
		if used := s.VotesUsed(e.By, q); used < s.VotesPerPerson {
			tb.Fatalf("Apply(idea.vote) = %v with %d of %d votes used", err, used, s.VotesPerPerson)
		}
	}
}
