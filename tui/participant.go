package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// participantScreen is the participant's room: the ideas of the current
// question, votes, and the composer.
type participantScreen struct {
	m *member
}

func newParticipantScreen(a *app) *participantScreen {
	return &participantScreen{m: newMember(a)}
}

func (s *participantScreen) update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		_, cmd := s.m.handleKey(k)
		return cmd
	}
	return s.m.handleMsg(msg)
}

func (s *participantScreen) view() (string, *tea.Cursor) {
	return s.m.view(s.m.width, s.m.height, true)
}

func (s *participantScreen) setSize(w, h int) { s.m.setSize(w, h) }
func (s *participantScreen) bar() help.KeyMap { return keyMap{short: s.m.shortKeys()} }
func (s *participantScreen) typing() bool     { return s.m.comp.open }
func (s *participantScreen) unsent() bool     { return s.m.comp.unsent() }
func (s *participantScreen) flush()           {}

func (s *participantScreen) shown() (*session.Group, bool) { return s.m.a.group(), false }
