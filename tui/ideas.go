package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"breakout/session"
)

// sortMode orders the top level of the idea list; pinned ideas always come
// first.
type sortMode int

const (
	byNewest sortMode = iota
	byVotes
)

func (s sortMode) String() string {
	if s == byVotes {
		return "most voted first"
	}
	return "newest first"
}

// item is an idea with its sort keys.
type item struct {
	i     *session.Idea
	seq   int64
	votes int
}

// ideaRow is one idea in the list and how deep it sits in its thread.
type ideaRow struct {
	idea  *session.Idea
	depth int
}

// ideaList is the list of one group's ideas on one question: pinned first,
// then newest or most voted, each followed by the ideas that build on it.
// The rows are derived from the replica once per change (rev), not per
// frame, and only the visible window is rendered.
type ideaList struct {
	a     *app
	keys  ListKeys
	group string
	// question is the question shown; "" follows the group's current one.
	question string
	sort     sortMode
	// hidden shows hidden ideas too (struck through), for the chair who
	// may show them again.
	hidden bool

	sel    string // the selected idea's id
	selIdx int
	offset int // first row on screen

	built   bool
	rev     uint64
	builtQ  string
	builtS  sortMode
	rows    []ideaRow
	items   []item // scratch for refresh
	shown   int    // ideas not hidden
	hiddenN int    // hidden ideas listed (the chair's list)
	used    int    // votes the viewer gave on the question
	// seen is the newest idea seq the viewer had on screen at the top;
	// newer ones above the window are announced, not scrolled into.
	seen int64
	// still is set once the person moved the selection off the first row:
	// from then on the list holds still under them.
	still bool

	rowCache map[rowKey][]string // rendered rows, for rowsRev
	rowsRev  uint64
	rowsDark bool
}

func newIdeaList(a *app, group string) *ideaList {
	return &ideaList{a: a, keys: DefaultListKeys(), group: group}
}

// questionID is the id of the question the list shows.
func (l *ideaList) questionID() string {
	if l.question != "" {
		return l.question
	}
	if g := l.a.state.Group(l.group); g != nil {
		return g.Current
	}
	return ""
}

// current reports whether the list shows the group's current question.
func (l *ideaList) current() bool {
	g := l.a.state.Group(l.group)
	return g != nil && l.questionID() == g.Current
}

// refresh rebuilds the rows when the replica, the question or the order
// changed since they were built.
func (l *ideaList) refresh() {
	q := l.questionID()
	if l.built && l.rev == l.a.rev && l.builtQ == q && l.builtS == l.sort {
		return
	}
	// The same list with new data: the selected idea keeps its place on
	// screen, so rows that come in above it do not move it.
	sameList := l.built && l.builtQ == q && l.builtS == l.sort
	prevSel, prevIdx := l.sel, l.find(l.sel)
	l.built, l.rev, l.builtQ, l.builtS = true, l.a.rev, q, l.sort
	l.rows = l.rows[:0]
	l.shown, l.used, l.hiddenN = 0, 0, 0
	me := l.a.me.ID
	st := l.a.state
	// eligible says whether an idea belongs in the list.
	eligible := func(i *session.Idea) bool {
		return i.Group == l.group && i.Question == q && i.MergedInto == "" && !i.Retracted && (!i.Hidden || l.hidden)
	}
	items := l.items[:0]
	children := map[string][]item{}
	for _, i := range st.Ideas {
		if i.Group != l.group || i.Question != q || i.MergedInto != "" {
			continue
		}
		if me != "" && i.VotedBy(me) {
			l.used++
		}
		if !eligible(i) {
			continue
		}
		if i.Hidden {
			l.hiddenN++
		} else {
			l.shown++
		}
		it := item{i: i, seq: ideaSeq(i.ID), votes: len(i.Voters)}
		// A pinned idea stands at the top even when it builds on another.
		if b := i.BuildsOn; b != "" && !i.Pinned {
			if p := st.Ideas[b]; p != nil && eligible(p) {
				children[b] = append(children[b], it)
				continue
			}
		}
		items = append(items, it)
	}
	l.items = items
	roots := items
	byVotes := l.sort == byVotes
	slices.SortFunc(roots, func(x, y item) int {
		if x.i.Pinned != y.i.Pinned {
			if x.i.Pinned {
				return -1
			}
			return 1
		}
		if byVotes && x.votes != y.votes {
			return cmp.Compare(y.votes, x.votes)
		}
		return cmp.Compare(y.seq, x.seq) // newest first
	})
	for _, kids := range children {
		slices.SortFunc(kids, func(x, y item) int { return cmp.Compare(x.seq, y.seq) })
	}
	seen := make(map[string]bool, len(children))
	var walk func(i *session.Idea, depth int)
	walk = func(i *session.Idea, depth int) {
		l.rows = append(l.rows, ideaRow{idea: i, depth: depth})
		kids := children[i.ID]
		if len(kids) == 0 || seen[i.ID] {
			return
		}
		seen[i.ID] = true
		for _, c := range kids {
			walk(c.i, depth+1)
		}
	}
	for _, r := range roots {
		walk(r.i, 0)
	}
	l.fixSelection()
	// A person who has not moved down the list follows it: rows come in
	// in view.
	if sameList && prevIdx >= 0 && l.sel == prevSel && l.still {
		l.offset = max(l.offset+l.selIdx-prevIdx, 0)
	}
}

// newAbove counts the ideas above the window that came in since the
// viewer last saw the top of the list.
func (l *ideaList) newAbove() int {
	if l.offset == 0 {
		for _, r := range l.rows {
			l.seen = max(l.seen, ideaSeq(r.idea.ID))
		}
		return 0
	}
	n := 0
	for _, r := range l.rows[:min(l.offset, len(l.rows))] {
		if ideaSeq(r.idea.ID) > l.seen && !r.idea.Mine {
			n++
		}
	}
	return n
}

// fixSelection keeps the selected idea selected across rebuilds, or the
// row where it was when it went away.
func (l *ideaList) fixSelection() {
	if k := l.find(l.sel); k >= 0 {
		l.selIdx = k
		return
	}
	if len(l.rows) == 0 {
		l.selIdx, l.sel = 0, ""
		return
	}
	l.selIdx = min(max(l.selIdx, 0), len(l.rows)-1)
	l.sel = l.rows[l.selIdx].idea.ID
}

// find returns the row of an idea, or -1; a scan of a few thousand
// pointers is cheaper than keeping a map current.
func (l *ideaList) find(id string) int {
	if id == "" {
		return -1
	}
	if l.selIdx < len(l.rows) && l.rows[l.selIdx].idea.ID == id {
		return l.selIdx
	}
	for k, r := range l.rows {
		if r.idea.ID == id {
			return k
		}
	}
	return -1
}

// selected returns the selected idea, or nil when the list is empty.
func (l *ideaList) selected() *session.Idea {
	l.refresh()
	if len(l.rows) == 0 {
		return nil
	}
	return l.rows[l.selIdx].idea
}

// selectID selects an idea by id, if the list holds it.
func (l *ideaList) selectID(id string) {
	l.refresh()
	if k := l.find(id); k >= 0 {
		l.sel, l.selIdx = id, k
		l.still = k > 0
	} else {
		l.sel = id // it may arrive with the next event
	}
}

func (l *ideaList) move(n int) {
	l.refresh()
	if len(l.rows) == 0 {
		return
	}
	l.selIdx = min(max(l.selIdx+n, 0), len(l.rows)-1)
	l.sel = l.rows[l.selIdx].idea.ID
	l.still = l.selIdx > 0
}

// browse shows an earlier (-1) or later (+1) question.
func (l *ideaList) browse(delta int) bool {
	qs := l.a.state.Questions
	_, qi := l.a.state.Question(l.questionID())
	next := qi + delta
	if qi < 0 || next < 0 || next >= len(qs) {
		return false
	}
	l.question = qs[next].ID
	if g := l.a.state.Group(l.group); g != nil && g.Current == l.question {
		l.question = "" // back to following the room
	}
	l.sel, l.selIdx, l.offset, l.still = "", 0, 0, false
	return true
}

// update moves through the list; it reports whether it used the key.
func (l *ideaList) update(msg tea.KeyPressMsg, page int) bool {
	switch {
	case key.Matches(msg, l.keys.Up):
		l.move(-1)
	case key.Matches(msg, l.keys.Down):
		l.move(1)
	case key.Matches(msg, l.keys.PageUp):
		l.move(-max(page, 1))
	case key.Matches(msg, l.keys.PageDown):
		l.move(max(page, 1))
	case key.Matches(msg, l.keys.Top):
		l.move(-1 << 30)
	case key.Matches(msg, l.keys.Bottom):
		l.move(1 << 30)
	default:
		return false
	}
	return true
}

// ideaSeq is the seq in an idea id "i<seq>".
func ideaSeq(id string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(id, "i"), 10, 64)
	return n
}

// idCompare orders idea ids "i<seq>" by seq.
func idCompare(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}
