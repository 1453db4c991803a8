package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

// behindPrefix serves the relay at r's URL under /breakout, as a reverse
// proxy with a path prefix does, and returns the URL people are given.
func behindPrefix(t *testing.T, r *relaytest.Relay) string {
	t.Helper()
	target, _ := url.Parse(strings.Replace(strings.TrimSuffix(r.URL, "/ws"), "ws://", "http://", 1))
	px := httptest.NewServer(http.StripPrefix("/breakout", httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(px.Close)
	return "ws" + strings.TrimPrefix(px.URL, "http") + "/breakout/ws"
}

// `breakout new` and `breakout report` reach a relay behind a reverse
// proxy with a path prefix at the same address.
func TestNewAndReportBehindPathPrefix(t *testing.T) {
	r := relaytest.Start(t, relay.Config{})
	prefixed := behindPrefix(t, r)
	plan := filepath.Join(t.TempDir(), "plan.toml")
	if err := os.WriteFile(plan, []byte(reportTestPlan), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, newNewCmd, plan, "--relay", prefixed, "--token", r.Server.AdminToken(), "--json")
	if err != nil {
		t.Fatalf("new --relay %s: %v", prefixed, err)
	}
	var codes relay.Codes
	if err := json.Unmarshal([]byte(out), &codes); err != nil || codes.Session == "" {
		t.Fatalf("new --json printed %q (%v); want the session's codes", out, err)
	}
	out, err = runCmd(t, newReportCmd, prefixed, codes.Find("", session.Organizer))
	if err != nil {
		t.Fatalf("report %s: %v", prefixed, err)
	}
	if !strings.Contains(out, "Report test") {
		t.Errorf("report through the prefix = %q; want the session's report", out)
	}
}

// A relay that is not running is one clear line naming the address the
// person gave, for both commands, not an internal URL or a dial error.
func TestStoppedRelayIsOneClearLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	plan := filepath.Join(t.TempDir(), "plan.toml")
	os.WriteFile(plan, []byte(reportTestPlan), 0o600)
	want := "cannot reach the relay at ws://" + addr + ": is it running?"
	for name, args := range map[string][]string{
		"report": {"ws://" + addr, "SOME-CODE"},
		"new":    {plan, "--relay", "ws://" + addr + "/ws", "--token", "t"},
	} {
		cmd := newReportCmd
		if name == "new" {
			cmd = newNewCmd
		}
		_, err := runCmd(t, cmd, args...)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s %q = %v; want an error starting %q", name, args, err, want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "/api/") || strings.Contains(msg, "dial tcp") {
			t.Errorf("%s: error %q is not one clear line", name, msg)
		}
	}
}
