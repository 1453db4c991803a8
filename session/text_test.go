package session_test

import (
	"errors"
	"strings"
	"testing"

	"breakout/session"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		s         string
		max       int
		multiline bool
		ok        bool
	}{
		{"", 10, false, true},
		{"hello", 5, false, true},
		{"hello!", 5, false, false},
		{"èèèèè", 5, false, true}, // runes, not bytes
		{"日本語", 3, false, true},
		{"a\nb", 10, true, true},
		{"a\tb", 10, true, true},
		{"a\nb", 10, false, false},
		{"a\tb", 10, false, false},
		{"a\r\nb", 10, true, false},
		{"\x00", 10, true, false},
		{"\x1b[2J", 10, true, false},
		{"\x7f", 10, true, false},
		{"\u0080", 10, true, false},
		{"\u009b", 10, true, false},
		{"\u009f", 10, true, false},
		{"\u00a0", 10, true, true}, // no-break space is text
		{"\u2028", 10, true, false},
		{"\u202e", 10, true, false},
		{"\u2067", 10, true, false},
		{"\xff", 10, true, false},
		{"\xc3", 10, true, false},
		{"🚆", 1, false, true},
	}
	for _, tt := range tests {
		err := session.CheckText(tt.s, tt.max, tt.multiline)
		if (err == nil) != tt.ok {
			t.Errorf("CheckText(%q, %d, %v) = %v; want ok %v", tt.s, tt.max, tt.multiline, err, tt.ok)
		}
	}
	if err := session.CheckText("a\x1bb", 10, true); !errors.Is(err, session.ErrControl) {
		t.Errorf("CheckText(ESC) = %v; want %v", err, session.ErrControl)
	}
	if err := session.CheckText(strings.Repeat("a", 11), 10, false); err == nil || !strings.Contains(err.Error(), "11 characters long; at most 10") {
		t.Errorf("CheckText(11 chars) = %v; want it to say how long and the limit", err)
	}
}

// TestCheckTextInvisible covers what can hide in text: format and tag
// characters, stacked marks; and what must keep working: emoji
// sequences and every script.
func TestCheckTextInvisible(t *testing.T) {
	tests := []struct {
		name, s string
		ok      bool
	}{
		{"zero-width space", "Trains\u200bfirst", false},
		{"word joiner", "a\u2060b", false},
		{"byte order mark", "\ufeffTrains", false},
		{"left-to-right mark", "Ana\u200e", false},
		{"soft hyphen", "in\u00adter", false},
		{"lone tag characters", "Ana\U000E0041\U000E0042", false},
		{"language tag", "\U000E0001\U000E0065\U000E006E", false},
		{"ZWJ between letters of Latin at the end", "Ana\u200d", false},
		{"ZWJ at the start", "\u200d🚆", false},
		{"998 combining marks", "Z" + strings.Repeat("\u0301", 998), false},
		{"9 combining marks", "Z" + strings.Repeat("\u0301", 9), false},
		{"8 combining marks", "Z" + strings.Repeat("\u0301", 8), true},
		{"emoji ZWJ family", "👨\u200d👩\u200d👧\u200d👦", true},
		{"emoji ZWJ with skin tone", "👩🏽\u200d💻 codes", true},
		{"heart with selector", "❤️\u200d🔥", true},
		{"rainbow flag", "🏳️\u200d🌈", true},
		{"Scotland flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", true},
		{"Arabic", "العربية والترجمة", true},
		{"Persian with ZWNJ", "می\u200cخواهم", true},
		{"Devanagari", "हिन्दी क्षेत्र", true},
		{"Devanagari with ZWJ", "क्\u200dष", true},
		{"Malayalam chillu", "അവന്\u200d വന്നു", true},
		{"CJK", "日本語と中文", true},
		{"Vietnamese", "Tiếng Việt", true},
		{"Hangul", "한국어", true},
	}
	for _, tt := range tests {
		err := session.CheckText(tt.s, 2000, true)
		if (err == nil) != tt.ok {
			t.Errorf("CheckText(%s %q) = %v; want ok %v", tt.name, tt.s, err, tt.ok)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		s  string
		ok bool
	}{
		{"Ana", true},
		{"José María", true},
		{"محمد", true},
		{"देवी", true},
		{"王芳", true},
		{"Kim 🚆", true},
		{"\u3164", false},
		{"\u3164\u3164 ", false},
		{"Ana\u3164", false},
		{"\u115f\u1160", false},
		{"\uffa0", false},
		{"\u2800", false},
		{"   ", false},
		{"\u0301\u0301", false},
		{"Ana (chair)", false},
		{"Ana (Chair)", false},
		{"Ana [rapporteur]", false},
		{"Ana（organizer）", false},
		{"Ana (Milan)", true},
		{"Ana\u200b", false},
		{"Ana\U000E0041", false},
		{"A" + strings.Repeat("\u0300", 998), false},
	}
	for _, tt := range tests {
		err := session.CheckName(tt.s)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v; want ok %v", tt.s, err, tt.ok)
		}
	}
}

func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"Ana", "\u3164", "Ana (chair)", "👨\u200d👩\u200d👧", "می\u200cخواهم", "a\u200b",
		"🏴\U000E0067\U000E0062\U000E007F", "Z" + strings.Repeat("\u0301", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if session.CheckName(s) != nil {
			return
		}
		// An accepted name shows something and hides nothing.
		if session.CheckText(s, session.MaxName, false) != nil {
			t.Fatalf("CheckName(%q) accepted what CheckText refuses", s)
		}
		if strings.TrimSpace(s) == "" || strings.ContainsRune(s, '\u200b') || strings.ContainsRune(s, '\u3164') {
			t.Fatalf("CheckName(%q) accepted an invisible name", s)
		}
	})
}
