package tui

import (
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/relay"
	"breakout/session"
)

// member is what participants, chairs and rapporteurs share: their
// group's idea list, the composer and the idea keys.
type member struct {
	a      *app
	list   *ideaList
	comp   *composer
	keys   IdeaKeys
	follow string // the op id of an idea just sent: selected once applied
	// waiting holds the ideas sent and not yet answered, by op id, to
	// show while the connection is down.
	waiting map[string]sent
	width   int
	height  int
}

// retractMsg is sent once the person confirmed retracting an idea.
type retractMsg struct{ id string }

func newMember(a *app) *member {
	return &member{a: a, list: newIdeaList(a, a.me.Group), comp: newComposer(a), keys: DefaultIdeaKeys(a.me.Role),
		waiting: map[string]sent{}}
}

func (m *member) setSize(w, h int) {
	m.width, m.height = w, h
	m.comp.setWidth(w)
}

// notCurrent tells the person why an earlier question cannot change.
func (m *member) notCurrent() tea.Cmd {
	return m.a.say(noticeInfo, "that is not the room's current question: it can be read, not changed (] goes forward)")
}

// handleKey does what a member does with ideas. It reports whether it used
// the key.
func (m *member) handleKey(k tea.KeyPressMsg) (bool, tea.Cmd) {
	if m.comp.open {
		cmd := m.comp.update(k, m.list.questionID())
		if s := m.comp.sent; s != nil {
			m.comp.sent = nil
			if s.mode != composeEdit {
				m.follow = s.id
			}
			m.waiting[s.id] = *s
		}
		return true, cmd
	}
	if m.list.update(k, m.list.page(m.height)) {
		return true, nil
	}
	sel := m.list.selected()
	cur := m.list.current()
	if key.Matches(k, m.keys.New, m.keys.Vote, m.keys.BuildOn, m.keys.Edit, m.keys.Retract, m.keys.Anonymous) {
		// A draft written before the session closed can still be read
		// and copied; nothing else opens.
		if cmd := m.a.closedNotice(); cmd != nil && !(key.Matches(k, m.keys.New) && (m.comp.draft != "" || len(m.comp.back) > 0)) {
			return true, cmd
		}
	}
	switch {
	case key.Matches(k, m.keys.New):
		return true, m.newIdea(cur)
	case key.Matches(k, m.keys.Vote):
		if sel == nil {
			return true, nil
		}
		if !cur {
			return true, m.notCurrent()
		}
		if g := m.a.group(); g != nil && g.Locked {
			return true, m.a.say(noticeInfo, "the room is locked by the chair: votes wait until it opens")
		}
		if sel.VotedBy(m.a.me.ID) {
			_, cmd := m.a.send(session.KindIdeaUnvote, session.IdeaRef{Idea: sel.ID}, "take back the vote")
			return true, cmd
		}
		if m.a.state.VotesPerPerson-m.list.used <= 0 {
			return true, m.a.say(noticeInfo, fmt.Sprintf("no votes left: all %d are given; take one back with space on an idea you voted for", m.a.state.VotesPerPerson))
		}
		_, cmd := m.a.send(session.KindIdeaVote, session.IdeaRef{Idea: sel.ID}, "vote")
		return true, cmd
	case key.Matches(k, m.keys.BuildOn):
		if sel == nil {
			return true, nil
		}
		if !cur {
			return true, m.notCurrent()
		}
		return true, tea.Batch(m.comp.start(composeBuild, sel), m.lockedNotice())
	case key.Matches(k, m.keys.Edit):
		if sel == nil {
			return true, nil
		}
		if !sel.Mine {
			return true, m.a.say(noticeInfo, "only your own ideas can be edited")
		}
		if !cur {
			return true, m.notCurrent()
		}
		m.edit(sel)
		return true, tea.Batch(m.comp.start(composeEdit, sel), m.lockedNotice())
	case key.Matches(k, m.keys.Retract):
		if sel == nil {
			return true, nil
		}
		if !sel.Mine {
			return true, m.a.say(noticeInfo, "only your own ideas can be retracted")
		}
		if !cur {
			return true, m.notCurrent()
		}
		return true, ask(fmt.Sprintf("Retract your idea “%s”? Its votes go back. (y/n)", ansi.Truncate(oneLine(sel.Text), 30, "…")), retractMsg{sel.ID})
	case key.Matches(k, m.keys.Anonymous):
		if c := m.comp; len(c.back) > 0 {
			// n opens the idea given back first: a sets that one.
			d := &c.back[0]
			d.anon = !d.anon
			if d.anon {
				return true, m.a.say(noticeInfo, "the idea given back, “"+shortText(d.text)+"”, will be anonymous: n opens it")
			}
			return true, m.a.say(noticeInfo, "the idea given back, “"+shortText(d.text)+"”, will carry your name: n opens it")
		}
		m.comp.anon = !m.comp.anon
		if m.comp.anon {
			return true, m.a.say(noticeInfo, "your next idea will be anonymous: no one but you sees who wrote it")
		}
		return true, m.a.say(noticeInfo, "your next idea will carry your name")
	case key.Matches(k, m.keys.Sort):
		m.list.sort = 1 - m.list.sort
		return true, nil
	case key.Matches(k, m.keys.Earlier):
		m.list.browse(-1)
		return true, nil
	case key.Matches(k, m.keys.Later):
		m.list.browse(1)
		return true, nil
	}
	return false, nil
}

// newIdea opens the composer on the room's current question: the first
// idea given back, or the new idea's draft. From an earlier or later
// question the list goes back to the current one first, and says so, so
// that what is typed next is the idea and not commands.
func (m *member) newIdea(cur bool) tea.Cmd {
	g := m.a.group()
	if g == nil {
		return nil
	}
	var say []string
	if !cur {
		m.list.question = ""
		m.list.sel, m.list.selIdx, m.list.offset, m.list.still = "", 0, 0, false
		q, qi := m.a.state.Question(g.Current)
		say = append(say, fmt.Sprintf("Back on Q%d, the room's current question: a new idea goes there (%s)", qi+1, oneLine(q.Text)))
	}
	var cmd tea.Cmd
	if len(m.comp.back) > 0 {
		var asNew bool
		cmd, asNew = m.comp.reopen(g.Current)
		if asNew {
			say = append(say, "the idea this one built on is gone or on an earlier question: it goes as a new idea")
		}
	} else {
		cmd = m.comp.start(composeNew, nil)
	}
	if g.Locked {
		say = append(say, lockedLine)
	}
	if len(say) == 0 {
		return cmd
	}
	return tea.Batch(cmd, m.a.say(noticeInfo, capital(strings.Join(say, "; "))))
}

const lockedLine = "The room is locked by the chair: write on, and send with enter once it opens"

// edit makes an edit of an idea start from an edit of it still on its way
// to the relay, so that one refused while it is written again loses
// nothing.
func (m *member) edit(i *session.Idea) {
	if _, ok := m.comp.edits[i.ID]; ok {
		return
	}
	var last string
	for id, s := range m.waiting {
		if s.mode == composeEdit && s.ref == i.ID && id > last {
			last = id
			m.comp.edits[i.ID] = s.text
		}
	}
}

// lockedNotice tells, before a word is typed, that the room is locked.
func (m *member) lockedNotice() tea.Cmd {
	if g := m.a.group(); g != nil && g.Locked {
		return m.a.say(noticeInfo, lockedLine)
	}
	return nil
}

// handleMsg handles what is not a key: confirmations, op results, replica
// changes, and the text area's own messages.
func (m *member) handleMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case retractMsg:
		_, cmd := m.a.send(session.KindIdeaRetract, session.IdeaRef{Idea: msg.id}, "retract the idea")
		return cmd
	case opResultMsg:
		if s, ok := m.waiting[msg.id]; ok && msg.reject != nil {
			delete(m.waiting, msg.id)
			what := m.comp.keep(s, msg.reject)
			return m.a.say(noticeError, "couldn't "+msg.what+": "+msg.reject.Message+"; "+what)
		}
		if s, ok := sentOf(msg.op); ok && msg.reject != nil && msg.earlier {
			// Queued by an earlier run of the program: its text is
			// only in the op.
			what := m.comp.keep(s, msg.reject)
			return m.a.say(noticeError, "couldn't send an idea queued before breakout restarted: "+msg.reject.Message+"; "+what)
		}
		delete(m.waiting, msg.id)
		if msg.id == m.follow && m.follow != "" {
			m.follow = ""
			if msg.reject == nil {
				m.list.selectID(ideaIDOf(msg.seq))
			}
		}
		return nil
	case stylesMsg:
		m.comp.ta.SetStyles(m.a.styles.Textarea)
		return nil
	case replicaMsg:
		return m.roomNews(msg.ev)
	case tea.PasteMsg:
		if m.comp.open {
			return m.comp.paste(msg)
		}
		return nil
	}
	if m.comp.open {
		var cmd tea.Cmd
		m.comp.ta, cmd = m.comp.ta.Update(msg)
		return cmd
	}
	return nil
}

// roomNews tells the members what the chair just did to the room, and
// what became of the texts kept for ideas that went.
func (m *member) roomNews(ev *session.Event) tea.Cmd {
	g := m.a.group()
	if g == nil {
		return nil
	}
	kept := m.comp.settle(g.Current)
	news := ""
	if ev != nil && ev.Data.Group == m.a.me.Group && ev.By != m.a.me.ID {
		news = m.news(ev, g)
	}
	if kept == "" {
		if news == "" {
			return nil
		}
		return m.a.say(noticeInfo, news)
	}
	if news == "" && ev != nil {
		news = ideaNotice(*ev) // said already; said again, as this one replaces it
	}
	if news == "" {
		return m.a.say(noticeInfo, capital(kept))
	}
	return m.a.say(noticeInfo, news+"; "+kept)
}

// news is what the room hears of an event someone else caused, or "".
func (m *member) news(ev *session.Event, g *session.Group) string {
	switch ev.Kind {
	case session.KindQuestionPose:
		q, qi := m.a.state.Question(g.Current)
		text := fmt.Sprintf("Now on Q%d: %s", qi+1, oneLine(q.Text))
		if left := m.a.timerLeft(g); left != "" {
			text += " · timer " + left
		}
		return text
	case session.KindGroupLock:
		return "The chair locked the room: no new ideas or votes until it opens again"
	case session.KindGroupUnlock:
		switch c := m.comp; {
		case c.open && strings.TrimSpace(c.ta.Value()) != "":
			return "The room is open again: enter sends what you wrote"
		case len(c.back) > 0 || strings.TrimSpace(c.draft) != "":
			return "The room is open again: n opens your draft, enter sends it"
		}
		return "The room is open again"
	case session.KindTimerStart, session.KindTimerExtend:
		return "Timer: " + clock(g.Deadline.Sub(m.a.now())) + " left"
	case session.KindTimerStop:
		return "The chair stopped the timer"
	case session.KindTimerPause:
		return "The chair paused the timer: " + m.a.timerLeft(g)
	case session.KindTimerResume:
		return "The timer runs again: " + m.a.timerLeft(g)
	}
	return ""
}

// view renders the list with the composer under it when open.
func (m *member) view(width, height int, focused bool) (string, *tea.Cursor) {
	st := m.a.styles
	g := m.a.group()
	full := g != nil && !m.a.questionFits(m.a.width, g, false)
	o := listView{focused: focused && !m.comp.open, votes: true, fullQuestion: full}
	var foot []string
	if len(m.waiting) > 0 && m.a.status().State != relay.Live {
		// The oldest: op ids of one client sort by the time they were made.
		var first, firstID string
		for id, t := range m.waiting {
			if firstID == "" || id < firstID {
				first, firstID = t.text, id
			}
		}
		foot = append(foot, st.Warn.Render("⧗ waiting to send "+plural(len(m.waiting), "idea", "ideas")+": ")+
			st.Dim.Render("“"+oneLine(first)+"”"))
	}
	switch c := m.comp; {
	case c.open:
	case len(c.back) > 0:
		line := plural(len(c.back), "idea is", "ideas are") + " back as drafts: n opens the first"
		if len(c.back) == 1 {
			line = "An idea is back as a draft: n opens it"
		}
		if c.back[0].anon {
			line += " (anonymous)"
		}
		foot = append(foot, st.Warn.Render(line))
	case m.comp.anon:
		foot = append(foot, st.Accent.Render("Your next idea will be anonymous")+st.Dim.Render(" (a to change)"))
	case m.comp.draft != "":
		foot = append(foot, st.Dim.Render("A draft is waiting: n to go on writing it"))
	case len(m.comp.edits) > 0:
		foot = append(foot, st.Dim.Render(plural(len(m.comp.edits), "edit is", "edits are")+" waiting: e on the idea to send"))
	case len(m.comp.builds) > 0:
		foot = append(foot, st.Dim.Render(plural(len(m.comp.builds), "build-on draft is", "build-on drafts are")+" waiting: b on the idea to go on"))
	}
	listH := height - len(foot)
	if m.comp.open {
		listH -= m.comp.height() + 1
	}
	out := m.list.view(width, listH, o)
	out = fitHeight(out, width, max(listH, 0))
	var cur *tea.Cursor
	if m.comp.open {
		out += "\n" + st.Rule.Render(hrule(width)) + "\n" + m.comp.view()
		if c := m.comp.cursor(); c != nil {
			c.Position.Y += listH + 1
			cur = c
		}
	}
	for _, f := range foot {
		out += "\n" + ansi.Truncate(f, width, "…")
	}
	return out, cur
}

// shortKeys are the member keys for the help bar.
func (m *member) shortKeys() []key.Binding {
	if m.comp.open {
		c := m.comp.keys
		return []key.Binding{c.Send, c.Newline, c.Anonymous, c.Close}
	}
	k := m.keys
	return []key.Binding{k.New, k.Vote, k.BuildOn, k.Edit, k.Sort, k.Earlier}
}

func hrule(w int) string {
	if w <= 0 {
		return ""
	}
	b := make([]rune, w)
	for i := range b {
		b[i] = '─'
	}
	return string(b)
}

// sentOf is what the composer would have sent as op: an idea, a build-on
// or an edit, or false for any other op.
func sentOf(op *session.Op) (sent, bool) {
	if op == nil {
		return sent{}, false
	}
	switch op.Kind {
	case session.KindIdeaAdd:
		var d session.IdeaAdd
		if json.Unmarshal(op.Data, &d) != nil || d.Text == "" {
			return sent{}, false
		}
		mode := composeNew
		if d.BuildsOn != "" {
			mode = composeBuild
		}
		return sent{id: op.ID, mode: mode, text: d.Text, anon: d.Anonymous, buildsOn: d.BuildsOn}, true
	case session.KindIdeaEdit:
		var d session.IdeaEdit
		if json.Unmarshal(op.Data, &d) != nil || d.Text == "" {
			return sent{}, false
		}
		return sent{id: op.ID, mode: composeEdit, text: d.Text, ref: d.Idea}, true
	}
	return sent{}, false
}
