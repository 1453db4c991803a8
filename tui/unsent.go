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
	add := func(s string) { out = append(out, s) }
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
	return joinUnsent(out...)
}

func (s *participantScreen) unsentText() string { return s.m.comp.unsentText() }
func (s *chairScreen) unsentText() string       { return s.m.comp.unsentText() }
func (s *rapporteurScreen) unsentText() string {
	return joinUnsent(s.m.comp.unsentText(), s.theme.unsentText(), s.minutes.unsentText(), s.summary.unsentText())
}

func (s *organizerScreen) unsentText() string {
	texts := []string{s.bcast.unsentText(), s.ask.unsentText(), s.board.input.unsentText()}
	for _, e := range s.editors {
		texts = append(texts, e.unsentText())
	}
	return joinUnsent(texts...)
}

// joinUnsent joins the texts that are not empty, a blank line apart.
func joinUnsent(texts ...string) string {
	var out []string
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n\n")
}

// UnsentText is what the person typed and did not send (ideas, a
// broadcast), and long texts (minutes, summaries, syntheses) typed and not
// yet saved: Closing sends them, but a relay that is shutting down may
// not take them in time.
func (m Model) UnsentText() string {
	if u, ok := m.scr.(unsentTexter); ok {
		return u.unsentText()
	}
	return ""
}
