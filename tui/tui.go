// Package tui is breakout's terminal program: one root model that keeps a
// replica of the session current from a relay connection, and one screen
// per role (participant, chair, rapporteur, organizer).
package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/relay"
	"breakout/session"
)

// Options configures New and Run.
type Options struct {
	// Client is a connected relay client; the model reads its updates.
	Client *relay.Client
	// Extra is more text for the ? help page (the demo puts its join
	// commands there).
	Extra string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Model is the root model. It routes: window sizes to the screen, global
// keys first (quit, help), relay updates to the replica and then the
// screen, everything else to the screen only.
type Model struct {
	a        *app
	scr      screen
	keys     GlobalKeys
	help     help.Model
	showHelp bool
	// showBcasts shows every broadcast so far, scrolled like help.
	showBcasts bool
	// showInfo shows Options.Extra: how others join the demo.
	showInfo bool
	helpTop  int
	// chromeH is the height of what surrounds the body, as last given to
	// the screen.
	chromeH int
	confirm *confirmMsg
	// closing says the program is about to be closed from outside.
	closing string
	width   int
	height  int

	// What may stand over the role's screen: the plenary view, a report
	// to read, the survey form. They are made with the screen.
	plen       *plenaryView
	showPlen   bool
	reader     *reportReader
	showReader bool
	survey     *surveyForm
}

// New returns the root model for a connected client.
func New(opts Options) Model {
	a := newApp(opts)
	h := help.New()
	h.Styles = a.styles.Help
	return Model{a: a, keys: DefaultGlobalKeys(), help: h}
}

// Run runs the program until the person quits or ctx ends.
//
// When ctx ends (the program is told to stop: SIGTERM, or SIGHUP when its
// terminal closes), what waits to be saved goes to the outbox first, as
// when the person quits, and what was typed and not sent is printed.
func Run(ctx context.Context, opts Options) error {
	m := New(opts)
	defer close(m.a.done)
	p := newProgram(m)
	stop := stopOnDone(ctx, p)
	defer stop()
	fm, err := p.Run()
	if ctx.Err() == nil {
		return err
	}
	if fm, ok := fm.(Model); ok {
		printUnsent(fm.UnsentText())
	}
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// newProgram makes a program that leaves SIGINT and SIGTERM to the
// caller's ctx (see stopOnDone): Bubble Tea's own handler would quit at
// once, before what waits to be saved is saved.
func newProgram(m tea.Model, opts ...tea.ProgramOption) *tea.Program {
	return tea.NewProgram(m, append([]tea.ProgramOption{tea.WithoutSignalHandler()}, opts...)...)
}

// stopOnDone asks p to save and quit once ctx ends, and kills it if it
// has not within a few seconds.
func stopOnDone(ctx context.Context, p *tea.Program) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		p.Send(quitMsg{})
		time.AfterFunc(3*time.Second, p.Kill)
	})
}

// printUnsent hands what was typed and not sent back to the terminal.
func printUnsent(text string) {
	if text != "" {
		fmt.Println("breakout stopped. In case it did not reach the relay, here is what you were typing last (minutes and other long texts not yet sent go out when you join again; ideas not sent are not kept):\n\n" + text)
	}
}

// Init starts reading the relay and asks the terminal for its background.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.a.listen(), tea.RequestBackgroundColor)
}

// chrome is the lines around the body: two of header, the notices (at
// least one line), one of help.
func (m Model) chrome() int { return 3 + max(len(m.noticeLines()), 1) }

func (m Model) bodySize() (int, int) { return m.width, max(m.height-m.chrome(), 1) }

// Update routes a message, then gives the screen its new size when the
// notices above it grew or shrank.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	r, cmd := m.update(msg)
	mm := r.(Model)
	if mm.scr != nil && mm.width > 0 {
		if c := mm.chrome(); c != mm.chromeH {
			mm.chromeH = c
			mm.setSizes()
		}
	}
	return mm, cmd
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if p, ok := msg.(tea.PasteMsg); ok {
		// Text copied from a web page or a word processor carries
		// characters nobody sees (soft hyphens, direction marks) that the
		// relay refuses: they go here, before any input takes the paste.
		if text, n := session.Tidy(p.Content); n > 0 {
			msg = tea.PasteMsg{Content: text}
			cmds = append(cmds, m.a.say(noticeInfo, fmt.Sprintf("The paste held %s that nobody sees (soft hyphens, direction marks, control characters): left out; the words are as pasted",
				plural(n, "character", "characters"))))
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.a.width = msg.Width
		m.help.SetWidth(msg.Width)
		if m.scr != nil {
			m.setSizes()
		}
	case tea.BackgroundColorMsg:
		m.a.styles = NewStyles(msg.IsDark())
		m.help.Styles = m.a.styles.Help
		if m.scr != nil {
			cmds = append(cmds, m.scr.update(stylesMsg{}))
		}
	case relayMsg:
		out, cmd := m.a.take(relay.Update(msg))
		cmds = append(cmds, cmd, m.a.listen())
		if m.scr == nil && m.a.state != nil {
			m.scr = newScreen(m.a)
			m.keys = m.keys.forRole(m.a.me.Role)
			m.plen, m.reader, m.survey = newPlenaryView(m.a), newReportReader(m.a), newSurveyForm(m.a)
			m.showPlen = m.a.state.PhaseOf() == session.PhasePlenary && m.a.me.Role != session.Organizer
			m.setSizes()
		}
		if out != nil && m.scr != nil {
			cmds = append(cmds, m.scr.update(out), m.plen.update(out), m.survey.update(out))
			if r, ok := out.(replicaMsg); ok {
				cmds = append(cmds, m.sessionNews(r.ev))
			}
		}
	case tickMsg:
		m.a.ticking = false
		cmds = append(cmds, m.a.timesUp())
	case noticeGone:
		if m.a.notice.id == int(msg) {
			m.a.notice = notice{}
		}
	case confirmMsg:
		m.confirm = &msg
	case Closing:
		// Saved now, what waits to be saved reaches the outbox, and the
		// relay while it still listens.
		m.closing = msg.Text
		if m.scr != nil {
			m.scr.flush()
		}
	case exportedMsg:
		if msg.err != nil {
			cmds = append(cmds, m.a.say(noticeError, "couldn't write the report: "+msg.err.Error()))
		} else {
			cmds = append(cmds, m.a.say(noticeInfo, "wrote "+msg.path))
		}
	case quitMsg:
		if m.scr != nil {
			m.scr.flush()
		}
		return m, tea.Quit
	case tea.KeyPressMsg:
		return m.key(msg)
	default:
		if m.scr != nil {
			cmds = append(cmds, m.scr.update(msg))
			if m.survey.open {
				cmds = append(cmds, m.survey.update(msg))
			}
		}
	}
	if !m.a.ticking && m.a.needsTick() {
		m.a.ticking = true
		cmds = append(cmds, tick())
	}
	return m, tea.Batch(cmds...)
}

// key handles a key press: a pending question first, then the global
// keys, then the screen.
func (m Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if c := m.confirm; c != nil {
		switch msg.String() {
		case "y", "Y":
			m.confirm = nil
			if _, ok := c.yes.(quitMsg); ok {
				return m.Update(quitMsg{})
			}
			if o, ok := c.yes.(overwriteMsg); ok {
				return m, overwrite(o)
			}
			if m.scr != nil {
				return m, m.scr.update(c.yes)
			}
		case m.keys.Interrupt.Keys()[0]:
			return m.Update(quitMsg{})
		default:
			m.confirm = nil
			say := m.a.say(noticeInfo, "left as it was")
			if c.no != nil && m.scr != nil {
				return m, tea.Batch(say, m.scr.update(c.no))
			}
			return m, say
		}
		return m, nil
	}
	if key.Matches(msg, m.keys.Interrupt) {
		return m.quit()
	}
	if m.showHelp || m.showBcasts || m.showInfo {
		switch {
		case key.Matches(msg, m.keys.Info) && m.a.extra != "" && !m.showInfo:
			m.showHelp, m.showBcasts, m.showInfo, m.helpTop = false, false, true, 0
		case key.Matches(msg, m.keys.Help), key.Matches(msg, m.keys.Broadcasts), key.Matches(msg, m.keys.Info), msg.String() == "esc":
			m.showHelp, m.showBcasts, m.showInfo = false, false, false
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case msg.String() == "up" || msg.String() == "k":
			m.helpTop = max(m.helpTop-1, 0)
		case msg.String() == "down" || msg.String() == "j":
			_, bh := m.bodySize()
			m.helpTop = min(m.helpTop+1, max(len(strings.Split(m.pageText(m.width), "\n"))-bh, 0))
		}
		return m, nil
	}
	if m.scr == nil {
		if key.Matches(msg, m.keys.Quit) || key.Matches(msg, m.keys.Interrupt) {
			return m, tea.Quit
		}
		return m, nil
	}
	act := m.active()
	if !act.typing() {
		switch {
		case key.Matches(msg, m.keys.Plenary):
			return m, m.togglePlenary()
		case key.Matches(msg, m.keys.Report) && m.keys.Report.Enabled() && !m.showReader:
			if m.a.me.Group == "" {
				return m, nil
			}
			m.showReader = true
			return m, nil
		case key.Matches(msg, m.keys.Survey) && m.keys.Survey.Enabled():
			m.showReader = false
			return m, m.survey.start()
		case m.showReader && key.Matches(msg, m.reader.keys.Close):
			m.showReader = false
			return m, nil
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case key.Matches(msg, m.keys.Help):
			m.showHelp, m.helpTop = true, 0
			return m, nil
		case key.Matches(msg, m.keys.Broadcasts):
			m.showBcasts, m.helpTop = true, 0
			return m, nil
		case key.Matches(msg, m.keys.Info) && m.a.extra != "":
			m.showInfo, m.helpTop = true, 0
			return m, nil
		case key.Matches(msg, m.keys.Dismiss) && m.a.bcast.Text != "":
			m.a.bcast = session.Broadcast{}
			return m, m.a.say(noticeInfo, "dismissed; B shows every broadcast")
		}
	}
	return m, act.update(msg)
}

// quit ends the program, asking first when typed text would be lost.
func (m Model) quit() (tea.Model, tea.Cmd) {
	if m.scr != nil && (m.scr.unsent() || m.survey.unsent()) {
		m.confirm = &confirmMsg{prompt: "Unsent text will be lost. Quit anyway? (y/n)", yes: quitMsg{}}
		return m, nil
	}
	return m.Update(quitMsg{})
}

// View draws header, notice line, body and help bar.
func (m Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "breakout"
	if m.width <= 0 || m.height <= 0 {
		return v
	}
	if m.scr == nil || m.a.state == nil {
		msg := "Connecting to the relay…"
		if m.a.fatal != nil {
			msg = "Could not join: " + m.a.fatal.Error() + "  (q quits)"
		}
		v.SetContent(m.a.styles.Dim.Render(msg))
		return v
	}
	v.WindowTitle = "breakout · " + m.a.state.Title
	g, watching := m.scr.shown()
	if g != nil {
		v.WindowTitle += " · " + g.Name
	}
	bw, bh := m.bodySize()
	var body string
	var cur *tea.Cursor
	if m.showHelp || m.showBcasts || m.showInfo {
		body = m.fullPage(bw, bh)
	} else {
		body, cur = m.active().view()
	}
	var b strings.Builder
	b.WriteString(m.a.header(m.width, g, watching))
	b.WriteByte('\n')
	notes := m.noticeLines()
	if len(notes) == 0 {
		notes = []string{""}
	}
	b.WriteString(strings.Join(notes, "\n"))
	b.WriteByte('\n')
	b.WriteString(fitHeight(body, bw, bh))
	b.WriteByte('\n')
	b.WriteString(m.helpBar())
	v.SetContent(drawable(b.String()))
	if cur != nil {
		cur.Position.Y += 2 + len(notes)
		v.Cursor = cur
	}
	return v
}

// Most lines a notice and the broadcast take, so a long one cannot push
// the room off the screen.
const (
	noticeMax    = 3
	broadcastMax = 4
)

// noticeLines are the lines under the header: the pending question, else
// the latest broadcast (until dismissed) and the latest notice, each
// wrapped to the width.
func (m Model) noticeLines() []string {
	st := m.a.styles
	w := max(m.width, 10)
	if m.confirm != nil {
		return wrapLines(st.Confirm.Render(m.confirm.prompt), w, noticeMax)
	}
	var out []string
	if m.closing != "" {
		out = append(out, wrapLines(st.Error.Render(m.closing), w, noticeMax)...)
	}
	if m.a.state != nil {
		out = append(out, m.phaseLines(w)...)
	}
	if b := m.a.bcast; b.Text != "" && m.a.state != nil {
		head := "» From the organizer at " + b.At.Local().Format("15:04") + ": "
		if b.Group != "" {
			head = "» From the organizer to " + b.Group + " at " + b.At.Local().Format("15:04") + ": "
		}
		out = append(out, wrapLines(st.Broadcast.Render(head+oneLine(b.Text))+st.Faint.Render("  (D dismisses · B all)"), w, broadcastMax)...)
	}
	n := m.a.notice
	if n.text == "" {
		return out
	}
	var s string
	switch n.kind {
	case noticeError:
		s = st.Error.Render("✕ " + n.text)
	default:
		s = st.Info.Render(n.text)
	}
	return append(out, wrapLines(s, w, noticeMax)...)
}

// wrapLines wraps styled text to width, in at most limit lines, the last
// ending in … when cut.
func wrapLines(s string, width, limit int) []string {
	lines := strings.Split(ansi.Wrap(s, width, ""), "\n")
	if len(lines) > limit {
		lines = lines[:limit]
		lines[limit-1] = ansi.Truncate(lines[limit-1], width-1, "") + "…"
	}
	return lines
}

// broadcastsText is the page of every broadcast so far, newest first.
func (m Model) broadcastsText(width int) string {
	st := m.a.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Broadcasts from the organizer") + "\n\n")
	bs := m.a.state.Broadcasts
	if len(bs) == 0 {
		b.WriteString(st.Dim.Render("None yet."))
		return b.String()
	}
	for i := len(bs) - 1; i >= 0; i-- {
		x := bs[i]
		b.WriteString(st.Accent.Render(x.At.Local().Format("15:04")) + "  ")
		if x.Group != "" {
			b.WriteString(st.Dim.Render("to " + x.Group + ": "))
		}
		b.WriteString(ansi.Wrap(x.Text, max(width-7, 10), ""))
		b.WriteString("\n\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (m Model) helpBar() string {
	if m.showHelp || m.showBcasts || m.showInfo {
		return m.help.ShortHelpView([]key.Binding{
			bind([]string{"esc"}, "esc", "close"),
			bind([]string{"up", "down"}, "↑/↓", "scroll"),
		})
	}
	act := m.active()
	short := act.bar().ShortHelp()
	if !act.typing() {
		// ? and q first, so they always fit.
		short = append([]key.Binding{m.keys.Help, m.keys.Quit}, short...)
		if m.a.extra != "" {
			short = append(short[:2], append([]key.Binding{m.keys.Info}, short[2:]...)...)
		}
		if m.a.bcast.Text != "" {
			short = append(short, m.keys.Dismiss)
		}
	}
	// Whole items only: keep what fits, leaving room for the ellipsis.
	used, n := 0, 0
	for _, b := range short {
		if !b.Enabled() {
			n++
			continue
		}
		w := ansi.StringWidth(b.Help().Key) + 1 + ansi.StringWidth(b.Help().Desc)
		if used > 0 {
			w += ansi.StringWidth(m.help.ShortSeparator)
		}
		if used+w > m.width-2 {
			break
		}
		used += w
		n++
	}
	s := m.help.ShortHelpView(short[:n])
	if n < len(short) {
		s += " " + m.help.Styles.Ellipsis.Render(m.help.Ellipsis)
	}
	return s
}

// fitHeight pads or cuts s to exactly h lines, each at most w wide.
func fitHeight(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	w = max(w, 0)
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		// A cell takes at least a byte, so short lines need no measuring.
		if len(l) > w && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}
