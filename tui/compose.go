package tui

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// composeMode is what the composer writes.
type composeMode int

const (
	composeNew composeMode = iota
	composeBuild
	composeEdit
)

// draft is an idea typed and not applied, with what it was written as.
type draft struct {
	text     string
	anon     bool
	buildsOn string // the idea it builds on; "" for a new idea
}

// composer is where an idea is written: a new one, one that builds on
// another, or an edit of one's own.
type composer struct {
	a    *app
	keys ComposeKeys
	ta   textarea.Model
	open bool
	mode composeMode
	ref  *session.Idea // the idea built on or edited
	anon bool          // the next new idea or build-on is anonymous
	// draft is the new idea's text, kept while closed or writing another.
	draft string
	// builds keeps build-on drafts by the idea they build on, so that a
	// build-on starts from its own text, never from the new idea's.
	builds map[string]string
	// back holds the ideas given back to the person, in the order they
	// were typed: refused by the relay, or left without the idea they
	// were for. Each stays its own draft; n opens the first.
	back []draft
	// returned is, while the composer is open on a draft taken from back,
	// that draft's flags; nil otherwise.
	returned *draft
	// edits keeps, by idea id, edits not yet applied: closed with esc or
	// rejected by the relay.
	edits map[string]string
	width int
	sent  *sent // the op the last key sent, if any
}

const composeHeight = 3

// composeMax is the most text the composer takes in one paste: a few
// times an idea, so that a text over the limit can still be shortened
// here; a longer paste is refused whole, with a notice.
const composeMax = 8 * session.MaxIdea

func newComposer(a *app) *composer {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	// No limit while typing: a limit would drop what is pasted past it
	// without a word. The counter shows an idea over session.MaxIdea and
	// send refuses it until it is shortened.
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.SetVirtualCursor(false)
	ta.Placeholder = "Your idea…"
	ta.SetHeight(composeHeight)
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"))
	ta.KeyMap.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	ta.SetStyles(a.styles.Textarea)
	return &composer{a: a, keys: DefaultComposeKeys(), ta: ta, edits: map[string]string{}, builds: map[string]string{}}
}

// start opens the composer in a mode; ref is the idea built on or edited.
// Each starts from its own draft: the new idea's, the build-on's of that
// idea, the edit's of that idea.
func (c *composer) start(mode composeMode, ref *session.Idea) tea.Cmd {
	if c.open {
		c.close()
	}
	c.open, c.mode, c.ref, c.returned = true, mode, ref, nil
	switch mode {
	case composeEdit:
		if e, ok := c.edits[ref.ID]; ok {
			c.ta.SetValue(e)
		} else {
			c.ta.SetValue(ref.Text)
		}
	case composeBuild:
		c.ta.SetValue(c.builds[ref.ID])
	default:
		c.ta.SetValue(c.draft)
	}
	c.ta.MoveToEnd()
	return c.ta.Focus()
}

// reopen opens the first idea given back, as it was written: anonymous or
// not, and building on its idea while that idea is still there on the
// room's current question; otherwise as a new idea, which it reports.
func (c *composer) reopen(question string) (cmd tea.Cmd, asNew bool) {
	if c.open {
		c.close()
	}
	d := c.back[0]
	c.back = c.back[1:]
	c.open, c.mode, c.ref = true, composeNew, nil
	if d.buildsOn != "" {
		if t := c.live(d.buildsOn); t != nil && t.Question == question {
			c.mode, c.ref = composeBuild, t
		} else {
			d.buildsOn, asNew = "", true
		}
	}
	c.returned = &d
	c.ta.SetValue(d.text)
	c.ta.MoveToEnd()
	return c.ta.Focus(), asNew
}

// live returns the idea id stands for now: itself, or the idea it was
// merged into; nil when it was retracted or hidden, or is not known.
func (c *composer) live(id string) *session.Idea {
	if c.a.state == nil {
		return nil
	}
	for range 64 { // a merge chain is short; the bound stops a loop
		i := c.a.state.Ideas[id]
		switch {
		case i == nil || i.Retracted || c.hidden(i):
			return nil
		case i.MergedInto != "":
			id = i.MergedInto
		default:
			return i
		}
	}
	return nil
}

// gone reports whether an idea can no longer be edited or built on:
// merged, retracted, hidden or not known.
func (c *composer) gone(id string) bool {
	if c.a.state == nil {
		return false
	}
	i := c.a.state.Ideas[id]
	return i == nil || i.Retracted || c.hidden(i) || i.MergedInto != ""
}

// hidden reports whether an idea is hidden from the viewer's list; the
// chair, who hides and shows ideas, may still list and use it.
func (c *composer) hidden(i *session.Idea) bool {
	return i.Hidden && c.a.me.Role != session.Chair
}

// refText is the edited idea's text as the replica has it now.
func (c *composer) refText() string {
	if c.a.state != nil {
		if i := c.a.state.Ideas[c.ref.ID]; i != nil {
			return i.Text
		}
	}
	return c.ref.Text
}

// wasAnonymous reports whether the person's idea id was anonymous; one
// not known counts as anonymous, so a name is never added by mistake.
func (c *composer) wasAnonymous(id string) bool {
	if c.a.state != nil {
		if i := c.a.state.Ideas[id]; i != nil {
			return i.Anonymous
		}
	}
	return true
}

// close keeps what is open in its place: a returned idea back at the
// head of the queue (dropped when emptied), a build-on under its idea,
// an edit under its idea, a new idea as the draft.
func (c *composer) close() {
	text := c.ta.Value()
	blank := strings.TrimSpace(text) == ""
	switch {
	case c.returned != nil:
		d := *c.returned
		d.text, d.buildsOn = text, ""
		if c.mode == composeBuild {
			d.buildsOn = c.ref.ID
		}
		if !blank {
			c.back = append([]draft{d}, c.back...)
		}
		c.returned = nil
	case c.mode == composeEdit:
		if strings.TrimSpace(text) != strings.TrimSpace(c.refText()) {
			c.edits[c.ref.ID] = text
		} else {
			delete(c.edits, c.ref.ID)
		}
	case c.mode == composeBuild:
		if blank {
			delete(c.builds, c.ref.ID)
		} else {
			c.builds[c.ref.ID] = text
		}
	default:
		c.draft = text
	}
	c.open = false
	c.ta.Blur()
}

// unsent reports whether text was typed and not sent.
func (c *composer) unsent() bool { return c.unsentText() != "" }

// anonymous reports whether what is being written goes out anonymous.
func (c *composer) anonymous() bool {
	switch {
	case c.mode == composeEdit:
		return false // an edit keeps the idea's own
	case c.returned != nil:
		return c.returned.anon
	}
	return c.anon
}

// keep puts back the text of an op the relay did not apply, so no word is
// lost, and says where it went. An idea comes back as a draft of its own,
// with its anonymity and what it builds on; an edit waits for its idea,
// or, when that idea went, comes back as a new idea.
func (c *composer) keep(s sent, r *session.Reject) string {
	if s.mode == composeEdit {
		if !c.gone(s.ref) && r.Code != session.CodeNotFound {
			if c.open && c.mode == composeEdit && c.ref.ID == s.ref {
				// Being written again, from the text sent (member.edit).
				return "your edit is still open: enter sends it again"
			}
			c.edits[s.ref] = s.text
			if g := c.a.group(); g != nil && c.a.state.Ideas[s.ref].Question != g.Current {
				return "your edit is kept: e on the idea sends it while its question is the room's current one"
			}
			return "your edit is kept: e on the idea to send it again"
		}
		c.back = append(c.back, draft{text: s.text, anon: s.anon})
		return "the idea is gone, so " + c.backLine("your edited text is back as a new idea")
	}
	c.back = append(c.back, draft{text: s.text, anon: s.anon, buildsOn: s.buildsOn})
	return c.backLine("your idea is back as a draft")
}

// backLine says how to reach the ideas given back; first describes the
// latest one.
func (c *composer) backLine(first string) string {
	if c.open {
		return first + ": n opens it once this one is sent or closed" + c.moreLine()
	}
	if len(c.back) == 1 {
		return first + ": n opens it"
	}
	return first + fmt.Sprintf(": n opens the first of %d, one at a time", len(c.back))
}

// waitingLine says how many ideas given back wait, and how to reach them.
func (c *composer) waitingLine(more string) string {
	if len(c.back) == 1 {
		return "1 " + more + "idea is back as a draft: n opens it"
	}
	return fmt.Sprintf("%d %sideas are back as drafts: n opens the next", len(c.back), more)
}

// moreLine counts the ideas given back that wait behind the open one.
func (c *composer) moreLine() string {
	if len(c.back) <= 1 {
		return ""
	}
	return fmt.Sprintf(" (%d waiting)", len(c.back))
}

// settle gives back, as drafts of their own, texts kept for ideas that
// went: an edit or a build-on of an idea merged, retracted or hidden, and
// a build-on of an idea of an earlier question. A build-on of a merged
// idea builds on the idea it joined. What is open follows the same way.
// It says what changed for the person, or "".
func (c *composer) settle(question string) string {
	if c.a.state == nil {
		return ""
	}
	var out []string
	moved := 0
	// What is open is handled below; its kept copy goes with it.
	openEdit, openBuild := "", ""
	switch {
	case c.open && c.mode == composeEdit:
		openEdit = c.ref.ID
	case c.open && c.mode == composeBuild && c.returned == nil:
		openBuild = c.ref.ID
	}
	for _, id := range sortedKeys(c.edits) {
		if id != openEdit && c.gone(id) {
			c.back = append(c.back, draft{text: c.edits[id], anon: c.wasAnonymous(id)})
			delete(c.edits, id)
			moved++
		}
	}
	for _, id := range sortedKeys(c.builds) {
		t := c.live(id)
		if id == openBuild || t != nil && t.ID == id && t.Question == question {
			continue
		}
		d := draft{text: c.builds[id], anon: c.anon}
		if t != nil && t.Question == question {
			d.buildsOn = t.ID
		}
		c.back = append(c.back, d)
		delete(c.builds, id)
		moved++
	}
	if moved > 0 {
		out = append(out, c.backLine(plural(moved, "draft is back as an idea of its own", "drafts are back as ideas of their own")))
	}
	if !c.open {
		return strings.Join(out, "; ")
	}
	switch c.mode {
	case composeEdit:
		if c.gone(c.ref.ID) {
			delete(c.edits, c.ref.ID)
			c.returned = &draft{anon: c.wasAnonymous(c.ref.ID)}
			c.mode, c.ref = composeNew, nil
			out = append([]string{"what you are writing is now a new idea: enter sends it, esc keeps it"}, out...)
		}
	case composeBuild:
		t := c.live(c.ref.ID)
		switch {
		case t != nil && t.ID == c.ref.ID && t.Question == question:
			c.ref = t
		case t != nil && t.Question == question:
			if c.returned == nil {
				// Kept as an idea given back, so that it never takes
				// the place of a build-on draft of the idea it joined.
				delete(c.builds, c.ref.ID)
				c.returned, c.anon = &draft{anon: c.anon}, false
			}
			c.ref = t
			out = append([]string{"what you are writing now builds on “" + shortText(t.Text) + "”, which it was merged into"}, out...)
		default:
			if c.returned == nil {
				delete(c.builds, c.ref.ID)
				c.returned, c.anon = &draft{anon: c.anon}, false
			}
			c.mode, c.ref = composeNew, nil
			out = append([]string{"what you are writing no longer builds on an idea: enter sends it as a new idea, esc keeps it"}, out...)
		}
	}
	return strings.Join(out, "; ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, idCompare)
	return keys
}

// sent is an op the composer just sent, for the screen to follow; it is
// taken right after the key that sent it, before any answer can arrive.
type sent struct {
	id       string
	mode     composeMode
	text     string
	ref      string // the idea edited
	anon     bool   // the idea is anonymous (for an edit: the idea edited)
	buildsOn string
}

// update handles a key while the composer is open.
func (c *composer) update(msg tea.Msg, question string) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, c.keys.Close):
			wasBack := c.returned != nil
			c.close()
			if wasBack && len(c.back) > 0 {
				return c.a.say(noticeInfo, capital(c.waitingLine("")))
			}
			return nil
		case key.Matches(k, c.keys.Anonymous):
			switch {
			case c.returned != nil && c.mode != composeEdit:
				c.returned.anon = !c.returned.anon
			case c.mode != composeEdit:
				c.anon = !c.anon
			}
			return nil
		case key.Matches(k, c.keys.Send):
			return c.send(question)
		}
	}
	var cmd tea.Cmd
	c.ta, cmd = c.ta.Update(msg)
	return cmd
}

// paste takes pasted text whole, even over an idea's limit, so that it
// can be shortened here; only a paste past what the composer holds is
// refused, whole and with a notice.
func (c *composer) paste(msg tea.PasteMsg) tea.Cmd {
	if n := utf8.RuneCountInString(c.ta.Value()) + utf8.RuneCountInString(msg.Content); n > composeMax {
		return c.a.say(noticeError, fmt.Sprintf("nothing pasted: that would make %d characters, and an idea holds at most %d; paste a shorter part", n, session.MaxIdea))
	}
	var cmd tea.Cmd
	c.ta, cmd = c.ta.Update(msg)
	return cmd
}

// over is how many characters the text is over an idea's limit.
func (c *composer) over() int {
	return utf8.RuneCountInString(strings.TrimSpace(c.ta.Value())) - session.MaxIdea
}

func (c *composer) send(question string) tea.Cmd {
	text := strings.TrimSpace(c.ta.Value())
	if text == "" {
		return nil
	}
	if n := c.over(); n > 0 {
		return c.a.say(noticeError, fmt.Sprintf("couldn't send the idea: it is %d characters over the limit of %d; shorten it to send", n, session.MaxIdea))
	}
	if err := session.CheckText(text, session.MaxIdea, true); err != nil {
		return c.a.say(noticeError, "couldn't send the idea: it "+err.Error())
	}
	if g := c.a.group(); g != nil && g.Locked {
		return c.a.say(noticeError, "the room is locked by the chair: your text stays here; enter sends it once the room is open")
	}
	var id string
	var cmd tea.Cmd
	s := sent{mode: c.mode, text: text, anon: c.anonymous()}
	switch c.mode {
	case composeEdit:
		s.ref, s.anon = c.ref.ID, c.wasAnonymous(c.ref.ID)
		id, cmd = c.a.send(session.KindIdeaEdit, session.IdeaEdit{Idea: c.ref.ID, Text: text}, "edit the idea")
	case composeBuild:
		s.buildsOn = c.ref.ID
		id, cmd = c.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text,
			Anonymous: s.anon, BuildsOn: c.ref.ID}, "add the idea")
	default:
		id, cmd = c.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text,
			Anonymous: s.anon}, "add the idea")
	}
	if id == "" {
		return cmd // not sent: the text stays here
	}
	wasBack := c.returned != nil
	switch {
	case wasBack:
		c.returned = nil // the flag for the next idea stays as it was
	case c.mode == composeEdit:
		delete(c.edits, c.ref.ID)
	case c.mode == composeBuild:
		delete(c.builds, c.ref.ID)
		c.anon = false // "the next idea" only
	default:
		c.draft = ""
		c.anon = false
	}
	c.ta.Reset()
	c.open = false
	c.ta.Blur()
	s.id = id
	c.sent = &s
	if wasBack && len(c.back) > 0 {
		cmd = tea.Batch(cmd, c.a.say(noticeInfo, c.waitingLine("more ")))
	}
	return cmd
}

func (c *composer) setWidth(w int) {
	c.width = w
	c.ta.SetWidth(w)
}

// view renders the composer: a title line, the text area, and a line
// saying by how much the text is over the limit, when it is.
func (c *composer) view() string {
	st := c.a.styles
	var title string
	switch c.mode {
	case composeEdit:
		title = "Edit your idea"
	case composeBuild:
		title = "Build on: " + oneLine(c.ref.Text)
	default:
		title = "New idea"
	}
	if c.anonymous() {
		title += " · anonymous"
	}
	if g := c.a.group(); g != nil && g.Locked {
		title += " · room locked: send with enter once it opens"
	}
	if c.returned != nil && len(c.back) > 0 {
		title += fmt.Sprintf(" · %d more given back", len(c.back))
	}
	n := utf8.RuneCountInString(c.ta.Value())
	count := fmt.Sprintf("%d/%d", n, session.MaxIdea)
	countStyle := st.Faint
	over := c.over()
	if over > 0 {
		countStyle = st.Error
	}
	title = ansi.Truncate(title, max(c.width-len(count)-1, 1), "…")
	out := fill(st.PaneTitleActive.Render(title), countStyle.Render(count), c.width) + "\n" + c.ta.View()
	if over > 0 {
		out += "\n" + ansi.Truncate(st.Error.Render(fmt.Sprintf("over the limit by %d characters: shorten it to send", over)), c.width, "…")
	}
	return out
}

// height is the composer's height when open.
func (c *composer) height() int {
	if c.over() > 0 {
		return composeHeight + 2
	}
	return composeHeight + 1
}

// cursor is where the real cursor goes, relative to the composer's view.
func (c *composer) cursor() *tea.Cursor {
	cur := c.ta.Cursor()
	if cur != nil {
		cur.Position.Y++
	}
	return cur
}
