package report

import (
	"breakout/session"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schemas of the JSON reports (docs/reports.md). The number after the
// slash is the major version: it changes only when a field changes
// meaning or goes away.
const (
	GroupSchema      = "breakout.group-report/1"
	ConferenceSchema = "breakout.conference-report/1"
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
	Published   *time.Time        `json:"published"`
	Chairs      []string          `json:"chairs"`
	Rapporteurs []string          `json:"rapporteurs"`
	Members     int               `json:"members"`
	Backgrounds []BackgroundTally `json:"backgrounds"`
	Questions   []GroupQuestion   `json:"questions"`
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
	ID      string `json:"id"`
	Text    string `json:"text"`
	Summary string `json:"summary"`
	Minutes string `json:"minutes"`
	// Synthesis is the organizer's synthesis as the group's relay held it;
	// group reports carry it so that merge can rebuild the conference
	// report.
	Synthesis string `json:"synthesis"`
	// Ideas are the visible ideas, most votes first, then oldest first.
	Ideas []Idea `json:"ideas"`
}

// Idea is one visible idea of a group report.
type Idea struct {
	ID       string    `json:"id"`
	Text     string    `json:"text"`
	Author   string    `json:"author"` // a name, or AnonymousAuthor
	Votes    int       `json:"votes"`
	Theme    string    `json:"theme"`
	Key      bool      `json:"key"`
	Pinned   bool      `json:"pinned"`
	Created  time.Time `json:"created"`
	BuildsOn string    `json:"builds_on"`
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

// Conference merges the group reports question by question: the
// organizer's synthesis, each group's summary and the themes raised in
// more than one group, with every group report as an appendix.
type Conference struct {
	SchemaVersion string               `json:"schema"`
	Title         string               `json:"title"`
	Methodology   Methodology          `json:"methodology"`
	Questions     []ConferenceQuestion `json:"questions"`
	Groups        []Group              `json:"groups"`
}

// Methodology is how the conference worked, from the data.
type Methodology struct {
	Participants int               `json:"participants"`
	Backgrounds  []BackgroundTally `json:"backgrounds"`
	Groups       []GroupSize       `json:"groups"`
	Questions    []QuestionRef     `json:"questions"`
	// Similarity is the score (Similar) themes were matched with.
	Similarity float64 `json:"similarity"`
}

// GroupSize is one group's membership.
type GroupSize struct {
	Group       string            `json:"group"`
	Members     int               `json:"members"`
	Backgrounds []BackgroundTally `json:"backgrounds"`
}

// QuestionRef names a question.
type QuestionRef struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ConferenceQuestion is the conference's view of one question.
type ConferenceQuestion struct {
	ID        string      `json:"id"`
	Text      string      `json:"text"`
	Synthesis string      `json:"synthesis"`
	Summaries []GroupText `json:"summaries"`
	// Themes were raised in more than one group, most widely raised first.
	Themes []SharedTheme `json:"themes"`
}

// GroupText is a group's text on a question, empty when none was written.
type GroupText struct {
	Group string `json:"group"`
	Text  string `json:"text"`
}

// SharedTheme is a cluster of similar ideas from two or more groups.
type SharedTheme struct {
	// Label names the theme: its tag, or the start of its most
	// representative idea. Terms are the words that weigh most in it.
	Label  string   `json:"label"`
	Terms  []string `json:"terms"`
	Groups []string `json:"groups"` // the groups that raised it
	// Of is the number of groups in the conference: "raised in
	// len(Groups) of Of groups".
	Of    int         `json:"of"`
	Votes int         `json:"votes"`
	Ideas []ThemeIdea `json:"ideas"`
}

// ThemeIdea is an idea of a shared theme, traced to its group.
type ThemeIdea struct {
	Group string `json:"group"`
	ID    string `json:"id"`
	Text  string `json:"text"`
	Votes int    `json:"votes"`
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
		backgrounds = append(backgrounds, p.Background)
		switch p.Role {
		case session.Chair:
			r.Chairs = append(r.Chairs, p.Name)
		case session.Rapporteur:
			r.Rapporteurs = append(r.Rapporteurs, p.Name)
		}
	}
	r.Backgrounds = countBackgrounds(backgrounds)

	byQuestion := map[string][]*session.Idea{}
	for _, i := range s.IdeasOf(group, "") {
		byQuestion[i.Question] = append(byQuestion[i.Question], i)
	}
	for _, q := range s.Questions {
		gq := GroupQuestion{ID: q.ID, Text: q.Text, Ideas: []Idea{},
			Summary:   textBody(s, session.Summary, group, q.ID),
			Minutes:   textBody(s, session.Minutes, group, q.ID),
			Synthesis: textBody(s, session.Synthesis, "", q.ID)}
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
				BuildsOn: i.BuildsOn, Merged: nonNil(merged[i.ID]),
			})
		}
		// byQuestion is in creation order; the stable sort keeps it
		// among ideas of equal votes.
		slices.SortStableFunc(gq.Ideas, func(a, b Idea) int { return b.Votes - a.Votes })
		r.Questions = append(r.Questions, gq)
	}
	return r
}

// NewConference builds the conference report of a state: the
// reports of its groups, in plan order, merged.
func NewConference(s *session.State) Conference {
	groups := make([]Group, 0, len(s.Groups))
	for _, g := range s.Groups {
		groups = append(groups, NewGroup(s, g.Name))
	}
	return Merge(groups)
}

// GroupMarkdown is the report of a group in Markdown.
func GroupMarkdown(s *session.State, group string) string {
	r := NewGroup(s, group)
	return r.Markdown()
}

// ConferenceMarkdown is the conference report of a state in Markdown.
func ConferenceMarkdown(s *session.State) string {
	c := NewConference(s)
	return c.Markdown()
}

// Merge builds the conference report from group reports, in
// the order given. Questions are matched by id, in the order they first
// appear; a group without a question counts as having said nothing on it.
// Reports from one relay and from several give the same document, but for
// each group's Source.
func Merge(groups []Group) Conference {
	c := Conference{
		SchemaVersion: ConferenceSchema,
		Groups:        slices.Clone(groups),
		Questions:     []ConferenceQuestion{},
		Methodology: Methodology{Groups: []GroupSize{}, Questions: []QuestionRef{},
			Similarity: SimilarityThreshold},
	}
	if c.Groups == nil {
		c.Groups = []Group{}
	}
	var backgrounds []BackgroundTally
	for _, g := range groups {
		if c.Title == "" {
			c.Title = g.Title
		}
		c.Methodology.Participants += g.Members
		c.Methodology.Groups = append(c.Methodology.Groups,
			GroupSize{Group: g.Group, Members: g.Members, Backgrounds: slices.Clone(g.Backgrounds)})
		backgrounds = append(backgrounds, g.Backgrounds...)
		for _, q := range g.Questions {
			if !slices.ContainsFunc(c.Methodology.Questions, func(r QuestionRef) bool { return r.ID == q.ID }) {
				c.Methodology.Questions = append(c.Methodology.Questions, QuestionRef{ID: q.ID, Text: q.Text})
			}
		}
	}
	c.Methodology.Backgrounds = sumBackgrounds(backgrounds)
	for _, ref := range c.Methodology.Questions {
		cq := ConferenceQuestion{ID: ref.ID, Text: ref.Text, Summaries: []GroupText{}}
		var syntheses []string
		for _, g := range groups {
			q := g.question(ref.ID)
			if q == nil {
				cq.Summaries = append(cq.Summaries, GroupText{Group: g.Group})
				continue
			}
			cq.Summaries = append(cq.Summaries, GroupText{Group: g.Group, Text: q.Summary})
			if body := strings.TrimSpace(q.Synthesis); body != "" && !slices.Contains(syntheses, body) {
				syntheses = append(syntheses, body)
			}
		}
		// Relays of one session agree on the synthesis; separate relays
		// may each have one, and every distinct one is kept.
		cq.Synthesis = strings.Join(syntheses, "\n\n")
		cq.Themes = sharedThemes(groups, ref.ID)
		c.Questions = append(c.Questions, cq)
	}
	return c
}

// sharedThemes is what Suggest proposes for the ideas of every group on
// question id: ideas tagged alike, then clusters of similar ideas, that
// span two or more groups.
func sharedThemes(groups []Group, id string) []SharedTheme {
	type doc struct {
		group int
		idea  *Idea
	}
	var docs []doc
	var texts []string
	for gi := range groups {
		q := groups[gi].question(id)
		if q == nil {
			continue
		}
		for k := range q.Ideas {
			i := &q.Ideas[k]
			docs = append(docs, doc{gi, i})
			text := i.Text
			for _, m := range i.Merged {
				text += "\n" + m.Text
			}
			texts = append(texts, text)
		}
	}
	themes := []SharedTheme{}
	if len(docs) < 2 {
		return themes
	}
	c := newCorpus(texts)
	sug := make([]SuggestIdea, len(docs))
	byID := map[string]int{}
	for d := len(docs) - 1; d >= 0; d-- {
		byID[docs[d].idea.ID] = d
	}
	for d, doc := range docs {
		sug[d] = SuggestIdea{ID: strconv.Itoa(d), Group: strconv.Itoa(doc.group), Text: texts[d],
			Tag: doc.idea.Theme, Votes: doc.idea.Votes, Key: doc.idea.Key}
		if on, ok := byID[doc.idea.BuildsOn]; ok && doc.idea.BuildsOn != "" {
			sug[d].BuildsOn = strconv.Itoa(on)
		}
	}
	type ranked struct {
		theme SharedTheme
		first int
	}
	var all []ranked
	for _, cand := range Suggest(sug) {
		var members []int
		for _, id := range cand.Ideas {
			d, _ := strconv.Atoi(id)
			members = append(members, d)
		}
		seen := map[int]bool{}
		for _, m := range members {
			seen[docs[m].group] = true
		}
		if len(seen) < 2 {
			continue
		}
		slices.SortStableFunc(members, func(a, b int) int {
			if d := docs[a].group - docs[b].group; d != 0 {
				return d
			}
			return docs[b].idea.Votes - docs[a].idea.Votes
		})
		terms := c.label(members)
		t := SharedTheme{Label: cand.Name, Terms: terms, Groups: []string{},
			Of: len(groups), Ideas: []ThemeIdea{}}
		for gi := range groups {
			if seen[gi] {
				t.Groups = append(t.Groups, groups[gi].Group)
			}
		}
		first := len(docs)
		for _, m := range members {
			d := docs[m]
			t.Votes += d.idea.Votes
			t.Ideas = append(t.Ideas, ThemeIdea{Group: groups[d.group].Group, ID: d.idea.ID,
				Text: d.idea.Text, Votes: d.idea.Votes})
			first = min(first, m)
		}
		all = append(all, ranked{t, first})
	}
	slices.SortFunc(all, func(a, b ranked) int {
		if d := len(b.theme.Groups) - len(a.theme.Groups); d != 0 {
			return d
		}
		if d := b.theme.Votes - a.theme.Votes; d != 0 {
			return d
		}
		return a.first - b.first
	})
	for _, r := range all {
		themes = append(themes, r.theme)
	}
	return themes
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
