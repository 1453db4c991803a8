package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/relay"
	"breakout/session"
)

const sep = " │ "

// header renders the two header lines: the session title, who you are and
// the connection on the first; the group, its question, the timer and the
// room's state on the second. g is the group shown (nil: all groups).
func (a *app) header(width int, g *session.Group, watching bool) string {
	st := a.styles
	right := st.Dim.Render(steady(a.me.Name)+" · "+string(a.me.Role)) + "  " + a.connection()
	if b := a.sessionBadge(); b != "" {
		right = b + "  " + right
	}
	title := ansi.Truncate(steady(a.state.Title), max(0, width-lipgloss.Width(right)-2), "…")
	line1 := fill(st.Title.Render(title), right, width)

	var line2 string
	if g == nil {
		line2 = a.overviewLine(width)
	} else {
		line2 = a.groupLine(width, g, watching)
	}
	return line1 + "\n" + line2
}

// groupLine is "Manzoni │ Q2/5 What should we keep? │ ⏱ 4:30 │ open".
func (a *app) groupLine(width int, g *session.Group, watching bool) string {
	st := a.styles
	name := st.Strong.Render(g.Name)
	if watching {
		name += st.Dim.Render(" (watching)")
	}
	tail := styleSeps(st, sep+a.timerText(g)+sep+a.roomText(g))
	q, qi := a.state.Question(g.Current)
	num := fmt.Sprintf("Q%d/%d ", qi+1, len(a.state.Questions))
	room := width - lipgloss.Width(name) - lipgloss.Width(sep) - len(num) - lipgloss.Width(tail) - 1
	text := ""
	if room > 1 {
		text = ansi.Truncate(oneLine(q.Text), room, "…")
	}
	return fill(name+st.Faint.Render(sep)+st.Accent.Render(num)+text, tail, width)
}

// questionFits reports whether groupLine shows the whole question.
func (a *app) questionFits(width int, g *session.Group, watching bool) bool {
	name := lipgloss.Width(g.Name)
	if watching {
		name += len(" (watching)")
	}
	q, qi := a.state.Question(g.Current)
	num := len(fmt.Sprintf("Q%d/%d ", qi+1, len(a.state.Questions)))
	tail := lipgloss.Width(sep + a.timerText(g) + sep + a.roomText(g))
	return name+lipgloss.Width(sep)+num+ansi.StringWidth(oneLine(q.Text))+tail+1 <= width
}

func styleSeps(st Styles, s string) string {
	return strings.ReplaceAll(s, sep, st.Faint.Render(sep))
}

// overviewLine is the organizer's second line: groups and people online.
func (a *app) overviewLine(width int) string {
	st := a.styles
	online, total := 0, 0
	for _, p := range a.state.People {
		if p.Role == session.Organizer || !p.Joined {
			continue
		}
		total++
		if p.Online {
			online++
		}
	}
	running := 0
	for _, g := range a.state.Groups {
		if !g.Deadline.IsZero() {
			running++
		}
	}
	s := st.Strong.Render("All groups") + st.Faint.Render(sep) +
		plural(len(a.state.Groups), "group", "groups") + st.Faint.Render(sep) +
		fmt.Sprintf("%d/%d online", online, total) + st.Faint.Render(sep) +
		plural(running, "timer running", "timers running")
	return ansi.Truncate(s, width, "…")
}

// timerText is the time left on the group's timer.
func (a *app) timerText(g *session.Group) string {
	st := a.styles
	if g.Paused > 0 {
		return st.Warn.Render("⏸ " + clock(time.Duration(g.Paused)*time.Second) + " paused")
	}
	if g.Deadline.IsZero() {
		return st.Dim.Render("no timer")
	}
	left := g.Deadline.Sub(a.now())
	switch {
	case left <= 0:
		return st.Bad.Render("time's up")
	case left < 60e9:
		return st.Warn.Render("⏱ " + clock(left))
	}
	return "⏱ " + clock(left)
}

func (a *app) roomText(g *session.Group) string {
	if g.Locked {
		return a.styles.Bad.Render("locked")
	}
	return a.styles.Good.Render("open")
}

// connection is "● live", "↻ reconnecting · 3 queued" and the like.
func (a *app) connection() string {
	st := a.styles
	s := a.status()
	if a.fatal != nil {
		return st.Bad.Render("✕ disconnected")
	}
	switch s.State {
	case relay.Live:
		if s.Queued > 0 {
			return st.Good.Render("● live") + st.Dim.Render(fmt.Sprintf(" · %d sending", s.Queued))
		}
		return st.Good.Render("● live")
	case relay.Connecting:
		return st.Warn.Render("◌ connecting")
	case relay.Reconnecting:
		return st.Warn.Render(fmt.Sprintf("↻ reconnecting · %d queued", s.Queued))
	}
	return st.Bad.Render("✕ offline")
}

// fill puts left and right on one line of width, right-aligned.
func fill(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left+" "+right, width, "…")
	}
	return left + pad(gap) + right
}

func pad(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}
