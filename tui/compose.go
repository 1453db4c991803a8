package tui

import (
	"cmp"
	"fmt"
	"strings"

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

// composer is where an idea is written: a new one, one that builds on
// another, or an edit of one's own.
type composer struct {
	a     *app
	keys  ComposeKeys
	ta    textarea.Model
	open  bool
	mode  composeMode
	ref   *session.Idea // the idea built on or edited
	anon  bool          // the next new idea is anonymous
	draft string        // a new idea's text kept while editing another
	// edits keeps, by idea id, edits not yet applied: closed with esc or
	// rejected by the relay.
	edits map[string]string
	width int
	sent  *sent // the op the last key sent, if any
}

const composeHeight = 3

func newComposer(a *app) *composer {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.CharLimit = session.MaxIdea
	ta.SetVirtualCursor(false)
	ta.Placeholder = "Your idea…"
	ta.SetHeight(composeHeight)
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"))
	ta.KeyMap.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	ta.SetStyles(a.styles.Textarea)
	return &composer{a: a, keys: DefaultComposeKeys(), ta: ta, edits: map[string]string{}}
}

// start opens the composer in a mode; ref is the idea built on or edited.
func (c *composer) start(mode composeMode, ref *session.Idea) tea.Cmd {
	if c.open && c.mode == composeNew {
		c.draft = c.ta.Value()
	}
	c.open, c.mode, c.ref = true, mode, ref
	switch mode {
	case composeEdit:
		if e, ok := c.edits[ref.ID]; ok {
			c.ta.SetValue(e)
		} else {
			c.ta.SetValue(ref.Text)
		}
	default:
		c.ta.SetValue(c.draft)
	}
	c.ta.MoveToEnd()
	return c.ta.Focus()
}

func (c *composer) close() {
	switch {
	case c.mode != composeEdit:
		c.draft = c.ta.Value()
	case strings.TrimSpace(c.ta.Value()) != strings.TrimSpace(c.ref.Text):
		c.edits[c.ref.ID] = c.ta.Value()
	default:
		delete(c.edits, c.ref.ID)
	}
	c.open = false
	c.ta.Blur()
}

// unsent reports whether text was typed and not sent.
func (c *composer) unsent() bool {
	if c.open && c.mode == composeEdit {
		return strings.TrimSpace(c.ta.Value()) != strings.TrimSpace(c.ref.Text)
	}
	if c.open {
		return strings.TrimSpace(c.ta.Value()) != ""
	}
	return strings.TrimSpace(c.draft) != "" || len(c.edits) > 0
}

// keep puts back the text of an op the relay did not apply, so no word is
// lost: a new idea joins the draft, an edit waits for its idea.
func (c *composer) keep(s sent) {
	if s.mode == composeEdit {
		if c.open && c.mode == composeEdit && c.ref.ID == s.ref {
			return // being written again already
		}
		c.edits[s.ref] = s.text
		return
	}
	if c.open && c.mode != composeEdit {
		c.ta.SetValue(joinDrafts(s.text, c.ta.Value()))
		return
	}
	c.draft = joinDrafts(s.text, c.draft)
}

func joinDrafts(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" || strings.Contains(b, a) {
		return cmp.Or(b, a)
	}
	return a + "\n" + b
}

// sent is an op the composer just sent, for the screen to follow; it is
// taken right after the key that sent it, before any answer can arrive.
type sent struct {
	id   string
	mode composeMode
	text string
	ref  string // the idea edited
}

// update handles a key while the composer is open.
func (c *composer) update(msg tea.Msg, question string) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, c.keys.Close):
			c.close()
			return nil
		case key.Matches(k, c.keys.Anonymous):
			if c.mode != composeEdit {
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

func (c *composer) send(question string) tea.Cmd {
	text := strings.TrimSpace(c.ta.Value())
	if text == "" {
		return nil
	}
	if err := session.CheckText(text, session.MaxIdea, true); err != nil {
		return c.a.say(noticeError, "couldn't send the idea: it "+err.Error())
	}
	if g := c.a.group(); g != nil && g.Locked {
		return c.a.say(noticeError, "the room is locked by the chair: your text stays here; enter sends it once the room is open")
	}
	var id string
	var cmd tea.Cmd
	mode := c.mode
	switch c.mode {
	case composeEdit:
		id, cmd = c.a.send(session.KindIdeaEdit, session.IdeaEdit{Idea: c.ref.ID, Text: text}, "edit the idea")
	case composeBuild:
		id, cmd = c.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text,
			Anonymous: c.anon, BuildsOn: c.ref.ID}, "add the idea")
	default:
		id, cmd = c.a.send(session.KindIdeaAdd, session.IdeaAdd{Question: question, Text: text,
			Anonymous: c.anon}, "add the idea")
	}
	ref := ""
	if c.mode != composeEdit {
		c.anon = false // "the next idea" only
		c.draft = ""
	} else {
		ref = c.ref.ID
		delete(c.edits, ref)
	}
	c.ta.Reset()
	c.open = false
	c.ta.Blur()
	if id != "" {
		c.sent = &sent{id: id, mode: mode, text: text, ref: ref}
	}
	return cmd
}

func (c *composer) setWidth(w int) {
	c.width = w
	c.ta.SetWidth(w)
}

// view renders the composer: a title line and the text area.
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
	if c.mode != composeEdit && c.anon {
		title += " · anonymous"
	}
	if g := c.a.group(); g != nil && g.Locked {
		title += " · room locked: sent once it opens"
	}
	count := fmt.Sprintf("%d/%d", len([]rune(c.ta.Value())), session.MaxIdea)
	title = ansi.Truncate(title, max(c.width-len(count)-1, 1), "…")
	return fill(st.PaneTitleActive.Render(title), st.Faint.Render(count), c.width) + "\n" + c.ta.View()
}

// height is the composer's height when open.
func (c *composer) height() int { return composeHeight + 1 }

// cursor is where the real cursor goes, relative to the composer's view.
func (c *composer) cursor() *tea.Cursor {
	cur := c.ta.Cursor()
	if cur != nil {
		cur.Position.Y++
	}
	return cur
}
