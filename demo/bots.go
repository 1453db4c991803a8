package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"breakout/relay"
	"breakout/session"
)

// names of the simulated people.
var names = []string{
	"Amara Okafor", "Bruno Ferraz", "Chiara Lombardi", "Dmitri Volkov", "Elif Kaya",
	"Farid Haddad", "Grace Mensah", "Hiroshi Tanaka", "Ingrid Solberg", "Javier Ortega",
	"Kavya Iyer", "Lukas Becker", "Mei Lin", "Nadia Rahman", "Oskar Nowak",
	"Priya Desai", "Quentin Moreau", "Rosa Alvarez", "Samuel Osei", "Tamar Levi",
	"Uma Chatterjee", "Viktor Horvat", "Wanjiru Kamau", "Xavier Dubois", "Yara Nasser",
	"Zofia Kowalska",
}

var backgrounds = []string{"scientist", "diplomat", "policy maker", "security expert", "industry", "civil society"}

// bot is one simulated person: a real client of the relay with a replica
// of what it may see.
type bot struct {
	role  session.Role
	group string
	// replies are the build-on replies of the bot's group.
	replies []string
	name    string
	// dir keeps the bot's resume token and outbox, so that a demo started
	// again on its data directory brings back the same people.
	dir   string
	pace  float64
	rng   *rand.Rand
	c     *relay.Client
	state *session.State
	me    string
	said  map[string]bool // idea texts this bot's group has heard from it
	turn  int
}

func (d *Demo) startBots(ctx context.Context, cfg Config, plan *session.Plan) {
	var seats []*bot
	// seat names a bot's state directory by its seat, not by its place
	// in seats, which moves with the seat the user takes.
	add := func(role session.Role, group, seat string) {
		i := len(seats)
		seats = append(seats, &bot{role: role, group: group, replies: replies(plan, group), name: names[i%len(names)], pace: cfg.Pace,
			dir: filepath.Join(d.Dir, "bots", seat),
			rng: rand.New(rand.NewPCG(uint64(i)+1, 7)), said: map[string]bool{}})
	}
	for _, g := range plan.Groups {
		for _, role := range []session.Role{session.Chair, session.Rapporteur} {
			if cfg.Role == role && cfg.Group == g.Name {
				continue
			}
			add(role, g.Name, fmt.Sprintf("%s-%s", role, g.Name))
		}
	}
	for i := range cfg.Bots {
		add(session.Participant, plan.Groups[i%len(plan.Groups)].Name, fmt.Sprintf("participant-%d", i+1))
	}
	for i, b := range seats {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			// People arrive over the first seconds, not all at once.
			if !sleep(ctx, time.Duration(float64(i)*300*float64(time.Millisecond)/cfg.Pace)) {
				return
			}
			b.run(ctx, d, backgrounds[i%len(backgrounds)])
		}()
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// run joins and acts until ctx ends.
func (b *bot) run(ctx context.Context, d *Demo, background string) {
	c, err := relay.Dial(ctx, relay.ClientConfig{URL: d.URL, Code: d.Code(b.group, b.role), Name: b.name, Background: background,
		StateDir: b.dir})
	if err != nil {
		return
	}
	defer c.Close()
	b.c = c
	next := time.NewTimer(b.interval())
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case u := <-c.Updates():
			b.take(u)
			if b.replaced() {
				return // leaving closes the connection, so the person is seen alone in the seat
			}
		case <-next.C:
			if b.state != nil {
				b.act()
			}
			next.Reset(b.interval())
		}
	}
}

func (b *bot) take(u relay.Update) {
	switch {
	case u.Welcome != nil:
		b.me = u.Welcome.You.ID
		if u.Welcome.Snapshot != nil {
			b.state = u.Welcome.Snapshot
		}
		for _, ev := range u.Welcome.Events {
			b.state.ApplyEvent(ev)
		}
	case u.Event != nil && b.state != nil:
		b.state.ApplyEvent(*u.Event)
	}
}

// replaced reports whether a person took this simulated chair's or
// rapporteur's seat: then the bot steps back, so that two do not steer
// the room or write over each other. There is one bot a seat, so anyone
// else in it is a person.
func (b *bot) replaced() bool {
	if b.state == nil || (b.role != session.Chair && b.role != session.Rapporteur) {
		return false
	}
	for _, p := range b.state.People {
		if p.ID != b.me && p.Group == b.group && p.Role == b.role && p.Joined && p.Online {
			return true
		}
	}
	return false
}

// interval is the pause before the next action: a few seconds at a human
// pace, with some spread.
func (b *bot) interval() time.Duration {
	base := map[session.Role]float64{session.Participant: 9, session.Chair: 6, session.Rapporteur: 7}[b.role]
	secs := base * (0.5 + b.rng.Float64())
	return time.Duration(secs / b.pace * float64(time.Second))
}

func (b *bot) send(kind string, data any) {
	b.c.Send(session.NewOp(b.c.NewOpID(), kind, data))
}

func (b *bot) room() *session.Group { return b.state.Group(b.group) }

// replies are the build-on replies of a group: a set of its own, by its
// place in the plan.
func replies(plan *session.Plan, group string) []string {
	for k, g := range plan.Groups {
		if g.Name == group {
			return buildOns[k%len(buildOns)]
		}
	}
	return buildOns[0]
}

// ideas returns the visible ideas of the current question.
func (b *bot) ideas() []*session.Idea {
	g := b.room()
	if g == nil {
		return nil
	}
	var out []*session.Idea
	for _, i := range b.state.IdeasOf(b.group, g.Current) {
		if i.Visible() {
			out = append(out, i)
		}
	}
	return out
}

func (b *bot) act() {
	b.turn++
	switch b.role {
	case session.Participant:
		b.participate()
	case session.Chair:
		b.chair()
	case session.Rapporteur:
		b.report()
	}
}

func (b *bot) participate() {
	g := b.room()
	if g == nil || g.Locked {
		return
	}
	ideas := b.ideas()
	left := b.state.VotesPerPerson - b.state.VotesUsed(b.me, g.Current)
	switch r := b.rng.Float64(); {
	case r < 0.35 && left > 0 && len(ideas) > 0:
		// Vote for an idea not yet voted for, favouring popular ones.
		var pick *session.Idea
		for range 4 {
			i := ideas[b.rng.IntN(len(ideas))]
			if !i.VotedBy(b.me) && !i.Mine && (pick == nil || i.Votes() > pick.Votes()) {
				pick = i
			}
		}
		if pick != nil {
			b.send(session.KindIdeaVote, session.IdeaRef{Idea: pick.ID})
		}
	case r < 0.55 && len(ideas) > 0:
		// A reply no one in the room has given yet: the same words from
		// three people would read like a stuck record.
		on := ideas[b.rng.IntN(len(ideas))]
		said := map[string]bool{}
		for _, i := range ideas {
			said[i.Text] = true
		}
		var fresh []string
		for _, t := range b.replies {
			if !said[t] {
				fresh = append(fresh, t)
			}
		}
		if len(fresh) > 0 {
			b.send(session.KindIdeaAdd, session.IdeaAdd{Question: g.Current, Text: fresh[b.rng.IntN(len(fresh))], BuildsOn: on.ID})
		}
	default:
		pool := b.pool(g.Current)
		heard := map[string]bool{}
		for _, i := range ideas {
			heard[i.Text] = true
		}
		for range 5 {
			text := pool[b.rng.IntN(len(pool))]
			if !heard[text] {
				b.send(session.KindIdeaAdd, session.IdeaAdd{Question: g.Current, Text: text, Anonymous: b.rng.IntN(6) == 0})
				return
			}
		}
	}
}

// pool is what this bot's group may say on a question: two thirds of the
// texts, a different two thirds in each group, so that groups overlap on
// some ideas (the conference report finds those) but not on all.
func (b *bot) pool(question string) []string {
	all := ideas[question]
	if len(all) == 0 {
		all = ideas["threats"]
	}
	h := fnv.New32a()
	h.Write([]byte(b.group))
	skip := int(h.Sum32() % 3)
	var out []string
	for i, text := range all {
		if i%3 != skip {
			out = append(out, text)
		}
	}
	return out
}

// chair keeps the room moving: a timer on every question, and the next
// question once the time is up.
func (b *bot) chair() {
	g := b.room()
	if g == nil {
		return
	}
	_, qi := b.state.Question(g.Current)
	if g.Deadline.IsZero() {
		b.send(session.KindTimerStart, session.TimerStart{Seconds: b.questionSeconds()})
		return
	}
	if ideas := b.ideas(); len(ideas) > 2 && b.rng.IntN(4) == 0 {
		top := slices.MaxFunc(ideas, func(a, c *session.Idea) int { return a.Votes() - c.Votes() })
		if !top.Pinned {
			b.send(session.KindIdeaPin, session.IdeaFlag{Idea: top.ID, On: true})
			return
		}
	}
	if time.Now().After(g.Deadline) {
		next := b.state.Questions[(qi+1)%len(b.state.Questions)]
		b.send(session.KindQuestionPose, session.QuestionPose{Question: next.ID})
		b.send(session.KindTimerStart, session.TimerStart{Seconds: b.questionSeconds()})
	}
}

// questionSeconds is how long the demo spends on a question: three
// minutes at a human pace.
func (b *bot) questionSeconds() int {
	return max(1, int(180/b.pace))
}

// report drafts minutes as the discussion goes, tags themes, marks the
// key idea and keeps a summary current; it publishes now and then.
func (b *bot) report() {
	g := b.room()
	if g == nil {
		return
	}
	ideas := b.ideas()
	if len(ideas) == 0 {
		return
	}
	q := g.Current
	switch b.turn % 4 {
	case 0, 2:
		i := ideas[b.rng.IntN(len(ideas))]
		line := b.minutesLine(i)
		t := b.state.Text(session.Minutes, b.group, q)
		body, base := "", 0
		if t != nil {
			body, base = t.Body, t.Version
		}
		if strings.Contains(body, line) {
			return
		}
		if body != "" {
			body += "\n"
		}
		b.send(session.KindMinutesEdit, session.TextEdit{Question: q, Text: body + "- " + line, Base: session.BaseOf(base)})
	case 1:
		for _, i := range ideas {
			if i.Theme == "" {
				b.send(session.KindIdeaTheme, session.IdeaTheme{Idea: i.ID, Theme: themes[b.rng.IntN(len(themes))]})
				return
			}
		}
	case 3:
		top := slices.MaxFunc(ideas, func(a, c *session.Idea) int { return a.Votes() - c.Votes() })
		if !top.Key {
			b.send(session.KindIdeaKey, session.IdeaFlag{Idea: top.ID, On: true})
		}
		t := b.state.Text(session.Summary, b.group, q)
		base := 0
		if t != nil {
			base = t.Version
		}
		b.send(session.KindSummaryEdit, session.TextEdit{Question: q, Text: fmt.Sprintf(summaryFormat, len(ideas), shorten(strings.Join(strings.Fields(top.Text), " "), 200)), Base: session.BaseOf(base)})
		if b.rng.IntN(3) == 0 {
			b.send(session.KindReportPub, struct{}{})
		}
	}
}

// minutesLine is a line of minutes about an idea. An idea may span lines
// and hold quotes; the line quotes it as typed, on one line.
func (b *bot) minutesLine(i *session.Idea) string {
	return fmt.Sprintf(minutesLines[b.rng.IntN(len(minutesLines))], shorten(strings.Join(strings.Fields(i.Text), " "), 60))
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
