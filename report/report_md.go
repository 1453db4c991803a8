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

// text writes user text as Markdown whose headings start at level, or the
// placeholder in italics when there is none.
func (m *mdWriter) text(body, none string, level int) {
	if md := userBlock(body, level); md != "" {
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
		m.text(q.Summary, "No summary written.", h+3)
		if q.SummaryDraft != "" {
			m.heading(h+2, "Summary: draft since publishing")
			m.text(q.SummaryDraft, "", h+3)
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
		m.text(q.Minutes, "No minutes taken.", h+3)
		if q.MinutesDraft != "" {
			m.heading(h+2, "Minutes: draft since publishing")
			m.text(q.MinutesDraft, "", h+3)
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
		sub = append(sub, "merged in: "+userInline(g.Text, "    ")+" ("+inline(g.Author)+")")
	}
	m.item(userInline(i.Text, "  ")+" ("+strings.Join(notes, ", ")+")", sub...)
}

func (m *mdWriter) conference(c *Conference) {
	t := c.Texts
	m.heading(1, inline(orDefault(c.Title, "Conference report")))
	if t.Subtitle != "" {
		m.para("*" + inline(t.Subtitle) + "*")
	}
	var when []string
	for _, s := range []string{t.Dates, t.Venue} {
		if s != "" {
			when = append(when, inline(s))
		}
	}
	if len(when) > 0 {
		m.para(strings.Join(when, " · "))
	}
	var credits []string
	if len(t.Organisers) > 0 {
		credits = append(credits, "Organised by "+andList(inlineAll(t.Organisers))+".")
	}
	if len(t.Sponsors) > 0 {
		credits = append(credits, "With the support of "+andList(inlineAll(t.Sponsors))+".")
	}
	if len(credits) > 0 {
		m.para(strings.Join(credits, " "))
	}
	var drafts []string
	for _, g := range c.Methodology.Groups {
		if !g.Published {
			drafts = append(drafts, inline(g.Group))
		}
	}
	if len(drafts) > 0 {
		verb := "have not yet published their reports"
		if len(drafts) == 1 {
			verb = "has not yet published its report"
		}
		m.para(fmt.Sprintf("*Draft: %s %s; this report shows their work as it stood.*", andList(drafts), verb))
	}

	if strings.TrimSpace(t.Executive) != "" {
		m.heading(2, "Executive summary")
		m.text(t.Executive, "", 3)
	}
	if strings.TrimSpace(t.Recommendations) != "" {
		m.heading(2, "Recommendations")
		m.text(t.Recommendations, "", 3)
	}

	m.heading(2, "Purpose and method")
	for _, p := range method(c) {
		m.para(p)
	}
	for n, q := range c.Methodology.Questions {
		line := fmt.Sprintf("Question %d: %s", n+1, inline(q.Text))
		if q.Timebox > 0 {
			line += fmt.Sprintf(" (%s)", count(q.Timebox, "minute"))
		}
		m.item(line)
	}

	for n, q := range c.Questions {
		m.heading(2, fmt.Sprintf("Question %d: %s", n+1, inline(q.Text)))
		if strings.TrimSpace(q.Synthesis) != "" {
			m.heading(3, "Synthesis")
			m.text(q.Synthesis, "", 4)
		}
		if len(q.Recommendations) > 0 {
			m.heading(3, "Recommendations")
			if q.Voted() {
				m.para("Ranked by the plenary's priority votes.")
			}
			for _, r := range q.Recommendations {
				line := userInline(r.Text, "  ")
				if q.Voted() {
					line += " (" + count(r.Votes, "priority vote") + ")"
				}
				m.item(line)
			}
			m.endList()
		}
		m.heading(3, "Themes")
		if len(q.Themes) == 0 {
			m.para("*No theme was raised in more than one group.*")
		}
		for _, th := range q.Themes {
			m.heading(4, inline(th.Name))
			m.para(fmt.Sprintf("Raised in %d of %d groups (%s), %s in all.",
				len(th.Groups), th.Of, andList(inlineAll(th.Groups)), votes(th.Votes)))
			for _, p := range th.Points {
				m.point(p, true)
			}
		}
		if len(q.Singles) > 0 {
			m.heading(3, "Raised in one group")
			for _, g := range q.Singles {
				m.heading(4, inline(g.Group))
				for _, p := range g.Points {
					m.point(p, false)
				}
			}
		}
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
			m.text(s.Text, "No summary written.", 5)
		}
	}

	if c.Engagement != nil {
		m.engagement(c.Engagement, c.charts)
	}
	if c.Appendix {
		m.heading(2, "Appendix: group reports")
		if len(c.Groups) == 0 {
			m.para("*No groups.*")
		}
		for k := range c.Groups {
			m.group(&c.Groups[k], 3)
		}
	}
}

// point writes an idea the conference report cites, with its group when
// the list mixes groups.
func (m *mdWriter) point(p Point, withGroup bool) {
	notes := []string{votes(p.Votes)}
	if p.Key {
		notes = append(notes, "key idea")
	}
	if withGroup {
		m.item(fmt.Sprintf("**%s** (%s): %s", inline(p.Group), strings.Join(notes, ", "), userInline(p.Text, "  ")))
		return
	}
	m.item(fmt.Sprintf("%s (%s)", userInline(p.Text, "  "), strings.Join(notes, ", ")))
}

// method says in plain words who took part and how the day worked.
func method(c *Conference) []string {
	meth := c.Methodology
	sizes := make([]string, len(meth.Groups))
	unseen := false
	for k, g := range meth.Groups {
		sizes[k] = fmt.Sprintf("%s (%d)", inline(g.Group), g.Members)
		if g.Unseen {
			sizes[k], unseen = inline(g.Group), true
		}
	}
	var out []string
	who := fmt.Sprintf("%s took part in %s", count(meth.Participants, "person"), count(len(meth.Groups), "breakout group"))
	if unseen {
		// A member's draft knows the size of their own group only.
		who = fmt.Sprintf("The session had %s", count(len(meth.Groups), "breakout group"))
		for k, g := range meth.Groups {
			if !g.Unseen {
				sizes[k] = fmt.Sprintf("%s (your group, %s)", inline(g.Group), count(g.Members, "person"))
			}
		}
	}
	if len(sizes) > 0 {
		who += ": " + andList(sizes)
	}
	who += "."
	switch {
	case unseen:
		if len(meth.Backgrounds) > 0 {
			who += " Backgrounds in your group: " + backgroundMix(meth.Backgrounds) + "."
		}
		who += " This draft shows the size of your own group only; the organizers' report gives every group's."
		out = append(out, who)
		return append(out, methodBody(meth)...)
	case meth.FromRoster > 0 && meth.FromRoster == meth.Participants:
		who += " The groups were formed from the list of participants so that each mixed people of different backgrounds and organizations."
	case meth.FromRoster > 0:
		who += fmt.Sprintf(" %s were placed in groups from the list of participants so that each group mixed backgrounds and organizations; the others joined a group of their choice.", count(meth.FromRoster, "person"))
	default:
		who += " People joined the group whose code they were given."
	}
	if len(meth.Backgrounds) > 0 {
		who += " Backgrounds: " + backgroundMix(meth.Backgrounds) + "."
	}
	out = append(out, who)
	return append(out, methodBody(meth)...)
}

// methodBody is the method's text after who took part: how the groups
// worked and how the report gathers their ideas.
func methodBody(meth Methodology) []string {
	var out []string
	out = append(out, fmt.Sprintf("Every group discussed the same %s. In each, a chair steered the discussion and kept "+
		"time, and a rapporteur took the minutes and wrote a summary; participants put forward ideas, built on each "+
		"other's and voted for those they found most important.", count(len(meth.Questions), "question")))
	out = append(out, "For each question, the ideas are gathered into themes across the groups: themes the organizers "+
		"drew up, themes the rapporteurs gave the same name in several groups, and ideas worded alike. \"Raised in k of "+
		"n groups\" counts the groups where at least one idea of the theme came up. Key ideas and points that came up in "+
		"one group only follow, by group, and then each group's own summary.")
	out = append(out, "The questions:")
	return out
}

func inlineAll(list []string) []string {
	out := make([]string, len(list))
	for k, s := range list {
		out[k] = inline(s)
	}
	return out
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
