package tui

import (
	"fmt"
	"strings"
	"testing"

	"breakout/relay"
	"breakout/session"
)

// bigWorld is Manzoni with 5,000 ideas on its current question from 50
// people, some threads and votes.
func bigWorld(tb testing.TB) *world {
	w := newWorld(tb)
	w.join("Chiara", session.Chair, "Manzoni")
	for p := range 50 {
		w.join(fmt.Sprintf("Person %02d", p), session.Participant, "Manzoni")
	}
	var ids []string
	for i := range 5000 {
		name := fmt.Sprintf("Person %02d", i%50)
		d := session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("Idea number %d: %s", i, strings.Repeat("we could try this ", 1+i%7))}
		if i%10 == 9 {
			d.BuildsOn = ids[len(ids)-3]
		}
		evs := w.do(name, session.KindIdeaAdd, d)
		ids = append(ids, evs[0].Data.Idea)
	}
	for p := range 50 {
		for v := range 3 {
			w.do(fmt.Sprintf("Person %02d", p), session.KindIdeaVote, session.IdeaRef{Idea: ids[(p*97+v*13)%len(ids)]})
		}
	}
	return w
}

// BenchmarkRenderIdeas5000 renders a frame of a participant's screen on a
// question with 5,000 ideas: the derived list is cached, and only the
// visible rows are drawn.
func BenchmarkRenderIdeas5000(b *testing.B) {
	w := bigWorld(b)
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := w.model("Person 07", size[0], size[1], w.at)
			m = step(m, keyPress("G")) // scrolled to the end
			m.View()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.View()
			}
		})
	}
}

// BenchmarkRebuildIdeas5000 is a frame after the replica changed: the
// list is derived again (sorting, threads) before it is drawn.
func BenchmarkRebuildIdeas5000(b *testing.B) {
	w := bigWorld(b)
	m := w.model("Person 07", 100, 30, w.at)
	ev := w.do("Person 01", session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "one more"})[0]
	v := session.ViewerOf(w.s.People[m.a.me.ID])
	shown, _ := ev.For(v)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m = step(m, relayMsg(relay.Update{Event: &shown}))
		m.View()
	}
}
