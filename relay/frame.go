package relay

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"breakout/session"
)

// The relay encodes two things for every op: the log message the
// appender writes, and the event frame it fans out, once per audience.
// encoding/json by reflection was most of the fan-out's CPU; these
// encoders write the same bytes by hand for the shapes that come by the
// thousand (a log message of ops, an event about ideas), and leave every
// other shape to encoding/json. TestFramesAgreeWithEncodingJSON checks
// them against it, and TestFrameFieldsKnown fails when a field is added
// to a type they write, so that they are extended with it.

// eventFrame returns an event's frame, as mustJSON(session.EventMsg)
// would.
func eventFrame(ev session.Event) []byte {
	if b, ok := appendEventFrame(make([]byte, 0, 512), ev); ok {
		return b
	}
	return mustJSON(session.EventMsg{Type: session.MsgEvent, Event: ev})
}

// logMessage returns a log message's JSON, as mustJSON would.
func logMessage(lm session.LogMessage) []byte {
	size := 64
	for _, e := range lm.Entries {
		size += len(e.Op.Data) + len(e.Op.ID) + len(e.Op.Kind) + len(e.By) + 40
	}
	if b, ok := appendLogMessage(make([]byte, 0, size), lm); ok {
		return b
	}
	return mustJSON(lm)
}

// appendLogMessage appends lm's JSON; ok is false for a message it
// leaves to encoding/json (op data not in its canonical form).
func appendLogMessage(b []byte, lm session.LogMessage) (_ []byte, ok bool) {
	b = append(b, `{"at":`...)
	if b, ok = appendTime(b, lm.At); !ok {
		return b, false
	}
	b = append(b, `,"entries":`...)
	if lm.Entries == nil {
		return append(b, "null}"...), true
	}
	b = append(b, '[')
	for i, e := range lm.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"op":{"id":`...)
		b = appendString(b, e.Op.ID)
		b = append(b, `,"kind":`...)
		b = appendString(b, e.Op.Kind)
		if len(e.Op.Data) > 0 {
			// encoding/json compacts raw data and escapes <, > and &
			// in it: data already in that form is copied as it is.
			if !canonicalJSON(e.Op.Data) || !json.Valid(e.Op.Data) {
				return b, false
			}
			b = append(b, `,"data":`...)
			b = append(b, e.Op.Data...)
		}
		b = append(b, '}')
		if e.By != "" {
			b = append(b, `,"by":`...)
			b = appendString(b, e.By)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), true
}

// appendEventFrame appends ev's frame; ok is false for an event whose
// data it leaves to encoding/json (anything but ideas).
func appendEventFrame(b []byte, ev session.Event) (_ []byte, ok bool) {
	d := &ev.Data
	if d.Session != nil || len(d.Groups) > 0 || len(d.People) > 0 || len(d.Texts) > 0 || d.Broadcast != nil ||
		len(d.Themes) > 0 || len(d.Recommendations) > 0 || d.Dismissed != nil || d.Plenary != nil || d.Clock != nil ||
		d.Priority != nil || len(d.Survey) > 0 || len(d.Answers) > 0 {
		return b, false
	}
	b = append(b, `{"type":"event","seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"at":`...)
	if b, ok = appendTime(b, ev.At); !ok {
		return b, false
	}
	if ev.By != "" {
		b = append(b, `,"by":`...)
		b = appendString(b, ev.By)
	}
	b = append(b, `,"kind":`...)
	b = appendString(b, ev.Kind)
	b = append(b, `,"data":{`...)
	n0 := len(b)
	comma := func() {
		if len(b) > n0 {
			b = append(b, ',')
		}
	}
	if d.Group != "" {
		comma()
		b = append(b, `"group":`...)
		b = appendString(b, d.Group)
	}
	if d.Idea != "" {
		comma()
		b = append(b, `"idea":`...)
		b = appendString(b, d.Idea)
	}
	if len(d.Ideas) > 0 {
		comma()
		b = append(b, `"ideas":[`...)
		for i, idea := range d.Ideas {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendIdea(b, idea); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	if d.Public {
		comma()
		b = append(b, `"public":true`...)
	}
	if len(d.Drop) > 0 {
		comma()
		b = append(b, `"drop":`...)
		b = appendStrings(b, d.Drop)
	}
	return append(b, "}}"...), true
}

func appendIdea(b []byte, i *session.Idea) (_ []byte, ok bool) {
	if i == nil {
		return append(b, "null"...), true
	}
	b = append(b, `{"id":`...)
	b = appendString(b, i.ID)
	b = append(b, `,"group":`...)
	b = appendString(b, i.Group)
	b = append(b, `,"question":`...)
	b = appendString(b, i.Question)
	if i.Author != "" {
		b = append(b, `,"author":`...)
		b = appendString(b, i.Author)
	}
	if i.Anonymous {
		b = append(b, `,"anonymous":true`...)
	}
	b = append(b, `,"text":`...)
	b = appendString(b, i.Text)
	b = append(b, `,"created":`...)
	if b, ok = appendTime(b, i.Created); !ok {
		return b, false
	}
	if !i.Edited.IsZero() {
		b = append(b, `,"edited":`...)
		if b, ok = appendTime(b, i.Edited); !ok {
			return b, false
		}
	}
	if i.Retracted {
		b = append(b, `,"retracted":true`...)
	}
	if i.Hidden {
		b = append(b, `,"hidden":true`...)
	}
	if i.Pinned {
		b = append(b, `,"pinned":true`...)
	}
	if i.Key {
		b = append(b, `,"key":true`...)
	}
	if i.Theme != "" {
		b = append(b, `,"theme":`...)
		b = appendString(b, i.Theme)
	}
	if len(i.Voters) > 0 {
		b = append(b, `,"voters":`...)
		b = appendStrings(b, i.Voters)
	}
	if i.BuildsOn != "" {
		b = append(b, `,"builds_on":`...)
		b = appendString(b, i.BuildsOn)
	}
	if i.MergedInto != "" {
		b = append(b, `,"merged_into":`...)
		b = appendString(b, i.MergedInto)
	}
	if i.Mine {
		b = append(b, `,"mine":true`...)
	}
	return append(b, '}'), true
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendTime appends t as time.Time's MarshalJSON does; ok is false for
// a time it writes otherwise than in UTC, or cannot write (a year
// outside 0 to 9999).
func appendTime(b []byte, t time.Time) (_ []byte, ok bool) {
	n0 := len(b) + 1
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	if len(b) < n0+5 || b[n0+4] != '-' || b[len(b)-1] != 'Z' {
		return b, false
	}
	return append(b, '"'), true
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string as encoding/json writes it:
// <, > and & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
