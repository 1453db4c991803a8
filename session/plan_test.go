package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"breakout/session"
)

const validPlan = `title = "Breakout groups on the future of the partnership"
votes_per_person = 4

[[question]]
id = "future"
text = "How best to meet the challenges of the future?"
minutes = 20

[[question]]
text = "  What should we stop doing?  "

[[question]]
text = "Who is missing from the table?"
minutes = 10

[[group]]
name = "Manzoni"

[[group]]
name = " Verdi "

[[group]]
name = "Rossini"

[[person]]
name = "Anna Bianchi"
background = "Rail freight"
organization = "FS"
group = "Verdi"
role = "chair"

[[person]]
name = "Bruno Neri"
background = "Ports"
group = "Manzoni"
`

func TestParsePlan(t *testing.T) {
	p, err := session.ParsePlan("plan.toml", []byte(validPlan))
	if err != nil {
		t.Fatalf("ParsePlan(valid) = %v; want no error", err)
	}
	want := &session.Plan{
		Title:          "Breakout groups on the future of the partnership",
		VotesPerPerson: 4,
		PriorityVotes:  session.DefaultPriorityVotes,
		MaxPerCode:     session.DefaultMaxPerCode,
		Questions: []session.PlanQuestion{
			{ID: "future", Text: "How best to meet the challenges of the future?", Minutes: 20},
			{ID: "q2", Text: "What should we stop doing?"},
			{ID: "q3", Text: "Who is missing from the table?", Minutes: 10},
		},
		Groups: []session.PlanGroup{{Name: "Manzoni"}, {Name: "Verdi"}, {Name: "Rossini"}},
		People: []session.PlanPerson{
			{Name: "Anna Bianchi", Background: "Rail freight", Organization: "FS", Group: "Verdi", Role: session.Chair},
			{Name: "Bruno Neri", Background: "Ports", Group: "Manzoni", Role: session.Participant},
		},
	}
	if got, w := jsonOf(t, p), jsonOf(t, want); got != w {
		t.Errorf("ParsePlan(valid) = %s; want %s", got, w)
	}
	if g, ok := p.GroupName("verdi"); !ok || g != "Verdi" {
		t.Errorf("GroupName(verdi) = %q, %v; want Verdi, true", g, ok)
	}
	if _, ok := p.GroupName("Puccini"); ok {
		t.Errorf("GroupName(Puccini) found; want not")
	}

	minimal := "title = \"T\"\n[[question]]\ntext = \"Q?\"\n[[group]]\nname = \"G\"\n"
	p, err = session.ParsePlan("", []byte(minimal))
	if err != nil {
		t.Fatalf("ParsePlan(minimal) = %v; want no error", err)
	}
	if p.VotesPerPerson != session.DefaultVotesPerPerson || p.Questions[0].ID != "q1" {
		t.Errorf("ParsePlan(minimal) = %+v; want default votes %d and question id q1", p, session.DefaultVotesPerPerson)
	}
}

// TestPlanCover: the cover fields reach the state, and every viewer's
// header, trimmed.
func TestPlanCover(t *testing.T) {
	p, err := session.ParsePlan("plan.toml", []byte(`title = "T"
subtitle = " Science and security "
dates = "26–27 May"
venue = "Villa Olmo, Como"
organisers = ["The Academy", "The Partnership"]
sponsors = ["A foundation"]
[[question]]
text = "Q?"
[[group]]
name = "Manzoni"
`))
	if err != nil {
		t.Fatalf("ParsePlan = %v; want success", err)
	}
	want := session.Cover{Subtitle: "Science and security", Dates: "26–27 May", Venue: "Villa Olmo, Como",
		Organisers: []string{"The Academy", "The Partnership"}, Sponsors: []string{"A foundation"}}
	s := session.New()
	if _, err := s.Apply(session.Entry{Op: session.NewOp("c1", session.KindSessionCreate, session.SessionCreate{ID: "s1", Plan: *p})}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Cover, want) {
		t.Errorf("state cover = %+v; want %+v", s.Cover, want)
	}
	if v := s.View(session.Viewer{Role: session.Participant, Group: "Manzoni"}); !reflect.DeepEqual(v.Cover, want) {
		t.Errorf("participant's view cover = %+v; want %+v", v.Cover, want)
	}
}

func TestParsePlanErrors(t *testing.T) {
	const head = "title = \"T\"\n"
	const q = "[[question]]\ntext = \"Q?\"\n"
	const g = "[[group]]\nname = \"Manzoni\"\n"
	tests := []struct {
		name  string
		toml  string
		line  int    // 0: no line known
		field string // the field the error names
		msg   string // a part of the message
	}{
		{"no question", head + g, 0, "question", "no questions"},
		{"no group", head + q, 0, "group", "no groups"},
		{"no title", q + g, 0, "title", "missing"},
		{"duplicate group", head + q + g + "[[group]]\nname = \"manzoni\"\n", 0, "group[2].name", "used twice"},
		{"empty group", head + q + g + "[[group]]\nname = \" \"\n", 0, "group[2].name", "missing"},
		{"duplicate question id", head + "[[question]]\nid = \"a\"\ntext = \"A?\"\n[[question]]\nid = \"a\"\ntext = \"B?\"\n" + g, 0, "question[2].id", "used twice"},
		{"implicit id twice", head + "[[question]]\ntext = \"A?\"\n[[question]]\nid = \"q1\"\ntext = \"B?\"\n" + g, 0, "question[2].id", "used twice"},
		{"bad question id", head + "[[question]]\nid = \"a b\"\ntext = \"A?\"\n" + g, 0, "question[1].id", "letters, digits"},
		{"question without text", head + "[[question]]\nid = \"a\"\n" + g, 0, "question[1].text", "missing"},
		{"bad minutes", head + "[[question]]\ntext = \"A?\"\nminutes = -5\n" + g, 0, "question[1].minutes", "out of range"},
		{"bad votes", head + "votes_per_person = 500\n" + q + g, 0, "votes_per_person", "out of range"},
		{"unknown group", head + q + g + "[[person]]\nname = \"Ann\"\nbackground = \"x\"\ngroup = \"Puccini\"\n", 0, "person[1].group", `"Puccini" is not a group`},
		{"unknown role", head + q + g + "[[person]]\nname = \"Ann\"\nbackground = \"x\"\ngroup = \"Manzoni\"\nrole = \"organizer\"\n", 0, "person[1].role", `"organizer" is not a role`},
		{"person twice", head + q + g + "[[person]]\nname = \"Ann\"\ngroup = \"Manzoni\"\n[[person]]\nname = \"ann\"\ngroup = \"Manzoni\"\n", 0, "person[2].name", "listed twice"},
		{"control in title", "title = \"T\\u001b[2J\"\n" + q + g, 0, "title", "control characters"},
		{"long group name", head + q + "[[group]]\nname = \"" + strings.Repeat("g", 81) + "\"\n", 0, "group[1].name", "at most 80"},
		{"syntax error", head + q + g + "[[group]\nname = \"Verdi\"\n", 6, "", ""},
		{"bad value", head + q + "[[group]]\nname = Verdi\n", 5, "", ""},
		{"unclosed string", head + q + g + "[[group]]\nname = \"Verdi\n", 7, "", ""},
		{"unclosed array", head + q + g + "[[group]]\nname = [1,\n2\n", 8, "", ""},
		{"wrong type", head + "[[question]]\ntext = \"Q?\"\nminutes = \"ten\"\n" + g, 0, "", "minutes"},
		{"unknown field", head + q + g + "[[group]]\nname = \"Verdi\"\nroom = \"B12\"\n", 0, "group.room", "unknown field"},
		{"unknown top field", head + "votes = 3\n" + q + g, 0, "votes", "unknown field"},
		{"control in venue", head + "venue = \"Como\\u001b]0;x\\u0007\"\n" + q + g, 0, "venue", "control characters"},
		{"empty sponsor", head + "sponsors = [\"A\", \" \"]\n" + q + g, 0, "sponsors[2]", "empty"},
		{"too many organisers", head + "organisers = [" + strings.Repeat("\"x\",", 21) + "]\n" + q + g, 0, "organisers", "at most 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := session.ParsePlan("conf/plan.toml", []byte(tt.toml))
			if err == nil {
				t.Fatalf("ParsePlan(%s) = nil; want an error", tt.name)
			}
			msg := err.Error()
			var pe *session.PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePlan(%s) = %v (%T); want a *PlanError", tt.name, err, err)
			}
			if pe.File != "conf/plan.toml" || !strings.HasPrefix(msg, "conf/plan.toml") {
				t.Errorf("ParsePlan(%s) = %q; want it to name conf/plan.toml", tt.name, msg)
			}
			if tt.line > 0 && (pe.Line != tt.line || !strings.HasPrefix(msg, "conf/plan.toml:"+strconv.Itoa(tt.line)+":")) {
				t.Errorf("ParsePlan(%s) = %q (line %d); want line %d", tt.name, msg, pe.Line, tt.line)
			}
			if tt.field != "" && (pe.Field != tt.field || !strings.Contains(msg, tt.field+": ")) {
				t.Errorf("ParsePlan(%s) = %q (field %q); want field %q", tt.name, msg, pe.Field, tt.field)
			}
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("ParsePlan(%s) = %q; want it to say %q", tt.name, msg, tt.msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("ParsePlan(%s) = %q; want one line", tt.name, msg)
			}
		})
	}
}

func TestLoadPlan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.toml")
	if err := os.WriteFile(path, []byte(validPlan), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := session.LoadPlan(path); err != nil {
		t.Errorf("LoadPlan(%s) = %v; want no error", path, err)
	}
	if err := os.WriteFile(path, []byte("title = \"T\"\n[[group]]\nname = \"G\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := session.LoadPlan(path); err == nil || !strings.HasPrefix(err.Error(), path+": question: ") {
		t.Errorf("LoadPlan(no question) = %v; want an error naming %s and the field", err, path)
	}
	if _, err := session.LoadPlan(filepath.Join(dir, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadPlan(missing) = %v; want %v", err, os.ErrNotExist)
	}
}
