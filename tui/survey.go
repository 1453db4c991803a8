package tui

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"breakout/session"
)

// SurveyKeys work while the survey form is open; the form's own keys
// move between the items and choose.
type SurveyKeys struct {
	Next, Prev, Close key.Binding
}

// DefaultSurveyKeys returns the survey form's keys.
func DefaultSurveyKeys() SurveyKeys {
	return SurveyKeys{
		Next:  bind([]string{"enter"}, "enter", "next item; on the last, send"),
		Prev:  bind([]string{"shift+tab"}, "shift+tab", "previous item"),
		Close: bind([]string{"esc"}, "esc", "close, keep what you chose"),
	}
}

// surveyDraft is what a person chose for an item, kept while the form is
// closed so nothing chosen or typed is lost.
type surveyDraft struct {
	value   int // a scale point, 0: no answer
	choice  int // a single choice, -1: no answer
	choices []int
	text    string
}

// surveyForm is the questionnaire as a form (charm.land/huh): every open
// item, filled in with the person's own answers, which they may change
// until the organizer closes the item.
type surveyForm struct {
	a      *app
	keys   SurveyKeys
	form   *huh.Form
	items  []string // the items in the form
	drafts map[string]*surveyDraft
	// sent holds the answers sent and not yet applied, by op id, to keep
	// them as drafts when rejected.
	sent   map[string]string
	open   bool
	width  int
	height int
}

func newSurveyForm(a *app) *surveyForm {
	return &surveyForm{a: a, keys: DefaultSurveyKeys(), drafts: map[string]*surveyDraft{}, sent: map[string]string{}}
}

// openItems are the survey items open for answers.
func openItems(s *session.State) []*session.SurveyItem {
	var out []*session.SurveyItem
	for _, it := range s.Survey {
		if it.Open {
			out = append(out, it)
		}
	}
	return out
}

// draftOf is the draft of an item: the one kept, else the person's answer.
func (f *surveyForm) draftOf(it *session.SurveyItem) *surveyDraft {
	if d := f.drafts[it.ID]; d != nil {
		return d
	}
	d := &surveyDraft{choice: -1}
	if ans, ok := f.a.state.AnswerOf(f.a.me.ID, it.ID); ok {
		d.value, d.text, d.choices = ans.Value, ans.Text, slices.Clone(ans.Choices)
		if it.Kind == session.SurveySingle && len(ans.Choices) == 1 {
			d.choice = ans.Choices[0]
		}
	}
	f.drafts[it.ID] = d
	return d
}

// answer is the answer a draft makes, and whether it answers at all.
func (d *surveyDraft) answer(it *session.SurveyItem) (session.Answer, bool) {
	a := session.Answer{Item: it.ID}
	switch it.Kind {
	case session.SurveyScale:
		a.Value = d.value
		return a, d.value > 0
	case session.SurveySingle:
		if d.choice >= 0 {
			a.Choices = []int{d.choice}
		}
		return a, d.choice >= 0
	case session.SurveyMultiple:
		a.Choices = slices.Clone(d.choices)
		slices.Sort(a.Choices)
		return a, len(a.Choices) > 0
	}
	a.Text = strings.TrimSpace(d.text)
	return a, a.Text != ""
}

// changed reports whether a draft differs from the answer the person gave.
func (f *surveyForm) changed(it *session.SurveyItem, d *surveyDraft) bool {
	a, ok := d.answer(it)
	old, had := f.a.state.AnswerOf(f.a.me.ID, it.ID)
	if !ok {
		return false
	}
	slices.Sort(old.Choices)
	return !had || a.Value != old.Value || a.Text != old.Text || !slices.Equal(a.Choices, old.Choices)
}

// start opens the form on every open item.
func (f *surveyForm) start() tea.Cmd {
	items := openItems(f.a.state)
	if len(items) == 0 {
		return f.a.say(noticeInfo, "no survey is open now: the organizer opens it")
	}
	f.items = f.items[:0]
	var groups []*huh.Group
	for k, it := range items {
		f.items = append(f.items, it.ID)
		d := f.draftOf(it)
		title := fmt.Sprintf("%d/%d  %s", k+1, len(items), it.Text)
		desc := f.description(it)
		var field huh.Field
		switch it.Kind {
		case session.SurveyScale:
			opts := []huh.Option[int]{huh.NewOption("— no answer", 0)}
			for v := 1; v <= session.ScaleMax; v++ {
				opts = append(opts, huh.NewOption(scaleLabel(it, v), v))
			}
			field = huh.NewSelect[int]().Title(title).Description(desc).Options(opts...).Value(&d.value)
		case session.SurveySingle:
			opts := []huh.Option[int]{huh.NewOption("— no answer", -1)}
			for k, o := range it.Options {
				opts = append(opts, huh.NewOption(o, k))
			}
			field = huh.NewSelect[int]().Title(title).Description(desc).Options(opts...).Value(&d.choice)
		case session.SurveyMultiple:
			var opts []huh.Option[int]
			for k, o := range it.Options {
				opts = append(opts, huh.NewOption(o, k).Selected(slices.Contains(d.choices, k)))
			}
			field = huh.NewMultiSelect[int]().Title(title).Description(desc + " · x or space chooses").Options(opts...).Value(&d.choices).
				Height(len(opts) + 4) // title, description and room: else it shows one option
		default:
			// No limit cuts what is typed or pasted: a longer answer
			// stays, with a counter, and is not sent until shortened.
			field = huh.NewText().Title(title).Description(desc).Lines(4).Value(&d.text).Validate(checkAnswerLength)
		}
		groups = append(groups, huh.NewGroup(field))
	}
	km := huh.NewDefaultKeyMap()
	// ctrl+c quits the program; esc closes the form and keeps the drafts.
	km.Quit = key.NewBinding(key.WithKeys("esc"))
	f.form = huh.NewForm(groups...).WithKeyMap(km).WithShowHelp(true).
		WithTheme(huh.ThemeFunc(huh.ThemeCharm)).WithWidth(max(f.width, 20)).WithHeight(max(f.height-1, 5))
	f.open = true
	return f.form.Init()
}

// checkAnswerLength refuses a text answer longer than the relay takes.
func checkAnswerLength(text string) error {
	if n := utf8.RuneCountInString(text); n > session.MaxSurveyText {
		return fmt.Errorf("the answer is %d characters; at most %d: shorten it", n, session.MaxSurveyText)
	}
	return nil
}

// scaleLabel is "1 · Not at all", "3", "5 · Very".
func scaleLabel(it *session.SurveyItem, v int) string {
	s := fmt.Sprint(v)
	if l := it.PointLabel(v); l != "" {
		s += " · " + l
	}
	return s
}

// description says what the person answered and how many answered.
func (f *surveyForm) description(it *session.SurveyItem) string {
	var parts []string
	if a, ok := f.a.state.AnswerOf(f.a.me.ID, it.ID); ok {
		parts = append(parts, "you answered "+answerText(it, a))
	} else {
		parts = append(parts, "not answered yet")
	}
	if r := it.Results; r != nil {
		parts = append(parts, plural(r.Total.Respondents, "person answered", "people answered"))
	}
	if it.Named {
		return strings.Join(parts, " · ") + " · named: the organizers see your name with this answer"
	}
	return strings.Join(parts, " · ") + " · anonymous"
}

// answerText is an answer as a person reads it.
func answerText(it *session.SurveyItem, a session.Answer) string {
	switch it.Kind {
	case session.SurveyScale:
		return scaleLabel(it, min(max(a.Value, 1), session.ScaleMax))
	case session.SurveySingle, session.SurveyMultiple:
		var names []string
		for _, c := range a.Choices {
			if c >= 0 && c < len(it.Options) {
				names = append(names, it.Options[c])
			}
		}
		return "“" + strings.Join(names, "”, “") + "”"
	}
	return "“" + oneLine(a.Text) + "”"
}

func (f *surveyForm) setSize(w, h int) {
	f.width, f.height = w, h
	if f.form != nil {
		f.form.WithWidth(max(w, 20)).WithHeight(max(h-1, 5))
	}
}

// update gives the form a message; once sent or closed, the form closes.
func (f *surveyForm) update(msg tea.Msg) tea.Cmd {
	if r, ok := msg.(opResultMsg); ok {
		return f.result(r)
	}
	if !f.open {
		return nil
	}
	m, cmd := f.form.Update(msg)
	if ff, ok := m.(*huh.Form); ok {
		f.form = ff
	}
	if _, ok := msg.(tea.KeyPressMsg); ok {
		// A text answer too long to send stays, and the one line says why.
		if t, ok := f.form.GetFocusedField().(*huh.Text); ok && t.Error() != nil {
			return tea.Batch(cmd, f.a.say(noticeError, t.Error().Error()))
		}
	}
	switch f.form.State {
	case huh.StateCompleted:
		f.open = false
		return tea.Batch(cmd, f.send())
	case huh.StateAborted:
		f.open = false
		if f.pendingChanges() {
			return f.a.say(noticeInfo, "your choices are kept, not sent: A opens the survey again, enter on the last item sends")
		}
		return nil
	}
	return cmd
}

// pendingChanges reports whether a draft differs from what was sent.
func (f *surveyForm) pendingChanges() bool {
	for _, id := range f.items {
		if it := f.a.state.SurveyItemOf(id); it != nil && it.Open && f.drafts[id] != nil && f.changed(it, f.drafts[id]) {
			return true
		}
	}
	return false
}

// send sends the answers that changed.
func (f *surveyForm) send() tea.Cmd {
	var cmds []tea.Cmd
	n, closed := 0, 0
	for _, id := range f.items {
		it := f.a.state.SurveyItemOf(id)
		d := f.drafts[id]
		if it == nil || d == nil || !f.changed(it, d) {
			continue
		}
		if !it.Open {
			closed++
			continue
		}
		ans, _ := d.answer(it)
		opID, cmd := f.a.send(session.KindSurveyAnswer, ans, "answer “"+oneLine(it.Text)+"”")
		if opID != "" {
			f.sent[opID] = id
		}
		cmds = append(cmds, cmd)
		n++
	}
	switch {
	case closed > 0:
		cmds = append(cmds, f.a.say(noticeError, fmt.Sprintf("%s closed meanwhile: those answers were not sent", plural(closed, "item was", "items were"))))
	case n == 0:
		cmds = append(cmds, f.a.say(noticeInfo, "nothing changed: your answers stand"))
	default:
		cmds = append(cmds, f.a.say(noticeInfo, fmt.Sprintf("%s sent; you may change them while the survey is open (A)", plural(n, "answer", "answers"))))
	}
	return tea.Batch(cmds...)
}

// result keeps the draft of a rejected answer and forgets one applied.
func (f *surveyForm) result(r opResultMsg) tea.Cmd {
	id, ok := f.sent[r.id]
	if !ok {
		return nil
	}
	delete(f.sent, r.id)
	if r.reject == nil {
		delete(f.drafts, id) // the answer is the person's own now
	}
	return nil
}

func (f *surveyForm) view() (string, *tea.Cursor) {
	if f.form == nil {
		return "", nil
	}
	st := f.a.styles
	note := "  answers are anonymous · esc closes and keeps your choices"
	if slices.ContainsFunc(f.a.state.Survey, func(it *session.SurveyItem) bool { return it.Named && it.Open }) {
		note = "  answers are anonymous but on items marked named · esc closes and keeps your choices"
	}
	title := st.PaneTitleActive.Render("Survey") + st.Faint.Render(note)
	// A text answer near its limit shows a counter, in red once over.
	if t, ok := f.form.GetFocusedField().(*huh.Text); ok {
		v, _ := t.GetValue().(string)
		title = withCounter(st, title, v, session.MaxSurveyText, f.width)
	}
	return title + "\n" + f.form.View(), nil
}

func (f *surveyForm) bar() help.KeyMap {
	return keyMap{short: []key.Binding{f.keys.Next, f.keys.Prev, f.keys.Close}}
}

func (f *surveyForm) typing() bool { return f.open }

// unsent reports whether choices made would be lost by quitting.
func (f *surveyForm) unsent() bool { return f.pendingChanges() }

func (f *surveyForm) flush()                        {}
func (f *surveyForm) shown() (*session.Group, bool) { return f.a.group(), false }
