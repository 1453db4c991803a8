package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/session"
)

// TestRelayFlagErrors: flags that do not go together, or are out of
// range, are refused with one line before the relay listens.
func TestRelayFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--codes", "codes.json"}, "give --plan too"},
		{[]string{"--replicas", "3"}, "--replicas needs --nats"},
		{[]string{"--flush-linger", "-1ms"}, "--flush-linger -1ms is out of range"},
		{[]string{"--flush-linger", "2s"}, "--flush-linger 2s is out of range"},
		{[]string{"--ssh-idle", "10m"}, "go with --ssh"},
		{[]string{"--ssh", "127.0.0.1:0", "--ssh-idle", "10s"}, "--ssh-idle 10s is too short"},
		{[]string{"--ssh", "127.0.0.1:0", "--ssh-max-sessions", "0"}, "--ssh-max-sessions 0 is out of range"},
	} {
		args := append([]string{"--listen", "127.0.0.1:0", "--data", t.TempDir()}, tc.args...)
		_, err := runCmd(t, newRelayCmd, args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("relay %q = %v; want an error with %q", tc.args, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("relay %q: error is not one line: %q", tc.args, err)
		}
	}
}

// TestCodesJSONHasTheHostKey: with --ssh the codes file says how to reach
// the SSH screens and which host key to expect.
func TestCodesJSONHasTheHostKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codes.json")
	codes := &relay.Codes{Session: "s1", Codes: []relay.Code{{Role: session.Organizer, Code: "abcd-efgh-ijklm"}}}
	ssh := &sshScreens{Command: "ssh -p 2222 10.0.0.5", Fingerprint: "SHA256:xyz"}
	if err := writeCodes(path, codes, ssh); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var got struct {
		Session string
		Codes   []relay.Code
		SSH     struct {
			Command string `json:"command"`
			HostKey string `json:"host_key"`
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Session != "s1" || len(got.Codes) != 1 || got.SSH.HostKey != "SHA256:xyz" || got.SSH.Command != "ssh -p 2222 10.0.0.5" {
		t.Fatalf("codes.json = %s; want the session, its code and the ssh command with the host key", b)
	}
}

func TestSSHCommand(t *testing.T) {
	for _, c := range []struct {
		addr       *net.TCPAddr
		user, want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 2222}, "", "ssh -p 2222 127.0.0.1"},
		{&net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 22}, "abcd-efgh-ijklm", "ssh abcd-efgh-ijklm@10.0.0.5"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 2222}, "", "ssh -p 2222 [::1]"},
	} {
		if got := sshCommand(c.addr, c.user); got != c.want {
			t.Errorf("sshCommand(%v, %q) = %q; want %q", c.addr, c.user, got, c.want)
		}
	}
}
