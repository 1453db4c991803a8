package main

import (
	"breakout/report"
	"breakout/roster"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"breakout/session"
)

func newSplitCmd() *cobra.Command {
	var (
		groups int
		names  []string
		seed   uint64
		format string
		plan   string
		spread []string
	)
	cmd := &cobra.Command{
		Use:   "split ROSTER.csv [--groups N] [--names A,B,C] [--seed N] [--spread COLUMN…] [--format toml|csv|md] [--plan BASE.toml]",
		Short: "Split a roster into blended breakout groups with a chair and a rapporteur each",
		// The Use line already shows the flags.
		DisableFlagsInUseLine: true,
		Long: `split divides the people of a roster CSV into blended breakout groups and
gives every group a chair and a rapporteur.

The roster is a CSV file with a header row. Its columns are matched
case-insensitively: name (required), background (required), organization,
and role, a wish of chair or rapporteur (empty or participant: no wish).
Names, backgrounds and organizations are compared ignoring case and inner
spaces. Other columns are ignored unless --spread names them, so a
registration export can be used as it is. ROSTER.csv may be - for
standard input.

split guarantees that
  - group sizes differ by at most one;
  - every group has its fair share of every background, rounded down or up;
  - no two people of one organization share a group while the organization
    has no more people than there are groups (whenever any split with the
    two guarantees above can do that);
  - every group has one chair and one rapporteur, two different people,
    taken from those who wished for the role where the group has one;
    wishers are spread over the groups as far as they go;
  - --spread COLUMN (country, department, …; repeat it or separate
    columns with commas) keeps the people who share a value of the column
    apart as organizations are, as far as it can without giving up the
    guarantees above;
  - the same roster and seed give the same split: --seed defaults to 1,
    so running split twice gives the same groups until you change the seed.

The groups are named by --names, else by the groups of the --plan file,
else Group 1 to Group N. Given names fix the number of groups, so --groups
is needed only without them.

The split goes to standard output: as TOML [[person]] entries of a plan
(--format toml, the default), merged into BASE.toml with --plan (its title,
questions and groups are kept, its people replaced); as CSV with the header
name,group,role; or as Markdown, a table per group. A balance table
(backgrounds by group, the values of spread columns by group,
organizations that had to share a group) goes to standard error.`,
		Example: `  # Three groups named after rooms, as plan entries:
  breakout split roster.csv --names Manzoni,Verdi,Rossini > people.toml

  # Fill in the people of a plan that already names its groups:
  breakout split roster.csv --plan base.toml > plan.toml

  # A different draw, as Markdown to mail out:
  breakout split roster.csv --groups 4 --seed 7 --format md > groups.md

  # Mix countries and departments too:
  breakout split roster.csv --groups 5 --spread country,department > people.toml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("split takes one roster CSV file, got %d arguments; see breakout split --help", len(args))
			}
			switch format {
			case "toml", "csv", "md":
			default:
				return fmt.Errorf("--format %q is not known; use toml, csv or md", format)
			}
			if format != "toml" && plan != "" {
				return fmt.Errorf("--plan needs --format toml, as it writes a plan; drop --format %s or --plan", format)
			}
			var base *session.Plan
			if plan != "" {
				p, err := session.LoadPlan(plan)
				if err != nil {
					return err
				}
				base = p
			}
			groupNames, err := splitGroupNames(cmd.Flags().Changed("groups"), groups, cmd.Flags().Changed("names"), names, base, plan)
			if err != nil {
				return err
			}
			people, err := readRosterFile(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			a, err := roster.Split(people, groupNames, seed, spread...)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch format {
			case "toml":
				err = writeSplitTOML(out, a, base, plan, args[0], seed)
			case "csv":
				err = writeSplitCSV(out, a)
			case "md":
				err = writeSplitMarkdown(out, a)
			}
			if err != nil {
				return fmt.Errorf("write split: %w", err)
			}
			if base != nil && len(base.People) > 0 {
				n := len(base.People)
				what := fmt.Sprintf("the %d people of %s were", n, plan)
				if n == 1 {
					what = fmt.Sprintf("the 1 person of %s was", plan)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s replaced by the split\n", what)
			}
			return writeBalance(cmd.ErrOrStderr(), a, seed)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&groups, "groups", "g", 0, "number of groups (default: as many as --names or the plan's groups)")
	f.StringSliceVar(&names, "names", nil, "group names, comma-separated (default: the plan's groups, else Group 1…N)")
	f.Uint64Var(&seed, "seed", 1, "seed of the draw; the same seed gives the same split")
	f.StringSliceVar(&spread, "spread", nil, "roster `column`s whose people to keep apart like organizations (country, department, …)")
	f.StringVarP(&format, "format", "f", "toml", "output format: toml, csv or md")
	f.StringVar(&plan, "plan", "", "plan `file` to merge the people into; its title, questions and groups are kept")
	return cmd
}

// splitGroupNames settles the group names from the flags and the plan:
// names given either way fix the count, and a count that disagrees with
// them is a mistake worth stopping for rather than guessing.
func splitGroupNames(groupsSet bool, groups int, namesSet bool, names []string, base *session.Plan, planFile string) ([]string, error) {
	if groupsSet && (groups < 1 || groups > session.MaxGroups) {
		return nil, fmt.Errorf("--groups %d is out of range; use 1 to %d", groups, session.MaxGroups)
	}
	var out []string
	if namesSet {
		for _, n := range names {
			out = append(out, strings.TrimSpace(n))
		}
		if len(out) == 0 {
			return nil, errors.New("--names is empty; give the group names separated by commas")
		}
	}
	if base != nil {
		var planNames []string
		for _, g := range base.Groups {
			planNames = append(planNames, g.Name)
		}
		if namesSet {
			// The merged plan must keep the plan's groups, so --names
			// may only restate them.
			if len(out) != len(planNames) {
				return nil, fmt.Errorf("--names gives %d groups but %s has %d; drop --names to use the plan's groups", len(out), planFile, len(planNames))
			}
			for i, n := range out {
				spelled, ok := base.GroupName(n)
				if !ok {
					return nil, fmt.Errorf("--names: %q is not a group of %s; drop --names to use the plan's groups", n, planFile)
				}
				out[i] = spelled
			}
		} else {
			out = planNames
		}
	}
	switch {
	case out != nil && groupsSet && groups != len(out):
		from := "--names gives"
		if !namesSet {
			from = planFile + " has"
		}
		return nil, fmt.Errorf("--groups %d but %s %d groups; drop --groups or make them agree", groups, from, len(out))
	case out != nil:
		return out, nil
	case !groupsSet:
		return nil, errors.New("how many groups? give --groups N, --names A,B,C or --plan with the groups")
	}
	for i := range groups {
		out = append(out, fmt.Sprintf("Group %d", i+1))
	}
	return out, nil
}

func readRosterFile(name string, stdin io.Reader) (roster.Roster, error) {
	if name == "-" {
		return roster.Read("stdin", stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return roster.Roster{}, fmt.Errorf("read roster: %w", err)
	}
	defer f.Close()
	return roster.Read(name, f)
}

func writeSplitTOML(w io.Writer, a *roster.Assignment, base *session.Plan, planFile, rosterFile string, seed uint64) error {
	people := a.PlanPeople()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# breakout split %s: %d people in %d groups, seed %d\n", rosterFile, len(people), len(a.Groups), seed)
	enc := toml.NewEncoder(&b)
	enc.Indent = "" // as plans are written by hand, see DESIGN.md
	if base == nil {
		fmt.Fprintf(&b, "# Add these entries to a plan with the same [[group]] names, or use --plan.\n\n")
		if err := enc.Encode(struct {
			People []session.PlanPerson `toml:"person"`
		}{people}); err != nil {
			return err
		}
	} else {
		merged := *base
		merged.People = people
		// Validate again: the roster's names must also pass the plan's
		// rules, and a plan that does not load back is worse than an
		// error now.
		if err := merged.Validate(); err != nil {
			var pe *session.PlanError
			if errors.As(err, &pe) {
				pe.File = planFile
			}
			return err
		}
		fmt.Fprintf(&b, "# merged into %s; its comments are not kept\n\n", planFile)
		if err := enc.Encode(&merged); err != nil {
			return err
		}
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeSplitCSV(w io.Writer, a *roster.Assignment) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"name", "group", "role"})
	for _, p := range a.PlanPeople() {
		cw.Write([]string{report.CSVCell(p.Name), report.CSVCell(p.Group), string(p.Role)})
	}
	cw.Flush()
	return cw.Error()
}

func writeSplitMarkdown(w io.Writer, a *roster.Assignment) error {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	people := a.PlanPeople()
	var b strings.Builder
	for i, g := range a.Groups {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## %s\n\n| name | background | organization | role |\n|---|---|---|---|\n", g)
		for _, p := range people {
			if p.Group == g {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(p.Name), cell(p.Background), cell(p.Organization), p.Role)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeBalance shows the organizer how blended the groups are, so that a
// lopsided roster is noticed before the session rather than in it.
func writeBalance(w io.Writer, a *roster.Assignment, seed uint64) error {
	bal := a.Balance
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%d people in %d groups, seed %d\n\n", len(a.Roster.People), len(a.Groups), seed)
	fmt.Fprintf(tw, "background\t%s\n", strings.Join(bal.Groups, "\t"))
	row := func(label string, counts []int) {
		fmt.Fprint(tw, label)
		for _, c := range counts {
			fmt.Fprintf(tw, "\t%d", c)
		}
		fmt.Fprint(tw, "\n")
	}
	for _, bc := range bal.Backgrounds {
		label := bc.Background
		if label == "" {
			label = "(none)"
		}
		row(label, bc.Counts)
	}
	row("all", bal.Sizes)
	for _, sc := range bal.Spread {
		fmt.Fprintf(tw, "\n%s\t%s\n", sc.Column, strings.Join(bal.Groups, "\t"))
		if len(sc.Values) == 0 {
			fmt.Fprintf(tw, "(no two people share one)\n")
		}
		for _, v := range sc.Values {
			row(v.Value, v.Counts)
		}
	}
	tw.Flush()

	var chairs, raps, wantChair, wantRap int
	for i, p := range a.Roster.People {
		switch p.Wish {
		case session.Chair:
			wantChair++
			if a.Role[i] == session.Chair {
				chairs++
			}
		case session.Rapporteur:
			wantRap++
			if a.Role[i] == session.Rapporteur {
				raps++
			}
		}
	}
	fmt.Fprintf(w, "\nchairs: %d of %d who wished to chair; rapporteurs: %d of %d who wished to report\n", chairs, wantChair, raps, wantRap)

	if len(bal.Shared) == 0 {
		_, err := fmt.Fprintln(w, "no organization has two people in one group")
		return err
	}
	fmt.Fprintln(w, "\norganizations that had to share a group:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "organization\tpeople\tshared in\twhy\n")
	for _, s := range bal.Shared {
		why := "more people than groups"
		if s.Members <= len(a.Groups) {
			why = "could not be kept apart"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Organization, s.Members, strings.Join(s.Groups, ", "), why)
	}
	return tw.Flush()
}
