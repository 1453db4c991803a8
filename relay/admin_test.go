package relay

import "testing"

// The API sits where the websocket path is, without its /ws, whatever
// form of the relay's URL is given, so a path prefix is kept.
func TestAdminEndpoints(t *testing.T) {
	for in, want := range map[string]string{
		"ws://127.0.0.1:7777":             "http://127.0.0.1:7777/api/export",
		"ws://127.0.0.1:7777/ws":          "http://127.0.0.1:7777/api/export",
		"wss://relay.example.org":         "https://relay.example.org/api/export",
		"https://example.org/breakout/ws": "https://example.org/breakout/api/export",
		"wss://example.org/breakout/ws/":  "https://example.org/breakout/api/export",
		"http://example.org/":             "http://example.org/api/export",
		"127.0.0.1:7777":                  "http://127.0.0.1:7777/api/export",
	} {
		a, err := NewAdmin(in)
		if err != nil {
			t.Errorf("NewAdmin(%q): %v", in, err)
			continue
		}
		if got := a.Endpoint("/api/export"); got != want {
			t.Errorf("NewAdmin(%q).Endpoint(/api/export) = %q; want %q", in, got, want)
		}
	}
}
