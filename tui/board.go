package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/report"
	"breakout/session"
)

// RecKeys write the recommendations of the question on the merge
// board's recommendations pane.
type RecKeys struct {
	Add, Edit, Remove key.Binding
}

// DefaultRecKeys returns the keys of the recommendations pane.
func DefaultRecKeys() RecKeys {
	return RecKeys{
		Add:    bind([]string{"n"}, "n", "new recommendation"),
		Edit:   bind([]string{"e", "enter"}, "e/enter", "edit the recommendation"),
		Remove: bind([]string{"x"}, "x", "remove the recommendation"),
	}
}

func (k RecKeys) all() []key.Binding { return []key.Binding{k.Add, k.Edit, k.Remove} }

// BoardKeys build the conference themes on the merge board.
type BoardKeys struct {
	NextPane, PrevPane, Accept, New, Rename, Merge, Split, Dismiss, Add, Out, Mark, Earlier, Later, Back key.Binding
	// Recs shows the recommendations of the question, and back.
	Recs key.Binding
}

// DefaultBoardKeys returns the merge board's keys.
func DefaultBoardKeys() BoardKeys {
	return BoardKeys{
		NextPane: bind([]string{"tab"}, "tab", "themes/suggestions/ideas"),
		PrevPane: bind([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Accept:   bind([]string{"a"}, "a", "accept suggestion"),
		New:      bind([]string{"n"}, "n", "new theme"),
		Rename:   bind([]string{"r"}, "r", "rename"),
		Merge:    bind([]string{"m"}, "m", "merge into…"),
		Split:    bind([]string{"s"}, "s", "split marked off"),
		Dismiss:  bind([]string{"x"}, "x", "dismiss"),
		Add:      bind([]string{"i"}, "i", "add ideas"),
		Out:      bind([]string{"o"}, "o", "take idea out"),
		Mark:     bind([]string{"space"}, "space", "mark"),
		Earlier:  bind([]string{"["}, "[", "earlier question"),
		Later:    bind([]string{"]"}, "]", "later question"),
		Back:     bind([]string{"esc"}, "esc", "back"),
		Recs:     bind([]string{"R"}, "R", "recommendations of the question"),
	}
}

func (k BoardKeys) all() []key.Binding {
	return []key.Binding{k.NextPane, k.PrevPane, k.Accept, k.New, k.Rename, k.Merge, k.Split, k.Dismiss, k.Add, k.Out,
		k.Mark, k.Recs, k.Earlier, k.Later, k.Back}
}

// boardPane is the part of the merge board that has the keys.
type boardPane int

const (
	boardThemes boardPane = iota
	boardSuggest
	boardIdeas
	boardPick // the ideas and group tags that can join the theme
	boardRecs // the recommendations of the question, out of the tab cycle
)

// boardItem is a line of the board: a conference theme, a suggestion, an
// idea, a group's tag that can join a theme, or a recommendation.
type boardItem struct {
	theme   *session.Theme
	rec     *session.Recommendation
	cand    *report.Candidate
	idea    *session.Idea
	group   string // with tag: a group's whole tag
	tag     string
	nIdeas  int
	groups  []string
	votes   int
	display string
}

// mergeBoard is the organizer's synthesis across groups, one question at a
// time: the conference themes beside the suggestions, each with its ideas,
// groups and votes, and the recommendations of the question that the
// plenary gives priority votes to. It is rebuilt from the replica whenever it changes, so
// it is live while rapporteurs tag.
type mergeBoard struct {
	a     *app
	keys  BoardKeys
	rkeys RecKeys
	q     int
	pane  boardPane
	sel   [5]int
	// mergeFrom is the theme a merge started from; "" when none.
	mergeFrom string
	// marked are the ideas marked for a split, or in the picker.
	marked map[string]bool
	input  *lineInput

	rev                     uint64 // the replica revision the lists were built at
	qid                     string
	themes, suggest, picks  []boardItem
	recs                    []boardItem
	ideas                   []boardItem // of the selected theme or suggestion
	ideasOf                 string      // the theme or suggestion ideas is of
	width, height, groupCnt int
}

func newMergeBoard(a *app) *mergeBoard {
	return &mergeBoard{a: a, keys: DefaultBoardKeys(), rkeys: DefaultRecKeys(), marked: map[string]bool{}, input: newLineInput(a, session.MaxTheme)}
}

// question is the id of the question on the board.
func (b *mergeBoard) question() string {
	qs := b.a.state.Questions
	if len(qs) == 0 {
		return ""
	}
	b.q = min(max(b.q, 0), len(qs)-1)
	return qs[b.q].ID
}

// refresh rebuilds the lists when the replica or the question changed.
func (b *mergeBoard) refresh() {
	q := b.question()
	if b.rev == b.a.rev && b.qid == q && b.themes != nil {
		b.fitSel()
		return
	}
	b.rev, b.qid = b.a.rev, q
	s := b.a.state
	b.groupCnt = len(s.Groups)
	b.themes, b.suggest, b.picks, b.recs = []boardItem{}, []boardItem{}, []boardItem{}, []boardItem{}
	tally := s.PriorityTally(q)
	for _, r := range s.RecommendationsOf(q) {
		b.recs = append(b.recs, boardItem{rec: r, votes: tally[r.ID]})
	}
	inTheme := map[string]bool{}
	for _, t := range s.ThemesOf(q) {
		it := boardItem{theme: t}
		for _, id := range t.Ideas {
			inTheme[id] = true
			if i := s.Ideas[id]; i != nil && i.Visible() {
				it.nIdeas++
				it.votes += i.Votes()
				if !slices.Contains(it.groups, i.Group) {
					it.groups = append(it.groups, i.Group)
				}
			}
		}
		b.themes = append(b.themes, it)
	}
	var rest []report.SuggestIdea
	tags := map[[2]string]int{}
	var tagOrder [][2]string
	for _, g := range s.Groups {
		for _, i := range s.IdeasOf(g.Name, q) {
			if !i.Visible() || inTheme[i.ID] {
				continue
			}
			rest = append(rest, report.SuggestIdea{ID: i.ID, Group: i.Group, Text: i.Text, Tag: i.Theme,
				BuildsOn: i.BuildsOn, Votes: i.Votes(), Key: i.Key})
			b.picks = append(b.picks, boardItem{idea: i})
			if t := strings.TrimSpace(i.Theme); t != "" {
				k := [2]string{g.Name, strings.ToLower(t)}
				if tags[k] == 0 {
					tagOrder = append(tagOrder, k)
				}
				tags[k]++
			}
		}
	}
	for _, k := range tagOrder {
		b.picks = append(b.picks, boardItem{group: k[0], tag: k[1], nIdeas: tags[k]})
	}
	for _, c := range report.Suggest(rest) {
		if s.SuggestionDismissed(q, c.Name) {
			continue
		}
		it := boardItem{cand: &c, nIdeas: len(c.Ideas), groups: c.Groups}
		for _, id := range c.Ideas {
			if i := s.Ideas[id]; i != nil {
				it.votes += i.Votes()
			}
		}
		b.suggest = append(b.suggest, it)
	}
	b.fitSel()
}

// fitSel keeps every selection in its list and rebuilds the ideas of the
// selected theme or suggestion.
func (b *mergeBoard) fitSel() {
	for p, n := range map[boardPane]int{boardThemes: len(b.themes), boardSuggest: len(b.suggest), boardPick: len(b.picks),
		boardRecs: len(b.recs)} {
		b.sel[p] = min(max(b.sel[p], 0), max(n-1, 0))
	}
	var ids []string
	of := ""
	switch {
	case b.pane == boardSuggest && len(b.suggest) > 0:
		c := b.suggest[b.sel[boardSuggest]].cand
		ids, of = c.Ideas, "s:"+c.Name
	case len(b.themes) > 0:
		t := b.themes[b.sel[boardThemes]].theme
		ids, of = t.Ideas, "t:"+t.ID
	}
	if of != b.ideasOf {
		b.sel[boardIdeas] = 0
		b.ideasOf = of
		clear(b.marked)
	}
	b.ideas = b.ideas[:0]
	for _, id := range ids {
		if i := b.a.state.Ideas[id]; i != nil && i.Visible() {
			b.ideas = append(b.ideas, boardItem{idea: i})
		}
	}
	b.sel[boardIdeas] = min(max(b.sel[boardIdeas], 0), max(len(b.ideas)-1, 0))
}

func (b *mergeBoard) selTheme() *session.Theme {
	if len(b.themes) == 0 {
		return nil
	}
	return b.themes[b.sel[boardThemes]].theme
}

func (b *mergeBoard) selRec() *session.Recommendation {
	if len(b.recs) == 0 {
		return nil
	}
	return b.recs[b.sel[boardRecs]].rec
}

func (b *mergeBoard) selSuggestion() *report.Candidate {
	if len(b.suggest) == 0 {
		return nil
	}
	return b.suggest[b.sel[boardSuggest]].cand
}

// typing reports whether keys go to the name input.
func (b *mergeBoard) typing() bool { return b.input.open }

func (b *mergeBoard) unsent() bool { return b.input.unsent() }

// update handles a key; back reports that the organizer leaves the board.
func (b *mergeBoard) update(msg tea.Msg) (cmd tea.Cmd, back bool) {
	if b.input.open {
		return b.input.update(msg), false
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	b.refresh()
	a, q := b.a, b.question()
	send := func(kind string, data any, what string) tea.Cmd {
		_, cmd := a.send(kind, data, what)
		return cmd
	}
	lk := DefaultListKeys()
	in := b.input
	in.limit, in.noun = session.MaxTheme, "the theme name"
	if b.pane == boardRecs {
		if cmd, ok := b.recKey(k, q); ok {
			return cmd, false
		}
		if key.Matches(k, b.keys.Back, b.keys.NextPane, b.keys.PrevPane, b.keys.Recs) {
			b.pane = boardThemes
			return nil, false
		}
	}
	switch {
	case key.Matches(k, b.keys.Recs):
		b.pane, b.mergeFrom = boardRecs, ""
		clear(b.marked)
	case key.Matches(k, b.keys.Back):
		if b.pane == boardPick {
			b.pane = boardThemes
			clear(b.marked)
			return nil, false
		}
		if b.mergeFrom != "" {
			b.mergeFrom = ""
			return a.say(noticeInfo, "merge cancelled"), false
		}
		return nil, true
	case key.Matches(k, b.keys.NextPane), key.Matches(k, b.keys.PrevPane):
		if b.pane != boardPick {
			step := boardPane(1)
			if key.Matches(k, b.keys.PrevPane) {
				step = boardPick - 1
			}
			b.pane = (b.pane + step) % boardPick
			clear(b.marked)
		}
	case key.Matches(k, b.keys.Earlier), key.Matches(k, b.keys.Later):
		if key.Matches(k, b.keys.Earlier) {
			b.q--
		} else {
			b.q++
		}
		b.pane, b.mergeFrom = boardThemes, ""
		b.sel = [5]int{}
	case key.Matches(k, lk.Up):
		b.sel[b.pane]--
	case key.Matches(k, lk.Down):
		b.sel[b.pane]++
	case key.Matches(k, lk.Top):
		b.sel[b.pane] = 0
	case key.Matches(k, lk.Bottom):
		b.sel[b.pane] = 1 << 30
	case key.Matches(k, b.keys.Accept) && b.pane == boardSuggest:
		if c := b.selSuggestion(); c != nil {
			return send(session.KindThemeCreate, session.ThemeCreate{Question: q, Name: c.Name, Ideas: c.Ideas},
				"accept the theme"), false
		}
	case key.Matches(k, b.keys.New):
		return in.startIn("theme:new:"+q, "Name the new conference theme", "", nil, func(name string) tea.Cmd {
			if strings.TrimSpace(name) == "" {
				return nil
			}
			return in.send(session.KindThemeCreate, session.ThemeCreate{Question: q, Name: name}, "create the theme", name)
		}), false
	case key.Matches(k, b.keys.Rename):
		if t := b.selTheme(); t != nil && b.pane != boardSuggest {
			id := t.ID
			return in.startIn("theme:"+id, "Rename the theme", t.Name, nil, func(name string) tea.Cmd {
				if strings.TrimSpace(name) == "" {
					return nil
				}
				return in.send(session.KindThemeRename, session.ThemeRename{Theme: id, Name: name}, "rename the theme", name)
			}), false
		}
		if c := b.selSuggestion(); c != nil && b.pane == boardSuggest {
			ideas := c.Ideas
			return in.startIn("suggestion:"+q+":"+c.Name, "Accept the suggestion under the name", c.Name, nil, func(name string) tea.Cmd {
				if strings.TrimSpace(name) == "" {
					return nil
				}
				return in.send(session.KindThemeCreate, session.ThemeCreate{Question: q, Name: name, Ideas: ideas}, "accept the theme", name)
			}), false
		}
	case key.Matches(k, b.keys.Merge) && b.pane == boardThemes:
		t := b.selTheme()
		switch {
		case t == nil:
		case b.mergeFrom == "":
			b.mergeFrom = t.ID
			return a.say(noticeInfo, "merge "+t.Name+" into…: select a theme and press m (esc cancels)"), false
		case b.mergeFrom == t.ID:
			b.mergeFrom = ""
			return a.say(noticeInfo, "merge cancelled"), false
		default:
			from := b.mergeFrom
			b.mergeFrom = ""
			return send(session.KindThemeMerge, session.ThemeMerge{Theme: from, Into: t.ID}, "merge the themes"), false
		}
	case key.Matches(k, b.keys.Mark) && (b.pane == boardIdeas || b.pane == boardPick):
		list := b.ideas
		if b.pane == boardPick {
			list = b.picks
		}
		if len(list) > 0 {
			it := list[b.sel[b.pane]]
			id := it.key()
			b.marked[id] = !b.marked[id]
			b.sel[b.pane]++
		}
	case key.Matches(k, b.keys.Split) && b.pane == boardIdeas:
		t := b.selTheme()
		ids := b.markedIDs(b.ideas)
		if t == nil || len(ids) == 0 || strings.HasPrefix(b.ideasOf, "s:") {
			return a.say(noticeInfo, "mark the ideas of a theme with space, then s splits them off"), false
		}
		id := t.ID
		return in.start("Name the theme the marked ideas split off to", "", nil, func(name string) tea.Cmd {
			if strings.TrimSpace(name) == "" {
				return nil
			}
			clear(b.marked)
			return in.send(session.KindThemeSplit, session.ThemeSplit{Theme: id, Ideas: ids, Name: name}, "split the theme", name)
		}), false
	case key.Matches(k, b.keys.Out) && b.pane == boardIdeas && strings.HasPrefix(b.ideasOf, "t:"):
		ids := b.markedIDs(b.ideas)
		if len(ids) == 0 && len(b.ideas) > 0 {
			ids = []string{b.ideas[b.sel[boardIdeas]].idea.ID}
		}
		if len(ids) > 0 {
			clear(b.marked)
			return send(session.KindThemeMove, session.ThemeMove{Question: q, Ideas: ids}, "take the ideas out"), false
		}
	case key.Matches(k, b.keys.Add):
		if b.pane == boardPick {
			return b.addPicked(send), false
		}
		if t := b.selTheme(); t != nil && b.pane != boardSuggest {
			b.pane = boardPick
			b.sel[boardPick] = 0
			clear(b.marked)
			return a.say(noticeInfo, "space marks ideas or a group's tag, i or enter adds them to "+t.Name), false
		}
	case k.String() == "enter" && b.pane == boardPick:
		return b.addPicked(send), false
	case key.Matches(k, b.keys.Dismiss):
		switch {
		case b.pane == boardSuggest && b.selSuggestion() != nil:
			c := b.selSuggestion()
			return send(session.KindSuggestionDismiss, session.SuggestionDismiss{Question: q, Name: c.Name},
				"set the suggestion aside"), false
		case b.pane == boardThemes && b.selTheme() != nil:
			t := b.selTheme()
			return ask(fmt.Sprintf("Dismiss the theme %q? Its ideas stay, in no theme.", t.Name),
				boardDismissMsg{theme: t.ID}), false
		}
	}
	b.fitSel()
	return nil, false
}

// boardDismissMsg confirms dismissing a conference theme.
type boardDismissMsg struct{ theme string }

// boardRemoveRecMsg confirms removing a recommendation.
type boardRemoveRecMsg struct{ rec string }

// recKey handles the keys of the recommendations pane; ok is false for
// keys it leaves to the board.
func (b *mergeBoard) recKey(k tea.KeyPressMsg, q string) (tea.Cmd, bool) {
	in := b.input
	in.limit, in.noun = session.MaxRecommendation, "the recommendation"
	newSlot := "rec:new:" + q
	switch {
	case key.Matches(k, b.rkeys.Add):
		return in.startIn(newSlot, "New recommendation of this question, one line", "", nil, func(text string) tea.Cmd {
			if strings.TrimSpace(text) == "" {
				return nil
			}
			return in.send(session.KindRecommendationAdd, session.RecommendationAdd{Question: q, Text: text}, "add the recommendation", text)
		}), true
	case key.Matches(k, b.rkeys.Edit):
		r := b.selRec()
		if r == nil {
			return b.a.say(noticeInfo, "no recommendation yet: n writes one"), true
		}
		id := r.ID
		// An edit of a recommendation removed meanwhile comes back as a
		// new one, not lost.
		gone := func() (string, string, bool) {
			if b.a.state.Recommendations[id] != nil {
				return "", "", false
			}
			return newSlot, "it was removed meanwhile: your text is kept as a new recommendation, n to add it", true
		}
		return in.startIn("rec:"+id, "Edit the recommendation", r.Text, nil, func(text string) tea.Cmd {
			if strings.TrimSpace(text) == "" {
				return b.a.say(noticeInfo, "a recommendation needs some text: x removes it")
			}
			return in.sendOr(session.KindRecommendationEdit, session.RecommendationEdit{Recommendation: id, Text: text},
				"edit the recommendation", text, gone)
		}), true
	case key.Matches(k, b.rkeys.Remove):
		r := b.selRec()
		if r == nil {
			return nil, true
		}
		what := "Remove the recommendation?"
		if b.recs[b.sel[boardRecs]].votes > 0 {
			what = fmt.Sprintf("Remove the recommendation? Its %s go back to their voters.",
				plural(b.recs[b.sel[boardRecs]].votes, "priority vote", "priority votes"))
		}
		return ask(what, boardRemoveRecMsg{rec: r.ID}), true
	}
	in.limit, in.noun = session.MaxTheme, "the theme name"
	return nil, false
}

// addPicked moves the marked ideas and group tags (or the selected one)
// into the selected theme.
func (b *mergeBoard) addPicked(send func(string, any, string) tea.Cmd) tea.Cmd {
	t := b.selTheme()
	if t == nil || len(b.picks) == 0 {
		b.pane = boardThemes
		return nil
	}
	var chosen []boardItem
	for _, it := range b.picks {
		if b.marked[it.key()] {
			chosen = append(chosen, it)
		}
	}
	if len(chosen) == 0 {
		chosen = []boardItem{b.picks[b.sel[boardPick]]}
	}
	var cmds []tea.Cmd
	var ideas []string
	for _, it := range chosen {
		if it.idea != nil {
			ideas = append(ideas, it.idea.ID)
			continue
		}
		cmds = append(cmds, send(session.KindThemeMove, session.ThemeMove{Theme: t.ID, Group: it.group, Tag: it.tag},
			"add "+it.group+"'s theme"))
	}
	if len(ideas) > 0 {
		cmds = append(cmds, send(session.KindThemeMove, session.ThemeMove{Theme: t.ID, Ideas: ideas}, "add the ideas"))
	}
	b.pane = boardThemes
	clear(b.marked)
	return tea.Batch(cmds...)
}

func (b *mergeBoard) markedIDs(list []boardItem) []string {
	var ids []string
	for _, it := range list {
		if it.idea != nil && b.marked[it.idea.ID] {
			ids = append(ids, it.idea.ID)
		}
	}
	return ids
}

// key identifies an item for marking.
func (it boardItem) key() string {
	if it.idea != nil {
		return it.idea.ID
	}
	if it.rec != nil {
		return "rec:" + it.rec.ID
	}
	return "tag:" + it.group + "/" + it.tag
}

func (b *mergeBoard) setSize(w, h int) {
	b.width, b.height = w, h
	b.input.setWidth(w)
}

// view draws the board: the question, the themes beside the suggestions,
// and the ideas of the selected one below. On a narrow terminal the
// themes and suggestions share the top, one at a time.
func (b *mergeBoard) view() (string, *tea.Cursor) {
	b.refresh()
	st := b.a.styles
	w, h := b.width, b.height
	if b.input.open {
		h -= 2
	}
	qs := b.a.state.Questions
	title := "Merge board"
	if len(qs) > 0 {
		title = fmt.Sprintf("Merge board · Q%d/%d %s", b.q+1, len(qs), qs[b.q].Text)
	}
	lines := []string{ansi.Truncate(st.Title.Render(title), w, "…")}
	top := max((h-1)/2, 3)
	bottom := max(h-1-top, 2)

	themes := b.listView(boardThemes, fmt.Sprintf("Conference themes (%d) · suggestions (%d): tab · recommendations (%d): R", len(b.themes), len(b.suggest), len(b.recs)), b.themes, "no conference theme yet: n makes one, a accepts a suggestion")
	sugg := b.listView(boardSuggest, fmt.Sprintf("Suggestions (%d)", len(b.suggest)), b.suggest, "no suggestion: ideas tagged alike or worded alike in two groups appear here")
	if w >= 100 {
		lw := w / 2
		lines = append(lines, joinColumns(renderList(themes, lw, top), renderList(sugg, w-lw-1, top), lw, top, st))
	} else if b.pane == boardSuggest {
		lines = append(lines, renderList(sugg, w, top))
	} else {
		lines = append(lines, renderList(themes, w, top))
	}
	switch b.pane {
	case boardPick:
		lines = append(lines, renderList(b.listView(boardPick, "Add to the theme: ideas in no theme, and groups' tags", b.picks,
			"every idea of this question is in a theme"), w, bottom))
	case boardRecs:
		lines = append(lines, renderList(b.listView(boardRecs, fmt.Sprintf("Recommendations of this question (%d): n new, e edit, x remove, esc back", len(b.recs)),
			b.recs, "no recommendation yet: n writes one; in the plenary everyone gives them priority votes"), w, bottom))
	default:
		name := "Ideas"
		if c := b.selSuggestion(); b.pane == boardSuggest && c != nil {
			name = "Ideas of the suggestion " + c.Name
		} else if t := b.selTheme(); t != nil {
			name = "Ideas of " + t.Name
		}
		lines = append(lines, renderList(b.listView(boardIdeas, name, b.ideas, "no ideas"), w, bottom))
	}
	body := strings.Join(lines, "\n")
	var cur *tea.Cursor
	if b.input.open {
		body = fitHeight(body, w, h) + "\n" + b.input.view(w)
		if c := b.input.cursor(); c != nil {
			c.Position.Y += h
			cur = c
		}
	}
	return body, cur
}

// listLines is a titled list ready to be cut to a height.
type listLines struct {
	title string
	rows  []string
	sel   int
}

func (b *mergeBoard) listView(p boardPane, title string, items []boardItem, empty string) listLines {
	st := b.a.styles
	l := listLines{sel: -1}
	if b.pane == p {
		l.title = st.PaneTitleActive.Render(title)
	} else {
		l.title = st.PaneTitle.Render(title)
	}
	if len(items) == 0 {
		l.rows = []string{st.Faint.Render(empty)}
		return l
	}
	for n, it := range items {
		mark := "  "
		if b.marked[it.key()] && (p == boardIdeas || p == boardPick) {
			mark = st.Accent.Render("✓ ")
		}
		if it.theme != nil && it.theme.ID == b.mergeFrom {
			mark = st.Warn.Render("↦ ")
		}
		row := mark + b.itemText(it)
		if n == b.sel[p] && b.pane == p {
			row = st.Gutter.Render("▌") + row
			l.sel = n
		} else {
			row = " " + row
		}
		l.rows = append(l.rows, row)
	}
	return l
}

func (b *mergeBoard) itemText(it boardItem) string {
	st := b.a.styles
	switch {
	// The figures come first, so a long name is what a narrow pane cuts.
	case it.theme != nil:
		return st.Dim.Render(fmt.Sprintf("%d/%d groups · %s · ", len(it.groups), b.groupCnt,
			plural(it.nIdeas, "idea", "ideas"))) + st.Strong.Render(it.theme.Name)
	case it.rec != nil:
		return st.Dim.Render(plural(it.votes, "priority vote", "priority votes")+" · ") + st.Strong.Render(oneLine(it.rec.Text))
	case it.cand != nil:
		from := "tag"
		if it.cand.From == report.FromSimilar {
			from = "alike"
		}
		return st.Dim.Render(fmt.Sprintf("%d/%d groups · %s · ", len(it.groups), b.groupCnt, from)) + it.cand.Name
	case it.idea != nil:
		i := it.idea
		notes := []string{plural(i.Votes(), "vote", "votes")}
		if i.Key {
			notes = append(notes, "key")
		}
		if i.Theme != "" {
			notes = append(notes, "#"+i.Theme)
		}
		return st.Strong.Render(i.Group) + " " + oneLine(i.Text) + st.Dim.Render("  "+strings.Join(notes, " · "))
	}
	return st.Strong.Render(it.group) + st.Tag.Render(" #"+it.tag) + st.Dim.Render(fmt.Sprintf("  the group's whole tag, %s", plural(it.nIdeas, "idea", "ideas")))
}

// renderList cuts a list to w×h, keeping the selected row in sight.
func renderList(l listLines, w, h int) string {
	avail := max(h-1, 1)
	start := 0
	if l.sel >= avail {
		start = l.sel - avail + 1
	}
	rows := l.rows[start:min(len(l.rows), start+avail)]
	out := []string{ansi.Truncate(l.title, w, "…")}
	for _, r := range rows {
		out = append(out, ansi.Truncate(r, w, "…"))
	}
	return fitHeight(strings.Join(out, "\n"), w, h)
}
