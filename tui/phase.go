package tui

import (
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// active is what has the keys and the body: the survey form while open, a
// report being read, the plenary view, or the role's screen.
func (m Model) active() screen {
	switch {
	case m.survey != nil && m.survey.open:
		return m.survey
	case m.showReader:
		return m.reader
	case m.showPlen && m.a.state.PhaseOf() != session.PhaseRooms:
		return m.plen
	}
	return m.scr
}

// setSizes gives the screen and what may stand over it the body's size.
func (m Model) setSizes() {
	w, h := m.bodySize()
	m.scr.setSize(w, h)
	m.plen.setSize(w, h)
	m.reader.setSize(w, h)
	m.survey.setSize(w, h)
}

// togglePlenary switches between the plenary view and the role's screen.
func (m *Model) togglePlenary() tea.Cmd {
	if m.a.state.PhaseOf() == session.PhaseRooms {
		return m.a.say(noticeInfo, "the plenary has not begun: the organizer starts it")
	}
	m.showReader = false
	m.showPlen = !m.showPlen
	if m.showPlen {
		m.plen.news()
	}
	return nil
}

// sessionNews tells everyone what the organizer did to the whole session.
func (m *Model) sessionNews(ev *session.Event) tea.Cmd {
	a := m.a
	if ev == nil || a.state == nil {
		return nil
	}
	org := a.me.Role == session.Organizer
	mine := ev.By == a.me.ID
	switch ev.Kind {
	case session.KindPhaseSet:
		// The organizer who moved the session is told by the op's ack,
		// which comes after this event and would at once replace a
		// notice said here (see organizerScreen's phaseMsg).
		told := org && mine
		switch a.state.PhaseOf() {
		case session.PhasePlenary:
			if told {
				return nil
			}
			if org {
				return a.say(noticeInfo, orgPhaseNews(session.PhasePlenary))
			}
			if m.active().typing() {
				// Not from under the person's hands: what they write stays.
				return tea.Batch(bell(), a.say(noticeInfo, "The plenary has begun: v shows it once you are done writing"))
			}
			m.showPlen = true
			m.plen.follow()
			return tea.Batch(bell(), a.say(noticeInfo, "The plenary has begun: every group's findings on every screen · v goes back to your room"))
		case session.PhaseClosed:
			if told {
				return nil
			}
			return a.say(noticeInfo, orgPhaseNews(session.PhaseClosed))
		default:
			m.showPlen = false
			return a.say(noticeInfo, "Back in the rooms")
		}
	case session.KindPlenaryFloor:
		g := a.state.Plenary.Floor
		switch {
		case mine || g == "":
			return nil
		case g == a.me.Group && a.me.Role == session.Rapporteur:
			return tea.Batch(bell(), a.say(noticeInfo, "You have the floor: present "+g+"'s findings"))
		}
		return a.say(noticeInfo, g+" has the floor")
	case session.KindPlenaryPresent:
		if !mine && !m.showPlen && a.state.Plenary.Present != nil {
			return a.say(noticeInfo, "The organizer presents "+m.plen.presenting()+": v shows it")
		}
	case session.KindSurveyOpen:
		if open := openItems(a.state); !org && len(open) > 0 {
			how := "(anonymous)"
			if slices.ContainsFunc(open, func(it *session.SurveyItem) bool { return it.Named }) {
				how = "(named items show the organizers your name)"
			}
			return tea.Batch(bell(), a.say(noticeInfo, "The organizer opened the survey: A answers it "+how))
		}
	case session.KindSurveyClose:
		if !org && m.survey.open && len(openItems(a.state)) == 0 {
			return a.say(noticeError, "The organizer closed the survey: answers not sent yet cannot be sent now")
		}
	case session.KindClockStart:
		if c := a.state.Clock; c != nil && !mine {
			return a.say(noticeInfo, fmt.Sprintf("%s: %s", clockLabel(c), clock(c.Deadline.Sub(a.now()))))
		}
	}
	return nil
}

// orgPhaseNews is what the organizers are told once the session moved to
// phase p, the one who moved it too (by the op's ack); that the session
// is closed everyone is told in the same words.
func orgPhaseNews(p session.Phase) string {
	switch p {
	case session.PhasePlenary:
		return "The plenary has begun: v shows the plenary view, where enter presents and F gives the floor"
	case session.PhaseClosed:
		return "The session is closed: everything is read-only and the reports are final"
	}
	return "The session is in the " + string(p) + " phase now"
}

// clockLabel is the session clock's label, or what it is for.
func clockLabel(c *session.Clock) string {
	if c.Label != "" {
		return c.Label
	}
	return "Clock"
}

// phaseLines are the lines a phase adds under the header.
func (m Model) phaseLines(width int) []string {
	if m.a.state.PhaseOf() == session.PhaseClosed {
		return wrapLines(m.a.styles.Warn.Render("The session is closed: everything is read-only and the reports are final"), width, 2)
	}
	return nil
}

// closedNotice says why nothing can change once the session is closed;
// nil while it is open.
func (a *app) closedNotice() tea.Cmd {
	if a.state == nil || a.state.PhaseOf() != session.PhaseClosed {
		return nil
	}
	return a.say(noticeInfo, "the session is closed: it can be read, not changed")
}

// sessionBadge is what the header's first line says of the whole session:
// the phase, who has the floor, the session clock.
func (a *app) sessionBadge() string {
	st := a.styles
	var out string
	switch a.state.PhaseOf() {
	case session.PhasePlenary:
		out = st.Accent.Render("plenary")
		if f := a.state.Plenary.Floor; f != "" {
			out += st.Faint.Render(" · ") + st.Strong.Render("◆ "+f)
		}
	case session.PhaseClosed:
		out = st.Bad.Render("closed")
	}
	if c := a.state.Clock; c != nil {
		left := c.Deadline.Sub(a.now())
		text := "⏱ " + clockLabel(c) + " " + clock(left)
		switch {
		case left <= 0:
			text = st.Bad.Render("⏱ " + clockLabel(c) + " time's up")
		case left < time.Minute:
			text = st.Warn.Render(text)
		}
		if out != "" {
			out += st.Faint.Render(" · ")
		}
		out += text
	}
	return out
}
