package relay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"breakout/session"
)

// The hand-written encoders must write exactly what encoding/json
// writes, for any event and log message, or leave it to encoding/json.
func TestFramesAgreeWithEncodingJSON(t *testing.T) {
	str := rapid.OneOf(
		rapid.String(),
		rapid.StringMatching(`[a-z0-9 <>&"\\\t\n\x00\x1f\x7f\x{2028}\x{2029}é—]{0,12}`),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 8), func(b []byte) string { return string(b) }), // invalid UTF-8 too
	)
	maybe := func(rt *rapid.T, label string) string {
		if rapid.Bool().Draw(rt, label+"?") {
			return str.Draw(rt, label)
		}
		return ""
	}
	tm := func(rt *rapid.T, label string) time.Time {
		t := time.Unix(rapid.Int64Range(-62135596800-86400, 253402300799+86400).Draw(rt, label+"s"),
			rapid.Int64Range(0, 999999999).Draw(rt, label+"ns"))
		switch rapid.IntRange(0, 5).Draw(rt, label+"zone") {
		case 0:
			return t.In(time.FixedZone("x", rapid.IntRange(-50000, 50000).Draw(rt, label+"off")))
		case 1:
			return t.Truncate(time.Millisecond).UTC()
		case 2:
			return time.Time{}
		}
		return t.UTC()
	}
	idea := func(rt *rapid.T) *session.Idea {
		if rapid.IntRange(0, 9).Draw(rt, "nil idea") == 0 {
			return nil
		}
		i := &session.Idea{ID: str.Draw(rt, "id"), Group: maybe(rt, "group"), Question: str.Draw(rt, "q"),
			Author: maybe(rt, "author"), Anonymous: rapid.Bool().Draw(rt, "anon"), Text: str.Draw(rt, "text"),
			Created: tm(rt, "created"), Retracted: rapid.Bool().Draw(rt, "retracted"), Hidden: rapid.Bool().Draw(rt, "hidden"),
			Pinned: rapid.Bool().Draw(rt, "pinned"), Key: rapid.Bool().Draw(rt, "key"), Theme: maybe(rt, "theme"),
			BuildsOn: maybe(rt, "builds"), MergedInto: maybe(rt, "merged"), Mine: rapid.Bool().Draw(rt, "mine")}
		if rapid.Bool().Draw(rt, "edited?") {
			i.Edited = tm(rt, "edited")
		}
		switch rapid.IntRange(0, 2).Draw(rt, "voters?") {
		case 1:
			i.Voters = []string{}
		case 2:
			i.Voters = rapid.SliceOfN(str, 1, 4).Draw(rt, "voters")
		}
		return i
	}
	rapid.Check(t, func(rt *rapid.T) {
		ev := session.Event{Seq: rapid.Int64().Draw(rt, "seq"), At: tm(rt, "at"), By: maybe(rt, "by"), Kind: str.Draw(rt, "kind")}
		ev.Data.Group, ev.Data.Idea = maybe(rt, "dgroup"), maybe(rt, "didea")
		ev.Data.Public = rapid.Bool().Draw(rt, "public")
		for range rapid.IntRange(0, 3).Draw(rt, "ideas") {
			ev.Data.Ideas = append(ev.Data.Ideas, idea(rt))
		}
		if rapid.Bool().Draw(rt, "drop?") {
			ev.Data.Drop = rapid.SliceOfN(str, 0, 3).Draw(rt, "drop")
		}
		switch rapid.IntRange(0, 5).Draw(rt, "other") { // a field left to encoding/json
		case 1:
			ev.Data.People = []*session.Person{{ID: "p1", Name: str.Draw(rt, "name")}}
		case 2:
			ev.Data.Broadcast = &session.Broadcast{}
		}
		want, err := json.Marshal(session.EventMsg{Type: session.MsgEvent, Event: ev})
		if got, ok := appendEventFrame(nil, ev); ok && (err != nil || !bytes.Equal(got, want)) {
			rt.Fatalf("appendEventFrame = %s\nencoding/json: %s, %v", got, want, err)
		}
		if err == nil && !bytes.Equal(eventFrame(ev), want) {
			rt.Fatalf("eventFrame = %s\nencoding/json: %s", eventFrame(ev), want)
		}

		lm := session.LogMessage{At: tm(rt, "lmat")}
		if rapid.Bool().Draw(rt, "entries?") {
			lm.Entries = []session.Entry{}
		}
		for range rapid.IntRange(0, 3).Draw(rt, "entries") {
			e := session.Entry{By: maybe(rt, "eby"), Op: session.Op{ID: str.Draw(rt, "opid"), Kind: str.Draw(rt, "opkind")}}
			switch rapid.IntRange(0, 3).Draw(rt, "data") {
			case 1:
				e.Op.Data, _ = json.Marshal(map[string]any{"text": str.Draw(rt, "dtext"), "n": rapid.Int().Draw(rt, "dn")})
			case 2:
				e.Op.Data, _ = json.MarshalIndent(map[string]any{"text": str.Draw(rt, "dtext")}, "", " ")
			case 3:
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.Encode([]string{str.Draw(rt, "dtext")})
				e.Op.Data = bytes.TrimSpace(buf.Bytes())
			}
			lm.Entries = append(lm.Entries, e)
		}
		want, err = json.Marshal(lm)
		if got, ok := appendLogMessage(nil, lm); ok && (err != nil || !bytes.Equal(got, want)) {
			rt.Fatalf("appendLogMessage = %s\nencoding/json: %s, %v", got, want, err)
		}
		if err == nil && !bytes.Equal(logMessage(lm), want) {
			rt.Fatalf("logMessage = %s\nencoding/json: %s", logMessage(lm), want)
		}
	})
}

// The encoders know every field of the types they write; a field added
// to one of them must be added to them too (or to the fields they leave
// to encoding/json), and to this list.
func TestFrameFieldsKnown(t *testing.T) {
	for _, c := range []struct {
		v    any
		want []string
	}{
		{session.Event{}, []string{"Seq", "At", "By", "Kind", "Data"}},
		{session.EventMsg{}, []string{"Type", "Event"}},
		{session.EventData{}, []string{"Group", "Idea", "Session", "Groups", "People", "Ideas", "Texts", "Broadcast",
			"Themes", "Recommendations", "Dismissed", "Public", "Plenary", "Clock", "Priority", "Survey", "Answers", "Drop"}},
		{session.Idea{}, []string{"ID", "Group", "Question", "Author", "Anonymous", "Text", "Created", "Edited", "Retracted",
			"Hidden", "Pinned", "Key", "Theme", "Voters", "BuildsOn", "MergedInto", "Mine"}},
		{session.LogMessage{}, []string{"At", "Entries"}},
		{session.Entry{}, []string{"Op", "By", "At"}},
		{session.Op{}, []string{"ID", "Kind", "Data"}},
	} {
		typ := reflect.TypeOf(c.v)
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s has fields %v; the frame encoders know %v", typ, got, c.want)
		}
	}
}

// BenchmarkEventFrame encodes an idea.add event's frame: by hand, as the
// fan-out now does, and with encoding/json.
func BenchmarkEventFrame(b *testing.B) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123000000, time.UTC)
	ev := session.Event{Seq: 4711, At: at, By: "p12", Kind: session.KindIdeaAdd, Data: session.EventData{Group: "Manzoni", Idea: "i812",
		Ideas: []*session.Idea{{ID: "i812", Group: "Manzoni", Question: "q1", Author: "p12", Created: at,
			Text: "#b12345# a shared idea board per question, with votes and a short summary at the end"}}}}
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eventFrame(ev)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mustJSON(session.EventMsg{Type: session.MsgEvent, Event: ev})
		}
	})
}

// BenchmarkLogMessage encodes a log message of one op, as the appender
// does for each append at a conference's rate: by hand and with
// encoding/json.
func BenchmarkLogMessage(b *testing.B) {
	lm := session.LogMessage{At: time.Date(2026, 12, 2, 10, 0, 0, 123000000, time.UTC), Entries: []session.Entry{{By: "p12",
		Op: session.Op{ID: "op-7f3a9c", Kind: session.KindIdeaAdd, Data: benchOpData}}}}
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			logMessage(lm)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mustJSON(lm)
		}
	})
}
