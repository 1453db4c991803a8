package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"breakout/relay"
	"breakout/session"
)

// saveDelay is how long after the last key a long text is saved.
const saveDelay = 800 * time.Millisecond

// textEditor edits one long text (a group's minutes or summary for a
// question, or the synthesis) and saves it a little after each pause.
// Saved edits go through the client's outbox, so they survive a lost
// connection and a restart. Each edit names the version it was based on;
// when someone else changed the text meanwhile the relay refuses it as a
// conflict, and the person chooses to reload theirs or to keep their own.
type textEditor struct {
	a        *app
	kind     string // session.Minutes, Summary or Synthesis
	opKind   string
	what     string // "the minutes", for messages
	group    string // "" for the synthesis
	question string
	ta       textarea.Model

	sent     string          // the text last sent, or loaded
	nextBase int             // the version the next edit builds on
	inflight map[string]bool // edits sent and not yet answered
	gen      int             // which pause a save tick belongs to
	conflict bool
	loaded   bool
}

// saveTickMsg fires a pause after an edit; only the latest one saves.
type saveTickMsg struct {
	ed  *textEditor
	gen int
}

func newTextEditor(a *app, kind, group string) *textEditor {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.CharLimit = session.MaxLongText
	ta.MaxHeight = 0
	ta.SetVirtualCursor(false)
	ta.SetStyles(a.styles.Textarea)
	ta.KeyMap.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	e := &textEditor{a: a, kind: kind, group: group, ta: ta, inflight: map[string]bool{}}
	switch kind {
	case session.Minutes:
		e.opKind, e.what = session.KindMinutesEdit, "the minutes"
		e.ta.Placeholder = "Minutes of the discussion: who said what, what was decided…"
	case session.Summary:
		e.opKind, e.what = session.KindSummaryEdit, "the summary"
		e.ta.Placeholder = "A short summary of the group's answer for the report…"
	default:
		e.opKind, e.what = session.KindSynthesis, "the synthesis"
		e.ta.Placeholder = "The synthesis of every group's answer to this question…"
	}
	return e
}

// load shows the question's text as the replica holds it, dropping what
// was typed and not saved (flush first to keep it).
func (e *textEditor) load(question string) {
	e.question, e.loaded = question, true
	e.conflict = false
	clear(e.inflight)
	body, version := "", 0
	if t := e.a.state.Text(e.kind, e.group, question); t != nil {
		body, version = t.Body, t.Version
	}
	e.ta.SetValue(body)
	e.sent, e.nextBase = body, version
}

// follow switches to another question, saving what is pending first.
func (e *textEditor) follow(question string) {
	if e.loaded && question == e.question {
		return
	}
	if e.loaded {
		e.flush()
	}
	e.load(question)
}

func (e *textEditor) dirty() bool { return e.ta.Value() != e.sent }

// update handles a key or message while the editor has the focus.
func (e *textEditor) update(msg tea.Msg) tea.Cmd {
	before := e.ta.Value()
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	if e.ta.Value() == before {
		return cmd
	}
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
		if msg.gen == e.gen && e.dirty() && !e.conflict {
			return true, e.save(false)
		}
		return true, nil
	case opResultMsg:
		if !e.inflight[msg.id] {
			return false, nil
		}
		delete(e.inflight, msg.id)
		if msg.reject != nil {
			// What the relay holds is what the replica says now.
			t := e.a.state.Text(e.kind, e.group, e.question)
			e.sent, e.nextBase = "", 0
			if t != nil {
				e.sent, e.nextBase = t.Body, t.Version
			}
			if msg.reject.Code == session.CodeConflict {
				e.conflict = true
			}
		}
		return true, nil
	case replicaMsg:
		e.replicaChanged()
	}
	return false, nil
}

// replicaChanged takes over a newer text when nothing typed here waits.
func (e *textEditor) replicaChanged() {
	if !e.loaded || len(e.inflight) > 0 {
		return
	}
	t := e.a.state.Text(e.kind, e.group, e.question)
	if t == nil || t.Version < e.nextBase {
		return
	}
	if !e.dirty() {
		if t.Body != e.ta.Value() {
			e.ta.SetValue(t.Body)
		}
		e.sent, e.nextBase, e.conflict = t.Body, t.Version, false
	}
}

// save sends the text. force bases it on the newest version known, so it
// replaces what someone else wrote.
func (e *textEditor) save(force bool) tea.Cmd {
	if force {
		if t := e.a.state.Text(e.kind, e.group, e.question); t != nil {
			e.nextBase = t.Version
		}
		e.conflict = false
	}
	text := e.ta.Value()
	if err := session.CheckText(text, session.MaxLongText, true); err != nil {
		return e.a.say(noticeError, "couldn't save "+e.what+": the text "+err.Error())
	}
	id, cmd := e.a.send(e.opKind, session.TextEdit{Question: e.question, Text: text, Base: e.nextBase}, "save "+e.what)
	if id == "" {
		return cmd // not queued: the text stays unsaved
	}
	e.inflight[id] = true
	e.sent = text
	e.nextBase++
	return cmd
}

// flush saves now what is waiting for a pause.
func (e *textEditor) flush() {
	if e.loaded && e.dirty() && !e.conflict {
		e.save(false)
	}
}

// reload drops what was typed for the saved text.
func (e *textEditor) reload() { e.load(e.question) }

// keys handles the editor's own keys; it reports whether it used k.
func (e *textEditor) keys(k tea.KeyPressMsg, ek EditorKeys) (bool, tea.Cmd) {
	switch {
	case key.Matches(k, ek.Save):
		if !e.dirty() && !e.conflict {
			return true, e.a.say(noticeInfo, e.what+" are saved")
		}
		return true, e.save(true)
	case key.Matches(k, ek.Reload):
		e.reload()
		return true, e.a.say(noticeInfo, "reloaded "+e.what+" as saved")
	}
	return false, nil
}

// status says how the text stands: saved, saving, waiting to go out, or
// in conflict.
func (e *textEditor) status() string {
	st := e.a.styles
	switch {
	case e.conflict:
		return st.Bad.Render("changed elsewhere: ctrl+r takes theirs, ctrl+s keeps yours")
	case e.dirty():
		return st.Dim.Render("editing…")
	case len(e.inflight) > 0 && e.a.status().State != relay.Live:
		return st.Warn.Render("kept here, sent when back online")
	case len(e.inflight) > 0:
		return st.Dim.Render("saving…")
	}
	if t := e.a.state.Text(e.kind, e.group, e.question); t != nil {
		return st.Good.Render(fmt.Sprintf("saved · v%d", t.Version))
	}
	return st.Dim.Render("empty")
}

func (e *textEditor) setSize(w, h int) {
	e.ta.SetWidth(w)
	e.ta.SetHeight(max(h, 1))
}

func (e *textEditor) view() string { return e.ta.View() }

func (e *textEditor) focus() tea.Cmd { return e.ta.Focus() }
func (e *textEditor) blur()          { e.ta.Blur() }
