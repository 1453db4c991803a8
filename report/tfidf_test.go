package report

// The TF-IDF cosine that matched ideas before Suggest, kept as the
// baseline TestSimilarMethods measures the matcher against.

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// themeTerms is how many words label a cluster.
const themeTerms = 3

// termVec is a sparse vector over term ids.
type termVec = sparse[int]

func norm(a termVec) float64 { return math.Sqrt(a.dot(a)) }

func cosine(a, b termVec) float64 {
	na, nb := norm(a), norm(b)
	if na == 0 || nb == 0 {
		return 0
	}
	return a.dot(b) / (na * nb)
}

// corpus holds the TF-IDF vectors of a set of texts (the ideas on one
// question, from every group) and what is needed to label them.
type corpus struct {
	stems   []string         // term id -> stem
	surface []map[string]int // term id -> the words that stemmed to it, counted
	docs    []termVec        // unit vectors; empty for texts of stop words only
}

// newCorpus weighs each stemmed word of each text by (1 + ln tf) times a
// smoothed idf, ln((1+N)/(1+df)) + 1, and normalizes every vector.
func newCorpus(texts []string) *corpus {
	c := &corpus{}
	ids := map[string]int{}
	stemOf := map[string]string{}
	counts := make([]map[int]int, len(texts))
	var df []int
	for d, text := range texts {
		counts[d] = map[int]int{}
		for _, w := range words(text) {
			if utf8.RuneCountInString(w) < 2 || english.IsStopWord(w) || fillerWords[w] {
				continue
			}
			st, ok := stemOf[w]
			if !ok {
				st = english.Stem(w, false)
				stemOf[w] = st
			}
			id, ok := ids[st]
			if !ok {
				id = len(c.stems)
				ids[st] = id
				c.stems = append(c.stems, st)
				c.surface = append(c.surface, map[string]int{})
				df = append(df, 0)
			}
			c.surface[id][w]++
			if counts[d][id] == 0 {
				df[id]++
			}
			counts[d][id]++
		}
	}
	n := float64(len(texts))
	c.docs = make([]termVec, len(texts))
	for d, tf := range counts {
		v := termVec{keys: make([]int, 0, len(tf))}
		for id := range tf {
			v.keys = append(v.keys, id)
		}
		slices.Sort(v.keys)
		v.w = make([]float64, len(v.keys))
		var norm float64
		for k, id := range v.keys {
			idf := math.Log((1+n)/(1+float64(df[id]))) + 1
			v.w[k] = (1 + math.Log(float64(tf[id]))) * idf
			norm += v.w[k] * v.w[k]
		}
		norm = math.Sqrt(norm)
		for k := range v.w {
			v.w[k] /= norm
		}
		c.docs[d] = v
	}
	return c
}

// label names a cluster by its heaviest terms, each shown as the word
// that most often stemmed to it.
func (c *corpus) label(members []int) []string {
	var sum termVec
	for _, m := range members {
		sum = sum.add(c.docs[m])
	}
	order := make([]int, len(sum.keys))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case sum.w[x] > sum.w[y]:
			return -1
		case sum.w[x] < sum.w[y]:
			return 1
		}
		return strings.Compare(c.stems[sum.keys[x]], c.stems[sum.keys[y]])
	})
	var out []string
	for _, k := range order[:min(themeTerms, len(order))] {
		out = append(out, c.word(sum.keys[k]))
	}
	return out
}

// word is the most frequent word that stemmed to term id; ties go to the
// alphabetically first.
func (c *corpus) word(id int) string {
	best, n := "", 0
	for w, k := range c.surface[id] {
		if k > n || k == n && w < best {
			best, n = w, k
		}
	}
	return best
}
