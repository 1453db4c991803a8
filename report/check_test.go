package report_test

import (
	"strings"
	"testing"

	"breakout/report"
)

func TestScrubStripsWhatDrivesATerminal(t *testing.T) {
	g := report.Group{SchemaVersion: report.GroupSchema, Title: "Day\x1b]0;pwned\x07 one", Group: "Verdi\u009b2J",
		Chairs: []string{"Ana\x1b[31m"}, Questions: []report.GroupQuestion{{ID: "q1", Text: "Keep?",
			Minutes: "line\none\u202e", Ideas: []report.Idea{{Text: "Trains 👩\u200d💻 العربية\tfirst", Author: "Ben"}}}}}
	report.Scrub(&g)
	if g.Title != "Day one" || g.Group != "Verdi2J" || g.Chairs[0] != "Ana" || g.Questions[0].Minutes != "line\none" {
		t.Errorf("Scrub = title %q group %q chair %q minutes %q; want the escape sequences gone",
			g.Title, g.Group, g.Chairs[0], g.Questions[0].Minutes)
	}
	if got := g.Questions[0].Ideas[0].Text; got != "Trains 👩\u200d💻 العربية\tfirst" {
		t.Errorf("Scrub changed plain text to %q", got)
	}
	if err := report.Check(&g); err != nil {
		t.Errorf("Check after Scrub = %v", err)
	}
}

func TestReportCSVNeutralisesSplits(t *testing.T) {
	for in, want := range map[string]string{
		"Agreed;=cmd|' /C calc'!A0": "Agreed;'=cmd|' /C calc'!A0",
		"=1+1":                      "'=1+1",
		"a | @x":                    "a | '@x",
		"a,\t-2":                    "a,\t'-2",
		"line\n+3":                  "line\n'+3",
		"\t=x":                      "'\t'=x",
		"2026-12-01 well-known":     "2026-12-01 well-known",
		"e-mail a-b":                "e-mail a-b",
	} {
		if got := report.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q; want %q", in, got, want)
		}
	}
	if strings.Contains(report.CSVCell("x;=y"), ";=") {
		t.Error("a formula after ; stays")
	}
}
