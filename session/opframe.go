package session

import "encoding/json"

// decodeOpFrame reads an op frame in its plainest form, as every client
// of the relay sends it: the keys "type" ("op"), "id", "kind" and "data"
// spelled so, each at most once, in any order; strings without escapes;
// data an object. It reports false for anything else (a hello, another
// spelling, an escape, a syntax error), which encoding/json then decides,
// so results and error messages stay encoding/json's. frame is valid
// UTF-8 and nested no deeper than MaxNesting.
func decodeOpFrame(frame []byte) (*OpMsg, bool) {
	i := skipSpace(frame, 0)
	if i == len(frame) || frame[i] != '{' {
		return nil, false
	}
	i = skipSpace(frame, i+1)
	var m OpMsg
	var seen uint8
	for {
		start, end, ok := plainString(frame, i)
		if !ok {
			return nil, false
		}
		var bit uint8
		switch string(frame[start:end]) {
		case "type":
			bit = 1
		case "id":
			bit = 2
		case "kind":
			bit = 4
		case "data":
			bit = 8
		default:
			return nil, false
		}
		if seen&bit != 0 {
			return nil, false
		}
		seen |= bit
		i = skipSpace(frame, end+1)
		if i == len(frame) || frame[i] != ':' {
			return nil, false
		}
		i = skipSpace(frame, i+1)
		if bit == 8 {
			end, ok := objectEnd(frame, i)
			if !ok || !json.Valid(frame[i:end]) {
				return nil, false
			}
			m.Data = append(json.RawMessage(nil), frame[i:end]...)
			i = end
		} else {
			if start, end, ok = plainString(frame, i); !ok {
				return nil, false
			}
			v := string(frame[start:end])
			switch bit {
			case 1:
				if v != MsgOp {
					return nil, false
				}
				m.Type = v
			case 2:
				m.ID = v
			case 4:
				m.Kind = v
			}
			i = end + 1
		}
		i = skipSpace(frame, i)
		if i == len(frame) {
			return nil, false
		}
		switch frame[i] {
		case ',':
			i = skipSpace(frame, i+1)
		case '}':
			if seen&1 == 0 || skipSpace(frame, i+1) != len(frame) {
				return nil, false
			}
			return &m, true
		default:
			return nil, false
		}
	}
}

// objectEnd returns the end of the JSON object that starts at b[i], by
// its brackets and strings alone; the caller checks that it is valid.
func objectEnd(b []byte, i int) (int, bool) {
	if i == len(b) || b[i] != '{' {
		return 0, false
	}
	depth, inString := 0, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inString:
			switch c {
			case '\\':
				j++
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}
