package report

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// SuggestIdea is one idea as the suggestion engine sees it.
type SuggestIdea struct {
	// ID identifies the idea; it should be unique among the ideas given.
	ID, Group, Text string
	Tag             string // the rapporteur's theme tag, "" when none
	BuildsOn        string // the id of the idea it builds on, "" when none
	Votes           int
	Key             bool
}

// Candidate is a suggested conference theme: ideas from two or more groups.
type Candidate struct {
	Name   string   // the tag as most often spelled, or a short phrase of the most representative idea
	From   string   // "tag" or "similar"
	Ideas  []string // idea ids, most representative first
	Groups []string // the groups, sorted
}

// What a Candidate comes from.
const (
	FromTag     = "tag"
	FromSimilar = "similar"
)

// matcher is how two texts are compared: each text becomes a set of terms
// (stems, or concepts of the lexicon) and a set of character n-grams of
// those terms and a set of pairs of neighbouring terms, in either order
// ("open access" and "access, open" are one pair, "open day" another); the
// score is a weighted sum of the three sets' cosines.
type matcher struct {
	lexicon   bool    // map words and phrases to lexicon concepts
	broad     bool    // with lexicon: the broad lexicon
	termW     float64 // weight of the term cosine
	gramW     float64 // weight of the cosine of character 3- and 4-grams of the terms
	pairW     float64 // weight of the cosine of pairs of neighbouring terms
	threshold float64 // score at or above which two texts are similar
	// minTerm is the least term cosine two texts must have to score at
	// all: texts that share too few of their terms are not compared
	// further, which is what keeps Suggest fast on thousands of ideas.
	minTerm float64
	// The look-alike checks: each one, when it fires, makes two texts
	// not similar whatever their words (see ideaVec.differs).
	opposites bool // one text says more, start, open, allow… and the other the opposite
	negation  bool // one text is negated (not, no, without…) and the other is not
	roles     bool // the subject of one text's "should" is in the other's predicate, and not its subject
	oneSided  bool // one text takes a side of an axis of opposites, the other none
	soft      bool // terms spelled alike count as partly the same term
	modifiers bool // both take the same side of an axis, about different terms ("longer breaks" / "longer sessions")
	heads     bool // both start with the same verb, on different objects
	strict    bool // with heads: objects differ even when one is in the other text
}

// defaultMatcher was chosen on the tuning half of
// testdata/similarity/pairs.tsv (see TestSimilarMethods and
// docs/reports.md): of the methods measured, the one with the highest
// precision there among the weights that reach the recall targets there.
// threshold > gramW, so two texts that share no term never match: that
// lets Suggest compare only ideas that share a term.
// minTerm 0.4 loses none of the pairs of the tuning half that match
// without it (the lowest term cosine among them is 0.58).
var defaultMatcher = matcher{lexicon: true, broad: true, termW: 0.35, gramW: 0.55, pairW: 0.1,
	threshold: SimilarityThreshold, minTerm: 0.4,
	opposites: true, negation: true, roles: true, heads: true, strict: true, modifiers: true}

// SimilarityThreshold is the score at or above which two ideas count as
// saying the same thing (see Similar).
const SimilarityThreshold = 0.57

// Similar reports whether two idea texts say the same thing, with the
// score used: a weighted sum of the cosine of their terms (Snowball stems,
// with words of a conference lexicon mapped to one concept), of the
// character 3- and 4-grams of those terms and of pairs of neighbouring
// terms; 0 when the texts share words but take opposite sides ("more" /
// "less"), one is negated, the subject of one is the object of the other,
// or the same verb acts on different objects.
func Similar(a, b string) (bool, float64) {
	m := defaultMatcher
	an := newAnalyzer(m)
	s := m.similarity(an.vec(a), an.vec(b))
	return s >= m.threshold, s
}

// sparse is a sparse vector, keys ascending.
type sparse[K cmp.Ordered] struct {
	keys []K
	w    []float64
}

// hvec is a sparse vector over hashed features.
type hvec = sparse[uint64]

func (a sparse[K]) dot(b sparse[K]) float64 {
	var sum float64
	for i, j := 0, 0; i < len(a.keys) && j < len(b.keys); {
		switch {
		case a.keys[i] < b.keys[j]:
			i++
		case a.keys[i] > b.keys[j]:
			j++
		default:
			sum += a.w[i] * b.w[j]
			i++
			j++
		}
	}
	return sum
}

// add returns a+b.
func (a sparse[K]) add(b sparse[K]) sparse[K] {
	out := sparse[K]{keys: make([]K, 0, len(a.keys)+len(b.keys)), w: make([]float64, 0, len(a.keys)+len(b.keys))}
	i, j := 0, 0
	for i < len(a.keys) || j < len(b.keys) {
		switch {
		case j == len(b.keys) || i < len(a.keys) && a.keys[i] < b.keys[j]:
			out.keys, out.w = append(out.keys, a.keys[i]), append(out.w, a.w[i])
			i++
		case i == len(a.keys) || a.keys[i] > b.keys[j]:
			out.keys, out.w = append(out.keys, b.keys[j]), append(out.w, b.w[j])
			j++
		default:
			out.keys, out.w = append(out.keys, a.keys[i]), append(out.w, a.w[i]+b.w[j])
			i++
			j++
		}
	}
	return out
}

func hcos(a, b hvec) float64 {
	na, nb := math.Sqrt(a.dot(a)), math.Sqrt(b.dot(b))
	if na == 0 || nb == 0 {
		return 0
	}
	return a.dot(b) / (na * nb)
}

// unit makes a vector of weight 1/√n on each of the n distinct keys.
func unit(keys []uint64) hvec {
	slices.Sort(keys)
	keys = slices.Compact(keys)
	v := hvec{keys: keys, w: make([]float64, len(keys))}
	for k := range v.w {
		v.w[k] = 1 / math.Sqrt(float64(len(keys)))
	}
	return v
}

// ideaVec is a text as the matcher sees it: unit vectors of its terms and
// of their n-grams, and what the look-alike checks need.
type ideaVec struct {
	terms, grams, pairs hvec
	shape               shape
	// first is the first line of a text of several lines: an idea is
	// often a title and then more words, and two titles that say the
	// same thing make two ideas alike whatever follows them.
	first *ideaVec
	// termGrams are the n-grams of each distinct term, for soft matching.
	termGrams []hvec
}

// softCos is the cosine of the term sets where a term that is not in the
// other text counts for its likeness in spelling to the most alike term
// there, when that is at least one half ("steward" / "stewardship").
func softCos(a, b ideaVec) float64 {
	best := func(x, y ideaVec) float64 {
		var sum float64
		for _, g := range x.termGrams {
			var m float64
			for _, h := range y.termGrams {
				m = max(m, g.dot(h))
			}
			if m >= 0.5 {
				sum += m
			}
		}
		return sum
	}
	n, k := len(a.termGrams), len(b.termGrams)
	if n == 0 || k == 0 {
		return 0
	}
	return (best(a, b) + best(b, a)) / (2 * math.Sqrt(float64(n*k)))
}

// similarity is the higher of the scores of the whole texts and of their
// first lines.
func (m matcher) similarity(a, b ideaVec) float64 {
	s := m.score(a, b)
	if a.first == nil && b.first == nil {
		return s
	}
	fa, fb := a, b
	if a.first != nil {
		fa = *a.first
	}
	if b.first != nil {
		fb = *b.first
	}
	return max(s, m.score(fa, fb))
}

func (m matcher) score(a, b ideaVec) float64 {
	t := a.terms.dot(b.terms)
	if t < m.minTerm || t == 0 || m.differs(a.shape, b.shape) {
		return 0
	}
	if m.soft {
		t = softCos(a, b)
	}
	return m.termW*t + m.gramW*a.grams.dot(b.grams) + m.pairW*a.pairs.dot(b.pairs)
}

// linear is score without the minTerm floor: for unit vectors it is
// linear in b, so the dot with a sum of ideas is the sum of the scores.
func (m matcher) linear(a, b ideaVec) float64 {
	return m.termW*a.terms.dot(b.terms) + m.gramW*a.grams.dot(b.grams) + m.pairW*a.pairs.dot(b.pairs)
}

// centroidScore compares two sums of ideaVecs as score compares two ideas.
func (m matcher) centroidScore(a, b ideaVec) float64 {
	return m.termW*hcos(a.terms, b.terms) + m.gramW*hcos(a.grams, b.grams) + m.pairW*hcos(a.pairs, b.pairs)
}

func (a ideaVec) add(b ideaVec) ideaVec {
	return ideaVec{terms: a.terms.add(b.terms), grams: a.grams.add(b.grams), pairs: a.pairs.add(b.pairs)}
}

// analyzer turns texts into ideaVecs, remembering stems.
type analyzer struct {
	m    matcher
	lx   *lexicon
	stem map[string]string
	// idf, when set, weighs each term by its inverse document frequency
	// in the texts given to learn (see learn); terms not seen weigh most.
	idf    map[uint64]float64
	idfMax float64
}

func newAnalyzer(m matcher) *analyzer {
	an := &analyzer{m: m, stem: map[string]string{}}
	switch {
	case m.lexicon && m.broad:
		an.lx = broadLexicon()
	case m.lexicon:
		an.lx = defaultLexicon()
	}
	return an
}

func (an *analyzer) stemOf(w string) string {
	st, ok := an.stem[w]
	if !ok {
		st = english.Stem(w, true)
		an.stem[w] = st
	}
	return st
}

// terms are the stems of a text's words, without stop words, filler and
// one-letter words, with lexicon words and phrases replaced by their
// concept.
func (an *analyzer) terms(text string) []string {
	out, _ := an.termsAt(words(text))
	return out
}

// termsAt is terms of the words ws, with the index in ws where each term
// starts.
func (an *analyzer) termsAt(ws []string) (out []string, at []int) {
	for i := 0; i < len(ws); {
		if an.lx != nil {
			if n, concept := an.phrase(ws[i:]); n > 0 {
				out, at = append(out, concept), append(at, i)
				i += n
				continue
			}
		}
		w := ws[i]
		i++
		st := an.stemOf(w)
		if an.lx != nil {
			if concept := an.lx.concept(w, st); concept != "" {
				out, at = append(out, concept), append(at, i-1)
				continue
			}
		}
		if utf8.RuneCountInString(w) < 2 || english.IsStopWord(w) || fillerWords[w] {
			continue
		}
		out, at = append(out, st), append(at, i-1)
	}
	return out, at
}

// phrase matches the longest lexicon phrase at the start of ws and returns
// how many words it took, or 0.
func (an *analyzer) phrase(ws []string) (int, string) {
	for n := min(an.lx.longest, len(ws)); n >= 2; n-- {
		parts := make([]string, n)
		for k := range n {
			parts[k] = an.stemOf(ws[k])
		}
		if concept, ok := an.lx.phrases[strings.Join(parts, " ")]; ok {
			return n, concept
		}
	}
	return 0, ""
}

func hash(kind byte, s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte{kind})
	h.Write([]byte(s))
	return h.Sum64()
}

func (an *analyzer) vec(text string) ideaVec {
	v := an.lineVec(text)
	lines := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
	if len(lines) > 1 {
		f := an.lineVec(lines[0])
		v.first = &f
	}
	return v
}

// lineVec is vec without first.
func (an *analyzer) lineVec(text string) ideaVec {
	ws := words(text)
	terms, at := an.termsAt(ws)
	var tk, gk, pk []uint64
	for k, t := range terms {
		tk = append(tk, hash('t', t))
		if k > 0 && an.m.pairW > 0 && t != terms[k-1] {
			pk = append(pk, hash('p', min(t, terms[k-1])+" "+max(t, terms[k-1])))
		}
		if an.m.gramW == 0 {
			continue
		}
		gk = grams(gk, t)
	}
	tv := unit(tk)
	var tg []hvec
	if an.m.soft {
		seen := map[string]bool{}
		for _, t := range terms {
			if !seen[t] {
				seen[t] = true
				tg = append(tg, unit(grams(nil, t)))
			}
		}
	}
	if an.idf != nil {
		var norm float64
		for k, key := range tv.keys {
			w, ok := an.idf[key]
			if !ok {
				w = an.idfMax
			}
			tv.w[k] = w
			norm += w * w
		}
		for k := range tv.w {
			tv.w[k] /= math.Sqrt(norm)
		}
	}
	return ideaVec{terms: tv, grams: unit(gk), pairs: unit(pk), shape: an.shapeOf(ws, terms, at), termGrams: tg}
}

// learn sets the analyzer's term weights to the smoothed inverse document
// frequencies of texts, ln((1+N)/(1+df)) + 1.
func (an *analyzer) learn(texts []string) {
	df := map[uint64]int{}
	for _, text := range texts {
		seen := map[uint64]bool{}
		for _, t := range an.terms(text) {
			if h := hash('t', t); !seen[h] {
				seen[h] = true
				df[h]++
			}
		}
	}
	n := float64(len(texts))
	an.idf = make(map[uint64]float64, len(df))
	an.idfMax = math.Log(1+n) + 1
	for h, d := range df {
		an.idf[h] = math.Log((1+n)/(1+float64(d))) + 1
	}
}

// grams appends the hashes of the character 3- and 4-grams of term t,
// marked at both ends, to gk.
func grams(gk []uint64, t string) []uint64 {
	r := []rune("#" + t + "#")
	for n := 3; n <= 4; n++ {
		for k := 0; k+n <= len(r); k++ {
			gk = append(gk, hash('g', string(r[k:k+n])))
		}
	}
	return gk
}

// Suggest proposes conference themes for the ideas of one question.
// Deterministic: the same ideas, in any order, give the same candidates.
//
// First come the rapporteurs' tags whose names match across groups (case,
// plurals, white space, punctuation and small spelling differences do not
// matter): the ideas so tagged in k groups are one candidate raised in k
// groups. Then the other ideas are clustered by Similar, and by build-on
// links between groups; clusters of ideas from two or more groups are
// candidates too. Each kind is ordered by the number of groups, then key
// ideas, then votes.
func Suggest(ideas []SuggestIdea) []Candidate {
	return defaultMatcher.suggest(ideas)
}

func (m matcher) suggest(in []SuggestIdea) []Candidate {
	ideas := slices.Clone(in)
	slices.SortFunc(ideas, func(a, b SuggestIdea) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Group, b.Group),
			strings.Compare(a.Text, b.Text), strings.Compare(a.Tag, b.Tag),
			strings.Compare(a.BuildsOn, b.BuildsOn), cmp.Compare(a.Votes, b.Votes),
			cmp.Compare(boolInt(a.Key), boolInt(b.Key)))
	})
	an := newAnalyzer(m)
	vecs := make([]ideaVec, len(ideas))
	for i := range ideas {
		vecs[i] = an.vec(ideas[i].Text)
	}
	s := &suggester{m: m, ideas: ideas, vecs: vecs, used: make([]bool, len(ideas))}
	out := s.tagCandidates()
	return append(out, s.similarCandidates()...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type suggester struct {
	m     matcher
	ideas []SuggestIdea
	vecs  []ideaVec
	used  []bool // in a tag candidate
}

// tagKey is a tag reduced to what tells tags apart: stemmed lower-case
// words, without spaces or punctuation between them.
func tagKey(tag string) string {
	ws := words(tag)
	for k, w := range ws {
		ws[k] = english.Stem(w, true)
	}
	return strings.Join(ws, "")
}

// tagsMatch allows one edit (insertion, deletion, substitution or swap of
// neighbours) per six letters of the longer key, so "reserch funding"
// matches "research funding" but "data" never matches "date".
func tagsMatch(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	allowed := max(len(ra), len(rb)) / 6
	if abs(len(ra)-len(rb)) > allowed {
		return false
	}
	return editDistance(ra, rb) <= allowed
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal string alignment distance.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func (s *suggester) tagCandidates() []Candidate {
	byKey := map[string][]int{}
	for i, idea := range s.ideas {
		if k := tagKey(idea.Tag); k != "" {
			byKey[k] = append(byKey[k], i)
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	uf := newUnionFind(len(keys))
	for a := range keys {
		for b := a + 1; b < len(keys); b++ {
			if tagsMatch(keys[a], keys[b]) {
				uf.union(a, b)
			}
		}
	}
	members := map[int][]int{}
	for k, key := range keys {
		r := uf.find(k)
		members[r] = append(members[r], byKey[key]...)
	}
	var out []ranked
	for k := range keys {
		ms := members[k]
		if uf.find(k) != k || len(groupsOf(s.ideas, ms)) < 2 {
			continue
		}
		slices.Sort(ms)
		for _, i := range ms {
			s.used[i] = true
		}
		// The spelling used most often; ties go to the one whose ideas
		// have the most votes.
		type use struct{ n, votes int }
		spelled := map[string]use{}
		for _, i := range ms {
			t := strings.Join(strings.Fields(s.ideas[i].Tag), " ")
			u := spelled[t]
			spelled[t] = use{u.n + 1, u.votes + s.ideas[i].Votes}
		}
		name, best := "", use{-1, -1}
		for t, u := range spelled {
			if c := cmp.Or(cmp.Compare(u.n, best.n), cmp.Compare(u.votes, best.votes), strings.Compare(name, t)); c > 0 {
				name, best = t, u
			}
		}
		out = append(out, s.candidate(FromTag, name, ms))
	}
	return s.order(out)
}

// ranked is a candidate with what orders it.
type ranked struct {
	Candidate
	keys, votes int
}

func (s *suggester) candidate(from, name string, members []int) ranked {
	order := s.representative(members)
	if from == FromSimilar {
		name = shortPhrase(s.ideas[order[0]].Text)
	}
	r := ranked{Candidate: Candidate{Name: name, From: from, Groups: groupsOf(s.ideas, members)}}
	for _, i := range order {
		r.Ideas = append(r.Ideas, s.ideas[i].ID)
		r.votes += s.ideas[i].Votes
		r.keys += boolInt(s.ideas[i].Key)
	}
	return r
}

func (s *suggester) order(rs []ranked) []Candidate {
	slices.SortFunc(rs, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(len(b.Groups), len(a.Groups)), cmp.Compare(b.keys, a.keys),
			cmp.Compare(b.votes, a.votes), strings.Compare(a.Name, b.Name),
			strings.Compare(a.Ideas[0], b.Ideas[0]))
	})
	out := make([]Candidate, len(rs))
	for k, r := range rs {
		out[k] = r.Candidate
	}
	return out
}

// representative orders members by their mean similarity to the other
// members (the score without its minTerm floor), highest first, ties by
// votes then id. With unit vectors the sum of the dot products with the
// others is the dot product with their sum, so this is linear in the size
// of the cluster.
func (s *suggester) representative(members []int) []int {
	var sum ideaVec
	for _, i := range members {
		sum = sum.add(s.vecs[i])
	}
	mean := map[int]float64{}
	for _, i := range members {
		v := s.vecs[i]
		// Rounded, so that ideas equally like the others tie whatever the
		// rounding of the sums, and the tie goes to votes then id.
		mean[i] = math.Round((s.m.linear(v, sum)-s.m.linear(v, v))*1e9) / 1e9
	}
	out := slices.Clone(members)
	slices.SortFunc(out, func(a, b int) int {
		return cmp.Or(cmp.Compare(mean[b], mean[a]), cmp.Compare(s.ideas[b].Votes, s.ideas[a].Votes),
			strings.Compare(s.ideas[a].ID, s.ideas[b].ID), cmp.Compare(a, b))
	})
	return out
}

func groupsOf(ideas []SuggestIdea, members []int) []string {
	var gs []string
	for _, i := range members {
		gs = append(gs, ideas[i].Group)
	}
	slices.Sort(gs)
	return slices.Compact(gs)
}

// nameWords is the most words a candidate's name takes from its idea.
const nameWords = 8

// shortPhrase is the start of text, at most nameWords words, with "…" when
// it was cut.
func shortPhrase(text string) string {
	ws := strings.Fields(text)
	if len(ws) <= nameWords {
		return strings.Join(ws, " ")
	}
	return strings.TrimRight(strings.Join(ws[:nameWords], " "), ",;:.-–—") + "…"
}

// commonTerm is how many ideas a term may be in and still be used to find
// pairs to compare: a term in more ideas than that says too little about any
// of them. The floor keeps every term in questions of up to a few thousand
// ideas.
func commonTerm(n int) int { return max(256, n/8) }

type edge struct {
	a, b int // a < b
	sim  float64
}

func (s *suggester) similarCandidates() []Candidate {
	var free []int
	for i := range s.ideas {
		if !s.used[i] {
			free = append(free, i)
		}
	}
	postings := map[uint64][]int{}
	for _, i := range free {
		for _, t := range s.vecs[i].terms.keys {
			postings[t] = append(postings[t], i)
		}
	}
	limit := commonTerm(len(free))
	var edges []edge
	shared := make([]int, len(s.ideas)) // terms shared with the idea at hand
	var touched []int
	for _, i := range free {
		for _, t := range s.vecs[i].terms.keys {
			ps := postings[t]
			if len(ps) > limit {
				continue
			}
			for _, j := range ps {
				if j >= i {
					break
				}
				if shared[j] == 0 {
					touched = append(touched, j)
				}
				shared[j]++
			}
		}
		ni := float64(len(s.vecs[i].terms.keys))
		for _, j := range touched {
			c := float64(shared[j])
			shared[j] = 0
			if c/math.Sqrt(ni*float64(len(s.vecs[j].terms.keys))) < s.m.minTerm &&
				s.vecs[i].first == nil && s.vecs[j].first == nil {
				continue
			}
			if sim := s.m.similarity(s.vecs[i], s.vecs[j]); sim >= s.m.threshold {
				edges = append(edges, edge{j, i, sim})
			}
		}
		touched = touched[:0]
	}
	// A build-on link between groups relates two ideas whatever their words.
	byID := map[string]int{}
	for _, i := range free {
		if _, dup := byID[s.ideas[i].ID]; !dup {
			byID[s.ideas[i].ID] = i
		}
	}
	var links []edge
	for _, i := range free {
		j, ok := byID[s.ideas[i].BuildsOn]
		if ok && s.ideas[i].BuildsOn != "" && s.ideas[j].Group != s.ideas[i].Group {
			links = append(links, edge{min(i, j), max(i, j), math.Inf(1)})
		}
	}
	slices.SortFunc(edges, func(x, y edge) int {
		return cmp.Or(cmp.Compare(y.sim, x.sim), cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	slices.SortFunc(links, func(x, y edge) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })

	uf := newUnionFind(len(s.ideas))
	sum := make(map[int]ideaVec, len(free))
	for _, i := range free {
		sum[i] = s.vecs[i]
	}
	join := func(a, b int) {
		r, o := uf.union(a, b)
		sum[r] = sum[r].add(sum[o])
		delete(sum, o)
	}
	for _, e := range links {
		if uf.find(e.a) != uf.find(e.b) {
			join(e.a, e.b)
		}
	}
	// Taken from the most similar down, a pair joins its two clusters only
	// if the clusters are that similar as a whole, so a chain of ideas that
	// each resemble the next does not pull unrelated ideas together.
	// Two single ideas join on their pair's score, which may come from
	// their first lines alone.
	size := map[int]int{}
	for _, i := range free {
		size[uf.find(i)]++
	}
	for _, e := range edges {
		ra, rb := uf.find(e.a), uf.find(e.b)
		if ra == rb || (size[ra] > 1 || size[rb] > 1) && s.m.centroidScore(sum[ra], sum[rb]) < s.m.threshold {
			continue
		}
		join(ra, rb)
		r := uf.find(ra)
		size[r] = size[ra] + size[rb]
	}
	members := map[int][]int{}
	for _, i := range free {
		r := uf.find(i)
		members[r] = append(members[r], i)
	}
	var out []ranked
	for _, i := range free {
		ms := members[i]
		if uf.find(i) != i || len(groupsOf(s.ideas, ms)) < 2 {
			continue
		}
		out = append(out, s.candidate(FromSimilar, "", ms))
	}
	return s.order(out)
}

type unionFind []int

func newUnionFind(n int) unionFind {
	uf := make(unionFind, n)
	for i := range uf {
		uf[i] = i
	}
	return uf
}

func (uf unionFind) find(i int) int {
	for uf[i] != i {
		uf[i] = uf[uf[i]]
		i = uf[i]
	}
	return i
}

// union joins the sets of a and b under the smaller root and returns the
// root kept and the root absorbed.
func (uf unionFind) union(a, b int) (root, other int) {
	ra, rb := uf.find(a), uf.find(b)
	root, other = min(ra, rb), max(ra, rb)
	uf[other] = root
	return root, other
}

// shape is what the look-alike checks know of a text beyond its terms.
type shape struct {
	sides map[string]uint8 // axis of opposites -> sides taken, bits 1 and 2
	// targets are, for each side taken, the terms that follow its words
	// ("longer breaks": length side 1 -> break), as side+" "+term.
	targets map[pole][]uint64
	negated bool
	// subj and pred are the terms before and after a modal ("young
	// researchers | should mentor students"), sorted; nil without one.
	subj, pred []uint64
	// verb is the first term when the text starts with it, head the last
	// term of the words that follow (its object); 0 when there is none.
	verb, head uint64
	headGrams  hvec     // the character n-grams of the head, so that "steward" meets "stewardship"
	terms      []uint64 // all terms, sorted
}

func (an *analyzer) shapeOf(ws, terms []string, at []int) shape {
	var sh shape
	opp := defaultOpposites()
	modal := -1
	for i, w := range ws {
		if negators[w] {
			sh.negated = true
		}
		if modals[w] && modal < 0 {
			modal = i
		}
		for _, p := range opp[an.stemOf(w)] {
			if sh.sides == nil {
				sh.sides = map[string]uint8{}
			}
			sh.sides[p.axis] |= p.side
		}
	}
	for k, t := range terms {
		h := hash('t', t)
		sh.terms = append(sh.terms, h)
		// The term says what the opposite words just before it are about.
		for i := at[k] - 1; i >= 0 && (k == 0 || i > at[k-1]); i-- {
			for _, p := range opp[an.stemOf(ws[i])] {
				if sh.targets == nil {
					sh.targets = map[pole][]uint64{}
				}
				sh.targets[p] = append(sh.targets[p], h)
			}
		}
		if k > 0 && at[k-1] < at[k] {
			for _, p := range opp[an.stemOf(ws[at[k-1]])] {
				if sh.targets == nil {
					sh.targets = map[pole][]uint64{}
				}
				sh.targets[p] = append(sh.targets[p], h)
			}
		}
		switch {
		case modal < 0:
		case at[k] < modal:
			sh.subj = append(sh.subj, h)
		default:
			sh.pred = append(sh.pred, h)
		}
	}
	slices.Sort(sh.terms)
	slices.Sort(sh.subj)
	slices.Sort(sh.pred)
	if len(sh.subj) == 0 || len(sh.pred) == 0 {
		sh.subj, sh.pred = nil, nil
	}
	if len(terms) > 1 && at[0] == 0 {
		k := 1
		for k < len(ws) && english.IsStopWord(ws[k]) && !clauseWords[ws[k]] {
			k++
		}
		end := k
		for end < len(ws) && !english.IsStopWord(ws[end]) {
			end++
		}
		if k < len(ws) && !clauseWords[ws[k]] {
			for j := len(terms) - 1; j > 0; j-- {
				if at[j] >= k && at[j] < end {
					// The verb as written: a reworded verb ("hire" /
					// "recruit") says the object may be reworded too.
					sh.verb, sh.head = hash('v', an.stemOf(ws[0])), hash('t', terms[j])
					sh.headGrams = unit(grams(nil, terms[j]))
					break
				}
			}
		}
	}
	return sh
}

// differs reports whether two texts that share words are told apart by one
// of the matcher's look-alike checks.
func (m matcher) differs(a, b shape) bool {
	if m.opposites {
		for axis, sa := range a.sides {
			if sb := b.sides[axis]; sa|sb == 3 && sa != 3 && sb != 3 {
				return true
			}
		}
	}
	if m.modifiers {
		for p, ta := range a.targets {
			if tb, ok := b.targets[p]; ok && !slices.ContainsFunc(ta, func(t uint64) bool { return slices.Contains(tb, t) }) {
				return true
			}
		}
	}
	if m.oneSided {
		for axis := range a.sides {
			if b.sides[axis] == 0 {
				return true
			}
		}
		for axis := range b.sides {
			if a.sides[axis] == 0 {
				return true
			}
		}
	}
	if m.negation && a.negated != b.negated {
		return true
	}
	if m.roles && a.subj != nil && b.subj != nil && !meets(a.subj, b.subj) &&
		(meets(a.subj, b.pred) || meets(b.subj, a.pred)) {
		return true
	}
	if m.heads && a.head != 0 && b.head != 0 && a.verb == b.verb && a.head != b.head &&
		(m.strict || !slices.Contains(b.terms, a.head) && !slices.Contains(a.terms, b.head)) &&
		hcos(a.headGrams, b.headGrams) < 0.5 {
		return true
	}
	return false
}

// meets reports whether two sorted lists share an element.
func meets(a, b []uint64) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			return true
		}
	}
	return false
}
