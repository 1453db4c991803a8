package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/report"
	"breakout/session"
)

const synthesisPlan = `
title = "Science and security: the next ten years"
subtitle = "Breakout groups of the second day"
venue = "Villa Olmo, Como"
organisers = ["The partnership secretariat"]

[[question]]
text = "Which threats need scientists at the table first?"
minutes = 20
[[question]]
text = "How should scientists and diplomats work together?"
minutes = 20
[[question]]
text = "What would make young researchers stay in the field?"
minutes = 15
[[question]]
text = "Which data should partners share, and how?"
minutes = 15
[[question]]
text = "What is the first step after this conference?"
minutes = 10

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
[[group]]
name = "Rossini"
`

// dayIdea is an idea of the scripted day: the group that raises it, its
// text, the rapporteur's tag (spelled as that rapporteur would), and
// whether the rapporteur marks it key.
type dayIdea struct {
	group, text, tag string
	key              bool
}

// synthesisDay is what each group said on each question. Tags name a
// theme in up to three groups in different spellings; some ideas repeat
// another group's point in other words; each group has one key idea of
// its own.
var synthesisDay = map[string][]dayIdea{
	"q1": {
		{"Manzoni", "Engineered pathogens are the threat that moves fastest", "Biosecurity", false},
		{"Verdi", "Lab safety rules for gene editing lag far behind the tools", "biosecurity", false},
		{"Rossini", "Synthetic biology needs oversight before the next outbreak", "Bio-security", false},
		{"Manzoni", "Attacks on hospital networks", "Cyber", false},
		{"Rossini", "Ransomware against hospitals and clinics", "cyber", false},
		{"Verdi", "Nuclear verification is losing its experts to retirement", "", true},
	},
	"q2": {
		{"Manzoni", "Place science advisers in every embassy", "Science advisers", false},
		{"Verdi", "A science adviser posted to each embassy", "science adviser", false},
		{"Rossini", "Joint training courses for diplomats and researchers", "Training", false},
		{"Manzoni", "Shared courses where diplomats and scientists learn together", "training", false},
		{"Rossini", "A hotline between academies during a crisis", "", true},
	},
	"q3": {
		{"Manzoni", "Contracts longer than two years for postdocs", "Careers", false},
		{"Verdi", "Stable contracts for early career researchers", "careers", false},
		{"Rossini", "Career paths that do not end after the PhD", "Career", false},
		{"Manzoni", "Mentors from industry for every doctoral student", "", true},
	},
	"q4": {
		{"Manzoni", "Share outbreak data within a day of detection", "Outbreak data", false},
		{"Rossini", "Outbreak data shared across borders within hours", "outbreak-data", false},
		{"Verdi", "A common format for shared sensor readings", "Formats", false},
		{"Verdi", "Publish negative results too", "", true},
	},
	"q5": {
		{"Manzoni", "Meet again in six months to check progress", "Follow-up", false},
		{"Verdi", "A follow-up meeting within half a year", "follow up", false},
		{"Rossini", "A follow-up meeting in six months with the same groups", "Follow-up", false},
		{"Rossini", "Name one contact person per partner", "", true},
	},
}

// TestConferenceSynthesisEndToEnd plays a day of three groups and five
// questions through a real relay, with rapporteurs tagging in their own
// spellings, and checks the conference report a secretariat would send:
// themes named after the tags, "raised in k of n" right for every tagged
// theme, each group's own key idea in the body, no heading made of stems,
// and a conference theme the organizer built counted as such.
func TestConferenceSynthesisEndToEnd(t *testing.T) {
	r := relaytest.Start(t, relay.Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := r.Create(t, synthesisPlan)
	url := r.URL
	org := joinReportRelay(t, url, relaytest.Code(t, codes, "", session.Organizer), "Olga Organizer", "")
	type room struct{ chair, rap, part *reportPeer }
	rooms := map[string]room{}
	for _, g := range []string{"Manzoni", "Verdi", "Rossini"} {
		rooms[g] = room{
			chair: joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Chair), "Chair "+g, "diplomacy"),
			rap:   joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Rapporteur), "Rapporteur "+g, "science"),
			part:  joinReportRelay(t, url, relaytest.Code(t, codes, g, session.Participant), "Participant "+g, "policy"),
		}
	}
	// tagged counts, per question and folded tag, the groups that used it.
	tagged := map[string]map[string][]string{}
	keyIdeas := map[string]string{} // text → group
	ids := map[string]string{}      // text → idea id
	for n := 1; n <= 5; n++ {
		q := fmt.Sprintf("q%d", n)
		for _, rm := range rooms {
			if n > 1 {
				rm.chair.send(session.KindQuestionPose, session.QuestionPose{Question: q})
			}
		}
		tagged[q] = map[string][]string{}
		for _, d := range synthesisDay[q] {
			rm := rooms[d.group]
			id := rm.part.idea(q, d.text, false)
			ids[d.text] = id
			rm.rap.send(session.KindIdeaVote, session.IdeaRef{Idea: id})
			if d.tag != "" {
				rm.rap.send(session.KindIdeaTheme, session.IdeaTheme{Idea: id, Theme: d.tag})
				k := strings.ReplaceAll(strings.ToLower(strings.TrimSuffix(d.tag, "s")), "-", " ")
				k = strings.ReplaceAll(k, " ", "")
				if !slices.Contains(tagged[q][k], d.group) {
					tagged[q][k] = append(tagged[q][k], d.group)
				}
			}
			if d.key {
				rm.rap.send(session.KindIdeaKey, session.IdeaFlag{Idea: id, On: true})
				keyIdeas[d.text] = d.group
			}
		}
	}
	for _, rm := range rooms {
		rm.rap.send(session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "Biosecurity came first, then hospitals."})
		rm.rap.send(session.KindReportPub, struct{}{})
	}
	// The organizer gathers two q4 ideas that share no tag into one theme.
	org.send(session.KindThemeCreate, session.ThemeCreate{Question: "q4", Name: "Open science",
		Ideas: []string{ids["A common format for shared sensor readings"], ids["Publish negative results too"]}})
	org.send(session.KindExecutiveEdit, session.TextEdit{Text: "The groups agreed on more than they expected."})

	out, err := runCmd(t, newReportCmd, url, relaytest.Code(t, codes, "", session.Organizer), "--format", "json")
	if err != nil {
		t.Fatalf("report --format json = %v", err)
	}
	var c report.Conference
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("decode the conference report: %v", err)
	}
	md, err := runCmd(t, newReportCmd, url, relaytest.Code(t, codes, "", session.Organizer))
	if err != nil {
		t.Fatalf("report = %v", err)
	}

	for n, cq := range c.Questions {
		q := fmt.Sprintf("q%d", n+1)
		// Every tag used in two or more groups is a theme raised in that
		// many groups, named by the tag.
		for k, groups := range tagged[q] {
			if len(groups) < 2 {
				continue
			}
			var found *report.Theme
			for i := range cq.Themes {
				name := strings.ReplaceAll(strings.ReplaceAll(strings.ToLower(cq.Themes[i].Name), "-", ""), " ", "")
				if strings.TrimSuffix(name, "s") == k {
					found = &cq.Themes[i]
				}
			}
			if found == nil {
				t.Errorf("%s: the tag %q, used in %v, is no theme; themes: %+v", q, k, groups, cq.Themes)
				continue
			}
			if len(found.Groups) != len(groups) || found.Of != 3 {
				t.Errorf("%s: theme %q raised in %v of %d; want %d of 3 (%v)", q, found.Name, found.Groups, found.Of, len(groups), groups)
			}
		}
		for _, th := range cq.Themes {
			if regexp.MustCompile(`^[a-z]+, [a-z]+, [a-z]+$`).MatchString(th.Name) {
				t.Errorf("%s: theme named by stems: %q", q, th.Name)
			}
		}
	}
	// The organizer's theme is there, raised in the one group it has.
	q4 := c.Questions[3]
	if !slices.ContainsFunc(q4.Themes, func(th report.Theme) bool {
		return th.Name == "Open science" && th.From == report.FromOrganizer && len(th.Points) == 2
	}) {
		t.Errorf("q4 lacks the organizer's theme Open science: %+v", q4.Themes)
	}
	// Each group's key idea of its own is in the body, under its group.
	for text, g := range keyIdeas {
		if text == "Publish negative results too" {
			continue // in the organizer's theme
		}
		if !strings.Contains(md, text+" (1 vote, key idea)") {
			t.Errorf("the report's body lacks %s's key idea %q", g, text)
		}
	}
	for _, want := range []string{"*Breakout groups of the second day*", "Villa Olmo, Como",
		"Organised by The partnership secretariat.", "## Executive summary", "## Purpose and method",
		"### Raised in one group", "Question 1: Which threats need scientists at the table first? (20 minutes)"} {
		if !strings.Contains(md, want) {
			t.Errorf("the conference report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Appendix") || strings.Contains(md, "TF-IDF") {
		t.Errorf("the conference report holds the appendix or speaks of TF-IDF without --appendix:\n%s", md)
	}
}
