package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles are every style the screens use, for a light or a dark terminal.
// The program builds them once at start and again when the terminal says
// what its background colour is.
type Styles struct {
	IsDark bool

	Title    lipgloss.Style // the session title
	Strong   lipgloss.Style // group names, counts that matter
	Dim      lipgloss.Style // secondary text
	Faint    lipgloss.Style // separators, hints
	Accent   lipgloss.Style
	Good     lipgloss.Style // live, open
	Warn     lipgloss.Style // reconnecting, little time left, silent members
	Bad      lipgloss.Style // closed, locked, time's up
	Mine     lipgloss.Style // the viewer's own ideas
	Gutter   lipgloss.Style // the bar beside the selected idea
	Voted    lipgloss.Style // a vote the viewer gave
	Votes    lipgloss.Style // a vote count
	Tag      lipgloss.Style // pinned, key, theme tags
	Hidden   lipgloss.Style // hidden ideas, as the chair sees them
	Question lipgloss.Style // a question's text in a pane

	PaneTitle       lipgloss.Style
	PaneTitleActive lipgloss.Style
	Rule            lipgloss.Style // pane separators

	Info      lipgloss.Style // notices
	Error     lipgloss.Style // rejections
	Broadcast lipgloss.Style // the organizer's broadcasts
	Confirm   lipgloss.Style // a question asked before acting

	TableHeader lipgloss.Style
	Selected    lipgloss.Style // the selected table row

	Help     help.Styles
	Textarea textarea.Styles
	Input    textinput.Styles

	// Glamour is the glamour style name for Markdown previews.
	Glamour string

	// Inks are the styles the idea list paints most, as plain escape
	// sequences: Render costs microseconds, painting nothing.
	ink struct {
		gutter, faint, dim, strong, voted, votes, mine, tag, hidden ink
	}
}

// ink paints one line of text with a style's escape sequences.
type ink struct{ pre, post string }

func inkOf(s lipgloss.Style) ink {
	r := s.Render("x")
	i := strings.Index(r, "x")
	if i < 0 {
		return ink{}
	}
	return ink{pre: r[:i], post: r[i+1:]}
}

func (i ink) paint(s string) string {
	if s == "" || i.pre == "" {
		return s
	}
	return i.pre + s + i.post
}

// NewStyles returns the styles for a dark or a light background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	var (
		accent = ld(c("#5A4FCF"), c("#A99BFF"))
		dim    = ld(c("#6C6C6C"), c("#9E9E9E"))
		faint  = ld(c("#A8A8A8"), c("#5C5C5C"))
		good   = ld(c("#1B7F3B"), c("#5FD787"))
		warn   = ld(c("#9A5800"), c("#FFB454"))
		bad    = ld(c("#C0262D"), c("#FF6B6B"))
		mine   = ld(c("#005F87"), c("#5FAFFF"))
		selBg  = ld(c("#ECE9FF"), c("#2D2A45"))
	)
	s := Styles{IsDark: isDark}
	base := lipgloss.NewStyle()
	s.Title = base.Bold(true).Foreground(accent)
	s.Strong = base.Bold(true)
	s.Dim = base.Foreground(dim)
	s.Faint = base.Foreground(faint)
	s.Accent = base.Foreground(accent)
	s.Good = base.Foreground(good)
	s.Warn = base.Foreground(warn)
	s.Bad = base.Foreground(bad)
	s.Mine = base.Foreground(mine)
	s.Gutter = base.Foreground(accent).Bold(true)
	s.Voted = base.Foreground(accent).Bold(true)
	s.Votes = base.Foreground(dim)
	s.Tag = base.Foreground(warn)
	s.Hidden = base.Foreground(faint).Strikethrough(true)
	s.Question = base.Bold(true)
	s.PaneTitle = base.Foreground(dim).Bold(true)
	s.PaneTitleActive = base.Foreground(accent).Bold(true).Underline(true)
	s.Rule = base.Foreground(faint)
	s.Info = base.Foreground(dim)
	s.Error = base.Foreground(bad)
	s.Broadcast = base.Foreground(accent).Bold(true)
	s.Confirm = base.Foreground(warn).Bold(true)
	s.TableHeader = base.Foreground(dim).Bold(true)
	s.Selected = base.Background(selBg).Bold(true)

	s.Help = help.DefaultStyles(isDark)
	s.Help.ShortKey = s.Help.ShortKey.Foreground(accent)
	s.Help.FullKey = s.Help.FullKey.Foreground(accent)
	s.Help.ShortDesc = s.Help.ShortDesc.Foreground(dim)
	s.Help.FullDesc = s.Help.FullDesc.Foreground(dim)

	s.Textarea = textarea.DefaultStyles(isDark)
	s.Textarea.Focused.CursorLine = lipgloss.NewStyle()
	s.Textarea.Focused.Prompt = s.Textarea.Focused.Prompt.Foreground(accent)
	s.Textarea.Blurred.Prompt = s.Textarea.Blurred.Prompt.Foreground(faint)
	s.Input = textinput.DefaultStyles(isDark)
	s.Input.Focused.Prompt = s.Input.Focused.Prompt.Foreground(accent)

	s.ink.gutter, s.ink.faint, s.ink.dim = inkOf(s.Gutter), inkOf(s.Faint), inkOf(s.Dim)
	s.ink.strong, s.ink.voted, s.ink.votes = inkOf(s.Strong), inkOf(s.Voted), inkOf(s.Votes)
	s.ink.mine, s.ink.tag, s.ink.hidden = inkOf(s.Mine), inkOf(s.Tag), inkOf(s.Hidden)

	s.Glamour = "light"
	if isDark {
		s.Glamour = "dark"
	}
	return s
}
