package report_test

import (
	"fmt"
	"testing"
	"time"

	"breakout/report"
	"breakout/session"
)

// benchLog builds the state of a day of 45 people in 3 groups from n log
// entries: ideas (some anonymous, some building on others), votes and
// votes taken back, and survey answers.
func benchLog(tb testing.TB, n int) *session.State {
	tb.Helper()
	plan := reportPlan()
	plan.VotesPerPerson = 5
	plan.Survey = []session.PlanSurveyItem{{ID: "s1", Kind: session.SurveyScale, Text: "How useful?"}}
	r := newReportScript(tb, plan)
	r.join("Olga", "", session.Organizer, "")
	var people []string
	for k := range 45 {
		name := fmt.Sprintf("Person %02d", k)
		role := session.Participant
		switch k / 3 % 15 {
		case 0:
			role = session.Chair
		case 1:
			role = session.Rapporteur
		}
		r.join(name, []string{"Academia", "Industry", "Government", "Civil society"}[k%4], role, reportPlan().Groups[k%3].Name)
		people = append(people, name)
	}
	r.do("Olga", session.KindSurveyOpen, session.SurveyRef{})
	last := map[string]string{} // group -> its newest idea
	voted := map[string]string{}
	for k := 0; r.n < n; k++ {
		name := people[k%45]
		group := r.s.People[r.people[name]].Group
		switch k % 10 {
		case 0, 1, 2, 3, 4, 5:
			d := session.IdeaAdd{Question: "q1", Text: "An idea about trains", Anonymous: k%7 == 0}
			if k%4 == 0 && last[group] != "" {
				d.BuildsOn = last[group]
			}
			last[group] = r.do(name, session.KindIdeaAdd, d).Data.Idea
		case 6, 7:
			if id := voted[name]; id != "" {
				r.do(name, session.KindIdeaUnvote, session.IdeaRef{Idea: id})
				voted[name] = ""
			} else if id := last[group]; id != "" {
				r.do(name, session.KindIdeaVote, session.IdeaRef{Idea: id})
				voted[name] = id
			}
		default:
			r.do(name, session.KindSurveyAnswer, session.Answer{Item: "s1", Value: k%5 + 1})
		}
	}
	return r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer})
}

// BenchmarkEngagement works out the participation figures of 45 people
// over 50,000 log entries; the issue asks for under 100 ms.
func BenchmarkEngagement(b *testing.B) {
	s := benchLog(b, 50000)
	b.ReportAllocs()
	for b.Loop() {
		report.NewEngagement(s)
	}
	if per := b.Elapsed() / time.Duration(b.N); per > 100*time.Millisecond {
		b.Errorf("NewEngagement took %v per run; want under 100ms", per)
	}
}

// TestBenchLog checks the benchmark's day holds what it claims, on a
// smaller log.
func TestBenchLog(t *testing.T) {
	s := benchLog(t, 2000)
	e := report.NewEngagement(s)
	if e.Total.Joined != 45 || e.Total.Ideas < 1000 || e.Total.Anonymous == 0 || e.Total.BuildOns == 0 || e.Survey[0].Respondents == 0 {
		t.Errorf("bench day figures = %+v, survey %d answers; want 45 people, 1000+ ideas, anonymous ones, build-ons, answers",
			e.Total, e.Survey[0].Respondents)
	}
}
