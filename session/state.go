package session

import (
	"slices"
	"sort"
	"time"
)

// State is the whole shared state of one session. The relay holds the full
// state; a client holds View(viewer) of it and keeps it current with
// ApplyEvent.
type State struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	VotesPerPerson int    `json:"votes_per_person"`
	// MaxPerCode caps the people one shared join code makes (the plan's
	// max_per_code); 0, in sessions made before it, caps nothing.
	MaxPerCode int        `json:"max_per_code,omitempty"`
	Questions  []Question `json:"questions"`
	Cover      Cover      `json:"cover,omitzero"`
	Groups     []*Group   `json:"groups"`
	// Seq counts the ops applied so far; the last applied op has this seq.
	Seq        int64              `json:"seq"`
	Created    time.Time          `json:"created"`
	People     map[string]*Person `json:"people"`
	Ideas      map[string]*Idea   `json:"ideas"`
	Texts      map[string]*Text   `json:"texts"`
	Broadcasts []Broadcast        `json:"broadcasts"`
	// Themes are the conference themes by id; organizers only.
	Themes map[string]*Theme `json:"themes,omitempty"`
	// Recommendations are the organizer's recommendations of each
	// question, by id; organizers only until the plenary.
	Recommendations map[string]*Recommendation `json:"recommendations,omitempty"`
	// Dismissed holds, per question, the folded names of suggested themes
	// the organizer set aside; organizers only.
	Dismissed map[string][]string `json:"dismissed,omitempty"`

	// Plenary is the phase, what the organizer presents and who has the
	// floor; Clock the session-wide timer, nil when none runs.
	Plenary Plenary `json:"plenary,omitzero"`
	Clock   *Clock  `json:"clock,omitempty"`
	// PriorityVotes is each person's budget of priority votes per
	// question in the plenary.
	PriorityVotes int `json:"priority_votes,omitempty"`
	// Priorities counts the priority votes per theme and recommendation;
	// organizers only.
	Priorities map[string]int `json:"priorities,omitempty"`
	// PriorityBy holds, per person, the themes and recommendations they
	// gave a priority vote to, sorted. The relay holds everyone's; a view only the viewer's.
	PriorityBy map[string][]string `json:"priority_by,omitempty"`
	// Survey is the plan's questionnaire with its results.
	Survey []*SurveyItem `json:"survey,omitempty"`
	// Answers holds, per person and survey item, the answer given. The
	// relay holds everyone's; a view only the viewer's, so no answer
	// reaches anyone but its author.
	Answers map[string]map[string]Answer `json:"answers,omitempty"`

	// Codes maps the hash of each join code to what it grants. Only the
	// relay holds it; views leave it out.
	Codes map[string]Grant `json:"codes,omitempty"`
	// Done remembers the outcome of every op by "person/op id", so a
	// retried op is applied once and answered as the first time.
	Done map[string]Outcome `json:"done,omitempty"`

	// votes counts the votes used per person and question, so checking
	// the budget does not walk every idea; nil until first needed.
	votes map[voteKey]int
}

// voteKey is a person and a question in the vote index.
type voteKey struct{ person, question string }

// Cover is what the conference report's cover says beside the title, as
// the plan gives it.
type Cover struct {
	Subtitle   string   `json:"subtitle,omitempty"`
	Dates      string   `json:"dates,omitempty"`
	Venue      string   `json:"venue,omitempty"`
	Organisers []string `json:"organisers,omitempty"`
	Sponsors   []string `json:"sponsors,omitempty"`
}

func (c Cover) clone() Cover {
	c.Organisers, c.Sponsors = slices.Clone(c.Organisers), slices.Clone(c.Sponsors)
	return c
}

// Question is an agenda question, the same for every group.
type Question struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Minutes int    `json:"minutes,omitempty"`
}

// Group is one breakout group (room).
type Group struct {
	Name string `json:"name"`
	// Current is the id of the question the group discusses now.
	Current string `json:"current"`
	Locked  bool   `json:"locked,omitempty"`
	// Deadline is when the running timer ends; zero when none runs.
	Deadline time.Time `json:"deadline,omitzero"`
	// Paused is the time left on a paused timer, in seconds; zero when
	// no timer is paused. A paused timer has no Deadline.
	Paused int `json:"paused,omitempty"`
	// Left is, per question the group has moved away from, the seconds
	// its timer had left then (0: none). Posing such a question again
	// runs its timer on from there instead of its whole timebox.
	Left map[string]int `json:"left,omitempty"`
	// Published is when the rapporteur last published the group report,
	// and PublishedSeq the seq of that op; zero when never.
	Published    time.Time `json:"published,omitzero"`
	PublishedSeq int64     `json:"published_seq,omitempty"`
}

// Person is someone who joined the session or is on its roster.
type Person struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Background   string `json:"background,omitempty"`
	Organization string `json:"organization,omitempty"`
	Role         Role   `json:"role"`
	Group        string `json:"group,omitempty"` // empty for organizers
	Online       bool   `json:"online,omitempty"`
	// Joined is false for roster people who have not yet joined;
	// JoinedAt is when they joined.
	Joined   bool      `json:"joined,omitempty"`
	JoinedAt time.Time `json:"joined_at,omitzero"`
	// TokenHash is the hash of the person's resume secret; relay only.
	TokenHash string `json:"token_hash,omitempty"`
	// Removed is set by person.remove: the person may no longer send
	// ops or resume, and their code does not let them in again; their
	// ideas stay.
	Removed bool `json:"removed,omitempty"`
}

// Idea is one contribution to a question in a group.
type Idea struct {
	ID        string    `json:"id"`
	Group     string    `json:"group"`
	Question  string    `json:"question"`
	Author    string    `json:"author,omitempty"` // empty when hidden from the viewer
	Anonymous bool      `json:"anonymous,omitempty"`
	Text      string    `json:"text"`
	Created   time.Time `json:"created"`
	Edited    time.Time `json:"edited,omitzero"`
	Retracted bool      `json:"retracted,omitempty"`
	Hidden    bool      `json:"hidden,omitempty"`
	Pinned    bool      `json:"pinned,omitempty"`
	Key       bool      `json:"key,omitempty"`
	Theme     string    `json:"theme,omitempty"`
	// Voters are the ids of the people who voted for the idea, sorted.
	Voters     []string `json:"voters,omitempty"`
	BuildsOn   string   `json:"builds_on,omitempty"`
	MergedInto string   `json:"merged_into,omitempty"`
	// Mine is set in a view for the viewer's own ideas, anonymous ones too.
	Mine bool `json:"mine,omitempty"`
}

// Votes is the number of votes the idea holds.
func (i *Idea) Votes() int { return len(i.Voters) }

// Visible reports whether the idea belongs in lists: not retracted, hidden
// or merged into another.
func (i *Idea) Visible() bool { return !i.Retracted && !i.Hidden && i.MergedInto == "" }

// VotedBy reports whether person voted for the idea.
func (i *Idea) VotedBy(person string) bool {
	k := sort.SearchStrings(i.Voters, person)
	return k < len(i.Voters) && i.Voters[k] == person
}

// Text kinds.
const (
	Minutes   = "minutes"
	Summary   = "summary"
	Synthesis = "synthesis"
	// Executive and Recommendations are the organizer's texts of the
	// whole conference: no group, no question.
	Executive       = "executive"
	Recommendations = "recommendations"
)

// Text is a piece of long text: a group's minutes or summary for a
// question, or the organizer's synthesis for a question (no group).
type Text struct {
	Kind     string    `json:"kind"`
	Group    string    `json:"group,omitempty"`
	Question string    `json:"question"`
	Body     string    `json:"body"`
	Version  int       `json:"version"`
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty"`
	// Versions are the text's latest versions, oldest first, the current
	// one last; at most MaxVersions of them, and older ones are dropped
	// while their bodies hold more than MaxVersionBytes. An edit made on
	// a version still kept is merged. In an event, Versions holds only
	// the version the event made, without its body (it is Body).
	Versions []TextVersion `json:"versions,omitempty"`
	// Published is the version the group report was last published with;
	// nil when never.
	Published *TextVersion `json:"published,omitempty"`
}

// TextVersion is one saved version of a text: who made it, when, and
// how.
type TextVersion struct {
	Version int       `json:"version"`
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	By      string    `json:"by,omitempty"`
	Body    string    `json:"body"`
	// Merged is set when the edit was made on an older version, Base,
	// and merged onto the versions saved since.
	Merged bool `json:"merged,omitempty"`
	Base   int  `json:"base,omitempty"`
	// Conflicts counts the places where the edit overlapped another and
	// both were kept, marked.
	Conflicts int `json:"conflicts,omitempty"`
	// Restored is the version this one brought back, if it did.
	Restored int `json:"restored,omitempty"`
}

// Bounds of the versions a text keeps.
const (
	MaxVersions     = 64
	MaxVersionBytes = 256 << 10
)

// BodyAt returns the text's body at version v, if that version is kept.
func (t *Text) BodyAt(v int) (string, bool) {
	if t == nil || v == 0 {
		return "", v == 0
	}
	if v == t.Version {
		return t.Body, true
	}
	for _, x := range t.Versions {
		if x.Version == v {
			return x.Body, true
		}
	}
	return "", false
}

// VersionAt returns the kept version v, or nil.
func (t *Text) VersionAt(v int) *TextVersion {
	if t == nil {
		return nil
	}
	for k := range t.Versions {
		if t.Versions[k].Version == v {
			return &t.Versions[k]
		}
	}
	return nil
}

// addVersion appends a version and drops the oldest beyond the bounds;
// the newest is always kept.
func (t *Text) addVersion(v TextVersion) {
	t.Versions = append(t.Versions, v)
	t.trimVersions()
}

func (t *Text) trimVersions() {
	n, size := 0, 0
	for k := len(t.Versions) - 1; k >= 0; k-- {
		size += len(t.Versions[k].Body)
		if n > 0 && (n >= MaxVersions || size > MaxVersionBytes) {
			break
		}
		n++
	}
	if drop := len(t.Versions) - n; drop > 0 {
		t.Versions = slices.Clone(t.Versions[drop:])
	}
}

// TextKey is the key of a text in State.Texts.
func TextKey(kind, group, question string) string {
	return kind + "/" + group + "/" + question
}

// Broadcast is a message from the organizer to every group, or to one.
type Broadcast struct {
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"`
	Text string    `json:"text"`
	// Group is the one group it went to; empty when it went to all.
	Group string `json:"group,omitempty"`
}

// Grant is what a join code gives: a role in a group, or one roster
// person's place.
type Grant struct {
	Role   Role   `json:"role"`
	Group  string `json:"group,omitempty"`
	Person string `json:"person,omitempty"`
}

// Outcome is how an op ended: applied with a seq, or rejected.
type Outcome struct {
	Seq     int64  `json:"seq,omitempty"`
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Group returns the group of that name, or nil.
func (s *State) Group(name string) *Group {
	for _, g := range s.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Question returns the question with that id and its index, or -1.
func (s *State) Question(id string) (Question, int) {
	for i, q := range s.Questions {
		if q.ID == id {
			return q, i
		}
	}
	return Question{}, -1
}

// Text returns the text of that kind, group and question, or nil.
func (s *State) Text(kind, group, question string) *Text {
	return s.Texts[TextKey(kind, group, question)]
}

// IdeasOf returns the ideas of a group and question in creation order,
// including retracted, hidden and merged ones.
func (s *State) IdeasOf(group, question string) []*Idea {
	var out []*Idea
	for _, i := range s.Ideas {
		if i.Group == group && (question == "" || i.Question == question) {
			out = append(out, i)
		}
	}
	sortIdeas(out)
	return out
}

// Members returns the people of a group, by name; not those removed
// (person.remove), who no longer count in reports, though their ideas do.
func (s *State) Members(group string) []*Person {
	var out []*Person
	for _, p := range s.People {
		if p.Group == group && p.Role != Organizer && !p.Removed {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Name != out[b].Name {
			return out[a].Name < out[b].Name
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// VotesUsed counts the votes person has given on a question.
func (s *State) VotesUsed(person, question string) int {
	n := 0
	for _, i := range s.Ideas {
		if i.Question == question && i.MergedInto == "" && i.VotedBy(person) {
			n++
		}
	}
	return n
}

// votesUsed is VotesUsed through the index, which it builds when missing.
func (s *State) votesUsed(person, question string) int {
	if s.votes == nil {
		s.votes = map[voteKey]int{}
		for _, i := range s.Ideas {
			if i.MergedInto == "" {
				for _, v := range i.Voters {
					s.votes[voteKey{v, i.Question}]++
				}
			}
		}
	}
	return s.votes[voteKey{person, question}]
}

// countVote adds n to person's votes on question in the index, if built.
func (s *State) countVote(person, question string, n int) {
	if s.votes != nil {
		s.votes[voteKey{person, question}] += n
	}
}

// sortIdeas orders ideas by creation (their ids carry the seq).
func sortIdeas(ideas []*Idea) {
	sort.Slice(ideas, func(a, b int) bool { return ideaLess(ideas[a].ID, ideas[b].ID) })
}

// ideaLess orders idea ids "i<seq>" numerically.
func ideaLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
