package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// chairScreen is the participant's room plus steering: questions, timer,
// lock, pin, merge, hide, and who takes part.
type chairScreen struct {
	m       *member
	keys    ChairKeys
	panel   *participation
	showWho bool   // narrow terminals: the panel instead of the list
	merging string // the idea being merged, while its target is chosen
	// prompt asks the timer's minutes, or whom to remove.
	prompt *lineInput
	width  int
	height int
}

// widePanel is the width from which side panels stand beside the list
// instead of replacing it; panelWidth is their narrowest width.
const (
	widePanel  = 100
	panelWidth = 34
)

// sidePanel is the side panel's width in a terminal w wide: two fifths of
// it, from panelWidth to 64 columns, so names, backgrounds and who has not
// joined fit from 100 columns on, and the ideas keep the most room.
func sidePanel(w int) int { return min(max(panelWidth, w*2/5), 64) }

func newChairScreen(a *app) *chairScreen {
	m := newMember(a)
	m.list.hidden = true
	return &chairScreen{m: m, keys: DefaultChairKeys(), panel: &participation{a: a, group: a.group},
		prompt: newLineInput(a, session.MaxName)}
}

// Confirmed chair actions.
type (
	poseMsg struct{ question int }
	// removeMsg confirms taking a person out of the room.
	removeMsg    struct{ person, name string }
	stopTimerMsg struct{}
)

// timerLeft describes the group's timer: "4:12 left", "paused, 4:12
// left", "time's up" or "" when none.
func (a *app) timerLeft(g *session.Group) string {
	switch {
	case g == nil:
		return ""
	case g.Paused > 0:
		return "paused, " + clock(time.Duration(g.Paused)*time.Second) + " left"
	case g.Deadline.IsZero():
		return ""
	case !g.Deadline.After(a.now()):
		return "time's up"
	}
	return clock(g.Deadline.Sub(a.now())) + " left"
}

// pose sends question.pose for the question at index qi.
func (s *chairScreen) pose(qi int) tea.Cmd {
	a := s.m.a
	if qi < 0 || qi >= len(a.state.Questions) {
		return nil
	}
	q := a.state.Questions[qi]
	s.m.list.question = ""
	_, cmd := a.sendSaying(session.KindQuestionPose, session.QuestionPose{Question: q.ID}, fmt.Sprintf("pose Q%d", qi+1),
		fmt.Sprintf("Q%d is posed: the room sees it", qi+1))
	return cmd
}

// askMinutes opens the minutes question of t, the plan's timebox or what
// runs now as the default.
func (s *chairScreen) askMinutes(g *session.Group) tea.Cmd {
	a := s.m.a
	q, qi := a.state.Question(g.Current)
	def := q.Minutes
	title := fmt.Sprintf("Timer for Q%d: minutes (the plan says %d)", qi+1, q.Minutes)
	if q.Minutes == 0 {
		def = 10
		title = fmt.Sprintf("Timer for Q%d: minutes (the plan has none)", qi+1)
	}
	if left := a.timerLeft(g); left != "" {
		title = fmt.Sprintf("A timer runs (%s): minutes for a new one, esc keeps it", left)
	}
	title += " · enter starts"
	return s.prompt.start(title, strconv.Itoa(def), nil, func(text string) tea.Cmd {
		n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		secs := int(n * 60)
		if err != nil || secs < 1 || time.Duration(secs)*time.Second > session.MaxTimer {
			// Open again with what was typed, and say why.
			return tea.Batch(s.prompt.start(title, text, nil, s.prompt.done),
				a.say(noticeError, fmt.Sprintf("“%s” is not a number of minutes from 1 to %d", text, int(session.MaxTimer.Minutes()))))
		}
		_, cmd := a.sendSaying(session.KindTimerStart, session.TimerStart{Seconds: secs}, "start the timer",
			"Timer started: "+clock(time.Duration(secs)*time.Second))
		return cmd
	})
}

// askRemove asks whom to take out of the room (tab completes a name),
// then asks again before it sends person.remove.
func (s *chairScreen) askRemove() tea.Cmd {
	a := s.m.a
	var names []string
	for _, p := range a.state.Members(a.me.Group) {
		if p.ID != a.me.ID && p.Joined {
			names = append(names, p.Name)
		}
	}
	var ask2 func(string) tea.Cmd
	ask2 = func(text string) tea.Cmd {
		name := strings.TrimSpace(text)
		if name == "" {
			return nil
		}
		for _, p := range a.state.Members(a.me.Group) {
			if strings.EqualFold(p.Name, name) && p.ID != a.me.ID && p.Joined {
				return ask(fmt.Sprintf("Remove %s from the room? Their ideas stay; their code no longer lets them in. (y/n)", p.Name),
					removeMsg{person: p.ID, name: p.Name})
			}
		}
		return tea.Batch(s.prompt.start("Remove who from the room? (tab completes a name)", text, names, ask2),
			a.say(noticeError, fmt.Sprintf("nobody called “%s” is in the room", name)))
	}
	return s.prompt.start("Remove who from the room? (tab completes a name)", "", names, ask2)
}

func (s *chairScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		switch msg := msg.(type) {
		case poseMsg:
			return s.pose(msg.question)
		case stopTimerMsg:
			_, cmd := s.m.a.sendSaying(session.KindTimerStop, struct{}{}, "stop the timer", "The timer is stopped")
			return cmd
		case removeMsg:
			_, cmd := s.m.a.sendSaying(session.KindPersonRemove, session.PersonRemove{Person: msg.person},
				"remove "+msg.name, msg.name+" is out of the room; their ideas stay")
			return cmd
		}
		if s.prompt.open && !isReplica(msg) {
			return s.prompt.update(msg)
		}
		return s.m.handleMsg(msg)
	}
	if s.m.comp.open {
		_, cmd := s.m.handleKey(k)
		return cmd
	}
	if s.prompt.open {
		return s.prompt.update(k)
	}
	a := s.m.a
	g := a.group()
	sel := s.m.list.selected()
	if s.merging != "" && k.String() == "esc" {
		s.merging = ""
		return a.say(noticeInfo, "merge cancelled")
	}
	c := s.keys
	if key.Matches(k, c.PoseNext, c.PosePrev, c.Timer, c.Extend, c.PauseTimer, c.StopTimer, c.Lock, c.Pin, c.Merge, c.Hide) {
		if cmd := a.closedNotice(); cmd != nil {
			return cmd
		}
	}
	switch {
	case key.Matches(k, s.keys.PoseNext), key.Matches(k, s.keys.PosePrev):
		if g == nil {
			return nil
		}
		step := 1
		if key.Matches(k, s.keys.PosePrev) {
			step = -1
		}
		_, qi := a.state.Question(g.Current)
		next := qi + step
		if next < 0 || next >= len(a.state.Questions) {
			return a.say(noticeInfo, "there is no question that way")
		}
		q := a.state.Questions[next]
		prompt := fmt.Sprintf("Pose Q%d “%s”?", next+1, ansi.Truncate(oneLine(q.Text), 40, "…"))
		if left := a.timerLeft(g); left != "" && left != "time's up" {
			prompt += fmt.Sprintf(" Q%d keeps its timer (%s).", qi+1, left)
		}
		return ask(prompt+" (y/n)", poseMsg{next})
	case key.Matches(k, s.keys.Timer):
		if g == nil {
			return nil
		}
		return s.askMinutes(g)
	case key.Matches(k, s.keys.Extend):
		_, cmd := a.sendSaying(session.KindTimerExtend, session.TimerStart{Seconds: 60}, "extend the timer", "One more minute on the timer")
		return cmd
	case key.Matches(k, s.keys.PauseTimer):
		switch {
		case g == nil:
			return nil
		case g.Paused > 0:
			_, cmd := a.sendSaying(session.KindTimerResume, struct{}{}, "resume the timer", "The timer runs again")
			return cmd
		case g.Deadline.After(a.now()):
			_, cmd := a.sendSaying(session.KindTimerPause, struct{}{}, "pause the timer", "The timer is paused: P runs it on")
			return cmd
		}
		return a.say(noticeInfo, "no timer runs: t starts one")
	case key.Matches(k, s.keys.StopTimer):
		if g == nil || (g.Deadline.IsZero() && g.Paused == 0) {
			return a.say(noticeInfo, "no timer runs")
		}
		return ask("Stop the timer ("+a.timerLeft(g)+")? (y/n)", stopTimerMsg{})
	case key.Matches(k, s.keys.Lock):
		if g != nil && g.Locked {
			_, cmd := a.sendSaying(session.KindGroupUnlock, struct{}{}, "open the room", "The room is open: ideas and votes again")
			return cmd
		}
		_, cmd := a.sendSaying(session.KindGroupLock, struct{}{}, "lock the room", "The room is locked: no new ideas or votes")
		return cmd
	case key.Matches(k, s.keys.Pin):
		if sel == nil {
			return nil
		}
		_, cmd := a.send(session.KindIdeaPin, session.IdeaFlag{Idea: sel.ID, On: !sel.Pinned}, "pin the idea")
		return cmd
	case key.Matches(k, s.keys.Hide):
		if sel == nil {
			return nil
		}
		_, cmd := a.send(session.KindIdeaHide, session.IdeaFlag{Idea: sel.ID, On: !sel.Hidden}, "hide the idea")
		return cmd
	case key.Matches(k, s.keys.Merge):
		if sel == nil {
			return nil
		}
		if s.merging == "" {
			s.merging = sel.ID
			return nil
		}
		from := s.merging
		s.merging = ""
		if from == sel.ID {
			return a.say(noticeInfo, "merge cancelled: an idea cannot be merged into itself")
		}
		_, cmd := a.send(session.KindIdeaMerge, session.IdeaMerge{Idea: from, Into: sel.ID}, "merge the ideas")
		return cmd
	case key.Matches(k, s.keys.Panel):
		s.showWho = !s.showWho
		return nil
	case key.Matches(k, s.keys.Remove):
		return s.askRemove()
	}
	_, cmd := s.m.handleKey(k)
	return cmd
}

func (s *chairScreen) view() (string, *tea.Cursor) {
	w, h := s.width, s.height
	st := s.m.a.styles
	var foot string
	if s.merging != "" {
		from := s.m.a.state.Ideas[s.merging]
		text := ""
		if from != nil {
			text = oneLine(from.Text)
		}
		foot = ansi.Truncate(st.Confirm.Render("Merge “"+text+"” into: select the idea, m merges, esc cancels"), w, "…")
		h--
	}
	var minutesCur *tea.Cursor
	if s.prompt.open {
		s.prompt.setWidth(w)
		foot = s.prompt.view(w)
		if c := s.prompt.cursor(); c != nil {
			c.Position.Y += h - 2
			minutesCur = c
		}
		h -= 2
	}
	var out string
	var cur *tea.Cursor
	switch {
	case w >= widePanel:
		pw := sidePanel(w)
		lw := w - pw - 1
		list, c := s.m.view(lw, h, true)
		out = joinColumns(list, s.panel.view(pw, h), lw, h, st)
		cur = c
	case s.showWho && !s.m.comp.open:
		out = s.panel.view(w, h)
	default:
		out, cur = s.m.view(w, h, true)
	}
	if foot != "" {
		out = fitHeight(out, w, h) + "\n" + foot
	}
	if minutesCur != nil {
		cur = minutesCur
	}
	return out, cur
}

func (s *chairScreen) setSize(w, h int) {
	s.width, s.height = w, h
	if w >= widePanel {
		w -= sidePanel(w) + 1
	}
	s.m.setSize(w, h)
}

func (s *chairScreen) bar() help.KeyMap {
	if s.m.comp.open {
		return keyMap{short: s.m.shortKeys()}
	}
	if s.prompt.open {
		return keyMap{short: s.prompt.shortKeys()}
	}
	k := s.keys
	return keyMap{short: []key.Binding{s.m.keys.New, s.m.keys.Vote, k.PoseNext, k.Timer, k.PauseTimer, k.Lock, k.Pin, k.Merge, k.Panel}}
}

func (s *chairScreen) typing() bool { return s.m.comp.open || s.prompt.open }
func (s *chairScreen) unsent() bool { return s.m.comp.unsent() }
func (s *chairScreen) flush()       {}

func (s *chairScreen) shown() (*session.Group, bool) { return s.m.a.group(), false }

// joinColumns puts left (width lw) and right side by side with a rule.
func joinColumns(left, right string, lw, h int, st Styles) string {
	l := strings.Split(fitHeight(left, lw, h), "\n")
	r := strings.Split(fitHeight(right, 1<<20, h), "\n")
	rule := st.Rule.Render("│")
	var b strings.Builder
	for i := range h {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l[i])
		b.WriteString(pad(lw - ansi.StringWidth(l[i])))
		b.WriteString(rule)
		b.WriteString(r[i])
	}
	return b.String()
}
