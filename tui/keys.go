package tui

import (
	"charm.land/bubbles/v2/key"

	"breakout/session"
)

func bind(keys []string, helpKey, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
}

// allow enables a binding only for roles that may send kind, so the help
// shows only the keys a role has.
func allow(b key.Binding, role session.Role, kind string) key.Binding {
	b.SetEnabled(session.Allowed(role, kind))
	return b
}

// GlobalKeys work on every screen.
type GlobalKeys struct {
	Help key.Binding
	Quit key.Binding
	// Interrupt quits even while typing.
	Interrupt key.Binding
	// Broadcasts shows every broadcast so far; Dismiss hides the latest.
	Broadcasts, Dismiss key.Binding
	// Info shows how others join (the demo's relay, codes and data).
	Info key.Binding
	// Plenary switches between the plenary view and the person's own
	// screen once the plenary has begun.
	Plenary key.Binding
	// Report opens the person's group report (and, from the plenary on,
	// the conference draft); Survey opens the questionnaire's form.
	Report, Survey key.Binding
}

// DefaultGlobalKeys returns the keys every screen has.
func DefaultGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Help:       bind([]string{"?"}, "?", "all keys"),
		Quit:       bind([]string{"q"}, "q", "quit"),
		Interrupt:  bind([]string{"ctrl+c"}, "ctrl+c", "quit, also while typing"),
		Broadcasts: bind([]string{"B"}, "B", "all broadcasts"),
		Dismiss:    bind([]string{"D"}, "D", "dismiss the broadcast"),
		Info:       bind([]string{"i"}, "i", "how others join (demo)"),
		Plenary:    bind([]string{"v"}, "v", "plenary view/my screen"),
		Report:     bind([]string{"r"}, "r", "read the report"),
		Survey:     bind([]string{"A"}, "A", "answer the survey"),
	}
}

// forRole turns off the keys a role does not have: the organizer reads the
// reports on its own screens and answers no survey.
func (k GlobalKeys) forRole(role session.Role) GlobalKeys {
	k.Report.SetEnabled(role != session.Organizer)
	k.Survey = allow(k.Survey, role, session.KindSurveyAnswer)
	return k
}

// ListKeys move through a list.
type ListKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultListKeys returns the keys that move through lists.
func DefaultListKeys() ListKeys {
	return ListKeys{
		Up:       bind([]string{"up", "k"}, "↑/k", "up"),
		Down:     bind([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   bind([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown: bind([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:      bind([]string{"home", "g"}, "g/home", "first"),
		Bottom:   bind([]string{"end", "G"}, "G/end", "last"),
	}
}

func (k ListKeys) all() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// IdeaKeys are what every member of a group does with ideas.
type IdeaKeys struct {
	New, Vote, BuildOn, Edit, Retract, Anonymous, Sort, Earlier, Later key.Binding
}

// DefaultIdeaKeys returns the idea keys of a role: a participant, chair or
// rapporteur has them all; an organizer only reads.
func DefaultIdeaKeys(role session.Role) IdeaKeys {
	return IdeaKeys{
		New:       allow(bind([]string{"n"}, "n", "new idea"), role, session.KindIdeaAdd),
		Vote:      allow(bind([]string{"space"}, "space", "vote/unvote"), role, session.KindIdeaVote),
		BuildOn:   allow(bind([]string{"b"}, "b", "build on"), role, session.KindIdeaAdd),
		Edit:      allow(bind([]string{"e"}, "e", "edit mine"), role, session.KindIdeaEdit),
		Retract:   allow(bind([]string{"x"}, "x", "retract mine"), role, session.KindIdeaRetract),
		Anonymous: allow(bind([]string{"a"}, "a", "next one anonymous"), role, session.KindIdeaAdd),
		Sort:      bind([]string{"s"}, "s", "sort: newest/votes"),
		Earlier:   bind([]string{"["}, "[", "earlier question"),
		Later:     bind([]string{"]"}, "]", "later question"),
	}
}

// ComposeKeys work while writing an idea.
type ComposeKeys struct {
	Send, Newline, Anonymous, Close key.Binding
}

// DefaultComposeKeys returns the keys of the idea composer.
func DefaultComposeKeys() ComposeKeys {
	return ComposeKeys{
		Send:      bind([]string{"enter"}, "enter", "send"),
		Newline:   bind([]string{"alt+enter", "ctrl+j"}, "alt+enter", "new line"),
		Anonymous: bind([]string{"ctrl+t"}, "ctrl+t", "anonymous"),
		Close:     bind([]string{"esc"}, "esc", "close, keep draft"),
	}
}

// ChairKeys steer the room.
type ChairKeys struct {
	PoseNext, PosePrev, Timer, Extend, PauseTimer, StopTimer, Lock, Pin, Merge, Hide, Panel, Remove key.Binding
}

// DefaultChairKeys returns the chair's keys.
func DefaultChairKeys() ChairKeys {
	return ChairKeys{
		PoseNext:   bind([]string{">"}, ">", "pose next Q"),
		PosePrev:   bind([]string{"<"}, "<", "pose previous Q"),
		Timer:      bind([]string{"t"}, "t", "timer: set minutes"),
		Extend:     bind([]string{"+", "="}, "+", "timer +1 min"),
		PauseTimer: bind([]string{"P"}, "P", "pause/resume timer"),
		StopTimer:  bind([]string{"T"}, "T", "stop timer"),
		Lock:       bind([]string{"l"}, "l", "lock/open"),
		Pin:        bind([]string{"p"}, "p", "pin/unpin"),
		Merge:      bind([]string{"m"}, "m", "merge into…"),
		Hide:       bind([]string{"h"}, "h", "hide/show"),
		Panel:      bind([]string{"w"}, "w", "who takes part"),
		Remove:     bind([]string{"X"}, "X", "remove a person"),
	}
}

// RapporteurKeys write the record.
type RapporteurKeys struct {
	NextPane, PrevPane, Theme, KeyIdea, Publish, Export key.Binding
}

// DefaultRapporteurKeys returns the rapporteur's keys.
func DefaultRapporteurKeys() RapporteurKeys {
	return RapporteurKeys{
		NextPane: bind([]string{"tab"}, "tab", "next pane"),
		PrevPane: bind([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Theme:    bind([]string{"#"}, "#", "theme tag"),
		KeyIdea:  bind([]string{"*"}, "*", "key idea"),
		Publish:  bind([]string{"P"}, "P", "publish"),
		Export:   bind([]string{"E"}, "E", "export .md"),
	}
}

// EditorKeys work while a long text (minutes, summary, synthesis) has the
// focus; all other keys type.
type EditorKeys struct {
	Leave, NextPane, Save, Reload, Versions key.Binding
	// Restore and Back work while the versions are shown.
	Restore, Back key.Binding
}

// DefaultEditorKeys returns the keys of the long-text editors.
func DefaultEditorKeys() EditorKeys {
	return EditorKeys{
		Leave:    bind([]string{"esc"}, "esc", "stop editing"),
		NextPane: bind([]string{"tab"}, "tab", "next pane"),
		Save:     bind([]string{"ctrl+s"}, "ctrl+s", "save now"),
		Reload:   bind([]string{"ctrl+r"}, "ctrl+r", "drop typing, reload saved"),
		Versions: bind([]string{"ctrl+o"}, "ctrl+o", "versions: who changed what"),
		Restore:  bind([]string{"enter"}, "enter", "restore the chosen version"),
		Back:     bind([]string{"esc"}, "esc", "back to writing"),
	}
}

// OrganizerKeys watch the whole session.
type OrganizerKeys struct {
	Open, Back, Broadcast, Synthesis, Board, Export, Earlier, Later, NextPane key.Binding
	// Session-wide controls: the dashboard, the phase, every room's lock,
	// a question posed in every room, the session clock.
	Dashboard, Phase, LockAll, PoseAll, Clock, StopClock key.Binding
}

// DefaultOrganizerKeys returns the organizer's keys.
func DefaultOrganizerKeys() OrganizerKeys {
	return OrganizerKeys{
		Open:      bind([]string{"enter"}, "enter", "watch group"),
		Back:      bind([]string{"esc"}, "esc", "back"),
		Broadcast: bind([]string{"b"}, "b", "broadcast"),
		Synthesis: bind([]string{"S"}, "S", "synthesis"),
		Board:     bind([]string{"M"}, "M", "merge board: themes across groups"),
		Export:    bind([]string{"E"}, "E", "export report .md"),
		Earlier:   bind([]string{"["}, "[", "earlier question"),
		Later:     bind([]string{"]"}, "]", "later question"),
		NextPane:  bind([]string{"tab"}, "tab", "next pane"),
		Dashboard: bind([]string{"d"}, "d", "dashboard"),
		Phase:     bind([]string{"P"}, "P", "next phase: rooms→plenary→closed"),
		LockAll:   bind([]string{"L"}, "L", "lock/open all rooms"),
		PoseAll:   bind([]string{"Q"}, "Q", "pose a Q in all rooms"),
		Clock:     bind([]string{"c"}, "c", "session clock"),
		StopClock: bind([]string{"C"}, "C", "stop the session clock"),
	}
}

// LineKeys work in one-line inputs (a theme, a broadcast).
type LineKeys struct {
	Send, Cancel key.Binding
}

// DefaultLineKeys returns the keys of one-line inputs.
func DefaultLineKeys() LineKeys {
	return LineKeys{
		Send:   bind([]string{"enter"}, "enter", "send"),
		Cancel: bind([]string{"esc"}, "esc", "close, keep what was typed"),
	}
}

// keyMap is a help.KeyMap built from binding groups.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyMap) ShortHelp() []key.Binding  { return k.short }
func (k keyMap) FullHelp() [][]key.Binding { return k.full }
