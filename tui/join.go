package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/relay"
)

// JoinOptions configures Join.
type JoinOptions struct {
	// Heading is the forms' first line.
	Heading string
	// Start, when set, joins before any form shows: with a code given
	// beforehand, or as a person remembered from an earlier join. A
	// client opens the room; relay.ErrNameNeeded opens the name form;
	// another error opens the first form and says why.
	Start func(ctx context.Context) (*relay.Client, error)
	// Code, when set, asks for the join code first and joins with it. A
	// code shared by a group answers relay.ErrNameNeeded: the name form
	// follows, and Dial joins with that code.
	Code func(ctx context.Context, code string) (*relay.Client, error)
	// Dial joins the session with the name and background typed.
	Dial func(ctx context.Context, name, background string) (*relay.Client, error)
	// Extra and Now are passed on to the room's Options.
	Extra string
	Now   func() time.Time
}

// Closing tells the program that it is about to be closed from outside
// (the relay is shutting down): the screen saves what waits to be saved,
// and Text stays on the notice line until the end.
type Closing struct{ Text string }

// joinStep is the form a joinModel shows.
type joinStep int

const (
	stepName joinStep = iota
	stepCode
)

// joinModel asks for a code and a name as needed, joins with them and then
// is the room: one program, so the screen does not flicker between them
// and a join that fails leaves what was typed in the form.
type joinModel struct {
	ctx     context.Context
	opts    JoinOptions
	step    joinStep
	code    codeForm
	form    nameForm
	dialing bool
	// starting is set while the join of Start is under way, before any
	// form has shown: the screen says so and shows no field to type in.
	starting bool
	cancel   bool
	room     *Model // set once joined
	size     *tea.WindowSizeMsg
	live     *Joined
	closing  string
}

// Joined is what a join program started, for whoever ends the program:
// the client, and the room's done channel. Dials finish in commands,
// after the program may have ended; End closes what they bring from then
// on.
type Joined struct {
	mu     sync.Mutex
	client *relay.Client
	done   chan struct{}
	ended  bool
	unsent string
}

// joinedMsg is the answer of a dial.
type joinedMsg struct {
	c   *relay.Client
	err error
}

func newJoinModel(ctx context.Context, opts JoinOptions) joinModel {
	j := joinModel{ctx: ctx, opts: opts, form: newNameForm(opts.Heading), live: &Joined{}}
	if opts.Code != nil {
		j.step = stepCode
		j.code = newCodeForm(opts.Heading)
		j.form.inputs[0].Blur()
	}
	// Set here: Init has a value receiver, and the model it starts from
	// must already show the join under way.
	j.dialing = opts.Start != nil
	j.starting = j.dialing
	return j
}

func (j joinModel) Init() tea.Cmd {
	if j.opts.Start == nil {
		return tea.RequestBackgroundColor
	}
	return tea.Batch(tea.RequestBackgroundColor, j.dial(j.opts.Start))
}

// dial runs a join in a command; the client it makes is known to end at
// once, so a program that ended meanwhile does not leave it connected.
// The caller sets dialing.
func (j *joinModel) dial(f func(ctx context.Context) (*relay.Client, error)) tea.Cmd {
	ctx, live := j.ctx, j.live
	return func() tea.Msg {
		c, err := f(ctx)
		if c != nil {
			live.mu.Lock()
			ended := live.ended
			if !ended {
				live.client = c
			}
			live.mu.Unlock()
			if ended {
				c.Close()
			}
		}
		return joinedMsg{c: c, err: err}
	}
}

func (j joinModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if c, ok := msg.(Closing); ok {
		j.closing = c.Text
	}
	if j.room != nil {
		m, cmd := j.room.Update(msg)
		r := m.(Model)
		j.room = &r
		switch msg.(type) {
		case Closing, quitMsg:
			j.live.mu.Lock()
			j.live.unsent = r.UnsentText()
			j.live.mu.Unlock()
		}
		return j, cmd
	}
	switch msg := msg.(type) {
	case Closing:
		return j, nil
	case quitMsg:
		// Stopped from outside before joining: what was typed in the
		// form was never sent anywhere.
		return j, tea.Quit
	case tea.WindowSizeMsg:
		j.size = &msg
		j.form.width, j.code.width = msg.Width, msg.Width
		return j, nil
	case tea.BackgroundColorMsg:
		st := NewStyles(msg.IsDark())
		j.form.setStyles(st)
		j.code.setStyles(st)
		return j, nil
	case joinedMsg:
		return j.joined(msg)
	case tea.KeyPressMsg:
		if j.dialing {
			if msg.String() == "ctrl+c" {
				j.cancel = true
				return j, tea.Quit
			}
			return j, nil
		}
	}
	if j.step == stepCode {
		res, cmd := j.code.update(msg)
		switch res {
		case formCancel:
			j.cancel = true
			return j, tea.Quit
		case formSubmit:
			code, f := j.code.value(), j.opts.Code
			j.dialing = true
			return j, j.dial(func(ctx context.Context) (*relay.Client, error) { return f(ctx, code) })
		}
		return j, cmd
	}
	res, cmd := j.form.update(msg)
	switch res {
	case formCancel:
		j.cancel = true
		return j, tea.Quit
	case formSubmit:
		f, name, bg := j.opts.Dial, j.form.name(), j.form.background()
		j.dialing = true
		return j, j.dial(func(ctx context.Context) (*relay.Client, error) { return f(ctx, name, bg) })
	}
	return j, cmd
}

// joined opens the room, or the form that the answer asks for.
func (j joinModel) joined(msg joinedMsg) (tea.Model, tea.Cmd) {
	j.dialing, j.starting = false, false
	if msg.err != nil {
		if errors.Is(msg.err, relay.ErrNameNeeded) && j.opts.Dial != nil {
			if j.step == stepCode {
				j.step = stepName
				j.code.input.Blur()
				j.code.err = ""
				return j, j.form.setFocus(0)
			}
		}
		why := "couldn't join: " + oneLine(msg.err.Error())
		if j.step == stepCode {
			j.code.err = why
			return j, nil
		}
		j.form.err = why
		return j, nil
	}
	r := New(Options{Client: msg.c, Extra: j.opts.Extra, Now: j.opts.Now})
	j.live.mu.Lock()
	j.live.done = r.a.done
	j.live.mu.Unlock()
	cmds := []tea.Cmd{r.Init()}
	if j.size != nil {
		m, cmd := r.Update(*j.size)
		r = m.(Model)
		cmds = append(cmds, cmd)
	}
	if j.closing != "" {
		m, cmd := r.Update(Closing{Text: j.closing})
		r = m.(Model)
		cmds = append(cmds, cmd)
	}
	j.room = &r
	return j, tea.Batch(cmds...)
}

func (j joinModel) View() tea.View {
	if j.room != nil {
		return j.room.View()
	}
	var v tea.View
	switch {
	case j.starting:
		st := j.form.styles
		v = tea.NewView(st.Title.Render(j.opts.Heading) + "\n\n" + formStatus(st, true, "", j.form.width))
	case j.step == stepCode:
		v = j.code.view(j.dialing)
	default:
		v = j.form.view(j.dialing)
	}
	if j.closing != "" {
		v.SetContent(j.form.styles.Error.Render(wrapTo(j.closing, j.code.width)) + "\n\n" + v.Content)
		v.Cursor = nil
	}
	// The forms and the room share the alternate screen: nothing of the
	// forms stays behind in the terminal when the program ends.
	v.AltScreen = true
	return v
}

// End stops what the room started and closes the connection it joined
// with; later dials close theirs themselves. Call it once the program has
// ended.
func (l *Joined) End() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.ended = true
	if l.done != nil {
		close(l.done)
	}
	if l.client != nil {
		l.client.Close()
	}
}

// Client returns the client a join made, or nil.
func (l *Joined) Client() *relay.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.client
}

// Unsent is what the person had typed and not sent when the program was
// told it is Closing, to give back to them.
func (l *Joined) Unsent() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unsent
}

// Join asks for what the join needs (the code with opts.Code, the name and
// background of a shared code) in small forms, joins and opens the room of
// the person's role, in one program. A join that fails says why in the
// form and keeps what was typed. It returns ErrCancelled when the person
// left the form.
func Join(ctx context.Context, opts JoinOptions) error {
	j := newJoinModel(ctx, opts)
	defer j.live.End()
	p := newProgram(j)
	stop := stopOnDone(ctx, p)
	defer stop()
	m, err := p.Run()
	if j, ok := m.(joinModel); ok && j.cancel && j.room == nil {
		return ErrCancelled
	}
	if ctx.Err() == nil {
		return err
	}
	printUnsent(j.live.Unsent())
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// JoinProgram is Join's program, with more program options (an SSH
// session's input, output, size and colours), and what it joins; call its
// End once the program has ended.
func JoinProgram(ctx context.Context, opts JoinOptions, more ...tea.ProgramOption) (*tea.Program, *Joined) {
	j := newJoinModel(ctx, opts)
	return tea.NewProgram(j, append([]tea.ProgramOption{tea.WithContext(ctx)}, more...)...), j.live
}

// codeForm asks for a join code.
type codeForm struct {
	width   int // of the terminal, to wrap the error to
	styles  Styles
	input   textinput.Model
	err     string
	heading string
}

func newCodeForm(heading string) codeForm {
	st := NewStyles(true)
	ti := textinput.New()
	ti.Prompt = "Your join code: "
	ti.Placeholder = "as your organizer gave it, like k7dm-x3qa-9fhwp"
	ti.CharLimit = 64
	ti.SetWidth(48)
	ti.SetStyles(st.Input)
	ti.SetVirtualCursor(false)
	ti.Focus()
	return codeForm{styles: st, input: ti, heading: heading}
}

func (f *codeForm) setStyles(st Styles) {
	f.styles = st
	f.input.SetStyles(st.Input)
}

func (f *codeForm) value() string { return strings.TrimSpace(f.input.Value()) }

func (f *codeForm) update(msg tea.Msg) (formResult, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "ctrl+c", "esc":
			return formCancel, nil
		case "enter":
			if relay.NormalizeCode(f.value()) == "" {
				f.err = "type the join code your organizer gave you"
				return formEditing, nil
			}
			return formSubmit, nil
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return formEditing, cmd
}

func (f *codeForm) view(busy bool) tea.View {
	st := f.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.heading) + "\n\n")
	b.WriteString(f.input.View() + "\n\n")
	b.WriteString(formStatus(st, busy, f.err, f.width))
	b.WriteString(st.Dim.Render("enter: join · esc: leave without joining") + "\n")
	v := tea.NewView(b.String())
	if c := f.input.Cursor(); c != nil && !busy {
		c.Position.Y += 2
		v.Cursor = c
	}
	return v
}

// formStatus is the line under a join form's fields: joining, the reason
// the last try failed, or blank.
func formStatus(st Styles, busy bool, err string, width int) string {
	switch {
	case busy:
		return st.Dim.Render("Joining…") + "\n"
	case err != "":
		return st.Error.Render(wrapTo(err, width)) + "\n"
	}
	return "\n"
}

// wrapTo wraps a form's message to the terminal's width (80 until known).
func wrapTo(s string, width int) string {
	if width <= 0 {
		width = 80
	}
	return ansi.Wrap(s, max(width-1, 20), "")
}
