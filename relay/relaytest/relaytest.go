// Package relaytest starts real relays for the tests of packages that talk
// to one: a relay on a real embedded NATS server in a temporary
// directory, serving on a loopback port with Server.Serve, as the relay
// command does. There is no mock of the log or the websocket.
package relaytest

import (
	"context"
	"net"
	"testing"

	"breakout/relay"
	"breakout/session"
)

// Relay is a running test relay.
type Relay struct {
	Server *relay.Server
	URL    string // ws://127.0.0.1:PORT/ws
}

// Start starts a relay with cfg; an empty cfg.Store.Dir gets a temporary
// directory. The relay stops when the test ends.
func Start(t testing.TB, cfg relay.Config) *Relay {
	t.Helper()
	if cfg.Store.Dir == "" && cfg.Store.URL == "" {
		cfg.Store.Dir = t.TempDir()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	srv, err := relay.New(context.Background(), cfg)
	if err != nil {
		ln.Close()
		t.Fatalf("relay.New: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, nil) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("relay: %v", err)
		}
	})
	return &Relay{Server: srv, URL: "ws://" + ln.Addr().String() + "/ws"}
}

// Create creates a session of a TOML plan and returns its codes.
func (r *Relay) Create(t testing.TB, plan string) *relay.Codes {
	t.Helper()
	p, err := session.ParsePlan("test.toml", []byte(plan))
	if err != nil {
		t.Fatalf("ParsePlan: %v", err)
	}
	codes, err := r.Server.CreateSession(context.Background(), p)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return codes
}

// Code returns the code of a role in a group ("" for the organizer),
// failing the test when there is none.
func Code(t testing.TB, codes *relay.Codes, group string, role session.Role) string {
	t.Helper()
	c := codes.Find(group, role)
	if c == "" {
		t.Fatalf("no code for %s %s", group, role)
	}
	return c
}
