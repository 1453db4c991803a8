package tui

import (
	"breakout/report"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// orgMode is what the organizer looks at.
type orgMode int

const (
	orgTable     orgMode = iota // every group at a glance
	orgWatch                    // one group, read only
	orgSynthesis                // the synthesis of one question
	orgBoard                    // the conference themes of one question
	orgDash                     // charts, alerts and the survey
)

// organizerScreen watches every room: a live table of the groups, a
// read-only view of any group, broadcasts, and the synthesis per question
// with every group's summary beside it.
type organizerScreen struct {
	a     *app
	keys  OrganizerKeys
	lkeys ListKeys
	ekeys EditorKeys
	mode  orgMode

	table *groupTable
	watch *ideaList
	panel *participation
	// watchPane is what stands beside the watched group's ideas (on
	// narrow terminals: instead of them).
	watchPane watchPane
	// sideTop is the first line of the watched minutes or summary shown,
	// -1 to follow the newest writing at the end; sideLines and sideAvail
	// are its length and room when last drawn.
	sideTop, sideLines, sideAvail int

	synth *textEditor // the editor on screen: one of editors
	// editors write the synthesis of a question, the executive summary
	// and the recommendations.
	editors    [3]*textEditor
	synthQ     int  // index of the synthesis's question; -2 the executive summary, -1 the recommendations
	synthFocus bool // the editor has the keys
	sums       viewport.Model
	sumsKey    string // what the summaries were built for

	board *mergeBoard
	dash  *dashboard
	bcast *lineInput
	// ask is the one-line question of the session-wide controls (the
	// clock, the question to pose).
	ask    *lineInput
	width  int
	height int
}

func newOrganizerScreen(a *app) *organizerScreen {
	s := &organizerScreen{a: a, keys: DefaultOrganizerKeys(), lkeys: DefaultListKeys(), ekeys: DefaultEditorKeys(),
		table: &groupTable{a: a}, synth: newTextEditor(a, session.Synthesis, ""),
		bcast: newLineInput(a, session.MaxBroadcast), sums: viewport.New(), board: newMergeBoard(a), sideTop: -1,
		dash: newDashboard(a), ask: newLineInput(a, 60)}
	s.editors = [3]*textEditor{s.synth, newTextEditor(a, session.Executive, ""), newTextEditor(a, session.Recommendations, "")}
	s.panel = &participation{a: a, group: s.watched}
	return s
}

// watched is the group being watched, or nil.
func (s *organizerScreen) watched() *session.Group {
	if s.watch == nil {
		return nil
	}
	return s.a.state.Group(s.watch.group)
}

func (s *organizerScreen) update(msg tea.Msg) tea.Cmd {
	a := s.a
	if _, ok := msg.(stylesMsg); ok {
		for _, e := range s.editors {
			e.ta.SetStyles(a.styles.Textarea)
		}
		s.bcast.ti.SetStyles(a.styles.Input)
		s.ask.ti.SetStyles(a.styles.Input)
		s.board.input.ti.SetStyles(a.styles.Input)
		return nil
	}
	if p, ok := msg.(phaseMsg); ok {
		_, cmd := a.sendSaying(session.KindPhaseSet, session.PhaseSet{Phase: p.phase}, "move the session to "+string(p.phase),
			orgPhaseNews(p.phase))
		return cmd
	}
	if d, ok := msg.(boardDismissMsg); ok {
		_, cmd := a.send(session.KindThemeDismiss, session.ThemeRef{Theme: d.theme}, "dismiss the theme")
		return cmd
	}
	if d, ok := msg.(boardRemoveRecMsg); ok {
		_, cmd := a.send(session.KindRecommendationRemove, session.RecommendationRef{Recommendation: d.rec}, "remove the recommendation")
		return cmd
	}
	if r, ok := msg.(opResultMsg); ok {
		for _, in := range []*lineInput{s.bcast, s.board.input, s.ask} {
			if ok, cmd := in.result(r); ok {
				return cmd
			}
		}
	}
	k, isKey := msg.(tea.KeyPressMsg)
	if s.bcast.open && (isKey || !isReplica(msg)) {
		return s.bcast.update(msg)
	}
	if s.ask.open && (isKey || !isReplica(msg)) {
		return s.ask.update(msg)
	}
	if !isKey && s.mode == orgBoard && s.board.typing() && !isReplica(msg) {
		cmd, _ := s.board.update(msg) // a paste
		return cmd
	}
	if !isKey {
		for _, e := range s.editors {
			if ok, cmd := e.handle(msg); ok || cmd != nil {
				return cmd
			}
		}
		if s.mode == orgSynthesis && s.synthFocus && !isReplica(msg) {
			return s.synth.update(msg)
		}
		return nil
	}
	if s.mode == orgBoard && (s.board.typing() || !key.Matches(k, s.keys.Broadcast, s.keys.Export)) {
		cmd, back := s.board.update(k)
		if back {
			s.mode = orgTable
		}
		return cmd
	}
	if s.mode == orgSynthesis && s.synthFocus {
		if s.synth.vers != nil { // browsing versions: the keys are the list's
			_, cmd := s.synth.keys(k, s.ekeys)
			return cmd
		}
		switch {
		case key.Matches(k, s.ekeys.Leave), key.Matches(k, s.keys.NextPane):
			s.synthFocus = false
			s.synth.blur()
			return nil
		}
		if ok, cmd := s.synth.keys(k, s.ekeys); ok {
			return cmd
		}
		if cmd := a.closedNotice(); cmd != nil {
			return cmd
		}
		return s.synth.update(k)
	}
	if s.mode == orgDash && !key.Matches(k, s.keys.Broadcast, s.keys.Export) {
		if cmd, ok := s.controlKey(k); ok {
			return cmd
		}
		cmd, back := s.dash.update(k)
		if back {
			s.mode = orgTable
		}
		return cmd
	}
	switch {
	case key.Matches(k, s.keys.Broadcast):
		to, title := "", "Broadcast to every group"
		if g := s.watched(); s.mode == orgWatch && g != nil {
			to, title = g.Name, "Message to "+g.Name+" only"
		}
		s.bcast.noun = "the broadcast"
		return s.bcast.start(title, "", nil, func(text string) tea.Cmd {
			if oneLine(text) == "" {
				return nil
			}
			return s.bcast.send(session.KindBroadcast, session.BroadcastData{Text: text, Group: to}, "broadcast", text)
		})
	case key.Matches(k, s.keys.Export):
		return export("conference-report.md", report.ConferenceMarkdown(a.state))
	}
	switch s.mode {
	case orgTable:
		return s.tableKey(k)
	case orgWatch:
		return s.watchKey(k)
	}
	return s.synthKey(k)
}

func (s *organizerScreen) tableKey(k tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := s.controlKey(k); ok {
		return cmd
	}
	t := s.table
	rows := len(s.a.state.Groups)
	switch {
	case key.Matches(k, s.keys.Dashboard):
		s.mode = orgDash
	case key.Matches(k, s.lkeys.Up):
		t.sel--
	case key.Matches(k, s.lkeys.Down):
		t.sel++
	case key.Matches(k, s.lkeys.PageUp):
		t.sel -= max(s.height-4, 1)
	case key.Matches(k, s.lkeys.PageDown):
		t.sel += max(s.height-4, 1)
	case key.Matches(k, s.lkeys.Top):
		t.sel = 0
	case key.Matches(k, s.lkeys.Bottom):
		t.sel = rows - 1
	case key.Matches(k, s.keys.Open):
		if rows == 0 {
			return nil
		}
		s.watch = newIdeaList(s.a, s.a.state.Groups[min(max(t.sel, 0), rows-1)].Name)
		s.mode = orgWatch
		s.watchPane = watchIdeas
		if s.width >= widePanel {
			s.watchPane = watchWho
		}
	case key.Matches(k, s.keys.Board):
		s.mode = orgBoard
		if rows > 0 {
			g := s.a.state.Groups[min(max(t.sel, 0), rows-1)]
			_, s.board.q = s.a.state.Question(g.Current)
		}
	case key.Matches(k, s.keys.Synthesis):
		s.mode = orgSynthesis
		if rows > 0 {
			g := s.a.state.Groups[min(max(t.sel, 0), rows-1)]
			_, s.synthQ = s.a.state.Question(g.Current)
		}
		s.synthQ = max(s.synthQ, 0)
		t.sel = min(max(t.sel, 0), max(rows-1, 0))
		return s.followSynth()
	}
	t.sel = min(max(t.sel, 0), max(rows-1, 0))
	return nil
}

func (s *organizerScreen) watchKey(k tea.KeyPressMsg) tea.Cmd {
	ik := DefaultIdeaKeys(session.Organizer)
	switch {
	case key.Matches(k, s.keys.Back):
		s.mode, s.watch = orgTable, nil
	case key.Matches(k, s.keys.NextPane):
		s.watchPane = (s.watchPane + 1) % watchPaneCount
		if s.width >= widePanel && s.watchPane == watchIdeas {
			s.watchPane = watchWho
		}
		s.sideTop = -1
	case s.width < widePanel && (s.watchPane == watchMinutes || s.watchPane == watchSummary):
		// The text stands alone: the moving keys scroll it.
		s.scrollSide(k)
	case key.Matches(k, ik.Sort):
		s.watch.sort = 1 - s.watch.sort
	case key.Matches(k, ik.Earlier):
		s.watch.browse(-1)
	case key.Matches(k, ik.Later):
		s.watch.browse(1)
	default:
		s.watch.update(k, s.watch.page(s.height))
	}
	return nil
}

// scrollSide moves through the watched minutes or summary.
func (s *organizerScreen) scrollSide(k tea.KeyPressMsg) {
	last := max(s.sideLines-s.sideAvail, 0)
	top := s.sideTop
	if top < 0 {
		top = last
	}
	page := max(s.sideAvail-1, 1)
	switch {
	case key.Matches(k, s.lkeys.Up):
		top--
	case key.Matches(k, s.lkeys.Down):
		top++
	case key.Matches(k, s.lkeys.PageUp):
		top -= page
	case key.Matches(k, s.lkeys.PageDown):
		top += page
	case key.Matches(k, s.lkeys.Top):
		top = 0
	case key.Matches(k, s.lkeys.Bottom):
		top = last
	}
	s.sideTop = min(max(top, 0), last)
	if s.sideTop == last {
		s.sideTop = -1 // at the end: follow what is written next
	}
}

func (s *organizerScreen) synthKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, s.keys.Back):
		s.flush()
		s.mode = orgTable
	case key.Matches(k, s.keys.NextPane):
		s.synthFocus = true
		return s.synth.focus()
	case key.Matches(k, s.keys.Earlier):
		if s.synthQ > -2 {
			s.synthQ--
			return s.followSynth()
		}
	case key.Matches(k, s.keys.Later):
		if s.synthQ < len(s.a.state.Questions)-1 {
			s.synthQ++
			return s.followSynth()
		}
	default:
		var cmd tea.Cmd
		s.sums, cmd = s.sums.Update(k)
		return cmd
	}
	return nil
}

// followSynth points the editor at the chosen page: a question's
// synthesis, or before the first question the recommendations and the
// executive summary.
func (s *organizerScreen) followSynth() tea.Cmd {
	qs := s.a.state.Questions
	s.synthQ = min(max(s.synthQ, -2), len(qs)-1)
	var cmd tea.Cmd
	switch {
	case s.synthQ >= 0:
		s.synth = s.editors[0]
		cmd = s.synth.follow(qs[s.synthQ].ID)
	case s.synthQ == -2:
		s.synth = s.editors[1]
		cmd = s.synth.follow("")
	default:
		s.synth = s.editors[2]
		cmd = s.synth.follow("")
	}
	s.sums.GotoTop()
	return cmd
}

func (s *organizerScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.bcast.setWidth(w)
	s.ask.setWidth(w)
	s.board.setSize(w, h)
}

func (s *organizerScreen) view() (string, *tea.Cursor) {
	w, h := s.width, s.height
	if s.bcast.open || s.ask.open {
		h -= 2
	}
	var body string
	var cur *tea.Cursor
	switch s.mode {
	case orgWatch:
		body = s.watchView(w, h)
	case orgSynthesis:
		body, cur = s.synthView(w, h)
	case orgBoard:
		s.board.setSize(w, h)
		body, cur = s.board.view()
	case orgDash:
		body = s.dash.view(w, h)
	default:
		body = s.table.view(w, h)
	}
	for _, in := range []*lineInput{s.bcast, s.ask} {
		if !in.open {
			continue
		}
		body = fitHeight(body, w, h) + "\n" + in.view(w)
		if c := in.cursor(); c != nil {
			c.Position.Y += h
			cur = c
		}
	}
	return body, cur
}

func (s *organizerScreen) watchView(w, h int) string {
	o := listView{focused: true, readOnly: true, fullQuestion: true}
	if w >= widePanel {
		pw := max(w*2/5, 34)
		if s.watchPane == watchIdeas {
			s.watchPane = watchWho
		}
		return joinColumns(s.watch.view(w-pw-1, h, o), s.watchSide(pw, h), w-pw-1, h, s.a.styles)
	}
	if s.watchPane == watchIdeas {
		return s.watch.view(w, h, o)
	}
	return s.watchSide(w, h)
}

// watchPane is what the organizer sees of a watched group beside its ideas.
type watchPane int

const (
	watchIdeas watchPane = iota
	watchWho
	watchMinutes
	watchSummary
	watchPaneCount
)

// watchSide renders the pane beside the ideas: who takes part, or the
// minutes or summary of the question shown, live and read only.
func (s *organizerScreen) watchSide(w, h int) string {
	st := s.a.styles
	var names []string
	for p := watchWho; p < watchPaneCount; p++ {
		name := [...]string{"", "Who", "Minutes", "Summary"}[p]
		if p == s.watchPane {
			names = append(names, st.PaneTitleActive.Render(name))
		} else {
			names = append(names, st.PaneTitle.Render(name))
		}
	}
	tabs := ansi.Truncate(strings.Join(names, st.Faint.Render(" · "))+st.Faint.Render("  (tab)"), w, "…")
	if s.watchPane == watchWho {
		return tabs + "\n" + s.panel.view(w, h-1)
	}
	kind := session.Minutes
	if s.watchPane == watchSummary {
		kind = session.Summary
	}
	t := s.a.state.Text(kind, s.watch.group, s.watch.questionID())
	if t == nil || strings.TrimSpace(t.Body) == "" {
		return tabs + "\n" + st.Faint.Render("nothing written yet")
	}
	lines := strings.Split(ansi.Wrap(strings.ReplaceAll(t.Body, "\t", "  "), max(w-1, 10), ""), "\n")
	avail := max(h-2, 1)
	s.sideLines, s.sideAvail = len(lines), avail
	status := fmt.Sprintf("version %d", t.Version)
	if len(lines) > avail {
		// The newest writing is at the end: show that, unless the
		// organizer scrolled up.
		top := len(lines) - avail
		if s.sideTop >= 0 && s.sideTop < top {
			top = s.sideTop
		}
		lines = lines[top : top+avail]
		status += fmt.Sprintf(" · lines %d–%d of %d", top+1, top+avail, s.sideLines)
		if s.width < widePanel {
			status += " · ↑/↓ scroll"
		}
	}
	return tabs + "\n" + st.Dim.Render(ansi.Truncate(status, w, "…")) + "\n" + strings.Join(lines, "\n")
}

func (s *organizerScreen) bar() help.KeyMap {
	if s.bcast.open {
		return keyMap{short: s.bcast.shortKeys()}
	}
	if s.ask.open {
		return keyMap{short: s.ask.shortKeys()}
	}
	k := s.keys
	switch s.mode {
	case orgWatch:
		ik := DefaultIdeaKeys(session.Organizer)
		return keyMap{short: []key.Binding{k.Back, k.NextPane, ik.Sort, ik.Earlier, ik.Later, k.Broadcast}}
	case orgDash:
		dk := s.dash.keys
		return keyMap{short: []key.Binding{dk.Down, dk.Toggle, dk.Breakdown, dk.Back, k.Phase, k.Clock, k.LockAll, k.PoseAll}}
	case orgBoard:
		if s.board.typing() {
			return keyMap{short: s.board.input.shortKeys()}
		}
		bk := s.board.keys
		if s.board.pane == boardRecs {
			rk := s.board.rkeys
			return keyMap{short: []key.Binding{rk.Add, rk.Edit, rk.Remove, bk.Earlier, bk.Later, bk.Back}}
		}
		return keyMap{short: []key.Binding{bk.NextPane, bk.Accept, bk.New, bk.Merge, bk.Add, bk.Dismiss, bk.Recs, bk.Earlier, bk.Later, bk.Back}}
	case orgSynthesis:
		if s.synthFocus && s.synth.vers != nil {
			e, l := s.ekeys, DefaultListKeys()
			return keyMap{short: []key.Binding{l.Up, l.Down, e.Restore, e.Back}}
		}
		if s.synthFocus {
			e := s.ekeys
			return keyMap{short: []key.Binding{e.Leave, e.Save, e.Reload, e.Versions}}
		}
		return keyMap{short: []key.Binding{k.NextPane, k.Earlier, k.Later, k.Back, k.Broadcast, k.Export}}
	}
	return keyMap{short: []key.Binding{s.lkeys.Down, k.Open, k.Broadcast, k.Dashboard, k.Phase, k.Synthesis, k.Board, k.Clock, k.LockAll, k.PoseAll, k.Export}}
}

func (s *organizerScreen) typing() bool {
	return s.bcast.open || s.ask.open || (s.mode == orgSynthesis && s.synthFocus) || (s.mode == orgBoard && s.board.typing())
}

func (s *organizerScreen) unsent() bool {
	for _, e := range s.editors {
		if e.unsent() {
			return true
		}
	}
	return s.bcast.unsent() || s.ask.unsent() || s.board.unsent()
}

func (s *organizerScreen) flush() {
	for _, e := range s.editors {
		e.flush()
	}
}

func (s *organizerScreen) shown() (*session.Group, bool) {
	if s.mode == orgWatch {
		return s.watched(), true
	}
	return nil, false
}
