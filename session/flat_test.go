package session

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// flatTypes makes a fresh value of every type decodeFlat reads.
var flatTypes = []func() any{
	func() any { return &IdeaAdd{} }, func() any { return &IdeaEdit{} }, func() any { return &IdeaRef{} },
	func() any { return &IdeaMerge{} }, func() any { return &IdeaTheme{} },
	func() any { return &QuestionPose{} }, func() any { return &TimerStart{} },
	func() any { return &BroadcastData{} }, func() any { return &PersonOnline{} }, func() any { return &struct{}{} },
}

// FuzzFlatMatchesJSON checks the hand-written fast path against
// encoding/json, as apply uses it (strict, one value): whatever
// decodeFlat reads, encoding/json reads too, to the same value; and what
// it gives up on it leaves at the zero value.
func FuzzFlatMatchesJSON(f *testing.F) {
	for _, seed := range []string{
		`{"question":"q1","text":"Trains","anonymous":true}`,
		`{"question":"q1","text":"Trains","builds_on":"i3"}`,
		` { "idea" : "i1" , "text" : "new words" } `,
		`{"idea":"i1","on":false}`, `{"seconds":-120}`, `{"seconds":0123}`, `{"seconds":1e3}`,
		`{"question":"q2","text":"minutes","base":7}`, `{"person":"p1","online":true}`,
		`{}`, `{"text":"a\"b"}`, `{"Text":"case"}`, `{"text":"x","text":"y"}`, `{"text":null}`,
		`{"text":"x"} {}`, `{"seconds":999999999}`, `{"seconds":-0}`, `{"text":"é ü 日本"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !utf8.Valid(raw) {
			return // apply refuses it before either decoder
		}
		for _, mk := range flatTypes {
			fast, slow := mk(), mk()
			var buf [4]flatField
			fields := flatFields(fast, &buf)
			if fields == nil {
				t.Fatalf("flatFields(%T) = nil; the fast path does not read it", fast)
			}
			if !decodeFlat(raw, fields) {
				if !reflect.ValueOf(fast).Elem().IsZero() {
					t.Errorf("decodeFlat(%T, %q) gave up but left %+v", fast, raw, fast)
				}
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			err := dec.Decode(slow)
			if err == nil && len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
				t.Errorf("decodeFlat(%T) read %q, which holds more than one JSON value", fast, raw)
				continue
			}
			if err != nil {
				t.Errorf("decodeFlat(%T) read %q, which encoding/json refuses: %v", fast, raw, err)
				continue
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("decodeFlat(%T, %q) = %+v; encoding/json gives %+v", fast, raw, fast, slow)
			}
		}
	})
}
