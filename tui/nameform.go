package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// ErrCancelled is returned by Join when the person closed the name form.
var ErrCancelled = errors.New("cancelled")

// nameForm asks for a name and, optionally, a background before joining.
type nameForm struct {
	width   int // of the terminal, to wrap the error to
	styles  Styles
	inputs  [2]textinput.Model
	focus   int
	err     string
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
	// Focused here, on the form that is kept: Init has a value receiver,
	// and focusing there would focus a copy that is thrown away.
	f.inputs[0].Focus()
	return f
}

// formResult is what a key did to the form.
type formResult int

const (
	formEditing formResult = iota
	formSubmit
	formCancel
)

func (f *nameForm) setStyles(st Styles) {
	f.styles = st
	for i := range f.inputs {
		f.inputs[i].SetStyles(st.Input)
	}
}

func (f *nameForm) setFocus(i int) tea.Cmd {
	f.inputs[f.focus].Blur()
	f.focus = i
	return f.inputs[i].Focus()
}

// update handles a key or a message of the inputs.
func (f *nameForm) update(msg tea.Msg) (formResult, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "ctrl+c", "esc":
			return formCancel, nil
		case "tab", "down", "shift+tab", "up":
			return formEditing, f.setFocus(1 - f.focus)
		case "enter":
			if f.name() == "" {
				f.err = "a name is needed: it is how the others see you (ideas can still be anonymous)"
				return formEditing, f.setFocus(0)
			}
			if f.focus == 0 {
				return formEditing, f.setFocus(1)
			}
			return formSubmit, nil
		}
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	if f.name() != "" && f.err != "" && !strings.HasPrefix(f.err, "couldn't") {
		f.err = ""
	}
	return formEditing, cmd
}

func (f *nameForm) name() string       { return strings.TrimSpace(f.inputs[0].Value()) }
func (f *nameForm) background() string { return strings.TrimSpace(f.inputs[1].Value()) }

// view draws the form; busy says a join is under way.
func (f *nameForm) view(busy bool) tea.View {
	st := f.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.heading) + "\n\n")
	for _, in := range f.inputs {
		b.WriteString(in.View() + "\n")
	}
	b.WriteString("\n")
	b.WriteString(formStatus(st, busy, f.err, f.width))
	b.WriteString(st.Dim.Render("enter: next / join · tab, shift+tab: other field · esc: leave without joining") + "\n")
	v := tea.NewView(b.String())
	if c := f.inputs[f.focus].Cursor(); c != nil && !busy {
		c.Position.Y += 2 + f.focus
		v.Cursor = c
	}
	return v
}
