package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestProtocolExamples reads every JSON example of docs/protocol.md, and
// every line of its transcript that is not cut short, with the decoders
// the relay and its clients use, strictly: an unknown field, a value of
// the wrong kind, an unknown op kind, code or role fails. Each message
// must also encode back to what the doc shows, so a field the relay
// would leave out, or spell otherwise, fails too.
func TestProtocolExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := protocolExamples(t, string(doc))
	if len(examples) < 60 {
		t.Fatalf("found %d examples in docs/protocol.md; want every one (60 or more)", len(examples))
	}
	t.Logf("%d examples", len(examples))
	seen := map[string]bool{}
	for _, ex := range examples {
		kind, err := checkExample(ex.raw)
		if err != nil {
			t.Errorf("docs/protocol.md:%d: %v\n%s", ex.line, err, ex.raw)
		}
		seen[kind] = true
	}
	// Every op kind is shown at least once, as an op and as its event.
	for _, k := range Kinds() {
		if !seen["op "+k] || !seen["event "+k] {
			t.Errorf("docs/protocol.md shows no op or no event of %s", k)
		}
	}
}

// TestProtocolExamplesCheckFails makes sure the check can fail: broken
// copies of good examples must not pass.
func TestProtocolExamplesCheckFails(t *testing.T) {
	for _, bad := range []string{
		`{"type":"op","id":"c-7","kind":"idea.add","data":{"question":"q1","txt":"More night trains"}}`,
		`{"type":"op","id":"c-7","kind":"idea.add","data":{"question":1,"text":"More night trains"}}`,
		`{"type":"op","id":"c-15","kind":"idea.pin","data":{"idea":"i7"}}`,
		`{"type":"op","id":"c-15","kind":"idea.paint","data":{"idea":"i7"}}`,
		`{"type":"event","seq":7,"at":"2026-11-29T09:07:00Z","kind":"idea.add","data":{"group":"Manzoni","ideas":[{"id":"i7","votes":3}]}}`,
		`{"type":"event","seq":"7","at":"2026-11-29T09:07:00Z","kind":"idea.add","data":{}}`,
		`{"type":"event","seq":7,"at":"2026-11-29T09:07:00Z","kind":"idea.add","data":{"group":"Manzoni","ideas":[{"id":"i7","locked":false}]}}`,
		`{"type":"event","seq":7,"at":"2026-11-29T09:07:00Z","kind":"group.lock","data":{"groups":[{"name":"M","current":"q1","locked":false}]}}`,
		`{"type":"welcome","session":"s1","you":{"id":"p5","name":"R","role":"guest"},"resume":"r","seq":1}`,
		`{"type":"reject","id":"c-1","code":"nope","message":"x"}`,
		`{"type":"error","code":"bad_code"}`,
		`{"type":"ack","id":"c-7","seq":7,"extra":1}`,
		`{"type":"hello","code":"x","name":"R","colour":"red"}`,
	} {
		if _, err := checkExample(bad); err == nil {
			t.Errorf("checkExample(%s) = nil; want an error", bad)
		}
	}
}

type example struct {
	line int
	raw  string
}

var cutShort = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// protocolExamples finds the JSON values of the doc's json blocks, and
// the messages of its transcript (lines starting with an arrow) that are
// not cut short with … outside a string.
func protocolExamples(t *testing.T, doc string) []example {
	var out []example
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		fence := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		start := i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
		}
		block := lines[start:i]
		switch fence {
		case "```json":
			dec := json.NewDecoder(strings.NewReader(strings.Join(block, "\n")))
			for {
				var v json.RawMessage
				err := dec.Decode(&v)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("docs/protocol.md:%d: a json block that is not JSON: %v", start, err)
					break
				}
				out = append(out, example{start, string(v)})
			}
		case "```":
			for k, l := range block {
				msg, ok := strings.CutPrefix(l, "→ ")
				if !ok {
					msg, ok = strings.CutPrefix(l, "← ")
				}
				if ok && !strings.Contains(cutShort.ReplaceAllString(msg, `""`), "…") {
					out = append(out, example{start + k + 1, msg})
				}
			}
		}
	}
	return out
}

// checkExample decodes one message of the doc strictly as what its type
// says, checks its values and that it encodes back the same. It returns
// "op KIND" or "event KIND" for ops and events.
func checkExample(raw string) (string, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(raw), &head); err != nil {
		return "", err
	}
	strict := func(v any) error {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	var msg any
	var what string
	switch head.Type {
	case MsgHello, MsgOp:
		m, err := DecodeClient([]byte(raw))
		if err != nil {
			return "", err
		}
		msg = m
		if op, ok := m.(*OpMsg); ok {
			what = "op " + op.Kind
			if err := checkOpID(op.ID); err != nil {
				return what, err
			}
			if err := checkOpData(op.Kind, op.Data); err != nil {
				return what, err
			}
		}
	case MsgWelcome:
		var w Welcome
		if err := strict(&w); err != nil {
			return "", err
		}
		msg = &w
		if !w.You.Role.Valid() || w.Session == "" || w.Resume == "" {
			return "", fmt.Errorf("welcome with role %q, session %q, resume %q", w.You.Role, w.Session, w.Resume)
		}
		for _, ev := range w.Events {
			if err := checkEvent(ev); err != nil {
				return "", err
			}
		}
		if s := w.Snapshot; s != nil {
			for _, p := range s.People {
				if !p.Role.Valid() {
					return "", fmt.Errorf("person %s has role %q", p.ID, p.Role)
				}
			}
		}
	case MsgEvent:
		var e EventMsg
		if err := strict(&e); err != nil {
			return "", err
		}
		msg, what = &e, "event "+e.Kind
		if err := checkEvent(e.Event); err != nil {
			return what, err
		}
	case MsgAck:
		msg = &Ack{}
	case MsgReject:
		var r Reject
		if err := strict(&r); err != nil {
			return "", err
		}
		msg = &r
		if !slices.Contains(rejectCodes, r.Code) || r.Message == "" {
			return "", fmt.Errorf("reject with code %q and message %q", r.Code, r.Message)
		}
	case MsgError:
		var e Error
		if err := strict(&e); err != nil {
			return "", err
		}
		msg = &e
		if !slices.Contains(errorCodes, e.Code) || e.Message == "" {
			return "", fmt.Errorf("error with code %q and message %q", e.Code, e.Message)
		}
	default:
		return "", fmt.Errorf("unknown type %q", head.Type)
	}
	if head.Type == MsgAck {
		if err := strict(msg); err != nil {
			return "", err
		}
	}
	return what, sameJSON(raw, msg)
}

var (
	rejectCodes = []Code{CodeForbidden, CodeInvalid, CodeNotFound, CodeClosed, CodeConflict, CodeRateLimited, CodeTooLarge}
	// errorCodes: the relay's own, "unavailable" of package relay, and
	// the rejection codes a refused join is answered with.
	errorCodes = []string{ErrCodeBadCode, ErrCodeBadToken, ErrCodeProtocol, ErrCodeTooMany, ErrCodeSlow,
		ErrCodeShutdown, ErrCodeInternal, "unavailable", "too_large",
		string(CodeInvalid), string(CodeNotFound), string(CodeForbidden)}
)

// checkOpData reads op data as Apply does, and refuses what it refuses
// before looking at the state.
func checkOpData(kind string, raw json.RawMessage) error {
	var v any
	switch kind {
	case KindIdeaAdd:
		v = &IdeaAdd{}
	case KindIdeaEdit:
		v = &IdeaEdit{}
	case KindIdeaRetract, KindIdeaVote, KindIdeaUnvote:
		v = &IdeaRef{}
	case KindIdeaPin, KindIdeaHide, KindIdeaKey:
		_, err := decodeFlag(kind, raw)
		return err
	case KindIdeaMerge:
		v = &IdeaMerge{}
	case KindIdeaTheme:
		v = &IdeaTheme{}
	case KindQuestionPose:
		v = &QuestionPose{}
	case KindGroupLock, KindGroupUnlock:
		v = &GroupRef{}
	case KindTimerStop, KindReportPub, KindTimerPause, KindTimerResume, KindClockStop:
		v = &struct{}{}
	case KindPhaseSet:
		v = &PhaseSet{}
	case KindPlenaryPresent:
		v = &PlenaryPresent{}
	case KindPlenaryFloor:
		v = &PlenaryFloor{}
	case KindPriorityVote, KindPriorityUnvote:
		v = &PriorityRef{}
	case KindClockStart:
		v = &ClockStart{}
	case KindSurveyOpen, KindSurveyClose:
		v = &SurveyRef{}
	case KindSurveyAnswer:
		v = &Answer{}
	case KindTimerStart, KindTimerExtend:
		v = &TimerStart{}
	case KindMinutesEdit, KindSummaryEdit, KindSynthesis, KindExecutiveEdit, KindRecommendationsEdit:
		v = &TextEdit{}
	case KindBroadcast:
		v = &BroadcastData{}
	case KindPlanEdit:
		v = &PlanEdit{}
	case KindPersonRemove:
		v = &PersonRemove{}
	case KindThemeCreate:
		v = &ThemeCreate{}
	case KindThemeRename:
		v = &ThemeRename{}
	case KindThemeMerge:
		v = &ThemeMerge{}
	case KindThemeSplit:
		v = &ThemeSplit{}
	case KindThemeDismiss:
		v = &ThemeRef{}
	case KindThemeMove:
		v = &ThemeMove{}
	case KindSuggestionDismiss:
		v = &SuggestionDismiss{}
	case KindRecommendationAdd:
		v = &RecommendationAdd{}
	case KindRecommendationEdit:
		v = &RecommendationEdit{}
	case KindRecommendationRemove:
		v = &RecommendationRef{}
	default:
		return fmt.Errorf("unknown op kind %q", kind)
	}
	return decode(raw, v)
}

func checkEvent(e Event) error {
	switch {
	case slices.Contains(Kinds(), e.Kind), e.Kind == KindSessionCreate, e.Kind == KindPersonJoin, e.Kind == KindPersonOnline:
	default:
		return fmt.Errorf("event of unknown kind %q", e.Kind)
	}
	if e.Seq < 1 || e.At.IsZero() {
		return fmt.Errorf("event %s with seq %d at %v", e.Kind, e.Seq, e.At)
	}
	for _, p := range e.Data.People {
		if !p.Role.Valid() {
			return fmt.Errorf("person %s has role %q", p.ID, p.Role)
		}
	}
	return nil
}

// sameJSON reports whether msg encodes to the same JSON value as raw.
func sameJSON(raw string, msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	var want, got any
	if err := json.Unmarshal([]byte(raw), &want); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &got); err != nil {
		return err
	}
	if !reflect.DeepEqual(want, got) {
		return errors.New("encodes back as " + string(bytes.TrimSpace(b)))
	}
	return nil
}
