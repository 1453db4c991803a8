package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"breakout/report"
	"breakout/session"
)

// engagementSession is a small day whose figures are worked out by hand
// in TestEngagementFigures: two groups, one minute between entries.
func engagementSession(tb testing.TB) *reportScript {
	tb.Helper()
	plan := reportPlan()
	plan.Groups = plan.Groups[:2]
	plan.VotesPerPerson = 2
	plan.People = []session.PlanPerson{{Name: "Never Came", Background: "Law", Group: "Verdi"}}
	plan.Survey = []session.PlanSurveyItem{
		{ID: "useful", Kind: session.SurveyScale, Text: "How useful?", Labels: []string{"No", "Very"}},
		{ID: "change", Kind: session.SurveyText, Text: "What should change?"},
	}
	r := newReportScript(tb, plan)                                                                          // 09:01
	r.join("Olga", "", session.Organizer, "")                                                               // 09:02
	r.join("Anna", "Law", session.Chair, "Manzoni")                                                         // 09:03
	r.join("Bruno", "law ", session.Participant, "Manzoni")                                                 // 09:04
	r.join("Carla", "Economics", session.Participant, "Verdi")                                              // 09:05
	r.join("Dario", "Economics", session.Rapporteur, "Verdi")                                               // 09:06
	r.idea("a1", "Anna", "Trains", false)                                                                   // 09:07
	r.idea("b1", "Bruno", "Buses", true)                                                                    // 09:08 anonymous
	r.idea("a2", "Anna", "More trains", false)                                                              // 09:09
	r.do("Anna", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Trams", BuildsOn: r.id("a1")}) // 09:10
	r.idea("c1", "Carla", "Tickets", false)                                                                 // 09:11
	r.vote("Bruno", "a1", "a2")                                                                             // 09:12, 09:13
	r.vote("Carla", "c1")                                                                                   // 09:14
	r.do("Olga", session.KindSurveyOpen, session.SurveyRef{})                                               // 09:15
	for _, p := range []string{"Anna", "Bruno", "Carla"} {
		r.do(p, session.KindSurveyAnswer, session.Answer{Item: "useful", Value: 4})
		r.do(p, session.KindSurveyAnswer, session.Answer{Item: "change", Text: "More breaks from " + p})
	}
	return r
}

func TestEngagementFigures(t *testing.T) {
	r := engagementSession(t)
	e := report.NewEngagement(r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer}))
	secs := func(n int) *int { return &n }
	want := report.Engagement{
		Start: reportStart.Add(7 * time.Minute), BucketMinutes: 1,
		Total: report.Participation{Members: 5, Joined: 4, Contributed: 3, Silent: 1, Ideas: 5, Anonymous: 1,
			IdeasPerPerson: 1.25, Votes: 3, VoteBudget: 16, BuildOns: 1,
			// Anna 4 min, Carla 6 min: the median is 5 min.
			FirstIdeaSeconds: secs(300), PerMinute: []int{1, 1, 1, 1, 1}},
		Groups: []report.GroupFigures{
			{"Manzoni", report.Participation{Members: 2, Joined: 2, Contributed: 2, Ideas: 4, Anonymous: 1,
				IdeasPerPerson: 2, Votes: 2, VoteBudget: 8, BuildOns: 1, FirstIdeaSeconds: secs(240), PerMinute: []int{1, 1, 1, 1, 0}}},
			{"Verdi", report.Participation{Members: 3, Joined: 2, Contributed: 1, Silent: 1, Ideas: 1,
				IdeasPerPerson: 0.5, Votes: 1, VoteBudget: 8, FirstIdeaSeconds: secs(360), PerMinute: []int{0, 0, 0, 0, 1}}},
		},
		// Bruno's anonymous idea counts in no background; "law " is "Law".
		Backgrounds: []report.BackgroundFigures{
			{"Economics", report.Participation{Members: 2, Joined: 2, Contributed: 1, Silent: 1, Ideas: 1,
				IdeasPerPerson: 0.5, Votes: 1, VoteBudget: 8, FirstIdeaSeconds: secs(360)}},
			{"Law", report.Participation{Members: 3, Joined: 2, Contributed: 2, Ideas: 3, IdeasPerPerson: 1.5,
				Votes: 2, VoteBudget: 8, BuildOns: 1, FirstIdeaSeconds: secs(240)}},
		},
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"start", e.Start, want.Start}, {"bucket", e.BucketMinutes, want.BucketMinutes},
		{"total", e.Total, want.Total}, {"groups", e.Groups, want.Groups}, {"backgrounds", e.Backgrounds, want.Backgrounds},
	} {
		if g, w := jsonString(t, f.got), jsonString(t, f.want); g != w {
			t.Errorf("NewEngagement %s = %s; want %s", f.name, g, w)
		}
	}
	if len(e.Survey) != 2 || e.Survey[0].Respondents != 3 || e.Survey[0].Counts[3] != 3 || len(e.Survey[1].Texts) != 3 {
		t.Errorf("NewEngagement survey = %s; want 3 answers of 4 and 3 texts", jsonString(t, e.Survey))
	}
}

func jsonString(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestEngagementExportsAnonymous: no export of the conference report
// names who answered the survey or who wrote an anonymous idea, even when
// built from the relay's full state.
func TestEngagementExportsAnonymous(t *testing.T) {
	r := engagementSession(t)
	for _, s := range []*session.State{r.s, r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer})} {
		c := report.NewConference(s)
		outputs := map[string]string{}
		for _, f := range []struct {
			name  string
			write func(*bytes.Buffer) error
		}{
			{"md", func(b *bytes.Buffer) error { return c.WriteMarkdown(b) }},
			{"html", func(b *bytes.Buffer) error { return c.WriteHTML(b) }},
			{"json", func(b *bytes.Buffer) error { return c.WriteJSON(b) }},
			{"csv", func(b *bytes.Buffer) error { return c.WriteCSV(b) }},
			{"responses", func(b *bytes.Buffer) error { return c.WriteTableCSV(b, report.TableResponses) }},
			{"participation", func(b *bytes.Buffer) error { return c.WriteTableCSV(b, report.TableParticipation) }},
		} {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatalf("write %s: %v", f.name, err)
			}
			outputs[f.name] = b.String()
		}
		for name, out := range outputs {
			for _, p := range []string{"Anna", "Bruno", "Carla"} {
				// The text answers hold the names on purpose; the
				// answers' authors are in no field.
				for _, id := range []string{`"` + r.people[p] + `"`, "," + r.people[p] + ","} {
					if strings.Contains(out, id) {
						t.Errorf("%s export holds person id %s", name, id)
					}
				}
			}
			if strings.Contains(out, "Bruno") && !strings.Contains(out, "More breaks from Bruno") {
				t.Errorf("%s export names Bruno, the anonymous idea's author: %s", name, out)
			}
		}
		if !strings.Contains(outputs["md"], "More breaks from Carla") || !strings.Contains(outputs["responses"], "More breaks from Carla") {
			t.Errorf("the survey's text answers are missing from the report")
		}
	}
}

func TestEngagementTables(t *testing.T) {
	r := engagementSession(t)
	c := report.NewConference(r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer}))
	read := func(table string) [][]string {
		var b bytes.Buffer
		if err := c.WriteTableCSV(&b, table); err != nil {
			t.Fatalf("WriteTableCSV(%s) = %v", table, err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("read %s CSV: %v", table, err)
		}
		return rows
	}
	part := read(report.TableParticipation)
	if got := strings.Join(part[0], ","); got != strings.Join(report.ParticipationHeader, ",") {
		t.Errorf("participation header = %s", got)
	}
	want := "group,Manzoni,2,2,2,0,4,1,2.00,2,8,1,240,2026-11-29T09:07:00Z,1,1 1 1 1 0"
	if got := strings.Join(part[2], ","); got != want {
		t.Errorf("participation row of Manzoni = %s; want %s", got, want)
	}
	resp := read(report.TableResponses)
	if got := strings.Join(resp[4], ","); got != "useful,scale,How useful?,total,,3,4,3" {
		t.Errorf("responses row of the answer 4 = %s; want useful,scale,How useful?,total,,3,4,3", got)
	}
	if len(resp) != 1+5+3 { // every cell is small: no breakdown
		t.Errorf("responses table has %d rows; want 9 (header, 5 points, 3 texts): %v", len(resp), resp)
	}
	if err := c.WriteTableCSV(&bytes.Buffer{}, "people"); err == nil {
		t.Errorf("WriteTableCSV(people) = nil; want an error")
	}
	merged := report.Merge(c.Groups)
	if err := merged.WriteTableCSV(&bytes.Buffer{}, report.TableResponses); err != report.ErrNoEngagement {
		t.Errorf("WriteTableCSV(responses) of a merged report = %v; want ErrNoEngagement", err)
	}
}

// TestEngagementCharts: the HTML export draws its charts in place of its
// markers, escapes names in them, and draws nothing where user text
// imitates a marker.
func TestEngagementCharts(t *testing.T) {
	r := newReportScript(t, reportPlan())
	r.join("Olga", "", session.Organizer, "")
	r.join("Anna", `<script>alert("x")</script>`, session.Rapporteur, "Manzoni")
	r.idea("a", "Anna", "Trains", false)
	r.do("Anna", session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "`chart-per-minute` and `chart-000000000000000000000000-per-minute`"})
	r.do("Anna", session.KindReportPub, struct{}{})
	c := report.NewConference(r.s)
	var b bytes.Buffer
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `<figure class="chart"><svg`); n != 2 {
		t.Errorf("page holds %d charts; want 2 (ideas over time, backgrounds)", n)
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("page holds a script element")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the background's name is not escaped in the chart")
	}
	if !strings.Contains(page, "<code>chart-000000000000000000000000-per-minute</code>") {
		t.Errorf("user text that looks like a marker did not stay text")
	}
	if strings.Contains(page, "<p><code>chart-") && strings.Count(page, "<code>chart-") != 2 {
		t.Errorf("a marker was left in the page")
	}
}

// TestPriorityRanking: the plenary's priority votes over a question's
// conference theme and recommendations are ranked together in every
// export, and the conference report ranks the recommendations by them.
func TestPriorityRanking(t *testing.T) {
	r := engagementSession(t)
	org := func(kind string, data any) session.Event { return r.do("Olga", kind, data) }
	theme := org(session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Rail", Ideas: []string{r.id("a1")}}).Data.Themes[0].ID
	rec := func(text string) string {
		return org(session.KindRecommendationAdd, session.RecommendationAdd{Question: "q1", Text: text}).Data.Recommendations[0].ID
	}
	tickets, trams := rec("Cheaper tickets"), rec("Trams in every town")
	org(session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
	// Votes: trams 3, the theme 2, tickets 1; worked out by hand.
	for _, v := range []struct {
		who string
		ref session.PriorityRef
	}{
		{"Anna", session.PriorityRef{Recommendation: trams}}, {"Bruno", session.PriorityRef{Recommendation: trams}},
		{"Carla", session.PriorityRef{Recommendation: trams}}, {"Anna", session.PriorityRef{Theme: theme}},
		{"Dario", session.PriorityRef{Theme: theme}}, {"Dario", session.PriorityRef{Recommendation: tickets}},
	} {
		r.do(v.who, session.KindPriorityVote, v.ref)
	}
	c := report.NewConference(r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer}))
	pr := c.Engagement.Priorities
	if len(pr) != 1 || pr[0].Question != "q1" {
		t.Fatalf("priorities = %s; want one question, q1", jsonString(t, pr))
	}
	var got []string
	for _, x := range pr[0].Ranked() {
		got = append(got, fmt.Sprintf("%s %s %d", x.Kind, x.Name, x.Votes))
	}
	want := []string{"recommendation Trams in every town 3", "theme Rail 2", "recommendation Cheaper tickets 1"}
	if !slices.Equal(got, want) {
		t.Errorf("Ranked() = %q; want %q", got, want)
	}
	if g := jsonString(t, pr[0].Recommendations); g != `[{"name":"Trams in every town","votes":3},{"name":"Cheaper tickets","votes":1}]` {
		t.Errorf("priorities' recommendations = %s", g)
	}
	md := c.Markdown()
	for _, line := range []string{
		"| Trams in every town | recommendation | 3 |", "| Rail | theme | 2 |", "| Cheaper tickets | recommendation | 1 |",
		"- Trams in every town (3 priority votes)\n- Cheaper tickets (1 priority vote)",
	} {
		if !strings.Contains(md, line) {
			t.Errorf("Markdown lacks %q:\n%s", line, md)
		}
	}
	var b bytes.Buffer
	if err := c.WriteTableCSV(&b, report.TablePriorities); err != nil {
		t.Fatalf("WriteTableCSV(priorities) = %v", err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(report.PrioritiesHeader, ",") ||
		strings.Join(rows[1], ",") != "q1,How best to meet the challenges of the future?,1,recommendation,Trams in every town,3" ||
		strings.Join(rows[2], ",") != "q1,How best to meet the challenges of the future?,2,theme,Rail,2" {
		t.Errorf("priorities table = %q", rows)
	}
	b.Reset()
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `aria-label="priority votes"`) || !strings.Contains(b.String(), "Rec.: Trams in every") {
		t.Errorf("the HTML export draws no priority chart with the recommendations")
	}

	// Merged from group reports of two relays of separate sessions, the
	// same recommendation adds up its votes; one session's groups count
	// once.
	g := c.Groups
	other := slices.Clone(g)
	for k := range other {
		other[k].Source.Session = "s2"
	}
	merged := report.Merge(append(slices.Clone(g), other...))
	if got := jsonString(t, merged.Questions[0].Recommendations); !strings.Contains(got, `"text":"Trams in every town","votes":6`) ||
		!strings.HasPrefix(got, `[{"id":"`+trams+`"`) {
		t.Errorf("merged recommendations = %s; want trams first with 6 votes", got)
	}
	if got := report.Merge(g).Questions[0].Recommendations; len(got) != 2 || got[0].Votes != 3 || got[1].Votes != 1 {
		t.Errorf("recommendations merged from one session = %s; want 3 and 1 votes", jsonString(t, got))
	}
}

// TestEngagementNamedItem: a survey item the plan marks named gives each
// answer with its author's name in the responses table and the JSON, not
// in the Markdown or HTML a secretariat sends; the anonymous items beside
// it name no one.
func TestEngagementNamedItem(t *testing.T) {
	plan := reportPlan()
	plan.Groups = plan.Groups[:2]
	plan.Survey = []session.PlanSurveyItem{
		{ID: "useful", Kind: session.SurveyScale, Text: "How useful?"},
		{ID: "workshop", Kind: session.SurveyMultiple, Text: "Which workshops tomorrow?", Options: []string{"Data", "Policy", "Ethics"}, Named: true},
	}
	r := newReportScript(t, plan)
	r.join("Olga", "", session.Organizer, "")
	r.join("Anna", "Law", session.Chair, "Manzoni")
	r.join("Carla", "Economics", session.Participant, "Verdi")
	r.do("Olga", session.KindSurveyOpen, session.SurveyRef{})
	r.do("Anna", session.KindSurveyAnswer, session.Answer{Item: "workshop", Choices: []int{2, 0}})
	r.do("Carla", session.KindSurveyAnswer, session.Answer{Item: "workshop", Choices: []int{1}})
	r.do("Anna", session.KindSurveyAnswer, session.Answer{Item: "useful", Value: 5})
	r.do("Carla", session.KindSurveyAnswer, session.Answer{Item: "useful", Value: 2})

	c := report.NewConference(r.s.View(session.Viewer{ID: r.people["Olga"], Role: session.Organizer}))
	var responses, md, html bytes.Buffer
	if err := c.WriteTableCSV(&responses, report.TableResponses); err != nil {
		t.Fatal(err)
	}
	c.WriteMarkdown(&md)
	c.WriteHTML(&html)
	rows, err := csv.NewReader(&responses).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows {
		if row[3] == "person" {
			got = append(got, row[0]+": "+row[4]+" "+row[6])
		}
	}
	want := []string{"workshop: Anna (Manzoni) Data", "workshop: Anna (Manzoni) Ethics", "workshop: Carla (Verdi) Policy"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("responses by person = %q; want %q", got, want)
	}
	for name, out := range map[string]string{"md": md.String(), "html": html.String()} {
		if strings.Contains(out, "Anna") || strings.Contains(out, "Carla") {
			t.Errorf("the %s report names who answered", name)
		}
	}
	if !strings.Contains(md.String(), "Which workshops tomorrow? (named)") {
		t.Errorf("the Markdown does not mark the named item:\n%s", md.String())
	}
	if s := c.Engagement.Survey; s[0].ByPerson != nil || len(s[1].ByPerson) != 2 {
		t.Errorf("answers by person = %s; want two for the named item only", jsonString(t, s))
	}
}
