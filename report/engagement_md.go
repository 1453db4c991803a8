package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"breakout/session"
)

// engagement writes the Engagement section. charts, when set, marks the
// places the HTML export draws its charts at.
func (m *mdWriter) engagement(e *Engagement, charts string) {
	chart := func(name string) {
		if charts != "" {
			m.para("`" + charts + name + "`")
		}
	}
	t := e.Total
	m.heading(2, "Engagement")
	if t.Members == 0 {
		m.para("*Nobody joined.*")
		return
	}
	p := fmt.Sprintf("%d of %s joined; %d contributed an idea or a vote and %d stayed silent. "+
		"They added %s (%d anonymous), %s per person, of which %d built on another, and gave %d of their %s.",
		t.Joined, count(t.Members, "member"), t.Contributed, t.Silent, count(t.Ideas, "idea"), t.Anonymous,
		decimal(t.IdeasPerPerson), t.BuildOns, t.Votes, votes(t.VoteBudget))
	if t.FirstIdeaSeconds != nil {
		p += " Half of those who added an idea under their name did so within " + duration(*t.FirstIdeaSeconds) + " of joining."
	}
	m.para(p)

	m.heading(3, "Participation by group")
	m.para("Anonymous ideas count in their group's ideas, and in nobody's background.")
	m.table([]string{"Group", "Joined", "Contributed", "Silent", "Ideas", "Per person", "Votes used", "Build-ons", "First idea"},
		"lrrrrrrrr", func(row func(...string)) {
			for _, g := range e.Groups {
				row(figureCells(inline(g.Group), g.Participation)...)
			}
			row(figureCells("**All**", t)...)
		})

	if len(t.PerMinute) > 0 {
		m.heading(3, "Ideas over time")
		every := "minute"
		if e.BucketMinutes > 1 {
			every = count(e.BucketMinutes, "minute")
		}
		m.para(fmt.Sprintf("Ideas added per %s from %s, each group against its busiest %s.",
			every, e.Start.UTC().Format("15:04 MST"), every))
		m.table([]string{"Group", "Ideas", "Busiest", "Over time"}, "lrrl", func(row func(...string)) {
			for _, g := range e.Groups {
				row(inline(g.Group), strconv.Itoa(g.Ideas), strconv.Itoa(maxOf(g.PerMinute)), "`"+sparkline(g.PerMinute)+"`")
			}
			row("**All**", strconv.Itoa(t.Ideas), strconv.Itoa(maxOf(t.PerMinute)), "`"+sparkline(t.PerMinute)+"`")
		})
		chart("per-minute")
	}

	m.heading(3, "Participation by background")
	m.table([]string{"Background", "Joined", "Contributed", "Silent", "Ideas", "Per person", "Votes used", "Build-ons", "First idea"},
		"lrrrrrrrr", func(row func(...string)) {
			for _, b := range e.Backgrounds {
				row(figureCells(orDefault(inline(b.Background), "*none given*"), b.Participation)...)
			}
		})
	chart("backgrounds")

	if len(e.Priorities) > 0 {
		m.heading(3, "Priorities")
		m.para("The plenary's priority votes over the conference themes and the recommendations of each question, " +
			"ranked together: one budget per person and question covered both.")
		for _, pr := range e.Priorities {
			m.heading(4, inline(pr.Text))
			ranked := pr.Ranked()
			m.table([]string{"Theme or recommendation", "Kind", "Votes", ""}, "llrl", func(row func(...string)) {
				top := 0
				for _, x := range ranked {
					top = max(top, x.Votes)
				}
				for _, x := range ranked {
					row(inline(x.Name), x.Kind, strconv.Itoa(x.Votes), bar(x.Votes, top))
				}
			})
			chart("priorities-" + pr.Question)
		}
	}

	if len(e.Survey) > 0 {
		m.heading(3, "Survey")
		intro := "Answers are anonymous."
		if slices.ContainsFunc(e.Survey, func(s SurveyResult) bool { return s.Named }) {
			intro = "Answers are anonymous, except on the items marked named, whose answers by name are in the responses table (`breakout report --format csv --table responses`), not in this report."
		}
		m.para(intro + " Tallies by group and by background pool the groups and backgrounds with fewer than 3 answers.")
		for _, s := range e.Survey {
			title := inline(s.Text)
			if s.Named {
				title += " (named)"
			}
			m.heading(4, title)
			m.para(count(s.Respondents, "answer") + ".")
			if s.Kind == "text" {
				for _, x := range s.Texts {
					m.item(userInline(x, "  "))
				}
				m.endList()
				continue
			}
			m.table([]string{"Answer", "Count", ""}, "lrl", func(row func(...string)) {
				top := maxOf(s.Counts)
				for k, a := range s.Answers {
					row(inline(a), strconv.Itoa(s.Counts[k]), bar(s.Counts[k], top))
				}
			})
			chart("survey-" + s.ID)
			for _, by := range []struct {
				name  string
				cells []cellTally
			}{{"Group", cellsOf(s.ByGroup)}, {"Background", cellsOf(s.ByBackground)}} {
				if len(by.cells) == 0 {
					continue
				}
				head := append([]string{by.name, "Answers"}, inlineAll(s.Answers)...)
				m.table(head, "lr"+strings.Repeat("r", len(s.Answers)), func(row func(...string)) {
					for _, c := range by.cells {
						cells := []string{orDefault(inline(c.name), "*none given*"), strconv.Itoa(c.respondents)}
						for _, n := range c.counts {
							cells = append(cells, strconv.Itoa(n))
						}
						row(cells...)
					}
				})
			}
		}
	}
}

// figureCells are a table row of participation figures.
func figureCells(name string, f Participation) []string {
	first := "–"
	if f.FirstIdeaSeconds != nil {
		first = duration(*f.FirstIdeaSeconds)
	}
	return []string{name, fmt.Sprintf("%d of %d", f.Joined, f.Members), strconv.Itoa(f.Contributed), strconv.Itoa(f.Silent),
		strconv.Itoa(f.Ideas), decimal(f.IdeasPerPerson), fmt.Sprintf("%d of %d", f.Votes, f.VoteBudget),
		strconv.Itoa(f.BuildOns), first}
}

// table writes a Markdown table; align holds l or r per column.
func (m *mdWriter) table(head []string, align string, rows func(row func(...string))) {
	m.endList()
	var b strings.Builder
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for _, a := range align {
		if a == 'r' {
			b.WriteString("--:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	rows(func(cells ...string) {
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	})
	m.para(strings.TrimRight(b.String(), "\n"))
}

type cellTally struct {
	name        string
	respondents int
	counts      []int
}

func cellsOf(cells []session.Cell) []cellTally {
	out := make([]cellTally, len(cells))
	for k, c := range cells {
		out[k] = cellTally{c.Name, c.Respondents, c.Counts}
	}
	return out
}

// sparkRunes draw a series in one line, lowest to highest.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws a series against its own highest value.
func sparkline(series []int) string {
	top := maxOf(series)
	var b strings.Builder
	for _, n := range series {
		k := 0
		if top > 0 && n > 0 {
			k = 1 + (n*(len(sparkRunes)-2)+top-1)/top
			k = min(k, len(sparkRunes)-1)
		}
		b.WriteRune(sparkRunes[k])
	}
	return b.String()
}

// bar draws n against top as a bar of up to 20 blocks.
func bar(n, top int) string {
	if top <= 0 || n <= 0 {
		return ""
	}
	return strings.Repeat("█", max(1, n*20/top))
}

func maxOf(xs []int) int {
	top := 0
	for _, x := range xs {
		top = max(top, x)
	}
	return top
}

func decimal(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// duration writes seconds as people read them: "45 s", "3 min 5 s", "4 min", "1 h 2 min".
func duration(secs int) string {
	d := time.Duration(secs) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", secs)
	case d < time.Hour && secs%60 == 0:
		return fmt.Sprintf("%d min", secs/60)
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", secs/60, secs%60)
	case secs%3600/60 == 0:
		return fmt.Sprintf("%d h", secs/3600)
	}
	return fmt.Sprintf("%d h %d min", secs/3600, secs%3600/60)
}
