package tui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// lineInput is a one-line question at the foot of a screen: a theme, a
// broadcast. It hands its text to done on enter.
type lineInput struct {
	a     *app
	keys  LineKeys
	ti    textinput.Model
	open  bool
	title string
	// slot names what the text is kept under: the title, or for an edit
	// the thing edited.
	slot  string
	first string // the value it opened with
	done  func(text string) tea.Cmd
	// limit is the most characters the relay takes, and noun what the
	// text is ("the broadcast"), for the counter and the refusal. The
	// input itself cuts nothing: a longer text stays, to be shortened.
	limit int
	noun  string
	// kept is new text left with esc, or text the relay refused, by the
	// slot it was typed in: opening that question again brings it back.
	kept map[string]string
	// waiting are the texts sent and not yet answered, by op id.
	waiting map[string]sentLine
}

// sentLine is a text sent from the input, kept until the relay takes it.
type sentLine struct {
	slot, text string
	// moved, when it holds, says where a refused text goes instead of
	// back to its slot (an edit of something removed meanwhile becomes
	// a new draft) and what to tell.
	moved func() (slot, say string, ok bool)
}

func newLineInput(a *app, limit int) *lineInput {
	ti := textinput.New()
	ti.SetVirtualCursor(false)
	ti.SetStyles(a.styles.Input)
	ti.Prompt = "› "
	return &lineInput{a: a, keys: DefaultLineKeys(), ti: ti, limit: limit, noun: "the text",
		kept: map[string]string{}, waiting: map[string]sentLine{}}
}

// start opens the input with a title, a first value and what to do with
// the text. What was typed under the same title and left with esc, or
// refused by the relay, comes back.
func (l *lineInput) start(title, value string, suggestions []string, done func(string) tea.Cmd) tea.Cmd {
	return l.startIn(title, title, value, suggestions, done)
}

// startIn is start with the slot the text is kept under; an edit names
// the thing it edits, so a refused edit comes back to it alone.
func (l *lineInput) startIn(slot, title, value string, suggestions []string, done func(string) tea.Cmd) tea.Cmd {
	l.open, l.title, l.slot, l.first, l.done = true, title, slot, value, done
	if k, ok := l.kept[slot]; ok {
		value = k
	}
	l.ti.SetValue(value)
	l.ti.CursorEnd()
	l.ti.ShowSuggestions = len(suggestions) > 0
	l.ti.SetSuggestions(suggestions)
	return l.ti.Focus()
}

func (l *lineInput) close() {
	l.open = false
	l.ti.Blur()
}

func (l *lineInput) update(msg tea.Msg) tea.Cmd {
	if p, ok := msg.(tea.PasteMsg); ok {
		text, joined := joinLines(p.Content)
		var cmd tea.Cmd
		l.ti, cmd = l.ti.Update(tea.PasteMsg{Content: text})
		if joined {
			return tea.Batch(cmd, l.a.say(noticeInfo, "the pasted lines are joined into one line, with spaces"))
		}
		return cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, l.keys.Cancel):
			text := l.ti.Value()
			l.close()
			_, wasKept := l.kept[l.slot]
			switch {
			case (l.first == "" || wasKept) && strings.TrimSpace(text) != "" && text != l.first:
				l.kept[l.slot] = text
				return l.a.say(noticeInfo, "kept what you typed: it comes back when you open this again")
			case l.first != "" && text != l.first:
				delete(l.kept, l.slot)
				return l.a.say(noticeInfo, "left as it was: the change was not sent")
			}
			delete(l.kept, l.slot)
			return nil
		case key.Matches(k, l.keys.Send):
			text := l.ti.Value()
			if n := utf8.RuneCountInString(text); l.limit > 0 && n > l.limit {
				return l.a.say(noticeError, fmt.Sprintf("%s is %d characters; at most %d: shorten it", l.noun, n, l.limit))
			}
			l.close()
			delete(l.kept, l.slot)
			return l.done(text)
		}
	}
	var cmd tea.Cmd
	l.ti, cmd = l.ti.Update(msg)
	return cmd
}

// joinLines makes pasted text one line: its lines joined with spaces,
// tabs as spaces. joined reports whether there was more than one line.
func joinLines(s string) (string, bool) {
	s = strings.ReplaceAll(s, "\t", " ")
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' })
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 1 && !strings.ContainsAny(strings.TrimSpace(s), "\n\r\u2028\u2029") {
		return s, false // one line: as pasted, spaces and all
	}
	return strings.Join(out, " "), len(out) > 1
}

// send sends an op carrying text typed here. If the relay refuses it, the
// text comes back into the input: opening it again shows it.
func (l *lineInput) send(kind string, data any, what, text string) tea.Cmd {
	return l.sendOr(kind, data, what, text, nil)
}

// sendOr is send with where a refused text goes when moved says so.
func (l *lineInput) sendOr(kind string, data any, what, text string, moved func() (string, string, bool)) tea.Cmd {
	id, cmd := l.a.send(kind, data, what)
	if id != "" {
		l.waiting[id] = sentLine{slot: l.slot, text: text, moved: moved}
	} else {
		l.keep(l.slot, text) // not sent at all
	}
	return cmd
}

// result takes the answer to an op sent from the input; ok is false for
// ops sent elsewhere. A refused text goes back to where it was typed.
func (l *lineInput) result(r opResultMsg) (bool, tea.Cmd) {
	w, ok := l.waiting[r.id]
	if !ok {
		return false, nil
	}
	delete(l.waiting, r.id)
	if r.reject == nil {
		return true, nil
	}
	slot, say := w.slot, "your text is back in the input"
	if w.moved != nil {
		if s, t, ok := w.moved(); ok {
			slot, say = s, t
		}
	}
	l.keep(slot, w.text)
	return true, l.a.say(noticeError, "couldn't "+r.what+": "+r.reject.Message+"; "+say)
}

// keep puts text back in a slot, after what is there already: into the
// open input, or to come back when the slot opens again.
func (l *lineInput) keep(slot, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	if l.open && l.slot == slot {
		switch v := l.ti.Value(); {
		case strings.TrimSpace(v) == "" || v == l.first:
			l.ti.SetValue(text)
		case !strings.Contains(v, text):
			l.ti.SetValue(v + " " + text)
		}
		l.ti.CursorEnd()
		return
	}
	switch k := l.kept[slot]; {
	case strings.TrimSpace(k) == "":
		l.kept[slot] = text
	case !strings.Contains(k, text):
		l.kept[slot] = k + " " + text
	}
}

func (l *lineInput) setWidth(w int) { l.ti.SetWidth(max(w-3, 1)) }

// view is two lines: the title, with a counter once the text nears its
// limit, and the input.
func (l *lineInput) view(width int) string {
	title := withCounter(l.a.styles, l.a.styles.PaneTitleActive.Render(l.title), l.ti.Value(), l.limit, width)
	return title + "\n" + l.ti.View()
}

// withCounter puts after title, cut to fit width, the counter of text
// against limit ("912/1000") once it is past nine tenths of the limit, in
// the error style once over; before that title alone.
func withCounter(st Styles, title, text string, limit, width int) string {
	n := utf8.RuneCountInString(text)
	if limit <= 0 || n*10 < limit*9 {
		return title
	}
	style := st.Dim
	if n > limit {
		style = st.Error
	}
	c := style.Render(fmt.Sprintf("%d/%d", n, limit))
	return ansi.Truncate(title, max(width-ansi.StringWidth(c)-2, 1), "…") + "  " + c
}

// cursor is the real cursor, relative to the view.
func (l *lineInput) cursor() *tea.Cursor {
	c := l.ti.Cursor()
	if c != nil {
		c.Position.Y++
	}
	return c
}

// unsent reports whether typed text would be lost on quitting: open with
// text, or text kept from an esc or a refusal.
func (l *lineInput) unsent() bool { return l.open && l.ti.Value() != "" || len(l.kept) > 0 }

func (l *lineInput) shortKeys() []key.Binding { return []key.Binding{l.keys.Send, l.keys.Cancel} }

// unsentText is what unsent counts: the open text, and the texts kept.
func (l *lineInput) unsentText() string {
	var out []string
	if l.open {
		out = append(out, l.ti.Value())
	}
	for _, slot := range slices.Sorted(maps.Keys(l.kept)) {
		if !l.open || slot != l.slot {
			out = append(out, l.kept[slot])
		}
	}
	return joinUnsent(out...)
}
