package session

import (
	"encoding/json"
	"fmt"
	"slices"
)

// View returns the state as viewer v may see it: their own group (every
// group for the organizer), the people they may see, no join codes, no
// token hashes, no op outcomes, and no author of another person's
// anonymous idea. The view shares nothing with s.
func (s *State) View(v Viewer) *State {
	out := &State{
		ID: s.ID, Title: s.Title, VotesPerPerson: s.VotesPerPerson, Seq: s.Seq, Created: s.Created, Cover: s.Cover.clone(),
		PriorityVotes: s.PriorityVotes, Plenary: s.Plenary.clone(),
		Questions: slices.Clone(s.Questions),
		People:    map[string]*Person{},
		Ideas:     map[string]*Idea{},
		Texts:     map[string]*Text{},
	}
	// In the plenary and after it, everyone is shown every group, its
	// key ideas, its published summary and the conference themes.
	public := s.public()
	for _, g := range s.Groups {
		if v.Sees(g.Name) || public {
			out.Groups = append(out.Groups, g.copy())
		}
	}
	for id, p := range s.People {
		if v.Sees(p.Group) {
			out.People[id] = p.forViewer()
		}
	}
	for id, i := range s.Ideas {
		if v.Sees(i.Group) || public && i.Key && i.Visible() {
			c := i.forViewer(v)
			c.Voters = slices.Clone(i.Voters)
			out.Ideas[id] = c
		}
	}
	for k, t := range s.Texts {
		if v.Sees(t.Group) {
			out.Texts[k] = t.copy()
		} else if public && t.publicSummary() {
			out.Texts[k] = t.published()
		}
	}
	// Empty lists go out as [], not null: a client may index them
	// without a check (one crashed on "broadcasts": null).
	out.Broadcasts = []Broadcast{}
	for _, b := range s.Broadcasts {
		if v.Sees(b.Group) {
			out.Broadcasts = append(out.Broadcasts, b)
		}
	}
	if s.Clock != nil {
		c := *s.Clock
		out.Clock = &c
	}
	for _, it := range s.Survey {
		out.Survey = append(out.Survey, it.forViewer(v))
	}
	// Of the answers and priority votes, a viewer holds only their own.
	if mine := s.Answers[v.ID]; len(mine) > 0 {
		out.Answers = map[string]map[string]Answer{v.ID: {}}
		for k, a := range mine {
			out.Answers[v.ID][k] = a.clone()
		}
	}
	var mine []string
	for _, id := range s.PriorityBy[v.ID] {
		if _, ok := s.priorityQuestion(id); ok {
			mine = append(mine, id)
		}
	}
	if len(mine) > 0 {
		out.PriorityBy = map[string][]string{v.ID: mine}
	}
	if public || v.Role == Organizer {
		for id, r := range s.Recommendations {
			if out.Recommendations == nil {
				out.Recommendations = map[string]*Recommendation{}
			}
			out.Recommendations[id] = r.copy()
		}
	}
	if public {
		for id, t := range s.Themes {
			if out.Themes == nil {
				out.Themes = map[string]*Theme{}
			}
			out.Themes[id] = t.copy()
		}
	}
	if out.Groups == nil {
		out.Groups = []*Group{}
	}
	if out.Questions == nil {
		out.Questions = []Question{}
	}
	if v.Role == Organizer {
		for id, n := range s.Priorities {
			if _, ok := s.priorityQuestion(id); !ok {
				continue
			}
			if out.Priorities == nil {
				out.Priorities = map[string]int{}
			}
			out.Priorities[id] = n
		}
		for id, t := range s.Themes {
			if out.Themes == nil {
				out.Themes = map[string]*Theme{}
			}
			out.Themes[id] = t.copy()
		}
		for q, names := range s.Dismissed {
			if out.Dismissed == nil {
				out.Dismissed = map[string][]string{}
			}
			out.Dismissed[q] = slices.Clone(names)
		}
	}
	return out
}

// ApplyEvent brings a replica (a view) up to date with an event that its
// viewer was shown, by taking over the entities the event carries.
func (s *State) ApplyEvent(e Event) {
	if s.People == nil {
		s.People = map[string]*Person{}
	}
	if s.Ideas == nil {
		s.Ideas = map[string]*Idea{}
	}
	if s.Texts == nil {
		s.Texts = map[string]*Text{}
	}
	d := e.Data
	if h := d.Session; h != nil {
		s.ID, s.Title, s.VotesPerPerson, s.Created, s.Cover = h.ID, h.Title, h.VotesPerPerson, h.Created, h.Cover.clone()
		s.PriorityVotes = h.PriorityVotes
		s.Questions = slices.Clone(h.Questions)
	}
	if s.holdsGroups(d.Groups) {
		// The event carries every group the replica holds and more, in
		// the plan's order (the plenary shows them all): take it over.
		s.Groups = nil
	}
	for _, g := range d.Groups {
		if old := s.Group(g.Name); old != nil {
			*old = *g
		} else {
			s.Groups = append(s.Groups, g.copy())
		}
	}
	for _, p := range d.People {
		s.People[p.ID] = p.copy()
	}
	for _, i := range d.Ideas {
		s.Ideas[i.ID] = i.copy()
	}
	for _, t := range d.Texts {
		key := TextKey(t.Kind, t.Group, t.Question)
		c := t.copy()
		// An event carries only the version it made: add it to those
		// the replica keeps.
		var vs []TextVersion
		if old := s.Texts[key]; old != nil {
			vs = slices.Clone(old.Versions)
		}
		for _, v := range t.Versions {
			if v.Version == t.Version {
				v.Body = t.Body // left out of events: it is the text's
			}
			if len(vs) == 0 || v.Version > vs[len(vs)-1].Version {
				vs = append(vs, v)
			}
		}
		c.Versions = vs
		c.trimVersions()
		s.Texts[key] = c
	}
	if d.Broadcast != nil {
		s.Broadcasts = append(s.Broadcasts, *d.Broadcast)
	}
	s.applyPlenary(e)
	for _, t := range d.Themes {
		if t.Dismissed {
			delete(s.Themes, t.ID)
			continue
		}
		if s.Themes == nil {
			s.Themes = map[string]*Theme{}
		}
		s.Themes[t.ID] = t.copy()
	}
	s.applyRecommendations(d)
	if x := d.Dismissed; x != nil && !s.SuggestionDismissed(x.Question, x.Name) {
		if s.Dismissed == nil {
			s.Dismissed = map[string][]string{}
		}
		s.Dismissed[x.Question] = append(s.Dismissed[x.Question], x.Name)
	}
	if e.Seq > s.Seq {
		s.Seq = e.Seq
	}
}

// SnapshotVersion is the format version of encoded snapshots.
const SnapshotVersion = 1

type snapshot struct {
	Version int    `json:"version"`
	State   *State `json:"state"`
}

// MarshalSnapshot encodes the state with its format version.
func (s *State) MarshalSnapshot() ([]byte, error) {
	return json.Marshal(snapshot{Version: SnapshotVersion, State: s})
}

// UnmarshalSnapshot decodes a state encoded by MarshalSnapshot.
func UnmarshalSnapshot(data []byte) (*State, error) {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if snap.Version != SnapshotVersion {
		return nil, fmt.Errorf("decode snapshot: format version %d; this breakout reads version %d", snap.Version, SnapshotVersion)
	}
	if snap.State == nil {
		return nil, fmt.Errorf("decode snapshot: no state")
	}
	s := snap.State
	if s.People == nil {
		s.People = map[string]*Person{}
	}
	if s.Ideas == nil {
		s.Ideas = map[string]*Idea{}
	}
	if s.Texts == nil {
		s.Texts = map[string]*Text{}
	}
	if s.Codes == nil {
		s.Codes = map[string]Grant{}
	}
	if s.Done == nil {
		s.Done = map[string]Outcome{}
	}
	return s, nil
}

// holdsGroups reports whether groups hold every group of s and more.
func (s *State) holdsGroups(groups []*Group) bool {
	if len(groups) <= len(s.Groups) {
		return false
	}
	for _, g := range s.Groups {
		if !slices.ContainsFunc(groups, func(x *Group) bool { return x.Name == g.Name }) {
			return false
		}
	}
	return true
}
