package sshd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"breakout/relay"
)

// joiner joins for one SSH session. With a key, each code the key joined
// with has a state directory (resume token and outbox) under the key's,
// and the key's file "last" names the one joined last: `ssh HOST` resumes
// that person without a code. Without a key the state is in memory only.
type joiner struct {
	srv    *Server
	addr   net.Addr
	keyDir string

	mu    sync.Mutex
	given string // the code being joined with
	dir   string // its state directory
}

// internalURL is the relay URL the clients dial; NetDial makes the
// connection in process, so the host never resolves.
const internalURL = "ws://breakout-sshd/ws"

// code joins with a code typed or given as the SSH user.
func (j *joiner) code(ctx context.Context, code string) (*relay.Client, error) {
	dir := j.codeDir(code)
	j.mu.Lock()
	j.given, j.dir = code, dir
	j.mu.Unlock()
	return j.dial(ctx, relay.ClientConfig{Code: code, StateDir: dir})
}

// named joins with the code given before and a name.
func (j *joiner) named(ctx context.Context, name, background string) (*relay.Client, error) {
	j.mu.Lock()
	code, dir := j.given, j.dir
	j.mu.Unlock()
	return j.dial(ctx, relay.ClientConfig{Code: code, Name: name, Background: background, StateDir: dir})
}

// remembered reports whether the key joined before and kept its token.
func (j *joiner) remembered() bool {
	dir := j.lastDir()
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "resume"))
	return err == nil
}

// resume comes back as the person the key joined as last.
func (j *joiner) resume(ctx context.Context) (*relay.Client, error) {
	dir := j.lastDir()
	c, err := j.dial(ctx, relay.ClientConfig{StateDir: dir})
	if err != nil && errors.Is(err, relay.ErrRefused) {
		// The relay forgot that person: start again from the code.
		os.Remove(filepath.Join(j.keyDir, "last"))
		os.Remove(filepath.Join(dir, "resume"))
		return nil, errors.New("this relay no longer knows you; type your join code")
	}
	return c, err
}

func (j *joiner) lastDir() string {
	if j.keyDir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(j.keyDir, "last"))
	name := strings.TrimSpace(string(b))
	if err != nil || name == "" || strings.ContainsAny(name, `/\.`) {
		return ""
	}
	return filepath.Join(j.keyDir, name)
}

// codeDir is the state directory of a code under the key's, "" without
// a key.
func (j *joiner) codeDir(code string) string {
	if j.keyDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(relay.NormalizeCode(code)))
	return filepath.Join(j.keyDir, hex.EncodeToString(sum[:])[:16])
}

// dial joins through the relay's own handler with the SSH client's
// address. A resume token the relay no longer knows is dropped and the
// join made again with the code, as `breakout join` does.
func (j *joiner) dial(ctx context.Context, cfg relay.ClientConfig) (*relay.Client, error) {
	cfg.URL, cfg.NetDial = internalURL, j.srv.local.dialer(j.addr)
	c, err := dialOnce(ctx, cfg)
	if err != nil && errors.Is(err, relay.ErrStaleResume) && cfg.Code != "" && cfg.StateDir != "" {
		os.Remove(filepath.Join(cfg.StateDir, "resume"))
		c, err = dialOnce(ctx, cfg)
	}
	if err == nil && j.keyDir != "" && cfg.StateDir != "" {
		os.WriteFile(filepath.Join(j.keyDir, "last"), []byte(filepath.Base(cfg.StateDir)+"\n"), 0o600)
	}
	return c, err
}

func dialOnce(ctx context.Context, cfg relay.ClientConfig) (*relay.Client, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := relay.Dial(dctx, cfg)
	if err != nil && errors.Is(err, relay.ErrRefused) {
		return nil, fmt.Errorf("the relay refused to let you in: %w", err)
	}
	return c, err
}

// newHostKey makes an ed25519 host key at path, mode 0600.
func newHostKey(dir, path string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "breakout relay")
	if err != nil {
		return nil, err
	}
	b := pem.EncodeToMemory(block)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}

// pipeListener is the relay's in-process listener for the SSH screens:
// each dial is a net.Pipe whose relay side reports the SSH client's
// address, so the relay limits failed joins per SSH client as it does per
// websocket client.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dialer dials the relay on behalf of the SSH client at remote.
func (l *pipeListener) dialer(remote net.Addr) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		select {
		case l.conns <- &peerConn{Conn: server, remote: remote}:
			return client, nil
		case <-l.done:
		case <-ctx.Done():
		}
		client.Close()
		server.Close()
		return nil, errors.New("the SSH server is closing")
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "breakout-sshd" }

// peerConn is the relay's side of a pipe, from the SSH client's address.
type peerConn struct {
	net.Conn
	remote net.Addr
}

func (c *peerConn) RemoteAddr() net.Addr { return c.remote }
