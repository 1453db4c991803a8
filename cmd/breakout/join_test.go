package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

// joinTestRelay is a real relay (embedded NATS in a temp dir) on loopback
// with one session; it returns the URL and a participant's code.
func joinTestRelay(t *testing.T) (string, string) {
	t.Helper()
	r := relaytest.Start(t, relay.Config{})
	codes := r.Create(t, "title = \"T\"\n[[question]]\ntext = \"Q?\"\n[[group]]\nname = \"G\"\n")
	return strings.TrimSuffix(r.URL, "/ws"), relaytest.Code(t, codes, "G", session.Participant)
}

func TestJoinErrors(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	url, code := joinTestRelay(t)
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "ws://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		args []string
		want string
		not  string // what the error must not say
	}{
		{nil, "give the relay's URL and your join code", ""},
		{[]string{"ftp://x", "abc"}, `scheme "ftp"`, ""},
		{[]string{url, "--name", "Ada", "  "}, "the join code is empty", ""},
		{[]string{url, "zzzz-zzzz-zzzzz", "--name", "Ada"}, "refused to let you in: that join code is not valid", ""},
		{[]string{dead, code, "--name", "Ada"}, "is the relay running", ""},
		// The relay answered: it runs; the name is what is wrong.
		{[]string{url, code, "--name", "Ada\u200f"}, "name contains invisible formatting characters", "is the relay running"},
		// Tests have no terminal: without --name the form cannot ask.
		{[]string{url, code}, "a name is needed to join; give one with --name", ""},
	} {
		_, err := runCmd(t, newJoinCmd, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("join %q = %v; want an error with %q", tc.args, err, tc.want)
		}
		if err != nil && tc.not != "" && strings.Contains(err.Error(), tc.not) {
			t.Errorf("join %q = %v; want no %q", tc.args, err, tc.not)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("join %q: error is not one line: %q", tc.args, err)
		}
	}
}

// The same relay and code, however typed, keep their state in one place
// under XDG_STATE_HOME, so a restarted join resumes.
func TestClientStateDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_STATE_HOME", base)
	dir := func(url, code string) string {
		t.Helper()
		ws, err := relay.WebsocketURL(url)
		if err != nil {
			t.Fatal(err)
		}
		d, err := clientStateDir(ws, code)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := dir("ws://127.0.0.1:7777", "k7dm-x3qa-9fhwp")
	if b := dir("http://127.0.0.1:7777/ws", "K7DM X3QA 9FHWP"); a != b {
		t.Fatalf("state dirs differ: %s and %s", a, b)
	}
	if c := dir("ws://127.0.0.1:7777", "k7dm-x3qa-9fhwq"); a == c {
		t.Fatal("two codes share a state dir")
	}
	if filepath.Dir(a) != filepath.Join(base, "breakout") || len(filepath.Base(a)) != 16 {
		t.Fatalf("state dir %s; want %s/breakout/<16 hex digits>", a, base)
	}
}

// A resume token the relay no longer knows is dropped, and the person
// joins afresh with the code instead of failing on every start.
func TestJoinStaleResumeToken(t *testing.T) {
	url, code := joinTestRelay(t)
	dir := t.TempDir()
	cfg := relay.ClientConfig{URL: url, Code: code, Name: "Ada", StateDir: dir}
	c, err := dialJoin(context.Background(), cfg)
	if err != nil {
		t.Fatalf("first join: %v", err)
	}
	c.Close()
	if err := os.WriteFile(filepath.Join(dir, "resume"), []byte("stale\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Name = "" // as a restart without --name
	if _, err := dialJoin(context.Background(), cfg); !errors.Is(err, relay.ErrNameNeeded) {
		t.Fatalf("join with a stale token and no name = %v; want relay.ErrNameNeeded, so the form asks", err)
	}
	cfg.Name = "Ada" // what the form gives
	c, err = dialJoin(context.Background(), cfg)
	if err != nil {
		t.Fatalf("join with a stale token: %v", err)
	}
	defer c.Close()
	tok, err := os.ReadFile(filepath.Join(dir, "resume"))
	if err != nil || strings.TrimSpace(string(tok)) == "stale" {
		t.Fatalf("resume token after rejoining = %q, %v; want a new one", tok, err)
	}
}

// On a shared code, a second --name on the same machine is a second
// person, not the first one resumed under the old name; the same --name
// again resumes.
func TestJoinAnotherNameOnSharedCode(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	url, code := joinTestRelay(t)
	ws, err := relay.WebsocketURL(url)
	if err != nil {
		t.Fatal(err)
	}
	join := func(name string) (string, string) {
		t.Helper()
		dir, err := stateDirFor(ws, code, name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := dialJoin(context.Background(), relay.ClientConfig{URL: ws, Code: code, Name: name, StateDir: dir})
		if err != nil {
			t.Fatalf("join as %s: %v", name, err)
		}
		defer c.Close()
		rememberName(dir, name)
		w := (<-c.Updates()).Welcome
		return w.You.ID, w.You.Name
	}
	ada, _ := join("Ada")
	bea, beaName := join("Bea")
	if bea == ada || beaName != "Bea" {
		t.Errorf("--name Bea after Ada joined as %s %q; want a new person named Bea", bea, beaName)
	}
	if again, _ := join("Ada"); again != ada {
		t.Errorf("--name Ada again joined as %s; want Ada's %s resumed", again, ada)
	}
}
