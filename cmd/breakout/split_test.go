package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/session"
)

const splitTestPlan = `# the base plan
title = "Split test"

[[question]]
text = "What should we keep?"

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
[[group]]
name = "Rossini"

[[person]]
name = "Someone Old"
background = "x"
group = "Verdi"
`

// runSplit runs `breakout split` with args in dir and returns its
// standard output, standard error and error.
func runSplit(t *testing.T, dir, stdin string, args ...string) (string, string, error) {
	t.Helper()
	t.Chdir(dir) // so that errors name the files as a user types them
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(append([]string{"split"}, args...))
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

// splitDir makes a temp dir with the sample roster and a base plan.
func splitDir(t *testing.T) string {
	t.Helper()
	roster, err := os.ReadFile("../../testdata/roster.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"roster.csv": roster,
		"base.toml":  []byte(splitTestPlan),
		"empty.csv":  []byte("name,background\nAda,scientist\n,diplomat\n"),
		"twice.csv":  []byte("name,background\nAda Brun,scientist\nBen,diplomat\nada  BRUN,diplomat\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkRoles checks that every group of people has one chair and one
// rapporteur, and that there are n people.
func checkRoles(t *testing.T, what string, people []session.PlanPerson, groups []string, n int) {
	t.Helper()
	if len(people) != n {
		t.Errorf("%s has %d people; want %d", what, len(people), n)
	}
	roles := map[string]map[session.Role]int{}
	for _, p := range people {
		if roles[p.Group] == nil {
			roles[p.Group] = map[session.Role]int{}
		}
		roles[p.Group][p.Role]++
	}
	for _, g := range groups {
		if roles[g][session.Chair] != 1 || roles[g][session.Rapporteur] != 1 {
			t.Errorf("%s: group %s has roles %v; want one chair and one rapporteur", what, g, roles[g])
		}
	}
}

func TestSplitCmdPlan(t *testing.T) {
	dir := splitDir(t)
	out, errOut, err := runSplit(t, dir, "", "roster.csv", "--plan", "base.toml", "--seed", "3")
	if err != nil {
		t.Fatalf("split --plan = %v; want no error", err)
	}
	plan, err := session.ParsePlan("out.toml", []byte(out))
	if err != nil {
		t.Fatalf("split --plan wrote a plan that does not parse: %v\n%s", err, out)
	}
	if plan.Title != "Split test" || len(plan.Questions) != 1 || len(plan.Groups) != 3 {
		t.Errorf("split --plan = %q, %d questions, %d groups; want the base plan's", plan.Title, len(plan.Questions), len(plan.Groups))
	}
	names := []string{"Manzoni", "Verdi", "Rossini"}
	checkRoles(t, "split --plan", plan.People, names, 45)
	for _, want := range []string{"background", "Manzoni", "scientist", "Ministry of Foreign Affairs", "the 1 person of base.toml was replaced"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("split --plan stderr = %q; want it to hold %q", errOut, want)
		}
	}
	again, _, _ := runSplit(t, dir, "", "roster.csv", "--plan", "base.toml", "--seed", "3")
	if again != out {
		t.Errorf("split --seed 3 twice = two different plans; want the same")
	}
}

func TestSplitCmdFormats(t *testing.T) {
	dir := splitDir(t)
	roster, _ := os.ReadFile(filepath.Join(dir, "roster.csv"))
	names := []string{"North", "South"}

	out, _, err := runSplit(t, dir, "", "roster.csv", "--names", "North,South")
	if err != nil {
		t.Fatalf("split --format toml = %v; want no error", err)
	}
	// The entries go into a plan that names the same groups.
	header := "title = \"t\"\n[[question]]\ntext = \"q\"\n[[group]]\nname = \"North\"\n[[group]]\nname = \"South\"\n"
	plan, err := session.ParsePlan("out.toml", []byte(header+out))
	if err != nil {
		t.Fatalf("split --format toml entries in a plan: %v\n%s", err, out)
	}
	checkRoles(t, "split --format toml", plan.People, names, 45)

	out, _, err = runSplit(t, dir, string(roster), "-", "--groups", "2", "--format", "csv")
	if err != nil {
		t.Fatalf("split - --format csv = %v; want no error", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("split --format csv wrote bad CSV: %v", err)
	}
	if got := strings.Join(rows[0], ","); got != "name,group,role" {
		t.Errorf("split --format csv header = %q; want %q", got, "name,group,role")
	}
	var people []session.PlanPerson
	for _, r := range rows[1:] {
		people = append(people, session.PlanPerson{Name: r[0], Group: r[1], Role: session.Role(r[2])})
	}
	checkRoles(t, "split --format csv", people, []string{"Group 1", "Group 2"}, 45)

	out, _, err = runSplit(t, dir, "", "roster.csv", "-g", "3", "-f", "md")
	if err != nil {
		t.Fatalf("split --format md = %v; want no error", err)
	}
	for _, want := range []string{"## Group 1\n\n| name | background | organization | role |\n|---|---|---|---|\n| ", "## Group 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("split --format md = %q; want it to hold %q", out, want)
		}
	}
	if n := strings.Count(out, " | participant |"); n != 45-6 {
		t.Errorf("split --format md lists %d participants; want %d", n, 45-6)
	}
}

func TestSplitCmdErrors(t *testing.T) {
	dir := splitDir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"empty.csv", "--groups", "1"}, "empty.csv:3: empty name; every row needs a name"},
		{[]string{"missing.csv", "--groups", "2"}, "read roster: open missing.csv: no such file or directory"},
		{[]string{"roster.csv"}, "how many groups? give --groups N, --names A,B,C or --plan with the groups"},
		{[]string{"roster.csv", "--groups", "3", "--names", "A,B"}, "--groups 3 but --names gives 2 groups; drop --groups or make them agree"},
		{[]string{"roster.csv", "--groups", "2", "--plan", "base.toml"}, "--groups 2 but base.toml has 3 groups; drop --groups or make them agree"},
		{[]string{"roster.csv", "--names", "Manzoni,Puccini,Verdi", "--plan", "base.toml"}, `--names: "Puccini" is not a group of base.toml; drop --names to use the plan's groups`},
		{[]string{"roster.csv", "--groups", "0"}, "--groups 0 is out of range; use 1 to 500"},
		{[]string{"roster.csv", "--groups", "23"}, "roster.csv: 45 people for 23 groups; every group needs at least two people (a chair and a rapporteur), so use at most 22 groups"},
		{[]string{"roster.csv", "--groups", "2", "--format", "json"}, `--format "json" is not known; use toml, csv or md`},
		{[]string{"roster.csv", "--plan", "base.toml", "--format", "csv"}, "--plan needs --format toml, as it writes a plan; drop --format csv or --plan"},
		{[]string{"roster.csv", "--names", "A,a"}, `group name "a" is used twice; group names must be unique`},
		{[]string{"--groups", "2"}, "split takes one roster CSV file, got 0 arguments; see breakout split --help"},
		{[]string{"roster.csv", "--groups", "2", "--spread", "country"}, "roster.csv: no country column to spread; its other columns are email"},
		{[]string{"twice.csv", "--groups", "2"}, `twice.csv:4: "ada  BRUN" is listed twice (first on line 2); names must be unique`},
	}
	for _, tt := range tests {
		out, _, err := runSplit(t, dir, "", tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("split %s = %v; want %q", strings.Join(tt.args, " "), err, tt.want)
		}
		if out != "" {
			t.Errorf("split %s wrote %q to stdout; want nothing", strings.Join(tt.args, " "), out)
		}
	}
}

// The rehearsal's roster: three people of each country, alike in every
// other way. Spread, each country has one person in each group, and the
// balance table shows it.
func TestSplitCmdSpread(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("name,background,Country,department\n")
	for i, c := range []string{"Chile", "Chile", "Chile", "Kenya", "Kenya", "Kenya", "Norway", "Norway", "norway "} {
		fmt.Fprintf(&b, "Person %d,scientist,%s,Dept %d\n", i, c, i%2)
	}
	os.WriteFile(filepath.Join(dir, "countries.csv"), []byte(b.String()), 0o644)
	out, errOut, err := runSplit(t, dir, "", "countries.csv", "--groups", "3", "--spread", "country", "--format", "csv")
	if err != nil {
		t.Fatalf("split --spread country = %v; want no error", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]map[string]bool{} // country -> its groups
	for _, r := range rows[1:] {
		var i int
		fmt.Sscanf(r[0], "Person %d", &i)
		c := []string{"Chile", "Kenya", "Norway"}[i/3]
		if groups[c] == nil {
			groups[c] = map[string]bool{}
		}
		groups[c][r[1]] = true
	}
	for c, g := range groups {
		if len(g) != 3 {
			t.Errorf("split --spread country put %s in groups %v; want one person in each of 3", c, g)
		}
	}
	for _, want := range []string{"Country  Group 1  Group 2  Group 3", "Chile    1        1        1", "Norway   1        1        1"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("split --spread country stderr = %q; want it to hold %q", errOut, want)
		}
	}
}
