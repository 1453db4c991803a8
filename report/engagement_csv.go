package report

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"breakout/session"
)

// Tables of the CSV export (--table).
const (
	TableIdeas         = "ideas"
	TableResponses     = "responses"
	TableParticipation = "participation"
	TablePriorities    = "priorities"
)

// ErrNoEngagement is returned for the engagement tables of a report
// without engagement figures (merged from group reports).
var ErrNoEngagement = errors.New("this report holds no engagement figures: they come from a relay, not from merged group reports")

// ResponsesHeader is the header row of the survey responses table: one
// row per answer and cell, counts only; no row names who answered, but on
// an item the plan marks named, whose rows of scope "person" give each
// answer with its author's name and group.
var ResponsesHeader = []string{"item", "kind", "text", "scope", "cell", "respondents", "answer", "count"}

// ParticipationHeader is the header row of the participation table: one
// row for everyone, then one per group and per background.
var ParticipationHeader = []string{"scope", "name", "members", "joined", "contributed", "silent", "ideas", "anonymous",
	"ideas_per_person", "votes", "vote_budget", "build_ons", "first_idea_seconds", "series_start", "bucket_minutes", "per_interval"}

// PrioritiesHeader is the header row of the priority votes table: one
// row per conference theme or recommendation of a question, ranked
// together within the question.
var PrioritiesHeader = []string{"question", "question_text", "rank", "kind", "name", "votes"}

// WriteTableCSV writes one table of the conference report as CSV: the
// ideas (WriteCSV), the survey responses, the participation figures, or
// the priority votes.
func (c *Conference) WriteTableCSV(w io.Writer, table string) error {
	switch table {
	case "", TableIdeas:
		return c.WriteCSV(w)
	case TableResponses, TableParticipation, TablePriorities:
	default:
		return errors.New("--table " + strconv.Quote(table) + " is not known; use ideas, responses, participation or priorities")
	}
	e := c.Engagement
	if e == nil {
		return ErrNoEngagement
	}
	cw := csv.NewWriter(w)
	if table == TablePriorities {
		cw.Write(PrioritiesHeader)
		for _, pr := range e.Priorities {
			for k, x := range pr.Ranked() {
				cw.Write([]string{cell(pr.Question), cell(pr.Text), strconv.Itoa(k + 1), x.Kind, cell(x.Name), strconv.Itoa(x.Votes)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	if table == TableResponses {
		cw.Write(ResponsesHeader)
		for _, s := range e.Survey {
			row := func(scope, name string, respondents int, answer string, n int) {
				cw.Write([]string{cell(s.ID), s.Kind, cell(s.Text), scope, cell(name), strconv.Itoa(respondents), cell(answer), strconv.Itoa(n)})
			}
			if s.Kind == session.SurveyText {
				for k := 0; k < len(s.Texts); {
					n := 1
					for k+n < len(s.Texts) && s.Texts[k+n] == s.Texts[k] {
						n++
					}
					row("total", "", s.Respondents, s.Texts[k], n)
					k += n
				}
				named(s, row)
				continue
			}
			for k, a := range s.Answers {
				row("total", "", s.Respondents, a, s.Counts[k])
			}
			for _, by := range []struct {
				scope string
				cells []session.Cell
			}{{"group", s.ByGroup}, {"background", s.ByBackground}} {
				for _, ce := range by.cells {
					for k, a := range s.Answers {
						if k < len(ce.Counts) {
							row(by.scope, ce.Name, ce.Respondents, a, ce.Counts[k])
						}
					}
				}
			}
			named(s, row)
		}
	} else {
		cw.Write(ParticipationHeader)
		start := ""
		if !e.Start.IsZero() {
			start = e.Start.UTC().Format(time.RFC3339)
		}
		row := func(scope, name string, f Participation) {
			first := ""
			if f.FirstIdeaSeconds != nil {
				first = strconv.Itoa(*f.FirstIdeaSeconds)
			}
			series := make([]string, len(f.PerMinute))
			for k, n := range f.PerMinute {
				series[k] = strconv.Itoa(n)
			}
			cw.Write([]string{scope, cell(name), strconv.Itoa(f.Members), strconv.Itoa(f.Joined), strconv.Itoa(f.Contributed),
				strconv.Itoa(f.Silent), strconv.Itoa(f.Ideas), strconv.Itoa(f.Anonymous), strconv.FormatFloat(f.IdeasPerPerson, 'f', 2, 64),
				strconv.Itoa(f.Votes), strconv.Itoa(f.VoteBudget), strconv.Itoa(f.BuildOns), first, start,
				strconv.Itoa(e.BucketMinutes), strings.Join(series, " ")})
		}
		row("total", "", e.Total)
		for _, g := range e.Groups {
			row("group", g.Group, g.Participation)
		}
		for _, b := range e.Backgrounds {
			row("background", b.Background, b.Participation)
		}
	}
	cw.Flush()
	return cw.Error()
}

// named writes the rows of a named survey item's answers by person (none
// for an anonymous item).
func named(s SurveyResult, row func(scope, name string, respondents int, answer string, n int)) {
	for _, p := range s.ByPerson {
		for _, a := range p.Answers {
			row("person", p.Name+" ("+p.Group+")", 1, a, 1)
		}
	}
}
