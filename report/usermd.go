package report

import (
	"regexp"
	"strings"
)

// What people write (minutes, summaries, syntheses, ideas) is Markdown and
// is rendered as Markdown, but it is fenced in so that it can never break
// the report around it:
//
//   - no raw HTML, autolinks or images: every "<" outside code is escaped,
//     and "![" becomes a plain link, so a report loads nothing remote;
//   - a heading in a text is nested under the report's heading that holds
//     the text (a "#" in the minutes of a group report is one level below
//     "Minutes"), and turns into bold text below level six;
//   - a fence left open is closed at the end of its text, so it cannot
//     swallow the rest of the report;
//   - a line break typed inside a paragraph stays a line break;
//   - an idea is one list item: inline Markdown (emphasis, code, links)
//     renders, but nothing in it can open a block.
//
// Names, titles, group names and themes are not Markdown: inline escapes
// them whole.

var (
	// containerRE matches one blockquote marker or list marker at the
	// start of a line, with the indentation before it.
	containerRE = regexp.MustCompile(`^ {0,3}(?:>[ ]?|[-+*][ ]+|[0-9]{1,9}[.)][ ]+)`)
	atxRE       = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ ]+(.*?))?(?:[ ]+#+)?[ ]*$`)
	fenceRE     = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	thematicRE  = regexp.MustCompile(`^ {0,3}(?:(?:-[ ]*){3,}|(?:\*[ ]*){3,}|(?:_[ ]*){3,})$`)
	setextEqRE  = regexp.MustCompile(`^ {0,3}=+[ ]*$`)
	setextDshRE = regexp.MustCompile(`^ {0,3}-+[ ]*$`)
	infoRE      = regexp.MustCompile(`^[A-Za-z0-9_+.-]*$`)
	blockRE     = regexp.MustCompile("^ {0,3}(?:[>#|]|[-+*](?:[ ]|$)|[0-9]{1,9}[.)](?:[ ]|$)|```|~~~)")
)

// splitContainers parts a line into its container markers (blockquotes,
// list items) and the rest.
func splitContainers(line string) (prefix, rest string) {
	rest = line
	for {
		loc := containerRE.FindStringIndex(rest)
		if loc == nil || loc[1] == 0 {
			return line[:len(line)-len(rest)], rest
		}
		rest = rest[loc[1]:]
	}
}

// userBlock renders multi-line user text as Markdown blocks whose headings
// start at level (the level right below the heading that holds the text).
func userBlock(s string, level int) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\t", "    ")
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	var out []string
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	fence := "" // the marker of an open fenced code block
	for k, line := range lines {
		line = strings.TrimRight(line, " ")
		if fence != "" {
			out = append(out, line)
			if closesFence(line, fence) {
				fence = ""
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			blank()
			continue
		}
		prefix, rest := splitContainers(line)
		if m := fenceRE.FindStringSubmatch(rest); m != nil && prefix != "" {
			// A fence in a quote or a list item would end with its
			// container, where the text's own lines cannot be followed
			// reliably: it stays text.
			out = append(out, prefix+`\`+strings.TrimLeft(rest, " "))
			continue
		} else if m != nil {
			// The info string names the code's language: one word, or
			// nothing.
			fence = m[1]
			info := strings.TrimSpace(rest[strings.Index(rest, m[1])+len(m[1]):])
			if !infoRE.MatchString(info) {
				info = ""
			}
			out = append(out, prefix+m[1]+info)
			continue
		}
		if m := atxRE.FindStringSubmatch(rest); m != nil {
			lvl := level + len(m[1]) - 1
			title := escapeOutsideCode(m[2])
			if prefix == "" {
				blank()
			}
			if lvl > 6 {
				out = append(out, prefix+"**"+title+"**")
			} else {
				out = append(out, prefix+strings.Repeat("#", lvl)+" "+title)
			}
			if prefix == "" {
				out = append(out, "")
			}
			continue
		}
		prevText := len(out) > 0 && out[len(out)-1] != ""
		switch {
		case setextEqRE.MatchString(rest):
			// A line of = under text would make it a heading of level 1.
			out = append(out, prefix+`\`+strings.TrimLeft(rest, " "))
			continue
		case setextDshRE.MatchString(rest) && prevText:
			// Under text, a line of dashes would make a level-2 heading;
			// it is taken as the separator it was meant to be.
			if prefix == "" {
				blank()
				out = append(out, "---", "")
			} else {
				out = append(out, prefix+`\`+strings.TrimLeft(rest, " "))
			}
			continue
		case thematicRE.MatchString(rest):
			out = append(out, prefix+strings.TrimLeft(rest, " "))
			continue
		}
		line = prefix + escapeOutsideCode(rest)
		if k+1 < len(lines) && continuesParagraph(lines[k+1]) && !strings.HasPrefix(strings.TrimSpace(rest), "|") &&
			!strings.HasSuffix(line, `\`) && !strings.HasPrefix(line, "    ") {
			line += `\`
		}
		out = append(out, line)
	}
	if fence != "" {
		out = append(out, fence)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}

// closesFence reports whether line closes a fenced code block opened with
// fence, as CommonMark has it: at most three spaces, the same character at
// least as many times, then nothing but spaces.
func closesFence(line, fence string) bool {
	rest := strings.TrimLeft(line, " ")
	if len(line)-len(rest) > 3 {
		return false
	}
	n := 0
	for n < len(rest) && rest[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimRight(rest[n:], " ") == ""
}

// continuesParagraph reports whether a line, following a line of text,
// carries on its paragraph rather than opening a block of its own.
func continuesParagraph(next string) bool {
	next = strings.ReplaceAll(strings.TrimRight(next, " "), "\t", "    ")
	if strings.TrimSpace(next) == "" {
		return false
	}
	return !blockRE.MatchString(next) && !setextEqRE.MatchString(next) && !setextDshRE.MatchString(next) &&
		!thematicRE.MatchString(next)
}

// userInline renders user text as one list item's worth of Markdown:
// inline Markdown stays, every line break stays (as a hard break, the next
// line indented by indent so it stays in the item), and nothing can open a
// block.
func userInline(s, indent string) string {
	var lines []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		lines = append(lines, defuseStart(escapeOutsideCode(line)))
	}
	return strings.Join(lines, "\\\n"+indent)
}

// defuseStart escapes the start of a line of inline Markdown that would
// open a block: a heading, quote, list item, table row, fence, thematic
// break or setext underline.
func defuseStart(line string) string {
	if line == "" {
		return line
	}
	if thematicRE.MatchString(line) || setextEqRE.MatchString(line) {
		return `\` + line
	}
	switch line[0] {
	case '#', '>', '|', '=', ':', '%', '~', '`':
		if line[0] != '`' || strings.HasPrefix(line, "```") {
			return `\` + line
		}
	case '-', '+', '*':
		if len(line) == 1 || line[1] == ' ' {
			return `\` + line
		}
	}
	n := 0
	for n < len(line) && n < 10 && line[n] >= '0' && line[n] <= '9' {
		n++
	}
	if n > 0 && n < len(line) && (line[n] == '.' || line[n] == ')') {
		return line[:n] + `\` + line[n:]
	}
	return line
}

// escapeOutsideCode escapes "<" (raw HTML, autolinks) and "![" (images)
// everywhere but in code spans, which show their text as it is, and
// escapes backticks that open no code span on their line.
func escapeOutsideCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '`' {
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			if end := closingTicks(s[i+n:], n); end >= 0 {
				b.WriteString(s[i : i+n+end+n])
				i += n + end + n
				continue
			}
			// A run left open on its line is escaped: a paragraph's
			// next line could close it, and the span would then take
			// in the line break and leave what follows it unescaped.
			b.WriteString(strings.Repeat("\\`", n))
			i += n
			continue
		}
		switch {
		case s[i] == '\\' && i+1 < len(s):
			b.WriteString(s[i : i+2])
			i += 2
			continue
		case s[i] == '<':
			b.WriteString(`\<`)
		case s[i] == '!' && i+1 < len(s) && s[i+1] == '[':
			b.WriteString(`\!`)
		default:
			b.WriteByte(s[i])
		}
		i++
	}
	return b.String()
}

// closingTicks finds a run of exactly n backticks in s, the end of a code
// span opened by n; -1 when the span is not closed on this line.
func closingTicks(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}
