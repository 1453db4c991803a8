package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// DashboardKeys work on the organizer's dashboard.
type DashboardKeys struct {
	Up, Down, Toggle, Breakdown, Back key.Binding
}

// DefaultDashboardKeys returns the dashboard's keys.
func DefaultDashboardKeys() DashboardKeys {
	return DashboardKeys{
		Up:        bind([]string{"up", "k"}, "↑/k", "previous survey item"),
		Down:      bind([]string{"down", "j"}, "↓/j", "next survey item"),
		Toggle:    bind([]string{"o"}, "o", "open/close the survey item"),
		Breakdown: bind([]string{"tab"}, "tab", "results: all/by group/by background/by name (named items)"),
		Back:      bind([]string{"esc"}, "esc", "back"),
	}
}

func (k DashboardKeys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Toggle, k.Breakdown, k.Back}
}

// breakdown is how survey results are split on the dashboard.
type breakdown int

const (
	byNone breakdown = iota
	byGroup
	byBackground
	byName // a named item's answers, each with its author
	breakdownCount
)

// dashboard is the organizer's pictures of the session: ideas per minute
// in each room, participation by background, the alerts, and the survey's
// results, with the survey's items opened and closed from here.
type dashboard struct {
	a     *app
	keys  DashboardKeys
	item  int // the selected survey item
	split breakdown
}

func newDashboard(a *app) *dashboard {
	return &dashboard{a: a, keys: DefaultDashboardKeys()}
}

// update handles a key; back reports that the organizer left.
func (d *dashboard) update(k tea.KeyPressMsg) (cmd tea.Cmd, back bool) {
	a := d.a
	items := a.state.Survey
	switch {
	case key.Matches(k, d.keys.Back):
		return nil, true
	case key.Matches(k, d.keys.Up):
		d.item--
	case key.Matches(k, d.keys.Down):
		d.item++
	case key.Matches(k, d.keys.Breakdown):
		d.split = (d.split + 1) % breakdownCount
		if d.split == byName && (len(items) == 0 || !items[min(max(d.item, 0), len(items)-1)].Named) {
			d.split = byNone // an anonymous item has no names to show
		}
	case key.Matches(k, d.keys.Toggle):
		if len(items) == 0 {
			return a.say(noticeInfo, "the plan has no survey: add [[survey]] items to it"), false
		}
		it := items[min(max(d.item, 0), len(items)-1)]
		if it.Open {
			_, cmd := a.sendSaying(session.KindSurveyClose, session.SurveyRef{Items: []string{it.ID}}, "close the survey item",
				"Closed: “"+oneLine(it.Text)+"” takes no more answers")
			return cmd, false
		}
		if cmd := a.closedNotice(); cmd != nil {
			return cmd, false
		}
		_, cmd := a.sendSaying(session.KindSurveyOpen, session.SurveyRef{Items: []string{it.ID}}, "open the survey item",
			"Open: everyone can answer “"+oneLine(it.Text)+"” (A)")
		return cmd, false
	}
	d.item = min(max(d.item, 0), max(len(items)-1, 0))
	return nil, false
}

// sparkLevels draw a count as one of eight heights.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// spark is a sparkline of counts scaled to most: a faint dot for none.
func spark(st Styles, counts []int, most int) string {
	var b strings.Builder
	for _, n := range counts {
		if n <= 0 || most <= 0 {
			b.WriteString(st.Faint.Render("·"))
			continue
		}
		l := (n*len(sparkLevels) + most - 1) / most
		b.WriteRune(sparkLevels[min(max(l, 1), len(sparkLevels))-1])
	}
	return b.String()
}

// ideasPerMinute counts each room's ideas in the minutes up to now, the
// last entry being the current minute.
func ideasPerMinute(s *session.State, now time.Time, minutes int) map[string][]int {
	out := map[string][]int{}
	for _, g := range s.Groups {
		out[g.Name] = make([]int, minutes)
	}
	end := now.Truncate(time.Minute)
	for _, i := range s.Ideas {
		c := out[i.Group]
		if c == nil {
			continue
		}
		back := int(end.Sub(i.Created.Truncate(time.Minute)) / time.Minute)
		if back < 0 || back >= minutes {
			continue
		}
		c[minutes-1-back]++
	}
	return out
}

// backgroundRow is the participation of one background: how many of its
// people added an idea or voted, of how many joined.
type backgroundRow struct {
	name           string
	active, joined int
}

func participationByBackground(s *session.State) []backgroundRow {
	active := map[string]bool{}
	for _, i := range s.Ideas {
		if i.Author != "" {
			active[i.Author] = true
		}
		for _, v := range i.Voters {
			active[v] = true
		}
	}
	rows := map[string]*backgroundRow{}
	for _, p := range s.People {
		if p.Role == session.Organizer || !p.Joined {
			continue
		}
		name := strings.TrimSpace(p.Background)
		if name == "" {
			name = "no background given"
		}
		r := rows[name]
		if r == nil {
			r = &backgroundRow{name: name}
			rows[name] = r
		}
		r.joined++
		if active[p.ID] {
			r.active++
		}
	}
	var out []backgroundRow
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b backgroundRow) int { return cmp.Compare(a.name, b.name) })
	return out
}

// alertText is an alert as the organizer reads it.
func (a *app) alertText(al session.Alert) string {
	now := a.now()
	switch al.Kind {
	case session.AlertSilent:
		return fmt.Sprintf("%s: no new idea for %d min", al.Group, int(now.Sub(al.Since).Minutes()))
	case session.AlertTimerExpired:
		if al.Group == "" {
			return "the session clock ran out " + clock(now.Sub(al.Since)) + " ago"
		}
		return al.Group + ": time's up " + clock(now.Sub(al.Since)) + " ago"
	case session.AlertNoRapporteur:
		return al.Group + ": no rapporteur online"
	}
	return al.Group + ": " + al.Kind
}

// alertLines are the alerts, one a line, at most limit (0: all).
func (a *app) alertLines(width, limit int) []string {
	als := a.state.Alerts(a.now())
	var out []string
	for k, al := range als {
		if limit > 0 && k == limit-1 && len(als) > limit {
			out = append(out, a.styles.Warn.Render(fmt.Sprintf("! and %d more: d shows all", len(als)-k)))
			break
		}
		out = append(out, ansi.Truncate(a.styles.Warn.Render("! ")+a.alertText(al), width, "…"))
	}
	return out
}

func (d *dashboard) view(w, h int) string {
	a := d.a
	st := a.styles
	if w >= 120 {
		lw := w / 2
		return joinColumns(d.pictures(lw-1, h), d.surveyView(w-lw-2, h), lw, h, st)
	}
	left := d.pictures(w, h)
	n := len(strings.Split(left, "\n"))
	return left + "\n" + d.surveyView(w, max(h-n, 1))
}

// pictures are the sparklines, the participation bars and the alerts.
func (d *dashboard) pictures(w, h int) string {
	a := d.a
	st := a.styles
	s := a.state
	nameW := 4
	for _, g := range s.Groups {
		nameW = max(nameW, min(ansi.StringWidth(g.Name), 16))
	}
	// The minutes since the session began, up to what the width holds.
	since := int(a.now().Sub(s.Created)/time.Minute) + 1
	minutes := min(max(since, 5), max(w-nameW-12, 5), 60)
	counts := ideasPerMinute(s, a.now(), minutes)
	most := 0
	for _, c := range counts {
		for _, n := range c {
			most = max(most, n)
		}
	}
	lines := []string{st.PaneTitle.Render(fmt.Sprintf("Ideas per minute, the last %d min", minutes)) +
		st.Faint.Render(fmt.Sprintf("  (█ = %d)", most))}
	for _, g := range s.Groups {
		c := counts[g.Name]
		total := 0
		for _, n := range c {
			total += n
		}
		name := ansi.Truncate(g.Name, nameW, "…")
		lines = append(lines, st.Strong.Render(name)+pad(nameW-ansi.StringWidth(name)+1)+spark(st, c, most)+
			st.Dim.Render(fmt.Sprintf(" %d", total)))
	}
	lines = append(lines, st.PaneTitle.Render("Taking part, by background")+st.Faint.Render("  (an idea or a vote)"))
	rows := participationByBackground(s)
	if len(rows) == 0 {
		lines = append(lines, st.Faint.Render("nobody has joined yet"))
	}
	bw := 0
	for _, r := range rows {
		bw = max(bw, min(ansi.StringWidth(r.name), 20))
	}
	barW := max(w-bw-14, 4)
	for _, r := range rows {
		name := ansi.Truncate(r.name, bw, "…")
		pct := 100 * r.active / max(r.joined, 1)
		b := bar(r.active, r.joined, barW)
		lines = append(lines, name+pad(bw-ansi.StringWidth(name)+1)+st.Accent.Render(b)+pad(barW-ansi.StringWidth(b))+
			st.Dim.Render(fmt.Sprintf(" %d/%d %3d%%", r.active, r.joined, pct)))
	}
	lines = append(lines, st.PaneTitle.Render("Alerts"))
	if al := a.alertLines(w, 0); len(al) > 0 {
		lines = append(lines, al...)
	} else {
		lines = append(lines, st.Faint.Render("none"))
	}
	return fitHeight(strings.Join(lines, "\n"), w, min(len(lines), h))
}

// surveyView lists the survey's items and the chosen one's results as
// bars.
func (d *dashboard) surveyView(w, h int) string {
	a := d.a
	st := a.styles
	items := a.state.Survey
	split := [...]string{"all", "by group", "by background", "by name"}[d.split]
	lines := []string{st.PaneTitle.Render("Survey") + st.Faint.Render("  o opens/closes · tab: "+split)}
	if len(items) == 0 {
		return strings.Join(append(lines, st.Faint.Render("the plan has no survey")), "\n")
	}
	d.item = min(max(d.item, 0), len(items)-1)
	it := items[d.item]
	if d.split == byName && !it.Named {
		lines[0] = st.PaneTitle.Render("Survey") + st.Faint.Render("  o opens/closes · tab: all (this item is anonymous)")
	}
	bars := 1
	if it.Results != nil {
		bars = 1 + len(it.Results.Total.Counts)
	}
	// Short of room, only the chosen item is listed, with where it is.
	short := 1+len(items)+bars > h
	for k, it := range items {
		if short && k != d.item {
			continue
		}
		state := st.Faint.Render("closed")
		if it.Open {
			state = st.Good.Render("open")
		}
		n := 0
		if it.Results != nil {
			n = it.Results.Total.Respondents
		}
		mark := "  "
		if k == d.item {
			mark = st.Gutter.Render("▌ ")
		}
		meta := st.Dim.Render(fmt.Sprintf(" · %d answered", n))
		if short {
			meta += st.Faint.Render(fmt.Sprintf(" · %d/%d ↑/↓", k+1, len(items)))
		}
		lines = append(lines, ansi.Truncate(mark+state+" "+oneLine(it.Text)+meta, w, "…"))
	}
	if it.Results == nil {
		lines = append(lines, st.Faint.Render("no answers yet"))
		return fitHeight(strings.Join(lines, "\n"), w, h)
	}
	r := it.Results
	if d.split == byName && it.Named {
		lines = append(lines, st.Strong.Render("by name")+st.Dim.Render(" · "+plural(len(r.ByPerson), "answer", "answers")+
			" · the organizers alone see these"))
		for _, p := range r.ByPerson {
			lines = append(lines, ansi.Truncate(oneLine(p.Name)+st.Dim.Render(" ("+p.Group+") ")+answerText(it, p.Answer), w, "…"))
		}
		return fitHeight(strings.Join(lines, "\n"), w, h)
	}
	var cells []session.Cell
	switch d.split {
	case byGroup:
		cells = r.ByGroup
	case byBackground:
		cells = r.ByBackground
	default:
		cells = []session.Cell{{Name: "everyone", Tally: r.Total}}
	}
	if len(cells) == 0 {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("too few answers to show them %s without giving anyone away", split)))
	}
	for _, c := range cells {
		lines = append(lines, st.Strong.Render(c.Name)+st.Dim.Render(" · "+plural(c.Respondents, "answer", "answers")))
		lines = append(lines, tallyBars(st, it, c.Tally, w)...)
	}
	return fitHeight(strings.Join(lines, "\n"), w, h)
}

// tallyBars draws a tally: one bar per scale point or option, or the
// texts.
func tallyBars(st Styles, it *session.SurveyItem, t session.Tally, w int) []string {
	if it.Kind == session.SurveyText {
		var out []string
		for _, x := range t.Texts {
			out = append(out, ansi.Truncate("  “"+oneLine(x)+"”", w, "…"))
		}
		return out
	}
	names := it.Options
	if it.Kind == session.SurveyScale {
		names = nil
		for v := 1; v <= session.ScaleMax; v++ {
			names = append(names, scaleLabel(it, v))
		}
	}
	most, lw := 0, 0
	for k, n := range t.Counts {
		most = max(most, n)
		if k < len(names) {
			lw = max(lw, min(ansi.StringWidth(names[k]), 18))
		}
	}
	barW := max(w-lw-10, 4)
	var out []string
	for k, n := range t.Counts {
		name := ""
		if k < len(names) {
			name = ansi.Truncate(names[k], lw, "…")
		}
		b := bar(n, most, barW)
		out = append(out, "  "+name+pad(lw-ansi.StringWidth(name)+1)+st.Accent.Render(b)+pad(barW-ansi.StringWidth(b))+st.Dim.Render(fmt.Sprintf(" %d", n)))
	}
	return out
}
