package report

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wordNet is the part of Princeton WordNet 3.0 the matcher's measurement
// uses: each lemma's synsets per part of speech, most frequent sense first,
// and each synset's pointers.
type wordNet struct {
	senses map[string]map[byte][]string // lemma → pos → synset keys
	ptrs   map[string][]wnPtr           // synset key → pointers
	exc    map[byte]map[string][]string // pos → inflected form → lemmas
}

type wnPtr struct{ sym, to string }

var wnPOS = []struct {
	pos  byte
	file string
}{{'n', "noun"}, {'v', "verb"}, {'a', "adj"}, {'r', "adv"}}

func loadWordNet(dir string) (*wordNet, error) {
	wn := &wordNet{senses: map[string]map[byte][]string{}, ptrs: map[string][]wnPtr{}, exc: map[byte]map[string][]string{}}
	key := func(pos, off string) string {
		if pos == "s" {
			pos = "a"
		}
		return pos + off
	}
	for _, p := range wnPOS {
		if err := eachLine(filepath.Join(dir, "index."+p.file), func(f []string) {
			// lemma pos synset_cnt p_cnt [ptr]{p_cnt} sense_cnt tagsense_cnt offsets…
			var n, pc int
			fmt.Sscan(f[2], &n)
			fmt.Sscan(f[3], &pc)
			offs := f[4+pc+2:]
			if len(offs) != n {
				return
			}
			m := wn.senses[f[0]]
			if m == nil {
				m = map[byte][]string{}
				wn.senses[f[0]] = m
			}
			for _, o := range offs {
				m[p.pos] = append(m[p.pos], key(string(p.pos), o))
			}
		}); err != nil {
			return nil, err
		}
		if err := eachLine(filepath.Join(dir, "data."+p.file), func(f []string) {
			// offset lex_filenum ss_type w_cnt [word lex_id]{w_cnt} p_cnt [sym offset pos st]{p_cnt} …
			var wc, pc int
			fmt.Sscanf(f[3], "%x", &wc)
			k := 4 + 2*wc
			fmt.Sscan(f[k], &pc)
			self := key(f[2], f[0])
			for i := range pc {
				q := f[k+1+4*i:]
				wn.ptrs[self] = append(wn.ptrs[self], wnPtr{q[0], key(q[2], q[1])})
			}
		}); err != nil {
			return nil, err
		}
		exc := map[string][]string{}
		if err := eachLine(filepath.Join(dir, p.file+".exc"), func(f []string) {
			exc[f[0]] = append(exc[f[0]], f[1:]...)
		}); err != nil {
			return nil, err
		}
		wn.exc[p.pos] = exc
	}
	return wn, nil
}

func eachLine(path string, f func([]string)) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "  ") || line == "" {
			continue
		}
		f(strings.Fields(line))
	}
	return sc.Err()
}

// morphy's detachment rules.
var wnRules = map[byte][][2]string{
	'n': {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
	'v': {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
	'a': {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
	'r': {},
}

// synsets is the synsets of the word w, per part of speech, as morphy
// finds its lemma: the form itself, an exception, or a detachment rule.
func (wn *wordNet) synsets(w string) map[byte][]string {
	out := map[byte][]string{}
	for _, p := range wnPOS {
		if s := wn.senses[w][p.pos]; len(s) > 0 {
			out[p.pos] = s
			continue
		}
		for _, l := range wn.exc[p.pos][w] {
			if s := wn.senses[l][p.pos]; len(s) > 0 {
				out[p.pos] = s
				break
			}
		}
		if out[p.pos] != nil {
			continue
		}
		for _, r := range wnRules[p.pos] {
			if base, ok := strings.CutSuffix(w, r[0]); ok {
				if s := wn.senses[base+r[1]][p.pos]; len(s) > 0 {
					out[p.pos] = s
					break
				}
			}
		}
	}
	return out
}

// wnWay is one way of reading WordNet as word likeness.
type wnWay struct {
	off       bool // no WordNet: the exact terms only, for comparison
	senses    int  // the first senses of each part of speech taken, 0 for all
	hypernyms bool // with the direct hypernyms (and instances) of those senses
	derived   bool // with the senses derivationally related and the adjectives similar
}

// concepts is the set of synsets that stand for the word w.
func (wn *wordNet) concepts(w string, way wnWay) map[string]bool {
	out := map[string]bool{}
	if way.off {
		return out
	}
	for _, ss := range wn.synsets(w) {
		if way.senses > 0 && len(ss) > way.senses {
			ss = ss[:way.senses]
		}
		for _, s := range ss {
			out[s] = true
			for _, p := range wn.ptrs[s] {
				switch {
				case way.hypernyms && (p.sym == "@" || p.sym == "@i"):
					out[p.to] = true
				case way.derived && (p.sym == "+" || p.sym == "&" || p.sym == `\` || p.sym == "<"):
					out[p.to] = true
				}
			}
		}
	}
	return out
}

// wnTermCos is the cosine of two texts' term sets where a term missing
// from the other text counts as there when one of its words shares a
// concept with a word of a term there.
func wnTermCos(an *analyzer, wn *wordNet, way wnWay, a, b string) float64 {
	type term struct {
		t  string
		cs map[string]bool
	}
	read := func(text string) []term {
		ws := words(text)
		terms, at := an.termsAt(ws)
		seen := map[string]int{}
		var out []term
		for k, t := range terms {
			i, ok := seen[t]
			if !ok {
				i = len(out)
				seen[t] = i
				out = append(out, term{t, map[string]bool{}})
			}
			for c := range wn.concepts(ws[at[k]], way) {
				out[i].cs[c] = true
			}
		}
		return out
	}
	ta, tb := read(a), read(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	best := func(x, y []term) float64 {
		var sum float64
	next:
		for _, s := range x {
			for _, u := range y {
				if s.t == u.t {
					sum++
					continue next
				}
			}
			for _, u := range y {
				for c := range s.cs {
					if u.cs[c] {
						sum++
						continue next
					}
				}
			}
		}
		return sum
	}
	return (best(ta, tb) + best(tb, ta)) / (2 * math.Sqrt(float64(len(ta)*len(tb))))
}

// TestSimilarWordNet measures WordNet (Princeton WordNet 3.0, Debian's
// wordnet-base) as the matcher's synonym lexicon, the way TestSimilarMethods
// measures the other methods: a term missing from the other text counts as
// there when one of its words shares a synset with a word there (the first
// senses, or all, with or without their hypernyms and derivationally
// related senses), with the five look-alike checks, weights and threshold
// chosen on the tuning half. It asserts that the shipped matcher's
// precision on the tuning half is no lower than any of these reaches at
// the recall targets there, as TestSimilarMethods does for the others, so
// WordNet would be shipped if it did better. It runs where WordNet's files
// are installed (.ci/run installs them).
func TestSimilarWordNet(t *testing.T) {
	dir := "/usr/share/wordnet"
	if _, err := os.Stat(filepath.Join(dir, "index.noun")); err != nil {
		t.Skipf("WordNet is not installed in %s (apt-get install -y wordnet-base); the matcher is not measured against it", dir)
	}
	wn, err := loadWordNet(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The reading of the files: a plural found through morphy's rules, a
	// verb through the exceptions, a direct hypernym, a derived noun.
	for _, c := range []struct {
		a, b string
		way  wnWay
		want bool
	}{
		{"grants", "grant", wnWay{senses: 1}, true},
		{"fund", "money", wnWay{senses: 1, hypernyms: true}, true},
		{"fund", "money", wnWay{senses: 1}, false},
		{"taught", "teach", wnWay{senses: 1}, true},
		{"publish", "publication", wnWay{senses: 1, derived: true}, true},
		{"publish", "publication", wnWay{senses: 1}, false},
	} {
		ca, cb := wn.concepts(c.a, c.way), wn.concepts(c.b, c.way)
		shared := false
		for k := range ca {
			shared = shared || cb[k]
		}
		if shared != c.want {
			t.Errorf("%q and %q share a synset (%+v): %v, want %v", c.a, c.b, c.way, shared, c.want)
		}
	}
	pairs := readPairs(t)
	chosen := newTally()
	for _, p := range pairs {
		if !p.heldOut {
			ok, _ := Similar(p.a, p.b)
			chosen.add(p.kind, ok)
		}
	}
	for _, me := range []struct {
		name string
		m    matcher
		way  wnWay
	}{
		{"stems + checks, no wn", matcher{gramW: 1, pairW: 1}, wnWay{off: true}},
		{"wn first sense", matcher{gramW: 1, pairW: 1}, wnWay{senses: 1}},
		{"wn first 2 senses", matcher{gramW: 1, pairW: 1}, wnWay{senses: 2}},
		{"wn all senses", matcher{gramW: 1, pairW: 1}, wnWay{}},
		{"wn first sense + hypernyms", matcher{gramW: 1, pairW: 1}, wnWay{senses: 1, hypernyms: true}},
		{"wn first sense + derived", matcher{gramW: 1, pairW: 1}, wnWay{senses: 1, derived: true}},
		{"wn first sense + hyp + derived", matcher{gramW: 1, pairW: 1}, wnWay{senses: 1, hypernyms: true, derived: true}},
		{"wn first 2 + hyp + derived", matcher{gramW: 1, pairW: 1}, wnWay{senses: 2, hypernyms: true, derived: true}},
		{"broad + wn first sense", matcher{lexicon: true, broad: true, gramW: 1, pairW: 1}, wnWay{senses: 1}},
		{"broad + wn first sense + hyp + derived", matcher{lexicon: true, broad: true, gramW: 1, pairW: 1}, wnWay{senses: 1, hypernyms: true, derived: true}},
		{"broad + wn first 2 + hyp + derived", matcher{lexicon: true, broad: true, gramW: 1, pairW: 1}, wnWay{senses: 2, hypernyms: true, derived: true}},
	} {
		m := me.m
		m.opposites, m.negation, m.roles, m.heads, m.strict, m.modifiers = true, true, true, true, true, true
		an := newAnalyzer(m)
		var ss []scoredPair
		for _, p := range pairs {
			a, b := an.vec(p.a), an.vec(p.b)
			ss = append(ss, scoredPair{p, wnTermCos(an, wn, me.way, p.a, p.b), a.grams.dot(b.grams), a.pairs.dot(b.pairs), m.differs(a.shape, b.shape)})
		}
		best, bestP := chooseWeights(ss, m)
		if bestP < 0 {
			t.Logf("%-28s no weights reach the recall targets on the tuning half", me.name)
			continue
		}
		all := newTally()
		for _, s := range ss {
			all.add(s.p.kind, !s.differs && best.termW*s.terms+best.gramW*s.gms+best.pairW*s.prs >= best.threshold)
		}
		t.Logf("%-28s tuning:   %v", fmt.Sprintf("%s t=%.2f g=%.2f p=%.2f >= %.2f", me.name, best.termW, best.gramW, best.pairW, best.threshold), evalScored(ss, best, false))
		t.Logf("%-28s held-out: %v", "", evalScored(ss, best, true))
		t.Logf("%-28s all:      %v", "", all)
		if p := chosen.precision(); p < bestP-1e-9 {
			t.Errorf("the shipped matcher's precision on the tuning half is %.3f, %s reaches %.3f", p, me.name, bestP)
		}
	}
}
