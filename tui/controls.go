package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// phaseMsg is sent once the organizer confirmed a change of phase.
type phaseMsg struct{ phase session.Phase }

// nextPhase is the phase after p: rooms, plenary, closed, and from closed
// back to the plenary; the rooms never reopen, for what the plenary showed
// cannot be taken back from the screens.
func nextPhase(p session.Phase) session.Phase {
	if p == session.PhasePlenary {
		return session.PhaseClosed
	}
	return session.PhasePlenary
}

// controlKey handles the organizer's session-wide controls, from the
// table and the dashboard. It reports whether it used the key.
func (s *organizerScreen) controlKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	a := s.a
	switch {
	case key.Matches(k, s.keys.Phase):
		next := nextPhase(a.state.PhaseOf())
		prompt := map[session.Phase]string{
			session.PhasePlenary: "Start the plenary? Every screen then shows every group's findings. (y/n)",
			session.PhaseClosed:  "Close the session? Everything becomes read-only and the reports final. (y/n)",
		}[next]
		if a.state.PhaseOf() == session.PhaseClosed {
			prompt = "Reopen the plenary? Priority votes, presenting and writing work again. (y/n)"
		}
		return ask(prompt, phaseMsg{next}), true
	case key.Matches(k, s.keys.LockAll):
		if cmd := a.closedNotice(); cmd != nil {
			return cmd, true
		}
		open := 0
		for _, g := range a.state.Groups {
			if !g.Locked {
				open++
			}
		}
		if open > 0 {
			_, cmd := a.sendSaying(session.KindGroupLock, session.GroupRef{}, "lock every room", "Every room is locked")
			return cmd, true
		}
		_, cmd := a.sendSaying(session.KindGroupUnlock, session.GroupRef{}, "open every room", "Every room is open")
		return cmd, true
	case key.Matches(k, s.keys.PoseAll):
		if cmd := a.closedNotice(); cmd != nil {
			return cmd, true
		}
		n := len(a.state.Questions)
		if n == 0 {
			return nil, true
		}
		title := fmt.Sprintf("Pose which question in every room? 1 to %d · enter poses", n)
		return s.ask.start(title, "", nil, s.poseAll(title)), true
	case key.Matches(k, s.keys.Clock):
		if cmd := a.closedNotice(); cmd != nil {
			return cmd, true
		}
		title := "Session clock: minutes, then a label (“15 Coffee break”) · enter starts"
		return s.ask.start(title, "", nil, s.startClock(title)), true
	case key.Matches(k, s.keys.StopClock):
		if a.state.Clock == nil {
			return a.say(noticeInfo, "no session clock runs: c starts one"), true
		}
		_, cmd := a.sendSaying(session.KindClockStop, struct{}{}, "stop the session clock", "The session clock is stopped")
		return cmd, true
	}
	return nil, false
}

// poseAll poses the question whose number was typed in every room; a bad
// number opens the question again with what was typed.
func (s *organizerScreen) poseAll(title string) func(string) tea.Cmd {
	var done func(string) tea.Cmd
	done = func(text string) tea.Cmd {
		a := s.a
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(strings.ToUpper(text)), "Q"))
		if err != nil || n < 1 || n > len(a.state.Questions) {
			return tea.Batch(s.ask.start(title, text, nil, done),
				a.say(noticeError, fmt.Sprintf("“%s” is not a question number from 1 to %d", text, len(a.state.Questions))))
		}
		q := a.state.Questions[n-1]
		_, cmd := a.sendSaying(session.KindQuestionPose, session.QuestionPose{Question: q.ID}, fmt.Sprintf("pose Q%d in every room", n),
			fmt.Sprintf("Q%d is posed in every room", n))
		return cmd
	}
	return done
}

// startClock starts the session clock from "minutes label".
func (s *organizerScreen) startClock(title string) func(string) tea.Cmd {
	var done func(string) tea.Cmd
	done = func(text string) tea.Cmd {
		a := s.a
		num, label, _ := strings.Cut(strings.TrimSpace(text), " ")
		m, err := strconv.ParseFloat(num, 64)
		secs := int(m * 60)
		label = strings.TrimSpace(label)
		switch {
		case err != nil || secs < 1 || time.Duration(secs)*time.Second > session.MaxTimer:
			return tea.Batch(s.ask.start(title, text, nil, done),
				a.say(noticeError, fmt.Sprintf("“%s” does not start with a number of minutes from 1 to %d", num, int(session.MaxTimer.Minutes()))))
		case len([]rune(label)) > session.MaxClockLabel:
			return tea.Batch(s.ask.start(title, text, nil, done),
				a.say(noticeError, fmt.Sprintf("the label is too long: %d characters at most", session.MaxClockLabel)))
		}
		_, cmd := a.sendSaying(session.KindClockStart, session.ClockStart{Seconds: secs, Label: label}, "start the session clock",
			"The session clock runs: "+clock(time.Duration(secs)*time.Second))
		return cmd
	}
	return done
}
