// Package demo runs breakout's demonstration: an embedded relay on
// loopback, the sample session, and simulated people who join its groups,
// add and vote on ideas, steer the rooms and write minutes.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"breakout/relay"
	"breakout/session"
)

//go:embed sample.toml
var sampleTOML []byte

// SamplePlan returns the plan of the demo's sample session.
func SamplePlan() *session.Plan {
	p, err := session.ParsePlan("sample.toml", sampleTOML)
	if err != nil {
		panic("demo: the built-in sample plan is invalid: " + err.Error())
	}
	return p
}

// Config configures a demo.
type Config struct {
	// Dir is the data directory; the demo's session is kept there and
	// found again when the demo starts on the same directory.
	Dir string
	// Listen is the relay's address; default a free loopback port.
	Listen string
	// Bots is the number of simulated participants (chairs and
	// rapporteurs come on top, for the seats the user does not take).
	Bots int
	// Role and Group are the seat the user takes; the demo simulates no
	// one in that seat.
	Role  session.Role
	Group string
	// Pace scales how often simulated people act: 1 is a human pace,
	// larger is faster (tests use 20 or more).
	Pace   float64
	Logger *slog.Logger
}

// Demo is a running demo.
type Demo struct {
	URL   string // the relay's websocket URL
	Dir   string
	Codes *relay.Codes

	srv    *relay.Server
	stop   context.CancelFunc // ends Serve
	served chan struct{}      // closed when Serve has returned
	cancel context.CancelFunc
	wg     sync.WaitGroup
	bots   []*bot
}

// codesFile keeps the demo's join codes in its data directory, so a demo
// started again on the same directory can be joined with the same codes.
// A real relay never stores codes; this is a convenience of the demo.
const codesFile = "demo-codes.json"

// Start starts the relay, creates (or finds) the sample session and
// starts the simulated people.
func Start(ctx context.Context, cfg Config) (*Demo, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Pace <= 0 {
		cfg.Pace = 1
	}
	if cfg.Role == "" {
		cfg.Role = session.Organizer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	plan := SamplePlan()
	if cfg.Role != session.Organizer {
		name, ok := plan.GroupName(cfg.Group)
		if !ok {
			return nil, fmt.Errorf("no group %q in the demo; pick Manzoni, Verdi or Rossini", cfg.Group)
		}
		cfg.Group = name
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	srv, err := relay.New(ctx, relay.Config{Store: relay.StoreConfig{Dir: cfg.Dir}, Logger: cfg.Logger,
		FlushLinger: relay.DefaultFlushLinger})
	if err != nil {
		ln.Close()
		return nil, err
	}
	sctx, stop := context.WithCancel(context.Background())
	d := &Demo{URL: "ws://" + ln.Addr().String() + "/ws", Dir: cfg.Dir, srv: srv, stop: stop, served: make(chan struct{})}
	go func() {
		defer close(d.served)
		if err := srv.Serve(sctx, ln, nil); err != nil {
			cfg.Logger.Error("demo relay stopped", "err", err)
		}
	}()
	if d.Codes, err = d.session(ctx, plan); err != nil {
		d.Close()
		return nil, err
	}
	bctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.startBots(bctx, cfg, plan)
	return d, nil
}

// session finds the demo session of an earlier run on this directory, or
// creates it.
func (d *Demo) session(ctx context.Context, plan *session.Plan) (*relay.Codes, error) {
	path := filepath.Join(d.Dir, codesFile)
	if b, err := os.ReadFile(path); err == nil {
		var codes relay.Codes
		if json.Unmarshal(b, &codes) == nil && len(codes.Codes) > 0 {
			if _, _, err := d.srv.PlanSession(ctx, path, plan); err == nil {
				return &codes, nil
			}
		}
	}
	_, codes, err := d.srv.PlanSession(ctx, path, plan)
	if err != nil {
		return nil, err
	}
	if codes == nil {
		return nil, errors.New("the demo session exists but its codes are lost; start the demo on a new --data directory")
	}
	b, _ := json.MarshalIndent(codes, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("keep the demo's codes: %w", err)
	}
	return codes, nil
}

// Server returns the demo's relay, for the SSH screens the demo command
// serves beside it.
func (d *Demo) Server() *relay.Server { return d.srv }

// Code returns the join code of a role in a group ("" for the organizer).
func (d *Demo) Code(group string, role session.Role) string { return d.Codes.Find(group, role) }

// Close stops the simulated people, then the relay.
func (d *Demo) Close() {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	d.stop()
	<-d.served
}
