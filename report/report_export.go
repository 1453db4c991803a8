package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteJSON writes the group report as indented JSON (schema
// GroupSchema).
func (r *Group) WriteJSON(w io.Writer) error { return writeJSON(w, r) }

// WriteJSON writes the conference report as indented JSON (schema
// ConferenceSchema).
func (c *Conference) WriteJSON(w io.Writer) error { return writeJSON(w, c) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// CSVHeader is the header row of the CSV export: one row per visible idea.
var CSVHeader = []string{"group", "question", "question_text", "text", "author", "votes", "theme",
	"conference_theme", "key", "pinned", "created"}

// WriteCSV writes the group's visible ideas as CSV, question by question;
// conference_theme is the organizer's conference theme of the idea.
func (r *Group) WriteCSV(w io.Writer) error { return writeCSV(w, []Group{*r}, nil) }

// WriteCSV writes every group's visible ideas as CSV, group by group;
// conference_theme is the theme the conference report cites the idea in.
func (c *Conference) WriteCSV(w io.Writer) error {
	themes := map[string]string{}
	for _, q := range c.Questions {
		for _, t := range q.Themes {
			for _, p := range t.Points {
				themes[p.Group+"/"+p.ID] = t.Name
			}
		}
	}
	return writeCSV(w, c.Groups, themes)
}

// writeCSV writes the ideas of groups; themes, when given, maps
// "group/idea" to the idea's conference theme.
func writeCSV(w io.Writer, groups []Group, themes map[string]string) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, g := range groups {
		for _, q := range g.Questions {
			for _, i := range q.Ideas {
				theme := i.ConferenceTheme
				if themes != nil {
					theme = themes[g.Group+"/"+i.ID]
				}
				cw.Write([]string{cell(g.Group), cell(q.ID), cell(q.Text), cell(i.Text), cell(i.Author), strconv.Itoa(i.Votes),
					cell(i.Theme), cell(theme), strconv.FormatBool(i.Key), strconv.FormatBool(i.Pinned),
					i.Created.UTC().Format(time.RFC3339)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses text a spreadsheet would run as a formula (OWASP's advice
// on CSV injection): a leading tab or carriage return, and an =, +, -
// or @ at the start or after a separator a spreadsheet might split on
// (, ; | tab, a line break), spaces between, gets a quote in front, so
// no split of the line starts a formula.
func cell(s string) string { return CSVCell(s) }

// CSVCell is cell for other CSV writers (split's roster).
func CSVCell(s string) string {
	var b strings.Builder
	start := true // at a place where a split cell would start
	for _, r := range s {
		switch {
		case start && strings.ContainsRune("=+-@＝＋－＠", r):
			b.WriteByte('\'')
			start = false
		case start && (r == '\t' || r == '\r') && b.Len() == 0:
			b.WriteByte('\'')
		case strings.ContainsRune(",;|\t\r\n", r):
			start = true
		case r == ' ' || r == '\u00a0':
			// spaces keep what came before
		default:
			start = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The schemas of version 1, which Decode still reads.
const (
	groupSchemaV1      = "breakout.group-report/1"
	conferenceSchemaV1 = "breakout.conference-report/1"
)

// ErrNotReport is returned by Decode for JSON that is not a
// breakout report of a schema this version reads.
var ErrNotReport = errors.New("not a breakout report")

// Decode reads a report exported as JSON and returns its group
// reports: the one of a group report, or every group of a conference
// report.
func Decode(data []byte) ([]Group, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	var groups []Group
	switch head.Schema {
	case GroupSchema, groupSchemaV1:
		var r Group
		if err := decodeReport(data, &r); err != nil {
			return nil, err
		}
		groups = []Group{r}
	case ConferenceSchema, conferenceSchemaV1:
		var c Conference
		if err := decodeReport(data, &c); err != nil {
			return nil, err
		}
		groups = c.Groups
	case "":
		return nil, fmt.Errorf("%w: no \"schema\" field; export it with breakout report --format json", ErrNotReport)
	default:
		return nil, fmt.Errorf("%w: schema %q; this breakout reads %s and %s", ErrNotReport,
			head.Schema, GroupSchema, ConferenceSchema)
	}
	for k := range groups {
		if err := groups[k].normalize(); err != nil {
			return nil, err
		}
	}
	return groups, nil
}

func decodeReport(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	return nil
}

// normalize checks a decoded group report and gives it the empty lists
// NewGroup would, so it renders as the original did.
func (r *Group) normalize() error {
	if r.SchemaVersion == groupSchemaV1 {
		// Version 2 only added fields; a version 1 report reads as one
		// of version 2 without them.
		r.SchemaVersion = GroupSchema
	}
	if r.SchemaVersion != GroupSchema {
		return fmt.Errorf("%w: group schema %q; want %s", ErrNotReport, r.SchemaVersion, GroupSchema)
	}
	if strings.TrimSpace(r.Group) == "" {
		return fmt.Errorf("%w: a group report without a group name", ErrNotReport)
	}
	r.Chairs = nonNil(r.Chairs)
	r.Rapporteurs = nonNil(r.Rapporteurs)
	r.Backgrounds = nonNil(r.Backgrounds)
	r.Questions = nonNil(r.Questions)
	r.Conference.Organisers = nonNil(r.Conference.Organisers)
	r.Conference.Sponsors = nonNil(r.Conference.Sponsors)
	for k := range r.Questions {
		q := &r.Questions[k]
		if q.ID == "" {
			return fmt.Errorf("%w: group %q: question %d has no id", ErrNotReport, r.Group, k+1)
		}
		q.Ideas = nonNil(q.Ideas)
		q.SetAside = nonNil(q.SetAside)
		for n := range q.Ideas {
			i := &q.Ideas[n]
			i.Merged = nonNil(i.Merged)
			if i.Author == "" {
				i.Author = AnonymousAuthor
			}
		}
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
