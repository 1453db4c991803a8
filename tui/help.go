package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// helpGroup is one titled column of the ? page.
type helpGroup struct {
	title string
	keys  []key.Binding
}

// roleHelp is every key of a role's screen, grouped; the ? page and
// docs/keys.md are made from it.
func roleHelp(role session.Role) []helpGroup {
	g := DefaultGlobalKeys()
	l := DefaultListKeys()
	g = g.forRole(role)
	global := helpGroup{"Everywhere", []key.Binding{g.Help, g.Quit, g.Interrupt, g.Broadcasts, g.Dismiss, g.Info, g.Report, g.Survey}}
	pk := DefaultPlenaryKeys(role)
	plenary := helpGroup{"The plenary", append([]key.Binding{g.Plenary, l.Up, l.Down}, pk.all()...)}
	rk := DefaultReaderKeys()
	reading := helpGroup{"Reading the report", []key.Binding{l.Up, l.Down, rk.Switch, rk.Close}}
	sk := DefaultSurveyKeys()
	survey := helpGroup{"The survey", []key.Binding{sk.Next, sk.Prev, sk.Close}}
	move := helpGroup{"Moving", l.all()}
	compose := DefaultComposeKeys()
	writing := helpGroup{"Writing an idea", []key.Binding{compose.Send, compose.Newline, compose.Anonymous, compose.Close}}
	ik := DefaultIdeaKeys(role)
	ideas := helpGroup{"Ideas", []key.Binding{ik.New, ik.Vote, ik.BuildOn, ik.Edit, ik.Retract, ik.Anonymous, ik.Sort, ik.Earlier, ik.Later}}
	switch role {
	case session.Chair:
		c := DefaultChairKeys()
		return []helpGroup{ideas, {"Steering the room", []key.Binding{c.PoseNext, c.PosePrev, c.Timer, c.Extend, c.PauseTimer, c.StopTimer, c.Lock}},
			{"Tending ideas", []key.Binding{c.Pin, c.Merge, c.Hide, c.Panel, c.Remove}}, writing, plenary, reading, survey, move, global}
	case session.Rapporteur:
		r := DefaultRapporteurKeys()
		e := DefaultEditorKeys()
		return []helpGroup{ideas, {"The record", []key.Binding{r.NextPane, r.PrevPane, r.Theme, r.KeyIdea, r.Publish, r.Export}},
			{"In minutes and summary", []key.Binding{e.Leave, e.NextPane, e.Save, e.Reload, e.Versions}},
			{"Versions", []key.Binding{l.Up, l.Down, e.Restore, e.Back}}, writing, plenary, reading, survey, move, global}
	case session.Organizer:
		o := DefaultOrganizerKeys()
		e := DefaultEditorKeys()
		ro := DefaultIdeaKeys(session.Organizer)
		return []helpGroup{{"All groups", []key.Binding{o.Open, o.Back, o.Broadcast, o.Synthesis, o.Board, o.Dashboard, o.Export}},
			{"The whole session (table, dashboard)", []key.Binding{o.Phase, o.LockAll, o.PoseAll, o.Clock, o.StopClock}},
			{"Dashboard", DefaultDashboardKeys().all()},
			plenary,
			{"Watching a group", []key.Binding{o.NextPane, ro.Sort, ro.Earlier, ro.Later, withHelp(o.Broadcast, "message this group only"), o.Back}},
			{"Synthesis", []key.Binding{o.Earlier, o.Later, o.NextPane, e.Leave, e.Save, e.Reload, e.Versions, o.Back}},
			{"Versions", []key.Binding{l.Up, l.Down, e.Restore, e.Back}},
			{"Merge board", DefaultBoardKeys().all()}, {"Merge board: recommendations", DefaultRecKeys().all()}, move, global}
	}
	return []helpGroup{ideas, writing, plenary, reading, survey, move, global}
}

// withHelp is a binding with another description.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// pageText is the page shown over the screen: all keys, or broadcasts.
func (m Model) pageText(width int) string {
	switch {
	case m.showBcasts:
		return m.broadcastsText(width)
	case m.showInfo:
		return ansi.Wrap(m.a.extra, max(width, 10), "/")
	}
	return m.helpText(width)
}

// fullPage renders the ? page or the broadcasts scrolled to helpTop.
func (m Model) fullPage(width, height int) string {
	lines := strings.Split(m.pageText(width), "\n")
	top := min(m.helpTop, max(len(lines)-height, 0))
	return strings.Join(lines[top:], "\n")
}

// helpText is the whole ? page: the role's key groups packed into
// columns that fit the width, then the extra text.
func (m Model) helpText(width int) string {
	st := m.a.styles
	var cols []string
	for _, g := range roleHelp(m.a.me.Role) {
		body := m.help.FullHelpView([][]key.Binding{g.keys})
		if body == "" {
			continue
		}
		cols = append(cols, st.PaneTitle.Render(g.title)+"\n"+body)
	}
	var rows []string
	var cur []string
	used := 0
	for _, c := range cols {
		w := lipgloss.Width(c) + 4
		if used+w > width && len(cur) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cur...))
			cur, used = nil, 0
		}
		cur = append(cur, lipgloss.NewStyle().PaddingRight(4).Render(c))
		used += w
	}
	if len(cur) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cur...))
	}
	text := st.Title.Render(fmt.Sprintf("Keys for the %s", m.a.me.Role))
	if m.a.extra != "" {
		text += st.Accent.Render("   · i: how others join, the codes and the data directory")
	}
	return text + "\n\n" + strings.Join(rows, "\n\n")
}

// KeysMarkdown is the key map of every role as Markdown, for docs/keys.md
// and the README.
func KeysMarkdown() string {
	var b strings.Builder
	b.WriteString("# Keys\n\n")
	b.WriteString("Every screen shows the keys that work now in its help bar; `?` shows them all.\n")
	b.WriteString("This file is generated from the key maps in `tui/` (`go test ./tui -run TestKeysDoc -update`).\n")
	for _, role := range []session.Role{session.Participant, session.Chair, session.Rapporteur, session.Organizer} {
		fmt.Fprintf(&b, "\n## %s%s\n", strings.ToUpper(string(role[:1])), role[1:])
		for _, g := range roleHelp(role) {
			var rows []string
			for _, k := range g.keys {
				if !k.Enabled() {
					continue
				}
				rows = append(rows, fmt.Sprintf("| `%s` | %s |", strings.Join(docKeys(k), "` `"), k.Help().Desc))
			}
			if len(rows) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n| key | does |\n|---|---|\n%s\n", g.title, strings.Join(rows, "\n"))
		}
	}
	return b.String()
}

// docKeys is how a binding's keys read in the docs.
func docKeys(k key.Binding) []string {
	var out []string
	for _, s := range k.Keys() {
		switch s {
		case "up":
			s = "↑"
		case "down":
			s = "↓"
		case "`":
			s = "backtick"
		}
		out = append(out, s)
	}
	return out
}
