package session_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"breakout/session"
)

func TestTidy(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"co\u00adoperation", "cooperation"},                         // soft hyphen
		{"Arabic \u200fمرحبا word", "Arabic مرحبا word"},             // right-to-left mark
		{"line one\r\nline two\rthree", "line one\nline two\nthree"}, // Windows and old Mac line ends
		{"a\u2028b\u2029c", "a\nb\nc"},
		{"zero\u200bwidth", "zerowidth"},
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"\x1b[31mred\x1b[0m", "[31mred[0m"}, // the escape goes, the rest is text
		{"bell\x07", "bell"},
		{"👩\u200d💻 coder", "👩\u200d💻 coder"}, // a joiner between emoji stays
		{"می\u200cخواهم", "می\u200cخواهم"},   // ZWNJ in Persian stays
		{"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F flag"},
		{"tag\U000E0041 outside a flag", "tag outside a flag"},
		{"plain text stays", "plain text stays"},
	} {
		got, n := session.Tidy(c.in)
		if got != c.want {
			t.Errorf("Tidy(%q) = %q; want %q", c.in, got, c.want)
		}
		lineEnds := strings.ContainsAny(c.in, "\r\u2028\u2029")
		if (n == 0) != (c.in == c.want || lineEnds) {
			t.Errorf("Tidy(%q) counted %d changes", c.in, n)
		}
		if err := session.CheckText(got, math.MaxInt, true); err != nil {
			t.Errorf("Tidy(%q) = %q, which CheckText refuses: %v", c.in, got, err)
		}
	}
}

// TestTidyKeepsEveryWord: on random text mixing words with every kind of
// character CheckText refuses, Tidy's result is accepted, and every
// letter, digit and space of the input is in it, in order.
func TestTidyKeepsEveryWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	junk := []rune{0x00, 0x07, 0x1b, 0x7f, 0x85, 0x9b, '\r', '\u00ad', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f',
		'\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\u2060', '\ufeff', 0xE0041, 0xE007F, '🏴', '👩', '💻', 'é', 'ß', '語'}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(3) == 0 {
				b.WriteRune(junk[rng.IntN(len(junk))])
			} else {
				b.WriteRune([]rune("abc xyz 019\n\t")[rng.IntN(13)])
			}
		}
		in := b.String()
		got, _ := session.Tidy(in)
		if err := session.CheckText(got, math.MaxInt, true); err != nil {
			t.Fatalf("Tidy(%q) = %q, which CheckText refuses: %v", in, got, err)
		}
		if words(got) != words(in) {
			t.Fatalf("Tidy(%q) = %q lost words: %q against %q", in, got, words(got), words(in))
		}
	}
}

func words(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
			return r
		}
		return -1
	}, s)
}
