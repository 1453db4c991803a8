package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"breakout/session"
)

func FuzzDecodeClient(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","code":"ABCD-EFGH","name":"Ann","background":"Rail"}`,
		`{"type":"hello","resume":"tok","since":42}`,
		`{"type":"op","id":"o1","kind":"idea.add","data":{"question":"q1","text":"Trains","anonymous":true}}`,
		`{"type":"op","id":"o2","kind":"group.lock"}`,
		`{"type":"op","id":"o3","kind":"x","data":{ "a" : [1, {"b": "<\u2028>"}] }}`,
		`{"type":"op","id":"o1","kind":"idea.add","data":[1]}`,
		`{"TYPE":"hello","Name":"case"}`,
		`{"type":"hello","type":"op","id":"x"}`,
		`{"type":"hello"}{"type":"hello"}`,
		"{\"type\":\"hello\",\"name\":\"\xff\"}",
		`{"type":"op","data":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}}}}}}}}}`,
		`"}{"`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		msg, err := session.DecodeClient(frame)
		if err != nil {
			if !errors.Is(err, session.ErrMessage) {
				t.Fatalf("DecodeClient(%q) = %v; want an ErrMessage", frame, err)
			}
			return
		}
		switch m := msg.(type) {
		case *session.Hello:
			if m.Type != session.MsgHello {
				t.Fatalf("DecodeClient(%q) = hello of type %q", frame, m.Type)
			}
		case *session.OpMsg:
			if m.Type != session.MsgOp || len(m.Data) > 0 && m.Data[0] != '{' {
				t.Fatalf("DecodeClient(%q) = op %+v; want type op and object data", frame, m)
			}
		default:
			t.Fatalf("DecodeClient(%q) = %T; want *Hello or *OpMsg", frame, msg)
		}
		// A decoded message re-encodes to a frame that decodes to the
		// same message.
		b, err := json.Marshal(msg)
		if err != nil {
			t.Fatalf("encode %#v: %v", msg, err)
		}
		again, err := session.DecodeClient(b)
		if err != nil {
			t.Fatalf("DecodeClient(%s) of re-encoded %q = %v; want no error", b, frame, err)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("re-encoded %q decodes to %s; want %s", frame, b2, b)
		}
	})
}

// fuzzKinds are the op kinds FuzzApply picks from by index.
var fuzzKinds = append(session.Kinds(), session.KindSessionCreate, session.KindPersonJoin, session.KindPersonOnline, "idea.bogus")

// fuzzOps reads a fuzz input as ops for state s, one record at a time:
// a kind index, an actor index (into the sorted person ids, then the
// relay), a mode byte and two parameters. A mode of 0xf0 and above
// sends the next p1 bytes as raw op data instead of data built from the
// parameters; a lower mode that is a multiple of 16 retries an earlier
// op.
type fuzzOps struct {
	in   []byte
	n    int
	sent []session.Entry
}

func (z *fuzzOps) byte() (byte, bool) {
	if len(z.in) == 0 {
		return 0, false
	}
	b := z.in[0]
	z.in = z.in[1:]
	return b, true
}

func (z *fuzzOps) next(s *session.State) (session.Entry, bool) {
	var rec [5]byte
	for i := range rec {
		b, ok := z.byte()
		if !ok {
			return session.Entry{}, false
		}
		rec[i] = b
	}
	kind := fuzzKinds[int(rec[0])%len(fuzzKinds)]
	people := slices.Sorted(maps.Keys(s.People))
	by := ""
	if k := int(rec[1]) % (len(people) + 1); k < len(people) {
		by = people[k]
	}
	mode, p1, p2 := rec[2], rec[3], rec[4]
	if mode < 0xf0 && mode%16 == 0 && len(z.sent) > 0 {
		return z.sent[int(p1)%len(z.sent)], true
	}
	z.n++
	id := fmt.Sprintf("f%d", z.n)
	var op session.Op
	if mode >= 0xf0 {
		n := min(int(p1), len(z.in))
		op = session.Op{ID: id, Kind: kind, Data: slices.Clone(z.in[:n])}
		z.in = z.in[n:]
	} else {
		op = rawOp(id, kind, fuzzData(s, kind, by, p1, p2))
	}
	e := session.Entry{Op: op, By: by}
	z.sent = append(z.sent, e)
	return e, true
}

// fuzzData builds data for an op of kind from two parameter bytes.
func fuzzData(s *session.State, kind, by string, p1, p2 byte) any {
	ideas := append(slices.Sorted(maps.Keys(s.Ideas)), "i999")
	idea := ideas[int(p1)%len(ideas)]
	into := ideas[int(p2)%len(ideas)]
	questions := []string{"q9"}
	for _, q := range s.Questions {
		questions = append(questions, q.ID)
	}
	question := questions[int(p1)%len(questions)]
	if p := s.People[by]; p != nil && p1%2 == 0 {
		if g := s.Group(p.Group); g != nil {
			question = g.Current
		}
	}
	text := propTexts[int(p2)%len(propTexts)]
	on := p2%2 == 1
	switch kind {
	case session.KindIdeaAdd:
		d := session.IdeaAdd{Question: question, Text: text, Anonymous: on}
		if p2%3 == 0 {
			d.BuildsOn = into
		}
		return d
	case session.KindIdeaEdit:
		return session.IdeaEdit{Idea: idea, Text: text}
	case session.KindIdeaRetract, session.KindIdeaVote, session.KindIdeaUnvote:
		return session.IdeaRef{Idea: idea}
	case session.KindIdeaPin, session.KindIdeaHide, session.KindIdeaKey:
		return session.IdeaFlag{Idea: idea, On: on}
	case session.KindIdeaMerge:
		return session.IdeaMerge{Idea: idea, Into: into}
	case session.KindIdeaTheme:
		return session.IdeaTheme{Idea: idea, Theme: text}
	case session.KindQuestionPose:
		return session.QuestionPose{Question: question}
	case session.KindTimerStart, session.KindTimerExtend:
		return session.TimerStart{Seconds: []int{0, 60, 600, -1, 86400, 86401}[int(p2)%6]}
	case session.KindMinutesEdit, session.KindSummaryEdit, session.KindSynthesis:
		d := session.TextEdit{Question: question, Text: text}
		if p1%5 != 4 {
			d.Base = session.BaseOf(int(p1 % 5))
		}
		if p2%7 == 6 {
			d.Text, d.Restore = "", int(p1%3)+1
		}
		return d
	case session.KindBroadcast:
		return session.BroadcastData{Text: text}
	case session.KindPlanEdit:
		d := session.PlanEdit{}
		if on {
			d.Title = text
		}
		if p1%3 > 0 {
			for _, q := range s.Questions {
				d.Questions = append(d.Questions, session.PlanQuestion{Text: q.Text + "?"})
			}
			if p1%3 == 2 {
				d.Questions = append(d.Questions, session.PlanQuestion{Text: text})
			}
		}
		return d
	case session.KindSessionCreate:
		return session.SessionCreate{ID: "again", Plan: samplePlan()}
	case session.KindPersonJoin:
		roles := []session.Role{session.Participant, session.Chair, session.Rapporteur, session.Organizer, "king"}
		groups := append(slices.Clone(groupNames), "", "Puccini")
		d := session.PersonJoin{Name: fmt.Sprintf("joiner %d", p1), Role: roles[int(p1)%len(roles)],
			Group: groups[int(p2)%len(groups)], TokenHash: "h"}
		if p2%7 == 0 {
			d.Name = text
		}
		return d
	case session.KindPersonOnline:
		people := append(slices.Sorted(maps.Keys(s.People)), "p999")
		return session.PersonOnline{Person: people[int(p1)%len(people)], Online: on}
	}
	return struct{}{}
}

// fuzzRecord builds one FuzzApply record for the seed corpus.
func fuzzRecord(f *fixture, kind, who string, mode, p1, p2 byte) []byte {
	k := slices.Index(fuzzKinds, kind)
	people := slices.Sorted(maps.Keys(f.s.People))
	a := len(people) // the relay
	if who != "" {
		a = slices.Index(people, f.id(who))
	}
	return []byte{byte(k), byte(a), mode, p1, p2}
}

func FuzzApply(f *testing.F) {
	fx := newFixture(f)
	rec := func(kind, who string, p1, p2 byte) []byte { return fuzzRecord(fx, kind, who, 1, p1, p2) }
	// Parameters pick ideas from the sorted idea ids and "i999", so 0
	// is the first idea an input adds.
	raw := []byte(`{"question":"q1","text":"raw"}`)
	f.Add(slices.Concat(
		rec(session.KindIdeaAdd, "Manzoni/participant", 0, 1),
		rec(session.KindIdeaAdd, "Manzoni/participant2", 0, 2),
		rec(session.KindIdeaVote, "Manzoni/chair", 0, 0),
		rec(session.KindIdeaVote, "Manzoni/participant", 1, 0),
		rec(session.KindIdeaVote, "Manzoni/participant2", 0, 0),
		rec(session.KindIdeaMerge, "Manzoni/chair", 0, 1),
		rec(session.KindIdeaUnvote, "Manzoni/chair", 1, 0),
		rec(session.KindIdeaPin, "Manzoni/chair", 1, 1),
		rec(session.KindIdeaKey, "Manzoni/rapporteur", 1, 1),
		rec(session.KindIdeaTheme, "Manzoni/rapporteur", 1, 0),
		rec(session.KindIdeaHide, "Manzoni/chair", 1, 1),
		rec(session.KindIdeaRetract, "Manzoni/participant2", 1, 0),
	))
	f.Add(slices.Concat(
		rec(session.KindGroupLock, "Verdi/chair", 0, 0),
		rec(session.KindIdeaAdd, "Verdi/participant", 0, 1),
		rec(session.KindGroupUnlock, "Verdi/chair", 0, 0),
		rec(session.KindIdeaAdd, "Verdi/participant", 0, 4),
		rec(session.KindIdeaEdit, "Verdi/participant", 0, 3),
		rec(session.KindIdeaEdit, "Verdi/participant", 0, 2),
		rec(session.KindQuestionPose, "Verdi/chair", 3, 0),
		rec(session.KindTimerStart, "Verdi/chair", 0, 1),
		rec(session.KindTimerExtend, "Verdi/chair", 0, 2),
		rec(session.KindTimerPause, "Verdi/chair", 0, 0),
		rec(session.KindQuestionPose, "Verdi/chair", 1, 0),
		rec(session.KindQuestionPose, "Verdi/chair", 3, 0),
		rec(session.KindTimerResume, "Verdi/chair", 0, 0),
		rec(session.KindTimerStop, "Verdi/chair", 0, 0),
		rec(session.KindIdeaAdd, "Verdi/participant", 0, 2),
	))
	f.Add(slices.Concat(
		rec(session.KindMinutesEdit, "Rossini/rapporteur", 0, 0),
		rec(session.KindMinutesEdit, "Rossini/rapporteur", 1, 1),
		rec(session.KindSummaryEdit, "Rossini/rapporteur", 0, 2),
		rec(session.KindSynthesis, "organizer", 0, 0),
		rec(session.KindBroadcast, "organizer", 0, 1),
		rec(session.KindPlanEdit, "organizer", 2, 0),
		rec(session.KindReportPub, "Rossini/rapporteur", 0, 0),
		rec(session.KindPersonJoin, "", 1, 1),
		rec(session.KindPersonOnline, "", 1, 1),
		rec(session.KindPersonJoin, "Rossini/chair", 0, 0),
		rec(session.KindSessionCreate, "", 0, 0),
	))
	f.Add(slices.Concat(
		rec(session.KindIdeaAdd, "Manzoni/participant", 0, 7),
		fuzzRecord(fx, session.KindIdeaAdd, "Manzoni/participant", 0xf0, byte(len(raw)), 0), raw,
		fuzzRecord(fx, session.KindIdeaAdd, "Manzoni/participant", 0, 1, 0), // a retry
		fuzzRecord(fx, session.KindIdeaVote, "Manzoni/participant", 0xf1, 5, 0), []byte("{\"\xff\"}"),
		rec(session.KindIdeaAdd, "Manzoni/participant", 0, 1),
	))
	f.Fuzz(func(t *testing.T, in []byte) {
		fx := newFixture(t)
		replay := newFixture(t)
		z := &fuzzOps{in: in}
		var viewers []session.Viewer
		replicas := map[string]*session.State{}
		for id, p := range fx.s.People {
			v := session.ViewerOf(p)
			viewers = append(viewers, v)
			replicas[id] = fx.s.View(v)
		}
		for step := 0; step < 64; step++ {
			e, ok := z.next(fx.s)
			if !ok {
				break
			}
			e.At = at(1000 + step*7)
			before := captureState(t, fx.s)
			evs, err := fx.s.Apply(e)
			checkApplied(t, fx.s, e, before, evs, err)
			checkState(t, fx.s)
			if _, err2 := replay.s.Apply(e); fmt.Sprint(err) != fmt.Sprint(err2) {
				t.Fatalf("Apply(%s) on a second replica = %v; want %v", e.Op.Kind, err2, err)
			}
			for _, ev := range evs {
				checkAudiences(t, ev, viewers)
				for _, v := range viewers {
					if shown, ok := checkEvent(t, fx.s, ev, v); ok {
						replicas[v.ID].ApplyEvent(shown)
					}
				}
			}
			for id, p := range fx.s.People {
				if replicas[id] == nil {
					v := session.ViewerOf(p)
					viewers = append(viewers, v)
					replicas[id] = fx.s.View(v)
				}
			}
		}
		for _, v := range viewers {
			view := fx.s.View(v)
			checkView(t, fx.s, v, view)
			r := replicas[v.ID]
			r.Seq = fx.s.Seq // a replica sees only the seqs of its events
			if got, want := jsonOf(t, r), jsonOf(t, view); got != want {
				t.Fatalf("replica of %s = %s; want View %s", v.ID, got, want)
			}
		}
		if a, b := snapshotOf(t, fx.s), snapshotOf(t, replay.s); !bytes.Equal(a, b) {
			t.Fatalf("second replica = %s; want %s", b, a)
		}
		roundTrip(t, fx.s)
	})
}
