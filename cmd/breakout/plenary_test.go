package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

const plenaryTestPlan = `
title = "Plenary test"
votes_per_person = 3
priority_votes = 2

[[question]]
text = "What should we keep?"
[[question]]
text = "What should we change?"

[[group]]
name = "Manzoni"
[[group]]
name = "Verdi"
[[group]]
name = "Rossini"

[[survey]]
kind = "scale"
text = "How useful was the day?"
labels = ["Not at all", "Very"]
[[survey]]
kind = "single"
text = "Which format next time?"
options = ["Same", "Longer", "Online"]
[[survey]]
kind = "multiple"
text = "What helped?"
options = ["Chairs", "Votes", "Themes"]
[[survey]]
kind = "scale"
text = "How well were you heard?"
labels = ["Never", "Rarely", "Sometimes", "Often", "Always"]
[[survey]]
kind = "text"
text = "What should change?"
`

// peer is a person on the relay whose every update is recorded by its own
// reader, so that many people can act at once.
type peer struct {
	c                       *relay.Client
	name, group, background string
	index                   int // within the group: 0 chair, 1 rapporteur, the rest participants
	mu                      sync.Mutex
	id                      string
	events                  []session.Event
	acks                    map[string]int64
	rejects                 map[string]*session.Reject
	changed                 chan struct{}
	stop                    chan struct{}
}

func dialPeer(t *testing.T, url, code, name, group, background string, index int) *peer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := relay.Dial(ctx, relay.ClientConfig{URL: url, Code: code, Name: name, Background: background})
	if err != nil {
		t.Fatalf("Dial(%s): %v", name, err)
	}
	p := &peer{c: c, name: name, group: group, background: background, index: index,
		acks: map[string]int64{}, rejects: map[string]*session.Reject{}, changed: make(chan struct{}, 1), stop: make(chan struct{})}
	go p.read()
	t.Cleanup(func() { close(p.stop); c.Close() })
	return p
}

func (p *peer) read() {
	for {
		select {
		case u := <-p.c.Updates():
			p.mu.Lock()
			switch {
			case u.Welcome != nil:
				p.id = u.Welcome.You.ID
			case u.Event != nil:
				p.events = append(p.events, *u.Event)
			case u.Ack != nil:
				p.acks[u.Ack.ID] = u.Ack.Seq
			case u.Reject != nil:
				p.rejects[u.Reject.ID] = u.Reject
			}
			p.mu.Unlock()
			select {
			case p.changed <- struct{}{}:
			default:
			}
		case <-p.stop:
			return
		}
	}
}

// send sends an op and returns the event it made, once the relay applied
// it and sent it back.
func (p *peer) send(kind string, data any) (session.Event, error) {
	id := p.c.NewOpID()
	if err := p.c.Send(session.NewOp(id, kind, data)); err != nil {
		return session.Event{}, fmt.Errorf("%s: send %s: %w", p.name, kind, err)
	}
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		if r := p.rejects[id]; r != nil {
			p.mu.Unlock()
			return session.Event{}, fmt.Errorf("%s: %s rejected: %s %s", p.name, kind, r.Code, r.Message)
		}
		if seq, ok := p.acks[id]; ok {
			for _, e := range p.events {
				if e.Seq == seq {
					p.mu.Unlock()
					return e, nil
				}
			}
		}
		p.mu.Unlock()
		select {
		case <-p.changed:
		case <-deadline:
			return session.Event{}, fmt.Errorf("%s: no answer to %s", p.name, kind)
		}
	}
}

// waitFor reports whether an event that ok accepts arrives within d.
func (p *peer) waitFor(d time.Duration, ok func(session.Event) bool) bool {
	deadline := time.After(d)
	for {
		p.mu.Lock()
		found := slices.ContainsFunc(p.events, ok)
		p.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-p.changed:
		case <-deadline:
			return false
		}
	}
}

func (p *peer) must(t *testing.T, kind string, data any) session.Event {
	t.Helper()
	ev, err := p.send(kind, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// everyone runs f for every peer at once and fails the test on the first
// error.
func everyone(t *testing.T, peers []*peer, f func(p *peer) error) {
	t.Helper()
	errs := make([]error, len(peers))
	var wg sync.WaitGroup
	for k, p := range peers {
		wg.Add(1)
		go func() { defer wg.Done(); errs[k] = f(p) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

var plenaryBackgrounds = []string{"Academia", "Industry", "Government", "Civil society"}

// silent are the participants who neither add an idea nor vote.
func silent(i int) bool { return i%5 == 4 }

// TestPlenaryEndToEnd: 45 people in 3 groups through a real relay: the
// rooms, the plenary with a presenter and a priority vote, a survey of
// five items answered by all; then the report's Engagement section and
// CSV tables hold the figures worked out here from the ops sent, and no
// frame anyone received, nor any export, gives away who answered what.
func TestPlenaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("45 people through a relay")
	}
	r := relaytest.Start(t, relay.Config{})
	url, codes := r.URL, r.Create(t, plenaryTestPlan)
	orgCode := relaytest.Code(t, codes, "", session.Organizer)
	org := dialPeer(t, url, orgCode, "Olga Organizer", "", "", 0)
	groups := []string{"Manzoni", "Verdi", "Rossini"}
	var people []*peer
	byGroup := map[string][]*peer{}
	for gk, g := range groups {
		for i := range 15 {
			role := session.Participant
			switch i {
			case 0:
				role = session.Chair
			case 1:
				role = session.Rapporteur
			}
			bg := plenaryBackgrounds[(gk*15+i)%len(plenaryBackgrounds)]
			p := dialPeer(t, url, relaytest.Code(t, codes, g, role), fmt.Sprintf("%s person %02d", g, i), g, bg, i)
			people = append(people, p)
			byGroup[g] = append(byGroup[g], p)
		}
	}

	// The rooms: named ideas, anonymous ones, build-ons, votes.
	firstIdea := map[*peer]time.Time{}
	ideaOf := map[*peer]string{}
	var mu sync.Mutex
	everyone(t, people, func(p *peer) error {
		if silent(p.index) {
			return nil
		}
		ev, err := p.send(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("Idea of %s", p.name)})
		if err != nil {
			return err
		}
		mu.Lock()
		firstIdea[p], ideaOf[p] = ev.At, ev.Data.Idea
		mu.Unlock()
		if p.index%3 == 0 {
			if _, err := p.send(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "A thought, unsigned", Anonymous: true}); err != nil {
				return err
			}
		}
		return nil
	})
	everyone(t, people, func(p *peer) error {
		if silent(p.index) {
			return nil
		}
		g := byGroup[p.group]
		if p.index%4 == 1 {
			if _, err := p.send(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Building on it", BuildsOn: ideaOf[g[0]]}); err != nil {
				return err
			}
		}
		for _, target := range []*peer{g[0], g[2]} {
			if _, err := p.send(session.KindIdeaVote, session.IdeaRef{Idea: ideaOf[target]}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, g := range groups {
		rap := byGroup[g][1]
		rap.must(t, session.KindIdeaKey, session.IdeaFlag{Idea: ideaOf[byGroup[g][0]], On: true})
		rap.must(t, session.KindSummaryEdit, session.TextEdit{Question: "q1", Text: "The summary of " + g})
		rap.must(t, session.KindReportPub, struct{}{})
	}

	// The plenary: themes, a presenter, the floor, a key idea marked
	// there, and the priority vote.
	var firsts, seconds []string
	for _, g := range groups {
		firsts, seconds = append(firsts, ideaOf[byGroup[g][0]]), append(seconds, ideaOf[byGroup[g][2]])
	}
	funding := org.must(t, session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Funding", Ideas: firsts}).Data.Themes[0].ID
	openness := org.must(t, session.KindThemeCreate, session.ThemeCreate{Question: "q1", Name: "Openness", Ideas: seconds}).Data.Themes[0].ID
	fund := org.must(t, session.KindRecommendationAdd,
		session.RecommendationAdd{Question: "q1", Text: "Fund young researchers for five years"}).Data.Recommendations[0].ID
	org.must(t, session.KindPhaseSet, session.PhaseSet{Phase: session.PhasePlenary})
	org.must(t, session.KindPlenaryPresent, session.PlenaryPresent{Theme: funding})
	org.must(t, session.KindPlenaryFloor, session.PlenaryFloor{Group: "Verdi"})
	verdiKey := ideaOf[byGroup["Verdi"][2]]
	byGroup["Verdi"][1].must(t, session.KindIdeaKey, session.IdeaFlag{Idea: verdiKey, On: true})
	// Each has 2 priority votes on the question, for the themes and the
	// recommendation together: the odd spend the second on a theme and
	// find none left for the recommendation, the even give it to the
	// recommendation and find none left for a theme.
	var mine [3]int // funding, openness, the recommendation
	var refused int
	everyone(t, people, func(p *peer) error {
		if _, err := p.send(session.KindPriorityVote, session.PriorityRef{Theme: funding}); err != nil {
			return err
		}
		mu.Lock()
		mine[0]++
		mu.Unlock()
		if p.index%2 == 1 {
			if _, err := p.send(session.KindPriorityVote, session.PriorityRef{Theme: openness}); err != nil {
				return err
			}
			mu.Lock()
			mine[1]++
			mu.Unlock()
			_, err := p.send(session.KindPriorityVote, session.PriorityRef{Recommendation: fund})
			if err == nil || !strings.Contains(err.Error(), "closed") {
				return fmt.Errorf("%s: a third priority vote, on the recommendation = %v; want rejected closed", p.name, err)
			}
			mu.Lock()
			refused++
			mu.Unlock()
			return nil
		}
		if _, err := p.send(session.KindPriorityVote, session.PriorityRef{Recommendation: fund}); err != nil {
			return err
		}
		mu.Lock()
		mine[2]++
		mu.Unlock()
		// The vote on the recommendation spent the second: none is left
		// for a theme.
		_, err := p.send(session.KindPriorityVote, session.PriorityRef{Theme: openness})
		if err == nil || !strings.Contains(err.Error(), "closed") {
			return fmt.Errorf("%s: a third priority vote, on a theme = %v; want rejected closed", p.name, err)
		}
		return nil
	})
	if mine[2] == 0 || refused == 0 {
		t.Fatalf("priority votes on the recommendation: %d given, %d refused; want some of each", mine[2], refused)
	}
	// The organizer's tally, live over the wire, counts them. (The
	// deadlines are for busy machines: 45 people's events take a while to
	// fan out there.)
	if !org.waitFor(30*time.Second, func(e session.Event) bool {
		return e.Data.Priority != nil && e.Data.Priority.Tally[fund] == mine[2] && e.Data.Priority.Tally[funding] == mine[0]
	}) {
		t.Errorf("the organizer never saw the tally of %d votes on the recommendation and %d on Funding", mine[2], mine[0])
	}
	// Verdi's key idea reached the other groups' screens.
	watcher := byGroup["Manzoni"][3]
	reached := watcher.waitFor(30*time.Second, func(e session.Event) bool {
		return e.Kind == session.KindIdeaKey && slices.ContainsFunc(e.Data.Ideas, func(i *session.Idea) bool { return i.ID == verdiKey && i.Key })
	})
	if !reached {
		t.Errorf("Verdi's key idea, marked in the plenary, never reached a Manzoni participant")
	}

	// The survey, answered by all.
	answers := func(i int) []session.Answer {
		multi := []int{0}
		if i%2 == 0 {
			multi = append(multi, 2)
		}
		return []session.Answer{
			{Item: "s1", Value: i%5 + 1}, {Item: "s2", Choices: []int{i % 3}}, {Item: "s3", Choices: multi},
			{Item: "s4", Value: 5 - i%5}, {Item: "s5", Text: fmt.Sprintf("note %d", i%4)},
		}
	}
	org.must(t, session.KindSurveyOpen, session.SurveyRef{})
	everyone(t, people, func(p *peer) error {
		for _, a := range answers(p.index) {
			if _, err := p.send(session.KindSurveyAnswer, a); err != nil {
				return err
			}
		}
		return nil
	})
	org.must(t, session.KindSurveyClose, session.SurveyRef{})
	org.must(t, session.KindPhaseSet, session.PhaseSet{Phase: session.PhaseClosed})
	if _, err := people[5].send(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "Too late"}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("an idea once closed = %v; want rejected closed", err)
	}

	// No frame anyone received names the sender of another's answer or
	// vote, or holds it.
	for _, p := range append([]*peer{org}, people...) {
		p.mu.Lock()
		own := map[int64]bool{}
		for _, seq := range p.acks {
			own[seq] = true
		}
		for _, e := range p.events {
			if e.Kind != session.KindSurveyAnswer && e.Kind != session.KindPriorityVote {
				continue
			}
			if own[e.Seq] {
				if e.By != p.id {
					t.Errorf("%s's own %s event has by %q", p.name, e.Kind, e.By)
				}
				continue
			}
			if e.By != "" || len(e.Data.Answers) > 0 || e.Data.Priority != nil && e.Data.Priority.Mine != nil {
				t.Errorf("%s received another's %s: by %q, answers %v", p.name, e.Kind, e.By, e.Data.Answers)
			}
			if e.Kind == session.KindPriorityVote && p != org {
				t.Errorf("%s received another's priority vote", p.name)
			}
		}
		p.mu.Unlock()
	}

	// Figures worked out from the ops sent.
	joinedAt := map[string]time.Time{}
	org.mu.Lock()
	for _, e := range org.events {
		if e.Kind == session.KindPersonJoin {
			for _, pp := range e.Data.People {
				joinedAt[pp.Name] = e.At
			}
		}
	}
	org.mu.Unlock()
	type figures struct {
		members, contributed, silent, ideas, anonymous, votes, buildOns int
		firsts                                                          []int
	}
	total, perGroup, perBg := &figures{}, map[string]*figures{}, map[string]*figures{}
	for _, p := range people {
		gf, bf := perGroup[p.group], perBg[p.background]
		if gf == nil {
			gf = &figures{}
			perGroup[p.group] = gf
		}
		if bf == nil {
			bf = &figures{}
			perBg[p.background] = bf
		}
		for _, f := range []*figures{total, gf, bf} {
			f.members++
			if silent(p.index) {
				f.silent++
				continue
			}
			f.contributed++
			f.votes += 2
			f.ideas++ // the first idea
			if p.index%4 == 1 {
				f.ideas++
				f.buildOns++
			}
			f.firsts = append(f.firsts, int(firstIdea[p].Sub(joinedAt[p.name])/time.Second))
			if p.index%3 == 0 && f != bf { // anonymous: in no background
				f.ideas++
				f.anonymous++
			}
		}
	}
	median := func(xs []int) string {
		slices.Sort(xs)
		m := xs[len(xs)/2]
		if len(xs)%2 == 0 {
			m = (xs[len(xs)/2-1] + m) / 2
		}
		return strconv.Itoa(m)
	}
	row := func(scope, name string, f *figures) string {
		return strings.Join([]string{scope, name, strconv.Itoa(f.members), strconv.Itoa(f.members), strconv.Itoa(f.contributed),
			strconv.Itoa(f.silent), strconv.Itoa(f.ideas), strconv.Itoa(f.anonymous),
			strconv.FormatFloat(float64(f.ideas)/float64(f.members), 'f', 2, 64), strconv.Itoa(f.votes),
			strconv.Itoa(f.members * 3 * 2), strconv.Itoa(f.buildOns), median(f.firsts)}, ",")
	}

	part, err := runCmd(t, newReportCmd, url, orgCode, "--format", "csv", "--table", "participation")
	if err != nil {
		t.Fatalf("report --table participation = %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(part)).ReadAll()
	if err != nil {
		t.Fatalf("participation CSV does not parse: %v", err)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[0]+"/"+r[1]] = strings.Join(r[:13], ",")
		var series int
		for _, n := range strings.Fields(r[15]) {
			k, _ := strconv.Atoi(n)
			series += k
		}
		if r[0] != "background" && strconv.Itoa(series) != r[6] {
			t.Errorf("participation of %s: ideas over time add up to %d; want %s", r[1], series, r[6])
		}
	}
	want := map[string]string{"total/": row("total", "", total)}
	for g, f := range perGroup {
		want["group/"+g] = row("group", g, f)
	}
	for b, f := range perBg {
		want["background/"+b] = row("background", b, f)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("participation %s = %s; want %s", k, got[k], w)
		}
	}

	// The survey's tallies, worked out from the answers sent.
	counts := map[string]int{}
	for _, p := range people {
		for _, a := range answers(p.index) {
			switch {
			case a.Value > 0:
				counts[fmt.Sprintf("%s/%d", a.Item, a.Value)]++
			case a.Text != "":
				counts[a.Item+"/"+a.Text]++
			default:
				for _, c := range a.Choices {
					counts[fmt.Sprintf("%s/#%d", a.Item, c)]++
				}
			}
		}
	}
	resp, err := runCmd(t, newReportCmd, url, orgCode, "--format", "csv", "--table", "responses")
	if err != nil {
		t.Fatalf("report --table responses = %v", err)
	}
	rrows, err := csv.NewReader(strings.NewReader(resp)).ReadAll()
	if err != nil {
		t.Fatalf("responses CSV does not parse: %v", err)
	}
	options := map[string][]string{"s2": {"Same", "Longer", "Online"}, "s3": {"Chairs", "Votes", "Themes"}}
	seen := 0
	for _, r := range rrows[1:] {
		if r[3] != "total" {
			continue
		}
		answer := r[6]
		key := r[0] + "/" + answer
		if opts, ok := options[r[0]]; ok {
			key = fmt.Sprintf("%s/#%d", r[0], slices.Index(opts, answer))
		} else if r[1] == "scale" {
			key = r[0] + "/" + strings.Fields(answer)[0]
		}
		if r[5] != "45" || r[7] != strconv.Itoa(counts[key]) {
			t.Errorf("responses row %v: want 45 respondents and %d", r, counts[key])
		}
		seen += counts[key]
	}
	if want := 45*5 + counts["s3/#2"]; seen != want {
		t.Errorf("responses add up to %d answers; want %d", seen, want)
	}

	// The Markdown's Engagement section holds the same.
	md, err := runCmd(t, newReportCmd, url, orgCode)
	if err != nil {
		t.Fatalf("report = %v", err)
	}
	m := perGroup["Manzoni"]
	for _, w := range []string{
		"## Engagement",
		fmt.Sprintf("45 of 45 members joined; %d contributed an idea or a vote and %d stayed silent.", total.contributed, total.silent),
		fmt.Sprintf("| Manzoni | 15 of 15 | %d | %d | %d | %.1f | %d of 90 | %d |", m.contributed, m.silent, m.ideas, float64(m.ideas)/15, m.votes, m.buildOns),
		fmt.Sprintf("| Funding | theme | %d |", mine[0]),
		fmt.Sprintf("| Fund young researchers for five years | recommendation | %d |", mine[2]),
		fmt.Sprintf("| Openness | theme | %d |", mine[1]),
		fmt.Sprintf("- Fund young researchers for five years (%d priority votes)", mine[2]),
		fmt.Sprintf("| 1 Not at all | %d |", counts["s1/1"]),
		fmt.Sprintf("| 3 Sometimes | %d |", counts["s4/3"]),
		"- note 0",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("conference report lacks %q:\n%s", w, md[strings.Index(md, "## Engagement"):])
		}
	}
	// The ranking: Funding first, then the recommendation and Openness
	// by their votes.
	rank := []string{fmt.Sprintf("theme,Funding,%d", mine[0]),
		fmt.Sprintf("recommendation,Fund young researchers for five years,%d", mine[2]), fmt.Sprintf("theme,Openness,%d", mine[1])}
	if mine[1] > mine[2] {
		rank[1], rank[2] = rank[2], rank[1]
	}
	prio, err := runCmd(t, newReportCmd, url, orgCode, "--format", "csv", "--table", "priorities")
	if err != nil {
		t.Fatalf("report --table priorities = %v", err)
	}
	prows, err := csv.NewReader(strings.NewReader(prio)).ReadAll()
	if err != nil || len(prows) != 4 {
		t.Fatalf("priorities CSV = %q, %v; want a header and 3 rows", prows, err)
	}
	for k, want := range rank {
		if got := strings.Join(prows[k+1][2:], ","); got != strconv.Itoa(k+1)+","+want {
			t.Errorf("priorities row %d = %s; want %d,%s", k+1, got, k+1, want)
		}
	}
	for _, out := range []string{part, resp, prio} {
		for _, p := range people {
			if strings.Contains(out, p.name) || strings.Contains(out, ","+p.id+",") {
				t.Errorf("an engagement table names %s", p.name)
			}
		}
	}
}
