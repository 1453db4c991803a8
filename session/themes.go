package session

import (
	"slices"
	"strconv"
	"strings"
)

// Conference themes are the organizer's synthesis across groups: per
// question, named themes that each hold ideas from any group. Rapporteurs
// tag ideas within their group (idea.theme); the organizer builds the
// conference themes from those tags and from suggestions (report.Suggest),
// and the conference report is organised by them.

// Op kinds of conference themes; the organizer's only.
const (
	KindThemeCreate  = "theme.create"
	KindThemeRename  = "theme.rename"
	KindThemeMerge   = "theme.merge"
	KindThemeSplit   = "theme.split"
	KindThemeDismiss = "theme.dismiss"
	KindThemeMove    = "theme.move"
	// KindSuggestionDismiss sets a suggested theme aside, so the organizer
	// is not offered it again.
	KindSuggestionDismiss = "suggestion.dismiss"
)

// MaxThemeIdeas bounds the ideas named in one theme op.
const MaxThemeIdeas = 1000

// Theme is a conference theme: a name and the ideas, from any group, that
// raised it, on one question.
type Theme struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Name     string `json:"name"`
	// Ideas are idea ids in the order they were added.
	Ideas []string `json:"ideas"`
	// Groups are the groups its ideas come from, sorted: everyone shown
	// the theme can count "raised in k of n groups", also without seeing
	// every idea.
	Groups []string `json:"groups,omitempty"`
	// Dismissed is set only in the event that removes the theme.
	Dismissed bool `json:"dismissed,omitempty"`
}

func (t *Theme) copy() *Theme {
	c := *t
	c.Ideas = slices.Clone(t.Ideas)
	c.Groups = slices.Clone(t.Groups)
	return &c
}

// Data of the theme ops.
type (
	ThemeCreate struct {
		Question string   `json:"question"`
		Name     string   `json:"name"`
		Ideas    []string `json:"ideas,omitempty"`
	}
	ThemeRename struct {
		Theme string `json:"theme"`
		Name  string `json:"name"`
	}
	ThemeMerge struct {
		Theme string `json:"theme"`
		Into  string `json:"into"`
	}
	ThemeSplit struct {
		Theme string   `json:"theme"`
		Ideas []string `json:"ideas"`
		Name  string   `json:"name"`
	}
	ThemeRef struct {
		Theme string `json:"theme"`
	}
	// ThemeMove moves ideas into a theme, or out of every theme when Theme
	// is empty. The ideas are those listed, and, when Group and Tag are
	// given, every idea of that group on the theme's question that the
	// rapporteur tagged Tag (a group's whole theme).
	ThemeMove struct {
		Theme string   `json:"theme,omitempty"`
		Ideas []string `json:"ideas,omitempty"`
		Group string   `json:"group,omitempty"`
		Tag   string   `json:"tag,omitempty"`
		// Question is needed only to take a group's tag out of every
		// theme (Theme empty).
		Question string `json:"question,omitempty"`
	}
	SuggestionDismiss struct {
		Question string `json:"question"`
		Name     string `json:"name"`
	}
)

// ThemeOf returns the conference theme that holds the idea, or nil.
func (s *State) ThemeOf(idea string) *Theme {
	for _, t := range s.Themes {
		if slices.Contains(t.Ideas, idea) {
			return t
		}
	}
	return nil
}

// ThemesOf returns the conference themes of a question, oldest first.
func (s *State) ThemesOf(question string) []*Theme {
	var out []*Theme
	for _, t := range s.Themes {
		if t.Question == question {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *Theme) int {
		if ideaLess(a.ID, b.ID) {
			return -1
		}
		if a.ID == b.ID {
			return 0
		}
		return 1
	})
	return out
}

// SuggestionDismissed reports whether the organizer set aside suggestions
// of that name on the question.
func (s *State) SuggestionDismissed(question, name string) bool {
	return slices.Contains(s.Dismissed[question], foldName(name))
}

// foldName is a theme name compared loosely: case and spacing folded.
func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func (c *ctx) themeName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", reject(CodeInvalid, "a theme needs a name")
	}
	if err := CheckText(name, MaxTheme, false); err != nil {
		return "", reject(CodeInvalid, "theme name %v", err)
	}
	return name, nil
}

func (c *ctx) theme(id string) (*Theme, error) {
	t := c.s.Themes[id]
	if t == nil {
		return nil, reject(CodeNotFound, "no conference theme %q", id)
	}
	return t, nil
}

// themeIdeas checks idea ids for a theme on question: each must exist, be
// on the question and not be retracted or merged away. Duplicates are
// dropped.
func (c *ctx) themeIdeas(question string, ids []string) ([]string, error) {
	if len(ids) > MaxThemeIdeas {
		return nil, reject(CodeTooLarge, "at most %d ideas in one theme op", MaxThemeIdeas)
	}
	out := []string{}
	for _, id := range ids {
		i := c.s.Ideas[id]
		if i == nil {
			return nil, reject(CodeNotFound, "no idea %q", id)
		}
		if i.Question != question {
			return nil, reject(CodeInvalid, "idea %q is on question %q, not %q", id, i.Question, question)
		}
		if i.Retracted || i.MergedInto != "" {
			return nil, reject(CodeNotFound, "idea %q was retracted or merged", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// takeOut removes ideas from every theme but keep, and returns the themes
// it changed.
func (c *ctx) takeOut(ideas []string, keep *Theme) []*Theme {
	var changed []*Theme
	for _, t := range c.s.Themes {
		if t == keep {
			continue
		}
		n := len(t.Ideas)
		t.Ideas = slices.DeleteFunc(t.Ideas, func(id string) bool { return slices.Contains(ideas, id) })
		if len(t.Ideas) != n {
			changed = append(changed, t)
		}
	}
	return changed
}

// themeEvent is the event of a theme op: organizers only are shown it.
func (c *ctx) themeEvent(themes ...*Theme) Event {
	out := make([]*Theme, 0, len(themes))
	for _, t := range themes {
		t.Groups = nil
		for _, id := range t.Ideas {
			if i := c.s.Ideas[id]; i != nil && !slices.Contains(t.Groups, i.Group) {
				t.Groups = append(t.Groups, i.Group)
			}
		}
		slices.Sort(t.Groups)
		out = append(out, t.copy())
	}
	slices.SortFunc(out, func(a, b *Theme) int { return strings.Compare(a.ID, b.ID) })
	return c.event("", EventData{Themes: out})
}

// themeOp dispatches the conference theme ops.
func (c *ctx) themeOp() (Event, error) {
	switch c.e.Op.Kind {
	case KindThemeCreate:
		return c.themeCreate()
	case KindThemeRename:
		return c.themeRename()
	case KindThemeMerge:
		return c.themeMerge()
	case KindThemeSplit:
		return c.themeSplit()
	case KindThemeDismiss:
		return c.themeDismiss()
	case KindThemeMove:
		return c.themeMove()
	}
	return c.suggestionDismiss()
}

func (c *ctx) themeCreate() (Event, error) {
	var d ThemeCreate
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if _, qi := c.s.Question(d.Question); qi < 0 {
		return Event{}, reject(CodeNotFound, "no question %q", d.Question)
	}
	name, err := c.themeName(d.Name)
	if err != nil {
		return Event{}, err
	}
	ideas, err := c.themeIdeas(d.Question, d.Ideas)
	if err != nil {
		return Event{}, err
	}
	if len(c.s.Themes) >= MaxThemeIdeas {
		return Event{}, reject(CodeTooLarge, "a session holds at most %d conference themes", MaxThemeIdeas)
	}
	t := &Theme{ID: "t" + strconv.FormatInt(c.s.Seq+1, 10), Question: d.Question, Name: name, Ideas: ideas}
	changed := c.takeOut(ideas, nil)
	if c.s.Themes == nil {
		c.s.Themes = map[string]*Theme{}
	}
	c.s.Themes[t.ID] = t
	return c.themeEvent(append(changed, t)...), nil
}

func (c *ctx) themeRename() (Event, error) {
	var d ThemeRename
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	t, err := c.theme(d.Theme)
	if err != nil {
		return Event{}, err
	}
	name, err := c.themeName(d.Name)
	if err != nil {
		return Event{}, err
	}
	t.Name = name
	return c.themeEvent(t), nil
}

func (c *ctx) themeMerge() (Event, error) {
	var d ThemeMerge
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	src, err := c.theme(d.Theme)
	if err != nil {
		return Event{}, err
	}
	dst, err := c.theme(d.Into)
	if err != nil {
		return Event{}, err
	}
	if src == dst {
		return Event{}, reject(CodeInvalid, "a theme cannot be merged into itself")
	}
	if src.Question != dst.Question {
		return Event{}, reject(CodeInvalid, "themes of different questions cannot be merged")
	}
	for _, id := range src.Ideas {
		if !slices.Contains(dst.Ideas, id) {
			dst.Ideas = append(dst.Ideas, id)
		}
	}
	delete(c.s.Themes, src.ID)
	gone := src.copy()
	gone.Ideas, gone.Dismissed = []string{}, true
	return c.themeEvent(gone, dst), nil
}

func (c *ctx) themeSplit() (Event, error) {
	var d ThemeSplit
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	src, err := c.theme(d.Theme)
	if err != nil {
		return Event{}, err
	}
	name, err := c.themeName(d.Name)
	if err != nil {
		return Event{}, err
	}
	ideas, err := c.themeIdeas(src.Question, d.Ideas)
	if err != nil {
		return Event{}, err
	}
	if len(ideas) == 0 {
		return Event{}, reject(CodeInvalid, "name the ideas that go to the new theme")
	}
	for _, id := range ideas {
		if !slices.Contains(src.Ideas, id) {
			return Event{}, reject(CodeInvalid, "idea %q is not in theme %q", id, src.ID)
		}
	}
	t := &Theme{ID: "t" + strconv.FormatInt(c.s.Seq+1, 10), Question: src.Question, Name: name, Ideas: ideas}
	c.takeOut(ideas, nil)
	c.s.Themes[t.ID] = t
	return c.themeEvent(src, t), nil
}

func (c *ctx) themeDismiss() (Event, error) {
	var d ThemeRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	t, err := c.theme(d.Theme)
	if err != nil {
		return Event{}, err
	}
	delete(c.s.Themes, t.ID)
	gone := t.copy()
	gone.Ideas, gone.Dismissed = []string{}, true
	return c.themeEvent(gone), nil
}

func (c *ctx) themeMove() (Event, error) {
	var d ThemeMove
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	var dst *Theme
	question := d.Question
	if d.Theme != "" {
		t, err := c.theme(d.Theme)
		if err != nil {
			return Event{}, err
		}
		if question != "" && question != t.Question {
			return Event{}, reject(CodeInvalid, "theme %q is on question %q, not %q", t.ID, t.Question, question)
		}
		dst, question = t, t.Question
	}
	if (d.Group == "") != (d.Tag == "") {
		return Event{}, reject(CodeInvalid, "a group's theme is named by both group and tag")
	}
	ids := slices.Clone(d.Ideas)
	if d.Group != "" {
		if c.s.Group(d.Group) == nil {
			return Event{}, reject(CodeNotFound, "no group %q", d.Group)
		}
		if question == "" {
			return Event{}, reject(CodeInvalid, "name the question of the group's theme")
		}
		tag := foldName(d.Tag)
		for _, i := range c.s.IdeasOf(d.Group, question) {
			if foldName(i.Theme) == tag && tag != "" && !i.Retracted && i.MergedInto == "" {
				ids = append(ids, i.ID)
			}
		}
		if len(ids) == len(d.Ideas) {
			return Event{}, reject(CodeNotFound, "no idea of %s on %s is tagged %q", d.Group, question, d.Tag)
		}
	}
	if len(ids) == 0 {
		return Event{}, reject(CodeInvalid, "name the ideas to move")
	}
	if question == "" {
		if i := c.s.Ideas[ids[0]]; i != nil {
			question = i.Question
		}
	}
	ideas, err := c.themeIdeas(question, ids)
	if err != nil {
		return Event{}, err
	}
	changed := c.takeOut(ideas, dst)
	if dst != nil {
		for _, id := range ideas {
			if !slices.Contains(dst.Ideas, id) {
				dst.Ideas = append(dst.Ideas, id)
			}
		}
		changed = append(changed, dst)
	}
	if len(changed) == 0 {
		return Event{}, reject(CodeInvalid, "those ideas are in no conference theme")
	}
	return c.themeEvent(changed...), nil
}

func (c *ctx) suggestionDismiss() (Event, error) {
	var d SuggestionDismiss
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if _, qi := c.s.Question(d.Question); qi < 0 {
		return Event{}, reject(CodeNotFound, "no question %q", d.Question)
	}
	name, err := c.themeName(d.Name)
	if err != nil {
		return Event{}, err
	}
	if c.s.Dismissed == nil {
		c.s.Dismissed = map[string][]string{}
	}
	if !c.s.SuggestionDismissed(d.Question, name) {
		if len(c.s.Dismissed[d.Question]) >= MaxThemeIdeas {
			return Event{}, reject(CodeTooLarge, "at most %d suggestions set aside per question", MaxThemeIdeas)
		}
		c.s.Dismissed[d.Question] = append(c.s.Dismissed[d.Question], foldName(name))
	}
	return c.event("", EventData{Dismissed: &SuggestionDismiss{Question: d.Question, Name: foldName(name)}}), nil
}
