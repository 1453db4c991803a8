package tui

import (
	"fmt"
	"strings"

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
	width   int
	height  int
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
	return &chairScreen{m: m, keys: DefaultChairKeys(), panel: &participation{a: a, group: a.group}}
}

func (s *chairScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return s.m.handleMsg(msg)
	}
	if s.m.comp.open {
		_, cmd := s.m.handleKey(k)
		return cmd
	}
	a := s.m.a
	g := a.group()
	sel := s.m.list.selected()
	if s.merging != "" && k.String() == "esc" {
		s.merging = ""
		return a.say(noticeInfo, "merge cancelled")
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
		s.m.list.question = ""
		_, cmd := a.send(session.KindQuestionPose, session.QuestionPose{Question: q.ID}, fmt.Sprintf("pose Q%d", next+1))
		return tea.Batch(cmd, a.say(noticeInfo, fmt.Sprintf("Posing Q%d: %s", next+1, oneLine(q.Text))))
	case key.Matches(k, s.keys.Timer):
		secs := 0
		if g != nil {
			if q, _ := a.state.Question(g.Current); q.Minutes == 0 {
				secs = 10 * 60 // no timebox in the plan
			}
		}
		_, cmd := a.send(session.KindTimerStart, session.TimerStart{Seconds: secs}, "start the timer")
		return cmd
	case key.Matches(k, s.keys.Extend):
		_, cmd := a.send(session.KindTimerExtend, session.TimerStart{Seconds: 60}, "extend the timer")
		return cmd
	case key.Matches(k, s.keys.StopTimer):
		_, cmd := a.send(session.KindTimerStop, struct{}{}, "stop the timer")
		return cmd
	case key.Matches(k, s.keys.Lock):
		if g != nil && g.Locked {
			_, cmd := a.send(session.KindGroupUnlock, struct{}{}, "open the room")
			return cmd
		}
		_, cmd := a.send(session.KindGroupLock, struct{}{}, "lock the room")
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
	k := s.keys
	return keyMap{short: []key.Binding{s.m.keys.New, s.m.keys.Vote, k.PoseNext, k.Timer, k.Lock, k.Pin, k.Merge, k.Panel}}
}

func (s *chairScreen) typing() bool { return s.m.comp.open }
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
