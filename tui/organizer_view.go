package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// groupTable is the organizer's live table of the groups, derived once per
// replica change; only the rows on screen are drawn.
type groupTable struct {
	a     *app
	sel   int
	top   int
	built bool
	rev   uint64
	rows  []groupRow
}

type groupRow struct {
	g               *session.Group
	qi              int
	ideas           int
	online, members int
	summary         bool // a summary was written for the current question
}

func (t *groupTable) refresh() {
	if t.built && t.rev == t.a.rev {
		return
	}
	t.built, t.rev = true, t.a.rev
	st := t.a.state
	byName := make(map[string]*groupRow, len(st.Groups))
	t.rows = t.rows[:0]
	for _, g := range st.Groups {
		_, qi := st.Question(g.Current)
		t.rows = append(t.rows, groupRow{g: g, qi: qi})
	}
	for k := range t.rows {
		byName[t.rows[k].g.Name] = &t.rows[k]
	}
	for _, i := range st.Ideas {
		if r := byName[i.Group]; r != nil && i.Question == r.g.Current && i.Visible() {
			r.ideas++
		}
	}
	for _, p := range st.People {
		if r := byName[p.Group]; r != nil && p.Role != session.Organizer {
			r.members++
			if p.Online {
				r.online++
			}
		}
	}
	for _, r := range t.rows {
		if x := st.Text(session.Summary, r.g.Name, r.g.Current); x != nil && strings.TrimSpace(x.Body) != "" {
			byName[r.g.Name].summary = true
		}
	}
}

// timerCell is the timer as plain text and the style it is shown in.
func (a *app) timerCell(g *session.Group) (string, lipgloss.Style) {
	st := a.styles
	if g.Deadline.IsZero() {
		return "—", st.Faint
	}
	left := g.Deadline.Sub(a.now())
	switch {
	case left <= 0:
		return "time's up", st.Bad
	case left < 60e9:
		return clock(left), st.Warn
	}
	return clock(left), lipgloss.NewStyle()
}

func (t *groupTable) view(width, height int) string {
	t.refresh()
	a := t.a
	st := a.styles
	const qW, ideasW, onlineW, timerW, roomW, reportW = 6, 6, 8, 10, 7, 10
	nameW := max(width-qW-ideasW-onlineW-timerW-roomW-reportW-1, 8)
	cell := func(s string, w int, right bool) string {
		s = ansi.Truncate(s, w-1, "…")
		if right {
			return pad(w-1-ansi.StringWidth(s)) + s + " "
		}
		return s + pad(w-ansi.StringWidth(s))
	}
	lines := []string{st.TableHeader.Render(cell("Group", nameW, false) + cell("Q", qW, false) + cell("Ideas", ideasW, true) +
		cell("Online", onlineW, true) + cell("Timer", timerW, false) + cell("Room", roomW, false) + cell("Report", reportW, false))}
	var foot []string
	if al := a.alertLines(width, 3); len(al) > 0 && height >= 10 {
		foot = append(foot, "")
		foot = append(foot, al...)
	}
	if n := len(a.state.Broadcasts); n > 0 {
		foot = append(foot, "", ansi.Truncate(st.Dim.Render("Last broadcast: ")+oneLine(a.state.Broadcasts[n-1].Text), width, "…"))
	}
	avail := max(height-len(lines)-len(foot), 1)
	if len(t.rows) == 0 {
		lines = append(lines, st.Dim.Render("No groups."))
	}
	t.sel = min(max(t.sel, 0), max(len(t.rows)-1, 0))
	if t.sel < t.top {
		t.top = t.sel
	}
	if t.sel >= t.top+avail {
		t.top = t.sel - avail + 1
	}
	for k := t.top; k < len(t.rows) && k < t.top+avail; k++ {
		r := t.rows[k]
		timer, timerStyle := a.timerCell(r.g)
		room, roomStyle := "open", st.Good
		if r.g.Locked {
			room, roomStyle = "locked", st.Bad
		}
		report, reportStyle := "—", st.Faint
		switch {
		case !r.g.Published.IsZero():
			report, reportStyle = "published", st.Good
		case r.summary:
			report, reportStyle = "draft", st.Dim
		}
		cells := []string{cell(r.g.Name, nameW, false), cell(fmt.Sprintf("Q%d", r.qi+1), qW, false),
			cell(fmt.Sprint(r.ideas), ideasW, true), cell(fmt.Sprintf("%d/%d", r.online, r.members), onlineW, true),
			cell(timer, timerW, false), cell(room, roomW, false), cell(report, reportW, false)}
		if k == t.sel {
			lines = append(lines, st.Selected.Render(strings.Join(cells, "")))
			continue
		}
		cells[0] = st.Strong.Render(cells[0])
		cells[4] = timerStyle.Render(cells[4])
		cells[5] = roomStyle.Render(cells[5])
		cells[6] = reportStyle.Render(cells[6])
		lines = append(lines, strings.Join(cells, ""))
	}
	out := fitHeight(strings.Join(lines, "\n"), width, max(height-len(foot), 1))
	if len(foot) > 0 {
		out += "\n" + strings.Join(foot, "\n")
	}
	return out
}

// synthView is the synthesis editor beside every group's summary of the
// question.
func (s *organizerScreen) synthView(w, h int) (string, *tea.Cursor) {
	a := s.a
	st := a.styles
	qs := a.state.Questions
	if len(qs) == 0 {
		return st.Dim.Render("The session has no questions."), nil
	}
	status := s.synth.status()
	var label, about string
	switch {
	case s.synthQ == -2:
		label, about = st.Accent.Render("Executive summary "), "of the whole conference · ] recommendations"
	case s.synthQ == -1:
		label, about = st.Accent.Render("Recommendations "), "of the whole conference · [ executive summary · ] Q1"
	default:
		label, about = st.Accent.Render(fmt.Sprintf("Synthesis · Q%d/%d ", s.synthQ+1, len(qs))), oneLine(qs[s.synthQ].Text)
	}
	title := fill(label+ansi.Truncate(about, max(w-lipgloss.Width(label)-lipgloss.Width(status)-2, 1), "…"), status, w)
	bodyH := max(h-1, 1)
	var body string
	var cur *tea.Cursor
	if w >= widePanel {
		lw := w * 3 / 5
		s.synth.setSize(lw, bodyH)
		s.refreshSums(w-lw-1, bodyH)
		body = joinColumns(s.synth.view(), s.sums.View(), lw, bodyH, st)
		cur = s.synth.cursor()
	} else if s.synthFocus {
		s.synth.setSize(w, bodyH)
		body = s.synth.view()
		cur = s.synth.cursor()
	} else {
		s.refreshSums(w, bodyH-1)
		hint := "Every group's summary · tab writes the synthesis"
		if s.synthQ < 0 {
			hint = "Every question's synthesis · tab writes"
		}
		body = st.Dim.Render(hint) + "\n" + s.sums.View()
	}
	if cur != nil {
		cur.Position.Y++
	}
	return title + "\n" + body, cur
}

// refreshSums fills the summaries viewport when its content is stale.
func (s *organizerScreen) refreshSums(w, h int) {
	s.sums.SetWidth(w)
	s.sums.SetHeight(max(h, 1))
	a := s.a
	if s.synthQ < 0 {
		s.refreshSyntheses(w)
		return
	}
	q := a.state.Questions[s.synthQ]
	k := fmt.Sprintf("%d/%d/%s/%v", a.rev, w, q.ID, a.styles.IsDark)
	if k == s.sumsKey {
		return
	}
	s.sumsKey = k
	st := a.styles
	var b strings.Builder
	for i, g := range a.state.Groups {
		if i > 0 {
			b.WriteString("\n\n")
		}
		head := st.Strong.Render(g.Name)
		if !g.Published.IsZero() {
			head += st.Good.Render(" · published")
		}
		b.WriteString(head + "\n")
		t := a.state.Text(session.Summary, g.Name, q.ID)
		if t == nil || strings.TrimSpace(t.Body) == "" {
			b.WriteString(st.Faint.Render("no summary yet"))
			continue
		}
		b.WriteString(ansi.Wrap(strings.ReplaceAll(t.Body, "\t", "  "), max(w-1, 10), ""))
	}
	s.sums.SetContent(b.String())
}

// refreshSyntheses fills the viewport beside the executive summary and
// the recommendations with every question's synthesis, to write from.
func (s *organizerScreen) refreshSyntheses(w int) {
	a := s.a
	k := fmt.Sprintf("%d/%d/syntheses/%v", a.rev, w, a.styles.IsDark)
	if k == s.sumsKey {
		return
	}
	s.sumsKey = k
	st := a.styles
	var b strings.Builder
	for n, q := range a.state.Questions {
		if n > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(st.Strong.Render(fmt.Sprintf("Q%d %s", n+1, oneLine(q.Text))) + "\n")
		t := a.state.Text(session.Synthesis, "", q.ID)
		if t == nil || strings.TrimSpace(t.Body) == "" {
			b.WriteString(st.Faint.Render("no synthesis yet"))
			continue
		}
		b.WriteString(ansi.Wrap(t.Body, max(w-1, 10), ""))
	}
	s.sums.SetContent(b.String())
}
