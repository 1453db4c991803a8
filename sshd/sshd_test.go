package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"breakout/relay"
	"breakout/relay/relaytest"
	"breakout/session"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("time.Sleep"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats-server/v2/server.(*Server).Start.func1"),
	)
}

const plan = `
title = "SSH session"
[[question]]
text = "What should we keep?"
[[group]]
name = "Manzoni"
`

// fixture is a relay with an SSH server in front of it.
type fixture struct {
	t     *testing.T
	relay *relaytest.Relay
	srv   *Server
	addr  string
	codes *relay.Codes
	dir   string
}

func start(t *testing.T, cfg Config) *fixture {
	t.Helper()
	r := relaytest.Start(t, relay.Config{})
	codes := r.Create(t, plan)
	cfg.Relay = r.Server
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	// Registered after the relay's: runs before it, as the relay command
	// stops the SSH server before the relay.
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &fixture{t: t, relay: r, srv: srv, addr: ln.Addr().String(), codes: codes, dir: cfg.Dir}
}

// term is an SSH session with a pty, and what it has shown.
type term struct {
	t    *testing.T
	cl   *gossh.Client
	sess *gossh.Session
	in   interface{ Write([]byte) (int, error) }
	mu   sync.Mutex
	out  bytes.Buffer
	grid *screenGrid
	done chan struct{}
}

var ansiRE = regexp.MustCompile(`\x1b(\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHM])`)

func (f *fixture) dial(user string, key ed25519.PrivateKey) (*gossh.Client, error) {
	return f.dialFrom("127.0.0.1", user, key)
}

// dialFrom connects from a loopback address of its own, as people on other
// machines would.
func (f *fixture) dialFrom(ip, user string, key ed25519.PrivateKey) (*gossh.Client, error) {
	cfg := &gossh.ClientConfig{User: user, Timeout: 10 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(k); got != f.srv.Fingerprint() {
				return errors.New("host key " + got + " is not " + f.srv.Fingerprint())
			}
			return nil
		}}
	if key != nil {
		signer, err := gossh.NewSignerFromKey(key)
		if err != nil {
			return nil, err
		}
		cfg.Auth = []gossh.AuthMethod{gossh.PublicKeys(signer)}
	} else {
		cfg.Auth = []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })}
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	conn, err := d.Dial("tcp", f.addr)
	if err != nil {
		return nil, err
	}
	c, chans, reqs, err := gossh.NewClientConn(conn, f.addr, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return gossh.NewClient(c, chans, reqs), nil
}

// open connects as user with key (nil: keyboard-interactive, no key),
// asks for an 80x24 pty and a shell.
func (f *fixture) open(user string, key ed25519.PrivateKey) *term {
	f.t.Helper()
	return f.openFrom("127.0.0.1", user, key)
}

func (f *fixture) openFrom(ip, user string, key ed25519.PrivateKey) *term {
	t := f.t
	t.Helper()
	cl, err := f.dialFrom(ip, user, key)
	if err != nil {
		t.Fatalf("ssh dial: %v", err)
	}
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	in, _ := sess.StdinPipe()
	outp, _ := sess.StdoutPipe()
	errp, _ := sess.StderrPipe()
	tm := &term{t: t, cl: cl, sess: sess, in: in, grid: newGrid(80, 24), done: make(chan struct{})}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{outp, errp} {
		wg.Go(func() {
			b := make([]byte, 4096)
			for {
				n, err := r.Read(b)
				tm.mu.Lock()
				tm.out.Write(b[:n])
				tm.grid.Write(b[:n])
				tm.mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(tm.done) }()
	if err := sess.Shell(); err != nil {
		t.Fatalf("shell: %v", err)
	}
	t.Cleanup(tm.close)
	return tm
}

func (tm *term) close() {
	tm.sess.Close()
	tm.cl.Close()
	<-tm.done
}

// shown is what the session printed, without escape sequences.
func (tm *term) shown() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansiRE.ReplaceAllString(tm.out.String(), "")
}

// screen is what the terminal shows now.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.grid.String()
}

// waitFor waits until the screen shows s (or, when the session ended, the
// lines it printed last did).
func (tm *term) waitFor(s string) {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: CI machines are busy
	for time.Now().Before(deadline) {
		if strings.Contains(tm.screen(), s) || strings.Contains(tm.shown(), s) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.t.Fatalf("the screen did not show %q; it shows:\n%s", s, tm.screen())
}

func (tm *term) typ(s string) {
	tm.t.Helper()
	if _, err := tm.in.Write([]byte(s)); err != nil {
		tm.t.Fatalf("type %q: %v", s, err)
	}
	time.Sleep(50 * time.Millisecond)
}

func newKey(t *testing.T) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// watcher joins the group over the websocket, as `breakout join` does.
func (f *fixture) watcher(code string) *relay.Client {
	c, err := relay.Dial(context.Background(), relay.ClientConfig{URL: f.relay.URL, Code: code, Name: "Websocket Wanda"})
	if err != nil {
		f.t.Fatalf("websocket join: %v", err)
	}
	f.t.Cleanup(c.Close)
	return c
}

func waitIdea(t *testing.T, c *relay.Client, text string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case u := <-c.Updates():
			if u.Event != nil && u.Event.Kind == session.KindIdeaAdd {
				for _, i := range u.Event.Data.Ideas {
					if i.Text == text {
						return
					}
				}
			}
		case <-timeout:
			t.Fatalf("the websocket client never saw the idea %q", text)
		}
	}
}

func TestJoinTypeAnIdeaAndResumeByKey(t *testing.T) {
	f := start(t, Config{})
	code := relaytest.Code(t, f.codes, "Manzoni", session.Participant)
	ws := f.watcher(code)
	key := newKey(t)

	tm := f.open("alice", key)
	tm.waitFor("Your join code")
	tm.typ(code + "\r")
	tm.waitFor("Your name")
	tm.typ("Sam Shell\r")
	tm.typ("\r") // no background
	tm.waitFor("What should we keep?")
	tm.typ("n")
	tm.typ("Ferries\r")
	waitIdea(t, ws, "Ferries")
	tm.typ("q")
	select {
	case <-tm.done:
	case <-time.After(30 * time.Second):
		t.Fatal("q did not end the SSH session")
	}

	// The same key comes back without a code, as the same person.
	again := f.open("alice", key)
	again.waitFor("What should we keep?")
	if strings.Contains(again.shown(), "join code") {
		t.Fatalf("the key that joined before was asked for the code again:\n%s", again.screen())
	}
	again.waitFor("Sam Shell")
	if _, err := os.Stat(filepath.Join(f.dir, "ssh_host_ed25519_key")); err != nil {
		t.Fatalf("host key not kept: %v", err)
	}
}

func TestCodeAsUserSkipsTheCodeForm(t *testing.T) {
	f := start(t, Config{})
	code := relaytest.Code(t, f.codes, "Manzoni", session.Chair)
	tm := f.open(code, nil)
	tm.waitFor("Your name")
	if strings.Contains(tm.shown(), "join code") {
		t.Fatalf("ssh CODE@HOST asked for the code:\n%s", tm.screen())
	}
	tm.typ("Carla Chair\r\r")
	tm.waitFor("What should we keep?")
}

func TestWrongCodeIsRefusedAndCounted(t *testing.T) {
	f := start(t, Config{})
	const wrong = "aaaa-bbbb-ccccc"
	tm := f.openFrom("127.0.0.2", "bob", nil)
	tm.waitFor("Your join code")
	tm.typ(wrong + "\r")
	tm.waitFor("not valid on")
	// A burst of mistakes is forgiven, then the address must wait.
	// (enter while a join is under way is ignored: no count is kept.)
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(tm.screen(), "too many failed joins"); {
		if time.Now().After(deadline) {
			t.Fatalf("wrong codes over SSH were never held back:\n%s", tm.screen())
		}
		tm.typ("\r")
		time.Sleep(200 * time.Millisecond)
	}

	// The same limiter as the websocket's: a websocket client from the
	// SSH client's address is held back too…
	from := func(ip string) func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return d.DialContext
	}
	// (Tokens come back while the test runs, one every few seconds, more
	// of them on a busy machine that is slow to get here: each try spends
	// one. An address of its own would have let ten tries through.)
	var err error
	for range 6 {
		_, err = relay.Dial(context.Background(), relay.ClientConfig{URL: f.relay.URL, Code: wrong, NetDial: from("127.0.0.2")})
		if err != nil && strings.Contains(err.Error(), "too many") {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("a websocket join from the SSH client's address = %v after 6 tries; want too many failed joins", err)
	}
	// …and only that address: others, over SSH or not, are told the code
	// is wrong, not locked out.
	_, err = relay.Dial(context.Background(), relay.ClientConfig{URL: f.relay.URL, Code: wrong, NetDial: from("127.0.0.3")})
	if err == nil || strings.Contains(err.Error(), "too many") {
		t.Fatalf("a websocket join from another address = %v; want the code refused, not the address", err)
	}
	other := f.openFrom("127.0.0.4", "carol", nil)
	other.waitFor("Your join code")
	other.typ(wrong + "\r")
	other.waitFor("not valid on")
}

func TestExecAndForwardingAreRefused(t *testing.T) {
	f := start(t, Config{})
	cl, err := f.dial("eve", newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := sess.CombinedOutput("cat /etc/passwd"); err == nil {
		t.Fatalf("exec was run: %q", out)
	}
	sess.Close()
	sess, _ = cl.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Fatal("the sftp subsystem was accepted")
	}
	sess.Close()
	if c, err := cl.Dial("tcp", f.relay.URL[len("ws://"):len(f.relay.URL)-len("/ws")]); err == nil {
		c.Close()
		t.Fatal("local port forwarding was accepted")
	}
	if ln, err := cl.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("remote port forwarding was accepted")
	}
}

// typedAtShutdown joins with role's code as name, opens what keys open
// (the composer, the minutes), types text and shuts the relay down once
// the screen shows it: the text must be handed back to the terminal.
func typedAtShutdown(t *testing.T, role session.Role, name, keys, text string) *term {
	t.Helper()
	f := start(t, Config{})
	tm := f.open(relaytest.Code(t, f.codes, "Manzoni", role), newKey(t))
	tm.waitFor("Your name")
	tm.typ(name + "\r\r")
	tm.waitFor("What should we keep?")
	tm.typ(keys)
	tm.typ(text)
	// Keys still on their way when the relay stops were never typed as far
	// as the program knows: shut down once the screen shows them all.
	tm.waitFor(text)
	f.srv.shutdown()
	tm.waitFor("The relay is shutting down")
	// The words typed and not sent stay in the person's terminal.
	tm.waitFor("not sent")
	if !strings.Contains(tm.shown()[strings.Index(tm.shown(), "not sent"):], text) {
		t.Fatalf("the text being typed was not handed back:\n%s", tm.shown())
	}
	return tm
}

func TestShutdownTellsTheScreens(t *testing.T) {
	tm := typedAtShutdown(t, session.Participant, "Pat", "n", "Half an idea")
	select {
	case <-tm.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the SSH session was not closed")
	}
}

// A rapporteur's minutes typed since the last save are handed back too
// when the relay shuts down: the relay may not take the last save in time.
func TestShutdownHandsBackUnsavedMinutes(t *testing.T) {
	typedAtShutdown(t, session.Rapporteur, "Rita", "\t", "Minutes up to the very end")
}

func TestSessionCap(t *testing.T) {
	f := start(t, Config{MaxSessions: 1})
	a := f.open("one", nil)
	a.waitFor("Your join code")
	b := f.open("two", nil)
	b.waitFor("SSH screens open")
}

func TestIdleTimeout(t *testing.T) {
	f := start(t, Config{IdleTimeout: 300 * time.Millisecond})
	tm := f.open("idle", nil)
	tm.waitFor("without a key press")
	select {
	case <-tm.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the idle session was not closed")
	}
}

func TestUserCode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"k7dm-x3qa-9fhwp", "k7dm-x3qa-9fhwp"},
		{"K7DMX3QA9FHWP", "K7DMX3QA9FHWP"},
		{"alice", ""},
		{"administrator", ""},
		{"k7dm-x3qa-9fhw!", ""},
	} {
		if got := userCode(c.in); got != c.want {
			t.Errorf("userCode(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
