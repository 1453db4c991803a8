package tui

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	dmp "github.com/sergi/go-diff/diffmatchpatch"

	"breakout/relay"
	"breakout/session"
)

// saveDelay is how long after the last key a long text is saved.
const saveDelay = 800 * time.Millisecond

// textEditor edits one long text (a group's minutes or summary for a
// question, or the synthesis) and saves it a little after each pause.
// Saved edits go through the client's outbox, so they survive a lost
// connection and a restart. Each edit names the version it was made on;
// the relay merges it onto whatever was saved meanwhile, and the editor
// does the same with what arrives while the person types: the text typed
// here is rebased onto the newly saved version, so nothing anyone typed
// is lost, and a notice says who changed the text.
type textEditor struct {
	a        *app
	kind     string // session.Minutes, Summary or Synthesis
	opKind   string
	what     string // "the minutes", for messages
	group    string // "" for the synthesis
	question string
	named    bool // the view names the question above the text
	ta       textarea.Model

	shadow   string            // the saved body the text here builds on
	shadowV  int               // its version
	inflight map[string]string // edits sent and not yet answered: op id → text sent
	sentText string            // the text of the newest edit in flight
	again    bool              // typed while an edit was in flight: save on its answer
	failed   bool              // the last save was refused; the text waits here
	holding  bool              // asking whether to drop the typing: nothing is saved
	gen      int               // which pause a save tick belongs to
	// kept holds, per question, text that could not be saved when the
	// editor moved to another question: it comes back on return.
	kept map[string]keptText
	// away holds the edits in flight when the editor moved to another
	// question, by op id: refused, they are kept for their question.
	away   map[string]awayEdit
	loaded bool
	vers   *versionList // the versions being browsed, or nil
	width  int
	height int
}

// keptText is text typed on a saved version that could not be saved.
type keptText struct {
	text, base string
	baseV      int
}

// awayEdit is an edit of another question's text still in flight.
type awayEdit struct {
	question string
	keptText
}

// saveTickMsg fires a pause after an edit; only the latest one saves.
type saveTickMsg struct {
	ed  *textEditor
	gen int
}

// reloadMsg is sent once the person confirmed dropping what they typed.
// keep is set when they said no.
type reloadMsg struct {
	ed   *textEditor
	keep bool
}

func newTextEditor(a *app, kind, group string) *textEditor {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	// No limit here: text merged in from others, or pasted, is never cut.
	// A text over session.MaxLongText is kept and refused with a line
	// that says how much to shorten it (save).
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.SetVirtualCursor(false)
	ta.SetStyles(a.styles.Textarea)
	ta.KeyMap.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	e := &textEditor{a: a, kind: kind, group: group, ta: ta, inflight: map[string]string{}, kept: map[string]keptText{}, away: map[string]awayEdit{}}
	switch kind {
	case session.Minutes:
		e.opKind, e.what = session.KindMinutesEdit, "the minutes"
		e.ta.Placeholder = "Minutes of the discussion: who said what, what was decided…"
	case session.Summary:
		e.opKind, e.what = session.KindSummaryEdit, "the summary"
		e.ta.Placeholder = "A short summary of the group's answer for the report…"
	case session.Executive:
		e.opKind, e.what = session.KindExecutiveEdit, "the executive summary"
		e.ta.Placeholder = "The conference in a few paragraphs, for readers who read nothing else…"
	case session.Recommendations:
		e.opKind, e.what = session.KindRecommendationsEdit, "the recommendations"
		e.ta.Placeholder = "What the conference recommends, one point per line…"
	default:
		e.opKind, e.what = session.KindSynthesis, "the synthesis"
		e.ta.Placeholder = "The synthesis of every group's answer to this question…"
	}
	return e
}

func (e *textEditor) text() *session.Text { return e.a.state.Text(e.kind, e.group, e.question) }

// load shows the question's text as the replica holds it, dropping what
// was typed and not saved (flush or keep first to keep it). Text kept
// for the question when the editor left it comes back, rebased onto
// what was saved since, waiting for ctrl+s.
func (e *textEditor) load(question string) {
	e.question, e.loaded = question, true
	e.failed, e.again, e.vers, e.holding = false, false, nil, false
	clear(e.inflight)
	e.shadow, e.shadowV = "", 0
	if t := e.text(); t != nil {
		e.shadow, e.shadowV = t.Body, t.Version
	}
	e.ta.SetValue(e.shadow)
	if k, ok := e.kept[question]; ok {
		delete(e.kept, question)
		text := k.text
		if k.baseV != e.shadowV {
			text = session.Merge3(k.base, e.shadow, k.text, e.a.me.Name).Text
		}
		if text != e.shadow {
			e.ta.SetValue(text)
			e.failed = true
		}
	}
	e.relayout()
}

// giveBack keeps a refused edit of question w.question for its question:
// merged into what shows when the editor is on it, else kept for load.
func (e *textEditor) giveBack(w awayEdit, why, which string) tea.Cmd {
	if _, typed := e.kept[w.question]; !typed {
		e.kept[w.question] = w.keptText
	}
	if e.loaded && e.question == w.question {
		delete(e.kept, w.question)
		e.setValueKeepCursor(session.Merge3(w.base, e.ta.Value(), w.text, e.a.me.Name).Text)
		e.failed = e.dirty()
		return e.a.say(noticeError, fmt.Sprintf("couldn't save %s%s: %s; the text is here, not saved: change it and save", e.what, which, why))
	}
	return e.a.say(noticeError, fmt.Sprintf("couldn't save %s%s of %s: %s; the text is kept here, and comes back when you return to it",
		e.what, which, e.a.questionLabel(w.question), why))
}

// keepUnsaved keeps what is typed here and cannot be saved, for load to
// bring back, and reports whether there was any.
func (e *textEditor) keepUnsaved() bool {
	if !e.loaded || !e.dirty() {
		return false
	}
	e.kept[e.question] = keptText{text: e.ta.Value(), base: e.shadow, baseV: e.shadowV}
	return true
}

// follow switches to another question, saving what is pending first;
// what cannot be saved is kept for the question and a notice says so.
func (e *textEditor) follow(question string) tea.Cmd {
	if e.loaded && question == e.question {
		return nil
	}
	var cmd tea.Cmd
	if e.loaded {
		from := e.question
		e.flush()
		for id, text := range e.inflight {
			e.away[id] = awayEdit{from, keptText{text: text, base: e.shadow, baseV: e.shadowV}}
		}
		if e.keepUnsaved() {
			cmd = e.a.say(noticeError, fmt.Sprintf("%s of %s are not saved: they are kept here, and come back when you return to it",
				capital(e.what), e.a.questionLabel(from)))
		}
	}
	e.load(question)
	return cmd
}

// saved is the text as it will stand once the edits in flight are in.
func (e *textEditor) saved() string {
	if len(e.inflight) > 0 {
		return e.sentText
	}
	return e.shadow
}

func (e *textEditor) dirty() bool { return e.ta.Value() != e.saved() }

// update handles a key or message while the editor has the focus.
func (e *textEditor) update(msg tea.Msg) tea.Cmd {
	if e.vers != nil {
		return nil
	}
	before := e.ta.Value()
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	if e.ta.Value() == before {
		return cmd
	}
	e.failed = false
	e.gen++
	gen := e.gen
	return tea.Batch(cmd, tea.Tick(saveDelay, func(time.Time) tea.Msg { return saveTickMsg{ed: e, gen: gen} }))
}

// handle takes the messages every editor hears, focused or not: save
// ticks, op results and replica changes. It reports whether msg was its.
func (e *textEditor) handle(msg tea.Msg) (bool, tea.Cmd) {
	switch msg := msg.(type) {
	case saveTickMsg:
		if msg.ed != e {
			return false, nil
		}
		if msg.gen == e.gen && e.dirty() && !e.failed && !e.holding {
			return true, e.save()
		}
		return true, nil
	case reloadMsg:
		if msg.ed != e {
			return false, nil
		}
		e.holding = false
		if msg.keep {
			return true, e.save()
		}
		e.load(e.question)
		return true, e.a.say(noticeInfo, "reloaded "+e.what+" as saved")
	case opResultMsg:
		if w, ok := e.away[msg.id]; ok {
			delete(e.away, msg.id)
			if msg.reject == nil {
				return true, nil
			}
			return true, e.giveBack(w, msg.reject.Message, "")
		}
		if msg.earlier && msg.reject != nil && msg.op != nil && msg.op.Kind == e.opKind {
			// Queued by an earlier run of the program: its text is only
			// in the op. What it was made on is not known here, so it
			// comes back beside what was saved since.
			var d session.TextEdit
			if json.Unmarshal(msg.op.Data, &d) == nil && d.Text != "" {
				return true, e.giveBack(awayEdit{d.Question, keptText{text: d.Text, baseV: -1}}, msg.reject.Message, " written before breakout restarted")
			}
		}
		sent, ok := e.inflight[msg.id]
		if !ok {
			return false, nil
		}
		delete(e.inflight, msg.id)
		if msg.reject != nil {
			// The text stays here, unsaved, until the person changes it.
			e.failed = true
			return true, nil
		}
		return true, e.acked(msg.seq, sent)
	case replicaMsg:
		return false, e.replicaChanged()
	}
	return false, nil
}

// acked takes the answer to an edit: the version it made, merged by the
// relay onto what others saved, becomes the base of the text here, and
// what was typed since it was sent is rebased onto it.
func (e *textEditor) acked(seq int64, sent string) tea.Cmd {
	t := e.text()
	if t == nil {
		return nil
	}
	v := t.Version
	body := t.Body
	var made *session.TextVersion
	for k := range t.Versions {
		if t.Versions[k].Seq == seq {
			made = &t.Versions[k]
			v, body = made.Version, made.Body
		}
	}
	var cmds []tea.Cmd
	from := e.shadowV
	if v >= e.shadowV {
		e.rebase(sent, body, v)
	}
	// The relay merged the edit onto what others saved since it was
	// made: say who.
	if who := e.changedBy(t, from, v); len(who) > 0 {
		msg := fmt.Sprintf("%s changed %s (v%d); yours is merged in", andNames(who), e.what, v)
		if made != nil && made.Conflicts > 0 {
			msg = fmt.Sprintf("%s changed %s (v%d); where yours overlapped both are kept, yours marked %s…%s",
				andNames(who), e.what, v, session.MarkOpen, session.MarkClose)
		}
		cmds = append(cmds, e.a.say(noticeInfo, msg))
	}
	cmds = append(cmds, e.replicaChanged())
	if len(e.inflight) == 0 && (e.again || e.dirty()) && !e.failed && !e.holding {
		e.again = false
		cmds = append(cmds, e.save())
	}
	return tea.Batch(cmds...)
}

// rebase moves the text here onto body, version v, of which base was
// the saved text it built on: what was typed since base is kept, made
// again on body.
//
// The cursor goes with the text typed here: it is marked in that text
// for the merge, so that it stays where the person was typing even when
// the other side added text alike at the same place (two people starting
// a line with the same letter), where a diff of the two results could
// put it in the other person's line.
func (e *textEditor) rebase(base, body string, v int) session.Merge {
	local := e.ta.Value()
	e.shadow, e.shadowV = body, v
	m := session.Merge3(base, body, local, e.a.me.Name)
	if m.Text == local {
		return m
	}
	if local != base && !strings.Contains(local, cursorMark) && !strings.Contains(body, cursorMark) {
		off := cursorOffset(local, e.ta.Line(), e.ta.Column())
		mm := session.Merge3(base, body, local[:off]+cursorMark+local[off:], e.a.me.Name)
		// The mark only says where the cursor goes: used when the merge
		// with it is the merge without it.
		if at := strings.Index(mm.Text, cursorMark); at >= 0 && mm.Text[:at]+mm.Text[at+len(cursorMark):] == m.Text {
			e.ta.SetValue(m.Text)
			row, col := rowCol(m.Text, at)
			e.moveCursor(row, col)
			return m
		}
	}
	e.setValueKeepCursor(m.Text)
	return m
}

// cursorMark stands for the cursor in a text being merged: a private-use
// character no keyboard types.
const cursorMark = "\U0010FFFD"

// replicaChanged takes over a newer saved text, rebasing what is typed
// here onto it, and says who changed it.
func (e *textEditor) replicaChanged() tea.Cmd {
	if !e.loaded || len(e.inflight) > 0 {
		return nil // the answer to the edit in flight rebases
	}
	t := e.text()
	if t == nil || t.Version <= e.shadowV {
		return nil
	}
	from := e.shadowV
	m := e.rebase(e.shadow, t.Body, t.Version)
	if e.vers != nil {
		e.vers.refresh(t)
	}
	who := e.changedBy(t, from, t.Version)
	if len(who) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s changed %s (v%d)", andNames(who), e.what, t.Version)
	if m.Conflicts > 0 {
		msg += fmt.Sprintf("; where you typed over it both are kept, yours marked %s…%s", session.MarkOpen, session.MarkClose)
	} else if e.dirty() {
		msg += "; what you typed is kept"
	}
	return e.a.say(noticeInfo, msg)
}

// changedBy names the others who made the versions after from, up to to.
func (e *textEditor) changedBy(t *session.Text, from, to int) []string {
	var who []string
	for _, v := range t.Versions {
		if v.Version > from && v.Version <= to && v.By != e.a.me.ID {
			if n := e.a.name(v.By); !contains(who, n) {
				who = append(who, n)
			}
		}
	}
	return who
}

// setValueKeepCursor replaces the text and puts the cursor where the
// same place is in the new text.
func (e *textEditor) setValueKeepCursor(text string) {
	old := e.ta.Value()
	off := cursorOffset(old, e.ta.Line(), e.ta.Column())
	off = mapOffset(dmp.New().DiffMain(old, text, false), off)
	e.ta.SetValue(text)
	row, col := rowCol(text, off)
	e.moveCursor(row, col)
}

// save sends the text, made on the saved version it builds on. A text
// the relay would refuse stays here, unsaved, with one line that says
// what to change.
func (e *textEditor) save() tea.Cmd {
	text := e.ta.Value()
	if err := session.CheckText(text, session.MaxLongText, true); err != nil {
		e.failed = true
		return e.a.say(noticeError, "couldn't save "+e.what+": the text "+err.Error()+"; it is kept here until you change it")
	}
	if len(e.inflight) > 0 {
		e.again = true // sent when the edit in flight is answered
		return nil
	}
	return e.send(text)
}

func (e *textEditor) send(text string) tea.Cmd {
	id, cmd := e.a.send(e.opKind, session.TextEdit{Question: e.question, Text: text, Base: session.BaseOf(e.shadowV)}, "save "+e.what)
	if id == "" {
		return cmd // not queued: the text stays unsaved
	}
	e.inflight[id] = text
	e.sentText = text
	return cmd
}

// flush saves now what is waiting for a pause, also while an edit is in
// flight (the relay merges the two). A text the relay would refuse is
// not sent: it stays unsaved here.
func (e *textEditor) flush() {
	if !e.loaded || !e.dirty() || e.failed {
		return
	}
	if session.CheckText(e.ta.Value(), session.MaxLongText, true) != nil {
		e.failed = true
		return
	}
	e.send(e.ta.Value())
}

// keys handles the editor's own keys; it reports whether it used k.
func (e *textEditor) keys(k tea.KeyPressMsg, ek EditorKeys) (bool, tea.Cmd) {
	if e.vers != nil {
		return true, e.versionKeys(k, ek)
	}
	switch {
	case key.Matches(k, ek.Save):
		if !e.dirty() && !e.failed {
			return true, e.a.say(noticeInfo, capital(e.what)+" are saved")
		}
		e.failed = false
		return true, e.save()
	case key.Matches(k, ek.Reload):
		if !e.dirty() {
			e.load(e.question)
			return true, e.a.say(noticeInfo, "reloaded "+e.what+" as saved")
		}
		// Nothing is saved while the question is open, so a yes drops
		// just what the person saw unsaved.
		e.holding = true
		return true, func() tea.Msg {
			return confirmMsg{prompt: "Drop what you typed in " + e.what + " since the last save? (y/n)",
				yes: reloadMsg{ed: e}, no: reloadMsg{ed: e, keep: true}}
		}
	case key.Matches(k, ek.Versions):
		t := e.text()
		if t == nil || len(t.Versions) == 0 {
			return true, e.a.say(noticeInfo, capital(e.what)+" have no saved versions yet")
		}
		e.vers = &versionList{}
		e.vers.refresh(t)
		return true, nil
	}
	return false, nil
}

// versionKeys browse the versions: up and down choose, enter restores
// the chosen one, esc goes back to writing.
func (e *textEditor) versionKeys(k tea.KeyPressMsg, ek EditorKeys) tea.Cmd {
	l := DefaultListKeys()
	v := e.vers
	switch {
	case key.Matches(k, ek.Back), key.Matches(k, ek.Versions):
		e.vers = nil
	case key.Matches(k, l.Up):
		v.sel = max(v.sel-1, 0)
	case key.Matches(k, l.Down):
		v.sel = min(v.sel+1, len(v.list)-1)
	case key.Matches(k, ek.Save), key.Matches(k, ek.Reload):
		e.vers = nil
		_, cmd := e.keys(k, ek)
		return cmd
	case k.Text != "":
		// Typing goes on in the text: nothing typed is swallowed by the
		// list.
		e.vers = nil
		return e.update(k)
	case key.Matches(k, ek.Restore):
		if len(v.list) == 0 {
			return nil
		}
		pick := v.list[v.sel]
		e.vers = nil
		if pick.Version == e.shadowV && !e.dirty() {
			return e.a.say(noticeInfo, fmt.Sprintf("v%d is the saved version already", pick.Version))
		}
		// Typed text not yet saved goes out first, so the restore
		// replaces it as a version of its own that can be restored too.
		e.flush()
		id, cmd := e.a.send(e.opKind, session.TextEdit{Question: e.question, Restore: pick.Version, Base: session.BaseOf(e.shadowV)},
			"restore "+e.what)
		if id != "" {
			e.ta.SetValue(pick.Body)
			e.inflight[id], e.sentText = pick.Body, pick.Body
		}
		return tea.Batch(cmd, e.a.say(noticeInfo, fmt.Sprintf("restoring v%d of %s; the text it replaces stays a version", pick.Version, e.what)))
	}
	return nil
}

// status says how the text stands: saved (which version, by whom, when),
// saving, waiting to go out, or refused.
func (e *textEditor) status() string {
	st := e.a.styles
	switch {
	case e.a.fatal != nil && (e.dirty() || len(e.inflight) > 0):
		return st.Bad.Render("not saved: disconnected for good") // nothing is sent any more
	case e.failed && e.dirty():
		if n := utf8.RuneCountInString(e.ta.Value()); n > session.MaxLongText {
			return st.Bad.Render(fmt.Sprintf("not saved: %d characters over the limit", n-session.MaxLongText))
		}
		return st.Bad.Render("not saved: ctrl+s tries again")
	case e.dirty():
		return st.Dim.Render("editing…")
	case len(e.inflight) > 0 && e.a.status().State != relay.Live:
		return st.Warn.Render("kept here, sent when back online")
	case len(e.inflight) > 0:
		return st.Dim.Render("saving…")
	}
	if t := e.text(); t != nil {
		return st.Good.Render(fmt.Sprintf("saved v%d · %s", t.Version, ansi.Truncate(e.a.name(t.By), 14, "…")))
	}
	return st.Dim.Render("empty")
}

func (e *textEditor) setSize(w, h int) {
	e.width, e.height = w, h
	if e.named {
		h--
	}
	h = max(h, 1)
	if e.ta.Width() == w && e.ta.Height() == h {
		return
	}
	e.ta.SetWidth(w)
	e.ta.SetHeight(h)
	e.relayout()
}

// relayout scrolls the text so it fills the editor: the textarea only
// scrolls to keep the cursor in view, so after it grew it would show one
// line at the top and blank rows under it.
func (e *textEditor) relayout() {
	e.moveCursor(e.ta.Line(), e.ta.Column())
}

// moveCursor puts the cursor on row, col, scrolled into view from the
// top, so the view shows as much text as fits.
func (e *textEditor) moveCursor(row, col int) {
	e.ta.MoveToBegin()
	for range e.ta.LineCount() + e.ta.Length() {
		if e.ta.Line() >= row {
			break
		}
		before, info := e.ta.Line(), e.ta.LineInfo()
		e.ta.CursorDown()
		if e.ta.Line() == before && e.ta.LineInfo().RowOffset == info.RowOffset {
			break
		}
	}
	e.ta.SetCursorColumn(col)
}

func (e *textEditor) view() string {
	st := e.a.styles
	head := ""
	if e.named {
		if q, qi := e.a.state.Question(e.question); qi >= 0 {
			label := fmt.Sprintf("%s · Q%d ", capital(strings.TrimPrefix(e.what, "the ")), qi+1)
			head = st.Accent.Render(label) + st.Dim.Render(ansi.Truncate(oneLine(q.Text), max(e.width-len(label), 1), "…")) + "\n"
		}
	}
	if e.vers != nil {
		h := e.height
		if e.named {
			h--
		}
		return head + e.vers.view(e.a, e.width, max(h, 1))
	}
	return head + e.ta.View()
}

// cursor is the real cursor's place within view, or nil.
func (e *textEditor) cursor() *tea.Cursor {
	if e.vers != nil {
		return nil
	}
	c := e.ta.Cursor()
	if c != nil && e.named {
		c.Position.Y++
	}
	return c
}

// unsent reports whether text typed here could not be saved, here or
// kept for another question.
func (e *textEditor) unsent() bool { return e.failed && e.dirty() || len(e.kept) > 0 }

// unsentText is the text typed here that is not saved: the text being
// edited when it differs from the saved one, or the edit still on its
// way, and the texts kept for other questions.
func (e *textEditor) unsentText() string {
	var out []string
	switch {
	case !e.loaded:
	case e.dirty():
		out = append(out, e.ta.Value())
	case len(e.inflight) > 0:
		out = append(out, e.sentText)
	}
	for _, q := range slices.Sorted(maps.Keys(e.kept)) {
		out = append(out, e.kept[q].text)
	}
	for _, id := range slices.Sorted(maps.Keys(e.away)) {
		out = append(out, e.away[id].text)
	}
	return joinUnsent(out...)
}

func (e *textEditor) focus() tea.Cmd { return e.ta.Focus() }
func (e *textEditor) blur()          { e.ta.Blur(); e.vers = nil }

// versionList is the versions of a text, newest first, as browsed.
type versionList struct {
	list []session.TextVersion
	sel  int
}

func (l *versionList) refresh(t *session.Text) {
	var keep int
	if len(l.list) > 0 {
		keep = l.list[l.sel].Version
	}
	l.list = l.list[:0]
	for k := len(t.Versions) - 1; k >= 0; k-- {
		l.list = append(l.list, t.Versions[k])
	}
	l.sel = 0
	for k, v := range l.list {
		if v.Version == keep {
			l.sel = k
		}
	}
}

// view lists the versions, who made each and how, above the chosen one's
// text.
func (l *versionList) view(a *app, w, h int) string {
	st := a.styles
	rows := min(len(l.list), max(h/3, 3))
	top := min(max(l.sel-rows+1, 0), max(len(l.list)-rows, 0))
	lines := []string{st.Dim.Render(ansi.Truncate("Versions · ↑/↓ choose · enter restores · esc back", w, "…"))}
	for k := top; k < top+rows && k < len(l.list); k++ {
		v := l.list[k]
		line := fmt.Sprintf("v%d  %s  %s", v.Version, v.At.Local().Format("15:04:05"), a.name(v.By))
		switch {
		case v.Restored > 0:
			line += fmt.Sprintf(" · restored v%d", v.Restored)
		case v.Conflicts > 0:
			line += fmt.Sprintf(" · made on v%d, merged, %s marked", v.Base, plural(v.Conflicts, "overlap", "overlaps"))
		case v.Merged:
			line += fmt.Sprintf(" · made on v%d, merged", v.Base)
		}
		line = ansi.Truncate(line, w-2, "…")
		if k == l.sel {
			lines = append(lines, st.Accent.Render("> "+line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	if len(l.list) > 0 {
		body := ansi.Wrap(strings.ReplaceAll(l.list[l.sel].Body, "\t", "  "), max(w-1, 10), "")
		lines = append(lines, st.Faint.Render(strings.Repeat("─", max(w, 1))))
		lines = append(lines, strings.Split(body, "\n")...)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// mapOffset maps a byte offset in a diff's old text to the new text. A
// place where text was inserted stays before the insertion: someone
// else's line added where one types must not take the cursor past it,
// or the rest of one's line would go after theirs.
func mapOffset(diffs []dmp.Diff, loc int) int {
	c1, c2 := 0, 0
	for _, d := range diffs {
		n := len(d.Text)
		switch d.Type {
		case dmp.DiffEqual:
			if loc <= c1+n {
				return c2 + loc - c1
			}
			c1, c2 = c1+n, c2+n
		case dmp.DiffDelete:
			if loc < c1+n {
				return c2
			}
			c1 += n
		case dmp.DiffInsert:
			if loc == c1 {
				return c2
			}
			c2 += n
		}
	}
	return c2 + max(loc-c1, 0)
}

// cursorOffset is the byte offset of row, col (col in runes) in text.
func cursorOffset(text string, row, col int) int {
	off := 0
	for r, line := range strings.Split(text, "\n") {
		if r == row {
			rs := []rune(line)
			return off + len(string(rs[:min(col, len(rs))]))
		}
		off += len(line) + 1
	}
	return len(text)
}

// rowCol is the row and rune column of a byte offset in text.
func rowCol(text string, off int) (int, int) {
	off = min(max(off, 0), len(text))
	before := text[:off]
	row := strings.Count(before, "\n")
	line := before[strings.LastIndex(before, "\n")+1:]
	return row, len([]rune(line))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// andNames is "Rita", "Rita and Ugo", "Rita, Ugo and you".
func andNames(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// capital makes the first letter upper case.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// questionLabel names a question for a notice: "Q2", or for a text of no
// question (the executive summary, the recommendations) "this page".
func (a *app) questionLabel(id string) string {
	if _, qi := a.state.Question(id); qi >= 0 {
		return fmt.Sprintf("Q%d", qi+1)
	}
	return "this page"
}
