package report

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
)

// The HTML export draws the engagement figures as inline SVG. The charts
// are ours, not user text: they are put in after the sanitiser, in place
// of markers that user text cannot forge, since each holds a random nonce
// made for that one export. Every name in them is escaped.

// chartMarker returns a fresh marker prefix.
func chartMarker() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("report: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	return "chart-" + hex.EncodeToString(b[:]) + "-"
}

// drawCharts replaces the markers of prefix in the sanitised page body
// with the charts of e.
func drawCharts(body []byte, prefix string, e *Engagement) []byte {
	if e == nil {
		return body
	}
	charts := map[string]string{
		"per-minute":  perMinuteSVG(e),
		"backgrounds": backgroundsSVG(e),
	}
	for _, s := range e.Survey {
		charts["survey-"+s.ID] = barsSVG(s.Answers, s.Counts, "answers")
	}
	for _, pr := range e.Priorities {
		var names []string
		var votes []int
		for _, x := range pr.Ranked() {
			prefix := "Theme: "
			if x.Kind == PriorityOfRecommendation {
				prefix = "Rec.: " // labels are clipped to 24 characters
			}
			names = append(names, prefix+x.Name)
			votes = append(votes, x.Votes)
		}
		charts["priorities-"+pr.Question] = barsSVG(names, votes, "priority votes")
	}
	for name, svg := range charts {
		body = bytes.ReplaceAll(body, []byte("<p><code>"+prefix+name+"</code></p>"), []byte(`<figure class="chart">`+svg+`</figure>`))
	}
	return body
}

const (
	chartWidth = 640
	labelWidth = 160
	rowHeight  = 26
)

// perMinuteSVG draws each group's ideas over time as a sparkline.
func perMinuteSVG(e *Engagement) string {
	var b strings.Builder
	h := rowHeight * len(e.Groups)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Ideas over time by group">`,
		chartWidth, h, chartWidth, h)
	top := 1
	for _, g := range e.Groups {
		top = max(top, maxOf(g.PerMinute))
	}
	plot := chartWidth - labelWidth - 10
	for k, g := range e.Groups {
		y := k * rowHeight
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="currentColor">%s</text>`, y+17, html.EscapeString(clip(g.Group, 24)))
		n := len(g.PerMinute)
		var pts []string
		for i, v := range g.PerMinute {
			x := labelWidth
			if n > 1 {
				x += i * plot / (n - 1)
			}
			pts = append(pts, fmt.Sprintf("%d,%d", x, y+rowHeight-3-v*(rowHeight-6)/top))
		}
		if n == 1 {
			pts = append(pts, fmt.Sprintf("%d,%s", labelWidth+plot, strings.Split(pts[0], ",")[1]))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#3b6ea5" stroke-width="1.5"/>`, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// backgroundsSVG draws, per background, who joined and who contributed.
func backgroundsSVG(e *Engagement) string {
	var names []string
	var joined, contributed []int
	for _, bg := range e.Backgrounds {
		names = append(names, orDefault(bg.Background, "none given"))
		joined = append(joined, bg.Joined)
		contributed = append(contributed, bg.Contributed)
	}
	var b strings.Builder
	h := rowHeight*len(names) + rowHeight
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Participation by background">`,
		chartWidth, h, chartWidth, h)
	top := max(1, maxOf(joined))
	plot := chartWidth - labelWidth - 60
	for k, name := range names {
		y := k * rowHeight
		wj, wc := joined[k]*plot/top, contributed[k]*plot/top
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="currentColor">%s</text>`, y+17, html.EscapeString(clip(name, 24)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#c9d7e8"/>`, labelWidth, y+5, wj)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#3b6ea5"/>`, labelWidth, y+5, wc)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="currentColor">%d of %d</text>`, labelWidth+wj+6, y+17, contributed[k], joined[k])
	}
	y := rowHeight * len(names)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="#3b6ea5"/><text x="%d" y="%d" font-size="12" fill="currentColor">contributed</text>`,
		labelWidth, y+6, labelWidth+16, y+16)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="#c9d7e8"/><text x="%d" y="%d" font-size="12" fill="currentColor">joined</text>`,
		labelWidth+110, y+6, labelWidth+126, y+16)
	b.WriteString(`</svg>`)
	return b.String()
}

// barsSVG draws counts as horizontal bars, one per label.
func barsSVG(labels []string, counts []int, what string) string {
	var b strings.Builder
	h := rowHeight * len(labels)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		chartWidth, h, chartWidth, h, html.EscapeString(what))
	top := max(1, maxOf(counts))
	plot := chartWidth - labelWidth - 40
	for k, l := range labels {
		y := k * rowHeight
		w := counts[k] * plot / top
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" fill="currentColor">%s</text>`, y+17, html.EscapeString(clip(l, 24)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#3b6ea5"/>`, labelWidth, y+5, w)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="currentColor">%d</text>`, labelWidth+w+6, y+17, counts[k])
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// clip shortens a label to n characters.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
