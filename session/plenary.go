package session

import (
	"slices"
	"strings"
	"time"
)

// The day does not end in the rooms: the organizer moves the session from
// the rooms to the plenary, where every group's published summary and key
// ideas, the conference themes and the syntheses are shown to everyone,
// and then closes it, after which nothing changes any more.

// Op kinds of the plenary and of the organizer's session-wide controls.
const (
	KindPhaseSet       = "phase.set"
	KindPlenaryPresent = "plenary.present"
	KindPlenaryFloor   = "plenary.floor"
	KindPriorityVote   = "priority.vote"
	KindPriorityUnvote = "priority.unvote"
	KindClockStart     = "clock.start"
	KindClockStop      = "clock.stop"
)

// Phase is where the session stands: in the rooms, in the plenary, or
// closed.
type Phase string

// The phases, in the order a session goes through them.
const (
	PhaseRooms   Phase = "rooms"
	PhasePlenary Phase = "plenary"
	PhaseClosed  Phase = "closed"
)

// Valid reports whether p is one of the three phases.
func (p Phase) Valid() bool { return p == PhaseRooms || p == PhasePlenary || p == PhaseClosed }

// DefaultPriorityVotes is the priority votes per person and question when
// the plan sets none.
const DefaultPriorityVotes = 3

// MaxClockLabel bounds the label of the session clock.
const MaxClockLabel = 40

// Plenary is the session-wide state of the plenary: the phase, what the
// organizer presents, and which group has the floor.
type Plenary struct {
	// Phase is empty in a session that never left the rooms.
	Phase Phase `json:"phase,omitempty"`
	// Present is what the organizer shows on every screen; nil when
	// nothing is presented.
	Present *Present `json:"present,omitempty"`
	// Floor is the group whose rapporteur has the floor, highlighted on
	// every screen; empty when nobody has it.
	Floor string `json:"floor,omitempty"`
}

// Present is what the organizer presents: a group, a question, a theme,
// or a group's answer to a question. Seq is the seq of the op that
// presented it, so a screen that browsed away knows whether it has missed
// a new presentation.
type Present struct {
	Group    string `json:"group,omitempty"`
	Question string `json:"question,omitempty"`
	Theme    string `json:"theme,omitempty"`
	Seq      int64  `json:"seq"`
}

// Clock is the session-wide timer everyone sees: a plenary, a break.
// In an event, a Clock without a Deadline stops it.
type Clock struct {
	Label    string    `json:"label,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
}

// Priority is what a priority vote changed. Mine is the voter's own votes
// on the question (theme and recommendation ids), and goes to the voter
// alone; Tally is the votes per theme and recommendation of the question,
// for the organizers. No one else is shown it.
type Priority struct {
	Question string         `json:"question"`
	Mine     []string       `json:"mine,omitempty"`
	Tally    map[string]int `json:"tally,omitempty"`
}

// Data of the plenary ops.
type (
	PhaseSet struct {
		Phase Phase `json:"phase"`
	}
	// PlenaryPresent names what to present; all empty stops presenting.
	// A theme brings its question with it.
	PlenaryPresent struct {
		Group    string `json:"group,omitempty"`
		Question string `json:"question,omitempty"`
		Theme    string `json:"theme,omitempty"`
	}
	// PlenaryFloor gives a group's rapporteur the floor; an empty group
	// takes it back.
	PlenaryFloor struct {
		Group string `json:"group"`
	}
	// PriorityRef names what a priority vote goes to: a conference
	// theme or a recommendation of a question, exactly one of them.
	PriorityRef struct {
		Theme          string `json:"theme,omitempty"`
		Recommendation string `json:"recommendation,omitempty"`
	}
	ClockStart struct {
		Seconds int    `json:"seconds"`
		Label   string `json:"label,omitempty"`
	}
	// GroupRef names the group an op acts on: a member's own group
	// (empty or its name), or for the organizer one group, or every
	// group when empty.
	GroupRef struct {
		Group string `json:"group,omitempty"`
	}
)

// PhaseOf returns the phase the session is in.
func (s *State) PhaseOf() Phase {
	if s.Plenary.Phase == "" {
		return PhaseRooms
	}
	return s.Plenary.Phase
}

// public reports whether what the plenary shows is everyone's: in the
// plenary and once closed.
func (s *State) public() bool { return s.PhaseOf() != PhaseRooms }

// PriorityOf returns the themes and recommendations person gave a
// priority vote to on a question, in the order of their ids.
func (s *State) PriorityOf(person, question string) []string {
	var out []string
	for _, id := range s.PriorityBy[person] {
		if q, ok := s.priorityQuestion(id); ok && q == question {
			out = append(out, id)
		}
	}
	return out
}

// PriorityTally returns the priority votes per theme and recommendation
// of a question, as the organizer sees them (an empty map for anyone
// else).
func (s *State) PriorityTally(question string) map[string]int {
	out := map[string]int{}
	for id, n := range s.Priorities {
		if q, ok := s.priorityQuestion(id); ok && q == question {
			out[id] = n
		}
	}
	return out
}

func (p Plenary) clone() Plenary {
	if p.Present != nil {
		c := *p.Present
		p.Present = &c
	}
	return p
}

func (c *ctx) plenaryEvent() Event {
	p := c.s.Plenary.clone()
	return c.event("", EventData{Plenary: &p})
}

func (c *ctx) phaseSet() (Event, error) {
	var d PhaseSet
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if !d.Phase.Valid() {
		return Event{}, reject(CodeInvalid, "unknown phase %q; use rooms, plenary or closed", d.Phase)
	}
	was := c.s.public()
	if was && d.Phase == PhaseRooms {
		// What the plenary showed of other groups has reached every
		// screen; the rooms cannot be made private again.
		return Event{}, reject(CodeInvalid, "the plenary has started; the rooms do not reopen")
	}
	c.s.Plenary.Phase = d.Phase
	p := c.s.Plenary.clone()
	data := EventData{Plenary: &p}
	if !was && c.s.public() {
		// Opening the plenary shows everyone what it shows: every
		// group, its key ideas and published summary, the themes.
		c.s.plenaryContent(&data)
	}
	return c.event("", data), nil
}

// plenaryContent adds to data what the plenary shows of every group.
func (s *State) plenaryContent(d *EventData) {
	for _, g := range s.Groups {
		d.Groups = append(d.Groups, g.copy())
	}
	for _, i := range s.Ideas {
		if i.Key && i.Visible() {
			d.Ideas = append(d.Ideas, i.copy())
		}
	}
	sortIdeas(d.Ideas)
	for _, t := range s.Texts {
		if t.Kind == Summary && t.Published != nil {
			d.Texts = append(d.Texts, t.eventCopy())
		}
	}
	slices.SortFunc(d.Texts, func(a, b *Text) int {
		return strings.Compare(TextKey(a.Kind, a.Group, a.Question), TextKey(b.Kind, b.Group, b.Question))
	})
	for _, t := range s.Themes {
		d.Themes = append(d.Themes, t.copy())
	}
	slices.SortFunc(d.Themes, func(a, b *Theme) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range s.Recommendations {
		d.Recommendations = append(d.Recommendations, r.copy())
	}
	slices.SortFunc(d.Recommendations, func(a, b *Recommendation) int { return cmpIdea(a.ID, b.ID) })
}

func (c *ctx) inPlenary() error {
	if c.s.PhaseOf() != PhasePlenary {
		return reject(CodeClosed, "the plenary has not started; the organizer starts it")
	}
	return nil
}

func (c *ctx) plenaryPresent() (Event, error) {
	var d PlenaryPresent
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if err := c.inPlenary(); err != nil {
		return Event{}, err
	}
	if d.Group != "" && c.s.Group(d.Group) == nil {
		return Event{}, reject(CodeNotFound, "no group %q", d.Group)
	}
	if d.Theme != "" {
		t := c.s.Themes[d.Theme]
		if t == nil {
			return Event{}, reject(CodeNotFound, "no theme %q", d.Theme)
		}
		if d.Question != "" && d.Question != t.Question {
			return Event{}, reject(CodeInvalid, "theme %q belongs to question %q", d.Theme, t.Question)
		}
		d.Question = t.Question
	}
	if d.Question != "" {
		if _, qi := c.s.Question(d.Question); qi < 0 {
			return Event{}, reject(CodeNotFound, "no question %q", d.Question)
		}
	}
	c.s.Plenary.Present = nil
	if d != (PlenaryPresent{}) {
		c.s.Plenary.Present = &Present{Group: d.Group, Question: d.Question, Theme: d.Theme, Seq: c.s.Seq + 1}
	}
	return c.plenaryEvent(), nil
}

func (c *ctx) plenaryFloor() (Event, error) {
	var d PlenaryFloor
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if err := c.inPlenary(); err != nil {
		return Event{}, err
	}
	if d.Group != "" && c.s.Group(d.Group) == nil {
		return Event{}, reject(CodeNotFound, "no group %q", d.Group)
	}
	c.s.Plenary.Floor = d.Group
	return c.plenaryEvent(), nil
}

func (c *ctx) priorityVote(on bool) (Event, error) {
	var d PriorityRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if (d.Theme == "") == (d.Recommendation == "") {
		return Event{}, reject(CodeInvalid, `name what the priority vote goes to: either "theme" or "recommendation", not both`)
	}
	if err := c.inPlenary(); err != nil {
		return Event{}, err
	}
	id, what := d.Theme, "theme"
	var question string
	if d.Theme != "" {
		t := c.s.Themes[d.Theme]
		if t == nil {
			return Event{}, reject(CodeNotFound, "no theme %q", d.Theme)
		}
		question = t.Question
	} else {
		r := c.s.Recommendations[d.Recommendation]
		if r == nil {
			return Event{}, reject(CodeNotFound, "no recommendation %q", d.Recommendation)
		}
		id, what, question = r.ID, "recommendation", r.Question
	}
	who := c.actor.ID
	mine := c.s.PriorityBy[who]
	k, voted := slices.BinarySearchFunc(mine, id, cmpIdea)
	switch {
	case on && voted:
		return Event{}, reject(CodeInvalid, "you gave this %s a vote already", what)
	case !on && !voted:
		return Event{}, reject(CodeInvalid, "you have given this %s no vote", what)
	case on && len(c.s.PriorityOf(who, question)) >= c.s.PriorityVotes:
		return Event{}, reject(CodeClosed, "no priority votes left: you have used all %d for this question", c.s.PriorityVotes)
	}
	if c.s.PriorityBy == nil {
		c.s.PriorityBy = map[string][]string{}
	}
	if c.s.Priorities == nil {
		c.s.Priorities = map[string]int{}
	}
	if on {
		c.s.PriorityBy[who] = slices.Insert(slices.Clone(mine), k, id)
		c.s.Priorities[id]++
	} else {
		c.s.PriorityBy[who] = slices.Delete(slices.Clone(mine), k, k+1)
		if c.s.Priorities[id]--; c.s.Priorities[id] <= 0 {
			delete(c.s.Priorities, id)
		}
	}
	return c.event("", EventData{Priority: &Priority{Question: question,
		Mine: c.s.PriorityOf(who, question), Tally: c.s.PriorityTally(question)}}), nil
}

// cmpIdea orders ids of the form "<letter><seq>" numerically.
func cmpIdea(a, b string) int {
	switch {
	case a == b:
		return 0
	case ideaLess(a, b):
		return -1
	}
	return 1
}

func (c *ctx) clockStart() (Event, error) {
	var d ClockStart
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	d.Label = strings.TrimSpace(d.Label)
	if err := CheckText(d.Label, MaxClockLabel, false); err != nil {
		return Event{}, reject(CodeInvalid, "clock label %v", err)
	}
	if d.Seconds <= 0 || time.Duration(d.Seconds)*time.Second > MaxTimer {
		return Event{}, reject(CodeInvalid, "clock seconds must be 1 to %d", int(MaxTimer.Seconds()))
	}
	c.s.Clock = &Clock{Label: d.Label, Deadline: c.e.At.Add(time.Duration(d.Seconds) * time.Second)}
	cl := *c.s.Clock
	return c.event("", EventData{Clock: &cl}), nil
}

func (c *ctx) clockStop() (Event, error) {
	if err := decode(c.e.Op.Data, &struct{}{}); err != nil {
		return Event{}, err
	}
	if c.s.Clock == nil {
		return Event{}, reject(CodeInvalid, "no clock is running")
	}
	c.s.Clock = nil
	return c.event("", EventData{Clock: &Clock{}}), nil
}

// targetGroups returns the groups an op with a GroupRef acts on: a
// member's own group, or for the organizer the group named, or every
// group.
func (c *ctx) targetGroups(name string) ([]*Group, error) {
	if c.actor.Role == Organizer {
		if name == "" {
			return c.s.Groups, nil
		}
		g := c.s.Group(name)
		if g == nil {
			return nil, reject(CodeNotFound, "no group %q", name)
		}
		return []*Group{g}, nil
	}
	g, err := c.group(false)
	if err != nil {
		return nil, err
	}
	if name != "" && name != g.Name {
		return nil, reject(CodeForbidden, "group %q is not yours", name)
	}
	return []*Group{g}, nil
}

// groupsEvent is the event of an op on groups: one group's, or, when the
// organizer acted on all, a session-wide one carrying every group (each
// member is shown only their own).
func (c *ctx) groupsEvent(groups []*Group, all bool) Event {
	out := make([]*Group, len(groups))
	for k, g := range groups {
		out[k] = g.copy()
	}
	if all {
		return c.event("", EventData{Groups: out})
	}
	return c.event(groups[0].Name, EventData{Groups: out})
}

// Alert is something the organizer should look at now.
type Alert struct {
	Kind  string `json:"kind"`
	Group string `json:"group,omitempty"`
	// Since is when the condition began: the last idea of a silent
	// room, the end of an expired timer.
	Since time.Time `json:"since,omitzero"`
}

// Alert kinds.
const (
	AlertSilent       = "silent"        // no idea in a room for SilentAfter
	AlertTimerExpired = "timer_expired" // a room's timer or the clock ran out
	AlertNoRapporteur = "no_rapporteur" // no rapporteur of the room online
)

// SilentAfter is how long a room in session may go without an idea before
// the organizer is told.
const SilentAfter = 5 * time.Minute

// Alerts returns what the organizer should look at, at now, room by room
// in plan order, the session clock last. Rooms raise no alerts once the
// rooms phase is over.
func (s *State) Alerts(now time.Time) []Alert {
	var out []Alert
	if s.PhaseOf() == PhaseRooms {
		last := map[string]time.Time{}
		for _, i := range s.Ideas {
			if i.Created.After(last[i.Group]) {
				last[i.Group] = i.Created
			}
		}
		for _, g := range s.Groups {
			if g.Locked {
				continue
			}
			since := last[g.Name]
			if since.IsZero() {
				since = s.Created
			}
			if now.Sub(since) >= SilentAfter {
				out = append(out, Alert{Kind: AlertSilent, Group: g.Name, Since: since})
			}
			if !g.Deadline.IsZero() && !now.Before(g.Deadline) {
				out = append(out, Alert{Kind: AlertTimerExpired, Group: g.Name, Since: g.Deadline})
			}
			online := false
			for _, p := range s.Members(g.Name) {
				if p.Role == Rapporteur && p.Online {
					online = true
				}
			}
			if !online {
				out = append(out, Alert{Kind: AlertNoRapporteur, Group: g.Name})
			}
		}
	}
	if s.Clock != nil && !now.Before(s.Clock.Deadline) {
		out = append(out, Alert{Kind: AlertTimerExpired, Since: s.Clock.Deadline})
	}
	return out
}

// applyPlenary takes over into a replica what an event carries of the
// plenary, the clock, the survey and the priority votes.
func (s *State) applyPlenary(e Event) {
	d := e.Data
	for _, id := range d.Drop {
		delete(s.Ideas, id)
	}
	for _, t := range d.Themes {
		if t.Dismissed {
			s.dropPriority(t.ID)
		}
	}
	if d.Plenary != nil {
		s.Plenary = d.Plenary.clone()
	}
	if d.Clock != nil {
		s.Clock = nil
		if !d.Clock.Deadline.IsZero() {
			c := *d.Clock
			s.Clock = &c
		}
	}
	for _, it := range d.Survey {
		if old := s.SurveyItemOf(it.ID); old != nil {
			*old = *it.copy()
		} else {
			s.Survey = append(s.Survey, it.copy())
		}
	}
	if len(d.Answers) > 0 && e.By != "" {
		if s.Answers == nil {
			s.Answers = map[string]map[string]Answer{}
		}
		if s.Answers[e.By] == nil {
			s.Answers[e.By] = map[string]Answer{}
		}
		for _, a := range d.Answers {
			s.Answers[e.By][a.Item] = a.clone()
		}
	}
	if p := d.Priority; p != nil {
		if e.By == "" { // the organizers' tally
			if s.Priorities == nil {
				s.Priorities = map[string]int{}
			}
			for id := range s.Priorities {
				if q, ok := s.priorityQuestion(id); !ok || q == p.Question {
					delete(s.Priorities, id)
				}
			}
			for id, n := range p.Tally {
				s.Priorities[id] = n
			}
		}
		if e.By != "" { // the voter's own votes
			if s.PriorityBy == nil {
				s.PriorityBy = map[string][]string{}
			}
			var keep []string
			for _, id := range s.PriorityBy[e.By] {
				if q, ok := s.priorityQuestion(id); !ok || q != p.Question {
					keep = append(keep, id)
				}
			}
			keep = append(keep, p.Mine...)
			slices.SortFunc(keep, cmpIdea)
			s.PriorityBy[e.By] = keep
			if len(keep) == 0 {
				delete(s.PriorityBy, e.By)
			}
		}
	}
}
