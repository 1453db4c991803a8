package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// participation is the chair's panel: each member's ideas and votes on the
// current question, the silent ones standing out. It is derived once per
// replica change.
type participation struct {
	a     *app
	group func() *session.Group
	rev   uint64
	q     string
	rows  []partRow
	built bool
}

type partRow struct {
	p            *session.Person
	ideas, votes int
}

// silent: a participant who has neither added an idea nor voted. Chairs
// and rapporteurs steer and write; their silence is not the point.
func (s partRow) silent() bool {
	return s.ideas == 0 && s.votes == 0 && s.p.Role == session.Participant
}

func (p *participation) refresh() {
	g := p.group()
	if g == nil {
		p.rows = p.rows[:0]
		return
	}
	if p.built && p.rev == p.a.rev && p.q == g.Name+"/"+g.Current {
		return
	}
	p.built, p.rev, p.q = true, p.a.rev, g.Name+"/"+g.Current
	ideas, votes := map[string]int{}, map[string]int{}
	for _, i := range p.a.state.Ideas {
		if i.Group != g.Name || i.Question != g.Current || i.Retracted {
			continue
		}
		if i.Author != "" && !i.Hidden {
			ideas[i.Author]++
		}
		if i.MergedInto == "" {
			for _, v := range i.Voters {
				votes[v]++
			}
		}
	}
	p.rows = p.rows[:0]
	for _, m := range p.a.state.Members(g.Name) {
		p.rows = append(p.rows, partRow{p: m, ideas: ideas[m.ID], votes: votes[m.ID]})
	}
}

// view renders the panel in width × height: per member the name (and
// role), the background when there is room, ideas, votes and a status
// that is never cut: not joined, offline or silent.
func (p *participation) view(width, height int) string {
	p.refresh()
	st := p.a.styles
	silent, online, absent := 0, 0, 0
	for _, r := range p.rows {
		switch {
		case !r.p.Joined:
			absent++
		case r.silent():
			silent++
		}
		if r.p.Online {
			online++
		}
	}
	title := fmt.Sprintf("Who takes part · %d/%d online", online, len(p.rows))
	// Fixed columns: dot and space, ideas and votes, and the status as
	// wide as the widest one shown, never cut.
	const numsW = 12
	statusW := len("status")
	if absent > 0 {
		statusW = len("not joined")
	} else if silent > 0 || online < len(p.rows) {
		statusW = len("! silent")
	}
	textW := max(width-2-numsW-statusW, 6)
	nameW, bgW := textW, 0
	if textW >= 30 {
		nameW = textW * 11 / 20
		bgW = textW - nameW - 1
	}
	lines := []string{
		st.PaneTitle.Render(ansi.Truncate(title, width, "…")),
		st.Faint.Render(ansi.Truncate(pad(2+textW)+"ideas votes status", width, "")),
	}
	for _, r := range p.rows {
		dot := st.Good.Render("●")
		if !r.p.Online {
			dot = st.Faint.Render("○")
		}
		name := steady(r.p.Name)
		var tags []string
		if r.p.Role == session.Chair || r.p.Role == session.Rapporteur {
			tags = append(tags, string(r.p.Role))
		}
		if r.p.ID == p.a.me.ID {
			tags = append(tags, "you")
		}
		if len(tags) > 0 {
			name += " (" + strings.Join(tags, ", ") + ")"
		}
		name = ansi.Truncate(name, nameW, "…")
		text := name + pad(nameW-ansi.StringWidth(name))
		if bgW > 0 {
			bg := ansi.Truncate(oneLine(r.p.Background), bgW, "…")
			text += " " + st.Dim.Render(bg) + pad(bgW-ansi.StringWidth(bg))
		}
		nums := fmt.Sprintf("%5d %5d ", r.ideas, r.votes)
		var status string
		switch {
		case !r.p.Joined:
			status = st.Faint.Render("not joined")
		case r.silent():
			status = st.Warn.Bold(true).Render("! silent")
		case !r.p.Online:
			status = st.Dim.Render("offline")
		}
		if r.silent() && r.p.Joined {
			text = st.Warn.Bold(true).Render(name) + text[len(name):]
		}
		lines = append(lines, dot+" "+text+nums+status)
		if bgW == 0 && r.p.Background != "" {
			// No column for it: under the name, as the report counts it.
			lines = append(lines, "    "+st.Dim.Render(ansi.Truncate(oneLine(r.p.Background), max(width-4, 1), "…")))
		}
	}
	foot := []string{""}
	if absent > 0 {
		foot = append(foot, st.Faint.Render(plural(absent, "person on the roster has", "people on the roster have")+" not joined yet"))
	}
	if silent > 0 {
		foot = append(foot, st.Warn.Render("! "+plural(silent, "member is silent", "members are silent")+" on this question"))
	}
	foot = append(foot, st.Faint.Render("Anonymous and hidden ideas are not counted."))
	if len(lines)+len(foot) > height {
		keep := max(height-len(foot), 2)
		if keep < len(lines) {
			lines = append(lines[:keep-1], st.Faint.Render(fmt.Sprintf("… %d more", len(lines)-keep+1)))
		}
	}
	lines = append(lines, foot...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}
