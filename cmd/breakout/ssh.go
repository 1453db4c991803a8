package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"

	"breakout/relay"
	"breakout/sshd"
)

// sshScreens is a running SSH server of the role screens.
type sshScreens struct {
	// Command is what people type to join, such as "ssh -p 2222 HOST".
	Command string
	// Fingerprint is the host key's, for people to check.
	Fingerprint string
	addr        net.Addr
	stop        func()
}

// As is the ssh line that joins with a code: ssh -p PORT CODE@HOST.
func (s *sshScreens) As(code string) string { return sshCommand(s.addr, code) }

// sshInfo is what the codes JSON says of the SSH screens.
type sshInfo struct {
	Command string `json:"command"`
	HostKey string `json:"host_key"`
}

// listenSSH listens on addr for the SSH screens of srv, before anything
// else starts, so that a port in use is told at once.
func listenSSH(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for ssh on %s: %w (pick another --ssh address)", addr, err)
	}
	return ln, nil
}

// startSSH serves the SSH screens of srv on ln until stop, which tells
// every screen, waits for them to close and must run before the relay
// stops.
func startSSH(srv *relay.Server, ln net.Listener, cfg sshd.Config, logger *slog.Logger) (*sshScreens, error) {
	cfg.Relay, cfg.Logger = srv, logger
	s, err := sshd.New(cfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Serve(ctx, ln); err != nil {
			logger.Error("ssh server stopped", "err", err)
		}
	}()
	var once sync.Once
	return &sshScreens{Command: sshCommand(ln.Addr(), ""), Fingerprint: s.Fingerprint(), addr: ln.Addr(),
		stop: func() { once.Do(func() { cancel(); <-done }) }}, nil
}

// sshCommand is the ssh line for a listener's address, as user when not
// empty: the host name of this machine when it listens on every address.
func sshCommand(a net.Addr, user string) string {
	host, port := "HOST", "22"
	if ta, ok := a.(*net.TCPAddr); ok {
		port = fmt.Sprint(ta.Port)
		switch {
		case !ta.IP.IsUnspecified():
			host = ta.IP.String()
			if ta.IP.To4() == nil {
				host = "[" + host + "]"
			}
		default:
			if h, err := os.Hostname(); err == nil && h != "" {
				host = h
			}
		}
	}
	if user != "" {
		host = user + "@" + host
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}

// Defaults of the relay's --ssh flags, as sshd has them.
const (
	defaultSSHSessions = sshd.DefaultMaxSessions
	defaultSSHIdle     = sshd.DefaultIdleTimeout
)
