package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// ErrCancelled is returned by AskName when the person gave up.
var ErrCancelled = errors.New("cancelled")

// nameForm asks for a name and, optionally, a background before joining.
type nameForm struct {
	styles  Styles
	inputs  [2]textinput.Model
	focus   int
	err     string
	done    bool
	cancel  bool
	heading string
}

func newNameForm(heading string) nameForm {
	st := NewStyles(true)
	f := nameForm{styles: st, heading: heading}
	for i, p := range []string{"Your name:       ", "Your background: "} {
		ti := textinput.New()
		ti.Prompt = p
		ti.CharLimit = session.MaxName
		ti.SetWidth(40)
		ti.SetStyles(st.Input)
		ti.SetVirtualCursor(false)
		f.inputs[i] = ti
	}
	f.inputs[0].Placeholder = "as the others will see it"
	f.inputs[1].Placeholder = "optional: your field or organization"
	return f
}

func (f nameForm) Init() tea.Cmd {
	return tea.Batch(f.inputs[0].Focus(), tea.RequestBackgroundColor)
}

func (f nameForm) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		f.styles = NewStyles(msg.IsDark())
		for i := range f.inputs {
			f.inputs[i].SetStyles(f.styles.Input)
		}
		return f, nil
	case tea.KeyPressMsg:
		switch msg.String() {
		case "ctrl+c", "esc":
			f.cancel = true
			return f, tea.Quit
		case "tab", "down", "shift+tab", "up":
			f.inputs[f.focus].Blur()
			f.focus = 1 - f.focus
			return f, f.inputs[f.focus].Focus()
		case "enter":
			name := strings.TrimSpace(f.inputs[0].Value())
			if name == "" {
				f.err = "a name is needed: it is how the others see you (ideas can still be anonymous)"
				f.inputs[1].Blur()
				f.focus = 0
				return f, f.inputs[0].Focus()
			}
			if f.focus == 0 {
				f.inputs[0].Blur()
				f.focus = 1
				return f, f.inputs[1].Focus()
			}
			f.done = true
			return f, tea.Quit
		}
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	if strings.TrimSpace(f.inputs[0].Value()) != "" {
		f.err = ""
	}
	return f, cmd
}

func (f nameForm) View() tea.View {
	st := f.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.heading) + "\n\n")
	for _, in := range f.inputs {
		b.WriteString(in.View() + "\n")
	}
	b.WriteString("\n")
	if f.err != "" {
		b.WriteString(st.Error.Render(f.err) + "\n")
	}
	b.WriteString(st.Dim.Render("enter: next / join · tab: other field · esc: cancel") + "\n")
	v := tea.NewView(b.String())
	if c := f.inputs[f.focus].Cursor(); c != nil {
		c.Position.Y += 2 + f.focus
		v.Cursor = c
	}
	return v
}

// AskName asks for the person's name and background with a small form
// before joining. It returns ErrCancelled when the person gave up.
func AskName(ctx context.Context, heading string) (name, background string, err error) {
	p := tea.NewProgram(newNameForm(heading), tea.WithContext(ctx))
	m, err := p.Run()
	if err != nil {
		return "", "", err
	}
	f := m.(nameForm)
	if f.cancel || !f.done {
		return "", "", ErrCancelled
	}
	return strings.TrimSpace(f.inputs[0].Value()), strings.TrimSpace(f.inputs[1].Value()), nil
}
