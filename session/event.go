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
	// Dismissed is a suggestion the organizer set aside.
	Dismissed *SuggestionDismiss `json:"dismissed,omitempty"`
}

// organizersOnly reports whether the event is the organizers' alone.
func (d EventData) organizersOnly() bool { return len(d.Themes) > 0 || d.Dismissed != nil }

// Header is the session-wide part of the state: title, vote budget and the
// agenda.
type Header struct {
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	VotesPerPerson int        `json:"votes_per_person"`
	Questions      []Question `json:"questions"`
	Cover          Cover      `json:"cover,omitzero"`
	Created        time.Time  `json:"created"`
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
// but that author.
func (e Event) For(v Viewer) (Event, bool) {
	if !v.Sees(e.Data.Group) || (e.Data.organizersOnly() && v.Role != Organizer) {
		return Event{}, false
	}
	out := e
	if e.byAnonymousAuthor() && e.By != v.ID {
		out.By = ""
	}
	if len(e.Data.Ideas) > 0 {
		out.Data.Ideas = make([]*Idea, len(e.Data.Ideas))
		for i, idea := range e.Data.Ideas {
			out.Data.Ideas[i] = idea.forViewer(v)
		}
	}
	if len(e.Data.Groups) > 0 {
		// session.create carries every group; a member sees only their own.
		out.Data.Groups = nil
		for _, g := range e.Data.Groups {
			if v.Sees(g.Name) {
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
	return out, true
}

// byAnonymousAuthor reports whether the event was sent by the author of
// an anonymous idea it carries, so that By would give the author away.
// It is worked out from the event's data, so it holds for events that
// went through JSON too.
func (e Event) byAnonymousAuthor() bool {
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
func (e Event) Audience(v Viewer) (string, bool) {
	if !v.Sees(e.Data.Group) || (e.Data.organizersOnly() && v.Role != Organizer) {
		return "", false
	}
	personal := e.byAnonymousAuthor() && e.By == v.ID
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
