package session

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what people can type, in characters (runes).
const (
	MaxIdea      = 1000
	MaxName      = 80
	MaxTheme     = 80
	MaxLongText  = 50000 // minutes, summaries, syntheses
	MaxBroadcast = 1000
	MaxQuestions = 50
	MaxGroups    = 500
	// MaxMarks is the most combining marks one character may carry:
	// more than any script stacks (vowel signs, tones, a variation
	// selector), far fewer than the hundreds that draw over other lines.
	MaxMarks = 8
)

// ErrControl is returned for text that carries control characters, which
// could move another person's cursor or recolour their terminal.
var ErrControl = errors.New("contains control characters")

// errNotUTF8 and errBidi are returned for text that is not UTF-8, and for
// text with bidirectional controls.
var (
	errNotUTF8 = errors.New("is not valid UTF-8")
	errBidi    = errors.New("contains bidirectional control characters")
)

// ErrInvisible is returned for text that carries invisible formatting
// characters (zero-width spaces, joiners out of place, tag characters),
// which can make two different texts look the same.
var ErrInvisible = errors.New("contains invisible formatting characters (zero-width or tag characters); remove them")

// CheckText reports whether s is acceptable text of at most max characters:
// valid UTF-8 without C0 or C1 control characters. Multi-line text may hold
// newlines and tabs; a single line may hold neither.
func CheckText(s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return errNotUTF8
	}
	n, marks := 0, 0
	var prev rune
	inTag := false
	for i := 0; i < len(s); {
		n++
		if c := s[i]; c >= 0x20 && c < 0x7f { // printable ASCII: most text, and nothing to check
			i++
			prev, marks, inTag = rune(c), 0, false
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\n' || r == '\t' {
			if !multiline {
				return errors.New("must be a single line")
			}
			prev, marks, inTag = r, 0, false
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return ErrControl
		}
		// Bidirectional overrides can make text read differently from
		// what it is; there is no need for them in a brainstorm.
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return errBidi
		}
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r) {
			if marks++; marks > MaxMarks {
				return fmt.Errorf("stacks more than %d accents or marks on one character", MaxMarks)
			}
			prev = r
			continue
		}
		marks = 0
		if r == flagBase {
			inTag = true
		}
		if r >= tagFirst && r <= tagCancel {
			// Tag characters belong only in an emoji flag sequence
			// (🏴 + tags + cancel tag), where they name the region.
			if !inTag || r < tagFirst+0x20 {
				return ErrInvisible
			}
			if r == tagCancel {
				inTag = false
			}
			prev = r
			continue
		}
		if unicode.Is(unicode.Cf, r) {
			next, _ := utf8.DecodeRuneInString(s[i:])
			if !joins(r, prev, next) {
				return ErrInvisible
			}
		}
		if r != flagBase {
			inTag = false
		}
		prev = r
	}
	if n > max {
		return fmt.Errorf("is %d characters long; at most %d", n, max)
	}
	return nil
}

// Tidy removes from s, character by character, what CheckText refuses in
// any text: control characters, bidirectional controls, invisible
// formatting characters out of place and tag characters outside a flag.
// A carriage return (alone or before a newline), a line separator and a
// paragraph separator become a newline. Text copied from a web page or a
// word processor often carries such characters (a soft hyphen, a
// right-to-left mark) that nobody sees; the words stay as they were. It
// returns the text and how many characters it removed (line ends made
// newlines are not counted).
// Lengths, stacked marks and newlines in a single line are left to
// CheckText.
func Tidy(s string) (string, int) {
	n := 0
	for range 3 { // a removal can leave a joiner out of place: look again
		err := CheckText(s, math.MaxInt, true)
		if err == nil || !tidyable(err) {
			return s, n
		}
		t, k := tidyOnce(s)
		n += k
		if t == s {
			break
		}
		s = t
	}
	return s, n
}

// tidyable reports whether err is one that Tidy removes the cause of.
func tidyable(err error) bool {
	return errors.Is(err, ErrControl) || errors.Is(err, ErrInvisible) || errors.Is(err, errNotUTF8) || errors.Is(err, errBidi)
}

func tidyOnce(s string) (string, int) {
	n := 0
	if !utf8.ValidString(s) {
		v := strings.ToValidUTF8(s, "")
		n += len(s) - len(v) // at least one a bad sequence
		s = v
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	inTag := false
	for i, r := range rs {
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
			prev, inTag = '\n', false
			continue
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f),
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			n++
			continue
		case r >= tagFirst && r <= tagCancel:
			if !inTag || r < tagFirst+0x20 {
				n++
				continue
			}
			inTag = r != tagCancel
			b.WriteRune(r)
			prev = r
			continue
		case unicode.Is(unicode.Cf, r) && !joins(r, prev, next):
			n++
			continue
		}
		inTag = r == flagBase
		b.WriteRune(r)
		prev = r
	}
	return b.String(), n
}

const (
	flagBase  = '\U0001F3F4' // 🏴, which tag sequences follow
	tagFirst  = '\U000E0000'
	tagCancel = '\U000E007F'
	zwnj      = '\u200c'
	zwj       = '\u200d'
)

// joins reports whether the format character r, between prev and next,
// is a joiner doing its work: ZWJ between emoji (👩‍💻), ZWJ and ZWNJ
// between letters, where Persian and Indic scripts need them. Every other
// format character is invisible and refused.
func joins(r, prev, next rune) bool {
	if r != zwj && r != zwnj {
		return false
	}
	if r == zwj && isEmoji(prev) && isEmoji(next) {
		return true
	}
	// After a virama the joiner may end a word (Malayalam chillus).
	return (unicode.IsLetter(prev) || unicode.IsMark(prev)) && (unicode.IsLetter(next) || unicode.IsMark(prev))
}

// isEmoji is a rune that can take part in an emoji ZWJ sequence: a
// pictograph, a symbol, a skin tone, a variation selector.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF,
		r >= 0x2B00 && r <= 0x2BFF, r == 0xFE0F, r == 0x2640, r == 0x2642, r == 0x2695, r == 0x2696:
		return true
	}
	return unicode.Is(unicode.So, r)
}

// fillers are letters that draw as nothing (Hangul fillers, the blank
// Braille pattern): a name made of them shows blank.
var fillers = map[rune]bool{'\u115f': true, '\u1160': true, '\u3164': true, '\uffa0': true, '\u2800': true}

// roleSuffix matches a role written into a name, as the screens write it
// after a chair's or rapporteur's name.
var roleSuffix = regexp.MustCompile(`(?i)[(\[（【]\s*(chair|rapporteur|organi[sz]er|participant|host|moderator)\s*[)\]）】]`)

// CheckName reports whether s is acceptable as a person's name: text as
// CheckText takes it, of at most MaxName characters on one line, with
// something visible in it, no blank filler letters, and no role written
// in brackets, which could pass for the role the screens show.
func CheckName(s string) error {
	if err := CheckText(s, MaxName, false); err != nil {
		return err
	}
	visible := false
	for _, r := range s {
		if fillers[r] {
			return errors.New("contains blank filler characters")
		}
		if !unicode.IsSpace(r) && !unicode.IsMark(r) && !unicode.Is(unicode.Cf, r) && unicode.IsGraphic(r) {
			visible = true
		}
	}
	if !visible {
		return errors.New("has nothing visible in it")
	}
	if m := roleSuffix.FindString(s); m != "" {
		return fmt.Errorf("may not hold a role such as %q: the screens show each person's role", strings.TrimSpace(m))
	}
	return nil
}
