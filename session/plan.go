package session

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Plan is a session as the organizer writes it in a TOML plan file.
type Plan struct {
	Title          string `toml:"title" json:"title"`
	VotesPerPerson int    `toml:"votes_per_person,omitempty" json:"votes_per_person,omitempty"`
	// PriorityVotes is each person's priority votes per question in the
	// plenary.
	PriorityVotes int `toml:"priority_votes,omitempty" json:"priority_votes,omitempty"`
	// MaxPerCode caps the people each shared join code (a group's
	// participant, chair or rapporteur code, the organizer code) makes.
	MaxPerCode int `toml:"max_per_code,omitempty" json:"max_per_code,omitempty"`
	// The cover of the conference report; all optional.
	Subtitle   string         `toml:"subtitle,omitempty" json:"subtitle,omitempty"`
	Dates      string         `toml:"dates,omitempty" json:"dates,omitempty"`
	Venue      string         `toml:"venue,omitempty" json:"venue,omitempty"`
	Organisers []string       `toml:"organisers,omitempty" json:"organisers,omitempty"`
	Sponsors   []string       `toml:"sponsors,omitempty" json:"sponsors,omitempty"`
	Questions  []PlanQuestion `toml:"question" json:"questions"`
	Groups     []PlanGroup    `toml:"group" json:"groups"`
	People     []PlanPerson   `toml:"person,omitempty" json:"people,omitempty"`
	// Survey is the questionnaire the organizer opens and closes.
	Survey []PlanSurveyItem `toml:"survey,omitempty" json:"survey,omitempty"`
}

// PlanQuestion is one agenda question of a plan.
type PlanQuestion struct {
	ID      string `toml:"id,omitempty" json:"id"`
	Text    string `toml:"text" json:"text"`
	Minutes int    `toml:"minutes,omitempty" json:"minutes,omitempty"`
}

// PlanGroup is one breakout group of a plan.
type PlanGroup struct {
	Name string `toml:"name" json:"name"`
}

// PlanPerson is one roster entry of a plan, as `breakout split` writes it.
type PlanPerson struct {
	Name         string `toml:"name" json:"name"`
	Background   string `toml:"background" json:"background"`
	Organization string `toml:"organization,omitempty" json:"organization,omitempty"`
	Group        string `toml:"group" json:"group"`
	Role         Role   `toml:"role,omitempty" json:"role,omitempty"`
}

// MaxCoverNames bounds the organisers and the sponsors a plan names.
const MaxCoverNames = 20

// Cover returns the plan's cover of the conference report.
func (p *Plan) Cover() Cover {
	return Cover{Subtitle: p.Subtitle, Dates: p.Dates, Venue: p.Venue,
		Organisers: slices.Clone(p.Organisers), Sponsors: slices.Clone(p.Sponsors)}
}

// DefaultVotesPerPerson is the vote budget per person and question when a
// plan sets none.
const DefaultVotesPerPerson = 5

// DefaultMaxPerCode is how many people one shared join code makes when a
// plan sets no max_per_code: more than a breakout group holds, far fewer
// than a script that joins in a loop. MaxMaxPerCode is the most a plan
// may set.
const (
	DefaultMaxPerCode = 50
	MaxMaxPerCode     = 10000
)

// PlanError is a problem in a plan file: where it is and what is wrong.
type PlanError struct {
	File  string // the file name as given, or "plan"
	Line  int    // 0 when the TOML library gave no line
	Field string // e.g. "group[2].name"; empty for syntax errors
	Msg   string
}

func (e *PlanError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// LoadPlan reads, parses and validates the plan file at path.
func LoadPlan(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return ParsePlan(path, data)
}

// ParsePlan parses and validates a TOML plan; name is used in errors.
// Missing question ids are filled in as q1, q2, … by order.
func ParsePlan(name string, data []byte) (*Plan, error) {
	if name == "" {
		name = "plan"
	}
	var p Plan
	md, err := toml.Decode(string(data), &p)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The library counts a newline it stopped at into the line;
			// the offset says where the fault is.
			line := pe.Position.Line
			if at := pe.Position.Start; at > 0 && at <= len(data) {
				line = 1 + bytes.Count(data[:at], []byte("\n"))
			}
			return nil, &PlanError{File: name, Line: line, Field: pe.LastKey, Msg: pe.Message}
		}
		return nil, &PlanError{File: name, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &PlanError{File: name, Field: und[0].String(), Msg: "unknown field; check its spelling against the plan format in the README"}
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		var pe *PlanError
		if errors.As(err, &pe) {
			pe.File = name
		}
		return nil, err
	}
	return &p, nil
}

// Normalize trims names and fills in defaults: question ids q1, q2, … and
// the vote budget.
func (p *Plan) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.Subtitle, p.Dates, p.Venue = strings.TrimSpace(p.Subtitle), strings.TrimSpace(p.Dates), strings.TrimSpace(p.Venue)
	for _, list := range [][]string{p.Organisers, p.Sponsors} {
		for i := range list {
			list[i] = strings.TrimSpace(list[i])
		}
	}
	if p.VotesPerPerson == 0 {
		p.VotesPerPerson = DefaultVotesPerPerson
	}
	if p.PriorityVotes == 0 {
		p.PriorityVotes = DefaultPriorityVotes
	}
	normalizeSurvey(p.Survey)
	if p.MaxPerCode == 0 {
		p.MaxPerCode = DefaultMaxPerCode
	}
	for i := range p.Questions {
		q := &p.Questions[i]
		q.ID = strings.TrimSpace(q.ID)
		q.Text = strings.TrimSpace(q.Text)
		if q.ID == "" {
			q.ID = fmt.Sprintf("q%d", i+1)
		}
	}
	for i := range p.Groups {
		p.Groups[i].Name = strings.TrimSpace(p.Groups[i].Name)
	}
	for i := range p.People {
		pp := &p.People[i]
		pp.Name = strings.TrimSpace(pp.Name)
		pp.Group = strings.TrimSpace(pp.Group)
		pp.Background = strings.TrimSpace(pp.Background)
		pp.Organization = strings.TrimSpace(pp.Organization)
		if pp.Role == "" {
			pp.Role = Participant
		}
	}
}

// Validate checks a normalized plan: at least one question and one group,
// unique names and ids, and roster people with a known group and role.
func (p *Plan) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &PlanError{File: "plan", Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if p.Title == "" {
		return bad("title", "missing; give the session a title")
	}
	if err := CheckText(p.Title, MaxName*2, false); err != nil {
		return bad("title", "%v", err)
	}
	for _, f := range []struct{ field, v string }{{"subtitle", p.Subtitle}, {"dates", p.Dates}, {"venue", p.Venue}} {
		if err := CheckText(f.v, MaxName*2, false); err != nil {
			return bad(f.field, "%v", err)
		}
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"organisers", p.Organisers}, {"sponsors", p.Sponsors}} {
		field, list := f.field, f.list
		if len(list) > MaxCoverNames {
			return bad(field, "%d names; at most %d", len(list), MaxCoverNames)
		}
		for i, v := range list {
			if v == "" {
				return bad(fmt.Sprintf("%s[%d]", field, i+1), "empty; remove it or write the name")
			}
			if err := CheckText(v, MaxName*2, false); err != nil {
				return bad(fmt.Sprintf("%s[%d]", field, i+1), "%v", err)
			}
		}
	}
	if p.VotesPerPerson < 0 || p.VotesPerPerson > 100 {
		return bad("votes_per_person", "%d is out of range; use 1 to 100", p.VotesPerPerson)
	}
	if p.PriorityVotes < 0 || p.PriorityVotes > 100 {
		return bad("priority_votes", "%d is out of range; use 1 to 100", p.PriorityVotes)
	}
	if err := validateSurvey(p.Survey, bad); err != nil {
		return err
	}
	if p.MaxPerCode < 0 || p.MaxPerCode > MaxMaxPerCode {
		return bad("max_per_code", "%d is out of range; use 1 to %d", p.MaxPerCode, MaxMaxPerCode)
	}
	if len(p.Questions) == 0 {
		return bad("question", "no questions; add at least one [[question]] with a text")
	}
	if len(p.Questions) > MaxQuestions {
		return bad("question", "%d questions; at most %d", len(p.Questions), MaxQuestions)
	}
	ids := map[string]bool{}
	for i, q := range p.Questions {
		f := fmt.Sprintf("question[%d]", i+1)
		if err := checkID(q.ID); err != nil {
			return bad(f+".id", "%v", err)
		}
		if ids[q.ID] {
			return bad(f+".id", "%q is used twice; question ids must be unique", q.ID)
		}
		ids[q.ID] = true
		if q.Text == "" {
			return bad(f+".text", "missing; write the question")
		}
		if err := CheckText(q.Text, MaxIdea, false); err != nil {
			return bad(f+".text", "%v", err)
		}
		if q.Minutes < 0 || q.Minutes > 24*60 {
			return bad(f+".minutes", "%d is out of range; use 0 (no timebox) to 1440", q.Minutes)
		}
	}
	if len(p.Groups) == 0 {
		return bad("group", "no groups; add at least one [[group]] with a name")
	}
	if len(p.Groups) > MaxGroups {
		return bad("group", "%d groups; at most %d", len(p.Groups), MaxGroups)
	}
	groups := map[string]bool{}
	for i, g := range p.Groups {
		f := fmt.Sprintf("group[%d].name", i+1)
		if g.Name == "" {
			return bad(f, "missing; name the group (its room, say)")
		}
		if err := CheckText(g.Name, MaxName, false); err != nil {
			return bad(f, "%v", err)
		}
		if groups[strings.ToLower(g.Name)] {
			return bad(f, "%q is used twice; group names must be unique", g.Name)
		}
		groups[strings.ToLower(g.Name)] = true
	}
	names := map[string]bool{}
	for i, pp := range p.People {
		f := fmt.Sprintf("person[%d]", i+1)
		if pp.Name == "" {
			return bad(f+".name", "missing")
		}
		if err := CheckName(pp.Name); err != nil {
			return bad(f+".name", "%v", err)
		}
		if names[strings.ToLower(pp.Name)] {
			return bad(f+".name", "%q is listed twice; names in the roster must be unique", pp.Name)
		}
		names[strings.ToLower(pp.Name)] = true
		if err := CheckText(pp.Background, MaxName, false); err != nil {
			return bad(f+".background", "%v", err)
		}
		if err := CheckText(pp.Organization, MaxName, false); err != nil {
			return bad(f+".organization", "%v", err)
		}
		if !groups[strings.ToLower(pp.Group)] {
			return bad(f+".group", "%q is not a group of this plan", pp.Group)
		}
		switch pp.Role {
		case Participant, Chair, Rapporteur:
		default:
			return bad(f+".role", "%q is not a role; use chair, rapporteur or participant", pp.Role)
		}
	}
	return nil
}

// GroupName returns the plan's spelling of a group name matched
// case-insensitively, and whether there is one.
func (p *Plan) GroupName(name string) (string, bool) {
	for _, g := range p.Groups {
		if strings.EqualFold(g.Name, strings.TrimSpace(name)) {
			return g.Name, true
		}
	}
	return "", false
}

func checkID(id string) error {
	if id == "" || len(id) > 32 {
		return errors.New("must be 1 to 32 characters")
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%q may hold only letters, digits, - and _", id)
		}
	}
	return nil
}
