package roster

import (
	"breakout/session"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// Roster is the list of people that `breakout split` divides into groups,
// as read from a roster CSV.
type Roster struct {
	File   string // the file name as given, used in errors
	People []Person
	// Columns are the headers, as written, of the columns that split has
	// no use for unless asked to spread them (country, department, e-mail);
	// Person.Other holds their values.
	Columns []string
}

// Person is one row of a roster CSV.
type Person struct {
	Name         string
	Background   string
	Organization string       // may be empty
	Wish         session.Role // Chair, Rapporteur, or Participant for no wish
	Line         int          // the CSV line the row starts on; 0 if not from a file
	Other        []string     // the values of Roster.Columns, in order
}

// Error is a problem with a roster: where it is and what is wrong.
type Error struct {
	File string // the file name as given, or "roster"
	Line int    // 0 when the problem is the roster as a whole
	Msg  string
}

// Error returns the problem as one line: file, line if known, message.
func (e *Error) Error() string {
	file := e.File
	if file == "" {
		file = "roster"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, e.Line, e.Msg)
	}
	return file + ": " + e.Msg
}

// Read reads a roster CSV from r; name is the file name for errors.
// The first row is a header whose columns are matched case-insensitively:
// name and background are required, organization and role are optional,
// others are kept in Columns, for Split to spread if asked, and otherwise
// ignored, so that an export from a registration tool can be used as it is.
func Read(name string, r io.Reader) (Roster, error) {
	roster := Roster{File: name}
	bad := func(line int, format string, args ...any) error {
		return &Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	cr := csv.NewReader(r)
	// Rows are checked against the header below, with a message that says
	// how many fields were expected.
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return roster, bad(0, "empty file; the first row must be a header with name and background columns")
	}
	if err != nil {
		return roster, rosterCSVError(name, err)
	}
	col := map[string]int{"name": -1, "background": -1, "organization": -1, "role": -1}
	var other []int // indexes of the other columns
	for i, h := range header {
		if i == 0 {
			// Spreadsheets often save UTF-8 with a byte order mark.
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		if j, ok := col[strings.ToLower(h)]; ok {
			if j >= 0 {
				return roster, bad(1, "two %s columns; keep one", strings.ToLower(h))
			}
			col[strings.ToLower(h)] = i
			continue
		}
		other = append(other, i)
		roster.Columns = append(roster.Columns, h)
	}
	for _, h := range []string{"name", "background"} {
		if col[h] < 0 {
			return roster, bad(1, "no %s column; the header row needs name and background columns", h)
		}
	}
	width := len(header)
	field := func(rec []string, h string) string {
		if i := col[h]; i >= 0 {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return roster, rosterCSVError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != width {
			return roster, bad(line, "row has %d fields but the header has %d; quote fields that hold commas", len(rec), width)
		}
		p := Person{
			Name:         field(rec, "name"),
			Background:   field(rec, "background"),
			Organization: field(rec, "organization"),
			Line:         line,
		}
		if len(other) > 0 {
			p.Other = make([]string, len(other))
			for k, i := range other {
				p.Other[k] = strings.TrimSpace(rec[i])
			}
		}
		switch w := field(rec, "role"); strings.ToLower(w) {
		case "", string(session.Participant):
			p.Wish = session.Participant
		case string(session.Chair):
			p.Wish = session.Chair
		case string(session.Rapporteur):
			p.Wish = session.Rapporteur
		default:
			return roster, bad(line, "role %q is not a wish split knows; write chair, rapporteur or leave it empty", w)
		}
		roster.People = append(roster.People, p)
	}
	if len(roster.People) == 0 {
		return roster, bad(0, "no people; add a row per person below the header")
	}
	return roster, roster.check()
}

func rosterCSVError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: name, Line: pe.Line, Msg: fmt.Sprintf("%v; check the quotes on this line", pe.Err)}
	}
	return fmt.Errorf("read roster %s: %w", name, err)
}

// check validates the people of a roster, so that Split is safe on a roster
// built in code as well as on one read from a file.
func (r Roster) check() error {
	bad := func(p Person, format string, args ...any) error {
		return &Error{File: r.File, Line: p.Line, Msg: fmt.Sprintf(format, args...)}
	}
	first := make(map[string]Person, len(r.People))
	for _, p := range r.People {
		if p.Name == "" {
			return bad(p, "empty name; every row needs a name")
		}
		if err := session.CheckName(p.Name); err != nil {
			return bad(p, "name %v", err)
		}
		for _, f := range []struct{ what, text string }{
			{"background", p.Background}, {"organization", p.Organization},
		} {
			if err := session.CheckText(f.text, session.MaxName, false); err != nil {
				return bad(p, "%s %v", f.what, err)
			}
		}
		switch p.Wish {
		case session.Participant, session.Chair, session.Rapporteur, "":
		default:
			return bad(p, "role %q is not a wish split knows; write chair, rapporteur or leave it empty", p.Wish)
		}
		// Case and inner spaces do not make another person: "Ada Brun"
		// and "ada  brun" are one name typed twice.
		key := splitKey(p.Name)
		if q, ok := first[key]; ok {
			if q.Line > 0 {
				return bad(p, "%q is listed twice (first on line %d); names must be unique", p.Name, q.Line)
			}
			return bad(p, "%q is listed twice; names must be unique", p.Name)
		}
		first[key] = p
	}
	return nil
}

// Assignment is the outcome of Split: a group and a role for every person
// of the roster.
type Assignment struct {
	Roster  Roster
	Groups  []string       // the group names, in the order given
	Group   []int          // Group[i] indexes Groups for Roster.People[i]
	Role    []session.Role // Role[i] is the role of Roster.People[i]
	Balance Balance
}

// Balance describes how well a split is blended, for the organizer to see.
type Balance struct {
	Groups      []string
	Sizes       []int
	Backgrounds []BackgroundCount    // largest background first
	Shared      []SharedOrganization // organizations with two or more people in one group
	Spread      []SpreadColumn       // the spread columns, in the order asked for
}

// SpreadColumn is how the values of a column split was asked to spread
// came out over the groups.
type SpreadColumn struct {
	Column string        // the header, as written in the roster
	Values []SpreadValue // values two or more people share, most people first
}

// SpreadValue is how many people of one value of a spread column each
// group holds.
type SpreadValue struct {
	Value  string
	Counts []int // by group, as Balance.Groups
}

// BackgroundCount is how many people of one background each group holds.
type BackgroundCount struct {
	Background string
	Counts     []int // by group, as Balance.Groups
}

// SharedOrganization is an organization that has two or more people in
// some group. Split only lets that happen when the organization has more
// people than there are groups, or when no split could keep them apart.
type SharedOrganization struct {
	Organization string
	Members      int
	Groups       []string // the groups holding two or more of its people
}

// PlanPeople returns the assignment as plan roster entries, group by group
// in the order of Groups, each group's chair first, then its rapporteur,
// then its participants in roster order.
func (a *Assignment) PlanPeople() []session.PlanPerson {
	rank := map[session.Role]int{session.Chair: 0, session.Rapporteur: 1, session.Participant: 2}
	idx := make([]int, len(a.Roster.People))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		if c := cmp.Compare(a.Group[i], a.Group[j]); c != 0 {
			return c
		}
		return cmp.Compare(rank[a.Role[i]], rank[a.Role[j]])
	})
	out := make([]session.PlanPerson, 0, len(idx))
	for _, i := range idx {
		p := a.Roster.People[i]
		out = append(out, session.PlanPerson{
			Name:         p.Name,
			Background:   p.Background,
			Organization: p.Organization,
			Group:        a.Groups[a.Group[i]],
			Role:         a.Role[i],
		})
	}
	return out
}

// Split divides a roster into len(names) blended groups and gives every
// group a chair and a rapporteur. It guarantees that
//
//   - group sizes differ by at most one;
//   - every group holds the floor or the ceiling of its fair share of every
//     background;
//   - no two people of an organization share a group while the
//     organization has no more people than there are groups, whenever some
//     split with the two guarantees above can achieve that;
//   - every group has exactly one chair and one rapporteur, two different
//     people, taken from those who wished for the role where the group has
//     such a person; wishers are spread so that as many groups as possible
//     have one;
//   - the people who share a value of a spread column (a country, a
//     department) are kept apart as organizations are, as far as that
//     goes without giving up the guarantees above: no two in a group
//     while the value has no more people than there are groups, else
//     spread as evenly as they can be;
//   - the same roster, names, seed and spread columns give the same split.
//
// Backgrounds, organizations and the values of spread columns are
// compared ignoring case and inner spaces. Spread columns are named by
// their header, case-insensitively; they are columns of Roster.Columns.
func Split(r Roster, names []string, seed uint64, spread ...string) (*Assignment, error) {
	if err := checkSplitNames(names); err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	columns, values, err := r.spreadValues(spread)
	if err != nil {
		return nil, err
	}
	n, g := len(r.People), len(names)
	if n < 2*g {
		msg := fmt.Sprintf("%s for %s; every group needs at least two people (a chair and a rapporteur)",
			count(n, "person", "people"), count(g, "group", "groups"))
		if n >= 2 {
			msg += fmt.Sprintf(", so use at most %s", count(n/2, "group", "groups"))
		} else {
			msg += ", so add people to the roster"
		}
		return nil, &Error{File: r.File, Msg: msg}
	}
	s := newSplitter(r, g, seed, values)
	s.search()
	a := &Assignment{
		Roster: r,
		Groups: slices.Clone(names),
		Group:  s.group,
		Role:   s.roles(),
	}
	a.Balance = s.balance(a.Groups, columns)
	return a, nil
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// spreadValues finds the spread columns and returns their headers and,
// per column, every person's value.
func (r Roster) spreadValues(spread []string) ([]string, [][]string, error) {
	bad := func(line int, format string, args ...any) error {
		return &Error{File: r.File, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var columns []string
	var values [][]string
	seen := map[int]bool{}
	for _, want := range spread {
		key := strings.ToLower(strings.TrimSpace(want))
		switch key {
		case "":
			return nil, nil, bad(0, "a spread column needs a name: the header of a roster column")
		case "background", "organization":
			return nil, nil, bad(0, "%s is always spread; name other columns to spread", key)
		case "name", "role":
			return nil, nil, bad(0, "the %s column cannot be spread; name a column such as country or department", key)
		}
		col := -1
		for i, h := range r.Columns {
			if strings.ToLower(h) == key {
				if col >= 0 {
					return nil, nil, bad(1, "two %s columns; keep one to spread it", h)
				}
				col = i
			}
		}
		if col < 0 {
			if len(r.Columns) == 0 {
				return nil, nil, bad(0, "no %s column to spread; the roster has only name, background, organization and role", want)
			}
			return nil, nil, bad(0, "no %s column to spread; its other columns are %s", want, strings.Join(r.Columns, ", "))
		}
		if seen[col] {
			continue
		}
		seen[col] = true
		v := make([]string, len(r.People))
		for p, person := range r.People {
			if col < len(person.Other) {
				v[p] = person.Other[col]
			}
			if err := session.CheckText(v[p], session.MaxName, false); err != nil {
				return nil, nil, bad(person.Line, "%s %v", r.Columns[col], err)
			}
		}
		columns = append(columns, r.Columns[col])
		values = append(values, v)
	}
	return columns, values, nil
}

func checkSplitNames(names []string) error {
	if len(names) == 0 {
		return errors.New("no groups; split needs at least one group")
	}
	if len(names) > session.MaxGroups {
		return fmt.Errorf("%d groups; at most %d", len(names), session.MaxGroups)
	}
	seen := make(map[string]bool, len(names))
	for i, name := range names {
		if name == "" {
			return fmt.Errorf("group name %d is empty; name every group", i+1)
		}
		if err := session.CheckText(name, session.MaxName, false); err != nil {
			return fmt.Errorf("group name %q %v", name, err)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return fmt.Errorf("group name %q is used twice; group names must be unique", name)
		}
		seen[key] = true
	}
	return nil
}

// splitKey folds case and inner spaces so that "Policy maker" and
// "policy  Maker" count as one background.
func splitKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Wish indexes in splitter.wishCnt.
const (
	splitNoWish = iota
	splitChair
	splitRapporteur
)

// splitCost is what the repair minimizes, compared field by field in
// order: organization clashes first (a guarantee), then groups without a
// wisher for a role, then clashes in the spread columns, then how
// unevenly organizations and spread values larger than the number of
// groups are spread (nice to have).
type splitCost struct {
	clash  int // same-organization pairs in a group, for organizations with at most g people
	miss   int // groups without a chair wisher plus groups without a rapporteur wisher
	apart  int // pairs in a group with the same value of a spread column, for values of at most g people
	spread int // same-organization or same-value pairs in a group, for larger ones
}

func (c splitCost) compare(d splitCost) int {
	if x := cmp.Compare(c.clash, d.clash); x != 0 {
		return x
	}
	if x := cmp.Compare(c.miss, d.miss); x != 0 {
		return x
	}
	if x := cmp.Compare(c.apart, d.apart); x != 0 {
		return x
	}
	return cmp.Compare(c.spread, d.spread)
}

// splitter holds the state of one Split. Counts are kept per group so
// that the effect of a swap is computed in constant time.
type splitter struct {
	n, g int
	rng  *rand.Rand

	bg, wish []int // per person
	// tag[d][p] is the set of people sharing p's value in dimension d
	// (0 the organization, then the spread columns), -1 for none or a
	// value no one else has. Sets of every dimension are numbered
	// together; the org fields below are per set.
	tag      [][]int
	bgName   []string
	orgName  []string
	orgDim   []int // per set: its dimension
	bgSize   []int
	orgSize  []int
	small    []bool // per set: no more people than groups, so they must not meet
	lo, hi   []int  // per background: floor and ceiling of its fair share
	loN, hiN int    // floor and ceiling of the group size

	group   []int
	size    []int
	bgCnt   [][]int // [background][group]
	orgCnt  []int32 // [set*g+group]; flat, as it can be large
	wishCnt [3][]int
	missing [3]int // groups with no wisher of the kind
	wishers [3]int

	work int // swaps weighed beyond the first descent, against splitBudget
}

// newSplitter prepares a split; spread holds, per spread column, every
// person's value.
func newSplitter(r Roster, g int, seed uint64, spread [][]string) *splitter {
	n := len(r.People)
	s := &splitter{
		n: n, g: g,
		// The second PCG word is fixed so that --seed alone decides the split.
		rng:   rand.New(rand.NewPCG(seed, 0x6272656b6f7574)),
		bg:    make([]int, n),
		wish:  make([]int, n),
		group: slices.Repeat([]int{-1}, n),
		size:  make([]int, g),
		loN:   n / g,
		hiN:   (n + g - 1) / g,
	}
	bgIdx := map[string]int{}
	for i, p := range r.People {
		k := splitKey(p.Background)
		b, ok := bgIdx[k]
		if !ok {
			b = len(s.bgName)
			bgIdx[k] = b
			s.bgName = append(s.bgName, p.Background)
			s.bgSize = append(s.bgSize, 0)
		}
		s.bg[i] = b
		s.bgSize[b]++
		switch p.Wish {
		case session.Chair:
			s.wish[i] = splitChair
		case session.Rapporteur:
			s.wish[i] = splitRapporteur
		}
		s.wishers[s.wish[i]]++
	}
	orgs := make([]string, n)
	for i, p := range r.People {
		orgs[i] = p.Organization
	}
	for _, values := range append([][]string{orgs}, spread...) {
		s.addDimension(values)
	}
	for _, c := range s.bgSize {
		s.lo = append(s.lo, c/g)
		s.hi = append(s.hi, (c+g-1)/g)
		s.bgCnt = append(s.bgCnt, make([]int, g))
	}
	s.orgCnt = make([]int32, len(s.orgName)*g)
	for w := range s.wishCnt {
		s.wishCnt[w] = make([]int, g)
	}
	return s
}

// addDimension adds the sets of people who share a value, compared as
// backgrounds are; values[p] is person p's.
func (s *splitter) addDimension(values []string) {
	d := len(s.tag)
	tag := make([]int, s.n)
	members := map[string]int{}
	for _, v := range values {
		if k := splitKey(v); k != "" {
			members[k]++
		}
	}
	idx := map[string]int{}
	for p, v := range values {
		k := splitKey(v)
		// A value of one person can never clash; leaving it out keeps
		// orgCnt small when most people come from different places.
		if k == "" || members[k] < 2 {
			tag[p] = -1
			continue
		}
		o, ok := idx[k]
		if !ok {
			o = len(s.orgName)
			idx[k] = o
			s.orgName = append(s.orgName, v)
			s.orgDim = append(s.orgDim, d)
			s.orgSize = append(s.orgSize, members[k])
			s.small = append(s.small, members[k] <= s.g)
		}
		tag[p] = o
	}
	s.tag = append(s.tag, tag)
}

// deal places everyone: background by background, largest first, each
// background's share given out over the groups ordered by size, smallest
// first. The smallest groups get a background's remainder, which keeps both
// the group sizes and the background counts within floor and ceiling.
// Within a background each person goes to the group, among those with room
// left, that holds fewest of their organization and role wishers.
func (s *splitter) deal() {
	for p, grp := range s.group {
		if grp >= 0 {
			s.unplace(p)
		}
	}
	byBg := make([][]int, len(s.bgName))
	for i, b := range s.bg {
		byBg[b] = append(byBg[b], i)
	}
	bgs := make([]int, len(s.bgName))
	for b := range bgs {
		bgs[b] = b
	}
	slices.SortStableFunc(bgs, func(a, b int) int {
		if c := cmp.Compare(s.bgSize[b], s.bgSize[a]); c != 0 {
			return c
		}
		return cmp.Compare(splitKey(s.bgName[a]), splitKey(s.bgName[b]))
	})
	quota := make([]int, s.g)
	for _, b := range bgs {
		order := s.rng.Perm(s.g)
		slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(s.size[x], s.size[y]) })
		c := len(byBg[b])
		for i, grp := range order {
			quota[grp] = c / s.g
			if i < c%s.g {
				quota[grp]++
			}
		}
		people := byBg[b]
		s.rng.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
		// People of big organizations first, while there is most choice.
		slices.SortStableFunc(people, func(x, y int) int { return cmp.Compare(s.orgSizeOf(y), s.orgSizeOf(x)) })
		for _, p := range people {
			best := -1
			for _, grp := range order {
				if quota[grp] > 0 && (best < 0 || s.dealLess(p, grp, best)) {
					best = grp
				}
			}
			quota[best]--
			s.place(p, best)
		}
	}
}

func (s *splitter) orgSizeOf(p int) int {
	if o := s.tag[0][p]; o >= 0 {
		return s.orgSize[o]
	}
	return 0
}

// dealLess reports whether group x is a better place for p than group y:
// fewer of p's organization, then of p's role wish, then of p's values
// of the spread columns.
func (s *splitter) dealLess(p, x, y int) bool {
	if o := s.tag[0][p]; o >= 0 {
		if cx, cy := s.orgCnt[o*s.g+x], s.orgCnt[o*s.g+y]; cx != cy {
			return cx < cy
		}
	}
	if w := s.wish[p]; w != splitNoWish {
		if cx, cy := s.wishCnt[w][x], s.wishCnt[w][y]; cx != cy {
			return cx < cy
		}
	}
	var cx, cy int32
	for _, tag := range s.tag[1:] {
		if o := tag[p]; o >= 0 {
			cx += s.orgCnt[o*s.g+x]
			cy += s.orgCnt[o*s.g+y]
		}
	}
	return cx < cy
}

func (s *splitter) place(p, grp int) {
	s.group[p] = grp
	s.size[grp]++
	s.bgCnt[s.bg[p]][grp]++
	for _, tag := range s.tag {
		if o := tag[p]; o >= 0 {
			s.orgCnt[o*s.g+grp]++
		}
	}
	s.wishCnt[s.wish[p]][grp]++
}

func (s *splitter) unplace(p int) {
	grp := s.group[p]
	s.size[grp]--
	s.bgCnt[s.bg[p]][grp]--
	for _, tag := range s.tag {
		if o := tag[p]; o >= 0 {
			s.orgCnt[o*s.g+grp]--
		}
	}
	s.wishCnt[s.wish[p]][grp]--
	s.group[p] = -1
}

// addPairs adds the pairs of set o's people in group grp.
func (s *splitter) addPairs(c *splitCost, o, grp int) {
	k := int(s.orgCnt[o*s.g+grp])
	s.addCost(c, o, k*(k-1)/2)
}

// addCost adds x pairs of set o to the cost: a clash for a small
// organization, apart for a small value of a spread column, spread for
// a large one of either.
func (s *splitter) addCost(c *splitCost, o, x int) {
	switch {
	case !s.small[o]:
		c.spread += x
	case s.orgDim[o] == 0:
		c.clash += x
	default:
		c.apart += x
	}
}

// cost counts the cost from scratch, and the groups missing a wisher with
// it, which apply keeps up to date from then on.
func (s *splitter) cost() splitCost {
	var c splitCost
	for o := range s.orgName {
		for grp := 0; grp < s.g; grp++ {
			s.addPairs(&c, o, grp)
		}
	}
	for _, w := range []int{splitChair, splitRapporteur} {
		s.missing[w] = 0
		for grp := 0; grp < s.g; grp++ {
			if s.wishCnt[w][grp] == 0 {
				s.missing[w]++
			}
		}
		c.miss += s.missing[w]
	}
	return c
}

// floor is the lowest cost any split could have: no clashes, every wisher
// in a group of their own as far as there are groups, larger organizations
// spread evenly.
func (s *splitter) floor() splitCost {
	var c splitCost
	for _, w := range []int{splitChair, splitRapporteur} {
		c.miss += max(0, s.g-s.wishers[w])
	}
	for o, m := range s.orgSize {
		if !s.small[o] {
			q, r := m/s.g, m%s.g
			c.spread += r*(q+1)*q/2 + (s.g-r)*q*(q-1)/2
		}
	}
	return c
}

// canTrade reports whether group grp may give up a person of background
// out for one of background in and keep both within floor and ceiling.
func (s *splitter) canTrade(grp, out, in int) bool {
	return out == in || s.bgCnt[out][grp] > s.lo[out] && s.bgCnt[in][grp] < s.hi[in]
}

// canSwap reports whether swapping p and q keeps every background within
// its floor and ceiling; sizes do not change.
func (s *splitter) canSwap(p, q int) bool {
	return s.canTrade(s.group[p], s.bg[p], s.bg[q]) && s.canTrade(s.group[q], s.bg[q], s.bg[p])
}

// canCycle is canSwap for a cycle: p to q's group, q to r's, r to p's.
func (s *splitter) canCycle(p, q, r int) bool {
	return s.canTrade(s.group[p], s.bg[p], s.bg[r]) &&
		s.canTrade(s.group[q], s.bg[q], s.bg[p]) &&
		s.canTrade(s.group[r], s.bg[r], s.bg[q])
}

// canMove reports whether p may move alone to group to, which needs slack
// in both the group sizes and p's background.
func (s *splitter) canMove(p, to int) bool {
	from, b := s.group[p], s.bg[p]
	return s.size[from] > s.loN && s.size[to] < s.hiN &&
		s.bgCnt[b][from] > s.lo[b] && s.bgCnt[b][to] < s.hi[b]
}

// leave adds to d the change in cost when p leaves its group for group
// to while partner (or -1) comes the other way. What p shares with its
// partner, organization or wish, does not change by the trade.
func (s *splitter) leave(d *splitCost, p, to, partner int) {
	from := s.group[p]
	for _, tag := range s.tag {
		if o := tag[p]; o >= 0 && (partner < 0 || tag[partner] != o) {
			s.addCost(d, o, int(s.orgCnt[o*s.g+to])-int(s.orgCnt[o*s.g+from]-1))
		}
	}
	if w := s.wish[p]; w != splitNoWish && (partner < 0 || s.wish[partner] != w) {
		if s.wishCnt[w][from] == 1 {
			d.miss++
		}
		if s.wishCnt[w][to] == 0 {
			d.miss--
		}
	}
}

func (s *splitter) swapDelta(p, q int) splitCost {
	var d splitCost
	s.leave(&d, p, s.group[q], q)
	s.leave(&d, q, s.group[p], p)
	return d
}

func (s *splitter) moveDelta(p, to int) splitCost {
	var d splitCost
	s.leave(&d, p, to, -1)
	return d
}

func (s *splitter) apply(p, q, to int) {
	if q >= 0 {
		s.rotate(p, q)
	} else {
		s.unplace(p)
		s.place(p, to)
	}
	s.countMissing()
}

// rotate moves each person to the group of the next, the last to the
// group of the first: a swap for two, a cycle for three.
func (s *splitter) rotate(people ...int) {
	var groups [3]int
	for i, p := range people {
		groups[i] = s.group[p]
		s.unplace(p)
	}
	for i, p := range people {
		s.place(p, groups[(i+1)%len(people)])
	}
}

func (s *splitter) countMissing() {
	for _, w := range []int{splitChair, splitRapporteur} {
		s.missing[w] = 0
		for _, c := range s.wishCnt[w] {
			if c == 0 {
				s.missing[w]++
			}
		}
	}
}

// splitStep moves person p to group to, as part of a compound move.
type splitStep struct{ p, to int }

// compoundDelta is the change in cost of making the steps in order, and
// whether the result keeps sizes and backgrounds within floor and ceiling.
// It makes the steps, counts, and takes them back.
func (s *splitter) compoundDelta(steps ...splitStep) (splitCost, bool) {
	var pbuf, gbuf [3]int
	var fbuf [3]int
	people, groups, from := pbuf[:0], gbuf[:0], fbuf[:len(steps)]
	for _, st := range steps {
		people = append(people, st.p)
		for _, grp := range []int{s.group[st.p], st.to} {
			if !slices.Contains(groups, grp) {
				groups = append(groups, grp)
			}
		}
	}
	before := s.localCost(people, groups)
	for i, st := range steps {
		from[i] = s.group[st.p]
		s.unplace(st.p)
		s.place(st.p, st.to)
	}
	ok := true
	for _, grp := range groups {
		if s.size[grp] < s.loN || s.size[grp] > s.hiN {
			ok = false
		}
		for _, p := range people {
			if b := s.bg[p]; s.bgCnt[b][grp] < s.lo[b] || s.bgCnt[b][grp] > s.hi[b] {
				ok = false
			}
		}
	}
	after := s.localCost(people, groups)
	for i := len(steps) - 1; i >= 0; i-- {
		s.unplace(steps[i].p)
		s.place(steps[i].p, from[i])
	}
	return splitCost{after.clash - before.clash, after.miss - before.miss, after.apart - before.apart, after.spread - before.spread}, ok
}

// localCost is the part of the cost that the organizations and wishes of
// people make in groups, which are all different.
func (s *splitter) localCost(people, groups []int) splitCost {
	var c splitCost
	for _, tag := range s.tag {
		for i, p := range people {
			o := tag[p]
			if o < 0 || slices.ContainsFunc(people[:i], func(x int) bool { return tag[x] == o }) {
				continue
			}
			for _, grp := range groups {
				s.addPairs(&c, o, grp)
			}
		}
	}
	for _, w := range []int{splitChair, splitRapporteur} {
		if slices.ContainsFunc(people, func(x int) bool { return s.wish[x] == w }) {
			for _, grp := range groups {
				if s.wishCnt[w][grp] == 0 {
					c.miss++
				}
			}
		}
	}
	return c
}

// splitCompoundMax is the largest roster for which the repair tries
// compound moves, which cost the square of the roster per person.
const splitCompoundMax = 400

// improveCompound makes the first compound move starting at p that lowers
// the cost, if any: p takes the place of q, who moves on to another group
// or to the place of r, who moves to p's group. Where groups are tight on
// sizes or backgrounds, no single move or swap is allowed that gets p
// where it belongs, but such a chain or cycle may be.
func (s *splitter) improveCompound(p int) bool {
	gp, bp := s.group[p], s.bg[p]
	do := func(steps ...splitStep) bool {
		s.work += 15 // a compound move takes about as long as 15 swaps to weigh
		if d, ok := s.compoundDelta(steps...); ok && d.compare(splitCost{}) < 0 {
			for _, st := range steps {
				s.unplace(st.p)
				s.place(st.p, st.to)
			}
			s.countMissing()
			return true
		}
		return false
	}
	// A chain shrinks p's group and grows another.
	if s.size[gp] > s.loN && s.bgCnt[bp][gp] > s.lo[bp] {
		for q := 0; q < s.n && s.work < splitBudget; q++ {
			gq, bq := s.group[q], s.bg[q]
			if gq == gp || !s.canTrade(gq, bq, bp) {
				continue
			}
			s.work++
			for to := 0; to < s.g; to++ {
				if to != gp && to != gq && s.size[to] < s.hiN && s.bgCnt[bq][to] < s.hi[bq] &&
					do(splitStep{p, gq}, splitStep{q, to}) {
					return true
				}
			}
		}
	}
	for q := 0; q < s.n && s.work < splitBudget; q++ {
		gq := s.group[q]
		if gq == gp || !s.canTrade(gq, s.bg[q], bp) {
			continue
		}
		s.work += s.n / 8
		for r := 0; r < s.n; r++ {
			if gr := s.group[r]; gr == gp || gr == gq || !s.canCycle(p, q, r) {
				continue
			}
			if do(splitStep{p, gq}, splitStep{q, s.group[r]}, splitStep{r, gp}) {
				return true
			}
		}
	}
	return false
}

// bad reports whether p adds to the cost in a way that moving p could
// mend: a clash, a second wisher where another group has none, or an
// organization piled up in p's group.
func (s *splitter) bad(p int, withSpread bool) bool {
	grp := s.group[p]
	for _, tag := range s.tag {
		o := tag[p]
		if o < 0 {
			continue
		}
		k := s.orgCnt[o*s.g+grp]
		if s.small[o] && k >= 2 {
			return true
		}
		if withSpread && !s.small[o] && k >= 2 {
			low := k
			for x := 0; x < s.g; x++ {
				low = min(low, s.orgCnt[o*s.g+x])
			}
			if k >= low+2 {
				return true
			}
		}
	}
	if w := s.wish[p]; w != splitNoWish && s.wishCnt[w][grp] >= 2 && s.missing[w] > 0 {
		return true
	}
	return false
}

// bestMove finds the swap (q) or move (to) of p that lowers the cost
// most, and by how much; q and to are -1 if nothing lowers it.
func (s *splitter) bestMove(p int) (best splitCost, q, to int) {
	q, to = -1, -1
	gp := s.group[p]
	for x := 0; x < s.n; x++ {
		if s.group[x] == gp || !s.canSwap(p, x) {
			continue
		}
		if d := s.swapDelta(p, x); d.compare(best) < 0 {
			best, q, to = d, x, -1
		}
	}
	for grp := 0; grp < s.g; grp++ {
		if grp == gp || !s.canMove(p, grp) {
			continue
		}
		if d := s.moveDelta(p, grp); d.compare(best) < 0 {
			best, q, to = d, -1, grp
		}
	}
	return best, q, to
}

// improve makes the best move or swap of p that lowers the cost, if any.
func (s *splitter) improve(p int) bool {
	_, q, to := s.bestMove(p)
	if q < 0 && to < 0 {
		return false
	}
	s.apply(p, q, to)
	return true
}

// descend improves bad people, in a seeded order, until none can be
// improved.
func (s *splitter) descend(withSpread bool) {
	order := make([]int, s.n)
	for p := range order {
		order[p] = p
	}
	for {
		s.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		improved := false
		for _, p := range order {
			if s.bad(p, withSpread) && s.improve(p) {
				improved = true
			}
		}
		if !improved {
			return
		}
	}
}

// steepest makes the best move of all until none lowers the clashes or
// the missing wishers. After a kick it matters which clash is mended first:
// the mover that was kicked would mostly just go back.
func (s *splitter) steepest() {
	for {
		var best splitCost
		bp, bq, bto := -1, -1, -1
		for p := 0; p < s.n; p++ {
			if !s.bad(p, false) {
				continue
			}
			s.work += s.n
			if d, q, to := s.bestMove(p); d.compare(best) < 0 {
				best, bp, bq, bto = d, p, q, to
			}
		}
		if bp >= 0 {
			s.apply(bp, bq, bto)
			continue
		}
		if s.n > splitCompoundMax {
			return
		}
		moved := false
		for p := 0; p < s.n && !moved; p++ {
			moved = s.bad(p, false) && s.improveCompound(p)
		}
		if !moved {
			return
		}
	}
}

// The search is bounded by counts, not by time, so that a seed always
// gives the same split: splitStarts fresh deals (fewer for large rosters,
// where one is enough in practice and each costs more), each repaired with
// up to splitKicks kicks; and no kick, fresh deal or compound move once
// the swaps weighed add up to splitBudget (a second or so at worst).
const (
	splitStarts = 20
	splitKicks  = 50
	splitBudget = 50_000_000
)

// search deals and repairs, and deals afresh while the result falls short
// of the best cost possible, keeping the best split found.
func (s *splitter) search() {
	floor := s.floor()
	done := func(c splitCost) bool { return c.clash == 0 && c.miss == floor.miss && c.apart == 0 }
	starts := splitStarts
	if s.n > splitCompoundMax {
		starts = 3
	}
	var best splitCost
	var bestGroup []int
	for start := 0; start < starts && (bestGroup == nil || !done(best) && s.work < splitBudget); start++ {
		s.deal()
		s.repair(done)
		if c := s.cost(); bestGroup == nil || c.compare(best) < 0 {
			best, bestGroup = c, slices.Clone(s.group)
		}
	}
	if !slices.Equal(s.group, bestGroup) {
		s.reset(bestGroup)
	}
	s.descend(true)
}

// repair lowers the cost by swaps and moves that keep sizes and
// backgrounds balanced. Plain descent can stall where every single swap
// makes things worse before they get better, so from there it kicks: a
// random allowed swap, then descends again, keeping the best split seen.
func (s *splitter) repair(done func(splitCost) bool) {
	s.cost()
	s.descend(true)
	s.steepest()
	best, bestGroup := s.cost(), slices.Clone(s.group)
	for k := 0; k < splitKicks && !done(best) && s.work < splitBudget; k++ {
		s.work += 2 * s.n
		var stuck []int
		for p := 0; p < s.n; p++ {
			if s.bad(p, false) {
				stuck = append(stuck, p)
			}
		}
		if len(stuck) == 0 {
			break
		}
		p := stuck[s.rng.IntN(len(stuck))]
		if s.rng.IntN(2) == 0 {
			// The way out may start with people who are no trouble
			// themselves, making room for a bad one.
			p = s.rng.IntN(s.n)
		}
		var options []int
		for q := 0; q < s.n; q++ {
			if s.group[q] != s.group[p] && s.canSwap(p, q) {
				options = append(options, q)
			}
		}
		if len(options) == 0 {
			continue
		}
		s.apply(p, options[s.rng.IntN(len(options))], -1)
		s.steepest()
		if c := s.cost(); c.compare(best) < 0 {
			best, bestGroup = c, slices.Clone(s.group)
		}
	}
	if !slices.Equal(s.group, bestGroup) {
		s.reset(bestGroup)
	}
}

func (s *splitter) reset(group []int) {
	for p := range s.group {
		s.unplace(p)
	}
	for p, grp := range group {
		s.place(p, grp)
	}
	s.cost()
}

// roles picks per group a chair and a rapporteur, each from the group's
// wishers for the role if it has any. Without a wisher the pick falls on
// someone who wished for nothing before someone who wished for the other
// role, so that wish can still come true.
func (s *splitter) roles() []session.Role {
	roles := make([]session.Role, s.n)
	for i := range roles {
		roles[i] = session.Participant
	}
	byGroup := make([][]int, s.g)
	for p, grp := range s.group {
		byGroup[grp] = append(byGroup[grp], p)
	}
	pick := func(people []int, prefer ...int) int {
		for _, w := range prefer {
			var pool []int
			for _, p := range people {
				if s.wish[p] == w && roles[p] == session.Participant {
					pool = append(pool, p)
				}
			}
			if len(pool) > 0 {
				return pool[s.rng.IntN(len(pool))]
			}
		}
		panic("split: a group of fewer than two people")
	}
	for _, people := range byGroup {
		roles[pick(people, splitChair, splitNoWish, splitRapporteur)] = session.Chair
		roles[pick(people, splitRapporteur, splitNoWish, splitChair)] = session.Rapporteur
	}
	return roles
}

func (s *splitter) balance(groups, columns []string) Balance {
	b := Balance{Groups: groups, Sizes: slices.Clone(s.size)}
	for i, name := range s.bgName {
		b.Backgrounds = append(b.Backgrounds, BackgroundCount{Background: name, Counts: slices.Clone(s.bgCnt[i])})
	}
	slices.SortStableFunc(b.Backgrounds, func(x, y BackgroundCount) int {
		return cmp.Compare(splitSum(y.Counts), splitSum(x.Counts))
	})
	for _, col := range columns {
		b.Spread = append(b.Spread, SpreadColumn{Column: col})
	}
	for o, name := range s.orgName {
		if d := s.orgDim[o]; d > 0 {
			c := &b.Spread[d-1]
			c.Values = append(c.Values, SpreadValue{Value: name, Counts: s.countsOf(o)})
			continue
		}
		var shared []string
		for grp := 0; grp < s.g; grp++ {
			if s.orgCnt[o*s.g+grp] >= 2 {
				shared = append(shared, groups[grp])
			}
		}
		if len(shared) > 0 {
			b.Shared = append(b.Shared, SharedOrganization{Organization: name, Members: s.orgSize[o], Groups: shared})
		}
	}
	slices.SortStableFunc(b.Shared, func(x, y SharedOrganization) int { return cmp.Compare(y.Members, x.Members) })
	for _, c := range b.Spread {
		slices.SortStableFunc(c.Values, func(x, y SpreadValue) int { return cmp.Compare(splitSum(y.Counts), splitSum(x.Counts)) })
	}
	return b
}

func (s *splitter) countsOf(set int) []int {
	out := make([]int, s.g)
	for grp := range out {
		out[grp] = int(s.orgCnt[set*s.g+grp])
	}
	return out
}

func splitSum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
