package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"breakout/session"
)

// listView says how to draw an idea list.
type listView struct {
	focused      bool // the selection bar is bright
	votes        bool // show the viewer's votes left
	fullQuestion bool // show the question's whole text above the ideas
	readOnly     bool // the organizer watching
}

// view renders the list in width × height: a title line, maybe the
// question, then the window of rows around the selection.
func (l *ideaList) view(width, height int, o listView) string {
	if height <= 0 || width <= 0 {
		return ""
	}
	l.refresh()
	st := l.a.styles
	var head []string
	q, qi := l.a.state.Question(l.questionID())
	cur := l.current()
	if !cur || o.fullQuestion {
		label := fmt.Sprintf("Q%d/%d ", qi+1, len(l.a.state.Questions))
		if !cur {
			label += "(not the current question: read only) "
		}
		text := ansi.Wrap(st.Accent.Render(label)+st.Question.Render(oneLine(q.Text)), width, "")
		lines := strings.Split(text, "\n")
		if len(lines) > 3 {
			lines = lines[:3]
			lines[2] = ansi.Truncate(lines[2], width-1, "") + "…"
		}
		head = append(head, lines...)
	}
	title := plural(l.shown, "idea", "ideas")
	if l.hidden && l.hiddenN > 0 {
		title += fmt.Sprintf(" + %d hidden", l.hiddenN)
	}
	title += " · " + l.sort.String()
	if o.votes && cur {
		left := l.a.state.VotesPerPerson - l.used
		v := fmt.Sprintf("%d of %d votes left", left, l.a.state.VotesPerPerson)
		if left <= 0 {
			v = st.Warn.Render(v)
		}
		title += " · " + v
	}
	pos := ""
	if len(l.rows) > 0 {
		pos = fmt.Sprintf("%d/%d", l.selIdx+1, len(l.rows))
	}
	head = append(head, fill(st.PaneTitle.Render(ansi.Truncate(title, max(width-len(pos)-1, 0), "…")), st.Faint.Render(pos), width))

	avail := height - len(head)
	if avail <= 0 {
		return strings.Join(head[:height], "\n")
	}
	if len(l.rows) == 0 {
		empty := "No ideas yet."
		if cur && !o.readOnly && session.Allowed(l.a.me.Role, session.KindIdeaAdd) {
			empty += " Press n to add the first."
		}
		head = append(head, "", st.Dim.Render(empty))
		return strings.Join(head, "\n")
	}
	// Scroll so the selected row is on screen, rendering only rows near it.
	if l.offset > l.selIdx {
		l.offset = l.selIdx
	}
	used := 0
	for k := l.selIdx; k >= 0; k-- {
		h := len(l.row(l.rows[k], width, k == l.selIdx, o.focused))
		if used+h > avail && k < l.selIdx {
			if l.offset <= k {
				l.offset = k + 1
			}
			break
		}
		used += h
	}
	if n := l.newAbove(); n > 0 {
		// Said on the title line, not scrolled into: the list stays still
		// under the person reading it.
		note := st.Accent.Render(fmt.Sprintf("↑ %d new above (g: top)", n))
		last := len(head) - 1
		head[last] = fill(st.PaneTitle.Render(ansi.Truncate(title, max(width-len(pos)-ansi.StringWidth(ansi.Strip(note))-3, 0), "…"))+"  "+note, st.Faint.Render(pos), width)
	}
	lines := head
	for k := l.offset; k < len(l.rows) && len(lines) < height; k++ {
		row := l.row(l.rows[k], width, k == l.selIdx, o.focused)
		lines = append(lines, row...)
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}

// page is how many rows a page key moves.
func (l *ideaList) page(height int) int { return max(height/3, 1) }

// rowKey is what a rendered row depends on besides the replica.
type rowKey struct {
	id                string
	width, depth      int
	selected, focused bool
}

// row returns the lines of a row, rendered once per replica change, width
// and colours.
func (l *ideaList) row(r ideaRow, width int, selected, focused bool) []string {
	if l.rowsRev != l.a.rev || l.rowsDark != l.a.styles.IsDark || l.rowCache == nil {
		l.rowsRev, l.rowsDark = l.a.rev, l.a.styles.IsDark
		if l.rowCache == nil || len(l.rowCache) > 512 {
			l.rowCache = map[rowKey][]string{}
		} else {
			clear(l.rowCache)
		}
	}
	k := rowKey{id: r.idea.ID, width: width, depth: r.depth, selected: selected, focused: focused}
	if lines, ok := l.rowCache[k]; ok {
		return lines
	}
	lines := l.renderRow(r, width, selected, focused)
	l.rowCache[k] = lines
	return lines
}

// renderRow draws one idea: selection bar, thread indent, votes, text
// (a few lines, more when selected) and what is known of it.
func (l *ideaList) renderRow(r ideaRow, width int, selected, focused bool) []string {
	pen := &l.a.styles.ink
	i := r.idea
	gutter := " "
	if selected {
		if focused {
			gutter = pen.gutter.paint("▌")
		} else {
			gutter = pen.faint.paint("▌")
		}
	}
	indent := ""
	if r.depth > 0 {
		indent = strings.Repeat("  ", min(r.depth-1, 3)) + "↳ "
	}
	var votes string
	if l.a.me.ID != "" && i.VotedBy(l.a.me.ID) {
		votes = pen.voted.paint(fmt.Sprintf("▲%3d", i.Votes()))
	} else {
		votes = pen.votes.paint(fmt.Sprintf("△%3d", i.Votes()))
	}
	indentW := ansi.StringWidth(indent)
	textW := max(width-1-indentW-5, 8)
	text := steady(strings.ReplaceAll(i.Text, "\t", "  "))
	body := strings.Split(ansi.Wrap(text, textW, ""), "\n")
	limit := 3
	if selected {
		limit = 12
	}
	if len(body) > limit {
		body = body[:limit]
		body[limit-1] = ansi.Truncate(body[limit-1], textW-1, "") + "…"
	}
	var textInk ink
	switch {
	case i.Hidden:
		textInk = pen.hidden
	case selected && focused:
		textInk = pen.strong
	}
	metaW := ansi.StringWidth(l.meta(i))
	lastW := ansi.StringWidth(body[len(body)-1])
	for k := range body {
		body[k] = textInk.paint(body[k])
	}
	if lastW+2+metaW <= textW {
		body[len(body)-1] += "  " + l.metaStyled(i)
	} else {
		body = append(body, ansi.Truncate(l.metaStyled(i), textW, "…"))
	}
	cont := gutter + pad(indentW+5)
	for k, b := range body {
		if k == 0 {
			body[k] = gutter + pen.faint.paint(indent) + votes + " " + b
		} else {
			body[k] = cont + b
		}
	}
	return body
}

// meta is the plain text of what metaStyled shows, for measuring.
func (l *ideaList) meta(i *session.Idea) string {
	return strings.Join(l.metaParts(i), " · ")
}

func (l *ideaList) metaParts(i *session.Idea) []string {
	var parts []string
	switch {
	case i.Mine && i.Anonymous:
		parts = append(parts, "you, anonymously")
	case i.Mine:
		parts = append(parts, "you")
	case i.Author == "":
		parts = append(parts, "anonymous")
	default:
		parts = append(parts, l.a.name(i.Author))
	}
	if i.Pinned {
		parts = append(parts, "pinned")
	}
	if i.Key {
		parts = append(parts, "key idea")
	}
	if i.Theme != "" {
		parts = append(parts, "#"+i.Theme)
	}
	if i.Hidden {
		parts = append(parts, "hidden")
	}
	if !i.Edited.IsZero() {
		parts = append(parts, "edited")
	}
	return parts
}

func (l *ideaList) metaStyled(i *session.Idea) string {
	pen := &l.a.styles.ink
	parts := l.metaParts(i)
	for k, p := range parts {
		switch {
		case k == 0 && i.Mine:
			parts[k] = pen.mine.paint(p)
		case k == 0:
			parts[k] = pen.dim.paint(p)
		case p == "pinned" || p == "key idea" || strings.HasPrefix(p, "#"):
			parts[k] = pen.tag.paint(p)
		default:
			parts[k] = pen.dim.paint(p)
		}
	}
	return strings.Join(parts, pen.faint.paint(" · "))
}
