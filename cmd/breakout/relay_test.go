package main

import (
	"strings"
	"testing"
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
