package roster

import (
	"breakout/session"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestReadRoster(t *testing.T) {
	in := "\ufeffName,Email,BACKGROUND,Organization,Role\n" +
		"Ada Brun,ada@example.org,Scientist,CERN,chair\n" +
		"\n" +
		"\"Kurz, Ben\",ben@example.org, diplomat ,,Rapporteur\n" +
		"Cleo Diaz,,scientist,CERN,\n" +
		"Dev Rao,,industry,,participant\n"
	got, err := Read("roster.csv", strings.NewReader(in))
	if err != nil {
		t.Fatalf("Read = %v; want no error", err)
	}
	want := Roster{File: "roster.csv", Columns: []string{"Email"}, People: []Person{
		{Name: "Ada Brun", Background: "Scientist", Organization: "CERN", Wish: session.Chair, Line: 2, Other: []string{"ada@example.org"}},
		{Name: "Kurz, Ben", Background: "diplomat", Wish: session.Rapporteur, Line: 4, Other: []string{"ben@example.org"}},
		{Name: "Cleo Diaz", Background: "scientist", Organization: "CERN", Wish: session.Participant, Line: 5, Other: []string{""}},
		{Name: "Dev Rao", Background: "industry", Wish: session.Participant, Line: 6, Other: []string{""}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v; want %+v", got, want)
	}
}

func TestReadRosterErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string // a part of the message
	}{
		{"empty file", "", 0, "empty file"},
		{"header only", "name,background\n", 0, "no people"},
		{"no name column", "who,background\nAda,scientist\n", 1, "no name column"},
		{"no background column", "name,organization\nAda,CERN\n", 1, "no background column"},
		{"two name columns", "name,Name,background\nAda,Ada,x\n", 1, "two name columns"},
		{"empty name", "name,background\nAda,scientist\n  ,diplomat\n", 3, "empty name; every row needs a name"},
		{"duplicate name", "name,background\nAda,scientist\nBen,diplomat\nada,industry\n", 4, `"ada" is listed twice (first on line 2)`},
		{"duplicate name but for inner spaces", "name,background\nAda Brun,scientist\nBen,diplomat\nada  brun,industry\n", 4, `"ada  brun" is listed twice (first on line 2)`},
		{"unknown role", "name,background,role\nAda,scientist,chair\nBen,diplomat,moderator\n", 3, `role "moderator" is not a wish`},
		{"control character in name", "name,background\nAda,scientist\n\"Ben\x1b[31m\",diplomat\n", 3, "name contains control characters"},
		{"control character in background", "name,background\nAda,\"sci\x07\"\n", 2, "background contains control characters"},
		{"name too long", "name,background\n" + strings.Repeat("a", session.MaxName+1) + ",x\n", 2, "name is 81 characters long"},
		{"short row", "name,background,organization\nAda,scientist,CERN\nBen,diplomat\n", 3, "row has 2 fields but the header has 3"},
		{"bare quote", "name,background\nAda,scientist\nB\"en,diplomat\n", 3, "check the quotes"},
		{"line after a multi-line field", "name,background,notes\nAda,scientist,\"two\nlines\"\n,x,y\n", 4, "empty name"},
		{"multi-line name", "name,background\n\"Ada\nBrun\",scientist\n", 2, "name must be a single line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("roster.csv", strings.NewReader(tt.in))
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("Read(%q) = %v; want a *Error", tt.in, err)
			}
			if re.Line != tt.line || re.File != "roster.csv" || !strings.Contains(re.Msg, tt.msg) {
				t.Errorf("Read(%q) = %v (line %d); want line %d and %q", tt.in, err, re.Line, tt.line, tt.msg)
			}
			if strings.ContainsAny(err.Error(), "\n") {
				t.Errorf("Read(%q) = %q; want one line", tt.in, err)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	five := Roster{File: "r.csv"}
	for i := range 5 {
		five.People = append(five.People, Person{Name: fmt.Sprint("p", i), Background: "x", Line: i + 2})
	}
	withWish := func(w session.Role) Roster {
		r := Roster{File: "r.csv", People: slices.Clone(five.People)}
		r.People[3].Wish = w
		return r
	}
	tests := []struct {
		name   string
		roster Roster
		groups []string
		want   string
	}{
		{"too few people", five, []string{"a", "b", "c"}, "r.csv: 5 people for 3 groups; every group needs at least two people (a chair and a rapporteur), so use at most 2 groups"},
		{"one person", Roster{File: "r.csv", People: five.People[:1]}, []string{"a"}, "r.csv: 1 person for 1 group; every group needs at least two people (a chair and a rapporteur), so add people to the roster"},
		{"room for one group", Roster{File: "r.csv", People: five.People[:3]}, []string{"a", "b"}, "r.csv: 3 people for 2 groups; every group needs at least two people (a chair and a rapporteur), so use at most 1 group"},
		// The same person twice is the problem to report, not the count
		// of groups it would leave.
		{"a name twice, too few for the groups", Roster{File: "r.csv", People: []Person{
			{Name: "Ada Brun", Background: "x", Line: 2}, {Name: "Ben", Background: "x", Line: 3}, {Name: "ada  Brun", Background: "x", Line: 4},
		}}, []string{"a", "b"}, `r.csv:4: "ada  Brun" is listed twice (first on line 2); names must be unique`},
		{"bad wish", withWish("organizer"), []string{"a"}, `r.csv:5: role "organizer" is not a wish split knows; write chair, rapporteur or leave it empty`},
		{"no groups", five, nil, "no groups; split needs at least one group"},
		{"empty group name", five, []string{"a", ""}, "group name 2 is empty; name every group"},
		{"twice the same group", five, []string{"Verdi", "verdi"}, `group name "verdi" is used twice; group names must be unique`},
		{"control character in group name", five, []string{"a\x1b"}, `group name "a\x1b" contains control characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Split(tt.roster, tt.groups, 1)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Split(%s) = %v, %v; want %q", tt.name, a, err, tt.want)
			}
		})
	}
	var re *Error
	if _, err := Split(five, []string{"a", "b", "c"}, 1); !errors.As(err, &re) {
		t.Errorf("Split(5 people, 3 groups) = %v; want a *Error", err)
	}
}

func TestSplitSpreadErrors(t *testing.T) {
	five := Roster{File: "r.csv"}
	for i := range 5 {
		five.People = append(five.People, Person{Name: fmt.Sprint("p", i), Background: "x", Line: i + 2})
	}
	withCountry := Roster{File: "r.csv", Columns: []string{"Email", "Country"}}
	for _, p := range five.People {
		p.Other = []string{"", "Italy"}
		withCountry.People = append(withCountry.People, p)
	}
	badCountry := Roster{File: "r.csv", Columns: withCountry.Columns, People: slices.Clone(withCountry.People)}
	badCountry.People[1].Other = []string{"", "Ita\x1bly"}
	tests := []struct {
		name   string
		roster Roster
		groups []string
		want   string
		spread string
	}{
		{"spread a column it lacks", withCountry, []string{"a"}, "r.csv: no dept column to spread; its other columns are Email, Country", "dept"},
		{"spread a column without others", five, []string{"a"}, "r.csv: no country column to spread; the roster has only name, background, organization and role", "country"},
		{"spread organization", withCountry, []string{"a"}, "r.csv: organization is always spread; name other columns to spread", "Organization"},
		{"spread name", withCountry, []string{"a"}, "r.csv: the name column cannot be spread; name a column such as country or department", "name"},
		{"spread a control character", badCountry, []string{"a"}, "r.csv:3: Country contains control characters", "country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Split(tt.roster, tt.groups, 1, tt.spread)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Split(%s) = %v, %v; want %q", tt.name, a, err, tt.want)
			}
		})
	}
}

// TestSplitSample splits the sample roster of the repository.
func TestSplitSample(t *testing.T) {
	f, err := os.Open("../testdata/roster.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := Read("roster.csv", f)
	if err != nil {
		t.Fatalf("Read(testdata/roster.csv) = %v; want no error", err)
	}
	if len(r.People) != 45 {
		t.Errorf("Read(testdata/roster.csv) has %d people; want 45", len(r.People))
	}
	names := []string{"Manzoni", "Verdi", "Rossini"}
	a, err := Split(r, names, 1)
	if err != nil {
		t.Fatalf("Split(testdata/roster.csv) = %v; want no error", err)
	}
	if err := checkSplit(r, names, a); err != nil {
		t.Error(err)
	}
	if c := splitCostOf(r, a.Group, len(names)); c.clash != 0 {
		t.Errorf("Split(testdata/roster.csv) has %d organization clashes; want 0", c.clash)
	}
	plan := &session.Plan{Title: "t", Questions: []session.PlanQuestion{{Text: "q"}}, People: a.PlanPeople()}
	for _, n := range names {
		plan.Groups = append(plan.Groups, session.PlanGroup{Name: n})
	}
	plan.Normalize()
	if err := plan.Validate(); err != nil {
		t.Errorf("Split(testdata/roster.csv).PlanPeople() in a plan: Validate = %v; want nil", err)
	}
}

// TestSplitSmall compares Split on small random rosters with the best of
// every possible split: whenever some split keeps every organization apart,
// Split must too, and it must get as many groups a wishing chair and a
// wishing rapporteur as the best such split does.
func TestSplitSmall(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.IntRange(1, 4).Draw(t, "groups")
		maxN := 2 * g
		for maxN < 11 && pow(g, maxN+1) <= 200_000 {
			maxN++
		}
		n := rapid.IntRange(2*g, maxN).Draw(t, "people")
		r := randomRoster(t, n, rapid.IntRange(1, 4).Draw(t, "backgrounds"), rapid.IntRange(0, n).Draw(t, "organizations"))
		names := groupNames(g)
		seed := rapid.Uint64().Draw(t, "seed")
		a, err := Split(r, names, seed)
		if err != nil {
			t.Fatalf("Split(%v) = %v; want no error", r.People, err)
		}
		if err := checkSplit(r, names, a); err != nil {
			t.Fatal(err)
		}
		got := splitCostOf(r, a.Group, g)
		want := bestSplitCost(r, g)
		if got.clash != 0 && want.clash == 0 || got.clash == 0 && got.miss > want.miss {
			t.Fatalf("Split(%v, %d groups) = %v with %d clashes and %d groups missing a wisher; want %d and %d",
				r.People, g, a.Group, got.clash, got.miss, want.clash, want.miss)
		}
	})
}

// TestSplitPlanted splits larger rosters built around a hidden split that
// meets every guarantee, so Split must find one that does too.
func TestSplitPlanted(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.IntRange(2, 25).Draw(t, "groups")
		n := rapid.IntRange(2*g, 300).Draw(t, "people")
		r, hidden := plantedRoster(t, n, g)
		want := splitCostOf(r, hidden, g)
		if want.clash != 0 {
			t.Fatalf("plantedRoster made a hidden split with %d clashes; want 0", want.clash)
		}
		names := groupNames(g)
		seed := rapid.Uint64().Draw(t, "seed")
		a, err := Split(r, names, seed)
		if err != nil {
			t.Fatalf("Split(%d people, %d groups) = %v; want no error", n, g, err)
		}
		if err := checkSplit(r, names, a); err != nil {
			t.Fatal(err)
		}
		if got := splitCostOf(r, a.Group, g); got.clash != 0 || got.miss > want.miss {
			t.Fatalf("Split(%v, %d groups, seed %d) = %v with %d clashes and %d groups missing a wisher; want 0 and at most %d as %v",
				r.People, g, seed, a.Group, got.clash, got.miss, want.miss, hidden)
		}
	})
}

func TestSplitSameSeed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.IntRange(1, 12).Draw(t, "groups")
		n := rapid.IntRange(2*g, 150).Draw(t, "people")
		r := randomRoster(t, n, rapid.IntRange(1, 6).Draw(t, "backgrounds"), rapid.IntRange(0, n).Draw(t, "organizations"))
		seed := rapid.Uint64().Draw(t, "seed")
		a, err := Split(r, groupNames(g), seed)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Split(r, groupNames(g), seed)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Split(seed %d) = %v then %v; want the same twice", seed, a.Group, b.Group)
		}
	})
}

func TestSplitSeedMatters(t *testing.T) {
	r := benchRoster(60, 1)
	a, _ := Split(r, groupNames(6), 1)
	b, _ := Split(r, groupNames(6), 2)
	if reflect.DeepEqual(a.Group, b.Group) {
		t.Errorf("Split(seed 1) = Split(seed 2) = %v; want different splits", a.Group)
	}
}

// TestSplitLarge checks the guarantees on the benchmark's roster, a
// conference of 10,000 in 200 groups.
func TestSplitLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a large roster")
	}
	r := benchRoster(10_000, 7)
	names := groupNames(200)
	a, err := Split(r, names, 1)
	if err != nil {
		t.Fatalf("Split(10,000 people, 200 groups) = %v; want no error", err)
	}
	if err := checkSplit(r, names, a); err != nil {
		t.Fatal(err)
	}
	if c := splitCostOf(r, a.Group, 200); c.clash != 0 || c.miss != 0 {
		t.Errorf("Split(10,000 people, 200 groups) has %d clashes and %d groups missing a wisher; want 0 and 0", c.clash, c.miss)
	}
}

// BenchmarkSplit splits 10,000 people into 200 groups.
func BenchmarkSplit(b *testing.B) {
	r := benchRoster(10_000, 7)
	names := groupNames(200)
	for b.Loop() {
		if _, err := Split(r, names, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// checkSplit checks the guarantees that must hold for every split: sizes,
// backgrounds and roles.
func checkSplit(r Roster, names []string, a *Assignment) error {
	n, g := len(r.People), len(names)
	if len(a.Group) != n || len(a.Role) != n || !slices.Equal(a.Groups, names) {
		return fmt.Errorf("Split(%d people) = %d groups, %d roles, names %v; want %d, %d, %v", n, len(a.Group), len(a.Role), a.Groups, n, n, names)
	}
	size := make([]int, g)
	bgs := map[string][]int{}
	bgTotal := map[string]int{}
	chairs, raps := make([][]int, g), make([][]int, g)
	wishes := make([][3]int, g)
	for i, p := range r.People {
		grp := a.Group[i]
		if grp < 0 || grp >= g {
			return fmt.Errorf("Split: person %d in group %d; want 0 to %d", i, grp, g-1)
		}
		size[grp]++
		k := splitKey(p.Background)
		if bgs[k] == nil {
			bgs[k] = make([]int, g)
		}
		bgs[k][grp]++
		bgTotal[k]++
		switch a.Role[i] {
		case session.Chair:
			chairs[grp] = append(chairs[grp], i)
		case session.Rapporteur:
			raps[grp] = append(raps[grp], i)
		case session.Participant:
		default:
			return fmt.Errorf("Split: person %d has role %q; want chair, rapporteur or participant", i, a.Role[i])
		}
		switch p.Wish {
		case session.Chair:
			wishes[grp][1]++
		case session.Rapporteur:
			wishes[grp][2]++
		}
	}
	lo, hi := n/g, (n+g-1)/g
	for grp, s := range size {
		if s < lo || s > hi {
			return fmt.Errorf("Split(%d people, %d groups): sizes = %v; want %d or %d each", n, g, size, lo, hi)
		}
		if a.Balance.Sizes[grp] != s {
			return fmt.Errorf("Split: Balance.Sizes = %v; want %v", a.Balance.Sizes, size)
		}
	}
	for k, counts := range bgs {
		lo, hi := bgTotal[k]/g, (bgTotal[k]+g-1)/g
		for _, c := range counts {
			if c < lo || c > hi {
				return fmt.Errorf("Split(%d people, %d groups): background %q = %v; want %d or %d each", n, g, k, counts, lo, hi)
			}
		}
	}
	if len(a.Balance.Backgrounds) != len(bgs) {
		return fmt.Errorf("Split: Balance.Backgrounds has %d; want %d", len(a.Balance.Backgrounds), len(bgs))
	}
	for _, bc := range a.Balance.Backgrounds {
		if !slices.Equal(bc.Counts, bgs[splitKey(bc.Background)]) {
			return fmt.Errorf("Split: Balance of %q = %v; want %v", bc.Background, bc.Counts, bgs[splitKey(bc.Background)])
		}
	}
	for grp := range g {
		if len(chairs[grp]) != 1 || len(raps[grp]) != 1 {
			return fmt.Errorf("Split: group %d has chairs %v and rapporteurs %v; want one each", grp, chairs[grp], raps[grp])
		}
		c, rp := r.People[chairs[grp][0]], r.People[raps[grp][0]]
		if wishes[grp][1] > 0 && c.Wish != session.Chair {
			return fmt.Errorf("Split: group %d has a chair wisher but chair %q wished %q; want a wisher", grp, c.Name, c.Wish)
		}
		if wishes[grp][2] > 0 && rp.Wish != session.Rapporteur {
			return fmt.Errorf("Split: group %d has a rapporteur wisher but rapporteur %q wished %q; want a wisher", grp, rp.Name, rp.Wish)
		}
	}
	// The balance lists exactly the organizations with two people in a group.
	shared := map[string]bool{}
	orgCnt := map[[2]any]int{}
	for i, p := range r.People {
		if k := splitKey(p.Organization); k != "" {
			orgCnt[[2]any{k, a.Group[i]}]++
			if orgCnt[[2]any{k, a.Group[i]}] == 2 {
				shared[k] = true
			}
		}
	}
	if len(a.Balance.Shared) != len(shared) {
		return fmt.Errorf("Split: Balance.Shared = %v; want %d organizations", a.Balance.Shared, len(shared))
	}
	for _, s := range a.Balance.Shared {
		if !shared[splitKey(s.Organization)] {
			return fmt.Errorf("Split: Balance.Shared lists %q; want it not", s.Organization)
		}
	}
	people := a.PlanPeople()
	if len(people) != n {
		return fmt.Errorf("Split: PlanPeople has %d; want %d", len(people), n)
	}
	return nil
}

// splitCostOf counts, independently of the splitter, the clashes of
// organizations with at most g people and the groups missing a chair or a
// rapporteur wisher.
func splitCostOf(r Roster, group []int, g int) splitCost {
	var c splitCost
	members := map[string]int{}
	for _, p := range r.People {
		if k := splitKey(p.Organization); k != "" {
			members[k]++
		}
	}
	type key struct {
		org   string
		group int
	}
	seen := map[key]int{}
	chair, rap := make([]bool, g), make([]bool, g)
	for i, p := range r.People {
		if k := splitKey(p.Organization); k != "" && members[k] <= g {
			c.clash += seen[key{k, group[i]}]
			seen[key{k, group[i]}]++
		}
		chair[group[i]] = chair[group[i]] || p.Wish == session.Chair
		rap[group[i]] = rap[group[i]] || p.Wish == session.Rapporteur
	}
	for grp := range g {
		if !chair[grp] {
			c.miss++
		}
		if !rap[grp] {
			c.miss++
		}
	}
	return c
}

// bestSplitCost tries every split with balanced sizes and backgrounds and
// returns the lowest cost, clashes first.
func bestSplitCost(r Roster, g int) splitCost {
	return bestSplitCostBy(r, g, func(group []int) splitCost { return splitCostOf(r, group, g) })
}

// bestSplitCostBy is bestSplitCost with the cost counted by cost.
func bestSplitCostBy(r Roster, g int, cost func(group []int) splitCost) splitCost {
	n := len(r.People)
	bgIdx := map[string]int{}
	bg := make([]int, n)
	var bgTotal []int
	for i, p := range r.People {
		k := splitKey(p.Background)
		if _, ok := bgIdx[k]; !ok {
			bgIdx[k] = len(bgTotal)
			bgTotal = append(bgTotal, 0)
		}
		bg[i] = bgIdx[k]
		bgTotal[bg[i]]++
	}
	size := make([]int, g)
	cnt := make([][]int, len(bgTotal))
	for b := range cnt {
		cnt[b] = make([]int, g)
	}
	group := make([]int, n)
	best := splitCost{clash: 1 << 30}
	var try func(i int)
	try = func(i int) {
		if i == n {
			for grp := range g {
				if size[grp] < n/g {
					return
				}
				for b, c := range bgTotal {
					if cnt[b][grp] < c/g {
						return
					}
				}
			}
			if c := cost(group); c.compare(best) < 0 {
				best = c
			}
			return
		}
		for grp := range g {
			b := bg[i]
			if size[grp] == (n+g-1)/g || cnt[b][grp] == (bgTotal[b]+g-1)/g {
				continue
			}
			size[grp]++
			cnt[b][grp]++
			group[i] = grp
			try(i + 1)
			size[grp]--
			cnt[b][grp]--
		}
	}
	try(0)
	return best
}

func pow(b, e int) int {
	x := 1
	for range e {
		x *= b
	}
	return x
}

func groupNames(g int) []string {
	names := make([]string, g)
	for i := range names {
		names[i] = fmt.Sprintf("Group %d", i+1)
	}
	return names
}

var (
	testBackgrounds = []string{"scientist", "diplomat", "policy maker", "security expert", "industry", "civil society"}
	testWishes      = []session.Role{session.Participant, session.Participant, session.Participant, session.Chair, session.Rapporteur}
)

// randomRoster draws n people over nb backgrounds and no organizations
// (organization 0 is none), with case and spacing varied to check that
// they are folded.
func randomRoster(t *rapid.T, n, nb, no int) Roster {
	r := Roster{File: "random.csv"}
	for i := range n {
		bg := testBackgrounds[rapid.IntRange(0, nb-1).Draw(t, "background")]
		if rapid.Bool().Draw(t, "upper") {
			bg = strings.ToUpper(bg)
		}
		org := ""
		if o := rapid.IntRange(0, no).Draw(t, "organization"); o > 0 {
			org = fmt.Sprintf("Org %d", o)
		}
		r.People = append(r.People, Person{
			Name:         fmt.Sprintf("p%d", i),
			Background:   bg,
			Organization: org,
			Wish:         rapid.SampledFrom(testWishes).Draw(t, "wish"),
			Line:         i + 2,
		})
	}
	return r
}

// plantedRoster builds a roster of n people for g groups around a hidden
// split that keeps every organization of at most g people apart, has every
// background and size balanced, and spreads the role wishers; it returns
// the roster in a random order and the hidden split.
func plantedRoster(t *rapid.T, n, g int) (Roster, []int) {
	nb := rapid.IntRange(1, len(testBackgrounds)).Draw(t, "backgrounds")
	bgOf := make([]int, n)
	for i := range bgOf {
		bgOf[i] = rapid.IntRange(0, nb-1).Draw(t, "background")
	}
	slices.Sort(bgOf)
	// Dealing people sorted by background round-robin balances both.
	hidden := make([]int, n)
	byGroup := make([][]int, g)
	for i := range hidden {
		hidden[i] = i % g
		byGroup[i%g] = append(byGroup[i%g], i)
	}
	org := make([]string, n)
	free := func(grp int) []int {
		var f []int
		for _, i := range byGroup[grp] {
			if org[i] == "" {
				f = append(f, i)
			}
		}
		return f
	}
	orgs := rapid.IntRange(0, n/2).Draw(t, "organizations")
	for o := range orgs {
		m := rapid.IntRange(2, g).Draw(t, "members")
		groups := rapid.Permutation(seq(g)).Draw(t, "groups")[:m]
		for _, grp := range groups {
			if f := free(grp); len(f) > 0 {
				org[f[rapid.IntRange(0, len(f)-1).Draw(t, "who")]] = fmt.Sprintf("Org %d", o)
			}
		}
	}
	// One organization too big to keep apart.
	if rapid.Bool().Draw(t, "big") {
		var big []int
		for i := range org {
			if org[i] == "" && rapid.IntRange(0, 2).Draw(t, "in big") == 0 {
				big = append(big, i)
			}
		}
		if len(big) > g {
			for _, i := range big {
				org[i] = "Big"
			}
		}
	}
	// The first wishers of each role go one to a hidden group.
	wish := make([]session.Role, n)
	for i := range wish {
		wish[i] = session.Participant
	}
	for _, role := range []session.Role{session.Chair, session.Rapporteur} {
		w := rapid.IntRange(0, n/3).Draw(t, "wishers")
		for k := range w {
			var pool []int
			for i := range wish {
				if wish[i] == session.Participant && (k >= g || hidden[i] == k) {
					pool = append(pool, i)
				}
			}
			if len(pool) > 0 {
				wish[pool[rapid.IntRange(0, len(pool)-1).Draw(t, "wisher")]] = role
			}
		}
	}
	r := Roster{File: "planted.csv"}
	var group []int
	for _, i := range rapid.Permutation(seq(n)).Draw(t, "order") {
		r.People = append(r.People, Person{
			Name:         fmt.Sprintf("p%d", i),
			Background:   testBackgrounds[bgOf[i]],
			Organization: org[i],
			Wish:         wish[i],
			Line:         len(r.People) + 2,
		})
		group = append(group, hidden[i])
	}
	return r, group
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// benchRoster makes a conference-like roster: six backgrounds of uneven
// size, organizations from one person to several hundred, a few wishes.
func benchRoster(n int, seed uint64) Roster {
	rng := rand.New(rand.NewPCG(seed, seed))
	zipf := rand.NewZipf(rng, 1.3, 2, uint64(n/8))
	r := Roster{File: "bench.csv"}
	for i := range n {
		bg := testBackgrounds[min(rng.IntN(8), 5)]
		org := ""
		if rng.IntN(5) > 0 {
			org = fmt.Sprintf("Org %d", zipf.Uint64())
		}
		wish := session.Participant
		switch rng.IntN(30) {
		case 0:
			wish = session.Chair
		case 1:
			wish = session.Rapporteur
		}
		r.People = append(r.People, Person{Name: fmt.Sprintf("Person %d", i), Background: bg, Organization: org, Wish: wish, Line: i + 2})
	}
	return r
}
