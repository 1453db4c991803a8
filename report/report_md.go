package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Markdown renders the group report as CommonMark.
func (r *Group) Markdown() string {
	var m mdWriter
	m.group(r, 1)
	return m.String()
}

// WriteMarkdown writes the group report as CommonMark.
func (r *Group) WriteMarkdown(w io.Writer) error {
	_, err := io.WriteString(w, r.Markdown())
	return err
}

// Markdown renders the conference report as CommonMark.
func (c *Conference) Markdown() string {
	var m mdWriter
	m.conference(c)
	return m.String()
}

// WriteMarkdown writes the conference report as CommonMark.
func (c *Conference) WriteMarkdown(w io.Writer) error {
	_, err := io.WriteString(w, c.Markdown())
	return err
}

// mdWriter builds a CommonMark document block by block; every block ends
// with a blank line, and all user text goes through inline or block.
type mdWriter struct {
	b      strings.Builder
	inList bool
}

func (m *mdWriter) String() string { m.endList(); return strings.TrimRight(m.b.String(), "\n") + "\n" }

func (m *mdWriter) endList() {
	if m.inList {
		m.b.WriteString("\n")
		m.inList = false
	}
}

// heading writes a heading of level (capped at 6) with escaped text.
func (m *mdWriter) heading(level int, text string) {
	m.endList()
	fmt.Fprintf(&m.b, "%s %s\n\n", strings.Repeat("#", min(level, 6)), text)
}

// para writes a paragraph of Markdown that is already escaped.
func (m *mdWriter) para(md string) {
	m.endList()
	m.b.WriteString(md)
	m.b.WriteString("\n\n")
}

// item writes a list item of escaped Markdown; sub are its nested items.
func (m *mdWriter) item(md string, sub ...string) {
	m.inList = true
	m.b.WriteString("- ")
	m.b.WriteString(md)
	m.b.WriteString("\n")
	for _, s := range sub {
		m.b.WriteString("  - ")
		m.b.WriteString(s)
		m.b.WriteString("\n")
	}
}

// text writes user text as paragraphs, or the placeholder in italics when
// there is none.
func (m *mdWriter) text(body, none string) {
	if md := block(body); md != "" {
		m.para(md)
	} else {
		m.para("*" + none + "*")
	}
}

// group writes a group report with its title at heading level h.
func (m *mdWriter) group(r *Group, h int) {
	m.heading(h, "Group report: "+inline(r.Group))
	m.item("Session: " + inline(r.Title))
	m.item("Chair: " + names(r.Chairs))
	m.item("Rapporteur: " + names(r.Rapporteurs))
	m.item("Members: " + strconv.Itoa(r.Members))
	m.item("Backgrounds: " + backgroundMix(r.Backgrounds))
	switch {
	case r.Published != nil && r.Draft:
		m.item("Published: " + r.Published.UTC().Format("2006-01-02 15:04 MST") + "; edited since, the edits are a draft")
	case r.Published != nil:
		m.item("Published: " + r.Published.UTC().Format("2006-01-02 15:04 MST"))
	default:
		m.item("Published: not yet (draft)")
	}
	m.item("Source: " + source(r.Source))
	for n, q := range r.Questions {
		m.heading(h+1, fmt.Sprintf("Question %d: %s", n+1, inline(q.Text)))
		m.heading(h+2, "Summary")
		m.text(q.Summary, "No summary written.")
		if q.SummaryDraft != "" {
			m.heading(h+2, "Summary: draft since publishing")
			m.text(q.SummaryDraft, "")
		}
		var key, other []Idea
		// Themes match case-insensitively, spelled as first tagged.
		themes := map[string][]Idea{}
		spelling := map[string]string{}
		var themeOrder []string
		for _, i := range q.Ideas {
			t := strings.Join(strings.Fields(i.Theme), " ")
			switch {
			case i.Key:
				key = append(key, i)
			case t != "":
				k := strings.ToLower(t)
				if _, ok := themes[k]; !ok {
					themeOrder = append(themeOrder, k)
					spelling[k] = t
				}
				themes[k] = append(themes[k], i)
			default:
				other = append(other, i)
			}
		}
		if len(q.Ideas) == 0 {
			m.heading(h+2, "Ideas")
			m.para("*No ideas.*")
		}
		if len(key) > 0 {
			m.heading(h+2, "Key ideas")
			for _, i := range key {
				m.idea(i, true)
			}
		}
		if len(themeOrder) > 0 {
			m.heading(h+2, "Ideas by theme")
			slices.Sort(themeOrder)
			for _, k := range themeOrder {
				m.heading(h+3, inline(spelling[k]))
				for _, i := range themes[k] {
					m.idea(i, false)
				}
			}
		}
		if len(other) > 0 {
			if len(key) > 0 || len(themeOrder) > 0 {
				m.heading(h+2, "Other ideas")
			} else {
				m.heading(h+2, "Ideas")
			}
			for _, i := range other {
				m.idea(i, false)
			}
		}
		m.heading(h+2, "Minutes")
		m.text(q.Minutes, "No minutes taken.")
		if q.MinutesDraft != "" {
			m.heading(h+2, "Minutes: draft since publishing")
			m.text(q.MinutesDraft, "")
		}
	}
}

// idea writes an idea as a list item, the ideas merged into it nested.
func (m *mdWriter) idea(i Idea, withTheme bool) {
	notes := []string{inline(i.Author), votes(i.Votes)}
	if i.Pinned {
		notes = append(notes, "pinned")
	}
	if withTheme && strings.TrimSpace(i.Theme) != "" {
		notes = append(notes, "theme: "+inline(i.Theme))
	}
	var sub []string
	for _, g := range i.Merged {
		sub = append(sub, "merged in: "+inline(g.Text)+" ("+inline(g.Author)+")")
	}
	m.item(inline(i.Text)+" ("+strings.Join(notes, ", ")+")", sub...)
}

func (m *mdWriter) conference(c *Conference) {
	m.heading(1, inline(orDefault(c.Title, "Conference report")))
	m.para("Conference report, a draft built from the reports of " + count(len(c.Groups), "group") + ".")

	meth := c.Methodology
	m.heading(2, "Methodology")
	sizes := make([]string, len(meth.Groups))
	for k, g := range meth.Groups {
		sizes[k] = strconv.Itoa(g.Members)
	}
	intro := fmt.Sprintf("%s took part in %s", count(meth.Participants, "person"), count(len(meth.Groups), "group"))
	if len(sizes) > 0 {
		intro += " of " + andList(sizes) + " members"
	}
	intro += fmt.Sprintf(". Every group discussed the same %s, with a chair steering and a rapporteur "+
		"writing the minutes and a summary; participants added ideas and voted for them. Themes raised in "+
		"more than one group were found by comparing the ideas' words (TF-IDF cosine similarity of at least "+
		"%.2f over stemmed words without stop words).", count(len(meth.Questions), "question"), meth.Similarity)
	m.para(intro)
	m.para("Backgrounds of all participants: " + backgroundMix(meth.Backgrounds) + ".")
	m.para("The groups:")
	for _, g := range meth.Groups {
		m.item(fmt.Sprintf("%s: %s (%s)", inline(g.Group), count(g.Members, "member"), backgroundMix(g.Backgrounds)))
	}
	m.para("The questions:")
	for n, q := range meth.Questions {
		m.item(fmt.Sprintf("Question %d: %s", n+1, inline(q.Text)))
	}

	for n, q := range c.Questions {
		m.heading(2, fmt.Sprintf("Question %d: %s", n+1, inline(q.Text)))
		m.heading(3, "Synthesis")
		m.text(q.Synthesis, "No synthesis written.")
		m.heading(3, "Group summaries")
		for _, s := range q.Summaries {
			switch {
			case s.Draft:
				m.heading(4, inline(s.Group)+" (draft, not published)")
			case s.Edited:
				m.heading(4, inline(s.Group)+" (as published; edited since)")
			default:
				m.heading(4, inline(s.Group))
			}
			m.text(s.Text, "No summary written.")
		}
		m.heading(3, "Themes raised in more than one group")
		if len(q.Themes) == 0 {
			m.para("*No theme was raised in more than one group.*")
		}
		for _, t := range q.Themes {
			m.heading(4, inline(t.Label))
			groups := make([]string, len(t.Groups))
			for k, g := range t.Groups {
				groups[k] = inline(g)
			}
			m.para(fmt.Sprintf("Raised in %d of %d groups (%s), %s in all.",
				len(t.Groups), t.Of, andList(groups), votes(t.Votes)))
			for _, i := range t.Ideas {
				m.item(fmt.Sprintf("**%s** (%s): %s", inline(i.Group), votes(i.Votes), inline(i.Text)))
			}
		}
	}

	m.heading(2, "Appendix: group reports")
	if len(c.Groups) == 0 {
		m.para("*No groups.*")
	}
	for k := range c.Groups {
		m.group(&c.Groups[k], 3)
	}
}

// source is the provenance line of a group report.
func source(s Source) string {
	parts := []string{"session " + inline(orDefault(s.Session, "unknown")), "as of op " + strconv.FormatInt(s.Seq, 10)}
	if s.Relay != "" {
		parts = append(parts, "relay "+inline(s.Relay))
	}
	if s.File != "" {
		parts = append(parts, "file "+inline(s.File))
	}
	return strings.Join(parts, ", ")
}

func names(ns []string) string {
	if len(ns) == 0 {
		return "none"
	}
	out := make([]string, len(ns))
	for k, n := range ns {
		out[k] = inline(n)
	}
	return strings.Join(out, ", ")
}

func backgroundMix(bs []BackgroundTally) string {
	if len(bs) == 0 {
		return "none given"
	}
	out := make([]string, len(bs))
	for k, b := range bs {
		out[k] = inline(orDefault(b.Background, "not given")) + " " + strconv.Itoa(b.Count)
	}
	return strings.Join(out, ", ")
}

func votes(n int) string { return count(n, "vote") }

// count is "1 vote", "2 votes", "1 person", "3 people".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if noun == "person" {
		return strconv.Itoa(n) + " people"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// andList is "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// orDefault is s, or def when s is blank.
func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// mdEscaped are the characters escaped in user text: those that start
// inline structure in CommonMark (and pandoc's Markdown), and the table
// pipe of GitHub's flavour.
const mdEscaped = "\\`*_[]<>#|~&$^"

// inline makes user text safe within one line of Markdown: runs of white
// space become one space, structural characters are escaped, and a start
// that would open a block (a list item, say) is defused.
func inline(s string) string {
	return escapeLine(strings.Join(strings.Fields(s), " "))
}

// block renders multi-line user text as Markdown paragraphs that read as
// typed: blank lines part paragraphs, single line breaks are kept as hard
// breaks, and nothing in the text can open a heading, list, code block or
// raw HTML.
func block(s string) string {
	var paras []string
	var lines []string
	flush := func() {
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\\\n"))
			lines = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			flush()
			continue
		}
		lines = append(lines, escapeLine(line))
	}
	flush()
	return strings.Join(paras, "\n\n")
}

// escapeLine escapes one trimmed line of user text.
func escapeLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(mdEscaped, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return out
	}
	switch out[0] {
	case '-', '+', '=', ':', '%':
		return "\\" + out
	}
	// "1. " or "1) " would start an ordered list.
	n := 0
	for n < len(out) && n < 10 && out[n] >= '0' && out[n] <= '9' {
		n++
	}
	if n > 0 && n < len(out) && (out[n] == '.' || out[n] == ')') {
		return out[:n] + "\\" + out[n:]
	}
	return out
}
