package main

import (
	"breakout/report"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/session"
)

// document is a report that can be written in each export format.
type document interface {
	WriteMarkdown(io.Writer) error
	WriteJSON(io.Writer) error
	WriteCSV(io.Writer) error
	WriteHTML(io.Writer) error
}

const formatHelp = "output format: md (Markdown), html (one page to mail or print), json or csv (one row per idea)"

func newReportCmd() *cobra.Command {
	var group, format, output, table, codeFile string
	var appendix bool
	cmd := &cobra.Command{
		Use:   "report URL [CODE]",
		Short: "Export a group report or the conference report from a relay, without a screen",
		Long: `Export a report from a running relay, as Markdown, HTML, JSON or CSV.

With an organizer's code the report is the conference report: the cover, the
organizer's executive summary and recommendations, the purpose and method in
plain words from the data, then for each question the organizer's synthesis,
the themes raised across groups ("raised in k of n groups") with their points,
the key ideas and points raised in one group only, and every group's summary.
--appendix adds every group report in full. With --group it is that one
group's report.

With a chair's, rapporteur's or participant's code it is the report of that
code's group.

A group report gives the session, the group, its chair and rapporteur, how many
members took part and their backgrounds, and for each question the summary,
the key ideas with their votes, the ideas by theme, the other ideas and the
minutes. Only visible ideas count: retracted and hidden ones are left out, and
merged ones are listed under the idea they were merged into. The author of an
anonymous idea is never shown, to anyone.

HTML is the Markdown's document as one self-contained page, with a table of
contents, styled for screen and print, with no script and nothing loaded from
elsewhere: the file to mail, or to print to PDF from a browser.

The conference report ends with its Engagement section: participation by group
and by background (who joined, contributed or stayed silent, ideas per person,
votes used, build-ons, time to the first idea), ideas over time, the plenary's
priority votes and the survey's results. With --format csv, --table picks the
table: ideas (the default, one row per idea), responses (the survey's tallies)
or participation (the figures by group and background). No export names who
answered the survey, nor who wrote an anonymous idea.

JSON group reports hold everything 'breakout merge' needs, so groups that ran
on separate relays can still make one conference report. docs/reports.md
describes every format.

URL is the relay's address as given to 'breakout join' (ws://, wss://, http://
or https://).`,
		Example: `  breakout report ws://127.0.0.1:7777 ORGANIZER-CODE -o conference.md
  breakout report ws://127.0.0.1:7777 ORGANIZER-CODE --format html -o conference.html
  breakout report ws://127.0.0.1:7777 ORGANIZER-CODE --group Verdi --format json -o verdi.json
  breakout report wss://relay.example.org RAPPORTEUR-CODE --format csv > ideas.csv
  breakout report ws://127.0.0.1:7777 ORGANIZER-CODE --format csv --table participation -o figures.csv
  breakout report ws://127.0.0.1:7777 ORGANIZER-CODE | glow -`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return errors.New("give the relay's URL and your code: breakout report URL CODE (or --code-file FILE)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if err := checkTable(table, format); err != nil {
				return err
			}
			code, err := secret("code", "--code-file", codeFile, argAt(args, 1), envCode)
			if err != nil {
				return err
			}
			exp, err := fetchExport(cmd.Context(), args[0], code)
			if err != nil {
				return err
			}
			doc, err := reportOf(exp, args[0], group)
			if err != nil {
				return err
			}
			c, ok := doc.(*report.Conference)
			if ok {
				c.Appendix = appendix
			}
			// What a relay sends is printed without the sequences that
			// would drive the reader's terminal.
			report.Scrub(doc)
			if table != report.TableIdeas {
				if !ok {
					return fmt.Errorf("--table %s is a table of the conference report; export it with an organizer's code and without --group", table)
				}
				doc = tableDocument{c, table}
			}
			return writeDocument(cmd, doc, format, output)
		},
	}
	cmd.Flags().StringVar(&codeFile, "code-file", "", "read the code from this file (else CODE, else $BREAKOUT_CODE; a CODE shows in 'ps')")
	cmd.Flags().StringVar(&group, "group", "", "with an organizer's code: export this group's report instead of the conference report")
	cmd.Flags().BoolVar(&appendix, "appendix", false, "add every group report in full to the conference report")
	cmd.Flags().StringVar(&table, "table", report.TableIdeas, "with --format csv: ideas, responses (the survey's tallies), participation (figures by group and background) or priorities (the plenary's priority votes)")
	cmd.Flags().StringVar(&format, "format", "md", formatHelp)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func newMergeCmd() *cobra.Command {
	var format, output string
	var appendix bool
	cmd := &cobra.Command{
		Use:   "merge GROUP.json...",
		Short: "Build the conference report from group reports exported as JSON",
		Long: `Build the conference report from group reports exported with
'breakout report --format json', for a day when groups ran on separate relays
(a laptop per room, no shared network).

The result is the same document 'breakout report' gives an organizer on one
relay: groups in the order of the files, questions matched by their id, themes
raised across groups found across all files (the organizers' conference themes
are matched by name). Each group keeps its provenance: the session and relay it
was exported from and the file it was read from. A conference report's JSON may be given too; it counts as its
groups.

A group may appear only once: two files with the same group name are an error.`,
		Example: `  breakout merge manzoni.json verdi.json rossini.json -o conference.md
  breakout merge reports/*.json --format html -o conference.html
  breakout merge reports/*.json --format json -o conference.json
  breakout merge reports/*.json --format csv > ideas.csv`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("give the group reports to merge: breakout merge GROUP.json...")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			groups, err := readGroupReports(args)
			if err != nil {
				return err
			}
			c := report.Merge(groups)
			c.Appendix = appendix
			return writeDocument(cmd, &c, format, output)
		},
	}
	cmd.Flags().BoolVar(&appendix, "appendix", false, "add every group report in full")
	cmd.Flags().StringVar(&format, "format", "md", formatHelp)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func checkFormat(format string) error {
	switch format {
	case "md", "html", "json", "csv":
		return nil
	}
	return fmt.Errorf("--format %q is not known; use md, html, json or csv", format)
}

func checkTable(table, format string) error {
	switch table {
	case report.TableIdeas:
		return nil
	case report.TableResponses, report.TableParticipation, report.TablePriorities:
		if format != "csv" {
			return fmt.Errorf("--table %s is a CSV table; add --format csv", table)
		}
		return nil
	}
	return fmt.Errorf("--table %q is not known; use ideas, responses, participation or priorities", table)
}

// tableDocument is the conference report whose CSV is one of its tables.
type tableDocument struct {
	*report.Conference
	table string
}

func (d tableDocument) WriteCSV(w io.Writer) error { return d.Conference.WriteTableCSV(w, d.table) }

// fetchExport asks the relay for the state as the code's holder sees it.
func fetchExport(ctx context.Context, relayURL, code string) (*relay.Export, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	admin, err := relay.NewAdmin(relayURL)
	if err != nil {
		return nil, err
	}
	return admin.Export(ctx, code)
}

// reportOf picks the report the export's code is for: the conference
// report for an organizer (one group's with --group), else the code's
// group's report.
func reportOf(exp *relay.Export, relayURL, group string) (document, error) {
	s := exp.State
	if s.ID == "" {
		s.ID = exp.Session
	}
	groupReport := func(name string) document {
		r := report.NewGroup(s, name)
		r.Source.Relay = relayURL
		return &r
	}
	if exp.Role != session.Organizer {
		if group != "" && !strings.EqualFold(strings.TrimSpace(group), exp.Group) {
			return nil, fmt.Errorf("your code is for group %s; --group %s is not yours to export", exp.Group, group)
		}
		return groupReport(exp.Group), nil
	}
	if group != "" {
		g := findGroup(s, group)
		if g == nil {
			return nil, fmt.Errorf("no group %q in session %s; its groups are %s", group, exp.Session, groupNames(s))
		}
		return groupReport(g.Name), nil
	}
	c := report.NewConference(s)
	for k := range c.Groups {
		c.Groups[k].Source.Relay = relayURL
	}
	return &c, nil
}

// findGroup matches a group name case-insensitively.
func findGroup(s *session.State, name string) *session.Group {
	for _, g := range s.Groups {
		if strings.EqualFold(g.Name, strings.TrimSpace(name)) {
			return g
		}
	}
	return nil
}

func groupNames(s *session.State) string {
	var names []string
	for _, g := range s.Groups {
		names = append(names, g.Name)
	}
	return strings.Join(names, ", ")
}

// readGroupReports reads the group reports of every file, noting the file
// in each one's source; a group name seen twice is an error.
func readGroupReports(paths []string) ([]report.Group, error) {
	var out []report.Group
	from := map[string]string{} // lower-case group name -> file
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read group report: %w", err)
		}
		groups, err := report.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, g := range groups {
			if err := report.Check(&g); err != nil {
				return nil, fmt.Errorf("%s: group %q: %w; a report breakout exported never holds that, so it is not merged", path, g.Group, err)
			}
			key := strings.ToLower(g.Group)
			if first, ok := from[key]; ok {
				return nil, fmt.Errorf("group %s is in both %s and %s; give each group once", g.Group, first, path)
			}
			from[key] = path
			g.Source.File = path
			out = append(out, g)
		}
	}
	return out, nil
}

// writeDocument writes the report in format to -o FILE or standard output.
func writeDocument(cmd *cobra.Command, doc document, format, output string) error {
	write := map[string]func(io.Writer) error{
		"md": doc.WriteMarkdown, "html": doc.WriteHTML, "json": doc.WriteJSON, "csv": doc.WriteCSV,
	}[format]
	if output == "" {
		return write(cmd.OutOrStdout())
	}
	// The file is replaced by a rename, which never writes through a
	// symbolic link; refusing one says so rather than quietly replacing
	// the link.
	if fi, err := os.Lstat(output); err == nil {
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link; give -o the path of a regular file", output)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file; give -o the path of a new or regular file", output)
		}
	}
	// Write beside the target and rename, so a failed export never leaves
	// half a report where the last good one was.
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", output, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", output, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", output, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", output, err)
	}
	if err := os.Rename(tmp.Name(), output); err != nil {
		return fmt.Errorf("write %s: %w", output, err)
	}
	return nil
}
