package roster

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// withCountries adds a Country column to r (after an Email column that is
// not spread), drawing each person's country from nc countries; country
// 0 is none. Case and spacing vary, to check that they are folded.
func withCountries(t *rapid.T, r Roster, nc int) Roster {
	r.Columns = []string{"Email", "Country"}
	for i := range r.People {
		c := ""
		if k := rapid.IntRange(0, nc).Draw(t, "country"); k > 0 {
			c = fmt.Sprintf("Country %d", k)
			if rapid.Bool().Draw(t, "shout") {
				c = strings.ToUpper(strings.Replace(c, " ", "  ", 1))
			}
		}
		r.People[i].Other = []string{fmt.Sprintf("p%d@example.org", i), c}
	}
	return r
}

// spreadCostOf is splitCostOf with the pairs of people in a group who
// share a country of at most g people counted as apart, counted
// independently of the splitter.
func spreadCostOf(r Roster, group []int, g int) splitCost {
	c := splitCostOf(r, group, g)
	members := map[string]int{}
	for _, p := range r.People {
		if k := splitKey(p.Other[1]); k != "" {
			members[k]++
		}
	}
	seen := map[string]int{}
	for i, p := range r.People {
		if k := splitKey(p.Other[1]); k != "" && members[k] <= g {
			key := fmt.Sprint(k, "/", group[i])
			c.apart += seen[key]
			seen[key]++
		}
	}
	return c
}

// checkSpread checks that the balance shows every country two or more
// people share, with its count in every group.
func checkSpread(r Roster, a *Assignment) error {
	if len(a.Balance.Spread) != 1 || a.Balance.Spread[0].Column != "Country" {
		return fmt.Errorf("Split: Balance.Spread = %+v; want the Country column", a.Balance.Spread)
	}
	counts := map[string][]int{}
	for i, p := range r.People {
		if k := splitKey(p.Other[1]); k != "" {
			if counts[k] == nil {
				counts[k] = make([]int, len(a.Groups))
			}
			counts[k][a.Group[i]]++
		}
	}
	shared := 0
	for _, c := range counts {
		if splitSum(c) >= 2 {
			shared++
		}
	}
	values := a.Balance.Spread[0].Values
	if len(values) != shared {
		return fmt.Errorf("Split: Balance.Spread has %d countries; want the %d that two or more share", len(values), shared)
	}
	for _, v := range values {
		if !slices.Equal(v.Counts, counts[splitKey(v.Value)]) {
			return fmt.Errorf("Split: Balance.Spread of %q = %v; want %v", v.Value, v.Counts, counts[splitKey(v.Value)])
		}
	}
	return nil
}

// TestSplitSmallSpread compares Split with a spread column on small
// random rosters with the best of every possible split: it keeps every
// guarantee of TestSplitSmall, and of the splits as good on
// organizations and wishers, it keeps as many people of one country
// apart as the best does.
func TestSplitSmallSpread(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.IntRange(1, 4).Draw(t, "groups")
		maxN := 2 * g
		for maxN < 11 && pow(g, maxN+1) <= 200_000 {
			maxN++
		}
		n := rapid.IntRange(2*g, maxN).Draw(t, "people")
		r := randomRoster(t, n, rapid.IntRange(1, 4).Draw(t, "backgrounds"), rapid.IntRange(0, n).Draw(t, "organizations"))
		r = withCountries(t, r, rapid.IntRange(1, n).Draw(t, "countries"))
		names := groupNames(g)
		seed := rapid.Uint64().Draw(t, "seed")
		a, err := Split(r, names, seed, "country")
		if err != nil {
			t.Fatalf("Split(%v) = %v; want no error", r.People, err)
		}
		if err := checkSplit(r, names, a); err != nil {
			t.Fatal(err)
		}
		if err := checkSpread(r, a); err != nil {
			t.Fatal(err)
		}
		got := spreadCostOf(r, a.Group, g)
		want := bestSplitCostBy(r, g, func(group []int) splitCost { return spreadCostOf(r, group, g) })
		if got.clash != want.clash || got.miss != want.miss || got.apart != want.apart {
			t.Fatalf("Split(%v, %d groups, spread country) = %v with %d clashes, %d groups missing a wisher, %d country pairs; want %d, %d, %d",
				r.People, g, a.Group, got.clash, got.miss, got.apart, want.clash, want.miss, want.apart)
		}
	})
}

// TestSplitPlantedSpread splits larger rosters built around a hidden
// split that keeps organizations and countries apart: spreading the
// countries must cost none of the guarantees on organizations and
// wishers, and leave no more people of one country together than a
// split that does not spread them. (It nearly always keeps them all
// apart; on large, tight rosters the search may leave a pair.)
func TestSplitPlantedSpread(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := rapid.IntRange(2, 25).Draw(t, "groups")
		n := rapid.IntRange(2*g, 300).Draw(t, "people")
		r, hidden := plantedRoster(t, n, g)
		// Countries of at most g people, one to a hidden group.
		byGroup := make([][]int, g)
		for i, grp := range hidden {
			byGroup[grp] = append(byGroup[grp], i)
		}
		country := make([]string, n)
		for c := range rapid.IntRange(0, n/2).Draw(t, "countries") {
			for _, grp := range rapid.Permutation(seq(g)).Draw(t, "groups")[:rapid.IntRange(2, g).Draw(t, "members")] {
				var free []int
				for _, i := range byGroup[grp] {
					if country[i] == "" {
						free = append(free, i)
					}
				}
				if len(free) > 0 {
					country[free[rapid.IntRange(0, len(free)-1).Draw(t, "who")]] = fmt.Sprintf("Country %d", c)
				}
			}
		}
		r.Columns = []string{"country"}
		for i := range r.People {
			r.People[i].Other = []string{country[i]}
		}
		want := spreadCostOf2(r, hidden, g)
		if want.clash != 0 || want.apart != 0 {
			t.Fatalf("planted a hidden split with %d clashes and %d country pairs; want 0", want.clash, want.apart)
		}
		a, err := Split(r, groupNames(g), rapid.Uint64().Draw(t, "seed"), "Country")
		if err != nil {
			t.Fatalf("Split = %v; want no error", err)
		}
		if err := checkSplit(r, groupNames(g), a); err != nil {
			t.Fatal(err)
		}
		got := spreadCostOf2(r, a.Group, g)
		if got.clash != 0 || got.miss > want.miss {
			t.Fatalf("Split(%d people, %d groups, spread country) has %d clashes, %d groups missing a wisher; want 0, at most %d",
				n, g, got.clash, got.miss, want.miss)
		}
		plain, err := Split(r, groupNames(g), 1)
		if err != nil {
			t.Fatal(err)
		}
		if without := spreadCostOf2(r, plain.Group, g).apart; got.apart > without {
			t.Fatalf("Split(%d people, %d groups, spread country) has %d country pairs; want at most the %d of a split that does not spread it",
				n, g, got.apart, without)
		}
	})
}

// spreadCostOf2 is spreadCostOf for a roster whose only other column is
// the country.
func spreadCostOf2(r Roster, group []int, g int) splitCost {
	c := Roster{People: slices.Clone(r.People)}
	for i := range c.People {
		c.People[i].Other = []string{"", r.People[i].Other[0]}
	}
	return spreadCostOf(c, group, g)
}
