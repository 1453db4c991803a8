package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"breakout/relay"
	"breakout/session"
)

// sshSessions and sshGroups size the ssh scenario: people in groups of
// ten, as at a conference.
const (
	sshSessions = 100
	sshGroups   = 10
	sshSamples  = 60
)

// childRelay is `breakout relay --ssh` run as a process of its own, so
// its resident set is the relay's alone.
type childRelay struct {
	cmd   *exec.Cmd
	url   string
	ssh   string // host:port
	codes *relay.Codes
}

// startChildRelay runs the relay binary on loopback with a session of
// sshGroups groups, and waits until it serves.
func (b *runner) startChildRelay(ctx context.Context, name string) (*childRelay, error) {
	dir := b.dataDir(name)
	var plan strings.Builder
	plan.WriteString("title = \"ssh bench\"\n[[question]]\ntext = \"What should we keep?\"\n")
	for g := range sshGroups {
		fmt.Fprintf(&plan, "[[group]]\nname = \"G%d\"\n", g+1)
	}
	planPath, codesPath := filepath.Join(dir, "plan.toml"), filepath.Join(dir, "codes.json")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(planPath, []byte(plan.String()), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, b.exe, "relay", "--listen", "127.0.0.1:0", "--ssh", "127.0.0.1:0",
		"--data", filepath.Join(dir, "data"), "--plan", planPath, "--codes", codesPath)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the relay: %w", err)
	}
	c := &childRelay{cmd: cmd}
	lines := bufio.NewScanner(out)
	listening := regexp.MustCompile(`relay listening on (ws://\S+)`)
	screens := regexp.MustCompile(`ssh screens: ssh -p (\d+) (\S+)`)
	for (c.url == "" || c.ssh == "") && lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			c.url = m[1]
		}
		if m := screens.FindStringSubmatch(lines.Text()); m != nil {
			c.ssh = net.JoinHostPort(m[2], m[1])
		}
	}
	go func() {
		for lines.Scan() {
		}
	}()
	if c.url == "" || c.ssh == "" {
		c.stop()
		return nil, errors.New("the relay did not say where it listens")
	}
	raw, err := os.ReadFile(codesPath)
	if err == nil {
		err = json.Unmarshal(raw, &c.codes)
	}
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("read the codes: %w", err)
	}
	return c, nil
}

func (c *childRelay) stop() {
	c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// rss is the relay process's resident set, after a pause for it to
// settle.
func (c *childRelay) rss() int64 {
	time.Sleep(2 * time.Second)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	return statusField(b, "VmRSS:") * 1024
}

// sshScreen is one SSH session of the bench: a person's terminal.
type sshScreen struct {
	cl   *gossh.Client
	sess *gossh.Session
	in   interface{ Write([]byte) (int, error) }
	mu   sync.Mutex
	out  []byte
	news chan struct{} // a signal that output came
}

var escapes = regexp.MustCompile(`\x1b(\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHM])`)

func openScreen(addr, user string) (*sshScreen, error) {
	cfg := &gossh.ClientConfig{User: user, Timeout: 30 * time.Second,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // loopback, a relay of our own
		Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return nil, nil
		})}}
	cl, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	sess, err := cl.NewSession()
	if err != nil {
		cl.Close()
		return nil, err
	}
	s := &sshScreen{cl: cl, sess: sess, news: make(chan struct{}, 1)}
	in, _ := sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	s.in = in
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		s.close()
		return nil, err
	}
	go func() {
		buf := make([]byte, 8192)
		for {
			n, err := out.Read(buf)
			s.mu.Lock()
			s.out = append(s.out, buf[:n]...)
			s.mu.Unlock()
			select {
			case s.news <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	if err := sess.Shell(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *sshScreen) close() {
	s.sess.Close()
	s.cl.Close()
}

// mark is where the output is now; shows looks after it.
func (s *sshScreen) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.out)
}

// waitShows waits until the output since mark holds text, escape
// sequences taken out.
func (s *sshScreen) waitShows(mark int, text string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		got := strings.Contains(escapes.ReplaceAllString(string(s.out[mark:]), ""), text)
		if len(s.out) > 1<<20 { // keep memory bounded: the room was drawn long ago
			s.out = append([]byte(nil), s.out[len(s.out)-4096:]...)
		}
		s.mu.Unlock()
		if got {
			return true
		}
		select {
		case <-s.news:
		case <-deadline:
			return false
		}
	}
}

// ssh measures the SSH screens: memory per session in the relay process
// and the time from a key press in one session to the idea on another's
// screen, beside the same through the websocket clients of breakout join.
func (b *runner) sshScenario(ctx context.Context) (Result, error) {
	res := Result{What: fmt.Sprintf("%d SSH sessions (%d groups of %d) on one relay process, beside %d websocket clients; "+
		"memory from the relay's resident set, latency from a key press (or send) to the idea in another session of the group",
		sshSessions, sshGroups, sshSessions/sshGroups, sshSessions)}
	if b.exe == "" {
		return res, errors.New("the ssh scenario runs the breakout binary as the relay; it cannot run in process")
	}
	perGroup := sshSessions / sshGroups

	// Over the websocket, as breakout join does.
	wr, err := b.startChildRelay(ctx, "ssh-ws")
	if err != nil {
		return res, err
	}
	base := wr.rss()
	clients := make([]*relay.Client, 0, sshSessions)
	ideas := make([]<-chan string, 0, sshSessions)
	stopReading := make(chan struct{})
	defer func() {
		close(stopReading)
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := range sshSessions {
		g := fmt.Sprintf("G%d", i/perGroup+1)
		c, err := relay.Dial(ctx, relay.ClientConfig{URL: wr.url, Code: wr.codes.Find(g, session.Participant), Name: fmt.Sprintf("Web %d", i)})
		if err != nil {
			wr.stop()
			return res, fmt.Errorf("websocket join %d: %w", i, err)
		}
		clients = append(clients, c)
		ideas = append(ideas, ideaTexts(c, stopReading))
	}
	wsKB := float64(wr.rss()-base) / 1024 / sshSessions
	var wsLat []time.Duration
	for i := range sshSamples {
		g := i % sshGroups
		from, to := clients[g*perGroup], ideas[g*perGroup+1]
		text := fmt.Sprintf("Wq%05d", i)
		t0 := time.Now()
		from.Send(session.NewOp(from.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text}))
		timeout := time.After(5 * time.Second)
	wait:
		for {
			select {
			case got := <-to:
				if got == text {
					wsLat = append(wsLat, time.Since(t0))
					break wait
				}
			case <-timeout:
				break wait
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	wr.stop()

	// Over SSH.
	sr, err := b.startChildRelay(ctx, "ssh-ssh")
	if err != nil {
		return res, err
	}
	defer sr.stop()
	base = sr.rss()
	screens := make([]*sshScreen, sshSessions)
	defer func() {
		for _, s := range screens {
			if s != nil {
				s.close()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, sshSessions)
	sem := make(chan struct{}, 10)
	for i := range sshSessions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			g := fmt.Sprintf("G%d", i/perGroup+1)
			s, err := openScreen(sr.ssh, sr.codes.Find(g, session.Participant))
			if err != nil {
				errs <- fmt.Errorf("ssh session %d: %w", i, err)
				return
			}
			screens[i] = s
			if !s.waitShows(0, "as the others will see it", 20*time.Second) {
				errs <- fmt.Errorf("ssh session %d: no name form", i)
				return
			}
			m := s.mark()
			s.in.Write([]byte(fmt.Sprintf("SSH %d\r\r", i)))
			if !s.waitShows(m, "newest first", 20*time.Second) {
				errs <- fmt.Errorf("ssh session %d: the room did not open", i)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	sshKB := float64(sr.rss()-base) / 1024 / sshSessions
	var sshLat []time.Duration
	missed := 0
	for i := range sshSamples {
		g := i % sshGroups
		from, to := screens[g*perGroup], screens[g*perGroup+1]
		text := fmt.Sprintf("Sq%05d", i)
		from.in.Write([]byte("n"))
		time.Sleep(100 * time.Millisecond)
		from.in.Write([]byte(text))
		time.Sleep(100 * time.Millisecond)
		m := to.mark()
		t0 := time.Now()
		from.in.Write([]byte("\r"))
		if to.waitShows(m, text, 5*time.Second) {
			sshLat = append(sshLat, time.Since(t0))
		} else {
			missed++
		}
	}
	ws, sh := Summarize(wsLat), Summarize(sshLat)
	res.fig("sessions", sshSessions)
	res.fig("ssh_mb_per_session", round(sshKB/1024, 2))
	res.fig("websocket_kb_per_client", round(wsKB, 1))
	res.fig("ssh_p50_ms", ms(sh.P50))
	res.fig("ssh_p99_ms", ms(sh.P99))
	res.fig("websocket_p50_ms", ms(ws.P50))
	res.fig("websocket_p99_ms", ms(ws.P99))
	res.fig("ssh_samples", sh.N)
	res.fig("ssh_missed", missed)
	res.row("memory per person (relay RSS)", fmt.Sprintf("%.0f KB (SSH)", sshKB), fmt.Sprintf("%.0f KB (websocket)", wsKB), ratio(sshKB, wsKB))
	res.row("key press to other screen, p50", fmt.Sprintf("%.1f ms (SSH)", ms(sh.P50)), fmt.Sprintf("%.1f ms (websocket)", ms(ws.P50)), "")
	res.row("key press to other screen, p99", fmt.Sprintf("%.1f ms (SSH)", ms(sh.P99)), fmt.Sprintf("%.1f ms (websocket)", ms(ws.P99)), "")
	res.check(sshKB <= 3*1024, "≤ 3 MB per SSH session", "%.2f MB", sshKB/1024)
	res.check(sh.P99 <= 50*time.Millisecond && missed == 0, "p99 ≤ 50 ms", "%.1f ms, %d missed", ms(sh.P99), missed)
	res.note("the websocket figures stop at the other client's replica; the SSH ones include drawing the screen and the SSH transport")
	return res, nil
}

// ideaTexts reads a client's updates until stop, so its channel never
// fills, and passes on the texts of the ideas added.
func ideaTexts(c *relay.Client, stop <-chan struct{}) <-chan string {
	out := make(chan string, 256)
	go func() {
		for {
			select {
			case u := <-c.Updates():
				if u.Event == nil || u.Event.Kind != session.KindIdeaAdd {
					continue
				}
				for _, i := range u.Event.Data.Ideas {
					select {
					case out <- i.Text:
					default:
					}
				}
			case <-stop:
				return
			}
		}
	}()
	return out
}
