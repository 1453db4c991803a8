package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// screen is what one role sees and does. The root model sends it the
// messages it does not handle itself; a screen talks to the rest of the
// program only through the commands and messages it returns.
type screen interface {
	update(msg tea.Msg) tea.Cmd
	// view renders the body and says where the real cursor goes,
	// relative to the body's top left (nil: hidden).
	view() (string, *tea.Cursor)
	setSize(width, height int)
	// bar is the bindings that work now, for the help bar (the ? page
	// shows roleHelp).
	bar() help.KeyMap
	// typing reports whether a text field has the keys, so plain keys
	// such as q and ? are text.
	typing() bool
	// unsent reports whether quitting now would lose typed text.
	unsent() bool
	// flush sends what is waiting to be saved, before the program ends.
	flush()
	// shown is the group the header describes (nil: all groups) and
	// whether the viewer only watches it.
	shown() (g *session.Group, watching bool)
}

// newScreen returns the screen of a role.
func newScreen(a *app) screen {
	switch a.me.Role {
	case session.Chair:
		return newChairScreen(a)
	case session.Rapporteur:
		return newRapporteurScreen(a)
	case session.Organizer:
		return newOrganizerScreen(a)
	}
	return newParticipantScreen(a)
}

// Messages the screens send the root.
type (
	// confirmMsg asks a yes/no question on the notice line; yes is sent
	// to the screen when the answer is yes.
	confirmMsg struct {
		prompt string
		yes    tea.Msg
		no     tea.Msg // sent to the screen on any other answer, if set
	}
	// quitMsg quits without asking again.
	quitMsg struct{}
	// stylesMsg says the styles changed.
	stylesMsg struct{}
)

func ask(prompt string, yes tea.Msg) tea.Cmd {
	return func() tea.Msg { return confirmMsg{prompt: prompt, yes: yes} }
}
