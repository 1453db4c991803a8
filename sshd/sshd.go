// Package sshd serves breakout's screens over SSH (charm.land/wish/v2), so
// that joining needs nothing but the ssh client every laptop has. Each SSH
// session is a tui program whose relay.Client joins the relay in process,
// through the same hello, permissions and failed-join limits as `breakout
// join`, with the SSH client's address.
package sshd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"breakout/relay"
	"breakout/tui"
)

// Defaults of Config.
const (
	DefaultMaxSessions = 300
	DefaultIdleTimeout = 30 * time.Minute
)

// Config configures a Server.
type Config struct {
	// Relay is the relay whose sessions the screens join.
	Relay *relay.Server
	// Dir is the relay's data directory: the host key is kept in it,
	// and the resume tokens and outboxes of people with a key under
	// Dir/ssh/.
	Dir string
	// MaxSessions caps the SSH sessions open at once (default
	// DefaultMaxSessions).
	MaxSessions int
	// IdleTimeout closes a session after this long without a key press
	// (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// Extra is more text for the ? help page, as in tui.Options.
	Extra  string
	Logger *slog.Logger
}

// Server is an SSH server of breakout's screens.
type Server struct {
	cfg   Config
	ssh   *ssh.Server
	fp    string
	local *pipeListener
	hs    *http.Server

	open     atomic.Int64
	mu       sync.Mutex
	sessions map[*screen]struct{}
	closing  bool
}

// screen is one SSH session's program.
type screen struct {
	p      *tea.Program
	joined *tui.Joined
	end    func()
	// why the program was closed from outside, said again once the
	// screen is gone, so it stays in the terminal after ssh exits.
	why atomic.Pointer[string]
}

// close closes the program from outside, saying why.
func (sc *screen) close(why string) {
	sc.why.Store(&why)
	sc.p.Send(tui.Closing{Text: why})
}

// New loads the host key from cfg.Dir, making it on first start, and
// returns a server ready to Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Relay == nil {
		return nil, errors.New("sshd: no relay")
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// The Bubble Tea middleware logs every program that ends with its
	// connection (a closed terminal) as an error; that is how sessions end.
	charmlog.SetLevel(charmlog.FatalLevel)
	pem, fp, err := hostKey(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, fp: fp, local: newPipeListener(), sessions: map[*screen]struct{}{}}
	s.hs = &http.Server{Handler: cfg.Relay.Handler(), ReadHeaderTimeout: 10 * time.Second}
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(pem),
		wish.WithVersion("breakout"),
		// Anyone may connect: the join code is the authorization. A key,
		// when the client offers one, is who they are next time.
		wish.WithPublicKeyAuth(func(ssh.Context, ssh.PublicKey) bool { return true }),
		wish.WithKeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }),
		wish.WithMiddleware(
			bubbletea.MiddlewareWithProgramHandler(s.program),
			s.guard,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	srv.HandshakeTimeout = 30 * time.Second
	// A shell and nothing else: no exec, no subsystem (none is
	// registered), no forwarding (no callbacks, no channel handlers
	// besides "session").
	srv.SessionRequestCallback = func(_ ssh.Session, kind string) bool { return kind == "shell" }
	s.ssh = srv
	return s, nil
}

// Fingerprint is the host key's SHA256 fingerprint, as ssh shows it.
func (s *Server) Fingerprint() string { return s.fp }

// Serve serves SSH on ln until ctx ends. Then it tells every screen that
// the relay is shutting down, lets what they saved reach the relay, and
// closes them; the relay must still be serving until Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hdone := make(chan struct{})
	go func() { defer close(hdone); s.hs.Serve(relay.Listener(s.local, 0)) }()
	errc := make(chan error, 1)
	go func() { errc <- s.ssh.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	s.shutdown()
	if err == nil {
		<-errc
	}
	s.hs.Close()
	<-hdone
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// closingText is what every screen shows when the relay shuts down.
const closingText = "The relay is shutting down. What you saved is kept: ssh in again in a minute to carry on."

// shutdown stops accepting, tells every screen, waits a little for their
// outboxes to reach the relay, and closes them.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	screens := make([]*screen, 0, len(s.sessions))
	for sc := range s.sessions {
		screens = append(screens, sc)
	}
	s.mu.Unlock()
	for _, sc := range screens {
		sc.close(closingText)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, sc := range screens {
		for time.Now().Before(deadline) {
			c := sc.joined.Client()
			if c == nil || c.Status().Queued == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// A moment to read the line before the screen goes.
	time.Sleep(time.Second)
	for _, sc := range screens {
		sc.p.Quit()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.ssh.Shutdown(ctx) != nil {
		s.ssh.Close()
	}
}

// guard runs before the program: it turns away a session without a
// terminal, or one over the cap, with one line saying what to do.
func (s *Server) guard(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			wish.Fatalln(sess, "breakout needs a terminal: connect with ssh -t, without a command")
			return
		}
		n := s.open.Add(1)
		defer s.open.Add(-1)
		if n > int64(s.cfg.MaxSessions) {
			wish.Fatalf(sess, "this relay has its %d SSH screens open; try again in a minute, or use breakout join\n", s.cfg.MaxSessions)
			return
		}
		s.mu.Lock()
		closing := s.closing
		s.mu.Unlock()
		if closing {
			wish.Fatalln(sess, closingText)
			return
		}
		next(sess)
		// The program has ended (see program): close what it joined.
		if sc, ok := sess.Context().Value(screenKey{}).(*screen); ok {
			sc.end()
			if why := sc.why.Load(); why != nil {
				wish.Println(sess, *why)
				if u := sc.joined.Unsent(); u != "" {
					// Not sent, so not kept anywhere: the terminal keeps it.
					wish.Println(sess, "\nWhat you were typing, not sent (copy it before you close this window):\n\n"+u)
				}
			}
		}
	}
}

type screenKey struct{}

// program makes a session's program: a join through the relay's own
// handler, with the state of the person's key.
func (s *Server) program(sess ssh.Session) *tea.Program {
	ctx := sess.Context()
	j := &joiner{srv: s, addr: sess.RemoteAddr(), keyDir: s.keyDir(sess.PublicKey())}
	opts := tui.JoinOptions{Heading: "Joining breakout", Code: j.code, Dial: j.named, Extra: s.cfg.Extra}
	if code := userCode(sess.User()); code != "" {
		opts.Start = func(ctx context.Context) (*relay.Client, error) { return j.code(ctx, code) }
	} else if j.remembered() {
		opts.Start = j.resume
	}
	in := &idleReader{r: sess}
	in.touch()
	popts := append(bubbletea.MakeOptions(sess), tea.WithInput(in))
	p, joined := tui.JoinProgram(ctx, opts, popts...)
	sc := &screen{p: p, joined: joined}
	s.mu.Lock()
	s.sessions[sc] = struct{}{}
	s.mu.Unlock()
	idleDone := make(chan struct{})
	go s.watchIdle(in, sc, idleDone)
	sc.end = func() {
		close(idleDone)
		s.mu.Lock()
		delete(s.sessions, sc)
		s.mu.Unlock()
		joined.End()
	}
	sess.Context().SetValue(screenKey{}, sc)
	return p
}

// watchIdle closes a program when no key came for the idle timeout.
func (s *Server) watchIdle(in *idleReader, sc *screen, done <-chan struct{}) {
	t := time.NewTicker(min(s.cfg.IdleTimeout/4, 10*time.Second))
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if in.idle() >= s.cfg.IdleTimeout {
				sc.close(fmt.Sprintf("Closed after %v without a key press; ssh in again to carry on.", s.cfg.IdleTimeout))
				time.Sleep(500 * time.Millisecond)
				sc.p.Quit()
				return
			}
		}
	}
}

// idleReader is the session's input, noting when a key last came.
type idleReader struct {
	r    io.Reader
	last atomic.Int64
}

func (i *idleReader) Read(b []byte) (int, error) {
	n, err := i.r.Read(b)
	if n > 0 {
		i.touch()
	}
	return n, err
}

func (i *idleReader) touch() { i.last.Store(time.Now().UnixNano()) }

func (i *idleReader) idle() time.Duration { return time.Since(time.Unix(0, i.last.Load())) }

// userCode is the join code in `ssh CODE@HOST`, or "" when the user name
// is not shaped like one (ssh sends the local login name by default).
func userCode(user string) string {
	n := relay.NormalizeCode(user)
	if len(n) != 13 || !strings.ContainsAny(user, "-0123456789") {
		return ""
	}
	for _, r := range n {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return user
}

// keyDir is the state directory of a client's key, "" without one.
func (s *Server) keyDir(k ssh.PublicKey) string {
	if k == nil || s.cfg.Dir == "" {
		return ""
	}
	sum := sha256.Sum256(k.Marshal())
	return filepath.Join(s.cfg.Dir, "ssh", hex.EncodeToString(sum[:])[:32])
}

// hostKey reads dir/ssh_host_ed25519_key, making it (mode 0600) on first
// start, and returns it with its fingerprint.
func hostKey(dir string) ([]byte, string, error) {
	if dir == "" {
		return nil, "", errors.New("sshd: no data directory for the host key")
	}
	path := filepath.Join(dir, "ssh_host_ed25519_key")
	pem, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		pem, err = newHostKey(dir, path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("ssh host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		return nil, "", fmt.Errorf("ssh host key %s is damaged: %w; move it away to make a new one", path, err)
	}
	return pem, gossh.FingerprintSHA256(signer.PublicKey()), nil
}
