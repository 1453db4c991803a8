package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// PlenaryKeys work in the plenary view: everyone browses, members give
// priority votes, the organizer presents and gives the floor.
type PlenaryKeys struct {
	Earlier, Later, Follow, Priority key.Binding
	// The organizer's: present the selected group or theme, the whole
	// question, stop presenting, give or take back the floor.
	Present, PresentQuestion, StopPresenting, Floor key.Binding
}

// DefaultPlenaryKeys returns the plenary view's keys for a role.
func DefaultPlenaryKeys(role session.Role) PlenaryKeys {
	return PlenaryKeys{
		Earlier:         bind([]string{"["}, "[", "earlier question"),
		Later:           bind([]string{"]"}, "]", "later question"),
		Follow:          bind([]string{"f"}, "f", "follow the organizer again"),
		Priority:        allow(bind([]string{"space"}, "space", "priority vote"), role, session.KindPriorityVote),
		Present:         allow(bind([]string{"enter"}, "enter", "present the group or theme"), role, session.KindPlenaryPresent),
		PresentQuestion: allow(bind([]string{"w"}, "w", "present the whole question"), role, session.KindPlenaryPresent),
		StopPresenting:  allow(bind([]string{"x"}, "x", "stop presenting"), role, session.KindPlenaryPresent),
		Floor:           allow(bind([]string{"F"}, "F", "give/take the floor"), role, session.KindPlenaryFloor),
	}
}

func (k PlenaryKeys) all() []key.Binding {
	return []key.Binding{k.Earlier, k.Later, k.Follow, k.Priority, k.Present, k.PresentQuestion, k.StopPresenting, k.Floor}
}

// plenaryView is what the plenary shows everyone, one question at a time:
// each group's published summary and key ideas, the conference themes and
// the organizer's recommendations with the priority votes, and the
// synthesis. It follows what the
// organizer presents unless the person browsed away.
type plenaryView struct {
	a     *app
	keys  PlenaryKeys
	lkeys ListKeys
	q     int // index of the question shown
	sel   int // the selected item: groups first, then themes, then recommendations
	// browsing is set when the person moved to another question than the
	// one presented; seen is the presentation last followed.
	browsing bool
	seen     int64
	top      int
	width    int
	height   int
}

func newPlenaryView(a *app) *plenaryView {
	p := &plenaryView{a: a, keys: DefaultPlenaryKeys(a.me.Role), lkeys: DefaultListKeys()}
	p.follow()
	return p
}

// plenItem is a selectable row of the plenary view: a group, a theme or
// a recommendation.
type plenItem struct {
	group string
	theme *session.Theme
	rec   *session.Recommendation
}

func (p *plenaryView) question() session.Question {
	qs := p.a.state.Questions
	if len(qs) == 0 {
		return session.Question{}
	}
	p.q = min(max(p.q, 0), len(qs)-1)
	return qs[p.q]
}

func (p *plenaryView) items() []plenItem {
	var out []plenItem
	for _, g := range p.a.state.Groups {
		out = append(out, plenItem{group: g.Name})
	}
	for _, t := range p.a.state.ThemesOf(p.question().ID) {
		out = append(out, plenItem{theme: t})
	}
	for _, r := range p.a.state.RecommendationsOf(p.question().ID) {
		out = append(out, plenItem{rec: r})
	}
	return out
}

// follow moves to what the organizer presents now.
func (p *plenaryView) follow() {
	p.browsing = false
	pr := p.a.state.Plenary.Present
	if pr == nil {
		return
	}
	p.seen = pr.Seq
	if pr.Question != "" {
		if _, qi := p.a.state.Question(pr.Question); qi >= 0 {
			p.q = qi
		}
	}
	for k, it := range p.items() {
		if (pr.Theme != "" && it.theme != nil && it.theme.ID == pr.Theme) || (pr.Theme == "" && pr.Group != "" && it.group == pr.Group) {
			p.sel = k
		}
	}
	p.top = 0
}

// news follows a new presentation, unless the person browsed away.
func (p *plenaryView) news() {
	pr := p.a.state.Plenary.Present
	if pr == nil || pr.Seq == p.seen || p.browsing {
		return
	}
	p.follow()
}

// presenting describes what the organizer presents: "Manzoni on Q2".
func (p *plenaryView) presenting() string {
	pr := p.a.state.Plenary.Present
	if pr == nil {
		return ""
	}
	s := p.a.state
	_, qi := s.Question(pr.Question)
	switch {
	case pr.Theme != "" && s.Themes[pr.Theme] != nil:
		return fmt.Sprintf("the theme “%s” of Q%d", s.Themes[pr.Theme].Name, qi+1)
	case pr.Group != "" && pr.Question != "":
		return fmt.Sprintf("%s on Q%d", pr.Group, qi+1)
	case pr.Group != "":
		return pr.Group
	case pr.Question != "":
		return fmt.Sprintf("Q%d", qi+1)
	}
	return ""
}

func (p *plenaryView) setSize(w, h int) { p.width, p.height = w, h }

func (p *plenaryView) update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(replicaMsg); ok {
		p.news()
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	a := p.a
	items := p.items()
	switch {
	case key.Matches(k, p.lkeys.Up):
		p.sel--
	case key.Matches(k, p.lkeys.Down):
		p.sel++
	case key.Matches(k, p.lkeys.Top):
		p.sel = 0
	case key.Matches(k, p.lkeys.Bottom):
		p.sel = len(items) - 1
	case key.Matches(k, p.lkeys.PageDown):
		p.top += max(p.height-3, 1)
	case key.Matches(k, p.lkeys.PageUp):
		p.top = max(p.top-max(p.height-3, 1), 0)
	case key.Matches(k, p.keys.Earlier), key.Matches(k, p.keys.Later):
		d := 1
		if key.Matches(k, p.keys.Earlier) {
			d = -1
		}
		if n := p.q + d; n >= 0 && n < len(a.state.Questions) {
			p.q, p.sel, p.top = n, 0, 0
			p.browsing = a.me.Role != session.Organizer
		}
	case key.Matches(k, p.keys.Follow):
		if a.state.Plenary.Present == nil {
			return a.say(noticeInfo, "the organizer presents nothing now: browse freely")
		}
		p.follow()
	case key.Matches(k, p.keys.Priority) && p.keys.Priority.Enabled():
		return p.priority(items)
	case p.keys.Present.Enabled() && key.Matches(k, p.keys.Present):
		if p.sel < 0 || p.sel >= len(items) {
			return nil
		}
		it := items[p.sel]
		d := session.PlenaryPresent{Group: it.group, Question: p.question().ID}
		what := it.group + fmt.Sprintf(" on Q%d", p.q+1)
		if it.rec != nil { // a recommendation is presented with its question
			what = fmt.Sprintf("Q%d", p.q+1)
		}
		if it.theme != nil {
			d = session.PlenaryPresent{Theme: it.theme.ID}
			what = "the theme “" + it.theme.Name + "”"
		}
		_, cmd := a.sendSaying(session.KindPlenaryPresent, d, "present "+what, "Everyone sees "+what)
		return cmd
	case p.keys.PresentQuestion.Enabled() && key.Matches(k, p.keys.PresentQuestion):
		_, cmd := a.sendSaying(session.KindPlenaryPresent, session.PlenaryPresent{Question: p.question().ID},
			fmt.Sprintf("present Q%d", p.q+1), fmt.Sprintf("Everyone sees Q%d", p.q+1))
		return cmd
	case p.keys.StopPresenting.Enabled() && key.Matches(k, p.keys.StopPresenting):
		_, cmd := a.sendSaying(session.KindPlenaryPresent, session.PlenaryPresent{}, "stop presenting",
			"Presenting nothing: everyone browses freely")
		return cmd
	case p.keys.Floor.Enabled() && key.Matches(k, p.keys.Floor):
		if p.sel < 0 || p.sel >= len(items) || items[p.sel].group == "" {
			return a.say(noticeInfo, "choose a group (↑/↓) to give its rapporteur the floor")
		}
		g := items[p.sel].group
		if a.state.Plenary.Floor == g {
			_, cmd := a.sendSaying(session.KindPlenaryFloor, session.PlenaryFloor{}, "take back the floor", "The floor is back with you")
			return cmd
		}
		_, cmd := a.sendSaying(session.KindPlenaryFloor, session.PlenaryFloor{Group: g}, "give "+g+" the floor", g+" has the floor")
		return cmd
	}
	// Following or browsing may have changed the question: its items.
	p.sel = min(max(p.sel, 0), max(len(p.items())-1, 0))
	return nil
}

// priority gives or takes back a priority vote on the selected theme or
// recommendation.
func (p *plenaryView) priority(items []plenItem) tea.Cmd {
	a := p.a
	if a.state.PhaseOf() != session.PhasePlenary {
		return a.say(noticeInfo, "priority votes are given in the plenary only")
	}
	if p.sel < 0 || p.sel >= len(items) || items[p.sel].group != "" {
		return a.say(noticeInfo, "priority votes go to themes and recommendations: move down to one (↓) and press space")
	}
	it := items[p.sel]
	var id, question string
	var ref session.PriorityRef
	if it.theme != nil {
		id, question, ref = it.theme.ID, it.theme.Question, session.PriorityRef{Theme: it.theme.ID}
	} else {
		id, question, ref = it.rec.ID, it.rec.Question, session.PriorityRef{Recommendation: it.rec.ID}
	}
	mine := a.state.PriorityOf(a.me.ID, question)
	if slices.Contains(mine, id) {
		_, cmd := a.send(session.KindPriorityUnvote, ref, "take back the priority vote")
		return cmd
	}
	if len(mine) >= a.state.PriorityVotes {
		return a.say(noticeInfo, fmt.Sprintf("no priority votes left on this question: all %d are given; space on one you chose takes it back", a.state.PriorityVotes))
	}
	_, cmd := a.send(session.KindPriorityVote, ref, "give the priority vote")
	return cmd
}

// raisedIn counts the groups a theme's ideas come from, as the relay
// counted them (a viewer may not see every idea), or as far as the viewer
// sees.
func (p *plenaryView) raisedIn(t *session.Theme) int {
	if len(t.Groups) > 0 {
		return len(t.Groups)
	}
	seen := map[string]bool{}
	for _, id := range t.Ideas {
		if i := p.a.state.Ideas[id]; i != nil {
			seen[i.Group] = true
		}
	}
	return len(seen)
}

// summaryOf is a group's published summary of a question ("" when none).
func summaryOf(s *session.State, group, question string) string {
	t := s.Text(session.Summary, group, question)
	if t == nil || t.Published == nil {
		return ""
	}
	if t.Published.Body != "" {
		return t.Published.Body
	}
	return t.Body
}

func (p *plenaryView) view() (string, *tea.Cursor) {
	a := p.a
	st := a.styles
	w, h := max(p.width, 10), max(p.height, 1)
	s := a.state
	qs := s.Questions
	if len(qs) == 0 {
		return st.Dim.Render("The session has no questions."), nil
	}
	q := p.question()
	items := p.items()
	p.sel = min(max(p.sel, 0), max(len(items)-1, 0))
	pr := s.Plenary.Present

	var head []string
	label := st.Accent.Render(fmt.Sprintf("Plenary · Q%d/%d ", p.q+1, len(qs)))
	head = append(head, label+ansi.Truncate(oneLine(q.Text), max(w-ansi.StringWidth(ansi.Strip(label)), 1), "…"))
	var status string
	switch {
	case pr == nil && a.me.Role == session.Organizer:
		status = st.Dim.Render("presenting nothing · enter presents the group or theme, w the question")
	case pr == nil:
		status = st.Dim.Render("the organizer presents nothing now · [ ] browse the questions")
	case p.browsing && a.me.Role != session.Organizer:
		status = st.Warn.Render("the organizer presents "+p.presenting()) + st.Dim.Render(" — f follows")
	default:
		status = st.Good.Render("presenting: " + p.presenting())
	}
	head = append(head, ansi.Truncate(status, w, "…"))

	// The body, as lines, remembering where the selected item starts.
	var lines []string
	selLine := 0
	tally := s.PriorityTally(q.ID)
	mine := s.PriorityOf(a.me.ID, q.ID)
	most := 0
	for _, n := range tally {
		most = max(most, n)
	}
	wrap := func(text string, indent int) []string {
		return strings.Split(ansi.Wrap(text, max(w-indent, 10), ""), "\n")
	}
	// The budget is one for themes and recommendations: its count heads
	// the first of them.
	budgetShown := false
	sectionTitle := func(title string) string {
		t := st.PaneTitle.Render(title)
		if !budgetShown && p.keys.Priority.Enabled() && s.PhaseOf() == session.PhasePlenary {
			left := s.PriorityVotes - len(mine)
			t += st.Faint.Render(" · ") + st.Accent.Render(fmt.Sprintf("%d of %d priority votes left", left, s.PriorityVotes))
		}
		budgetShown = true
		return t
	}
	tallyLine := func(id string) string {
		n := tally[id]
		b := bar(n, most, min(30, w/3))
		if b != "" {
			b = st.Accent.Render(b) + " "
		}
		return "    " + b + st.Dim.Render(plural(n, "priority vote", "priority votes"))
	}
	nThemes := len(s.ThemesOf(q.ID))
	for k, it := range items {
		if k == p.sel {
			selLine = len(lines)
		}
		mark := "  "
		if k == p.sel {
			mark = st.Gutter.Render("▌ ")
		}
		if it.theme == nil && it.rec == nil {
			g := it.group
			name := st.Strong.Render(g)
			if s.Plenary.Floor == g {
				name = st.Selected.Render(" "+g+" ") + st.Accent.Render("  ◆ has the floor")
			}
			if pr != nil && pr.Group == g && pr.Theme == "" {
				name += st.Good.Render("  ▶ presented")
			}
			lines = append(lines, mark+name)
			sum := summaryOf(s, g, q.ID)
			if strings.TrimSpace(sum) == "" {
				lines = append(lines, "    "+st.Faint.Render("no published summary"))
			} else {
				for _, l := range wrap(strings.ReplaceAll(sum, "\t", "  "), 4) {
					lines = append(lines, "    "+l)
				}
			}
			for _, i := range s.IdeasOf(g, q.ID) {
				if !i.Key || !i.Visible() {
					continue
				}
				for n, l := range wrap(oneLine(i.Text), 6) {
					lead := "    " + st.Tag.Render("★ ")
					if n > 0 {
						lead = "      "
					}
					lines = append(lines, lead+l)
				}
			}
			continue
		}
		if it.rec != nil {
			if k == len(s.Groups)+nThemes {
				if nThemes == 0 {
					lines = append(lines, "", st.PaneTitle.Render(fmt.Sprintf("Conference themes of Q%d", p.q+1)), "  "+st.Faint.Render("none yet"))
				}
				lines = append(lines, "", sectionTitle(fmt.Sprintf("Recommendations of Q%d", p.q+1)))
			}
			r := it.rec
			text := wrap(oneLine(r.Text), 2)
			for n, l := range text {
				lead := mark
				if n > 0 {
					lead = "  "
				}
				line := lead + st.Strong.Render(l)
				if n == len(text)-1 && slices.Contains(mine, r.ID) {
					line += "  " + st.Voted.Render("● your priority")
				}
				lines = append(lines, line)
			}
			if a.me.Role == session.Organizer {
				lines = append(lines, tallyLine(r.ID))
			}
			continue
		}
		if k == len(s.Groups) {
			lines = append(lines, "", sectionTitle(fmt.Sprintf("Conference themes of Q%d", p.q+1)))
		}
		t := it.theme
		name := st.Strong.Render(t.Name)
		if pr != nil && pr.Theme == t.ID {
			name += st.Good.Render("  ▶ presented")
		}
		meta := fmt.Sprintf("raised in %d of %d groups", p.raisedIn(t), len(s.Groups))
		if slices.Contains(mine, t.ID) {
			meta += " · " + st.Voted.Render("● your priority")
		}
		lines = append(lines, mark+name+st.Dim.Render("  "+meta))
		if a.me.Role == session.Organizer {
			lines = append(lines, tallyLine(t.ID))
		}
	}
	nRecs := len(s.RecommendationsOf(q.ID))
	if nThemes == 0 && nRecs == 0 {
		lines = append(lines, "", st.PaneTitle.Render(fmt.Sprintf("Conference themes of Q%d", p.q+1)), "  "+st.Faint.Render("none yet"))
	}
	if nRecs == 0 && a.me.Role == session.Organizer {
		lines = append(lines, "", st.PaneTitle.Render(fmt.Sprintf("Recommendations of Q%d", p.q+1)),
			"  "+st.Faint.Render("none yet: the merge board (M) adds them"))
	}
	lines = append(lines, "", st.PaneTitle.Render("Synthesis"))
	if t := s.Text(session.Synthesis, "", q.ID); t == nil || strings.TrimSpace(t.Body) == "" {
		lines = append(lines, "  "+st.Faint.Render("not written yet"))
	} else {
		for _, l := range wrap(strings.ReplaceAll(t.Body, "\t", "  "), 2) {
			lines = append(lines, "  "+l)
		}
	}

	avail := max(h-len(head), 1)
	// Keep the selected item in sight; page keys scroll past it.
	if selLine < p.top {
		p.top = selLine
	}
	if selLine >= p.top+avail {
		p.top = selLine - avail + 2
	}
	p.top = min(max(p.top, 0), max(len(lines)-avail, 0))
	lines = lines[p.top:]
	return strings.Join(head, "\n") + "\n" + fitHeight(strings.Join(lines, "\n"), w, avail), nil
}

// bar is a horizontal bar n of most long in width cells, in eighths.
func bar(n, most, width int) string {
	if most <= 0 || n <= 0 || width <= 0 {
		return ""
	}
	eighths := n * width * 8 / most
	full, part := eighths/8, eighths%8
	out := strings.Repeat("█", full)
	if part > 0 {
		out += string([]rune(" ▏▎▍▌▋▊▉")[part])
	}
	if out == "" {
		out = "▏"
	}
	return out
}

func (p *plenaryView) bar() help.KeyMap {
	k := p.keys
	g := DefaultGlobalKeys()
	if p.a.me.Role == session.Organizer {
		return keyMap{short: []key.Binding{p.lkeys.Up, p.lkeys.Down, k.Present, k.Floor, k.PresentQuestion, k.StopPresenting, k.Earlier, k.Later, g.Plenary}}
	}
	short := []key.Binding{p.lkeys.Down, k.Priority, k.Earlier, k.Later}
	if p.browsing {
		short = append([]key.Binding{k.Follow}, short...)
	}
	return keyMap{short: append(short, g.Plenary, g.Report)}
}

func (p *plenaryView) typing() bool                  { return false }
func (p *plenaryView) unsent() bool                  { return false }
func (p *plenaryView) flush()                        {}
func (p *plenaryView) shown() (*session.Group, bool) { return p.a.group(), false }
