package main

import (
	"breakout/report"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

const reportTestPlan = `
title = "Report test"

[[question]]
text = "What should we keep?"
[[question]]
text = "What should we change?"

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
[[group]]
name = "Rossini"
`

// reportRelay starts a relay on a real embedded NATS server in a temp dir,
// serving on loopback, with the test plan's session; it returns the relay's
// ws:// URL and the session's codes.
func reportRelay(t *testing.T) (string, *relay.Codes) {
	t.Helper()
	r := relaytest.Start(t, relay.Config{})
	return r.URL, r.Create(t, reportTestPlan)
}

// reportPeer is a person connected to the relay who sends ops one at a
// time and waits for each to be applied.
type reportPeer struct {
	t      *testing.T
	c      *relay.Client
	events map[int64]session.Event
}

func joinReportRelay(t *testing.T, url, code, name, background string) *reportPeer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relay.Dial(ctx, relay.ClientConfig{URL: url, Code: code, Name: name, Background: background})
	if err != nil {
		t.Fatalf("Dial(%s): %v", name, err)
	}
	t.Cleanup(c.Close)
	return &reportPeer{t: t, c: c, events: map[int64]session.Event{}}
}

// send sends an op and returns the event it made, failing the test if the
// relay rejects it.
func (p *reportPeer) send(kind string, data any) session.Event {
	p.t.Helper()
	id := p.c.NewOpID()
	if err := p.c.Send(session.NewOp(id, kind, data)); err != nil {
		p.t.Fatalf("Send(%s): %v", kind, err)
	}
	deadline := time.After(30 * time.Second) // generous: CI machines are busy
	var seq int64
	for {
		if ev, ok := p.events[seq]; ok && seq > 0 {
			return ev
		}
		select {
		case u := <-p.c.Updates():
			switch {
			case u.Event != nil:
				p.events[u.Event.Seq] = *u.Event
			case u.Ack != nil && u.Ack.ID == id:
				seq = u.Ack.Seq
			case u.Reject != nil && u.Reject.ID == id:
				p.t.Fatalf("%s rejected: %s %s", kind, u.Reject.Code, u.Reject.Message)
			case u.Fatal != nil:
				p.t.Fatalf("connection ended: %v", u.Fatal)
			}
		case <-deadline:
			p.t.Fatalf("no answer to %s", kind)
		}
	}
}

func (p *reportPeer) idea(question, text string, anonymous bool) string {
	p.t.Helper()
	return p.send(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text, Anonymous: anonymous}).Data.Idea
}

// runCmd runs a command as the binary would and returns its standard
// output.
func runCmd(t *testing.T, newCmd func() *cobra.Command, args ...string) (string, error) {
	t.Helper()
	cmd := newCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// scriptRelaySession plays a short day of three groups on the relay.
func scriptRelaySession(t *testing.T, url string, codes *relay.Codes) {
	t.Helper()
	org := joinReportRelay(t, url, relaytest.Code(t, codes, "", session.Organizer), "Olga Organizer", "")
	ideas := map[string][]string{
		"Manzoni": {"Better funding for young researchers", "Open all project data to the public"},
		"Verdi":   {"Young researchers need more funding", "Fewer meetings, more doing"},
		"Rossini": {"Stable funding for young researchers", "Publish the project data openly"},
	}
	for _, g := range []string{"Manzoni", "Verdi", "Rossini"} {
		chair := joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Chair), "Chair "+g, "academia")
		rap := joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Rapporteur), "Rapporteur "+g, "industry")
		part := joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Participant), "Participant "+g, "civil society")
		secret := joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Participant), "Secret Author "+g, "")
		first := part.idea("q1", ideas[g][0], false)
		second := secret.idea("q1", ideas[g][1], true)
		extra := chair.idea("q1", "Lunch on the terrace", false)
		chair.send(session.KindIdeaMerge, session.IdeaMerge{Idea: extra, Into: second})
		rap.send(session.KindIdeaVote, session.IdeaRef{Idea: first})
		part.send(session.KindIdeaVote, session.IdeaRef{Idea: first})
		rap.send(session.KindIdeaKey, session.IdeaFlag{Idea: first, On: true})
		rap.send(session.KindIdeaTheme, session.IdeaTheme{Idea: second, Theme: "Openness | data"})
		rap.send(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "We want funding.\n# and open data"})
		rap.send(session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: "Chair opened."})
		chair.send(session.KindQuestionPose, session.QuestionPose{Question: "q2"})
		part.idea("q2", "Stop long reports nobody reads", false)
		rap.send(session.KindReportPub, struct{}{})
	}
	org.send(session.KindSynthesis, session.TextEdit{Question: "q1", Text: "Every group asks for funding."})
}

// withoutEngagement cuts the Engagement section out of a report.
func withoutEngagement(md string) string {
	at := strings.Index(md, "## Engagement\n")
	if at < 0 {
		return md
	}
	end := strings.Index(md[at+1:], "\n## ")
	if end < 0 {
		return md[:at]
	}
	return md[:at] + md[at+1+end+1:]
}

func withoutSourceLines(md string) string {
	var out []string
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "- Source: ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestReportAndMergeAgainstRelay(t *testing.T) {
	url, codes := reportRelay(t)
	scriptRelaySession(t, url, codes)
	orgCode := relaytest.Code(t, codes, "", session.Organizer)

	conference, err := runCmd(t, newReportCmd, url, orgCode, "--appendix")
	if err != nil {
		t.Fatalf("report (organizer) = %v", err)
	}
	for _, want := range []string{"# Report test", "## Purpose and method", "12 people took part in 3 breakout groups: Manzoni (4), Verdi (4) and Rossini (4)",
		"Every group asks for funding.", "Raised in 3 of 3 groups (Manzoni, Verdi and Rossini)",
		"### Group report: Rossini", "- Source: session " + codes.Session, "relay " + url,
		"Openness \\| data", "merged in: Lunch on the terrace (Chair Manzoni)"} {
		if !strings.Contains(conference, want) {
			t.Errorf("conference report lacks %q:\n%s", want, conference)
		}
	}

	// Each group's JSON, exported with the rapporteur's code, merged.
	dir := t.TempDir()
	var files []string
	for _, g := range []string{"Manzoni", "Verdi", "Rossini"} {
		file := filepath.Join(dir, strings.ToLower(g)+".json")
		if _, err := runCmd(t, newReportCmd, url, relaytest.Code(t, codes, g, session.Rapporteur), "--format", "json", "-o", file); err != nil {
			t.Fatalf("report --format json (%s rapporteur) = %v", g, err)
		}
		files = append(files, file)
	}
	merged, err := runCmd(t, newMergeCmd, append(files, "--appendix")...)
	if err != nil {
		t.Fatalf("merge = %v", err)
	}
	// Without --appendix the conference report leaves the group reports out.
	body, err := runCmd(t, newReportCmd, url, orgCode)
	if err != nil || strings.Contains(body, "### Group report:") || !strings.Contains(body, "### Group summaries") {
		t.Errorf("report without --appendix = %v:\n%s\nwant the body without the group reports", err, body)
	}
	// The engagement figures come from the relay's state only.
	if got, want := withoutSourceLines(merged), withoutSourceLines(withoutEngagement(conference)); got != want {
		t.Errorf("merged report differs from the relay's, apart from sources:\n%s\n---- want ----\n%s", got, want)
	}
	if !strings.Contains(merged, "file "+files[1]) {
		t.Errorf("merged report does not name the file Verdi came from:\n%s", merged)
	}

	// The organizer's --group gives the group's own report.
	fromOrg, err := runCmd(t, newReportCmd, url, orgCode, "--group", "verdi")
	if err != nil {
		t.Fatalf("report --group verdi = %v", err)
	}
	fromChair, err := runCmd(t, newReportCmd, url, relaytest.Code(t, codes, "Verdi", session.Chair))
	if err != nil {
		t.Fatalf("report (Verdi chair) = %v", err)
	}
	if !strings.HasPrefix(fromOrg, "# Group report: Verdi\n") || fromOrg != fromChair {
		t.Errorf("organizer's --group verdi report:\n%s\nwant the chair's:\n%s", fromOrg, fromChair)
	}

	// CSV: one row per visible idea, anonymous ones without their author.
	csvOut, err := runCmd(t, newReportCmd, url, orgCode, "--format", "csv")
	if err != nil {
		t.Fatalf("report --format csv = %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) != 1+3*3 {
		t.Errorf("CSV has %d rows; want a header and 9 ideas:\n%s", len(rows), csvOut)
	}
	anonymous := 0
	for _, r := range rows[1:] {
		if r[4] == report.AnonymousAuthor {
			anonymous++
		}
	}
	if anonymous != 3 {
		t.Errorf("CSV has %d anonymous rows; want 3", anonymous)
	}

	// HTML: one page, from the relay or merged, written to a file.
	htmlFile := filepath.Join(dir, "conference.html")
	if _, err := runCmd(t, newReportCmd, url, orgCode, "--format", "html", "--appendix", "-o", htmlFile); err != nil {
		t.Fatalf("report --format html = %v", err)
	}
	data, err := os.ReadFile(htmlFile)
	if err != nil {
		t.Fatal(err)
	}
	htmlOut := string(data)
	mergedHTML, err := runCmd(t, newMergeCmd, append(files, "--format", "html", "--appendix")...)
	if err != nil {
		t.Fatalf("merge --format html = %v", err)
	}
	for name, page := range map[string]string{"report": htmlOut, "merge": mergedHTML} {
		for _, want := range []string{"<!DOCTYPE html>", "<title>Report test</title>", `<nav class="toc"`,
			`<h2 id="purpose-and-method">Purpose and method</h2>`, "Raised in 3 of 3 groups (Manzoni, Verdi and Rossini)",
			`<h3 id="group-report-rossini">Group report: Rossini</h3>`, "Every group asks for funding."} {
			if !strings.Contains(page, want) {
				t.Errorf("%s --format html lacks %q:\n%s", name, want, page)
			}
		}
	}

	// The anonymous ideas' author never shows, in any format.
	jsonOut, _ := runCmd(t, newReportCmd, url, orgCode, "--format", "json")
	mergedJSON, _ := runCmd(t, newMergeCmd, append(files, "--format", "json")...)
	if strings.Contains(body, "Secret Author") {
		t.Errorf("the conference report names the author of an anonymous idea")
	}
	outputs := map[string]string{"md": conference, "csv": csvOut, "json": jsonOut, "merged md": merged, "merged json": mergedJSON,
		"html": htmlOut, "merged html": mergedHTML}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		outputs[f] = string(data)
	}
	for name, out := range outputs {
		if strings.Contains(out, "Secret Author") {
			t.Errorf("%s names the author of an anonymous idea", name)
		}
		if !strings.Contains(out, report.AnonymousAuthor) {
			t.Errorf("%s shows no anonymous idea", name)
		}
	}
}

func TestReportErrors(t *testing.T) {
	url, codes := reportRelay(t)
	chair := relaytest.Code(t, codes, "Manzoni", session.Chair)
	org := relaytest.Code(t, codes, "", session.Organizer)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no args", nil, "give the relay's URL and your code"},
		{"bad format", []string{url, org, "--format", "pdf"}, `--format "pdf" is not known`},
		{"wrong code", []string{url, "NOT-A-CODE"}, "the relay refused: that join code is not valid"},
		{"other group", []string{url, chair, "--group", "Verdi"}, "your code is for group Manzoni"},
		{"unknown group", []string{url, org, "--group", "Puccini"}, `no group "Puccini"`},
		{"bad URL", []string{"ftp://x", org}, "scheme"},
		{"no relay", []string{"ws://127.0.0.1:1", org}, "reach the relay"},
		{"bad table", []string{url, org, "--format", "csv", "--table", "people"}, `--table "people" is not known`},
		{"table not csv", []string{url, org, "--table", "responses"}, "add --format csv"},
		{"table of a group", []string{url, chair, "--format", "csv", "--table", "participation"}, "is a table of the conference report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(t, newReportCmd, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("report %q = %v; want an error with %q", tc.args, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.json", `{"schema": "breakout.group-report/1", "group": "Verdi", "questions": []}`)
	b := write("b.json", `{"schema": "breakout.group-report/1", "group": "verdi", "questions": []}`)
	notReport := write("c.json", `{"hello": 1}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no files", nil, "give the group reports to merge"},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, "no such file"},
		{"not a report", []string{notReport}, "not a breakout report"},
		{"same group twice", []string{a, b}, "group verdi is in both"},
		{"bad format", []string{a, "--format", "docx"}, `--format "docx" is not known; use md, html, json or csv`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(t, newMergeCmd, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("merge %q = %v; want an error with %q", tc.args, err, tc.want)
			}
		})
	}
	out, err := runCmd(t, newMergeCmd, a, "--appendix")
	if err != nil || !strings.Contains(out, "### Group report: Verdi") {
		t.Errorf("merge of one group = %v:\n%s", err, out)
	}
}
