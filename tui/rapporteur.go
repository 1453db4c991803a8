package tui

import (
	"breakout/report"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// rapPane is one pane of the rapporteur's screen.
type rapPane int

const (
	paneIdeas rapPane = iota
	paneMinutes
	paneSummary
	panePreview
	paneCount
)

var paneNames = [paneCount]string{"Ideas", "Minutes", "Summary", "Report preview"}

// rapporteurScreen is the ideas beside the minutes and summary of the
// question shown, theme tags and key-idea marks, and the group report's
// preview. Wide terminals show the ideas and one other pane side by side;
// narrow ones show one pane at a time; tab moves between them.
type rapporteurScreen struct {
	m       *member
	keys    RapporteurKeys
	ekeys   EditorKeys
	focus   rapPane
	right   rapPane // the pane beside the ideas on wide terminals
	minutes *textEditor
	summary *textEditor
	prev    *preview
	theme   *lineInput
	publish string // the op id of a publish on its way
	width   int
	height  int
}

// publishMsg is sent once the rapporteur confirmed publishing.
type publishMsg struct{}

func newRapporteurScreen(a *app) *rapporteurScreen {
	s := &rapporteurScreen{m: newMember(a), keys: DefaultRapporteurKeys(), ekeys: DefaultEditorKeys(),
		right: paneMinutes, theme: newLineInput(a, session.MaxTheme)}
	s.minutes = newTextEditor(a, session.Minutes, a.me.Group)
	s.summary = newTextEditor(a, session.Summary, a.me.Group)
	s.minutes.named, s.summary.named = true, true
	s.prev = newPreview(a, func() string { return report.GroupMarkdown(a.state, a.me.Group) })
	s.follow()
	return s
}

// follow keeps the editors on the question the ideas show.
func (s *rapporteurScreen) follow() tea.Cmd {
	q := s.m.list.questionID()
	return tea.Batch(s.minutes.follow(q), s.summary.follow(q))
}

func (s *rapporteurScreen) editor() *textEditor {
	switch s.focus {
	case paneMinutes:
		return s.minutes
	case paneSummary:
		return s.summary
	}
	return nil
}

func (s *rapporteurScreen) setFocus(p rapPane) tea.Cmd {
	s.minutes.blur()
	s.summary.blur()
	s.focus = p
	if p != paneIdeas {
		s.right = p
	}
	if ed := s.editor(); ed != nil {
		return ed.focus()
	}
	return nil
}

func (s *rapporteurScreen) update(msg tea.Msg) tea.Cmd {
	cmd := s.route(msg)
	return tea.Batch(cmd, s.follow())
}

func (s *rapporteurScreen) route(msg tea.Msg) tea.Cmd {
	a := s.m.a
	if _, ok := msg.(stylesMsg); ok {
		s.minutes.ta.SetStyles(a.styles.Textarea)
		s.summary.ta.SetStyles(a.styles.Textarea)
		s.theme.ti.SetStyles(a.styles.Input)
		return s.m.handleMsg(msg)
	}
	k, isKey := msg.(tea.KeyPressMsg)
	switch {
	case s.theme.open && (isKey || !isReplica(msg)):
		return s.theme.update(msg)
	case s.m.comp.open && isKey:
		_, cmd := s.m.handleKey(k)
		return cmd
	}
	if r, ok := msg.(opResultMsg); ok {
		if ok, cmd := s.theme.result(r); ok {
			return cmd
		}
	}
	if !isKey {
		var edCmds []tea.Cmd
		for _, ed := range []*textEditor{s.minutes, s.summary} {
			ok, cmd := ed.handle(msg)
			if ok {
				return cmd
			}
			edCmds = append(edCmds, cmd)
		}
		if _, ok := msg.(replicaMsg); ok {
			return tea.Batch(append(edCmds, s.m.handleMsg(msg))...)
		}
		switch msg := msg.(type) {
		case publishMsg:
			s.flush()
			id, cmd := a.send(session.KindReportPub, struct{}{}, "publish the report")
			s.publish = id
			return tea.Batch(cmd, a.say(noticeInfo, "publishing the group report…"))
		case opResultMsg:
			if msg.id == s.publish && msg.reject == nil {
				s.publish = ""
				return a.say(noticeInfo, "published: everyone in the session can read the group report now")
			}
		case tea.PasteMsg:
			if ed := s.editor(); ed != nil {
				return ed.update(msg)
			}
		}
		if ed := s.editor(); ed != nil && !isReplica(msg) {
			return ed.update(msg)
		}
		return s.m.handleMsg(msg)
	}
	switch {
	case key.Matches(k, s.keys.NextPane):
		return s.setFocus((s.focus + 1) % paneCount)
	case key.Matches(k, s.keys.PrevPane):
		return s.setFocus((s.focus + paneCount - 1) % paneCount)
	}
	if ed := s.editor(); ed != nil {
		if ed.vers != nil { // browsing versions: the keys are the list's
			_, cmd := ed.keys(k, s.ekeys)
			return cmd
		}
		if key.Matches(k, s.ekeys.Leave) {
			return s.setFocus(paneIdeas)
		}
		if ok, cmd := ed.keys(k, s.ekeys); ok {
			return cmd
		}
		if cmd := a.closedNotice(); cmd != nil {
			return cmd
		}
		return ed.update(k)
	}
	sel := s.m.list.selected()
	if key.Matches(k, s.keys.Publish, s.keys.Theme, s.keys.KeyIdea) {
		if cmd := a.closedNotice(); cmd != nil {
			return cmd
		}
	}
	switch {
	case key.Matches(k, s.keys.Publish):
		return ask("Publish the group report? Everyone in the session can then read it. (y/n)", publishMsg{})
	case key.Matches(k, s.keys.Export):
		name := "report-" + fileName(a.me.Group) + ".md"
		return export(name, report.GroupMarkdown(a.state, a.me.Group))
	}
	if s.focus == panePreview {
		if k.String() == "esc" {
			return s.setFocus(paneIdeas)
		}
		return s.prev.update(k)
	}
	switch {
	case key.Matches(k, s.keys.Theme):
		if sel == nil {
			return nil
		}
		id := sel.ID
		s.theme.noun = "the theme"
		return s.theme.startIn("idea:"+id, "Theme of “"+ansi.Truncate(oneLine(sel.Text), 40, "…")+"” (empty clears it)", sel.Theme, s.themes(),
			func(text string) tea.Cmd {
				return s.theme.send(session.KindIdeaTheme, session.IdeaTheme{Idea: id, Theme: strings.TrimSpace(text)}, "tag the idea", text)
			})
	case key.Matches(k, s.keys.KeyIdea):
		if sel == nil {
			return nil
		}
		_, cmd := a.send(session.KindIdeaKey, session.IdeaFlag{Idea: sel.ID, On: !sel.Key}, "mark the key idea")
		return cmd
	}
	_, cmd := s.m.handleKey(k)
	return cmd
}

func isReplica(msg tea.Msg) bool {
	switch msg.(type) {
	case replicaMsg, opResultMsg, saveTickMsg:
		return true
	}
	return false
}

// themes are the themes used in the group so far, for suggestions.
func (s *rapporteurScreen) themes() []string {
	seen := map[string]bool{}
	var out []string
	for _, i := range s.m.a.state.Ideas {
		if i.Group == s.m.a.me.Group && i.Theme != "" && !seen[i.Theme] {
			seen[i.Theme] = true
			out = append(out, i.Theme)
		}
	}
	slices.Sort(out)
	return out
}

func (s *rapporteurScreen) wide() bool { return s.width >= widePanel }

func (s *rapporteurScreen) setSize(w, h int) {
	s.width, s.height = w, h
	bodyH := h - 1
	lw, rw := w, w
	if s.wide() {
		lw = max(w*9/20, 36)
		rw = w - lw - 1
	}
	s.m.setSize(lw, bodyH)
	s.minutes.setSize(rw, bodyH)
	s.summary.setSize(rw, bodyH)
	s.prev.setSize(rw, bodyH)
	s.theme.setWidth(w)
}

func (s *rapporteurScreen) view() (string, *tea.Cursor) {
	st := s.m.a.styles
	w, h := s.width, s.height
	bodyH := h - 1
	if s.theme.open {
		bodyH -= 2
	}
	// The tab bar: the panes, the active one underlined, and how the
	// text in view stands.
	var tabs []string
	for p := range paneCount {
		name := paneNames[p]
		if p == s.focus {
			tabs = append(tabs, st.PaneTitleActive.Render(name))
		} else {
			tabs = append(tabs, st.PaneTitle.Render(name))
		}
	}
	status := ""
	shownEd := s.editor()
	if shownEd == nil && s.wide() {
		switch s.right {
		case paneMinutes:
			shownEd = s.minutes
		case paneSummary:
			shownEd = s.summary
		}
	}
	if shownEd != nil {
		status = shownEd.status()
	}
	bar := fill(strings.Join(tabs, st.Faint.Render(" · ")), status, w)

	var body string
	var cur *tea.Cursor
	if s.wide() {
		lw := max(w*9/20, 36)
		list, c := s.m.view(lw, bodyH, s.focus == paneIdeas)
		right, rc := s.pane(s.right, bodyH)
		body = joinColumns(list, right, lw, bodyH, st)
		cur = c
		if rc != nil {
			rc.Position.X += lw + 1
			cur = rc
		}
	} else if s.focus == paneIdeas {
		body, cur = s.m.view(w, bodyH, true)
	} else {
		body, cur = s.pane(s.focus, bodyH)
	}
	out := bar + "\n" + fitHeight(body, w, bodyH)
	if cur != nil {
		cur.Position.Y++
	}
	if s.theme.open {
		out += "\n" + s.theme.view(w)
		if c := s.theme.cursor(); c != nil {
			c.Position.Y += 1 + bodyH
			cur = c
		}
	}
	return out, cur
}

// pane renders a right-hand pane: an editor or the preview.
func (s *rapporteurScreen) pane(p rapPane, h int) (string, *tea.Cursor) {
	switch p {
	case paneMinutes, paneSummary:
		ed := s.minutes
		if p == paneSummary {
			ed = s.summary
		}
		ed.setSize(ed.width, h)
		return ed.view(), ed.cursor()
	case panePreview:
		return s.prev.view(), nil
	}
	return "", nil
}

func (s *rapporteurScreen) bar() help.KeyMap {
	switch {
	case s.theme.open:
		return keyMap{short: s.theme.shortKeys()}
	case s.m.comp.open:
		return keyMap{short: s.m.shortKeys()}
	case s.editor() != nil && s.editor().vers != nil:
		e, l := s.ekeys, DefaultListKeys()
		return keyMap{short: []key.Binding{l.Up, l.Down, e.Restore, e.Back}}
	case s.editor() != nil:
		e := s.ekeys
		return keyMap{short: []key.Binding{e.Leave, e.NextPane, e.Save, e.Reload, e.Versions}}
	case s.focus == panePreview:
		l := DefaultListKeys()
		return keyMap{short: []key.Binding{s.keys.NextPane, l.Up, l.Down, s.keys.Publish, s.keys.Export}}
	}
	k := s.keys
	return keyMap{short: []key.Binding{k.NextPane, k.Theme, k.KeyIdea, s.m.keys.New, s.m.keys.Vote, k.Publish, k.Export}}
}

func (s *rapporteurScreen) typing() bool {
	return s.theme.open || s.m.comp.open || s.editor() != nil
}

func (s *rapporteurScreen) unsent() bool {
	return s.m.comp.unsent() || s.theme.unsent() || s.minutes.unsent() || s.summary.unsent()
}

func (s *rapporteurScreen) flush() {
	s.minutes.flush()
	s.summary.flush()
}

func (s *rapporteurScreen) shown() (*session.Group, bool) { return s.m.a.group(), false }
