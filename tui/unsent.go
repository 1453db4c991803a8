package tui

import "strings"

// unsentTexter is a screen that can say what was typed and not sent, for
// a program closed from outside (Closing) to hand back to the person.
type unsentTexter interface{ unsentText() string }

// unsentText is the text of the ideas typed and not sent: the one being
// written (or the kept draft) and edits not yet applied.
func (c *composer) unsentText() string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch {
	case c.open && c.mode == composeEdit:
		if strings.TrimSpace(c.ta.Value()) != strings.TrimSpace(c.ref.Text) {
			add(c.ta.Value())
		}
		add(c.draft)
	case c.open:
		add(c.ta.Value())
	default:
		add(c.draft)
	}
	for id, e := range c.edits {
		if !(c.open && c.mode == composeEdit && c.ref.ID == id) {
			add(e)
		}
	}
	return strings.Join(out, "\n\n")
}

func (s *participantScreen) unsentText() string { return s.m.comp.unsentText() }
func (s *chairScreen) unsentText() string       { return s.m.comp.unsentText() }
func (s *rapporteurScreen) unsentText() string {
	return strings.TrimSpace(s.m.comp.unsentText() + "\n\n" + s.theme.unsentText())
}

func (s *organizerScreen) unsentText() string {
	var out []string
	for _, l := range []*lineInput{s.bcast, s.board.input} {
		if t := l.unsentText(); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n\n")
}

// UnsentText is what the person typed and did not send (ideas, a
// broadcast); saved texts such as minutes are not in it, Closing saves
// them.
func (m Model) UnsentText() string {
	if u, ok := m.scr.(unsentTexter); ok {
		return u.unsentText()
	}
	return ""
}
