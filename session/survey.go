package session

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A survey is the plan's questionnaire: items the organizer opens and
// closes in any phase, which every member answers, and may answer again
// while the item is open. Answers are anonymous by default: an answer goes
// back to its author alone; everyone else is shown tallies, the organizer
// also by group and by background, and only where enough people answered
// that no tally gives one person's answer away. An item the plan marks
// named (a sign-up, say) shows the organizer each answer with its author's
// name; everyone else still sees tallies only.

// Op kinds of the survey.
const (
	KindSurveyOpen   = "survey.open"
	KindSurveyClose  = "survey.close"
	KindSurveyAnswer = "survey.answer"
)

// Survey item kinds.
const (
	SurveyScale    = "scale"    // 1 to ScaleMax, with optional labels
	SurveySingle   = "single"   // one of the options
	SurveyMultiple = "multiple" // any of the options
	SurveyText     = "text"     // free text
)

// Bounds of a survey.
const (
	ScaleMax       = 5
	MaxSurveyItems = 50
	MaxOptions     = 20
	MaxSurveyText  = 1000
)

// MinCell is the fewest answers a tally by group or by background may
// count; smaller cells are pooled so that no one's answer can be read off.
const MinCell = 3

// OtherCell names the pool of the cells too small to show on their own.
const OtherCell = "other"

// PlanSurveyItem is one item of the plan's questionnaire.
type PlanSurveyItem struct {
	ID      string   `toml:"id,omitempty" json:"id"`
	Kind    string   `toml:"kind" json:"kind"`
	Text    string   `toml:"text" json:"text"`
	Options []string `toml:"options,omitempty" json:"options,omitempty"`
	// Labels name the ends of a scale (two) or every point (five).
	Labels []string `toml:"labels,omitempty" json:"labels,omitempty"`
	// Named items show the organizer who gave which answer; items are
	// anonymous unless the plan says named = true.
	Named bool `toml:"named,omitempty" json:"named,omitempty"`
}

// SurveyItem is a survey item in the state: the plan's item, whether it
// is open for answers, and its results so far.
type SurveyItem struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Options []string `json:"options,omitempty"`
	Labels  []string `json:"labels,omitempty"`
	Named   bool     `json:"named,omitempty"`
	Open    bool     `json:"open,omitempty"`
	// Results are nil until someone answers.
	Results *Results `json:"results,omitempty"`
}

// Results are the tallies of a survey item. Everyone is shown Total
// without its texts; the organizer is shown the texts and the tallies by
// group and by background, and of a named item every answer by name.
type Results struct {
	Total        Tally  `json:"total"`
	ByGroup      []Cell `json:"by_group,omitempty"`
	ByBackground []Cell `json:"by_background,omitempty"`
	// ByPerson is a named item's answers, by name; always empty for an
	// anonymous item.
	ByPerson []NamedAnswer `json:"by_person,omitempty"`
}

// NamedAnswer is one person's answer to a named item, as the organizer
// is shown it.
type NamedAnswer struct {
	Name   string `json:"name"`
	Group  string `json:"group,omitempty"`
	Answer Answer `json:"answer"`
}

// Tally counts the answers to an item. Counts has one entry per scale
// point (1 first) or per option; Texts are the text answers, sorted, so
// their order says nothing of who wrote them or when.
type Tally struct {
	Respondents int      `json:"respondents"`
	Counts      []int    `json:"counts,omitempty"`
	Texts       []string `json:"texts,omitempty"`
}

// Cell is the tally of a group or a background, or of OtherCell, the
// pool of those too small to show.
type Cell struct {
	Name string `json:"name"`
	Tally
}

// Answer is one person's answer to an item: Value for a scale, Choices
// (option indexes from 0) for single and multiple choice, Text for text.
type Answer struct {
	Item    string `json:"item"`
	Value   int    `json:"value,omitempty"`
	Choices []int  `json:"choices,omitempty"`
	Text    string `json:"text,omitempty"`
}

// SurveyRef names survey items; none names every item.
type SurveyRef struct {
	Items []string `json:"items,omitempty"`
}

// PointLabel is the label of point v (1 to ScaleMax) of a scale: the
// plan's label of that point, of an end, or "" for a point in between.
func (it *SurveyItem) PointLabel(v int) string {
	switch {
	case len(it.Labels) == ScaleMax:
		return it.Labels[v-1]
	case len(it.Labels) == 2 && v == 1:
		return it.Labels[0]
	case len(it.Labels) == 2 && v == ScaleMax:
		return it.Labels[1]
	}
	return ""
}

// SurveyItemOf returns the survey item with that id, or nil.
func (s *State) SurveyItemOf(id string) *SurveyItem {
	for _, it := range s.Survey {
		if it.ID == id {
			return it
		}
	}
	return nil
}

// AnswerOf returns person's answer to an item, as the relay holds it or
// as person's own view holds it.
func (s *State) AnswerOf(person, item string) (Answer, bool) {
	a, ok := s.Answers[person][item]
	return a, ok
}

func (it *SurveyItem) copy() *SurveyItem {
	c := *it
	c.Options, c.Labels = slices.Clone(it.Options), slices.Clone(it.Labels)
	if it.Results != nil {
		r := it.Results.clone()
		c.Results = &r
	}
	return &c
}

// forViewer is the item as v may see it: the organizer all of it,
// anyone else the total without its texts.
func (it *SurveyItem) forViewer(v Viewer) *SurveyItem {
	c := it.copy()
	if v.Role != Organizer && c.Results != nil {
		c.Results.ByGroup, c.Results.ByBackground, c.Results.Total.Texts, c.Results.ByPerson = nil, nil, nil, nil
	}
	return c
}

func (r Results) clone() Results {
	r.Total = r.Total.clone()
	r.ByGroup, r.ByBackground = cloneCells(r.ByGroup), cloneCells(r.ByBackground)
	if r.ByPerson != nil {
		by := make([]NamedAnswer, len(r.ByPerson))
		for k, a := range r.ByPerson {
			by[k] = NamedAnswer{Name: a.Name, Group: a.Group, Answer: a.Answer.clone()}
		}
		r.ByPerson = by
	}
	return r
}

func (t Tally) clone() Tally {
	t.Counts, t.Texts = slices.Clone(t.Counts), slices.Clone(t.Texts)
	return t
}

func cloneCells(cells []Cell) []Cell {
	if cells == nil {
		return nil
	}
	out := make([]Cell, len(cells))
	for k, c := range cells {
		out[k] = Cell{Name: c.Name, Tally: c.Tally.clone()}
	}
	return out
}

func (a Answer) clone() Answer { a.Choices = slices.Clone(a.Choices); return a }

// validateSurvey checks the plan's survey items, filling in ids s1, s2, …
func validateSurvey(items []PlanSurveyItem, bad func(field, format string, args ...any) error) error {
	if len(items) > MaxSurveyItems {
		return bad("survey", "%d items; at most %d", len(items), MaxSurveyItems)
	}
	ids := map[string]bool{}
	for i, it := range items {
		f := fmt.Sprintf("survey[%d]", i+1)
		if err := checkID(it.ID); err != nil {
			return bad(f+".id", "%v", err)
		}
		if ids[it.ID] {
			return bad(f+".id", "%q is used twice; survey ids must be unique", it.ID)
		}
		ids[it.ID] = true
		if it.Text == "" {
			return bad(f+".text", "missing; write the question")
		}
		if err := CheckText(it.Text, MaxIdea, false); err != nil {
			return bad(f+".text", "%v", err)
		}
		switch it.Kind {
		case SurveyScale:
			if len(it.Options) > 0 {
				return bad(f+".options", "a scale has no options; give labels instead")
			}
			if n := len(it.Labels); n != 0 && n != 2 && n != ScaleMax {
				return bad(f+".labels", "%d labels; give 2 (the ends) or %d (every point)", n, ScaleMax)
			}
		case SurveySingle, SurveyMultiple:
			if n := len(it.Options); n < 2 || n > MaxOptions {
				return bad(f+".options", "%d options; give 2 to %d", n, MaxOptions)
			}
			if len(it.Labels) > 0 {
				return bad(f+".labels", "only a scale has labels")
			}
		case SurveyText:
			if len(it.Options) > 0 || len(it.Labels) > 0 {
				return bad(f, "a text item has no options or labels")
			}
		default:
			return bad(f+".kind", "%q is not a kind; use scale, single, multiple or text", it.Kind)
		}
		seen := map[string]bool{}
		for k, o := range it.Options {
			if o == "" {
				return bad(fmt.Sprintf("%s.options[%d]", f, k+1), "empty")
			}
			if err := CheckText(o, MaxName*2, false); err != nil {
				return bad(fmt.Sprintf("%s.options[%d]", f, k+1), "%v", err)
			}
			if seen[strings.ToLower(o)] {
				return bad(fmt.Sprintf("%s.options[%d]", f, k+1), "%q is listed twice", o)
			}
			seen[strings.ToLower(o)] = true
		}
		for k, l := range it.Labels {
			if err := CheckText(l, MaxName, false); err != nil {
				return bad(fmt.Sprintf("%s.labels[%d]", f, k+1), "%v", err)
			}
		}
	}
	return nil
}

func normalizeSurvey(items []PlanSurveyItem) {
	for i := range items {
		it := &items[i]
		it.ID, it.Kind, it.Text = strings.TrimSpace(it.ID), strings.TrimSpace(strings.ToLower(it.Kind)), strings.TrimSpace(it.Text)
		if it.ID == "" {
			it.ID = fmt.Sprintf("s%d", i+1)
		}
		for k := range it.Options {
			it.Options[k] = strings.TrimSpace(it.Options[k])
		}
		for k := range it.Labels {
			it.Labels[k] = strings.TrimSpace(it.Labels[k])
		}
	}
}

// surveyItems returns the items an open or close names, every item when
// none.
func (c *ctx) surveyItems(ids []string) ([]*SurveyItem, error) {
	if len(c.s.Survey) == 0 {
		return nil, reject(CodeNotFound, "the plan has no survey")
	}
	if len(ids) == 0 {
		return c.s.Survey, nil
	}
	if len(ids) > MaxSurveyItems {
		return nil, reject(CodeInvalid, "%d items; at most %d", len(ids), MaxSurveyItems)
	}
	var out []*SurveyItem
	for _, id := range ids {
		it := c.s.SurveyItemOf(id)
		if it == nil {
			return nil, reject(CodeNotFound, "no survey item %q", id)
		}
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (c *ctx) surveyOpen(open bool) (Event, error) {
	var d SurveyRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	items, err := c.surveyItems(d.Items)
	if err != nil {
		return Event{}, err
	}
	var out []*SurveyItem
	for _, it := range items {
		it.Open = open
		out = append(out, it.copy())
	}
	return c.event("", EventData{Survey: out}), nil
}

func (c *ctx) surveyAnswer() (Event, error) {
	var a Answer
	if err := decode(c.e.Op.Data, &a); err != nil {
		return Event{}, err
	}
	it := c.s.SurveyItemOf(a.Item)
	if it == nil {
		return Event{}, reject(CodeNotFound, "no survey item %q", a.Item)
	}
	if !it.Open {
		return Event{}, reject(CodeClosed, "the survey item %q is not open for answers", a.Item)
	}
	if err := it.check(a); err != nil {
		return Event{}, err
	}
	if it.Kind == SurveyMultiple {
		a.Choices = slices.Clone(a.Choices)
		slices.Sort(a.Choices)
	}
	if c.s.Answers == nil {
		c.s.Answers = map[string]map[string]Answer{}
	}
	mine := c.s.Answers[c.actor.ID]
	if mine == nil {
		mine = map[string]Answer{}
		c.s.Answers[c.actor.ID] = mine
	}
	mine[a.Item] = a
	r := c.s.results(it)
	it.Results = &r
	return c.event("", EventData{Survey: []*SurveyItem{it.copy()}, Answers: []Answer{a.clone()}}), nil
}

// check reports whether a is a well-formed answer to the item.
func (it *SurveyItem) check(a Answer) error {
	bad := func(format string, args ...any) error {
		return reject(CodeInvalid, "survey item %q: "+format, append([]any{it.ID}, args...)...)
	}
	switch it.Kind {
	case SurveyScale:
		if a.Value < 1 || a.Value > ScaleMax || a.Choices != nil || a.Text != "" {
			return bad("answer with a value from 1 to %d", ScaleMax)
		}
	case SurveySingle, SurveyMultiple:
		if a.Value != 0 || a.Text != "" {
			return bad("answer with choices, the indexes of options")
		}
		if it.Kind == SurveySingle && len(a.Choices) != 1 {
			return bad("choose exactly one option")
		}
		seen := map[int]bool{}
		for _, ch := range a.Choices {
			if ch < 0 || ch >= len(it.Options) {
				return bad("option %d does not exist; choose 0 to %d", ch, len(it.Options)-1)
			}
			if seen[ch] {
				return bad("option %d is chosen twice", ch)
			}
			seen[ch] = true
		}
	case SurveyText:
		if a.Value != 0 || a.Choices != nil {
			return bad("answer with a text")
		}
		if strings.TrimSpace(a.Text) == "" {
			return bad("an answer needs some text")
		}
		if err := CheckText(a.Text, MaxSurveyText, true); err != nil {
			return bad("answer %v", err)
		}
	}
	return nil
}

// results tallies every answer to the item, in total, by group and by
// background.
func (s *State) results(it *SurveyItem) Results {
	total := it.newTally()
	groups, backgrounds := map[string]*Tally{}, map[string]*Tally{}
	var named []NamedAnswer
	for person, answers := range s.Answers {
		a, ok := answers[it.ID]
		if !ok {
			continue
		}
		p := s.People[person]
		group, background, name := "", "", ""
		if p != nil {
			group, background, name = p.Group, p.Background, p.Name
		}
		if it.Named {
			named = append(named, NamedAnswer{Name: name, Group: group, Answer: a.clone()})
		}
		for _, cell := range []struct {
			m   map[string]*Tally
			key string
		}{{groups, group}, {backgrounds, cmp.Or(strings.TrimSpace(background), "unknown")}} {
			t := cell.m[cell.key]
			if t == nil {
				nt := it.newTally()
				t = &nt
				cell.m[cell.key] = t
			}
			t.add(a)
		}
		total.add(a)
	}
	slices.Sort(total.Texts)
	slices.SortFunc(named, func(a, b NamedAnswer) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Group, b.Group), strings.Compare(a.Answer.Text, b.Answer.Text),
			cmp.Compare(a.Answer.Value, b.Answer.Value), slices.Compare(a.Answer.Choices, b.Answer.Choices))
	})
	return Results{Total: total, ByGroup: pool(it, groups), ByBackground: pool(it, backgrounds), ByPerson: named}
}

func (it *SurveyItem) newTally() Tally {
	switch it.Kind {
	case SurveyScale:
		return Tally{Counts: make([]int, ScaleMax)}
	case SurveySingle, SurveyMultiple:
		return Tally{Counts: make([]int, len(it.Options))}
	}
	return Tally{}
}

func (t *Tally) add(a Answer) {
	t.Respondents++
	if a.Value > 0 {
		t.Counts[a.Value-1]++
	}
	for _, ch := range a.Choices {
		t.Counts[ch]++
	}
	if a.Text != "" {
		t.Texts = append(t.Texts, a.Text)
	}
}

// pool turns the tallies of groups or backgrounds into cells by name,
// pooling those with fewer than MinCell answers into OtherCell. When the
// pool itself is that small the breakdown is left out: its tally would be
// the total less the cells shown, one person's answer at worst. So is a
// breakdown that would be the pool alone: it says nothing the total does
// not.
func pool(it *SurveyItem, tallies map[string]*Tally) []Cell {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range tallies {
			if !yield(k) {
				return
			}
		}
	})
	var out []Cell
	other := it.newTally()
	for _, n := range names {
		t := tallies[n]
		if t.Respondents < MinCell {
			other.Respondents += t.Respondents
			for k, v := range t.Counts {
				other.Counts[k] += v
			}
			other.Texts = append(other.Texts, t.Texts...)
			continue
		}
		c := Cell{Name: n, Tally: *t}
		slices.Sort(c.Texts)
		out = append(out, c)
	}
	if other.Respondents > 0 {
		if other.Respondents < MinCell {
			return nil
		}
		if len(out) == 0 {
			return nil // the pool would be the total
		}
		slices.Sort(other.Texts)
		out = append(out, Cell{Name: OtherCell, Tally: other})
	}
	return out
}

func (s *State) surveyCopy() []*SurveyItem {
	var out []*SurveyItem
	for _, it := range s.Survey {
		out = append(out, it.copy())
	}
	return out
}
