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
	termW     float64 // weight of the term cosine
	gramW     float64 // weight of the cosine of character 3- and 4-grams of the terms
	pairW     float64 // weight of the cosine of pairs of neighbouring terms
	threshold float64 // score at or above which two texts are similar
	// minTerm is the least term cosine two texts must have to score at
	// all: texts that share too few of their terms are not compared
	// further, which is what keeps Suggest fast on thousands of ideas.
	minTerm float64
}

// defaultMatcher was chosen on the tuning half of
// testdata/similarity/pairs.tsv (see TestSimilarPairs and docs/reports.md).
// threshold > gramW, so two texts that share no term never match: that
// lets Suggest compare only ideas that share a term.
// minTerm 0.4 loses none of the pairs of the tuning half that match
// without it (the lowest term cosine among them is 0.58).
var defaultMatcher = matcher{lexicon: true, termW: 0.35, gramW: 0.5, pairW: 0.15,
	threshold: SimilarityThreshold, minTerm: 0.4}

// SimilarityThreshold is the score at or above which two ideas count as
// saying the same thing (see Similar).
const SimilarityThreshold = 0.54

// Similar reports whether two idea texts say the same thing, with the
// score used: a weighted sum of the cosine of their terms (Snowball stems,
// with words of a small conference lexicon mapped to one concept) and the
// cosine of the character 3- and 4-grams of those terms.
func Similar(a, b string) (bool, float64) {
	m := defaultMatcher
	an := newAnalyzer(m)
	s := m.score(an.vec(a), an.vec(b))
	return s >= m.threshold, s
}

// hvec is a sparse vector over hashed features, keys ascending.
type hvec struct {
	keys []uint64
	w    []float64
}

func (a hvec) dot(b hvec) float64 {
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

func (a hvec) add(b hvec) hvec {
	out := hvec{keys: make([]uint64, 0, len(a.keys)+len(b.keys)), w: make([]float64, 0, len(a.keys)+len(b.keys))}
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
// of their n-grams.
type ideaVec struct {
	terms, grams, pairs hvec
}

func (m matcher) score(a, b ideaVec) float64 {
	t := a.terms.dot(b.terms)
	if t < m.minTerm || t == 0 {
		return 0
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
}

func newAnalyzer(m matcher) *analyzer {
	an := &analyzer{m: m, stem: map[string]string{}}
	if m.lexicon {
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
	ws := words(text)
	var out []string
	for i := 0; i < len(ws); {
		if an.lx != nil {
			if n, concept := an.phrase(ws[i:]); n > 0 {
				out = append(out, concept)
				i += n
				continue
			}
		}
		w := ws[i]
		i++
		st := an.stemOf(w)
		if an.lx != nil {
			if concept, ok := an.lx.words[st]; ok {
				out = append(out, concept)
				continue
			}
		}
		if utf8.RuneCountInString(w) < 2 || english.IsStopWord(w) || fillerWords[w] {
			continue
		}
		out = append(out, st)
	}
	return out
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
	terms := an.terms(text)
	var tk, gk, pk []uint64
	for k, t := range terms {
		tk = append(tk, hash('t', t))
		if k > 0 && an.m.pairW > 0 && t != terms[k-1] {
			pk = append(pk, hash('p', min(t, terms[k-1])+" "+max(t, terms[k-1])))
		}
		if an.m.gramW == 0 {
			continue
		}
		r := []rune("#" + t + "#")
		for n := 3; n <= 4; n++ {
			for k := 0; k+n <= len(r); k++ {
				gk = append(gk, hash('g', string(r[k:k+n])))
			}
		}
	}
	return ideaVec{terms: unit(tk), grams: unit(gk), pairs: unit(pk)}
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
		mean[i] = s.m.linear(v, sum) - s.m.linear(v, v)
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
			if c/math.Sqrt(ni*float64(len(s.vecs[j].terms.keys))) < s.m.minTerm {
				continue
			}
			if sim := s.m.score(s.vecs[i], s.vecs[j]); sim >= s.m.threshold {
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
	for _, e := range edges {
		ra, rb := uf.find(e.a), uf.find(e.b)
		if ra == rb || s.m.centroidScore(sum[ra], sum[rb]) < s.m.threshold {
			continue
		}
		join(ra, rb)
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
