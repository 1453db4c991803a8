package report_test

import (
	"breakout/report"
	"bytes"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func conferenceHTML(tb testing.TB, c *report.Conference) string {
	tb.Helper()
	var out bytes.Buffer
	if err := c.WriteHTML(&out); err != nil {
		tb.Fatalf("Conference.WriteHTML = %v; want success", err)
	}
	return out.String()
}

func groupHTML(tb testing.TB, g *report.Group) string {
	tb.Helper()
	var out bytes.Buffer
	if err := g.WriteHTML(&out); err != nil {
		tb.Fatalf("Group.WriteHTML = %v; want success", err)
	}
	return out.String()
}

func TestReportHTMLGolden(t *testing.T) {
	s := reportSession(t)
	conf := report.NewConference(s)
	group := report.NewGroup(s, "Manzoni")
	reportGolden(t, "conference.html", conferenceHTML(t, &conf))
	reportGolden(t, "group-manzoni.html", groupHTML(t, &group))
}

// parseHTML parses a page, failing the test on what no browser would read.
func parseHTML(tb testing.TB, page string) *html.Node {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		tb.Fatalf("html.Parse = %v", err)
	}
	return doc
}

// walkHTML calls f on every element of the page.
func walkHTML(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, f)
	}
}

// textOf is the text of a node, as a browser's textContent gives it.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestReportHTMLSameDocument: the page holds the report's Markdown
// document: its headings, each with an id, and a table of contents whose
// every link leads to one of them.
func TestReportHTMLSameDocument(t *testing.T) {
	s := reportSession(t)
	conf := report.NewConference(s)
	group := report.NewGroup(s, "Manzoni")
	for name, tc := range map[string]struct{ md, page, title string }{
		"conference": {conf.Markdown(), conferenceHTML(t, &conf), "The future of the partnership"},
		"group":      {group.Markdown(), groupHTML(t, &group), "Group report: Manzoni"},
	} {
		doc := parseHTML(t, tc.page)
		ids := map[string]bool{}
		var headings []string
		var title string
		var tocLinks []string
		walkHTML(doc, func(n *html.Node) {
			switch n.DataAtom {
			case atom.Title:
				title = textOf(n)
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				if id := attr(n, "id"); id != "" {
					ids[id] = true
					headings = append(headings, textOf(n))
				}
			case atom.A:
				if href := attr(n, "href"); strings.HasPrefix(href, "#") {
					tocLinks = append(tocLinks, href[1:])
				}
			}
		})
		if title != tc.title {
			t.Errorf("%s page <title> = %q; want %q", name, title, tc.title)
		}
		// Every Markdown heading is a heading of the page, in order.
		var mdHeadings []string
		for _, line := range strings.Split(tc.md, "\n") {
			if m := regexp.MustCompile(`^#{1,6} (.*)$`).FindStringSubmatch(line); m != nil {
				mdHeadings = append(mdHeadings, strings.NewReplacer(`\`, "").Replace(m[1]))
			}
		}
		if strings.Join(headings, "\n") != strings.Join(mdHeadings, "\n") {
			t.Errorf("%s page headings = %q; want the Markdown's %q", name, headings, mdHeadings)
		}
		if len(tocLinks) < 3 {
			t.Errorf("%s page has %d contents links; want one per section", name, len(tocLinks))
		}
		for _, l := range tocLinks {
			if !ids[l] {
				t.Errorf("%s page links to #%s; no heading has that id", name, l)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hostileGroup puts line wherever a group report shows a line of user
// text, and texts in the summary, minutes and synthesis.
func hostileGroup(line, texts string) report.Group {
	return report.Group{SchemaVersion: report.GroupSchema, Title: line, Group: line, Members: 1,
		Chairs: []string{line}, Rapporteurs: []string{line},
		Source:      report.Source{Session: line, Relay: line, File: line},
		Backgrounds: []report.BackgroundTally{{Background: line, Count: 1}},
		Questions: []report.GroupQuestion{{ID: "q1", Text: line, Summary: texts, Minutes: texts, Synthesis: texts,
			Ideas: []report.Idea{
				{Text: line, Author: line, Key: true, Theme: line, Merged: []report.MergedIdea{{Text: line, Author: line}}},
				{Text: line, Author: line, Theme: line},
				{Text: line, Author: line},
			}}},
	}
}

// hostileInputs are what a person might type to make the page run code,
// show an image or load something.
var hostileInputs = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[click me](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1) "t")`,
	`<a href="javascript:alert(1)">a</a>`,
	`![pic](http://evil.example/x.png)`,
	`<http://evil.example/x>`,
	`<style>@import url(http://evil.example/x.css)</style>`,
	`<link rel=stylesheet href=http://evil.example/x.css>`,
	"```\n</code></pre><script>alert(1)</script>\n```",
	"`<svg onload=alert(1)>`",
	`<iframe src="http://evil.example"></iframe>`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	`[x](vbscript:msgbox(1))`,
}

// TestReportHTMLHostileInput: whatever is typed into an idea, a minutes
// text, a synthesis or a group name, the page holds no script, no event
// handler, no image, no frame, no javascript: URL and loads nothing from
// elsewhere, and what was typed shows as text.
func TestReportHTMLHostileInput(t *testing.T) {
	for _, in := range hostileInputs {
		g := hostileGroup(in, in)
		other := hostileGroup("plain words", "plain words")
		other.Group = "Other"
		other.Questions[0].Ideas[0].Text = in + " plain words"
		c := report.Merge([]report.Group{g, other})
		for name, page := range map[string]string{"group": groupHTML(t, &g), "conference": conferenceHTML(t, &c)} {
			checkInert(t, name+" page with "+in, page)
		}
	}
	// A script in an idea shows as the text it is.
	g := hostileGroup("Manzoni", "plain words")
	g.Questions[0].Ideas[0].Text = "<script>alert(1)</script>"
	page := groupHTML(t, &g)
	if !strings.Contains(textOf(parseHTML(t, page)), "<script>alert(1)</script> (Manzoni, 0 votes") {
		t.Errorf("group page does not show the idea <script>alert(1)</script> as text:\n%s", page)
	}
}

var (
	jsURL      = regexp.MustCompile(`(?i)^\s*(javascript|vbscript|data):`)
	remoteText = regexp.MustCompile(`(?i)@import|url\s*\(|https?://`)
)

// checkInert fails the test if the page can run code or load anything.
func checkInert(t *testing.T, name, page string) {
	t.Helper()
	walkHTML(parseHTML(t, page), func(n *html.Node) {
		switch n.DataAtom {
		case atom.Script, atom.Img, atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Link, atom.Base, atom.Form, atom.Input:
			t.Errorf("%s: has a <%s> element", name, n.Data)
		case atom.Style:
			if remoteText.MatchString(textOf(n)) {
				t.Errorf("%s: style loads from elsewhere: %q", name, textOf(n))
			}
		}
		if n.Data == "svg" || n.Data == "math" {
			t.Errorf("%s: has a <%s> element", name, n.Data)
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				t.Errorf("%s: <%s> has the event handler %s=%q", name, n.Data, a.Key, a.Val)
			case k == "src" || k == "srcset" || k == "style" || k == "background" || k == "formaction":
				t.Errorf("%s: <%s> has %s=%q", name, n.Data, a.Key, a.Val)
			case jsURL.MatchString(a.Val):
				t.Errorf("%s: <%s> has %s=%q", name, n.Data, a.Key, a.Val)
			case k == "href" && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, "http://") &&
				!strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "mailto:"):
				t.Errorf("%s: <%s> links to %q", name, n.Data, a.Val)
			case k == "href" && n.DataAtom == atom.A && !strings.HasPrefix(a.Val, "#") && attr(n, "rel") != "nofollow noopener":
				t.Errorf("%s: link to %q has rel=%q; want \"nofollow noopener\"", name, a.Val, attr(n, "rel"))
			}
		}
	})
}
