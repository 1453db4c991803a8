package session

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrDuplicate is returned by Apply for an op id it has applied before;
// Outcome gives that first outcome.
var ErrDuplicate = errors.New("op already applied")

// New returns the empty state of a session not yet created. Apply its
// session.create entry first.
func New() *State {
	return &State{
		People: map[string]*Person{},
		Ideas:  map[string]*Idea{},
		Texts:  map[string]*Text{},
		Codes:  map[string]Grant{},
		Done:   map[string]Outcome{},
	}
}

// Outcome returns the outcome of the op id that person by sent, if it was
// applied or rejected before.
func (s *State) Outcome(by, id string) (Outcome, bool) {
	o, ok := s.Done[doneKey(by, id)]
	return o, ok
}

func doneKey(by, id string) string { return by + "/" + id }

// Apply applies one log entry and returns the event it produced, or a
// *Rejection saying why it was refused, or ErrDuplicate. Apply is
// deterministic: the result depends only on the state and the entry.
// A rejected op leaves the state as it was, except that its outcome is
// remembered.
func (s *State) Apply(e Entry) ([]Event, error) {
	if err := checkOpID(e.Op.ID); err != nil {
		return nil, err
	}
	key := doneKey(e.By, e.Op.ID)
	if _, ok := s.Done[key]; ok {
		return nil, ErrDuplicate
	}
	ev, err := s.apply(e)
	if err != nil {
		var r *Rejection
		if !errors.As(err, &r) {
			r = reject(CodeInvalid, "%v", err)
		}
		if s.ID != "" { // nothing is remembered before the session exists
			s.Done[key] = Outcome{Code: r.Code, Message: r.Message}
		}
		return nil, fmt.Errorf("apply %s: %w", e.Op.Kind, r)
	}
	s.Done[key] = Outcome{Seq: ev.Seq}
	return []Event{ev}, nil
}

func checkOpID(id string) error {
	if id == "" || len(id) > 64 {
		return reject(CodeInvalid, "op id must be 1 to 64 characters")
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return reject(CodeInvalid, "op id may hold only printable ASCII")
		}
	}
	return nil
}

// decode reads op data strictly: unknown fields are an error, so a typo in
// a third-party client shows up at once.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD; refuse
	// it as CheckText does, whichever way the op came in.
	if !utf8.Valid(raw) {
		return reject(CodeInvalid, "bad data: not valid UTF-8")
	}
	var fields [4]flatField
	if f := flatFields(v, &fields); f != nil && decodeFlat(raw, f) {
		return nil
	}
	d := decoders.Get().(*decoder)
	d.r.Reset(raw)
	start := d.dec.InputOffset()
	err := d.dec.Decode(v)
	n := int(d.dec.InputOffset() - start)
	if err == nil && n < len(raw) && len(bytes.TrimSpace(raw[n:])) > 0 {
		err = errors.New("more than one JSON value")
	}
	if err != nil || n != len(raw) {
		d.reset() // drop the decoder's error and what it holds of raw
	}
	decoders.Put(d)
	if err != nil {
		return reject(CodeInvalid, "bad data: %v", err)
	}
	return nil
}

// A decoder is a strict JSON decoder kept for reuse: making one for each
// op cost a replay about a third of its time (buffers and garbage).
type decoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

var decoders = sync.Pool{New: func() any { d := &decoder{}; d.reset(); return d }}

func (d *decoder) reset() {
	d.dec = json.NewDecoder(&d.r)
	d.dec.DisallowUnknownFields()
}

// apply dispatches on the op kind. It validates everything before it
// changes anything, so a rejection leaves the state untouched.
func (s *State) apply(e Entry) (Event, error) {
	kind := e.Op.Kind
	if kind == KindSessionCreate {
		return s.create(e)
	}
	if s.ID == "" {
		return Event{}, reject(CodeInvalid, "the session does not exist yet")
	}
	switch kind {
	case KindPersonJoin, KindPersonOnline:
		if e.By != "" {
			return Event{}, reject(CodeForbidden, "%s is the relay's to send", kind)
		}
		if kind == KindPersonJoin {
			return s.join(e)
		}
		return s.online(e)
	}
	g, ok := permissions[kind]
	if !ok {
		return Event{}, reject(CodeInvalid, "unknown op kind %q", kind)
	}
	actor := s.People[e.By]
	if actor == nil {
		return Event{}, reject(CodeForbidden, "unknown person")
	}
	if actor.Removed {
		return Event{}, reject(CodeForbidden, "you were removed from this session")
	}
	if !Allowed(actor.Role, kind) {
		return Event{}, reject(CodeForbidden, "a %s may not %s", actor.Role, describe(kind))
	}
	if s.PhaseOf() == PhaseClosed && kind != KindPhaseSet {
		return Event{}, reject(CodeClosed, "the session is closed: its reports are final")
	}
	c := &ctx{s: s, e: e, actor: actor, scope: g.scope}
	switch kind {
	case KindIdeaAdd:
		return c.ideaAdd()
	case KindIdeaEdit:
		return c.ideaEdit()
	case KindIdeaRetract:
		return c.ideaRetract()
	case KindIdeaVote, KindIdeaUnvote:
		return c.ideaVote(kind == KindIdeaVote)
	case KindIdeaPin, KindIdeaHide, KindIdeaKey:
		return c.ideaFlag()
	case KindIdeaMerge:
		return c.ideaMerge()
	case KindIdeaTheme:
		return c.ideaTheme()
	case KindQuestionPose:
		return c.questionPose()
	case KindGroupLock, KindGroupUnlock:
		return c.groupLock(kind == KindGroupLock)
	case KindTimerStart, KindTimerExtend:
		return c.timer(kind == KindTimerExtend)
	case KindTimerStop:
		return c.timerStop()
	case KindTimerPause:
		return c.timerPause()
	case KindTimerResume:
		return c.timerResume()
	case KindMinutesEdit, KindSummaryEdit, KindSynthesis, KindExecutiveEdit, KindRecommendationsEdit:
		return c.textEdit()
	case KindReportPub:
		return c.reportPublish()
	case KindBroadcast:
		return c.broadcast()
	case KindPlanEdit:
		return c.planEdit()
	case KindPersonRemove:
		return c.personRemove()
	case KindThemeCreate, KindThemeRename, KindThemeMerge, KindThemeSplit, KindThemeDismiss, KindThemeMove,
		KindSuggestionDismiss:
		return c.themeOp()
	case KindRecommendationAdd, KindRecommendationEdit, KindRecommendationRemove:
		return c.recommendationOp()
	case KindPhaseSet:
		return c.phaseSet()
	case KindPlenaryPresent:
		return c.plenaryPresent()
	case KindPlenaryFloor:
		return c.plenaryFloor()
	case KindPriorityVote, KindPriorityUnvote:
		return c.priorityVote(kind == KindPriorityVote)
	case KindClockStart:
		return c.clockStart()
	case KindClockStop:
		return c.clockStop()
	case KindSurveyOpen, KindSurveyClose:
		return c.surveyOpen(kind == KindSurveyOpen)
	case KindSurveyAnswer:
		return c.surveyAnswer()
	}
	return Event{}, reject(CodeInvalid, "unknown op kind %q", kind)
}

// describe turns "idea.pin" into "pin ideas" for messages people read.
func describe(kind string) string {
	noun, verb, ok := strings.Cut(kind, ".")
	if !ok {
		return kind
	}
	switch noun {
	case "idea":
		return verb + " ideas"
	case "group":
		return verb + " the room"
	case "question":
		return verb + " questions"
	case "report":
		return verb + " the group report"
	default:
		return verb + " the " + noun
	}
}

// ctx carries what every op handler needs.
type ctx struct {
	s     *State
	e     Entry
	actor *Person
	scope scope
}

// event builds the event of the op being applied and advances the seq.
// Only call it once every check has passed.
func (c *ctx) event(group string, data EventData) Event {
	c.s.Seq++
	data.Group = group
	data.Public = c.s.public()
	return Event{Seq: c.s.Seq, At: c.e.At, By: c.e.By, Kind: c.e.Op.Kind, Data: data}
}

// group returns the actor's group, or a rejection when the actor has
// none or it is locked and the op needs it open.
func (c *ctx) group(needOpen bool) (*Group, error) {
	g := c.s.Group(c.actor.Group)
	if g == nil {
		return nil, reject(CodeForbidden, "you are in no group")
	}
	if needOpen && g.Locked {
		return nil, reject(CodeClosed, "the room is locked by the chair")
	}
	return g, nil
}

// idea returns an idea the actor may act on: in the own group, or any for
// the organizer.
func (c *ctx) idea(id string) (*Idea, error) {
	i := c.s.Ideas[id]
	if i == nil {
		return nil, reject(CodeNotFound, "no idea %q", id)
	}
	if c.actor.Role != Organizer && i.Group != c.actor.Group {
		return nil, reject(CodeForbidden, "idea %q is in another group", id)
	}
	return i, nil
}

// openIdea is an idea people may still change: not retracted, merged or
// hidden, in an open room, on the current question.
func (c *ctx) openIdea(id string) (*Idea, *Group, error) {
	i, err := c.idea(id)
	if err != nil {
		return nil, nil, err
	}
	if i.Retracted || i.MergedInto != "" {
		return nil, nil, reject(CodeNotFound, "idea %q was retracted or merged", id)
	}
	g, err := c.group(true)
	if err != nil {
		return nil, nil, err
	}
	if i.Question != g.Current {
		return nil, nil, reject(CodeClosed, "idea %q belongs to an earlier question", id)
	}
	return i, g, nil
}

func (s *State) create(e Entry) (Event, error) {
	if e.By != "" {
		return Event{}, reject(CodeForbidden, "%s is the relay's to send", KindSessionCreate)
	}
	if s.ID != "" {
		return Event{}, reject(CodeInvalid, "the session exists already")
	}
	var d SessionCreate
	if err := decode(e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if err := checkOpID(d.ID); err != nil {
		return Event{}, reject(CodeInvalid, "session id must be 1 to 64 printable characters")
	}
	p := d.Plan
	p.Normalize()
	if err := p.Validate(); err != nil {
		return Event{}, reject(CodeInvalid, "%v", err)
	}
	s.ID, s.Title, s.VotesPerPerson, s.Created, s.Cover = d.ID, p.Title, p.VotesPerPerson, e.At, p.Cover()
	s.PriorityVotes = p.PriorityVotes
	for _, it := range p.Survey {
		s.Survey = append(s.Survey, &SurveyItem{ID: it.ID, Kind: it.Kind, Text: it.Text,
			Options: slices.Clone(it.Options), Labels: slices.Clone(it.Labels), Named: it.Named})
	}
	// As logged, not as normalized: a session logged before the plan had
	// max_per_code (0) must replay as it was applied, uncapped.
	s.MaxPerCode = d.Plan.MaxPerCode
	for _, q := range p.Questions {
		s.Questions = append(s.Questions, Question(q))
	}
	var groups []*Group
	for _, g := range p.Groups {
		grp := &Group{Name: g.Name, Current: s.Questions[0].ID}
		s.Groups = append(s.Groups, grp)
		groups = append(groups, grp.copy())
	}
	var people []*Person
	for i, pp := range p.People {
		person := &Person{ID: "r" + strconv.Itoa(i+1), Name: pp.Name, Background: pp.Background,
			Organization: pp.Organization, Role: pp.Role, Group: pp.Group}
		s.People[person.ID] = person
		people = append(people, person.copy())
	}
	for h, g := range d.Codes {
		s.Codes[h] = g
	}
	s.Seq++
	return Event{Seq: s.Seq, At: e.At, Kind: KindSessionCreate,
		Data: EventData{Session: s.header(), Groups: groups, People: people, Survey: s.surveyCopy()}}, nil
}

func (s *State) header() *Header {
	return &Header{ID: s.ID, Title: s.Title, VotesPerPerson: s.VotesPerPerson,
		Questions: slices.Clone(s.Questions), Created: s.Created, Cover: s.Cover.clone(), PriorityVotes: s.PriorityVotes}
}

func (s *State) join(e Entry) (Event, error) {
	var d PersonJoin
	if err := decode(e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if d.TokenHash == "" {
		return Event{}, reject(CodeInvalid, "a person needs a token hash")
	}
	var p *Person
	if d.ID != "" { // a roster person taking their place
		p = s.People[d.ID]
		if p == nil {
			return Event{}, reject(CodeNotFound, "no person %q on the roster", d.ID)
		}
		if p.Removed {
			return Event{}, reject(CodeForbidden, "%s was removed from this session; ask your organizer", p.Name)
		}
		if err := checkName(cmp.Or(d.Name, p.Name), d.Background); err != nil {
			return Event{}, err
		}
		p.Joined, p.JoinedAt, p.TokenHash = true, e.At, d.TokenHash
		if d.Name != "" {
			p.Name = d.Name
		}
		if d.Background != "" {
			p.Background = d.Background
		}
	} else {
		if !d.Role.Valid() {
			return Event{}, reject(CodeInvalid, "unknown role %q", d.Role)
		}
		if (d.Role == Organizer) != (d.Group == "") {
			return Event{}, reject(CodeInvalid, "organizers have no group; everyone else has one")
		}
		if d.Group != "" && s.Group(d.Group) == nil {
			return Event{}, reject(CodeNotFound, "no group %q", d.Group)
		}
		if err := checkName(d.Name, d.Background); err != nil {
			return Event{}, err
		}
		if s.MaxPerCode > 0 && s.codePeople(d.Role, d.Group) >= s.MaxPerCode {
			return Event{}, reject(CodeClosed, "this code has let in %d people, as many as the plan allows (max_per_code); ask your organizer",
				s.MaxPerCode)
		}
		p = &Person{ID: "p" + strconv.FormatInt(s.Seq+1, 10), Name: d.Name, Background: d.Background,
			Role: d.Role, Group: d.Group, Joined: true, JoinedAt: e.At, TokenHash: d.TokenHash}
		s.People[p.ID] = p
	}
	s.Seq++
	return Event{Seq: s.Seq, At: e.At, Kind: e.Op.Kind,
		Data: EventData{Group: p.Group, People: []*Person{p.copy()}}}, nil
}

// codePeople counts the people a shared join code of role and group has
// made and who were not removed; roster people ("r…") came with codes
// of their own.
func (s *State) codePeople(role Role, group string) int {
	n := 0
	for _, p := range s.People {
		if p.Role == role && p.Group == group && !p.Removed && strings.HasPrefix(p.ID, "p") {
			n++
		}
	}
	return n
}

// personRemove takes a person out: the organizer anyone but an
// organizer, a chair a participant or rapporteur of the own group. The
// person's resume token is forgotten, so the relay refuses it, and
// their ideas stay.
func (c *ctx) personRemove() (Event, error) {
	var d PersonRemove
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	p := c.s.People[d.Person]
	if p == nil || p.Removed {
		return Event{}, reject(CodeNotFound, "no person %q", d.Person)
	}
	switch {
	case p.ID == c.actor.ID:
		return Event{}, reject(CodeForbidden, "you cannot remove yourself")
	case p.Role == Organizer:
		return Event{}, reject(CodeForbidden, "organizers cannot be removed")
	case c.actor.Role == Chair && (p.Group != c.actor.Group || p.Role == Chair):
		return Event{}, reject(CodeForbidden, "a chair may remove participants and rapporteurs of the own group only")
	}
	p.Removed, p.Online, p.TokenHash = true, false, ""
	return c.event(p.Group, EventData{People: []*Person{p.copy()}}), nil
}

func checkName(name, background string) error {
	if strings.TrimSpace(name) == "" {
		return reject(CodeInvalid, "a name is needed")
	}
	if err := CheckName(name); err != nil {
		return reject(CodeInvalid, "name %v", err)
	}
	if err := CheckText(background, MaxName, false); err != nil {
		return reject(CodeInvalid, "background %v", err)
	}
	return nil
}

func (s *State) online(e Entry) (Event, error) {
	var d PersonOnline
	if err := decode(e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	p := s.People[d.Person]
	if p == nil {
		return Event{}, reject(CodeNotFound, "no person %q", d.Person)
	}
	p.Online = d.Online
	s.Seq++
	return Event{Seq: s.Seq, At: e.At, Kind: e.Op.Kind,
		Data: EventData{Group: p.Group, People: []*Person{p.copy()}}}, nil
}

func (c *ctx) ideaAdd() (Event, error) {
	var d IdeaAdd
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	g, err := c.group(true)
	if err != nil {
		return Event{}, err
	}
	if _, qi := c.s.Question(d.Question); qi < 0 {
		return Event{}, reject(CodeNotFound, "no question %q", d.Question)
	}
	if d.Question != g.Current {
		return Event{}, reject(CodeClosed, "the room is on another question now")
	}
	if err := checkIdeaText(d.Text); err != nil {
		return Event{}, err
	}
	if d.BuildsOn != "" {
		b, err := c.idea(d.BuildsOn)
		if err != nil {
			return Event{}, err
		}
		if b.Question != d.Question {
			return Event{}, reject(CodeInvalid, "an idea can build only on an idea of the same question")
		}
	}
	id := "i" + strconv.FormatInt(c.s.Seq+1, 10)
	idea := &Idea{ID: id, Group: g.Name, Question: d.Question, Author: c.actor.ID,
		Anonymous: d.Anonymous, Text: d.Text, Created: c.e.At, BuildsOn: d.BuildsOn}
	c.s.Ideas[id] = idea
	ev := c.event(g.Name, EventData{Idea: id, Ideas: []*Idea{idea.copy()}})
	return ev, nil
}

func checkIdeaText(text string) error {
	if strings.TrimSpace(text) == "" {
		return reject(CodeInvalid, "an idea needs some text")
	}
	if err := CheckText(text, MaxIdea, true); err != nil {
		return reject(CodeInvalid, "idea text %v", err)
	}
	return nil
}

func (c *ctx) ownIdea() (*Idea, error) {
	var d IdeaEdit
	var err error
	if c.e.Op.Kind == KindIdeaEdit {
		err = decode(c.e.Op.Data, &d)
	} else { // a retraction takes no text
		var r IdeaRef
		err = decode(c.e.Op.Data, &r)
		d.Idea = r.Idea
	}
	if err != nil {
		return nil, err
	}
	i, _, err := c.openIdea(d.Idea)
	if err != nil {
		return nil, err
	}
	if i.Author != c.actor.ID {
		return nil, reject(CodeForbidden, "only its author may change an idea")
	}
	if c.e.Op.Kind == KindIdeaEdit {
		if err := checkIdeaText(d.Text); err != nil {
			return nil, err
		}
		i.Text, i.Edited = d.Text, c.e.At
	}
	return i, nil
}

func (c *ctx) ideaEdit() (Event, error) {
	i, err := c.ownIdea()
	if err != nil {
		return Event{}, err
	}
	ev := c.event(i.Group, EventData{Ideas: []*Idea{i.copy()}})
	return ev, nil
}

func (c *ctx) ideaRetract() (Event, error) {
	i, err := c.ownIdea()
	if err != nil {
		return Event{}, err
	}
	// Votes on a retracted idea go back to their voters.
	for _, v := range i.Voters {
		c.s.countVote(v, i.Question, -1)
	}
	i.Retracted, i.Voters, i.Pinned, i.Key = true, nil, false, false
	ev := c.event(i.Group, EventData{Ideas: []*Idea{i.copy()}})
	return ev, nil
}

func (c *ctx) ideaVote(on bool) (Event, error) {
	var d IdeaRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	i, _, err := c.openIdea(d.Idea)
	if err != nil {
		return Event{}, err
	}
	if on && i.Hidden {
		return Event{}, reject(CodeNotFound, "idea %q is hidden by the chair", d.Idea)
	}
	who := c.actor.ID
	k, voted := slices.BinarySearch(i.Voters, who)
	switch {
	case on && voted:
		return Event{}, reject(CodeInvalid, "you voted for this idea already")
	case !on && !voted:
		return Event{}, reject(CodeInvalid, "you have not voted for this idea")
	case on && c.s.votesUsed(who, i.Question) >= c.s.VotesPerPerson:
		return Event{}, reject(CodeClosed, "no votes left: you have used all %d for this question", c.s.VotesPerPerson)
	}
	if on {
		i.Voters = slices.Insert(i.Voters, k, who)
		c.s.countVote(who, i.Question, 1)
	} else {
		i.Voters = slices.Delete(i.Voters, k, k+1)
		c.s.countVote(who, i.Question, -1)
	}
	return c.event(i.Group, EventData{Ideas: []*Idea{i.copy()}}), nil
}

// flagData is IdeaFlag as it comes in: On is a pointer so that a
// missing "on" is told apart from false, which would quietly unmark.
type flagData struct {
	Idea string `json:"idea"`
	On   *bool  `json:"on"`
}

// decodeFlag reads the data of idea.pin, idea.hide and idea.key, which
// must say "on" either way.
func decodeFlag(kind string, raw json.RawMessage) (IdeaFlag, error) {
	var d flagData
	if err := decode(raw, &d); err != nil {
		return IdeaFlag{}, err
	}
	if d.On == nil {
		return IdeaFlag{}, reject(CodeInvalid, `%s needs "on": true to %s the idea, false to undo it`, kind, flagVerb(kind))
	}
	return IdeaFlag{Idea: d.Idea, On: *d.On}, nil
}

func flagVerb(kind string) string {
	switch kind {
	case KindIdeaHide:
		return "hide"
	case KindIdeaKey:
		return "mark as key"
	}
	return "pin"
}

func (c *ctx) ideaFlag() (Event, error) {
	d, err := decodeFlag(c.e.Op.Kind, c.e.Op.Data)
	if err != nil {
		return Event{}, err
	}
	i, err := c.idea(d.Idea)
	if err != nil {
		return Event{}, err
	}
	if i.Retracted || i.MergedInto != "" {
		return Event{}, reject(CodeNotFound, "idea %q was retracted or merged", d.Idea)
	}
	switch c.e.Op.Kind {
	case KindIdeaPin:
		i.Pinned = d.On
	case KindIdeaHide:
		i.Hidden = d.On
		// Votes on a hidden idea go back to their voters, as on a
		// retracted one: they could not see it to take them back, and
		// every count of votes then agrees with the ideas shown. Showing
		// it again does not bring them back; its voters may vote again.
		if d.On {
			for _, v := range i.Voters {
				c.s.countVote(v, i.Question, -1)
			}
			i.Voters = nil
		}
	case KindIdeaKey:
		i.Key = d.On
	}
	return c.event(i.Group, EventData{Ideas: []*Idea{i.copy()}}), nil
}

func (c *ctx) ideaMerge() (Event, error) {
	var d IdeaMerge
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if d.Idea == d.Into {
		return Event{}, reject(CodeInvalid, "an idea cannot be merged into itself")
	}
	src, err := c.idea(d.Idea)
	if err != nil {
		return Event{}, err
	}
	dst, err := c.idea(d.Into)
	if err != nil {
		return Event{}, err
	}
	for _, i := range []*Idea{src, dst} {
		if i.Retracted || i.MergedInto != "" {
			return Event{}, reject(CodeNotFound, "idea %q was retracted or merged", i.ID)
		}
	}
	if src.Question != dst.Question {
		return Event{}, reject(CodeInvalid, "ideas of different questions cannot be merged")
	}
	// The merged idea's voters now back the idea it joined; one who voted
	// for both keeps one vote and gets the other back.
	for _, v := range src.Voters {
		if k, ok := slices.BinarySearch(dst.Voters, v); !ok {
			dst.Voters = slices.Insert(dst.Voters, k, v)
		} else {
			c.s.countVote(v, src.Question, -1)
		}
	}
	src.Voters, src.MergedInto, src.Pinned, src.Key = nil, dst.ID, false, false
	return c.event(src.Group, EventData{Ideas: []*Idea{src.copy(), dst.copy()}}), nil
}

func (c *ctx) ideaTheme() (Event, error) {
	var d IdeaTheme
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	d.Theme = strings.TrimSpace(d.Theme)
	if err := CheckText(d.Theme, MaxTheme, false); err != nil {
		return Event{}, reject(CodeInvalid, "theme %v", err)
	}
	i, err := c.idea(d.Idea)
	if err != nil {
		return Event{}, err
	}
	if i.Retracted || i.MergedInto != "" {
		return Event{}, reject(CodeNotFound, "idea %q was retracted or merged", d.Idea)
	}
	i.Theme = d.Theme
	return c.event(i.Group, EventData{Ideas: []*Idea{i.copy()}}), nil
}

func (c *ctx) questionPose() (Event, error) {
	var d QuestionPose
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	q, qi := c.s.Question(d.Question)
	if qi < 0 {
		return Event{}, reject(CodeNotFound, "no question %q", d.Question)
	}
	groups, err := c.targetGroups(d.Group)
	if err != nil {
		return Event{}, err
	}
	for _, g := range groups {
		g.pose(q, c.e.At)
	}
	return c.groupsEvent(groups, d.Group == "" && c.actor.Role == Organizer), nil
}

// pose makes q the group's current question at t.
func (g *Group) pose(q Question, t time.Time) {
	if q.ID == g.Current {
		return // posed again: the timer goes on as it is
	}
	// The question left keeps the time its timer had; posing a question
	// for the first time starts its timebox, if it has one, and posing it
	// again runs its timer on from what was left.
	left := g.timeLeft(t)
	g.Left = maps.Clone(g.Left)
	if g.Left == nil {
		g.Left = map[string]int{}
	}
	g.Left[g.Current] = left
	g.Current, g.Deadline, g.Paused = q.ID, time.Time{}, 0
	if secs, ok := g.Left[q.ID]; ok {
		if secs > 0 {
			g.Deadline = t.Add(time.Duration(secs) * time.Second)
		}
	} else if q.Minutes > 0 {
		g.Deadline = t.Add(time.Duration(q.Minutes) * time.Minute)
	}
}

func (c *ctx) groupLock(lock bool) (Event, error) {
	var d GroupRef
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	groups, err := c.targetGroups(d.Group)
	if err != nil {
		return Event{}, err
	}
	for _, g := range groups {
		g.Locked = lock
	}
	return c.groupsEvent(groups, d.Group == "" && c.actor.Role == Organizer), nil
}

// MaxTimer is the longest timer a chair can set.
const MaxTimer = 24 * time.Hour

func (c *ctx) timer(extend bool) (Event, error) {
	var d TimerStart
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	g, err := c.group(false)
	if err != nil {
		return Event{}, err
	}
	if d.Seconds == 0 && !extend {
		q, _ := c.s.Question(g.Current)
		d.Seconds = q.Minutes * 60
	}
	if d.Seconds <= 0 || time.Duration(d.Seconds)*time.Second > MaxTimer {
		return Event{}, reject(CodeInvalid, "timer seconds must be 1 to %d", int(MaxTimer.Seconds()))
	}
	if extend && g.Paused > 0 {
		// A paused timer gets the time and stays paused.
		if time.Duration(g.Paused+d.Seconds)*time.Second > MaxTimer {
			return Event{}, reject(CodeInvalid, "the timer would run past %v", MaxTimer)
		}
		g.Paused += d.Seconds
		return c.event(g.Name, EventData{Groups: []*Group{g.copy()}}), nil
	}
	from := c.e.At
	if extend && g.Deadline.After(from) {
		from = g.Deadline
	}
	deadline := from.Add(time.Duration(d.Seconds) * time.Second)
	if deadline.Sub(c.e.At) > MaxTimer {
		return Event{}, reject(CodeInvalid, "the timer would run past %v", MaxTimer)
	}
	g.Deadline, g.Paused = deadline, 0
	return c.event(g.Name, EventData{Groups: []*Group{g.copy()}}), nil
}

// timeLeft is the whole seconds left on the group's timer at t, running
// or paused; 0 when none runs or its time is up.
func (g *Group) timeLeft(t time.Time) int {
	if g.Paused > 0 {
		return g.Paused
	}
	if g.Deadline.After(t) {
		return int((g.Deadline.Sub(t) + time.Second - 1) / time.Second)
	}
	return 0
}

func (c *ctx) timerPause() (Event, error) {
	if err := decode(c.e.Op.Data, &struct{}{}); err != nil {
		return Event{}, err
	}
	g, err := c.group(false)
	if err != nil {
		return Event{}, err
	}
	if g.Paused > 0 {
		return Event{}, reject(CodeInvalid, "the timer is paused already")
	}
	left := g.timeLeft(c.e.At)
	if left == 0 {
		return Event{}, reject(CodeInvalid, "no timer is running")
	}
	g.Deadline, g.Paused = time.Time{}, left
	return c.event(g.Name, EventData{Groups: []*Group{g.copy()}}), nil
}

func (c *ctx) timerResume() (Event, error) {
	if err := decode(c.e.Op.Data, &struct{}{}); err != nil {
		return Event{}, err
	}
	g, err := c.group(false)
	if err != nil {
		return Event{}, err
	}
	if g.Paused == 0 {
		return Event{}, reject(CodeInvalid, "no timer is paused")
	}
	g.Deadline, g.Paused = c.e.At.Add(time.Duration(g.Paused)*time.Second), 0
	return c.event(g.Name, EventData{Groups: []*Group{g.copy()}}), nil
}

func (c *ctx) timerStop() (Event, error) {
	if err := decode(c.e.Op.Data, &struct{}{}); err != nil {
		return Event{}, err
	}
	g, err := c.group(false)
	if err != nil {
		return Event{}, err
	}
	g.Deadline, g.Paused = time.Time{}, 0
	return c.event(g.Name, EventData{Groups: []*Group{g.copy()}}), nil
}

func (c *ctx) textEdit() (Event, error) {
	var d TextEdit
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	kind, group := Minutes, c.actor.Group
	switch c.e.Op.Kind {
	case KindSummaryEdit:
		kind = Summary
	case KindSynthesis:
		kind, group = Synthesis, ""
	case KindExecutiveEdit:
		kind, group = Executive, ""
	case KindRecommendationsEdit:
		kind, group = Recommendations, ""
	}
	if kind == Executive || kind == Recommendations {
		// Texts of the whole conference: no question.
		if d.Question != "" {
			return Event{}, reject(CodeInvalid, "the %s belongs to no question; leave question out", kind)
		}
	} else if _, qi := c.s.Question(d.Question); qi < 0 {
		return Event{}, reject(CodeNotFound, "no question %q", d.Question)
	}
	if err := CheckText(d.Text, MaxLongText, true); err != nil {
		return Event{}, reject(CodeInvalid, "text %v", err)
	}
	if group == "" && (kind == Minutes || kind == Summary) {
		return Event{}, reject(CodeForbidden, "you are in no group")
	}
	key := TextKey(kind, group, d.Question)
	t := c.s.Texts[key]
	if t == nil {
		t = &Text{Kind: kind, Group: group, Question: d.Question}
	}
	text := d.Text
	if d.Restore != 0 {
		if d.Text != "" {
			return Event{}, reject(CodeInvalid, "a restore takes no text")
		}
		body, ok := t.BodyAt(d.Restore)
		if !ok || d.Restore < 0 {
			return Event{}, reject(CodeNotFound, "version %d of the %s is not kept", d.Restore, kind)
		}
		text = body
	}
	v := TextVersion{Version: t.Version + 1, Seq: c.s.Seq + 1, At: c.e.At, By: c.actor.ID, Restored: d.Restore}
	if d.Base != nil && *d.Base != t.Version {
		b := *d.Base
		if b < 0 || b > t.Version {
			return Event{}, reject(CodeInvalid, "the %s has no version %d yet (it is at %d)", kind, b, t.Version)
		}
		v.Merged, v.Base = true, b
		if base, ok := t.BodyAt(b); ok {
			m := Merge3(base, t.Body, text, c.actor.Name)
			text, v.Conflicts = m.Text, m.Conflicts
		} else {
			// The base is no longer kept: keep both whole, the edit
			// marked, rather than guess what it changed.
			text, v.Conflicts = t.Body+"\n"+MarkOpen+c.actor.Name+", edited on version "+
				strconv.Itoa(b)+": "+text+MarkClose, 1
		}
		if err := CheckText(text, MaxLongText, true); err != nil {
			return Event{}, reject(CodeInvalid, "merged with the edits saved since version %d, the %s %v; shorten it", b, kind, err)
		}
	}
	c.s.Texts[key] = t
	v.Body = text
	t.Body, t.Version, t.At, t.By = text, v.Version, c.e.At, c.actor.ID
	t.addVersion(v)
	return c.event(group, EventData{Texts: []*Text{t.eventCopy()}}), nil
}

func (c *ctx) reportPublish() (Event, error) {
	if err := decode(c.e.Op.Data, &struct{}{}); err != nil {
		return Event{}, err
	}
	g, err := c.group(false)
	if err != nil {
		return Event{}, err
	}
	g.Published, g.PublishedSeq = c.e.At, c.s.Seq+1
	// Publishing keeps what was published: later edits are a draft
	// until the next publish.
	var texts []*Text
	for _, t := range c.s.Texts {
		if t.Group == g.Name && t.Version > 0 {
			p := TextVersion{Version: t.Version, Seq: c.s.Seq + 1, At: t.At, By: t.By, Body: t.Body}
			if v := t.VersionAt(t.Version); v != nil {
				p = *v
			}
			t.Published = &p
			tc := t.copy()
			tc.Versions = nil
			texts = append(texts, tc)
		}
	}
	slices.SortFunc(texts, func(a, b *Text) int {
		return strings.Compare(TextKey(a.Kind, a.Group, a.Question), TextKey(b.Kind, b.Group, b.Question))
	})
	return c.event(g.Name, EventData{Groups: []*Group{g.copy()}, Texts: texts}), nil
}

func (c *ctx) broadcast() (Event, error) {
	var d BroadcastData
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(d.Text) == "" {
		return Event{}, reject(CodeInvalid, "a broadcast needs some text")
	}
	if err := CheckText(d.Text, MaxBroadcast, true); err != nil {
		return Event{}, reject(CodeInvalid, "broadcast %v", err)
	}
	if d.Group != "" && c.s.Group(d.Group) == nil {
		return Event{}, reject(CodeNotFound, "no group %q", d.Group)
	}
	b := Broadcast{Seq: c.s.Seq + 1, At: c.e.At, By: c.actor.ID, Text: d.Text, Group: d.Group}
	c.s.Broadcasts = append(c.s.Broadcasts, b)
	return c.event(d.Group, EventData{Broadcast: &b}), nil
}

func (c *ctx) planEdit() (Event, error) {
	var d PlanEdit
	if err := decode(c.e.Op.Data, &d); err != nil {
		return Event{}, err
	}
	p := Plan{Title: c.s.Title, VotesPerPerson: c.s.VotesPerPerson, Groups: []PlanGroup{{Name: "x"}}}
	if d.Title != "" {
		p.Title = d.Title
	}
	for _, q := range c.s.Questions {
		p.Questions = append(p.Questions, PlanQuestion(q))
	}
	if d.Questions != nil {
		// Questions may be reworded and added, never removed or
		// reordered: ideas and minutes refer to them.
		if len(d.Questions) < len(c.s.Questions) {
			return Event{}, reject(CodeInvalid, "questions cannot be removed, only reworded or added")
		}
		for i, q := range d.Questions {
			if i < len(c.s.Questions) && q.ID != "" && q.ID != c.s.Questions[i].ID {
				return Event{}, reject(CodeInvalid, "question %d must keep its id %q", i+1, c.s.Questions[i].ID)
			}
			if i < len(c.s.Questions) {
				q.ID = c.s.Questions[i].ID
			}
			if i < len(p.Questions) {
				p.Questions[i] = q
			} else {
				p.Questions = append(p.Questions, q)
			}
		}
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return Event{}, reject(CodeInvalid, "%v", err)
	}
	c.s.Title = p.Title
	c.s.Questions = c.s.Questions[:0:0]
	for _, q := range p.Questions {
		c.s.Questions = append(c.s.Questions, Question(q))
	}
	return c.event("", EventData{Session: c.s.header()}), nil
}

func (g *Group) copy() *Group   { c := *g; c.Left = maps.Clone(g.Left); return &c }
func (p *Person) copy() *Person { c := *p; return &c }
func (t *Text) copy() *Text {
	c := *t
	c.Versions = slices.Clone(t.Versions)
	if t.Published != nil {
		p := *t.Published
		c.Published = &p
	}
	return &c
}

// eventCopy is the text as an event carries it: with only its newest
// version, which replicas append to theirs, and without that version's
// body, which is the text's (so a long text is not sent twice).
func (t *Text) eventCopy() *Text {
	c := *t
	c.Versions = nil
	if n := len(t.Versions); n > 0 {
		v := t.Versions[n-1]
		v.Body = ""
		c.Versions = []TextVersion{v}
	}
	if t.Published != nil {
		p := *t.Published
		c.Published = &p
	}
	return &c
}
func (i *Idea) copy() *Idea {
	c := *i
	c.Voters = slices.Clone(i.Voters)
	return &c
}
