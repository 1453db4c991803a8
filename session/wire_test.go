package session_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

func TestDecodeClient(t *testing.T) {
	nest := func(n int) string {
		return `{"type":"op","id":"o1","kind":"idea.add","data":` + strings.Repeat(`{"a":`, n-1) + "1" + strings.Repeat("}", n-1) + "}"
	}
	tests := []struct {
		name  string
		frame string
		want  any // nil: an error
	}{
		{"hello", `{"type":"hello","code":"ABCD-EFGH","name":"Ann","background":"Rail"}`,
			&session.Hello{Type: "hello", Code: "ABCD-EFGH", Name: "Ann", Background: "Rail"}},
		{"resume", `{"type":"hello","resume":"tok","since":42}`,
			&session.Hello{Type: "hello", Resume: "tok", Since: 42}},
		{"op", `{"type":"op","id":"o1","kind":"idea.add","data":{"question":"q1","text":"Trains"}}`,
			&session.OpMsg{Type: "op", ID: "o1", Kind: "idea.add", Data: json.RawMessage(`{"question":"q1","text":"Trains"}`)}},
		{"op without data", `{"type":"op","id":"o2","kind":"group.lock"}`,
			&session.OpMsg{Type: "op", ID: "o2", Kind: "group.lock"}},
		{"whitespace", " {\"type\" : \"op\", \"id\":\"o3\",\"kind\":\"timer.stop\",\"data\":{}}\n",
			&session.OpMsg{Type: "op", ID: "o3", Kind: "timer.stop", Data: json.RawMessage(`{}`)}},
		{"nested 16", nest(16), &session.OpMsg{Type: "op", ID: "o1", Kind: "idea.add",
			Data: json.RawMessage(strings.Repeat(`{"a":`, 15) + "1" + strings.Repeat("}", 15))}},
		{"brackets in strings", `{"type":"hello","name":"` + strings.Repeat("{[", 20) + `\"` + `"}`,
			&session.Hello{Type: "hello", Name: strings.Repeat("{[", 20) + `"`}},
		{"nested 17", nest(17), nil},
		{"nested arrays", `{"type":"hello","name":"x"` + strings.Repeat(",\"a\":[", 1) + strings.Repeat("[", 16) + strings.Repeat("]", 17) + "}", nil},
		{"unknown type", `{"type":"welcome"}`, nil},
		{"no type", `{"code":"x"}`, nil},
		{"unknown field", `{"type":"hello","code":"x","colour":"red"}`, nil},
		{"invalid UTF-8", "{\"type\":\"hello\",\"name\":\"\xff\"}", nil},
		{"data array", `{"type":"op","id":"o1","kind":"idea.add","data":[1]}`, nil},
		{"data null", `{"type":"op","id":"o1","kind":"idea.add","data":null}`, nil},
		{"data string", `{"type":"op","id":"o1","kind":"idea.add","data":"x"}`, nil},
		{"two values", `{"type":"hello"}{"type":"hello"}`, nil},
		{"not JSON", `hello`, nil},
		{"array", `[{"type":"hello"}]`, nil},
		{"empty", ``, nil},
		{"wrong field type", `{"type":"hello","since":"42"}`, nil},
	}
	for _, tt := range tests {
		got, err := session.DecodeClient([]byte(tt.frame))
		if tt.want == nil {
			if err == nil || !errors.Is(err, session.ErrMessage) {
				t.Errorf("DecodeClient(%s) = %#v, %v; want an ErrMessage", tt.name, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeClient(%s) = %#v, %v; want %#v", tt.name, got, err, tt.want)
		}
	}
	m, _ := session.DecodeClient([]byte(`{"type":"op","id":"o1","kind":"idea.vote","data":{"idea":"i7"}}`))
	if op := m.(*session.OpMsg).Op(); op.ID != "o1" || op.Kind != session.KindIdeaVote || string(op.Data) != `{"idea":"i7"}` {
		t.Errorf("OpMsg.Op() = %+v; want o1 idea.vote", op)
	}
}

// TestWireShapes pins the JSON of the relay's messages, as
// docs/protocol.md shows them.
func TestWireShapes(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		msg  any
		want string
	}{
		{session.Ack{Type: session.MsgAck, ID: "o1", Seq: 42}, `{"type":"ack","id":"o1","seq":42}`},
		{session.Reject{Type: session.MsgReject, ID: "o2", Code: session.CodeClosed, Message: "the room is locked by the chair"},
			`{"type":"reject","id":"o2","code":"closed","message":"the room is locked by the chair"}`},
		{session.Error{Type: session.MsgError, Code: session.ErrCodeBadCode, Message: "unknown join code"},
			`{"type":"error","code":"bad_code","message":"unknown join code"}`},
		{session.EventMsg{Type: session.MsgEvent, Event: session.Event{Seq: 7, At: at, By: "p3", Kind: session.KindGroupLock,
			Data: session.EventData{Group: "Verdi", Groups: []*session.Group{{Name: "Verdi", Current: "q1", Locked: true}}}}},
			`{"type":"event","seq":7,"at":"2026-11-29T09:30:00Z","by":"p3","kind":"group.lock","data":{"group":"Verdi","groups":[{"name":"Verdi","current":"q1","locked":true}]}}`},
		{session.Welcome{Type: session.MsgWelcome, Session: "s1", You: session.You{ID: "p3", Name: "Ann", Role: session.Chair, Group: "Verdi"},
			Resume: "tok", Seq: 7, Events: []session.Event{{Seq: 7, At: at, Kind: session.KindPersonOnline}}},
			`{"type":"welcome","session":"s1","you":{"id":"p3","name":"Ann","role":"chair","group":"Verdi"},"resume":"tok","seq":7,"events":[{"seq":7,"at":"2026-11-29T09:30:00Z","kind":"person.online","data":{}}]}`},
	}
	for _, tt := range tests {
		if got := jsonOf(t, tt.msg); got != tt.want {
			t.Errorf("json(%T) = %s; want %s", tt.msg, got, tt.want)
		}
	}
}

func TestRejection(t *testing.T) {
	f := newFixture(t)
	_, err := f.apply("Manzoni/participant", session.KindGroupLock, struct{}{})
	var r *session.Rejection
	if !errors.As(err, &r) || r.Code != session.CodeForbidden || r.Message != "a participant may not lock the room" {
		t.Errorf("Apply(group.lock by participant) = %v; want a forbidden rejection saying who may not do what", err)
	}
	if got, want := err.Error(), "apply group.lock: forbidden: a participant may not lock the room"; got != want {
		t.Errorf("Apply(group.lock by participant) = %q; want %q", got, want)
	}
	for _, other := range []error{session.ErrInvalid, session.ErrClosed, session.ErrNotFound, session.ErrConflict, session.ErrDuplicate} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(%v, %v) = true; want false", err, other)
		}
	}
}
