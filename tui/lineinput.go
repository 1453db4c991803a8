package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// lineInput is a one-line question at the foot of a screen: a theme, a
// broadcast. It hands its text to done on enter.
type lineInput struct {
	a     *app
	keys  LineKeys
	ti    textinput.Model
	open  bool
	title string
	done  func(text string) tea.Cmd
}

func newLineInput(a *app, limit int) *lineInput {
	ti := textinput.New()
	ti.CharLimit = limit
	ti.SetVirtualCursor(false)
	ti.SetStyles(a.styles.Input)
	ti.Prompt = "› "
	return &lineInput{a: a, keys: DefaultLineKeys(), ti: ti}
}

// start opens the input with a title, a first value and what to do with
// the text.
func (l *lineInput) start(title, value string, suggestions []string, done func(string) tea.Cmd) tea.Cmd {
	l.open, l.title, l.done = true, title, done
	l.ti.SetValue(value)
	l.ti.CursorEnd()
	l.ti.ShowSuggestions = len(suggestions) > 0
	l.ti.SetSuggestions(suggestions)
	return l.ti.Focus()
}

func (l *lineInput) close() {
	l.open = false
	l.ti.Blur()
}

func (l *lineInput) update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, l.keys.Cancel):
			l.close()
			return nil
		case key.Matches(k, l.keys.Send):
			text := l.ti.Value()
			l.close()
			return l.done(text)
		}
	}
	var cmd tea.Cmd
	l.ti, cmd = l.ti.Update(msg)
	return cmd
}

func (l *lineInput) setWidth(w int) { l.ti.SetWidth(max(w-3, 1)) }

// view is two lines: the title and the input.
func (l *lineInput) view(width int) string {
	return l.a.styles.PaneTitleActive.Render(l.title) + "\n" + l.ti.View()
}

// cursor is the real cursor, relative to the view.
func (l *lineInput) cursor() *tea.Cursor {
	c := l.ti.Cursor()
	if c != nil {
		c.Position.Y++
	}
	return c
}

func (l *lineInput) unsent() bool { return l.open && l.ti.Value() != "" }

func (l *lineInput) shortKeys() []key.Binding { return []key.Binding{l.keys.Send, l.keys.Cancel} }
