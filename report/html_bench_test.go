package report_test

import (
	"breakout/report"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// benchGroups builds group reports of the given size from a fixed seed:
// ideas of 6 to 12 words drawn from one vocabulary (so that themes are
// shared), with votes, themes, key ideas, merges, and Markdown minutes and
// summaries.
func benchGroups(groups, questions, ideas int) []report.Group {
	r := rand.New(rand.NewPCG(17, 17))
	vocab := strings.Fields(`funding researchers young open data platform training skills digital meetings
		reports travel budget contracts mobility mentoring students industry partners outreach schools
		policy evaluation transparency software infrastructure archive publications careers equality`)
	sentence := func(n int) string {
		words := make([]string, n)
		for k := range words {
			words[k] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(words, " ")
	}
	start := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	var out []report.Group
	for g := range groups {
		name := fmt.Sprintf("Group %d", g+1)
		gr := report.Group{SchemaVersion: report.GroupSchema, Source: report.Source{Session: "bench", Seq: 9000},
			Title: "Bench conference", Group: name, Members: 10, Chairs: []string{name + " chair"},
			Rapporteurs: []string{name + " rapporteur"},
			Backgrounds: []report.BackgroundTally{{Background: "academia", Count: 6}, {Background: "industry", Count: 4}}}
		for q := range questions {
			gq := report.GroupQuestion{ID: fmt.Sprintf("q%d", q+1), Text: "What about " + sentence(4) + "?",
				Summary: "## Agreed\n- " + sentence(8) + "\n- **" + sentence(5) + "**\n\n" + sentence(30),
				Minutes: "# Discussion\n" + sentence(40) + "\n\n```\n" + sentence(10) + "\n```\n\n> " + sentence(12)}
			for i := range ideas {
				idea := report.Idea{ID: fmt.Sprintf("g%d-q%d-i%d", g, q, i), Text: sentence(6 + r.IntN(7)),
					Author: fmt.Sprintf("%s person %d", name, r.IntN(10)), Votes: r.IntN(8), Key: r.IntN(20) == 0,
					Pinned: r.IntN(30) == 0, Created: start.Add(time.Duration(i) * time.Second)}
				if r.IntN(3) == 0 {
					idea.Theme = vocab[r.IntN(8)]
				}
				if r.IntN(10) == 0 {
					idea.Merged = []report.MergedIdea{{ID: idea.ID + "m", Text: sentence(7), Author: report.AnonymousAuthor}}
				}
				gq.Ideas = append(gq.Ideas, idea)
			}
			gr.Questions = append(gr.Questions, gq)
		}
		out = append(out, gr)
	}
	return out
}

// BenchmarkConferenceMarkdown: the conference report of 3 groups × 5
// questions × 200 ideas, merged and written as Markdown, in well under a
// second.
func BenchmarkConferenceMarkdown(b *testing.B) {
	groups := benchGroups(3, 5, 200)
	for b.Loop() {
		c := report.Merge(groups)
		c.Appendix = true
		if err := c.WriteMarkdown(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConferenceHTML: the same report as an HTML page, also in well
// under a second.
func BenchmarkConferenceHTML(b *testing.B) {
	groups := benchGroups(3, 5, 200)
	for b.Loop() {
		c := report.Merge(groups)
		c.Appendix = true
		if err := c.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConferenceHTMLLarge: the benchmark's report, with its appendix, holds
// the themes and every idea.
func TestConferenceHTMLLarge(t *testing.T) {
	c := report.Merge(benchGroups(3, 5, 200))
	c.Appendix = true // every idea, in the group reports
	var out strings.Builder
	if err := c.WriteHTML(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Raised in") || strings.Count(out.String(), "<li>") < 3000 {
		t.Errorf("the HTML of 3,000 ideas lacks shared themes or ideas")
	}
}
