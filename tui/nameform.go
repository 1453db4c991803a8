package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"breakout/relay"
	"breakout/session"
)

// ErrCancelled is returned by Join when the person closed the name form.
var ErrCancelled = errors.New("cancelled")

// nameForm asks for a name and, optionally, a background before joining.
type nameForm struct {
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
	switch {
	case busy:
		b.WriteString(st.Dim.Render("Joining…") + "\n")
	case f.err != "":
		b.WriteString(st.Error.Render(f.err) + "\n")
	default:
		b.WriteString("\n")
	}
	b.WriteString(st.Dim.Render("enter: next / join · tab, shift+tab: other field · esc: leave without joining") + "\n")
	v := tea.NewView(b.String())
	if c := f.inputs[f.focus].Cursor(); c != nil && !busy {
		c.Position.Y += 2 + f.focus
		v.Cursor = c
	}
	return v
}

// JoinOptions configures Join.
type JoinOptions struct {
	// Heading is the form's first line.
	Heading string
	// Dial joins the session with the name and background typed.
	Dial func(ctx context.Context, name, background string) (*relay.Client, error)
	// Extra and Now are passed on to the room's Options.
	Extra string
	Now   func() time.Time
}

// joinModel asks for a name, joins with it and then is the room: one
// program, so the screen does not flicker between the two and a join that
// fails leaves the typed name in the form.
type joinModel struct {
	ctx     context.Context
	opts    JoinOptions
	form    nameForm
	dialing bool
	cancel  bool
	room    *Model // set once joined
	size    *tea.WindowSizeMsg
}

// joinedMsg is the answer of a dial.
type joinedMsg struct {
	c   *relay.Client
	err error
}

func newJoinModel(ctx context.Context, opts JoinOptions) joinModel {
	return joinModel{ctx: ctx, opts: opts, form: newNameForm(opts.Heading)}
}

func (j joinModel) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (j joinModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if j.room != nil {
		m, cmd := j.room.Update(msg)
		r := m.(Model)
		j.room = &r
		return j, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		j.size = &msg
		return j, nil
	case tea.BackgroundColorMsg:
		j.form.setStyles(NewStyles(msg.IsDark()))
		return j, nil
	case joinedMsg:
		j.dialing = false
		if msg.err != nil {
			j.form.err = "couldn't join: " + oneLine(msg.err.Error())
			return j, nil
		}
		r := New(Options{Client: msg.c, Extra: j.opts.Extra, Now: j.opts.Now})
		cmds := []tea.Cmd{r.Init()}
		if j.size != nil {
			m, cmd := r.Update(*j.size)
			r = m.(Model)
			cmds = append(cmds, cmd)
		}
		j.room = &r
		return j, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		if j.dialing {
			if msg.String() == "ctrl+c" {
				j.cancel = true
				return j, tea.Quit
			}
			return j, nil
		}
	}
	res, cmd := j.form.update(msg)
	switch res {
	case formCancel:
		j.cancel = true
		return j, tea.Quit
	case formSubmit:
		j.dialing = true
		ctx, dial, name, bg := j.ctx, j.opts.Dial, j.form.name(), j.form.background()
		return j, func() tea.Msg {
			c, err := dial(ctx, name, bg)
			return joinedMsg{c: c, err: err}
		}
	}
	return j, cmd
}

func (j joinModel) View() tea.View {
	if j.room != nil {
		return j.room.View()
	}
	return j.form.view(j.dialing)
}

// close ends what the room started and the connection it joined with.
func (j joinModel) close() {
	if j.room != nil {
		close(j.room.a.done)
		if c := j.room.a.client; c != nil {
			c.Close()
		}
	}
}

// Join asks for the person's name and background in a small form, joins
// with them through opts.Dial and opens the room of the person's role, in
// one program. A join that fails says why in the form and keeps what was
// typed. It returns ErrCancelled when the person left the form.
func Join(ctx context.Context, opts JoinOptions) error {
	p := tea.NewProgram(newJoinModel(ctx, opts), tea.WithContext(ctx))
	m, err := p.Run()
	if j, ok := m.(joinModel); ok {
		defer j.close()
		if j.cancel && j.room == nil {
			return ErrCancelled
		}
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
