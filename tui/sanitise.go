package tui

import (
	"reflect"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// Everything the relay sends is text someone else typed, or text a fake
// relay (or anyone in the middle of a plain ws:// connection) made up. The
// relay refuses control characters, but the screen does not rely on it:
// every update is cleaned here, once, before it reaches the replica, so
// no name, idea, text, broadcast, group name, question or title can carry
// an escape sequence to the terminal.

// clean returns s without escape sequences, control characters (but
// newlines and tabs) and bidirectional controls. Text the relay accepts
// comes out unchanged.
func clean(s string) string {
	if printable(s) {
		return s
	}
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f), r == '\u2028' || r == '\u2029',
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e' || r == '\u200f', r == '\u061c':
			return -1
		}
		return r
	}, s)
}

// printable reports whether s is plain printable ASCII, the common case.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// scrub cleans every string reachable from v, a pointer: struct fields,
// slice and map elements, map keys.
func scrub(v any) {
	if v == nil {
		return
	}
	scrubValue(reflect.ValueOf(v))
}

func scrubValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scrubValue(v.Elem())
		}
	case reflect.String:
		if s := v.String(); v.CanSet() && !printable(s) {
			v.SetString(clean(s))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				scrubValue(f)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes: raw JSON, never shown as it is
		}
		for i := range v.Len() {
			scrubValue(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		// Map values are not addressable: clean a copy of each and put
		// it back, under a cleaned key.
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			scrubValue(val)
			nk := k
			if k.Kind() == reflect.String && !printable(k.String()) {
				v.SetMapIndex(k, reflect.Value{})
				nk = reflect.ValueOf(clean(k.String())).Convert(k.Type())
			}
			v.SetMapIndex(nk, val)
		}
	}
}

// steady returns s as the screen draws it, with every emoji sequence
// whose width terminals disagree on (👩‍💻, ❤️, 👍🏽, 🏳️‍🌈) drawn as its
// parts. Bubble Tea counts cells per code point unless the terminal
// reports grapheme clustering (mode 2027), while the layout measures
// grapheme clusters; a sequence that is two cells one way and four the
// other pushes the rest of its line, and the side panel with it, out of
// line. The parts have the same width both ways. Only what is drawn
// changes: the text itself, in the replica and in editors, keeps its
// sequences.
func steady(s string) string {
	if printable(s) {
		return s
	}
	var b strings.Builder
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		c := g.Str()
		if ansi.StringWidth(c) == ansi.StringWidthWc(c) || !emojiCluster(c) {
			b.WriteString(c)
			continue
		}
		for _, r := range c {
			switch r {
			case '\u200d', '\ufe0f', '\ufe0e', '\u20e3': // joiner, presentation selectors, keycap
				continue
			}
			if r >= 0x1f3fb && r <= 0x1f3ff {
				continue // a skin tone would join the part before it again
			}
			if p := string(r); ansi.StringWidth(p) == ansi.StringWidthWc(p) {
				b.WriteString(p)
			}
		}
	}
	return b.String()
}

// emojiCluster reports whether a grapheme cluster is an emoji sequence:
// it holds a joiner, a presentation selector, a skin tone or a keycap.
func emojiCluster(c string) bool {
	for _, r := range c {
		if r == '\u200d' || r == '\ufe0f' || r == '\u20e3' || (r >= 0x1f3fb && r <= 0x1f3ff) {
			return true
		}
	}
	return false
}

// drawable is the screen as the terminal should get it: without soft
// hyphens (U+00AD), which the layout measures as no width but most
// terminals draw as a hyphen, one column that pushes the pane rule and
// everything after it out of line.
func drawable(s string) string { return strings.ReplaceAll(s, "\u00ad", "") }
