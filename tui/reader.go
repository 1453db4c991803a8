package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"breakout/report"
	"breakout/session"
)

// ReaderKeys work while a report is open to read.
type ReaderKeys struct {
	Switch, Close key.Binding
}

// DefaultReaderKeys returns the report reader's keys.
func DefaultReaderKeys() ReaderKeys {
	return ReaderKeys{
		Switch: bind([]string{"tab"}, "tab", "group report/conference draft"),
		Close:  bind([]string{"esc"}, "esc", "close the report"),
	}
}

// reportReader shows the person's group report and, once the plenary has
// begun, the conference draft, rendered as the rapporteur's preview is.
type reportReader struct {
	a          *app
	keys       ReaderKeys
	lkeys      ListKeys
	conference bool
	group      *preview
	conf       *preview
	width      int
	height     int
}

func newReportReader(a *app) *reportReader {
	return &reportReader{a: a, keys: DefaultReaderKeys(), lkeys: DefaultListKeys(),
		group: newPreview(a, func() string { return report.GroupMarkdown(a.state, a.me.Group) }),
		conf: newPreview(a, func() string {
			if a.me.Role == session.Organizer {
				return report.ConferenceMarkdown(a.state)
			}
			return report.ConferenceDraftMarkdown(a.state, a.me.Group)
		})}
}

// canConference reports whether the conference draft may be read now.
func (r *reportReader) canConference() bool {
	return r.a.state.PhaseOf() != session.PhaseRooms
}

func (r *reportReader) current() *preview {
	if r.conference && r.canConference() {
		return r.conf
	}
	return r.group
}

func (r *reportReader) setSize(w, h int) {
	r.width, r.height = w, h
	r.group.setSize(w, h-1)
	r.conf.setSize(w, h-1)
}

// update handles a key; it reports whether the reader closed.
func (r *reportReader) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if key.Matches(k, r.keys.Switch) {
		if !r.canConference() {
			return r.a.say(noticeInfo, "the conference draft opens to everyone with the plenary")
		}
		r.conference = !r.conference
		return nil
	}
	return r.current().update(msg)
}

func (r *reportReader) view() (string, *tea.Cursor) {
	st := r.a.styles
	title := "Your group's report · " + r.a.me.Group
	if r.current() == r.conf {
		title = "The conference report (draft)"
	}
	if r.a.state.PhaseOf() == session.PhaseClosed {
		title += " · final"
	}
	hint := "  esc closes"
	if r.canConference() {
		hint += " · tab switches"
	}
	return st.PaneTitleActive.Render(title) + st.Faint.Render(hint) + "\n" + r.current().view(), nil
}

func (r *reportReader) bar() help.KeyMap {
	k := []key.Binding{r.lkeys.Up, r.lkeys.Down, r.keys.Close}
	if r.canConference() {
		k = append(k, r.keys.Switch)
	}
	return keyMap{short: k}
}

func (r *reportReader) typing() bool                  { return false }
func (r *reportReader) unsent() bool                  { return false }
func (r *reportReader) flush()                        {}
func (r *reportReader) shown() (*session.Group, bool) { return r.a.group(), false }
