package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

// TestSecretsOffTheCommandLine: join, report and new take their code or
// token from a file or the environment, so that it need not show in ps;
// the command line still works, and a secret given twice is refused.
func TestSecretsOffTheCommandLine(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv(envCode, "")
	t.Setenv(envToken, "")
	r := relaytest.Start(t, relay.Config{})
	codes := r.Create(t, reportTestPlan)
	url := strings.TrimSuffix(r.URL, "/ws")
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	participant := codes.Find("Manzoni", session.Participant)
	codeFile := write("code", participant)
	orgFile := write("org", codes.Find("", session.Organizer))
	tokenFile := write("token", r.Server.AdminToken())
	plan := write("plan.toml", reportTestPlan)

	// join: without a terminal, a right code without a name stops at
	// "a name is needed", a wrong one at "not valid": either shows which
	// code was read.
	expect := func(what string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s = %v; want an error with %q", what, err, want)
		}
	}
	_, err := runCmd(t, newJoinCmd, url, "--code-file", codeFile)
	expect("join --code-file", err, "a name is needed")
	_, err = runCmd(t, newJoinCmd, url, "--code-file", write("wrong", "zzzz-zzzz-zzzzz"), "--name", "Ada")
	expect("join --code-file WRONG", err, "that join code is not valid")
	_, err = runCmd(t, newJoinCmd, url)
	expect("join without a code", err, "no join code: give it with --code-file FILE or in $BREAKOUT_CODE")
	_, err = runCmd(t, newJoinCmd, url, participant, "--code-file", codeFile)
	expect("join CODE --code-file", err, "given twice")
	_, err = runCmd(t, newJoinCmd, url, "--code-file", filepath.Join(dir, "missing"))
	expect("join --code-file MISSING", err, "read the join code")
	_, err = runCmd(t, newJoinCmd, url, "--code-file", write("empty", " "))
	expect("join --code-file EMPTY", err, "is empty")
	t.Setenv(envCode, participant)
	_, err = runCmd(t, newJoinCmd, url)
	expect("join with $BREAKOUT_CODE", err, "a name is needed")
	t.Setenv(envCode, "")

	// report
	if out, err := runCmd(t, newReportCmd, url, "--code-file", orgFile); err != nil || !strings.Contains(out, "Report test") {
		t.Errorf("report --code-file = %.60q, %v; want the report", out, err)
	}
	t.Setenv(envCode, codes.Find("", session.Organizer))
	if out, err := runCmd(t, newReportCmd, url); err != nil || !strings.Contains(out, "Report test") {
		t.Errorf("report with $BREAKOUT_CODE = %.60q, %v; want the report", out, err)
	}
	t.Setenv(envCode, "")

	// new
	for name, args := range map[string][]string{
		"--token-file": {plan, "--relay", url, "--json", "--token-file", tokenFile},
		"--token":      {plan, "--relay", url, "--json", "--token", r.Server.AdminToken()},
	} {
		out, err := runCmd(t, newNewCmd, args...)
		var c relay.Codes
		if err != nil || json.Unmarshal([]byte(out), &c) != nil || c.Session == "" {
			t.Errorf("new %s = %.60q, %v; want the codes", name, out, err)
		}
	}
	t.Setenv(envToken, r.Server.AdminToken())
	if out, err := runCmd(t, newNewCmd, plan, "--relay", url, "--json"); err != nil || !strings.Contains(out, `"session"`) {
		t.Errorf("new with $BREAKOUT_TOKEN = %.60q, %v; want the codes", out, err)
	}
	t.Setenv(envToken, "")
	_, err = runCmd(t, newNewCmd, plan, "--relay", url)
	expect("new without a token", err, "no admin token: give it with --token-file FILE or in $BREAKOUT_TOKEN")
}
