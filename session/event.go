package session

import "time"

// Event is what an applied op did, as the relay sends it to viewers. Its
// data carries the new state of every entity the op touched, so a client
// keeps its replica current by upserting them (ApplyEvent).
type Event struct {
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"`
	Kind string    `json:"kind"`
	Data EventData `json:"data"`
}

// EventData is the payload of an event.
type EventData struct {
	// Group is the group the event concerns; empty for session-wide
	// events, which every viewer is shown.
	Group string `json:"group,omitempty"`
	// Idea is the id of the idea an idea.add created.
	Idea      string     `json:"idea,omitempty"`
	Session   *Header    `json:"session,omitempty"`
	Groups    []*Group   `json:"groups,omitempty"`
	People    []*Person  `json:"people,omitempty"`
	Ideas     []*Idea    `json:"ideas,omitempty"`
	Texts     []*Text    `json:"texts,omitempty"`
	Broadcast *Broadcast `json:"broadcast,omitempty"`
	// Themes are conference themes a theme op changed; one marked
	// Dismissed is gone. Only organizers are shown them.
	Themes []*Theme `json:"themes,omitempty"`
	// Recommendations are recommendations of a question an op added or
	// changed; one marked Removed is gone. Only organizers are shown them
	// before the plenary.
	Recommendations []*Recommendation `json:"recommendations,omitempty"`
	// Dismissed is a suggestion the organizer set aside.
	Dismissed *SuggestionDismiss `json:"dismissed,omitempty"`
	// Public is set on the events of the plenary and after it: every
	// viewer is shown what the plenary shows of other groups (key ideas,
	// published summaries, the groups, the themes).
	Public  bool     `json:"public,omitempty"`
	Plenary *Plenary `json:"plenary,omitempty"`
	Clock   *Clock   `json:"clock,omitempty"`
	// Priority goes to the voter (their votes) and the organizers (the
	// tally) only.
	Priority *Priority `json:"priority,omitempty"`
	// Survey are survey items an op changed, with their results as the
	// viewer may see them.
	Survey []*SurveyItem `json:"survey,omitempty"`
	// Answers are the author's own answers, shown to the author alone.
	Answers []Answer `json:"answers,omitempty"`
	// Drop lists ideas of another group that the plenary no longer shows
	// (no longer key, hidden, retracted or merged): a replica lets go of
	// them.
	Drop []string `json:"drop,omitempty"`
}

// organizersOnly reports whether the event is the organizers' alone.
// Themes and recommendations are everyone's once the plenary has
// started.
func (d *EventData) organizersOnly() bool {
	return ((len(d.Themes) > 0 || len(d.Recommendations) > 0) && !d.Public) || d.Dismissed != nil
}

// private reports whether the event carries one person's survey answer
// or priority vote: its sender is shown to no one but that person.
func (d *EventData) private() bool { return len(d.Answers) > 0 || d.Priority != nil }

// Header is the session-wide part of the state: title, vote budget and the
// agenda.
type Header struct {
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	VotesPerPerson int        `json:"votes_per_person"`
	Questions      []Question `json:"questions"`
	Cover          Cover      `json:"cover,omitzero"`
	Created        time.Time  `json:"created"`
	PriorityVotes  int        `json:"priority_votes,omitempty"`
}

// Viewer is who looks at the state: the view and the events they are
// shown depend on it.
type Viewer struct {
	ID    string
	Role  Role
	Group string
}

// ViewerOf returns the viewer for a person.
func ViewerOf(p *Person) Viewer { return Viewer{ID: p.ID, Role: p.Role, Group: p.Group} }

// Sees reports whether the viewer is shown things of group g ("" is
// session-wide).
func (v Viewer) Sees(g string) bool {
	return g == "" || v.Role == Organizer || v.Group == g
}

// For returns the event as viewer v may see it, and false when v is not
// shown it at all. The author of an anonymous idea is left out for anyone
// but that author; so is the sender of a survey answer or a priority
// vote, whose answer or votes go to the sender alone. In the plenary, a
// viewer is shown of other groups only what the plenary shows: their
// key ideas and published summaries.
func (e *Event) For(v Viewer) (Event, bool) {
	if !e.shownTo(v) {
		return Event{}, false
	}
	out := *e
	if e.byAnonymousAuthor() && e.By != v.ID {
		out.By = ""
	}
	if e.Data.private() && (e.By == "" || e.By != v.ID) {
		out.By = ""
		out.Data.Answers = nil
		out.Data.Priority = nil
		if p := e.Data.Priority; p != nil && v.Role == Organizer {
			c := *p
			c.Mine = nil
			out.Data.Priority = &c
		}
	} else if p := e.Data.Priority; p != nil {
		c := *p
		c.Tally = nil // the tally is the organizers'
		out.Data.Priority = &c
	} else if len(e.Data.Answers) > 0 {
		out.Data.Answers = make([]Answer, len(e.Data.Answers))
		for k, a := range e.Data.Answers {
			out.Data.Answers[k] = a.clone()
		}
	}
	if len(e.Data.Ideas) > 0 {
		out.Data.Ideas = nil
		for _, idea := range e.Data.Ideas {
			switch show, drop := e.showsIdea(v, idea); {
			case show:
				out.Data.Ideas = append(out.Data.Ideas, idea.forViewer(v))
			case drop:
				out.Data.Drop = append(out.Data.Drop, idea.ID)
			}
		}
	}
	if len(e.Data.Texts) > 0 {
		out.Data.Texts = nil
		for _, t := range e.Data.Texts {
			if v.Sees(t.Group) {
				out.Data.Texts = append(out.Data.Texts, t)
			} else if e.Data.Public && t.publicSummary() {
				out.Data.Texts = append(out.Data.Texts, t.published())
			}
		}
	}
	if len(e.Data.Groups) > 0 {
		// session.create carries every group; a member sees only their
		// own, until the plenary shows them all.
		out.Data.Groups = nil
		for _, g := range e.Data.Groups {
			if v.Sees(g.Name) || e.Data.Public {
				out.Data.Groups = append(out.Data.Groups, g)
			}
		}
	}
	if len(e.Data.People) > 0 {
		out.Data.People = nil
		for _, p := range e.Data.People {
			if v.Sees(p.Group) {
				out.Data.People = append(out.Data.People, p.forViewer())
			}
		}
	}
	if len(e.Data.Survey) > 0 {
		out.Data.Survey = make([]*SurveyItem, len(e.Data.Survey))
		for k, it := range e.Data.Survey {
			out.Data.Survey[k] = it.forViewer(v)
		}
	}
	return out, true
}

// shownTo reports whether v is shown the event at all: the organizers
// every event but another person's priority vote only as a tally;
// members their group's and the session's, and in the plenary what it
// shows of other groups.
func (e *Event) shownTo(v Viewer) bool {
	d := &e.Data
	if d.organizersOnly() && v.Role != Organizer {
		return false
	}
	if d.Priority != nil && v.Role != Organizer && e.By != v.ID {
		return false
	}
	if v.Sees(d.Group) {
		return true
	}
	if !d.Public {
		return false
	}
	// Another group's event in the plenary: shown when it changes what
	// the plenary shows.
	if len(d.Groups) > 0 {
		return true
	}
	for _, i := range d.Ideas {
		if show, drop := e.showsIdea(v, i); show || drop {
			return true
		}
	}
	for _, t := range d.Texts {
		if t.publicSummary() {
			return true
		}
	}
	return false
}

// showsIdea reports whether the event shows v the idea: one of v's
// groups, or in the plenary a key idea of another; and, when it does
// not, whether v must drop the idea because an op took it out of the
// plenary.
func (e *Event) showsIdea(v Viewer, i *Idea) (show, drop bool) {
	if v.Sees(i.Group) {
		return true, false
	}
	if !e.Data.Public {
		return false, false
	}
	if i.Key && i.Visible() {
		return true, false
	}
	switch e.Kind {
	case KindIdeaKey, KindIdeaHide, KindIdeaRetract, KindIdeaMerge:
		return false, true
	}
	return false, false
}

// publicSummary reports whether the text is what the plenary shows of a
// group: its published summary.
func (t *Text) publicSummary() bool { return t.Kind == Summary && t.Published != nil }

// published is the text as the plenary shows it to other groups: the
// published version only, no draft and no history.
func (t *Text) published() *Text {
	p := *t.Published
	return &Text{Kind: t.Kind, Group: t.Group, Question: t.Question, Body: p.Body,
		Version: p.Version, At: p.At, By: p.By, Published: &p}
}

// byAnonymousAuthor reports whether the event was sent by the author of
// an anonymous idea it carries, so that By would give the author away.
// It is worked out from the event's data, so it holds for events that
// went through JSON too.
func (e *Event) byAnonymousAuthor() bool {
	if e.By == "" {
		return false
	}
	for _, i := range e.Data.Ideas {
		if i.Anonymous && i.Author == e.By {
			return true
		}
	}
	return false
}

// Audience is the key under which an event's encoding for a viewer can be
// shared with other viewers: viewers of one audience are shown the same
// bytes.
func (e *Event) Audience(v Viewer) (string, bool) {
	if !e.shownTo(v) {
		return "", false
	}
	personal := e.byAnonymousAuthor() && e.By == v.ID || e.Data.private() && e.By == v.ID
	for _, i := range e.Data.Ideas {
		if i.Author == v.ID {
			personal = true
		}
	}
	if personal {
		return "p:" + v.ID, true
	}
	if v.Role == Organizer {
		return "o", true
	}
	if !v.Sees(e.Data.Group) {
		return "x", true // another group's event in the plenary
	}
	return "g:" + v.Group, true
}

func (i *Idea) forViewer(v Viewer) *Idea {
	c := *i
	c.Mine = i.Author != "" && i.Author == v.ID
	if i.Anonymous && !c.Mine {
		c.Author = ""
	}
	return &c
}

func (p *Person) forViewer() *Person {
	c := *p
	c.TokenHash = ""
	return &c
}
