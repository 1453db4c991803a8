package session

import (
	"slices"
	"strings"

	dmp "github.com/sergi/go-diff/diffmatchpatch"
)

// Merging concurrent edits of a long text (differential synchronisation,
// as Etherpad and Google Docs do it): an edit made on an older version is
// rebased onto what was saved since by a three-way merge. Apply runs it on
// every relay and client, so it must give the same result everywhere: the
// diffs run without a time limit (diff-match-patch would otherwise cut a
// diff short depending on the machine's speed), and their cost is bounded
// by the size of what changed instead. A change too large to diff finely
// is diffed by lines, and one too large for that is taken as a whole
// replacement; the merge is then coarser, never wrong.

// Cost bounds of the diffs, in runes or lines of the part that differs
// after the common start and end are cut off. Myers' diff costs at most
// about (n+m)², so these keep one merge to some tens of milliseconds.
const (
	diffRunes  = 4000    // a change up to this size is diffed rune by rune
	diffLines  = 4000    // a larger one is diffed by lines if it has up to this many
	diffBudget = 1 << 25 // the sum of (n+m)² spent refining replaced lines
)

// differ is the diff configuration: no time limit, so results never
// depend on the machine.
var differ = func() *dmp.DiffMatchPatch {
	d := dmp.New()
	d.DiffTimeout = 0
	return d
}()

// diffText returns the edits that turn a into b, deterministically.
func diffText(a, b string) []dmp.Diff {
	ra, rb := []rune(a), []rune(b)
	p := 0
	for p < len(ra) && p < len(rb) && ra[p] == rb[p] {
		p++
	}
	s := 0
	for s < len(ra)-p && s < len(rb)-p && ra[len(ra)-1-s] == rb[len(rb)-1-s] {
		s++
	}
	ma, mb := ra[p:len(ra)-s], rb[p:len(rb)-s]
	var out []dmp.Diff
	if p > 0 {
		out = append(out, dmp.Diff{Type: dmp.DiffEqual, Text: string(ra[:p])})
	}
	out = append(out, diffMiddle(ma, mb)...)
	if s > 0 {
		out = append(out, dmp.Diff{Type: dmp.DiffEqual, Text: string(ra[len(ra)-s:])})
	}
	// Semantic cleanup widens changes to whole words where a few letters
	// happened to match, so an overlap keeps both wordings readable.
	return differ.DiffCleanupSemantic(differ.DiffCleanupMerge(out))
}

// diffMiddle diffs two texts that differ at both ends.
func diffMiddle(a, b []rune) []dmp.Diff {
	switch {
	case len(a) == 0 && len(b) == 0:
		return nil
	case len(a) == 0:
		return []dmp.Diff{{Type: dmp.DiffInsert, Text: string(b)}}
	case len(b) == 0:
		return []dmp.Diff{{Type: dmp.DiffDelete, Text: string(a)}}
	case len(a)+len(b) <= diffRunes:
		return differ.DiffMainRunes(a, b, false)
	}
	la, lb, lines := differ.DiffLinesToRunes(string(a), string(b))
	if len(la)+len(lb) > diffLines {
		return replace(string(a), string(b))
	}
	diffs := differ.DiffCharsToLines(differ.DiffMainRunes(la, lb, false), lines)
	// Refine each run of replaced lines rune by rune, while the budget
	// lasts, so that two people editing one line are merged finely.
	budget := diffBudget
	var out []dmp.Diff
	var del, ins strings.Builder
	flush := func() {
		d, i := []rune(del.String()), []rune(ins.String())
		n := len(d) + len(i)
		switch {
		case len(d) > 0 && len(i) > 0 && n <= diffRunes && n*n <= budget:
			budget -= n * n
			out = append(out, differ.DiffMainRunes(d, i, false)...)
		default:
			out = append(out, replace(string(d), string(i))...)
		}
		del.Reset()
		ins.Reset()
	}
	for _, d := range diffs {
		switch d.Type {
		case dmp.DiffDelete:
			del.WriteString(d.Text)
		case dmp.DiffInsert:
			ins.WriteString(d.Text)
		default:
			flush()
			out = append(out, d)
		}
	}
	flush()
	return out
}

func replace(a, b string) []dmp.Diff {
	var out []dmp.Diff
	if a != "" {
		out = append(out, dmp.Diff{Type: dmp.DiffDelete, Text: a})
	}
	if b != "" {
		out = append(out, dmp.Diff{Type: dmp.DiffInsert, Text: b})
	}
	return out
}

// hunk is one change of a diff: the base's runes [start, end) become text.
type hunk struct {
	start, end int
	text       string
	side       int // 0: what was saved meanwhile, 1: the incoming edit
}

func hunks(diffs []dmp.Diff, side int) []hunk {
	var out []hunk
	pos := 0
	for _, d := range diffs {
		n := len([]rune(d.Text))
		switch d.Type {
		case dmp.DiffEqual:
			pos += n
			continue
		case dmp.DiffDelete:
			if k := len(out) - 1; k >= 0 && out[k].end == pos {
				out[k].end += n
			} else {
				out = append(out, hunk{start: pos, end: pos + n, side: side})
			}
			pos += n
		case dmp.DiffInsert:
			if k := len(out) - 1; k >= 0 && out[k].end == pos {
				out[k].text += d.Text
			} else {
				out = append(out, hunk{start: pos, end: pos, text: d.Text, side: side})
			}
		}
	}
	return out
}

// refine splits a hunk of hs at whose end the other side inserts text
// into its finest changes. The semantic cleanup of
// the diffs makes a short stretch of base between two changes part of one
// change ("\nw" between two insertions); text the other side typed right
// after that stretch (the rest of a line that began with "w") would then
// go after the whole change, away from the line it continues.
func refine(base []rune, hs, other []hunk) []hunk {
	var out []hunk
	for _, h := range hs {
		split := false
		if h.end > h.start {
			for _, o := range other {
				if o.start == o.end && o.start == h.end {
					split = true
					break
				}
			}
		}
		if !split {
			out = append(out, h)
			continue
		}
		d := differ.DiffCleanupMerge(differ.DiffMainRunes(base[h.start:h.end], []rune(h.text), false))
		for _, f := range hunks(d, h.side) {
			f.start += h.start
			f.end += h.start
			out = append(out, f)
		}
	}
	return out
}

// Marks around the incoming side of an overlapping edit. They are not
// characters people type, so they stand out and can be searched for.
const (
	MarkOpen  = "⟦"
	MarkClose = "⟧"
)

// Merge is the result of a three-way merge.
type Merge struct {
	Text string
	// Conflicts counts the places where both sides changed the same
	// part differently; both are kept there, the incoming one marked.
	Conflicts int
}

// Merge3 rebases the change from base to mine onto saved, a later version
// of base: changes to different parts are both made; where both changed
// the same part differently, saved's text is kept and mine follows it
// between MarkOpen and MarkClose, named after who (so nothing typed is
// lost, and people see where to look). Text both inserted at one place is
// kept twice, saved's first, unmarked: two people adding lines at the end
// is the common case and not a conflict.
func Merge3(base, saved, mine, who string) Merge {
	if saved == base || saved == mine {
		return Merge{Text: mine}
	}
	if mine == base {
		return Merge{Text: saved}
	}
	rb := []rune(base)
	hs, hm := hunks(diffText(base, saved), 0), hunks(diffText(base, mine), 1)
	hs, hm = refine(rb, hs, hm), refine(rb, hm, hs)
	all := append(hs, hm...)
	slices.SortStableFunc(all, func(a, b hunk) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return a.end - b.end
		}
		return a.side - b.side
	})
	var out strings.Builder
	var m Merge
	pos := 0
	for i := 0; i < len(all); {
		lo, hi := all[i].start, all[i].end
		j := i + 1
		for j < len(all) {
			h := all[j]
			joins := h.start < hi || (h.start == hi && lo == hi && h.end == h.start)
			if !joins {
				break
			}
			hi = max(hi, h.end)
			j++
		}
		out.WriteString(string(rb[pos:lo]))
		var side [2][]hunk
		for _, h := range all[i:j] {
			side[h.side] = append(side[h.side], h)
		}
		switch {
		case side[1] == nil:
			out.WriteString(patch(rb, lo, hi, side[0]))
		case side[0] == nil:
			out.WriteString(patch(rb, lo, hi, side[1]))
		default:
			ts, tm := patch(rb, lo, hi, side[0]), patch(rb, lo, hi, side[1])
			switch {
			case ts == tm:
				out.WriteString(ts)
			case lo == hi:
				out.WriteString(sameSpot(ts, tm, lo == 0 || rb[lo-1] == '\n'))
			default:
				m.Conflicts++
				out.WriteString(ts)
				if tm == "" {
					out.WriteString(MarkOpen + who + " deleted this" + MarkClose)
				} else {
					out.WriteString(MarkOpen + who + ": " + tm + MarkClose)
				}
			}
		}
		pos, i = hi, j
	}
	out.WriteString(string(rb[pos:]))
	m.Text = out.String()
	return m
}

// sameSpot orders two insertions at one place so that neither cuts the
// other's line in two: text that goes on with the line there comes before
// text that starts a new line, and two new lines at a line's start stay
// two lines.
func sameSpot(saved, mine string, lineStart bool) string {
	sNL, mNL := strings.HasPrefix(saved, "\n"), strings.HasPrefix(mine, "\n")
	switch {
	case sNL && !mNL:
		return mine + saved
	case mNL && !sNL:
		return saved + mine
	case sNL && mNL:
		return saved + mine
	case !lineStart:
		return saved + mine
	case strings.HasSuffix(saved, "\n"):
		return saved + mine
	case strings.HasSuffix(mine, "\n"):
		return mine + saved
	}
	return saved + "\n" + mine
}

// patch applies one side's hunks to base[lo:hi].
func patch(base []rune, lo, hi int, hs []hunk) string {
	var b strings.Builder
	pos := lo
	for _, h := range hs {
		b.WriteString(string(base[pos:h.start]))
		b.WriteString(h.text)
		pos = h.end
	}
	b.WriteString(string(base[pos:hi]))
	return b.String()
}
