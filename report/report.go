package report

import (
	"breakout/session"
	"slices"
	"strings"
	"time"
)

// Schemas of the JSON reports (docs/reports.md). The number after the
// slash is the major version: it changes only when a field changes
// meaning or goes away.
const (
	GroupSchema      = "breakout.group-report/2"
	ConferenceSchema = "breakout.conference-report/2"
)

// AnonymousAuthor is what the reports give as the author of an anonymous
// idea, to everyone.
const AnonymousAuthor = "anonymous"

// Group is one group's report: who was there, and per question the
// rapporteur's summary and minutes and the group's ideas. It holds all
// that Merge needs, so conference reports can be built from
// group reports exported on separate relays.
type Group struct {
	SchemaVersion string `json:"schema"`
	Source        Source `json:"source"`
	Title         string `json:"title"`
	Group         string `json:"group"`
	// Published is when the rapporteur last published the report; nil when
	// never, which makes the report a draft.
	Published *time.Time `json:"published"`
	// Draft is set when the report was never published, or when its
	// summary or minutes changed after it was: those changes are a draft
	// (SummaryDraft, MinutesDraft) until it is published again.
	Draft       bool              `json:"draft"`
	Chairs      []string          `json:"chairs"`
	Rapporteurs []string          `json:"rapporteurs"`
	Members     int               `json:"members"`
	Backgrounds []BackgroundTally `json:"backgrounds"`
	Questions   []GroupQuestion   `json:"questions"`
	// FromRoster counts the members who came from the plan's roster, so
	// the conference report can say how the groups were formed.
	FromRoster int `json:"from_roster"`
	// Conference holds the organizer's texts of the whole conference as
	// the group's relay held them, so merge can rebuild the conference
	// report; empty when there are none.
	Conference ConferenceTexts `json:"conference"`
}

// ConferenceTexts are what the organizer wrote for the whole conference,
// and the plan's cover.
type ConferenceTexts struct {
	Subtitle        string   `json:"subtitle"`
	Dates           string   `json:"dates"`
	Venue           string   `json:"venue"`
	Organisers      []string `json:"organisers"`
	Sponsors        []string `json:"sponsors"`
	Executive       string   `json:"executive_summary"`
	Recommendations string   `json:"recommendations"`
}

// Source is where a group report came from, so every point of a merged
// conference report can be traced back.
type Source struct {
	Session string `json:"session"`
	// Seq is the last op of the session the report includes.
	Seq   int64  `json:"seq"`
	Relay string `json:"relay,omitempty"` // the relay it was exported from
	File  string `json:"file,omitempty"`  // the file merge read it from
}

// BackgroundTally is how many members have one background; an empty
// Background counts the members who gave none.
type BackgroundTally struct {
	Background string `json:"background"`
	Count      int    `json:"count"`
}

// GroupQuestion is what a group made of one question.
type GroupQuestion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Summary and Minutes are as published; as they stand when the
	// report was never published.
	Summary string `json:"summary"`
	Minutes string `json:"minutes"`
	// SummaryDraft and MinutesDraft are the texts as they stand when they
	// changed after the report was published; empty when they did not.
	SummaryDraft string `json:"summary_draft"`
	MinutesDraft string `json:"minutes_draft"`
	// Synthesis is the organizer's synthesis as the group's relay held it;
	// group reports carry it so that merge can rebuild the conference
	// report.
	Synthesis string `json:"synthesis"`
	// Recommendations are the organizer's recommendations of the question
	// as the group's relay held them, oldest first, with their priority
	// votes (0 unless the report was made with an organizer's code);
	// group reports carry them so that merge can rebuild the conference
	// report.
	Recommendations []Recommendation `json:"recommendations"`
	// Ideas are the visible ideas, most votes first, then oldest first.
	Ideas []Idea `json:"ideas"`
	// SetAside are the names of suggested themes the organizer dismissed
	// on this question, folded (lower case, single spaces).
	SetAside []string `json:"set_aside"`
	// Timebox is the question's timebox in minutes; 0 when none.
	Timebox int `json:"timebox"`
}

// Recommendation is one of the organizer's recommendations of a question
// and the priority votes the plenary gave it.
type Recommendation struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Votes int    `json:"votes"`
}

// Idea is one visible idea of a group report.
type Idea struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Author string `json:"author"` // a name, or AnonymousAuthor
	Votes  int    `json:"votes"`
	Theme  string `json:"theme"`
	// ConferenceTheme is the organizer's conference theme that holds the
	// idea; "" when none.
	ConferenceTheme string    `json:"conference_theme"`
	Key             bool      `json:"key"`
	Pinned          bool      `json:"pinned"`
	Created         time.Time `json:"created"`
	BuildsOn        string    `json:"builds_on"`
	// Merged are the ideas the chair merged into this one, oldest first.
	Merged []MergedIdea `json:"merged"`
}

// MergedIdea is an idea merged into another: its votes went to that idea.
type MergedIdea struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// NewGroup builds the report of a group from a state (a full state
// or a view that shows the group). The author of an anonymous idea is
// left out whoever's view it is.
func NewGroup(s *session.State, group string) Group {
	r := Group{
		SchemaVersion: GroupSchema,
		Source:        Source{Session: s.ID, Seq: s.Seq},
		Title:         s.Title,
		Group:         group,
		Chairs:        []string{},
		Rapporteurs:   []string{},
		Questions:     []GroupQuestion{},
	}
	if g := s.Group(group); g != nil && !g.Published.IsZero() {
		t := g.Published
		r.Published = &t
	}
	var backgrounds []string
	for _, p := range s.Members(group) {
		if !p.Joined {
			continue // on the roster, never came
		}
		r.Members++
		if strings.HasPrefix(p.ID, "r") {
			r.FromRoster++
		}
		backgrounds = append(backgrounds, p.Background)
		switch p.Role {
		case session.Chair:
			r.Chairs = append(r.Chairs, p.Name)
		case session.Rapporteur:
			r.Rapporteurs = append(r.Rapporteurs, p.Name)
		}
	}
	r.Backgrounds = countBackgrounds(backgrounds)
	r.Conference = ConferenceTexts{Subtitle: s.Cover.Subtitle, Dates: s.Cover.Dates, Venue: s.Cover.Venue,
		Organisers: nonNil(slices.Clone(s.Cover.Organisers)), Sponsors: nonNil(slices.Clone(s.Cover.Sponsors)),
		Executive:       textBody(s, session.Executive, "", ""),
		Recommendations: textBody(s, session.Recommendations, "", "")}

	themeOf := map[string]string{}
	for _, t := range s.Themes {
		for _, id := range t.Ideas {
			themeOf[id] = t.Name
		}
	}
	byQuestion := map[string][]*session.Idea{}
	for _, i := range s.IdeasOf(group, "") {
		byQuestion[i.Question] = append(byQuestion[i.Question], i)
	}
	r.Draft = r.Published == nil
	for _, q := range s.Questions {
		gq := GroupQuestion{ID: q.ID, Text: q.Text, Ideas: []Idea{}, Timebox: q.Minutes,
			SetAside:  nonNil(slices.Clone(s.Dismissed[q.ID])),
			Synthesis: textBody(s, session.Synthesis, "", q.ID), Recommendations: []Recommendation{}}
		tally := s.PriorityTally(q.ID)
		for _, rec := range s.RecommendationsOf(q.ID) {
			gq.Recommendations = append(gq.Recommendations, Recommendation{ID: rec.ID, Text: rec.Text, Votes: tally[rec.ID]})
		}
		gq.Summary, gq.SummaryDraft = texts(s, session.Summary, group, q.ID, r.Published != nil)
		gq.Minutes, gq.MinutesDraft = texts(s, session.Minutes, group, q.ID, r.Published != nil)
		if gq.SummaryDraft != "" || gq.MinutesDraft != "" {
			r.Draft = true
		}
		merged := map[string][]MergedIdea{}
		for _, i := range byQuestion[q.ID] {
			if i.MergedInto == "" || i.Retracted || i.Hidden {
				continue
			}
			if root := mergeRoot(s, i); root != nil {
				merged[root.ID] = append(merged[root.ID],
					MergedIdea{ID: i.ID, Text: i.Text, Author: authorName(s, i), Created: i.Created})
			}
		}
		for _, i := range byQuestion[q.ID] {
			if !i.Visible() {
				continue
			}
			gq.Ideas = append(gq.Ideas, Idea{
				ID: i.ID, Text: i.Text, Author: authorName(s, i), Votes: i.Votes(),
				Theme: i.Theme, Key: i.Key, Pinned: i.Pinned, Created: i.Created,
				BuildsOn: i.BuildsOn, Merged: nonNil(merged[i.ID]), ConferenceTheme: themeOf[i.ID],
			})
		}
		// byQuestion is in creation order; the stable sort keeps it
		// among ideas of equal votes.
		slices.SortStableFunc(gq.Ideas, func(a, b Idea) int { return b.Votes - a.Votes })
		r.Questions = append(r.Questions, gq)
	}
	return r
}

// GroupMarkdown is the report of a group in Markdown.
func GroupMarkdown(s *session.State, group string) string {
	r := NewGroup(s, group)
	return r.Markdown()
}

// question returns the group's report on question id, or nil.
func (r *Group) question(id string) *GroupQuestion {
	for k := range r.Questions {
		if r.Questions[k].ID == id {
			return &r.Questions[k]
		}
	}
	return nil
}

// texts are a group text as published and its draft since: the text as
// it stands and no draft when the group never published.
func texts(s *session.State, kind, group, question string, published bool) (string, string) {
	t := s.Text(kind, group, question)
	switch {
	case t == nil:
		return "", ""
	case !published:
		return t.Body, ""
	case t.Published == nil: // written after publishing
		if t.Body == "" {
			return "", ""
		}
		return "", t.Body
	case t.Published.Body == t.Body:
		return t.Body, ""
	}
	return t.Published.Body, t.Body
}

func textBody(s *session.State, kind, group, question string) string {
	if t := s.Text(kind, group, question); t != nil {
		return t.Body
	}
	return ""
}

// authorName is the name of an idea's author, or AnonymousAuthor: the
// author of an anonymous idea is never given, whoever asks.
func authorName(s *session.State, i *session.Idea) string {
	if i.Anonymous {
		return AnonymousAuthor
	}
	if p := s.People[i.Author]; p != nil {
		return p.Name
	}
	return "unknown"
}

// mergeRoot follows an idea's merges to the idea that now stands for it;
// nil when that idea is not visible.
func mergeRoot(s *session.State, i *session.Idea) *session.Idea {
	for range len(s.Ideas) + 1 {
		if i.MergedInto == "" {
			break
		}
		next := s.Ideas[i.MergedInto]
		if next == nil {
			return nil
		}
		i = next
	}
	if !i.Visible() {
		return nil
	}
	return i
}

// countBackgrounds counts the members per background: most common first,
// then by name, with "not given" (empty) last.
func countBackgrounds(bgs []string) []BackgroundTally {
	counts := make([]BackgroundTally, 0, len(bgs))
	for _, b := range bgs {
		counts = append(counts, BackgroundTally{Background: strings.TrimSpace(b), Count: 1})
	}
	return sumBackgrounds(counts)
}

// sumBackgrounds adds up counts of the same background (matched
// case-insensitively, spelled as first seen) and sorts them.
func sumBackgrounds(counts []BackgroundTally) []BackgroundTally {
	out := []BackgroundTally{}
	index := map[string]int{}
	for _, c := range counts {
		k := strings.ToLower(c.Background)
		if at, ok := index[k]; ok {
			out[at].Count += c.Count
			continue
		}
		index[k] = len(out)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b BackgroundTally) int {
		switch {
		case a.Count != b.Count:
			return b.Count - a.Count
		case (a.Background == "") != (b.Background == ""):
			if a.Background == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(strings.ToLower(a.Background), strings.ToLower(b.Background))
	})
	return out
}
