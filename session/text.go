package session

import (
	"errors"
	"fmt"
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
)

// ErrControl is returned for text that carries control characters, which
// could move another person's cursor or recolour their terminal.
var ErrControl = errors.New("contains control characters")

// CheckText reports whether s is acceptable text of at most max characters:
// valid UTF-8 without C0 or C1 control characters. Multi-line text may hold
// newlines and tabs; a single line may hold neither.
func CheckText(s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	n := 0
	for i := 0; i < len(s); {
		n++
		if c := s[i]; c >= 0x20 && c < 0x7f { // printable ASCII: most text, and nothing to check
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\n' || r == '\t' {
			if !multiline {
				return errors.New("must be a single line")
			}
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return ErrControl
		}
		// Bidirectional overrides can make text read differently from
		// what it is; there is no need for them in a brainstorm.
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return errors.New("contains bidirectional control characters")
		}
	}
	if n > max {
		return fmt.Errorf("is %d characters long; at most %d", n, max)
	}
	return nil
}
