package tui

import "strings"

// unsentTexter is a screen that can say what was typed and not sent, for
// a program closed from outside (Closing) to hand back to the person.
type unsentTexter interface{ unsentText() string }

// unsentText is the text of the ideas typed and not sent: the one being
// written, the new idea's draft, the ideas given back, build-on drafts
// and edits not yet applied.
func (c *composer) unsentText() string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	open := ""
	switch {
	case c.open && c.mode == composeEdit:
		open = c.ref.ID
		if strings.TrimSpace(c.ta.Value()) != strings.TrimSpace(c.refText()) {
			add(c.ta.Value())
		}
	case c.open:
		add(c.ta.Value())
	}
	if !c.open || c.mode != composeNew || c.returned != nil {
		add(c.draft) // not in the text area now
	}
	for _, d := range c.back {
		add(d.text)
	}
	for _, id := range sortedKeys(c.builds) {
		if !(c.open && c.mode == composeBuild && c.returned == nil && c.ref.ID == id) {
			add(c.builds[id])
		}
	}
	for _, id := range sortedKeys(c.edits) {
		if id != open {
			add(c.edits[id])
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
