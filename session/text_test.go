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
