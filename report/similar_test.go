package report_test

import (
	"breakout/report"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// similarGroups builds group reports with one question whose ideas are
// texts[g] for group g (groups A, B, C, …).
func similarGroups(texts ...[]string) []report.Group {
	var out []report.Group
	for g, ideas := range texts {
		name := string(rune('A' + g))
		q := report.GroupQuestion{ID: "q1", Text: "What now?"}
		for k, text := range ideas {
			q.Ideas = append(q.Ideas, report.Idea{ID: fmt.Sprintf("i%d", k+1), Text: text,
				Author: "someone", Votes: len(ideas) - k})
		}
		out = append(out, report.Group{SchemaVersion: report.GroupSchema, Title: "T",
			Group: name, Members: 3, Questions: []report.GroupQuestion{q}})
	}
	return out
}

// similarThemes returns each shared theme of question 1 as its ideas,
// "group:text", sorted.
func similarThemes(groups []report.Group) [][]string {
	c := report.Merge(groups)
	var out [][]string
	for _, t := range c.Questions[0].Themes {
		var ideas []string
		for _, i := range t.Points {
			ideas = append(ideas, i.Group+":"+i.Text)
		}
		slices.Sort(ideas)
		out = append(out, ideas)
	}
	return out
}

func TestSimilarParaphrasesGrouped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups [][]string
		want   [][]string
	}{
		{
			name: "same words, other order and inflection",
			groups: [][]string{
				{"Better funding for young researchers", "Plant trees around the campus"},
				{"Young researchers need more funding", "Cheaper train tickets for staff"},
				{"More funds for researchers who are young", "A second cafeteria"},
			},
			want: [][]string{{
				"A:Better funding for young researchers",
				"B:Young researchers need more funding",
				"C:More funds for researchers who are young",
			}},
		},
		{
			name: "two themes stay apart",
			groups: [][]string{
				{"Train teachers in digital skills", "Publish all project data openly"},
				{"Digital skills training for teachers", "Open project data, published for all"},
			},
			want: [][]string{
				{"A:Publish all project data openly", "B:Open project data, published for all"},
				{"A:Train teachers in digital skills", "B:Digital skills training for teachers"},
			},
		},
		{
			name: "punctuation and case do not matter",
			groups: [][]string{
				{"STOP long reports!!!"},
				{"stop: long-reports"},
			},
			want: [][]string{{"A:STOP long reports!!!", "B:stop: long-reports"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := similarThemes(similarGroups(tc.groups...))
			for _, w := range tc.want {
				slices.Sort(w)
			}
			slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
			slices.SortFunc(tc.want, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("themes = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestSimilarUnrelatedNotGrouped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups [][]string
	}{
		{"no shared words", [][]string{
			{"Plant trees around the campus", "Reduce travel costs"},
			{"Hire a data steward", "Weekly newsletter"},
			{"A second cafeteria", "Mentoring for new staff"},
		}},
		{"one common word", [][]string{
			{"Open the data"},
			{"Open the meetings to everyone"},
			{"Open a second office in Milan"},
		}},
		{"stop words and filler only in common", [][]string{
			{"We should really make more of the library"},
			{"We should really make more of our alumni"},
		}},
		{"paraphrases within one group only", [][]string{
			{"Better funding for young researchers", "Young researchers need more funding"},
			{"Plant trees around the campus"},
		}},
		{"empty and stop-word ideas", [][]string{
			{"", "yes!", "the"},
			{"", "Yes", "the"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := similarThemes(similarGroups(tc.groups...)); len(got) != 0 {
				t.Errorf("themes = %q; want none", got)
			}
		})
	}
}

// TestSimilarNoChaining: ideas that each share words with the next do not
// all end up in one theme when the ends have nothing in common.
func TestSimilarNoChaining(t *testing.T) {
	got := similarThemes(similarGroups(
		[]string{"Funding for young researchers"},
		[]string{"Young researchers abroad"},
		[]string{"Researchers abroad in winter"},
		[]string{"Winter school abroad"},
	))
	for _, theme := range got {
		if slices.Contains(theme, "A:Funding for young researchers") && slices.Contains(theme, "D:Winter school abroad") {
			t.Errorf("themes = %q; the first and last idea share no word and must not be one theme", got)
		}
	}
}

func TestSimilarThemeCounts(t *testing.T) {
	groups := similarGroups(
		[]string{"Better funding for young researchers"},
		[]string{"Young researchers need more funding"},
		[]string{"Plant trees around the campus"},
	)
	c := report.Merge(groups)
	themes := c.Questions[0].Themes
	if len(themes) != 1 {
		t.Fatalf("themes = %+v; want 1", themes)
	}
	th := themes[0]
	if !slices.Equal(th.Groups, []string{"A", "B"}) || th.Of != 3 || th.Votes != 2 {
		t.Errorf("theme = groups %v of %d, %d votes; want [A B] of 3, 2 votes", th.Groups, th.Of, th.Votes)
	}
	// A theme is named by a phrase of one of its ideas, never by stems.
	if th.Name != "Better funding for young researchers" && th.Name != "Young researchers need more funding" {
		t.Errorf("theme name = %q; want the text of one of its ideas", th.Name)
	}
	md := c.Markdown()
	if !strings.Contains(md, "Raised in 2 of 3 groups (A and B), 2 votes in all.") {
		t.Errorf("Markdown lacks the raised-in line:\n%s", md)
	}
}

// reportBenchState makes groups × questions × ideas ideas of 6 to 12 words
// drawn from a vocabulary of topics, so that there are real themes.
func reportBenchState(groups, questions, ideas int) *session.State {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields(`funding young researchers stable contracts open data platform
		publish projects digital skills training teachers mobility grants abroad travel costs
		meetings reports shorter newsletter website partners industry universities schools
		students mentoring equality diversity climate energy campus buildings libraries archives
		evaluation metrics careers networks conferences workshops summer winter policy
		regional national european funding calls administration bureaucracy simplify`)
	s := session.New()
	s.ID, s.Title, s.Seq = "bench", "Benchmark", 1
	for q := range questions {
		s.Questions = append(s.Questions, session.Question{ID: fmt.Sprintf("q%d", q+1), Text: "Question?"})
	}
	n := 0
	for g := range groups {
		name := fmt.Sprintf("G%d", g+1)
		s.Groups = append(s.Groups, &session.Group{Name: name, Current: "q1"})
		for p := range 10 {
			id := fmt.Sprintf("%s-p%d", name, p)
			s.People[id] = &session.Person{ID: id, Name: id, Background: vocab[p], Role: session.Participant,
				Group: name, Joined: true}
		}
		for _, q := range s.Questions {
			for range ideas {
				n++
				words := make([]string, 6+r.IntN(7))
				for k := range words {
					words[k] = vocab[r.IntN(len(vocab))]
				}
				id := fmt.Sprintf("i%d", n)
				s.Ideas[id] = &session.Idea{ID: id, Group: name, Question: q.ID, Text: strings.Join(words, " "),
					Author: fmt.Sprintf("%s-p%d", name, r.IntN(10)), Anonymous: r.IntN(5) == 0,
					Created: time.Unix(int64(n), 0).UTC(), Voters: []string{fmt.Sprintf("%s-p%d", name, r.IntN(10))}}
			}
		}
	}
	return s
}

// BenchmarkConferenceReport: 3 groups × 5 questions × 200 ideas each
// (3,000 ideas) must give the conference report in well under a second.
func BenchmarkConferenceReport(b *testing.B) {
	s := reportBenchState(3, 5, 200)
	b.ResetTimer()
	for b.Loop() {
		if md := report.ConferenceMarkdown(s); len(md) == 0 {
			b.Fatal("empty report")
		}
	}
}

// TestConferenceReportOfManyIdeas: a conference of 3 groups × 5
// questions × 200 ideas drawn from one vocabulary gives a report with
// shared themes. How long it takes is BenchmarkConferenceMarkdown's.
func TestConferenceReportOfManyIdeas(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000 ideas")
	}
	md := report.ConferenceMarkdown(reportBenchState(3, 5, 200))
	if !strings.Contains(md, "Raised in") {
		t.Errorf("no shared theme among 3,000 ideas drawn from one vocabulary")
	}
}
