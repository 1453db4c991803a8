package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// WriteHTML writes the conference report as one self-contained HTML page:
// the document of Markdown, with a table of contents, styled for screen
// and print, with no script and nothing loaded from elsewhere.
func (c *Conference) WriteHTML(w io.Writer) error {
	cc := *c
	cc.charts = chartMarker()
	return writeHTML(w, cc.Markdown(), orDefault(c.Title, "Conference report"),
		fmt.Sprintf("Conference report drafted by breakout from the reports of %s.", count(len(c.Groups), "group")),
		func(body []byte) []byte { return drawCharts(body, cc.charts, c.Engagement) })
}

// WriteHTML writes the group report as one self-contained HTML page, like
// the conference report's.
func (r *Group) WriteHTML(w io.Writer) error {
	return writeHTML(w, r.Markdown(), "Group report: "+strings.Join(strings.Fields(r.Group), " "),
		fmt.Sprintf("Group report drafted by breakout from session %s as of op %d.",
			orDefault(r.Source.Session, "unknown"), r.Source.Seq), nil)
}

// htmlMarkdown renders the reports' Markdown. GFM tables and
// strikethrough render as the terminal preview (glamour) shows them; raw
// HTML is never passed through (goldmark's default), and the escaping of
// user text in usermd.go already keeps it out.
var htmlMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.Strikethrough,
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute))),
	goldmark.WithParserOptions(parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(linkRel{}, 0))),
)

// linkRel marks every link of the document as one the report does not
// vouch for.
type linkRel struct{}

func (linkRel) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			l.SetAttributeString("rel", []byte("nofollow noopener"))
		}
		return ast.WalkContinue, nil
	})
}

// htmlPolicy is the second wall after the Markdown's escaping: only the
// elements the reports' Markdown renders to, ids of the form goldmark
// gives headings, links to the web and to mail only, no images, no style
// attributes, no event handlers.
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li",
		"em", "strong", "del", "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("id").Matching(headingID).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+.-]+$`)).OnElements("code")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}()

// firstH2 finds the first section; user text cannot hold a tag, as the
// sanitiser escapes every "<" that is not one.
var firstH2 = regexp.MustCompile(`<h2[ >]`)

// headingID is the form of the ids goldmark's auto heading ids take.
var headingID = regexp.MustCompile(`^[a-z0-9_-]+$`)

// tocEntry is a heading of the table of contents, with the headings one
// level below it.
type tocEntry struct {
	ID, Text string
	Sub      []tocEntry
}

// writeHTML renders md, sanitises it and wraps it in the page.
// ours, when given, adds to the sanitised body what is ours to add.
func writeHTML(w io.Writer, md, title, footer string, ours func([]byte) []byte) error {
	src := []byte(md)
	doc := htmlMarkdown.Parser().Parse(text.NewReader(src))
	var body bytes.Buffer
	if err := htmlMarkdown.Renderer().Render(&body, src, doc); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	clean := htmlPolicy.SanitizeBytes(body.Bytes())
	if ours != nil {
		clean = ours(clean)
	}

	// The table of contents goes right before the first section, below
	// the title and what introduces the report.
	before, after := clean, []byte(nil)
	if at := firstH2.FindIndex(clean); at != nil {
		before, after = clean[:at[0]], clean[at[0]:]
	}
	return pageTemplate.Execute(w, struct {
		Title, Footer string
		Head, Rest    template.HTML
		TOC           []tocEntry
	}{title, footer, template.HTML(before), template.HTML(after), contents(doc, src)})
}

// contents lists the document's h2 headings with their h3s.
func contents(doc ast.Node, src []byte) []tocEntry {
	var toc []tocEntry
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level < 2 || h.Level > 3 {
			continue
		}
		id, _ := h.AttributeString("id")
		idb, _ := id.([]byte)
		if !headingID.Match(idb) {
			continue
		}
		e := tocEntry{ID: string(idb), Text: plainText(h, src)}
		switch {
		case h.Level == 2:
			toc = append(toc, e)
		case len(toc) == 0:
			toc = append(toc, tocEntry{Sub: []tocEntry{e}})
		default:
			toc[len(toc)-1].Sub = append(toc[len(toc)-1].Sub, e)
		}
	}
	return toc
}

// plainText is the text a heading shows, without its Markdown.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// pageTemplate is the page around the report. Its CSS uses the system's
// fonts only; the Content-Security-Policy is a last wall that forbids
// scripts and every load from elsewhere, should anything slip through.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="breakout">
<title>{{.Title}}</title>
<style>
:root {
  --text: #1b1b1b; --muted: #5d5d5d; --rule: #d6d3cc; --accent: #8a3b12; --code-bg: #f4f2ee;
  --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "Liberation Serif", "DejaVu Serif", serif;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
html { background: #fff; color: var(--text); }
body { font: 12pt/1.5 var(--serif); max-width: 44em; margin: 0 auto; padding: 2.5em 1.5em 3em; }
h1, h2, h3, h4, h5, h6 { font-family: var(--sans); line-height: 1.25; margin: 1.6em 0 0.5em; break-after: avoid; page-break-after: avoid; }
h1 { font-size: 1.9em; margin-top: 0; color: var(--accent); }
h2 { font-size: 1.45em; padding-bottom: 0.2em; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.2em; }
h4 { font-size: 1.05em; }
h5 { font-size: 1em; color: var(--muted); }
h6 { font-size: 1em; font-style: italic; font-weight: normal; color: var(--muted); }
p, ul, ol, pre, blockquote, table { margin: 0 0 0.8em; }
ul, ol { padding-left: 1.5em; }
li { margin: 0.2em 0; break-inside: avoid; page-break-inside: avoid; }
li > ul, li > ol { margin: 0.2em 0 0; }
a { color: var(--accent); }
code { font-family: var(--mono); font-size: 0.88em; background: var(--code-bg); padding: 0.05em 0.25em; border-radius: 3px; }
pre { background: var(--code-bg); padding: 0.6em 0.8em; border-radius: 4px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; break-inside: avoid; }
pre code { background: none; padding: 0; font-size: 0.85em; }
blockquote { margin-left: 0; padding-left: 1em; border-left: 3px solid var(--rule); color: var(--muted); }
hr { border: 0; border-top: 1px solid var(--rule); margin: 1.2em 0; }
table { border-collapse: collapse; }
figure.chart { margin: 0.5em 0 1em; break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
th, td { border: 1px solid var(--rule); padding: 0.25em 0.6em; vertical-align: top; }
th { font-family: var(--sans); background: var(--code-bg); }
nav.toc { font-family: var(--sans); font-size: 0.95em; margin: 1.5em 0 2em; padding: 0.8em 1.2em; border: 1px solid var(--rule); border-radius: 4px; }
nav.toc h2 { font-size: 1.1em; border: 0; margin: 0 0 0.4em; padding: 0; break-before: auto; page-break-before: auto; }
nav.toc ol { margin: 0; padding-left: 1.3em; }
nav.toc ol ol { list-style: none; padding-left: 1em; color: var(--muted); font-size: 0.92em; }
nav.toc a { color: inherit; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
footer { font-family: var(--sans); font-size: 0.85em; color: var(--muted); margin-top: 3em; padding-top: 0.6em; border-top: 1px solid var(--rule); }
@page {
  size: A4; margin: 2cm 1.8cm 2.2cm;
  @bottom-left { content: "{{.Footer}}"; font: 8pt var(--sans); color: #5d5d5d; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt var(--sans); color: #5d5d5d; }
}
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  main > h2 { break-before: page; page-break-before: always; }
  /* Each group report of the appendix on a page of its own. */
  #appendix-group-reports ~ h3 ~ h3 { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
  nav.toc { border: 0; padding: 0; }
  /* The footer line is at the foot of every page instead. */
  footer { display: none; }
  pre, code { background: none; }
  pre { border: 1px solid var(--rule); }
  h2, h3, h4 { orphans: 3; widows: 3; }
  p { orphans: 3; widows: 3; }
}
</style>
</head>
<body>
<main>
{{.Head}}
{{- if .TOC}}
<nav class="toc" aria-label="Contents">
<h2>Contents</h2>
<ol>
{{- range .TOC}}
<li>{{if .ID}}<a href="#{{.ID}}">{{.Text}}</a>{{end}}
{{- if .Sub}}
<ol>
{{- range .Sub}}
<li><a href="#{{.ID}}">{{.Text}}</a></li>
{{- end}}
</ol>
{{- end}}
</li>
{{- end}}
</ol>
</nav>
{{end}}
{{.Rest}}
</main>
<footer>{{.Footer}}</footer>
</body>
</html>
`))

var _ parser.ASTTransformer = linkRel{}
