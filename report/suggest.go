package report

import (
	"slices"
	"strings"
)

// SuggestIdea is one idea as the suggestion engine sees it.
type SuggestIdea struct {
	ID, Group, Text string
	Tag             string // the rapporteur's theme tag, "" when none
	BuildsOn        string // the id of the idea it builds on, "" when none
	Votes           int
	Key             bool
}

// Candidate is a suggested conference theme: ideas from two or more groups.
type Candidate struct {
	Name   string   // the tag as most often spelled, or a short phrase of the most representative idea
	From   string   // FromTag or FromSimilar
	Ideas  []string // idea ids, most representative first
	Groups []string // the groups, sorted
}

// Suggest proposes conference themes for the ideas of one question:
// first the rapporteurs' tags that match across groups, then clusters of
// ideas worded alike. Deterministic: the same ideas, in any order, give the
// same candidates.
func Suggest(ideas []SuggestIdea) []Candidate {
	ideas = slices.Clone(ideas)
	slices.SortFunc(ideas, func(a, b SuggestIdea) int { return strings.Compare(a.ID, b.ID) })
	var out []Candidate
	used := map[string]bool{}

	byTag := map[string][]SuggestIdea{}
	var tags []string
	for _, i := range ideas {
		k := tagKey(i.Tag)
		if k == "" {
			continue
		}
		if _, ok := byTag[k]; !ok {
			tags = append(tags, k)
		}
		byTag[k] = append(byTag[k], i)
	}
	slices.Sort(tags)
	for _, k := range tags {
		members := byTag[k]
		if groupCount(members) < 2 {
			continue
		}
		spelling := map[string]int{}
		for _, i := range members {
			spelling[strings.Join(strings.Fields(i.Tag), " ")]++
		}
		out = append(out, candidate(members, FromTag, mostCommon(spelling)))
		for _, i := range members {
			used[i.ID] = true
		}
	}

	var rest []SuggestIdea
	var texts []string
	for _, i := range ideas {
		if !used[i.ID] {
			rest = append(rest, i)
			texts = append(texts, i.Text)
		}
	}
	if len(rest) > 1 {
		for _, cl := range newCorpus(texts).clusters(SimilarityThreshold) {
			members := make([]SuggestIdea, len(cl))
			for k, m := range cl {
				members[k] = rest[m]
			}
			if groupCount(members) < 2 {
				continue
			}
			best := slices.MaxFunc(members, func(a, b SuggestIdea) int {
				if a.Votes != b.Votes {
					return a.Votes - b.Votes
				}
				return strings.Compare(b.ID, a.ID)
			})
			out = append(out, candidate(members, FromSimilar, phrase(best.Text, 8)))
		}
	}
	return out
}

// Similar reports whether two idea texts say the same thing, with the
// score used.
func Similar(a, b string) (bool, float64) {
	c := newCorpus([]string{a, b})
	s := cosine(c.docs[0], c.docs[1])
	return s >= SimilarityThreshold, s
}

func candidate(members []SuggestIdea, from, name string) Candidate {
	slices.SortStableFunc(members, func(a, b SuggestIdea) int { return b.Votes - a.Votes })
	c := Candidate{Name: name, From: from}
	for _, i := range members {
		c.Ideas = append(c.Ideas, i.ID)
		if !slices.Contains(c.Groups, i.Group) {
			c.Groups = append(c.Groups, i.Group)
		}
	}
	slices.Sort(c.Groups)
	return c
}

func groupCount(ideas []SuggestIdea) int {
	seen := map[string]bool{}
	for _, i := range ideas {
		seen[i.Group] = true
	}
	return len(seen)
}

// tagKey folds a tag for matching: case, spacing and a plural s.
func tagKey(tag string) string {
	k := strings.ToLower(strings.Join(strings.Fields(tag), " "))
	if len(k) > 3 && strings.HasSuffix(k, "s") && !strings.HasSuffix(k, "ss") {
		k = k[:len(k)-1]
	}
	return k
}

func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for s, k := range counts {
		if k > n || k == n && s < best {
			best, n = s, k
		}
	}
	return best
}

// phrase is the first line of text cut to at most n words, with "…" when
// cut.
func phrase(text string, n int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	words := strings.Fields(line)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}
