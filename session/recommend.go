package session

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Recommendations of a question are the organizer's short points of what
// the conference recommends on it, each of which people can give priority
// votes to in the plenary, beside the question's conference themes. The
// conference-wide recommendations text (recommendations.edit) stays the
// report's executive part.

// Op kinds of the recommendations of a question; the organizer's only.
const (
	KindRecommendationAdd    = "recommendation.add"
	KindRecommendationEdit   = "recommendation.edit"
	KindRecommendationRemove = "recommendation.remove"
)

// MaxRecommendation bounds the text of one recommendation, in characters.
const MaxRecommendation = 500

// MaxRecommendations bounds the recommendations a session holds.
const MaxRecommendations = 1000

// Recommendation is one recommendation of a question.
type Recommendation struct {
	ID       string    `json:"id"`
	Question string    `json:"question"`
	Text     string    `json:"text"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
	Edited   time.Time `json:"edited,omitzero"`
	// Removed is set only in the event that removes it.
	Removed bool `json:"removed,omitempty"`
}

func (r *Recommendation) copy() *Recommendation { c := *r; return &c }

// Data of the recommendation ops.
type (
	RecommendationAdd struct {
		Question string `json:"question"`
		Text     string `json:"text"`
	}
	RecommendationEdit struct {
		Recommendation string `json:"recommendation"`
		Text           string `json:"text"`
	}
	RecommendationRef struct {
		Recommendation string `json:"recommendation"`
	}
)

// RecommendationsOf returns the recommendations of a question, oldest
// first.
func (s *State) RecommendationsOf(question string) []*Recommendation {
	var out []*Recommendation
	for _, r := range s.Recommendations {
		if r.Question == question {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *Recommendation) int { return cmpIdea(a.ID, b.ID) })
	return out
}

// priorityQuestion returns the question of what a priority vote can go
// to, a conference theme or a recommendation, and false when neither of
// that id exists.
func (s *State) priorityQuestion(id string) (string, bool) {
	if t := s.Themes[id]; t != nil {
		return t.Question, true
	}
	if r := s.Recommendations[id]; r != nil {
		return r.Question, true
	}
	return "", false
}

func recommendationText(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", reject(CodeInvalid, "a recommendation needs some text")
	}
	if err := CheckText(text, MaxRecommendation, false); err != nil {
		return "", reject(CodeInvalid, "recommendation %v", err)
	}
	return text, nil
}

func (c *ctx) recommendation(id string) (*Recommendation, error) {
	r := c.s.Recommendations[id]
	if r == nil {
		return nil, reject(CodeNotFound, "no recommendation %q", id)
	}
	return r, nil
}

// recommendationOp dispatches the recommendation ops. Before the
// plenary, organizers alone are shown them; in it, everyone.
func (c *ctx) recommendationOp() (Event, error) {
	switch c.e.Op.Kind {
	case KindRecommendationAdd:
		var d RecommendationAdd
		if err := decode(c.e.Op.Data, &d); err != nil {
			return Event{}, err
		}
		if _, qi := c.s.Question(d.Question); qi < 0 {
			return Event{}, reject(CodeNotFound, "no question %q", d.Question)
		}
		text, err := recommendationText(d.Text)
		if err != nil {
			return Event{}, err
		}
		if len(c.s.Recommendations) >= MaxRecommendations {
			return Event{}, reject(CodeTooLarge, "a session holds at most %d recommendations", MaxRecommendations)
		}
		r := &Recommendation{ID: "rec" + strconv.FormatInt(c.s.Seq+1, 10), Question: d.Question, Text: text,
			By: c.actor.ID, At: c.e.At}
		if c.s.Recommendations == nil {
			c.s.Recommendations = map[string]*Recommendation{}
		}
		c.s.Recommendations[r.ID] = r
		return c.event("", EventData{Recommendations: []*Recommendation{r.copy()}}), nil
	case KindRecommendationEdit:
		var d RecommendationEdit
		if err := decode(c.e.Op.Data, &d); err != nil {
			return Event{}, err
		}
		r, err := c.recommendation(d.Recommendation)
		if err != nil {
			return Event{}, err
		}
		text, err := recommendationText(d.Text)
		if err != nil {
			return Event{}, err
		}
		r.Text, r.Edited, r.By = text, c.e.At, c.actor.ID
		return c.event("", EventData{Recommendations: []*Recommendation{r.copy()}}), nil
	}
	var d RecommendationRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	r, err := c.recommendation(d.Recommendation)
	if err != nil {
		return Event{}, err
	}
	delete(c.s.Recommendations, r.ID)
	c.s.dropPriority(r.ID)
	gone := r.copy()
	gone.Removed = true
	return c.event("", EventData{Recommendations: []*Recommendation{gone}}), nil
}

// dropPriority forgets every priority vote given to id, which is gone:
// its voters have them back.
func (s *State) dropPriority(id string) {
	delete(s.Priorities, id)
	for p, ids := range s.PriorityBy {
		if !slices.Contains(ids, id) {
			continue
		}
		s.PriorityBy[p] = slices.DeleteFunc(slices.Clone(ids), func(x string) bool { return x == id })
		if len(s.PriorityBy[p]) == 0 {
			delete(s.PriorityBy, p)
		}
	}
}

// applyRecommendations takes over into a replica the recommendations an
// event carries; a removed one takes its priority votes with it.
func (s *State) applyRecommendations(d EventData) {
	for _, r := range d.Recommendations {
		if r.Removed {
			delete(s.Recommendations, r.ID)
			s.dropPriority(r.ID)
			continue
		}
		if s.Recommendations == nil {
			s.Recommendations = map[string]*Recommendation{}
		}
		s.Recommendations[r.ID] = r.copy()
	}
}
