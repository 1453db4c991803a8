package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"breakout/session"
)

// Engagement is how engaged the participants were, from the session's
// state: participation by group and by background, ideas per minute over
// time, the plenary's priority votes and the survey's results. An
// anonymous idea counts in its group's totals only; survey results are
// tallies, never one person's answer.
type Engagement struct {
	// Start is the beginning of the first interval of the PerMinute
	// series, BucketMinutes long each.
	Start         time.Time           `json:"start"`
	BucketMinutes int                 `json:"bucket_minutes"`
	Total         Participation       `json:"total"`
	Groups        []GroupFigures      `json:"groups"`
	Backgrounds   []BackgroundFigures `json:"backgrounds"`
	Priorities    []PriorityResult    `json:"priorities"`
	Survey        []SurveyResult      `json:"survey"`
}

// Participation are the figures of a set of people: everyone, a group or
// a background.
type Participation struct {
	// Members are the people on the roster or who joined; Joined those
	// who joined.
	Members int `json:"members"`
	Joined  int `json:"joined"`
	// Contributed counts the people who joined and added a named idea or
	// voted; Silent those who joined and did neither.
	Contributed int `json:"contributed"`
	Silent      int `json:"silent"`
	// Ideas counts every idea added, retracted and hidden ones too;
	// Anonymous how many of them were anonymous (never by background).
	Ideas     int `json:"ideas"`
	Anonymous int `json:"anonymous"`
	// IdeasPerPerson is Ideas per person who joined.
	IdeasPerPerson float64 `json:"ideas_per_person"`
	// Votes are the votes given and still held; VoteBudget the votes
	// the people who joined had, on every question.
	Votes      int `json:"votes"`
	VoteBudget int `json:"vote_budget"`
	// BuildOns counts the ideas that build on another.
	BuildOns int `json:"build_ons"`
	// FirstIdeaSeconds is the median time from joining to one's first
	// named idea, over those who added one; nil when nobody did.
	FirstIdeaSeconds *int `json:"first_idea_seconds"`
	// PerMinute is the ideas added in each interval from Engagement.Start
	// (groups and the total only).
	PerMinute []int `json:"per_minute,omitempty"`
}

// GroupFigures are one group's figures.
type GroupFigures struct {
	Group string `json:"group"`
	Participation
}

// BackgroundFigures are the figures of the people of one background
// ("" for those who gave none).
type BackgroundFigures struct {
	Background string `json:"background"`
	Participation
}

// PriorityResult is the plenary's priority vote on a question: the
// conference themes and the recommendations of the question, each by
// votes, most first. One budget per person covered both.
type PriorityResult struct {
	Question        string          `json:"question"`
	Text            string          `json:"text"`
	Themes          []PriorityTheme `json:"themes"`
	Recommendations []PriorityTheme `json:"recommendations"`
}

// PriorityTheme is a conference theme, or a recommendation (Name is its
// text), and the priority votes it got.
type PriorityTheme struct {
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

// Priority kinds, as Ranked gives them.
const (
	PriorityOfTheme          = "theme"
	PriorityOfRecommendation = "recommendation"
)

// PriorityEntry is a theme or a recommendation in the ranking of a
// question.
type PriorityEntry struct {
	Kind string // PriorityOfTheme or PriorityOfRecommendation
	PriorityTheme
}

// Ranked returns the themes and the recommendations of the question
// ranked together, most votes first; at equal votes themes first, each
// kind in its own order.
func (r PriorityResult) Ranked() []PriorityEntry {
	out := make([]PriorityEntry, 0, len(r.Themes)+len(r.Recommendations))
	for _, t := range r.Themes {
		out = append(out, PriorityEntry{PriorityOfTheme, t})
	}
	for _, t := range r.Recommendations {
		out = append(out, PriorityEntry{PriorityOfRecommendation, t})
	}
	slices.SortStableFunc(out, func(a, b PriorityEntry) int { return b.Votes - a.Votes })
	return out
}

// SurveyResult is a survey item's results: Answers names what Counts
// counts (the scale's points or the options).
type SurveyResult struct {
	ID           string         `json:"id"`
	Kind         string         `json:"kind"`
	Text         string         `json:"text"`
	Answers      []string       `json:"answers"`
	Respondents  int            `json:"respondents"`
	Counts       []int          `json:"counts"`
	Texts        []string       `json:"texts"`
	ByGroup      []session.Cell `json:"by_group"`
	ByBackground []session.Cell `json:"by_background"`
	// Named is set for an item the plan marks named; ByPerson then holds
	// its answers by name (never filled for an anonymous item).
	Named    bool          `json:"named,omitempty"`
	ByPerson []NamedAnswer `json:"by_person,omitempty"`
}

// NamedAnswer is one person's answer to a named survey item, in words.
type NamedAnswer struct {
	Name    string   `json:"name"`
	Group   string   `json:"group"`
	Answers []string `json:"answers"`
}

// maxBuckets bounds the PerMinute series; a longer day gets wider
// intervals.
const maxBuckets = 240

// NewEngagement works out the engagement figures of a state, as the
// organizer's view holds it.
func NewEngagement(s *session.State) Engagement {
	e := Engagement{Groups: []GroupFigures{}, Backgrounds: []BackgroundFigures{},
		Priorities: []PriorityResult{}, Survey: []SurveyResult{}}
	nq := len(s.Questions)

	// One pass over the people, one over the ideas.
	type person struct {
		p        *session.Person
		ideas    int
		votes    int
		buildOns int
		first    time.Time
	}
	people := map[string]*person{}
	groupIdx := map[string]int{}
	for k, g := range s.Groups {
		groupIdx[g.Name] = k
		e.Groups = append(e.Groups, GroupFigures{Group: g.Name})
	}
	for id, p := range s.People {
		if p.Role != session.Organizer {
			people[id] = &person{p: p}
		}
	}
	var first, last time.Time
	groupIdeas := make([][]time.Time, len(s.Groups))
	for _, i := range s.Ideas {
		gk, ok := groupIdx[i.Group]
		if !ok {
			continue
		}
		g := &e.Groups[gk].Participation
		g.Ideas++
		if i.BuildsOn != "" {
			g.BuildOns++
		}
		if i.Anonymous {
			g.Anonymous++
		} else if a := people[i.Author]; a != nil {
			a.ideas++
			if i.BuildsOn != "" {
				a.buildOns++
			}
			if a.first.IsZero() || i.Created.Before(a.first) {
				a.first = i.Created
			}
		}
		groupIdeas[gk] = append(groupIdeas[gk], i.Created)
		if first.IsZero() || i.Created.Before(first) {
			first = i.Created
		}
		if i.Created.After(last) {
			last = i.Created
		}
		if i.MergedInto == "" {
			for _, v := range i.Voters {
				if a := people[v]; a != nil {
					a.votes++
				}
			}
		}
	}

	// Per person into groups, backgrounds and the total.
	bgIdx := map[string]int{}
	firsts := map[string][]int{} // "g:"+group, "b:"+background, "" → seconds
	add := func(f *Participation, x *person) {
		f.Members++
		if !x.p.Joined {
			return
		}
		f.Joined++
		f.Votes += x.votes
		f.VoteBudget += s.VotesPerPerson * nq
		if x.ideas > 0 || x.votes > 0 {
			f.Contributed++
		} else {
			f.Silent++
		}
	}
	ids := make([]string, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		x := people[id]
		// Backgrounds match case-insensitively, as in the methodology;
		// the first spelling met names them.
		bg := strings.ToLower(strings.TrimSpace(x.p.Background))
		bk, ok := bgIdx[bg]
		if !ok {
			bk = len(e.Backgrounds)
			bgIdx[bg] = bk
			e.Backgrounds = append(e.Backgrounds, BackgroundFigures{Background: strings.TrimSpace(x.p.Background)})
		}
		b := &e.Backgrounds[bk].Participation
		add(b, x)
		b.Ideas += x.ideas
		b.BuildOns += x.buildOns
		if gk, ok := groupIdx[x.p.Group]; ok {
			add(&e.Groups[gk].Participation, x)
		}
		add(&e.Total, x)
		if x.p.Joined && !x.first.IsZero() && !x.p.JoinedAt.IsZero() {
			secs := int(max(0, x.first.Sub(x.p.JoinedAt)/time.Second))
			firsts["g:"+x.p.Group] = append(firsts["g:"+x.p.Group], secs)
			firsts["b:"+bg] = append(firsts["b:"+bg], secs)
			firsts[""] = append(firsts[""], secs)
		}
	}
	slices.SortFunc(e.Backgrounds, func(a, b BackgroundFigures) int {
		return cmp.Or(b.Joined-a.Joined, strings.Compare(a.Background, b.Background))
	})

	// The series: minutes from the first idea's.
	if !first.IsZero() {
		e.Start = first.Truncate(time.Minute)
		span := int(last.Sub(e.Start)/time.Minute) + 1
		e.BucketMinutes = (span + maxBuckets - 1) / maxBuckets
		n := (span + e.BucketMinutes - 1) / e.BucketMinutes
		e.Total.PerMinute = make([]int, n)
		width := time.Duration(e.BucketMinutes) * time.Minute
		for gk, times := range groupIdeas {
			series := make([]int, n)
			for _, t := range times {
				k := int(t.Sub(e.Start) / width)
				series[k]++
				e.Total.PerMinute[k]++
			}
			e.Groups[gk].PerMinute = series
		}
	}
	for gk := range e.Groups {
		g := &e.Groups[gk].Participation
		e.Total.Ideas += g.Ideas
		e.Total.Anonymous += g.Anonymous
		e.Total.BuildOns += g.BuildOns
		g.finish(firsts["g:"+e.Groups[gk].Group])
	}
	for bk := range e.Backgrounds {
		e.Backgrounds[bk].finish(firsts["b:"+strings.ToLower(e.Backgrounds[bk].Background)])
	}
	e.Total.finish(firsts[""])

	for _, q := range s.Questions {
		themes, recs := s.ThemesOf(q.ID), s.RecommendationsOf(q.ID)
		if len(themes) == 0 && len(recs) == 0 {
			continue
		}
		tally := s.PriorityTally(q.ID)
		r := PriorityResult{Question: q.ID, Text: q.Text, Themes: []PriorityTheme{}, Recommendations: []PriorityTheme{}}
		for _, t := range themes {
			r.Themes = append(r.Themes, PriorityTheme{Name: t.Name, Votes: tally[t.ID]})
		}
		for _, rec := range recs {
			r.Recommendations = append(r.Recommendations, PriorityTheme{Name: rec.Text, Votes: tally[rec.ID]})
		}
		byVotes := func(a, b PriorityTheme) int { return b.Votes - a.Votes }
		slices.SortStableFunc(r.Themes, byVotes)
		slices.SortStableFunc(r.Recommendations, byVotes)
		e.Priorities = append(e.Priorities, r)
	}
	for _, it := range s.Survey {
		e.Survey = append(e.Survey, surveyResult(it))
	}
	return e
}

func (f *Participation) finish(firsts []int) {
	if f.Joined > 0 {
		f.IdeasPerPerson = float64(f.Ideas) / float64(f.Joined)
	}
	if len(firsts) > 0 {
		slices.Sort(firsts)
		m := firsts[len(firsts)/2]
		if len(firsts)%2 == 0 {
			m = (firsts[len(firsts)/2-1] + m) / 2
		}
		f.FirstIdeaSeconds = &m
	}
}

// surveyResult is a survey item's results as the report gives them.
func surveyResult(it *session.SurveyItem) SurveyResult {
	r := SurveyResult{ID: it.ID, Kind: it.Kind, Text: it.Text, Answers: []string{}, Counts: []int{}, Texts: []string{},
		ByGroup: []session.Cell{}, ByBackground: []session.Cell{}}
	switch it.Kind {
	case session.SurveyScale:
		for v := 1; v <= session.ScaleMax; v++ {
			a := strconv.Itoa(v)
			if l := it.PointLabel(v); l != "" {
				a += " " + l
			}
			r.Answers = append(r.Answers, a)
		}
	case session.SurveySingle, session.SurveyMultiple:
		r.Answers = append(r.Answers, it.Options...)
	}
	r.Counts = make([]int, len(r.Answers))
	if res := it.Results; res != nil {
		r.Respondents = res.Total.Respondents
		copy(r.Counts, res.Total.Counts)
		r.Texts = append(r.Texts, res.Total.Texts...)
		r.ByGroup = append(r.ByGroup, res.ByGroup...)
		r.ByBackground = append(r.ByBackground, res.ByBackground...)
		if it.Named {
			for _, a := range res.ByPerson {
				r.ByPerson = append(r.ByPerson, NamedAnswer{Name: a.Name, Group: a.Group, Answers: r.words(a.Answer)})
			}
		}
	}
	r.Named = it.Named
	return r
}

// words is an answer as the report gives it: the scale's point or the
// options chosen, in the words of Answers, or the text.
func (r SurveyResult) words(a session.Answer) []string {
	var out []string
	if a.Value > 0 && a.Value <= len(r.Answers) {
		out = append(out, r.Answers[a.Value-1])
	}
	for _, ch := range a.Choices {
		if ch >= 0 && ch < len(r.Answers) {
			out = append(out, r.Answers[ch])
		}
	}
	if a.Text != "" {
		out = append(out, a.Text)
	}
	return out
}
