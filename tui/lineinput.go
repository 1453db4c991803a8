package tui

import (
	"maps"
	"slices"
	"strings"

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
	first string // the value it opened with
	done  func(text string) tea.Cmd
	// kept is new text left with esc, by the title it was typed under:
	// opening that question again brings it back.
	kept map[string]string
}

func newLineInput(a *app, limit int) *lineInput {
	ti := textinput.New()
	ti.CharLimit = limit
	ti.SetVirtualCursor(false)
	ti.SetStyles(a.styles.Input)
	ti.Prompt = "› "
	return &lineInput{a: a, keys: DefaultLineKeys(), ti: ti, kept: map[string]string{}}
}

// start opens the input with a title, a first value and what to do with
// the text. With no first value, what was typed under the same title and
// left with esc comes back.
func (l *lineInput) start(title, value string, suggestions []string, done func(string) tea.Cmd) tea.Cmd {
	l.open, l.title, l.first, l.done = true, title, value, done
	if value == "" {
		value = l.kept[title]
	}
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
			text := l.ti.Value()
			l.close()
			switch {
			case l.first == "" && strings.TrimSpace(text) != "":
				l.kept[l.title] = text
				return l.a.say(noticeInfo, "kept what you typed: it comes back when you open this again")
			case l.first == "":
				delete(l.kept, l.title)
			case text != l.first:
				return l.a.say(noticeInfo, "left as it was: the change was not sent")
			}
			return nil
		case key.Matches(k, l.keys.Send):
			text := l.ti.Value()
			l.close()
			delete(l.kept, l.title)
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

// unsent reports whether typed text would be lost on quitting: open with
// text, or text kept from an esc.
func (l *lineInput) unsent() bool { return l.open && l.ti.Value() != "" || len(l.kept) > 0 }

func (l *lineInput) shortKeys() []key.Binding { return []key.Binding{l.keys.Send, l.keys.Cancel} }

// unsentText is what unsent counts: the open text, and the texts kept.
func (l *lineInput) unsentText() string {
	var out []string
	if l.open && strings.TrimSpace(l.ti.Value()) != "" {
		out = append(out, strings.TrimSpace(l.ti.Value()))
	}
	for _, title := range slices.Sorted(maps.Keys(l.kept)) {
		if !l.open || title != l.title {
			out = append(out, strings.TrimSpace(l.kept[title]))
		}
	}
	return strings.Join(out, "\n\n")
}
