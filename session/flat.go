package session

// A fast path for decode. Nearly every op's data is a flat object of
// strings, bools and small integers, which encoding/json reads at about
// half of the whole cost of Apply (it scans each value twice and goes
// through reflection). decodeFlat reads only the plainest form of such an
// object: keys spelled exactly as the field, each at most once, strings
// without escapes, small integers without fraction or exponent. Anything else
// (an unknown or differently cased key, null, an escape, a nested value,
// trailing data, a syntax error) makes it give up, and encoding/json
// decides, so results and error messages are those of encoding/json.

// flatField is one field of a flat op data type: exactly one of s, b, n,
// pb (a bool that may be missing).
type flatField struct {
	name string
	s    *string
	b    *bool
	n    *int
	pb   **bool
}

// flatFields returns the fields of v when decodeFlat can read its type.
func flatFields(v any, buf *[4]flatField) []flatField {
	f := buf[:0]
	str := func(name string, p *string) { f = append(f, flatField{name: name, s: p}) }
	switch d := v.(type) {
	case *IdeaAdd:
		str("question", &d.Question)
		str("text", &d.Text)
		f = append(f, flatField{name: "anonymous", b: &d.Anonymous})
		str("builds_on", &d.BuildsOn)
	case *IdeaEdit:
		str("idea", &d.Idea)
		str("text", &d.Text)
	case *IdeaRef:
		str("idea", &d.Idea)
	case *flagData:
		str("idea", &d.Idea)
		f = append(f, flatField{name: "on", pb: &d.On})
	case *IdeaMerge:
		str("idea", &d.Idea)
		str("into", &d.Into)
	case *IdeaTheme:
		str("idea", &d.Idea)
		str("theme", &d.Theme)
	case *QuestionPose:
		str("question", &d.Question)
	case *TimerStart:
		f = append(f, flatField{name: "seconds", n: &d.Seconds})
	case *BroadcastData:
		str("text", &d.Text)
	case *PersonOnline:
		str("person", &d.Person)
		f = append(f, flatField{name: "online", b: &d.Online})
	case *struct{}:
	default:
		return nil
	}
	return f
}

// decodeFlat decodes raw into fields and reports whether it could. When
// it could not, it leaves every field at its zero value, as it found them.
func decodeFlat(raw []byte, fields []flatField) bool {
	if readFlat(raw, fields) {
		return true
	}
	for _, f := range fields {
		switch {
		case f.s != nil:
			*f.s = ""
		case f.b != nil:
			*f.b = false
		case f.pb != nil:
			*f.pb = nil
		default:
			*f.n = 0
		}
	}
	return false
}

func readFlat(raw []byte, fields []flatField) bool {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	var seen uint8
	for {
		start, end, ok := plainString(raw, i)
		if !ok {
			return false
		}
		k := -1
		for j := range fields {
			if fields[j].name == string(raw[start:end]) {
				k = j
				break
			}
		}
		if k < 0 || seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		i = skipSpace(raw, end+1)
		if i == len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		f := fields[k]
		switch {
		case f.s != nil:
			if start, end, ok = plainString(raw, i); !ok {
				return false
			}
			*f.s, i = string(raw[start:end]), end+1
		case f.b != nil || f.pb != nil:
			var v bool
			switch {
			case hasPrefixAt(raw, i, "true"):
				v, i = true, i+4
			case hasPrefixAt(raw, i, "false"):
				v, i = false, i+5
			default:
				return false
			}
			if f.b != nil {
				*f.b = v
			} else {
				*f.pb = &v
			}
		default:
			if *f.n, i, ok = plainInt(raw, i); !ok {
				return false
			}
		}
		i = skipSpace(raw, i)
		if i == len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return skipSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}

// plainString finds the JSON string at b[i], if it has no escapes and
// no control characters, and returns where its text starts and ends (at
// the closing quote). b is valid UTF-8, which JSON strings keep as is.
func plainString(b []byte, i int) (start, end int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return 0, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return i + 1, j, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// plainInt reads a JSON integer of at most 9 digits, which fits any int.
func plainInt(b []byte, i int) (int, int, bool) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	start, n := i, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 9 || b[start] == '0' && digits > 1 {
		return 0, i, false
	}
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}
