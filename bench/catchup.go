package bench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// catchUp: a long session; how soon a newcomer is welcomed, and how soon
// a restarted relay serves again.
func (b *runner) catchUp(ctx context.Context) (Result, error) {
	sz := b.sz
	groups, fillers := sz.catchGroups, sz.catchFillers
	res := Result{What: fmt.Sprintf("a session of %s entries in %d groups: a new client's hello until its welcome; a relay restart until a resumed hello is welcomed",
		fmtInt(sz.entries), groups)}
	b.progress("catch-up: filling a session with %s entries", fmtInt(sz.entries))
	srv, err := startRelay(ctx, b.dataDir("catch-up"), 0, 0, false)
	if err != nil {
		return res, err
	}
	defer func() { srv.close() }()
	gs, org, err := srv.session(ctx, groups, fillers)
	if err != nil {
		return res, err
	}
	// Each filler adds a join and an online entry, and an offline one
	// when it leaves; the session's creation is one more.
	ops := sz.entries - 1 - 3*groups*fillers
	if ops <= 0 {
		return res, fmt.Errorf("%d entries are fewer than the fillers' joins", sz.entries)
	}
	fill, err := b.runChild(ctx, Job{Kind: "fill", URL: srv.url, Groups: gs, Ops: ops, TextLen: 80, Dials: 32}, nil)
	if err != nil {
		return res, err
	}
	if fill.Acked < ops*99/100 {
		return res, fmt.Errorf("fill: %d of %d ops acknowledged: %s", fill.Acked, ops, strings.Join(fill.Errors, "; "))
	}
	time.Sleep(500 * time.Millisecond) // the fillers' offline entries
	b.progress("catch-up: welcomes")
	w := b.window("catch-up-welcome")
	wl, err := b.runChild(ctx, Job{Kind: "welcome", URL: srv.url, Groups: gs[:1], OrganizerCode: org, Trials: sz.welcomeTrials},
		w.mark)
	if err != nil {
		return res, err
	}
	b.progress("catch-up: restart")
	stopProf := b.profile("catch-up-restart")
	restart, err := srv.restart(ctx, wl.Resume)
	stopProf()
	if err != nil {
		return res, err
	}
	p, o := wl.Latency["participant"], wl.Latency["organizer"]
	entries := wl.Seq - 1 // the first newcomer's own join is in its seq
	res.fig("entries", entries)
	res.fig("welcome_ms", ms(p.P50))
	res.fig("welcome_max_ms", ms(p.Max))
	res.fig("welcome_organizer_ms", ms(o.P50))
	res.fig("restart_ms", ms(restart))
	res.row("entries in the log", fmtInt(int(entries)), "", "")
	res.row(fmt.Sprintf("new participant's welcome, median of %d", p.N), fmtMs(ms(p.P50)), "", "")
	res.row("  slowest of them", fmtMs(ms(p.Max)), "", "")
	res.row(fmt.Sprintf("new organizer's welcome (every group), median of %d", o.N), fmtMs(ms(o.P50)), "", "")
	res.row("restart until a resumed hello is welcomed", fmtMs(ms(restart)), "", "")
	res.check(p.P50 <= 50*time.Millisecond, "welcome ≤ 50 ms (a participant)", "%s", fmtMs(ms(p.P50)))
	res.check(restart <= time.Second, "restart ≤ 1 s", "%s", fmtMs(ms(restart)))
	relayWarnings(&res, srv)
	if o.P50 > 50*time.Millisecond {
		res.note("an organizer's welcome holds every group's ideas: %s", fmtMs(ms(o.P50)))
	}
	return res, nil
}

// noteErrors adds the first errors the load saw to the result's notes.
func noteErrors(res *Result, outs ...outcome) {
	for _, o := range outs {
		if o.load == nil {
			continue
		}
		for i, e := range o.load.Errors {
			if i == 3 {
				res.note("… and more")
				break
			}
			res.note("load: %s", e)
		}
		if o.load.Lost > 0 {
			res.note("%d connections were lost during the run", o.load.Lost)
		}
		if o.srv != nil {
			relayWarnings(res, o.srv)
		}
	}
}

// relayWarnings adds what the relay logged at warning level.
func relayWarnings(res *Result, s *server) {
	for _, w := range s.logs.list() {
		res.note("the relay warned: %s", w)
	}
}
