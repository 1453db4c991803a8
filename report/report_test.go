package report_test

import (
	"breakout/report"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"breakout/session"
)

// updateGolden rewrites the golden files: go test ./session -run Report -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// reportStart is when the scripted session starts.
var reportStart = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// reportScript builds a session by applying entries, one minute apart.
type reportScript struct {
	tb     testing.TB
	s      *session.State
	n      int
	people map[string]string // name -> person id
	ideas  map[string]string // label -> idea id
}

func newReportScript(tb testing.TB, plan session.Plan) *reportScript {
	tb.Helper()
	r := &reportScript{tb: tb, s: session.New(), people: map[string]string{}, ideas: map[string]string{}}
	r.apply("", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: plan, Codes: map[string]session.Grant{}})
	return r
}

func (r *reportScript) apply(by, kind string, data any) session.Event {
	r.tb.Helper()
	r.n++
	e := session.Entry{Op: session.NewOp(fmt.Sprintf("op-%d", r.n), kind, data), By: by,
		At: reportStart.Add(time.Duration(r.n) * time.Minute)}
	evs, err := r.s.Apply(e)
	if err != nil {
		r.tb.Fatalf("Apply(%s by %s) = %v; want success", kind, by, err)
	}
	return evs[0]
}

// do applies an op sent by the person of that name.
func (r *reportScript) do(name, kind string, data any) session.Event {
	r.tb.Helper()
	id, ok := r.people[name]
	if !ok {
		r.tb.Fatalf("no person %q in the script", name)
	}
	return r.apply(id, kind, data)
}

func (r *reportScript) join(name, background string, role session.Role, group string) {
	r.tb.Helper()
	ev := r.apply("", session.KindPersonJoin, session.PersonJoin{Name: name, Background: background,
		Role: role, Group: group, TokenHash: "hash-" + name})
	r.people[name] = ev.Data.People[0].ID
}

// idea adds an idea on the author's current question under a label.
func (r *reportScript) idea(label, name, text string, anonymous bool) {
	r.tb.Helper()
	g := r.s.Group(r.s.People[r.people[name]].Group)
	ev := r.do(name, session.KindIdeaAdd, session.IdeaAdd{Question: g.Current, Text: text, Anonymous: anonymous})
	r.ideas[label] = ev.Data.Idea
}

func (r *reportScript) id(label string) string {
	r.tb.Helper()
	id, ok := r.ideas[label]
	if !ok {
		r.tb.Fatalf("no idea %q in the script", label)
	}
	return id
}

func (r *reportScript) vote(name string, labels ...string) {
	r.tb.Helper()
	for _, l := range labels {
		r.do(name, session.KindIdeaVote, session.IdeaRef{Idea: r.id(l)})
	}
}

func (r *reportScript) flag(name, kind, label string) {
	r.tb.Helper()
	r.do(name, kind, session.IdeaFlag{Idea: r.id(label), On: true})
}

func (r *reportScript) theme(name, label, theme string) {
	r.tb.Helper()
	r.do(name, session.KindIdeaTheme, session.IdeaTheme{Idea: r.id(label), Theme: theme})
}

func reportPlan() session.Plan {
	return session.Plan{
		Title: "The future of the partnership",
		Questions: []session.PlanQuestion{
			{ID: "q1", Text: "How best to meet the challenges of the future?", Minutes: 20},
			{ID: "q2", Text: "What should we stop doing?", Minutes: 10},
		},
		Groups: []session.PlanGroup{{Name: "Manzoni"}, {Name: "Verdi"}, {Name: "Rossini"}},
	}
}

// reportSession is the scripted day of three groups that the golden files
// show: paraphrased ideas across groups, themes, key and pinned ideas,
// merges, an anonymous idea, a retracted and a hidden one, and text that
// tries to break the Markdown.
func reportSession(tb testing.TB) *session.State {
	tb.Helper()
	r := newReportScript(tb, reportPlan())
	r.join("Olga Organizer", "", session.Organizer, "")
	cast := map[string][][3]string{
		"Manzoni": {{"Anna Bianchi", "academia", "chair"}, {"Bruno Conti", "industry", "rapporteur"},
			{"Carla Dini", "academia", "participant"}, {"Dario Esposito", "", "participant"}},
		"Verdi": {{"Elena Fabbri", "government", "chair"}, {"Franco Galli", "academia", "rapporteur"},
			{"Giulia Isola", "civil society", "participant"}},
		"Rossini": {{"Hugo Lanza", "industry", "chair"}, {"Irene Moro", "Academia", "rapporteur"},
			{"Luca Neri", "civil society", "participant"}, {"Marta Orsi", "industry", "participant"}},
	}
	for _, g := range []string{"Manzoni", "Verdi", "Rossini"} {
		for _, p := range cast[g] {
			r.join(p[0], p[1], session.Role(p[2]), g)
		}
	}

	// Question 1.
	r.idea("m-fund", "Carla Dini", "Better funding for young researchers", false)
	r.idea("m-money", "Dario Esposito", "More money for young researchers, please!", false)
	r.idea("m-open", "Dario Esposito", "Open all project data to the public", true)
	r.idea("m-school", "Anna Bianchi", "Joint summer schools across the partnership", false)
	r.idea("m-oops", "Carla Dini", "Typo idea", false)
	r.do("Carla Dini", session.KindIdeaRetract, session.IdeaRef{Idea: r.id("m-oops")})
	r.idea("m-rude", "Dario Esposito", "Something rude", false)
	r.flag("Anna Bianchi", session.KindIdeaHide, "m-rude")
	r.idea("m-md", "Bruno Conti", "# Not a heading | [not a link](http://x) <b>raw</b> *stars* 1. not a list", false)
	r.vote("Carla Dini", "m-fund", "m-school")
	r.vote("Dario Esposito", "m-money", "m-open")
	r.vote("Anna Bianchi", "m-fund")
	r.do("Anna Bianchi", session.KindIdeaMerge, session.IdeaMerge{Idea: r.id("m-money"), Into: r.id("m-fund")})
	r.flag("Anna Bianchi", session.KindIdeaPin, "m-school")
	r.flag("Bruno Conti", session.KindIdeaKey, "m-fund")
	r.theme("Bruno Conti", "m-fund", "Funding")
	r.theme("Bruno Conti", "m-open", "Openness")
	r.theme("Bruno Conti", "m-school", "Training")

	r.idea("v-fund", "Giulia Isola", "Young researchers need more funding and stable contracts", false)
	r.idea("v-open", "Elena Fabbri", "A shared open data platform for all partners", false)
	r.idea("v-meet", "Giulia Isola", "Fewer meetings, more doing", true)
	r.vote("Giulia Isola", "v-fund", "v-open")
	r.vote("Franco Galli", "v-fund")
	r.flag("Franco Galli", session.KindIdeaKey, "v-fund")

	r.idea("r-fund", "Luca Neri", "Stable funding for young researchers and PhD students", false)
	r.idea("r-skills", "Marta Orsi", "Train staff in digital skills", false)
	r.idea("r-data", "Hugo Lanza", "Publish the project data openly", false)
	r.idea("r-gold", "Luca Neri", "Give the open project data a catalogue", true)
	r.vote("Marta Orsi", "r-skills", "r-fund")
	r.vote("Luca Neri", "r-skills")
	r.theme("Irene Moro", "r-skills", "Skills")
	r.theme("Irene Moro", "r-data", "Open data")
	r.do("Hugo Lanza", session.KindIdeaMerge, session.IdeaMerge{Idea: r.id("r-gold"), Into: r.id("r-data")})

	// Question 2.
	for _, chair := range []string{"Anna Bianchi", "Elena Fabbri", "Hugo Lanza"} {
		r.do(chair, session.KindQuestionPose, session.QuestionPose{Question: "q2"})
	}
	r.idea("m-reports", "Carla Dini", "Stop writing long reports that nobody reads", false)
	r.idea("v-reports", "Giulia Isola", "Long reports nobody reads: stop them", false)
	r.idea("r-calls", "Marta Orsi", "Stop the monthly video calls", false)
	r.vote("Carla Dini", "m-reports")

	// Texts.
	text := func(name, kind, q, body string) {
		r.do(name, kind, session.TextEdit{Question: q, Text: body})
	}
	text("Bruno Conti", session.KindSummaryEdit, "q1", "Funding for young researchers came first.\nOpen data second.")
	text("Bruno Conti", session.KindMinutesEdit, "q1",
		"# Minutes\n- Anna opened at 9:05\n\n```\n<script>alert(1)</script>\n2026. A good year | or not\n    indented")
	text("Franco Galli", session.KindSummaryEdit, "q1", "Stable contracts and *funding* for the young.")
	text("Irene Moro", session.KindSummaryEdit, "q1", "Digital skills, and data published openly.")
	text("Bruno Conti", session.KindSummaryEdit, "q2", "Fewer, shorter reports.")
	text("Olga Organizer", session.KindSynthesis, "q1", "All three groups ask for stable funding of young researchers.")
	r.do("Bruno Conti", session.KindReportPub, struct{}{})
	// Written after publishing: a draft until published again.
	text("Bruno Conti", session.KindSummaryEdit, "q2", "Fewer, shorter reports, read by all.")

	// The organizer's recommendations, and the plenary's priority votes
	// over them.
	rec := func(q, text string) string {
		ev := r.do("Olga Organizer", session.KindRecommendationAdd, session.RecommendationAdd{Question: q, Text: text})
		return ev.Data.Recommendations[0].ID
	}
	data := rec("q1", "Publish every project's data openly")
	stable := rec("q1", "Fund stable contracts for young researchers")
	rec("q2", "Replace long reports with one page")
	r.do("Olga Organizer", session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
	for _, p := range []string{"Carla Dini", "Giulia Isola", "Luca Neri"} {
		r.do(p, session.KindPriorityVote, session.PriorityRef{Recommendation: stable})
	}
	r.do("Marta Orsi", session.KindPriorityVote, session.PriorityRef{Recommendation: data})
	return r.s
}

// Publishing keeps what was published: edits made after it are a draft,
// shown as such, and a group that never published is a draft in the body
// of the conference report, not only in the appendix.
func TestReportPublishedIsAVersion(t *testing.T) {
	s := reportSession(t)
	g := report.NewGroup(s, "Manzoni")
	q2 := g.Questions[1]
	if q2.Summary != "Fewer, shorter reports." || q2.SummaryDraft != "Fewer, shorter reports, read by all." || !g.Draft {
		t.Fatalf("q2 summary = %q, draft %q, group draft %v; want the published one and the later edit as a draft",
			q2.Summary, q2.SummaryDraft, g.Draft)
	}
	if q1 := g.Questions[0]; q1.SummaryDraft != "" || q1.MinutesDraft != "" {
		t.Errorf("q1 unchanged since publishing has drafts %q, %q", q1.SummaryDraft, q1.MinutesDraft)
	}
	md := g.Markdown()
	for _, want := range []string{"edited since, the edits are a draft", "Summary: draft since publishing"} {
		if !strings.Contains(md, want) {
			t.Errorf("group Markdown lacks %q", want)
		}
	}
	body, _, _ := strings.Cut(report.ConferenceMarkdown(s), "## Appendix")
	for _, want := range []string{"#### Verdi (draft, not published)", "#### Rossini (draft, not published)", "#### Manzoni (as published; edited since)"} {
		if !strings.Contains(body, want) {
			t.Errorf("conference report body lacks %q", want)
		}
	}
	if strings.Contains(body, "read by all") {
		t.Errorf("the conference report body shows Manzoni's unpublished edit")
	}

	// Publishing again takes the edit in.
	r := &reportScript{tb: t, s: s, n: 1000, people: map[string]string{}}
	for id, p := range s.People {
		r.people[p.Name] = id
	}
	r.do("Bruno Conti", session.KindReportPub, struct{}{})
	g = report.NewGroup(s, "Manzoni")
	if q2 := g.Questions[1]; q2.Summary != "Fewer, shorter reports, read by all." || q2.SummaryDraft != "" || g.Draft {
		t.Fatalf("after publishing again: summary %q, draft %q, group draft %v", q2.Summary, q2.SummaryDraft, g.Draft)
	}
}

// reportGolden compares got with testdata/report/name, or rewrites it with -update.
func reportGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "report", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test ./session -run Report -update to make it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s\nrun go test ./session -run Report -update if the change is meant", name, got)
	}
}

func TestReportGolden(t *testing.T) {
	s := reportSession(t)
	conf := report.NewConference(s)
	group := report.NewGroup(s, "Manzoni")

	var js, cs, gjs, gcs bytes.Buffer
	for _, err := range []error{conf.WriteJSON(&js), conf.WriteCSV(&cs), group.WriteJSON(&gjs), group.WriteCSV(&gcs)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	reportGolden(t, "conference.md", conf.Markdown())
	reportGolden(t, "conference.json", js.String())
	reportGolden(t, "conference.csv", cs.String())
	reportGolden(t, "group-manzoni.md", group.Markdown())
	reportGolden(t, "group-manzoni.json", gjs.String())
	reportGolden(t, "group-manzoni.csv", gcs.String())

	if got := report.ConferenceMarkdown(s); got != conf.Markdown() {
		t.Errorf("ConferenceMarkdown differs from NewConference(s).Markdown()")
	}
	if got := report.GroupMarkdown(s, "Manzoni"); got != group.Markdown() {
		t.Errorf("GroupMarkdown differs from NewGroup(s, group).Markdown()")
	}
}

// TestReportDeterministic builds the reports many times: map order must
// not show.
func TestReportDeterministic(t *testing.T) {
	s := reportSession(t)
	first := report.ConferenceMarkdown(s)
	var js bytes.Buffer
	c := report.NewConference(s)
	c.WriteJSON(&js)
	for range 20 {
		if got := report.ConferenceMarkdown(s); got != first {
			t.Fatalf("ConferenceMarkdown changed between runs")
		}
		var again bytes.Buffer
		c := report.NewConference(s)
		c.WriteJSON(&again)
		if again.String() != js.String() {
			t.Fatalf("conference JSON changed between runs")
		}
	}
}

// TestReportOnlyVisibleIdeas: retracted and hidden ideas are left out;
// merged ones appear only under the idea they joined.
func TestReportOnlyVisibleIdeas(t *testing.T) {
	s := reportSession(t)
	g := report.NewGroup(s, "Manzoni")
	q1 := g.Questions[0]
	var texts []string
	for _, i := range q1.Ideas {
		texts = append(texts, i.Text)
	}
	for _, gone := range []string{"Typo idea", "Something rude", "More money for young researchers, please!"} {
		for _, txt := range texts {
			if txt == gone {
				t.Errorf("idea %q is listed; want it left out", gone)
			}
		}
	}
	fund := q1.Ideas[0]
	if fund.Text != "Better funding for young researchers" || fund.Votes != 3 || !fund.Key {
		t.Errorf("first idea = %+v; want the key funding idea with 3 votes", fund)
	}
	if len(fund.Merged) != 1 || fund.Merged[0].Text != "More money for young researchers, please!" {
		t.Errorf("merged into the funding idea = %+v; want the money idea", fund.Merged)
	}
	md := g.Markdown()
	for _, gone := range []string{"Typo idea", "Something rude"} {
		if strings.Contains(md, gone) {
			t.Errorf("Markdown holds %q; want it left out", gone)
		}
	}

	var csvOut bytes.Buffer
	g.WriteCSV(&csvOut)
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, i := range s.Ideas {
		if i.Group == "Manzoni" && i.Visible() {
			visible++
		}
	}
	if len(rows)-1 != visible {
		t.Errorf("CSV has %d idea rows; want %d (the visible ideas)", len(rows)-1, visible)
	}
	if !reflect.DeepEqual(rows[0], report.CSVHeader) {
		t.Errorf("CSV header = %v; want %v", rows[0], report.CSVHeader)
	}
}

// TestReportAnonymousAuthorNeverShown: whoever's view the report is built
// from, including the author's own, an anonymous idea's author is given as
// "anonymous" in every format.
func TestReportAnonymousAuthorNeverShown(t *testing.T) {
	s := reportSession(t)
	author := s.People[reportPerson(t, s, "Dario Esposito")]
	views := map[string]*session.State{
		"full":      s,
		"organizer": s.View(session.Viewer{Role: session.Organizer}),
		"author":    s.View(session.ViewerOf(author)),
	}
	for name, v := range views {
		g := report.NewGroup(v, "Manzoni")
		c := report.NewConference(v)
		var out bytes.Buffer
		g.WriteJSON(&out)
		g.WriteCSV(&out)
		c.WriteJSON(&out)
		c.WriteCSV(&out)
		out.WriteString(g.Markdown())
		out.WriteString(c.Markdown())
		var anon *report.Idea
		for k, i := range g.Questions[0].Ideas {
			if i.Text == "Open all project data to the public" {
				anon = &g.Questions[0].Ideas[k]
			}
		}
		if anon == nil || anon.Author != report.AnonymousAuthor {
			t.Errorf("%s view: anonymous idea = %+v; want author %q", name, anon, report.AnonymousAuthor)
		}
		// Dario's only non-anonymous visible trace is the idea merged
		// into the funding idea, which names him.
		if n := strings.Count(out.String(), author.ID); n > 0 {
			t.Errorf("%s view: reports hold Dario's person id %d times; want none", name, n)
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.Contains(line, "Open all project data") && strings.Contains(line, "Dario") {
				t.Errorf("%s view: the anonymous idea is shown with its author: %q", name, line)
			}
		}
	}
}

func reportPerson(t *testing.T, s *session.State, name string) string {
	t.Helper()
	for id, p := range s.People {
		if p.Name == name {
			return id
		}
	}
	t.Fatalf("no person %q", name)
	return ""
}

// TestReportMarkdownStructure parses the Markdown as CommonMark: what
// rapporteurs write renders as Markdown, nested under the report's own
// headings, while no HTML, image or report heading can come from it.
func TestReportMarkdownStructure(t *testing.T) {
	s := reportSession(t)
	withAppendix := report.NewConference(s)
	withAppendix.Appendix = true
	for name, md := range map[string]string{
		"conference": withAppendix.Markdown(),
		"group":      report.GroupMarkdown(s, "Manzoni"),
	} {
		var html bytes.Buffer
		if err := goldmark.Convert([]byte(md), &html); err != nil {
			t.Fatal(err)
		}
		out := html.String()
		for _, bad := range []string{"<script>", "<b>", "<img", "<h1>Minutes", "<h1>Not a heading", "<ol", "\\-", "\\#"} {
			if strings.Contains(out, bad) {
				t.Errorf("rendered %s report holds %q; raw HTML stays text and Markdown must not show escaped", name, bad)
			}
		}
		if n, want := strings.Count(out, "<h1>"), 1; n != want {
			t.Errorf("rendered %s report has %d <h1>; want %d", name, n, want)
		}
		nested := map[string]string{"conference": "<h6>Minutes</h6>", "group": "<h4>Minutes</h4>"}[name]
		for _, want := range []string{
			nested,                         // "# Minutes" in the minutes, one level below "Minutes"
			"<li>Anna opened at 9:05</li>", // a list in the minutes is a list
			"<code>&lt;script&gt;alert(1)&lt;/script&gt;", // a fenced block shows its text
			"# Not a heading | <a href=\"http://x\">not a link</a> &lt;b&gt;raw&lt;/b&gt; <em>stars</em> 1. not a list",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("rendered %s report lacks %q:\n%s", name, want, out)
			}
		}
	}
}

// TestMergeGroupReportsEqualsOneRelay: the conference report merged from
// group reports exported as JSON equals the one built from the relay's
// state, but for the provenance.
func TestMergeGroupReportsEqualsOneRelay(t *testing.T) {
	s := reportSession(t)
	want := report.NewConference(s)
	if want.Engagement == nil {
		t.Fatalf("NewConference holds no engagement figures")
	}
	// The engagement figures come from the relay's state: group reports
	// do not hold them.
	want.Engagement = nil
	// Nor do group reports made with a chair's code hold the priority
	// tally, which is the organizers': their recommendations have no
	// votes, and stay in the order written.
	noVotes := func(recs []report.Recommendation) {
		slices.SortFunc(recs, func(a, b report.Recommendation) int { return strings.Compare(a.ID, b.ID) })
		for k := range recs {
			recs[k].Votes = 0
		}
	}
	for k := range want.Questions {
		noVotes(want.Questions[k].Recommendations)
	}
	for k := range want.Groups {
		for j := range want.Groups[k].Questions {
			noVotes(want.Groups[k].Questions[j].Recommendations)
		}
	}
	var groups []report.Group
	for _, g := range s.Groups {
		gr := report.NewGroup(s.View(session.Viewer{Role: session.Chair, Group: g.Name}), g.Name)
		var js bytes.Buffer
		if err := gr.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		got, err := report.Decode(js.Bytes())
		if err != nil {
			t.Fatalf("Decode(%s) = %v; want success", g.Name, err)
		}
		got[0].Source.File = strings.ToLower(g.Name) + ".json"
		groups = append(groups, got...)
	}
	merged := report.Merge(groups)
	merged.Appendix, want.Appendix = true, true
	if got, want := withoutSourceLines(merged.Markdown()), withoutSourceLines(want.Markdown()); got != want {
		t.Errorf("merged Markdown differs from the one-relay report:\n%s\n---- want ----\n%s", got, want)
	}
	if !strings.Contains(merged.Markdown(), "file manzoni.json") {
		t.Errorf("merged Markdown does not name the file a group came from")
	}
	for k := range merged.Groups {
		merged.Groups[k].Source = want.Groups[k].Source
	}
	if !reflect.DeepEqual(merged, want) {
		a, _ := json.Marshal(merged)
		b, _ := json.Marshal(want)
		t.Errorf("merged report = %s; want %s", a, b)
	}

	// A conference report's JSON reads back as its groups.
	var js bytes.Buffer
	want.WriteJSON(&js)
	back, err := report.Decode(js.Bytes())
	if err != nil {
		t.Fatalf("Decode(conference) = %v", err)
	}
	again := report.Merge(back)
	again.Appendix = true
	if again.Markdown() != want.Markdown() {
		t.Errorf("conference JSON round trip changes the report")
	}
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

func TestDecodeReportsRejects(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not JSON", "hello"},
		{"no schema", `{"group": "x"}`},
		{"other schema", `{"schema": "breakout.group-report/3", "group": "x"}`},
		{"no group", `{"schema": "breakout.group-report/1"}`},
		{"question without id", `{"schema": "breakout.group-report/1", "group": "x", "questions": [{"text": "?"}]}`},
	} {
		if _, err := report.Decode([]byte(tc.in)); err == nil {
			t.Errorf("Decode(%s) = nil error; want one", tc.name)
		}
	}
}

func TestReportCSVDefusesFormulas(t *testing.T) {
	g := report.Group{SchemaVersion: report.GroupSchema, Group: "=cmd", Questions: []report.GroupQuestion{{
		ID: "q1", Ideas: []report.Idea{{Text: "=HYPERLINK(\"http://x\")", Author: "@bob", Theme: "-x"}},
	}}}
	var out bytes.Buffer
	g.WriteCSV(&out)
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := rows[1]
	if got[0] != "'=cmd" || got[3] != "'=HYPERLINK(\"http://x\")" || got[4] != "'@bob" || got[6] != "'-x" {
		t.Errorf("CSV row = %q; want formula starts quoted", got)
	}
}

// mdShape counts the Markdown block kinds of a document, as CommonMark
// parses it, and the headings of each level up to maxLevel.
func mdShape(tb testing.TB, md string, maxLevel int) map[string]int {
	tb.Helper()
	src := []byte(md)
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	shape := map[string]int{}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindRawHTML, ast.KindHTMLBlock, ast.KindImage, ast.KindAutoLink:
			shape["unsafe "+n.Kind().String()]++
		case ast.KindHeading:
			if l := n.(*ast.Heading).Level; l <= maxLevel {
				shape[fmt.Sprintf("h%d", l)]++
			}
		}
		if n.Type() == ast.TypeBlock && n.Kind() != ast.KindHeading {
			shape[n.Kind().String()]++
		}
		return ast.WalkContinue, nil
	})
	return shape
}

// hostileReport puts s everywhere a group report shows one line of user
// text, and texts in the summary and minutes.
func hostileReport(s, texts string) report.Group {
	return report.Group{SchemaVersion: report.GroupSchema, Title: s, Group: s, Members: 1,
		Chairs: []string{s}, Rapporteurs: []string{s},
		Backgrounds: []report.BackgroundTally{{Background: s, Count: 1}},
		Questions: []report.GroupQuestion{{ID: "q1", Text: s, Summary: texts, Minutes: texts, Ideas: []report.Idea{
			{Text: s, Author: s, Key: true, Theme: s, Merged: []report.MergedIdea{{Text: s, Author: s}}},
			{Text: s, Author: s, Theme: s},
			{Text: s, Author: s},
		}}},
	}
}

// FuzzReportMarkdown: whatever people type, names and ideas leave the
// report's structure as it is with plain words, and a minutes or summary
// text, rendered as Markdown, adds no HTML, no image and no heading at or
// above the report's own levels.
func FuzzReportMarkdown(f *testing.F) {
	for _, s := range []string{
		"# heading", "Heading\n===", "- item", "+ item", "1. item", "12) item", "> quote", "```go", "~~~",
		"    code", "<div>html</div>", "<!-- c -->", "[ref]: http://x", "![img](x.png)", "**bold** _it_",
		"a | b | c", "---", "***", "&amp; &#35;", "trailing \\", "`code`", "line\\\nbreak", "two\nlines\n# and a heading\n- and a list", "text #",
		": definition", "% title", "$x$ ^sup^ ~sub~", "<http://x>", "\t- tab item", "* * *", "=",
		"> # quoted heading", "- # listed heading", "text\n---", "> text\n> ===", "``` <b>\nx", "`<b>` <b>",
	} {
		f.Add(s)
	}
	plain := hostileReport("plain words", "plain words")
	want := mdShape(f, plain.Markdown(), 6)
	wantTop := mdShape(f, plain.Markdown(), 3)
	f.Fuzz(func(t *testing.T, s string) {
		if strings.TrimSpace(s) == "" || session.CheckText(s, 1000, true) != nil {
			return
		}
		r := hostileReport(s, "plain words")
		if got := mdShape(t, r.Markdown(), 6); !reflect.DeepEqual(got, want) {
			t.Errorf("Markdown with %q as a line of user text has the structure %v; want %v:\n%s", s, got, want, r.Markdown())
		}
		r = hostileReport("plain words", s)
		got := mdShape(t, r.Markdown(), 3)
		for k, n := range got {
			if strings.HasPrefix(k, "unsafe") || (k[0] == 'h' && len(k) == 2 && n != wantTop[k]) {
				t.Errorf("Markdown with %q as minutes has %d %s; want %d:\n%s", s, n, k, wantTop[k], r.Markdown())
			}
		}
	})
}
