package session_test

import (
	"bytes"
	"slices"
	"strings"

	"breakout/session"
)

// checkState checks what must hold of the full state after any entries:
// the vote budget, who votes, and where merged ideas point.
func checkState(tb tester, s *session.State) {
	tb.Helper()
	if s.ID == "" {
		return
	}
	used := map[[2]string]int{}
	for id, i := range s.Ideas {
		if id != i.ID {
			tb.Fatalf("idea %s is stored under %s", i.ID, id)
		}
		if !slices.IsSorted(i.Voters) || len(slices.Compact(slices.Clone(i.Voters))) != len(i.Voters) {
			tb.Fatalf("idea %s voters %v are not sorted and unique", id, i.Voters)
		}
		if (i.Retracted || i.MergedInto != "" || i.Hidden) && len(i.Voters) > 0 {
			tb.Fatalf("idea %s is retracted, merged or hidden but holds votes %v", id, i.Voters)
		}
		if a := s.People[i.Author]; a == nil || a.Group != i.Group || a.Role == session.Organizer {
			tb.Fatalf("idea %s in %s has author %q who is not a member there", id, i.Group, i.Author)
		}
		for _, v := range i.Voters {
			p := s.People[v]
			if p == nil || p.Group != i.Group {
				tb.Fatalf("idea %s in %s has voter %q who is not a member there", id, i.Group, v)
			}
			used[[2]string{v, i.Question}]++
		}
		if i.MergedInto != "" {
			into := s.Ideas[i.MergedInto]
			if into == nil || into.Group != i.Group || into.Question != i.Question || into.ID == i.ID {
				tb.Fatalf("idea %s is merged into %q, which is no idea of its group and question", id, i.MergedInto)
			}
		}
	}
	for k, n := range used {
		if n > s.VotesPerPerson {
			tb.Fatalf("%s gave %d votes on %s; the budget is %d", k[0], n, k[1], s.VotesPerPerson)
		}
		if got := s.VotesUsed(k[0], k[1]); got != n {
			tb.Fatalf("VotesUsed(%s, %s) = %d; want %d", k[0], k[1], got, n)
		}
	}
}

// checkView checks that the view of v holds nothing v may not see: other
// groups (unless v is an organizer), secrets of the relay, and the
// author of another person's anonymous idea.
func checkView(tb tester, s *session.State, v session.Viewer, view *session.State) {
	tb.Helper()
	if len(view.Codes) > 0 || len(view.Done) > 0 {
		tb.Fatalf("view of %s holds codes or op outcomes", v.ID)
	}
	b, err := view.MarshalSnapshot()
	if err != nil {
		tb.Fatalf("encode view of %s: %v", v.ID, err)
	}
	for _, secret := range []string{`"token_hash"`, `"codes"`, `"done"`} {
		if bytes.Contains(b, []byte(secret)) {
			tb.Fatalf("view of %s holds %s: %s", v.ID, secret, b)
		}
	}
	public := s.PhaseOf() != session.PhaseRooms
	for p := range view.Answers {
		if p != v.ID {
			tb.Fatalf("view of %s holds the answers of %s", v.ID, p)
		}
	}
	for p := range view.PriorityBy {
		if p != v.ID {
			tb.Fatalf("view of %s holds the priority votes of %s", v.ID, p)
		}
	}
	if v.Role != session.Organizer {
		if len(view.Priorities) > 0 {
			tb.Fatalf("view of %s holds the priority tally", v.ID)
		}
		for _, it := range view.Survey {
			if r := it.Results; r != nil && (r.ByGroup != nil || r.ByBackground != nil || r.Total.Texts != nil) {
				tb.Fatalf("view of %s holds survey breakdowns or texts", v.ID)
			}
		}
		if len(view.Themes) > 0 && !public {
			tb.Fatalf("view of %s holds themes before the plenary", v.ID)
		}
		if len(view.Recommendations) > 0 && !public {
			tb.Fatalf("view of %s holds recommendations before the plenary", v.ID)
		}
	}
	for _, g := range view.Groups {
		if !v.Sees(g.Name) && !public || g.Name == "" {
			tb.Fatalf("view of %s (%s) holds group %s", v.ID, v.Group, g.Name)
		}
	}
	for _, p := range view.People {
		if !v.Sees(p.Group) || p.TokenHash != "" {
			tb.Fatalf("view of %s (%s) holds person %+v", v.ID, v.Group, p)
		}
	}
	for _, t := range view.Texts {
		if !v.Sees(t.Group) && !(public && publishedOnly(t)) {
			tb.Fatalf("view of %s (%s) holds text %s of %s", v.ID, v.Group, t.Kind, t.Group)
		}
	}
	for id, i := range view.Ideas {
		if !v.Sees(i.Group) && !(public && i.Key && i.Visible()) || i.Group == "" {
			tb.Fatalf("view of %s (%s) holds idea %s of %s", v.ID, v.Group, id, i.Group)
		}
		checkIdea(tb, s, v, i, "view")
	}
}

// checkIdea checks one idea as viewer v is shown it.
func checkIdea(tb tester, s *session.State, v session.Viewer, i *session.Idea, where string) {
	tb.Helper()
	full := s.Ideas[i.ID]
	if full == nil {
		return // an event of an older state; checked when it was made
	}
	mine := full.Author == v.ID
	if i.Mine != mine {
		tb.Fatalf("%s of %s: idea %s mine = %v; want %v", where, v.ID, i.ID, i.Mine, mine)
	}
	if full.Anonymous && !mine && i.Author != "" {
		tb.Fatalf("%s of %s shows author %s of anonymous idea %s", where, v.ID, i.Author, i.ID)
	}
	if !full.Anonymous && i.Author != full.Author || mine && i.Author != v.ID {
		tb.Fatalf("%s of %s: idea %s author %q; want %q", where, v.ID, i.ID, i.Author, full.Author)
	}
}

// checkEvent checks the event e as viewer v is shown it: For and
// Audience agree on whether v sees it, and what v gets hides what View
// hides.
func checkEvent(tb tester, s *session.State, e session.Event, v session.Viewer) (session.Event, bool) {
	tb.Helper()
	ev, ok := e.For(v)
	if _, aok := e.Audience(v); aok != ok {
		tb.Fatalf("%s event %d: Audience(%s) shown = %v, For shown = %v", e.Kind, e.Seq, v.ID, aok, ok)
	}
	private := len(e.Data.Answers) > 0 || e.Data.Priority != nil
	if !ok {
		orgOnly := e.Data.Priority != nil || e.Data.Dismissed != nil || (len(e.Data.Themes) > 0 || len(e.Data.Recommendations) > 0) && !e.Data.Public
		if v.Sees(e.Data.Group) && !(orgOnly && v.Role != session.Organizer) {
			tb.Fatalf("%s event %d of %q not shown to %s of %q", e.Kind, e.Seq, e.Data.Group, v.ID, v.Group)
		}
		return ev, false
	}
	public := e.Data.Public
	if !v.Sees(ev.Data.Group) && !public {
		tb.Fatalf("%s event %d of group %q shown to %s of %q", e.Kind, e.Seq, e.Data.Group, v.ID, v.Group)
	}
	// A survey answer or a priority vote reaches no one but its author
	// as such: the others are shown tallies, without the sender.
	if private && e.By != v.ID {
		if ev.By != "" || len(ev.Data.Answers) > 0 || ev.Data.Priority != nil && (ev.Data.Priority.Mine != nil || v.Role != session.Organizer) {
			tb.Fatalf("%s event %d shows %s's answer or votes to %s: %s", e.Kind, e.Seq, e.By, v.ID, jsonOf(tb, ev))
		}
		if b := jsonOf(tb, ev); strings.Contains(b, `"`+e.By+`"`) {
			tb.Fatalf("%s event %d names its sender %s to %s: %s", e.Kind, e.Seq, e.By, v.ID, b)
		}
	}
	if v.Role != session.Organizer {
		for _, it := range ev.Data.Survey {
			if r := it.Results; r != nil && (r.ByGroup != nil || r.ByBackground != nil || r.Total.Texts != nil) {
				tb.Fatalf("%s event %d shows survey breakdowns or texts to %s", e.Kind, e.Seq, v.ID)
			}
		}
		if p := ev.Data.Priority; p != nil && p.Tally != nil {
			tb.Fatalf("%s event %d shows the priority tally to %s", e.Kind, e.Seq, v.ID)
		}
	}
	for _, g := range ev.Data.Groups {
		if !v.Sees(g.Name) && !public {
			tb.Fatalf("%s event %d shows group %s to %s of %q", e.Kind, e.Seq, g.Name, v.ID, v.Group)
		}
	}
	for _, p := range ev.Data.People {
		if !v.Sees(p.Group) || p.TokenHash != "" {
			tb.Fatalf("%s event %d shows person %+v to %s of %q", e.Kind, e.Seq, p, v.ID, v.Group)
		}
	}
	for _, t := range ev.Data.Texts {
		if !v.Sees(t.Group) && !(public && publishedOnly(t)) {
			tb.Fatalf("%s event %d shows text of %s to %s of %q", e.Kind, e.Seq, t.Group, v.ID, v.Group)
		}
	}
	for _, i := range ev.Data.Ideas {
		if !v.Sees(i.Group) && !(public && i.Key && i.Visible()) {
			tb.Fatalf("%s event %d shows idea %s of %s to %s of %q", e.Kind, e.Seq, i.ID, i.Group, v.ID, v.Group)
		}
		checkIdea(tb, s, v, i, e.Kind+" event")
		// The author of an anonymous idea does not show as the one who
		// added, edited or retracted it either.
		full := s.Ideas[i.ID]
		if full != nil && full.Anonymous && full.Author != v.ID && ev.By == full.Author && ideaByAuthor(e.Kind) {
			tb.Fatalf("%s event %d shows its anonymous author %s to %s", e.Kind, e.Seq, ev.By, v.ID)
		}
	}
	if b := jsonOf(tb, ev); strings.Contains(b, `"token_hash"`) {
		tb.Fatalf("%s event %d for %s holds a token hash: %s", e.Kind, e.Seq, v.ID, b)
	}
	return ev, true
}

// ideaByAuthor reports whether ops of kind are always sent by the idea's
// author.
func ideaByAuthor(kind string) bool {
	return kind == session.KindIdeaAdd || kind == session.KindIdeaEdit || kind == session.KindIdeaRetract
}

// checkAudiences checks that viewers with the same Audience key are
// shown byte-identical events, so the relay may encode once per key.
func checkAudiences(tb tester, e session.Event, viewers []session.Viewer) {
	tb.Helper()
	shown := map[string]string{}
	who := map[string]string{}
	for _, v := range viewers {
		key, ok := e.Audience(v)
		if !ok {
			continue
		}
		ev, _ := e.For(v)
		b := jsonOf(tb, ev)
		if prev, seen := shown[key]; seen && prev != b {
			tb.Fatalf("%s event %d: audience %q gives %s %s but %s %s", e.Kind, e.Seq, key, who[key], prev, v.ID, b)
		}
		shown[key], who[key] = b, v.ID
	}
}

// publishedOnly reports whether a text holds nothing but a published
// summary: what the plenary shows of another group.
func publishedOnly(t *session.Text) bool {
	return t.Kind == session.Summary && t.Published != nil && t.Body == t.Published.Body &&
		t.Version == t.Published.Version && len(t.Versions) == 0
}
