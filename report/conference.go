package report

import (
	"cmp"
	"slices"
	"strings"

	"breakout/session"
)

// Conference is the report the secretariat sends: the cover, the
// organizer's executive summary and recommendations, how the day worked,
// and per question the synthesis, the themes raised across groups, what
// only one group raised and each group's summary. The full group reports
// are kept for the appendix and the exports.
type Conference struct {
	SchemaVersion string               `json:"schema"`
	Title         string               `json:"title"`
	Texts         ConferenceTexts      `json:"conference"`
	Methodology   Methodology          `json:"methodology"`
	Questions     []ConferenceQuestion `json:"questions"`
	Groups        []Group              `json:"groups"`
	// Engagement are the figures of participation, the priority votes
	// and the survey; nil in a report merged from group reports, which
	// do not hold them.
	Engagement *Engagement `json:"engagement,omitempty"`
	// Appendix adds the full group reports to the Markdown and HTML.
	Appendix bool `json:"-"`
	// charts is the marker of the places the HTML export draws its
	// charts at; empty in Markdown.
	charts string
}

// Methodology is how the conference worked, from the data.
type Methodology struct {
	Participants int               `json:"participants"`
	Backgrounds  []BackgroundTally `json:"backgrounds"`
	Groups       []GroupSize       `json:"groups"`
	Questions    []QuestionRef     `json:"questions"`
	// FromRoster counts the participants placed from the plan's roster;
	// the rest joined with their group's code.
	FromRoster int `json:"from_roster"`
}

// GroupSize is one group's membership.
type GroupSize struct {
	Group       string            `json:"group"`
	Members     int               `json:"members"`
	Backgrounds []BackgroundTally `json:"backgrounds"`
	Published   bool              `json:"published"`
	// Unseen marks, in a member's draft, a group whose people the
	// member is not shown: its size is not known there.
	Unseen bool `json:"-"`
}

// QuestionRef names a question and its timebox.
type QuestionRef struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Timebox int    `json:"timebox"`
}

// ConferenceQuestion is the conference's view of one question.
type ConferenceQuestion struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Synthesis string `json:"synthesis"`
	// Themes are the conference themes: the organizer's, then those
	// suggested from the groups' tags and wording; most widely raised first.
	Themes []Theme `json:"themes"`
	// Singles are, per group, the key ideas and the points raised in that
	// group only: in no theme, and key, pinned or among its most voted.
	Singles   []GroupPoints `json:"singles"`
	Summaries []GroupText   `json:"summaries"`
	// Recommendations are the organizer's recommendations of the
	// question, most priority votes first when the plenary gave any, else
	// in the order they were written.
	Recommendations []Recommendation `json:"recommendations"`
}

// Voted reports whether the plenary gave any of the question's
// recommendations a priority vote.
func (q ConferenceQuestion) Voted() bool {
	return slices.ContainsFunc(q.Recommendations, func(r Recommendation) bool { return r.Votes > 0 })
}

// GroupText is a group's text on a question, empty when none was written.
type GroupText struct {
	Group string `json:"group"`
	Text  string `json:"text"`
	// Draft is set when the group never published its report; Text is
	// then a draft.
	Draft bool `json:"draft"`
	// Edited is set when the group's texts changed after it published;
	// Text is what it published.
	Edited bool `json:"edited"`
}

// Theme is a conference theme: ideas from one or more groups that say the
// same thing, traced to their groups.
type Theme struct {
	Name string `json:"name"`
	// From says who made it: "organizer" (a conference theme of the
	// session), "tag" (rapporteurs' tags that match across groups) or
	// "similar" (ideas worded alike).
	From   string   `json:"from"`
	Groups []string `json:"groups"` // the groups that raised it, in report order
	// Of is the number of groups in the conference: "raised in
	// len(Groups) of Of groups".
	Of     int     `json:"of"`
	Votes  int     `json:"votes"`
	Points []Point `json:"points"`
}

// Point is an idea as the conference report cites it.
type Point struct {
	Group  string `json:"group"`
	ID     string `json:"id"`
	Text   string `json:"text"`
	Votes  int    `json:"votes"`
	Key    bool   `json:"key"`
	Pinned bool   `json:"pinned"`
}

// GroupPoints are one group's points of a question.
type GroupPoints struct {
	Group  string  `json:"group"`
	Points []Point `json:"points"`
}

// FromOrganizer marks a conference theme the organizer made; FromTag and
// FromSimilar mark suggestions.
const FromOrganizer = "organizer"

// singlesPerGroup is how many of a group's most voted points outside any
// theme the body cites, besides its key and pinned ideas.
const singlesPerGroup = 3

// NewConference builds the conference report of a state: the reports of
// its groups, in plan order, merged.
func NewConference(s *session.State) Conference {
	c := mergeGroups(s)
	e := NewEngagement(s)
	c.Engagement = &e
	return c
}

// mergeGroups is the conference report of a state's groups, in plan
// order, without the Engagement figures.
func mergeGroups(s *session.State) Conference {
	groups := make([]Group, 0, len(s.Groups))
	for _, g := range s.Groups {
		groups = append(groups, NewGroup(s, g.Name))
	}
	return Merge(groups)
}

// ConferenceMarkdown is the conference report of a state in Markdown,
// without the appendix.
func ConferenceMarkdown(s *session.State) string {
	c := NewConference(s)
	return c.Markdown()
}

// ConferenceDraftMarkdown is the conference draft as a member of group
// reads it in the plenary, from their view of the session: what the
// plenary shows of every group, the sizes of their own group only (they
// are not shown the people of the others), and no Engagement section,
// whose figures are the organizers'.
func ConferenceDraftMarkdown(s *session.State, group string) string {
	c := mergeGroups(s)
	m := &c.Methodology
	m.Participants, m.FromRoster, m.Backgrounds = 0, 0, nil
	for k := range m.Groups {
		g := &m.Groups[k]
		if g.Group != group {
			g.Members, g.Backgrounds, g.Unseen = 0, nil, true
			continue
		}
		m.Participants = g.Members
		m.Backgrounds = g.Backgrounds
	}
	return c.Markdown()
}

// Merge builds the conference report from group reports, in the order
// given. Questions are matched by id, in the order they first appear; a
// group without a question counts as having said nothing on it. Reports
// from one relay and from several give the same document, but for each
// group's Source.
func Merge(groups []Group) Conference {
	c := Conference{
		SchemaVersion: ConferenceSchema,
		Groups:        slices.Clone(groups),
		Questions:     []ConferenceQuestion{},
		Methodology:   Methodology{Groups: []GroupSize{}, Questions: []QuestionRef{}},
		Texts:         ConferenceTexts{Organisers: []string{}, Sponsors: []string{}},
	}
	if c.Groups == nil {
		c.Groups = []Group{}
	}
	var backgrounds []BackgroundTally
	var executive, recommendations []string
	for _, g := range groups {
		if c.Title == "" {
			c.Title = g.Title
		}
		mergeCover(&c.Texts, g.Conference)
		executive = appendDistinct(executive, g.Conference.Executive)
		recommendations = appendDistinct(recommendations, g.Conference.Recommendations)
		c.Methodology.Participants += g.Members
		c.Methodology.FromRoster += g.FromRoster
		c.Methodology.Groups = append(c.Methodology.Groups, GroupSize{Group: g.Group, Members: g.Members,
			Backgrounds: slices.Clone(g.Backgrounds), Published: g.Published != nil})
		backgrounds = append(backgrounds, g.Backgrounds...)
		for _, q := range g.Questions {
			if !slices.ContainsFunc(c.Methodology.Questions, func(r QuestionRef) bool { return r.ID == q.ID }) {
				c.Methodology.Questions = append(c.Methodology.Questions, QuestionRef{ID: q.ID, Text: q.Text, Timebox: q.Timebox})
			}
		}
	}
	// Relays of one session agree on these texts; separate relays may
	// each have their own, and every distinct one is kept.
	c.Texts.Executive = strings.Join(executive, "\n\n")
	c.Texts.Recommendations = strings.Join(recommendations, "\n\n")
	c.Methodology.Backgrounds = sumBackgrounds(backgrounds)
	for _, ref := range c.Methodology.Questions {
		c.Questions = append(c.Questions, mergeQuestion(groups, ref))
	}
	return c
}

// mergeCover fills what the cover lacks from a group's copy of it.
func mergeCover(dst *ConferenceTexts, src ConferenceTexts) {
	for _, f := range []struct{ dst, src *string }{{&dst.Subtitle, &src.Subtitle}, {&dst.Dates, &src.Dates}, {&dst.Venue, &src.Venue}} {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
	for _, o := range src.Organisers {
		dst.Organisers = appendDistinct(dst.Organisers, o)
	}
	for _, o := range src.Sponsors {
		dst.Sponsors = appendDistinct(dst.Sponsors, o)
	}
}

// appendDistinct appends s, trimmed, unless it is blank or there already.
func appendDistinct(list []string, s string) []string {
	if s = strings.TrimSpace(s); s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// ref is an idea of a group report as the merge sees it.
type ref struct {
	group int
	idea  *Idea
}

func (r ref) point(groups []Group) Point {
	return Point{Group: groups[r.group].Group, ID: r.idea.ID, Text: r.idea.Text, Votes: r.idea.Votes,
		Key: r.idea.Key, Pinned: r.idea.Pinned}
}

func mergeQuestion(groups []Group, q QuestionRef) ConferenceQuestion {
	cq := ConferenceQuestion{ID: q.ID, Text: q.Text, Summaries: []GroupText{}, Themes: []Theme{}, Singles: []GroupPoints{},
		Recommendations: []Recommendation{}}
	var syntheses []string
	// Every group report of one session carries the same recommendations:
	// each is taken once per session, and those of separate sessions
	// that say the same add up their votes.
	seenRec := map[string]bool{}
	recByText := map[string]int{}
	var ideas []ref
	setAside := map[string]bool{}
	for gi := range groups {
		g := &groups[gi]
		gq := g.question(q.ID)
		if gq == nil {
			cq.Summaries = append(cq.Summaries, GroupText{Group: g.Group, Draft: g.Published == nil})
			continue
		}
		cq.Summaries = append(cq.Summaries, GroupText{Group: g.Group, Text: gq.Summary, Draft: g.Published == nil,
			Edited: g.Published != nil && g.Draft})
		syntheses = appendDistinct(syntheses, gq.Synthesis)
		for _, rec := range gq.Recommendations {
			id := g.Source.Session + "/" + rec.ID
			if seenRec[id] {
				continue
			}
			seenRec[id] = true
			text := foldTheme(rec.Text)
			if k, ok := recByText[text]; ok {
				cq.Recommendations[k].Votes += rec.Votes
				continue
			}
			recByText[text] = len(cq.Recommendations)
			cq.Recommendations = append(cq.Recommendations, rec)
		}
		for _, name := range gq.SetAside {
			setAside[foldTheme(name)] = true
		}
		for k := range gq.Ideas {
			ideas = append(ideas, ref{gi, &gq.Ideas[k]})
		}
	}
	cq.Synthesis = strings.Join(syntheses, "\n\n")
	slices.SortStableFunc(cq.Recommendations, func(a, b Recommendation) int { return b.Votes - a.Votes })

	inTheme := map[*Idea]bool{}
	// The organizer's conference themes, matched by name across relays.
	byName := map[string]*Theme{}
	var organizer []*Theme
	for _, r := range ideas {
		name := strings.TrimSpace(r.idea.ConferenceTheme)
		if name == "" {
			continue
		}
		t := byName[foldTheme(name)]
		if t == nil {
			t = &Theme{Name: name, From: FromOrganizer}
			byName[foldTheme(name)] = t
			organizer = append(organizer, t)
		}
		t.Points = append(t.Points, r.point(groups))
		inTheme[r.idea] = true
	}
	var themes []Theme
	for _, t := range organizer {
		themes = append(themes, *t)
	}

	// Suggestions from what is left: tags that match across groups, then
	// ideas worded alike.
	var rest []SuggestIdea
	byID := map[string]ref{}
	for _, r := range ideas {
		if inTheme[r.idea] {
			continue
		}
		id := groups[r.group].Group + "/" + r.idea.ID
		byID[id] = r
		buildsOn := ""
		if r.idea.BuildsOn != "" {
			buildsOn = groups[r.group].Group + "/" + r.idea.BuildsOn
		}
		rest = append(rest, SuggestIdea{ID: id, Group: groups[r.group].Group, Text: ideaText(r.idea),
			Tag: r.idea.Theme, BuildsOn: buildsOn, Votes: r.idea.Votes, Key: r.idea.Key})
	}
	for _, cand := range Suggest(rest) {
		if setAside[foldTheme(cand.Name)] {
			continue
		}
		t := Theme{Name: cand.Name, From: cand.From}
		for _, id := range cand.Ideas {
			r := byID[id]
			t.Points = append(t.Points, r.point(groups))
			inTheme[r.idea] = true
		}
		themes = append(themes, t)
	}

	for k := range themes {
		finishTheme(&themes[k], groups)
	}
	slices.SortStableFunc(themes, func(a, b Theme) int {
		if d := len(b.Groups) - len(a.Groups); d != 0 {
			return d
		}
		return b.Votes - a.Votes
	})
	cq.Themes = append(cq.Themes, themes...)

	for gi := range groups {
		gp := GroupPoints{Group: groups[gi].Group}
		var top []Point
		for _, r := range ideas {
			if r.group != gi || inTheme[r.idea] {
				continue
			}
			if r.idea.Key || r.idea.Pinned {
				gp.Points = append(gp.Points, r.point(groups))
			} else if r.idea.Votes > 0 {
				top = append(top, r.point(groups))
			}
		}
		// Ideas are most voted first already.
		gp.Points = append(gp.Points, top[:min(len(top), singlesPerGroup)]...)
		if len(gp.Points) > 0 {
			cq.Singles = append(cq.Singles, gp)
		}
	}
	return cq
}

// ideaText is an idea's text with the texts merged into it, which say the
// same thing in other words.
func ideaText(i *Idea) string {
	text := i.Text
	for _, m := range i.Merged {
		text += "\n" + m.Text
	}
	return text
}

// finishTheme orders a theme's points by group (report order) then votes,
// and counts its groups and votes.
func finishTheme(t *Theme, groups []Group) {
	order := map[string]int{}
	for gi, g := range groups {
		order[g.Group] = gi
	}
	slices.SortStableFunc(t.Points, func(a, b Point) int {
		if d := cmp.Compare(order[a.Group], order[b.Group]); d != 0 {
			return d
		}
		return b.Votes - a.Votes
	})
	t.Of, t.Groups, t.Votes = len(groups), []string{}, 0
	for _, p := range t.Points {
		t.Votes += p.Votes
		if !slices.Contains(t.Groups, p.Group) {
			t.Groups = append(t.Groups, p.Group)
		}
	}
}

// foldTheme is a theme name compared loosely: case and spacing folded.
func foldTheme(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
