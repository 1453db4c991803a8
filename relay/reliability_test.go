package relay

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// Fault tests: connections cut between an op and its ack, a client killed
// with ops in its outbox, a relay cut off NATS, a client that stops
// reading. Nothing lost is the only passing result.

// TestDroppedConnectionBetweenOpAndAck cuts a client's connection right
// after its op frame passed to the relay (or right before, dropping it),
// before the ack could come back. After the client's reconnect the op is
// applied exactly once.
func TestDroppedConnectionBetweenOpAndAck(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	px := newProxy(t, tr.http.Listener.Addr().String())
	ana := joinURL(t, px.url(), code, "Ana", "")
	ben := tr.join(code, "Ben") // direct: sees what the room sees

	rounds := long(12, 200)
	var texts []string
	for i := range rounds {
		text := fmt.Sprintf("idea %d", i)
		texts = append(texts, text)
		drop := i%3 == 2 // every third op is lost on the way instead
		cut := px.cutNext(drop)
		id := ana.c.NewOpID()
		if err := ana.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
			t.Fatal(err)
		}
		select {
		case <-cut:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the op never passed the proxy", i)
		}
		if i%2 == 0 {
			// Hold the client off until the relay has decided, so the
			// ack surely fell into the gap.
			px.goDown()
			if !drop {
				waitUntil(t, 30*time.Second, "the relay to apply "+text, func() bool {
					return textCount(roomState(t, tr.srv, codes.Session), text) == 1
				})
			}
			ana.pump(20 * time.Millisecond)
			if _, ok := ana.acks[id]; ok {
				t.Fatalf("round %d: ack arrived through a cut connection", i)
			}
			if q := ana.c.Status().Queued; q != 1 {
				t.Fatalf("round %d: outbox holds %d ops while the ack is lost; want 1", i, q)
			}
			px.goUp()
		}
		ana.waitFor("ack of "+text, func() bool { _, ok := ana.acks[id]; return ok })
	}
	ben.waitFor("every idea", func() bool { return len(ben.state.Ideas) == rounds })
	relayState := roomState(t, tr.srv, codes.Session)
	for _, text := range texts {
		for who, s := range map[string]*session.State{"relay": relayState, "Ana": ana.state, "Ben": ben.state} {
			if n := textCount(s, text); n != 1 {
				t.Errorf("%s holds %q %d times; want exactly 1", who, text, n)
			}
		}
	}
	if len(ana.rejects) > 0 {
		t.Errorf("rejects: %v", ana.rejects)
	}
	t.Logf("%d cuts between op and ack (%d with the op dropped), each op applied once", rounds, rounds/3)
}

// The client-kill test runs a relay.Client in a child process (this test
// binary, re-executed) so that it can be killed with SIGKILL.
const clientChildEnv = "BREAKOUT_CLIENT_CHILD_DIR"

// TestClientChild is not a test: it is the client process of
// TestClientKilledWithQueuedOps, run only when the environment asks for
// it. It reads commands on stdin and says what it did on stdout.
func TestClientChild(t *testing.T) {
	dir := os.Getenv(clientChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of a client-kill test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	c, err := Dial(ctx, ClientConfig{URL: os.Getenv(clientChildEnv + "_URL"), Code: os.Getenv(clientChildEnv + "_CODE"),
		Name: "Kim", StateDir: dir})
	cancel()
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	you := make(chan string, 1)
	go func() {
		for u := range c.Updates() {
			if u.Welcome != nil {
				select {
				case you <- u.Welcome.You.ID:
				default:
				}
			}
		}
	}()
	fmt.Println("YOU", <-you)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 1 && f[0] == "offline":
			for c.Status().State == Live {
				time.Sleep(5 * time.Millisecond)
			}
			fmt.Println("OFFLINE")
		case len(f) == 3 && f[0] == "send":
			n, _ := strconv.Atoi(f[1])
			for i := range n {
				text := fmt.Sprintf("%s %d", f[2], i)
				if err := c.Send(session.NewOp(c.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
					fmt.Println("ERROR", err)
					os.Exit(1)
				}
				fmt.Println("SENT", i)
			}
		}
	}
	os.Exit(0) // stdin closed: the parent is gone
}

type clientChild struct {
	cmd   *exec.Cmd
	say   func(cmd string) // a command to the child
	lines chan []string
	you   string
}

func startClientChild(t *testing.T, dir, url, code string) *clientChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClientChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), clientChildEnv+"="+dir, clientChildEnv+"_URL="+url, clientChildEnv+"_CODE="+code)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start client child: %v", err)
	}
	c := &clientChild{cmd: cmd, lines: make(chan []string, 1000)}
	t.Cleanup(func() { stdin.Close(); c.kill() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- strings.Fields(sc.Text())
		}
		close(c.lines)
	}()
	f := c.next(t)
	if len(f) != 2 || f[0] != "YOU" {
		t.Fatalf("client child said %q; want YOU id", f)
	}
	c.you = f[1]
	c.say = func(s string) { fmt.Fprintln(stdin, s) }
	return c
}

func (c *clientChild) next(t *testing.T) []string {
	t.Helper()
	select {
	case f, ok := <-c.lines:
		if !ok {
			t.Fatalf("client child ended")
		}
		if len(f) > 0 && f[0] == "ERROR" {
			t.Fatalf("client child: %s", strings.Join(f, " "))
		}
		return f
	case <-time.After(20 * time.Second):
		t.Fatalf("client child said nothing for 20 s")
	}
	return nil
}

func (c *clientChild) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

// TestClientKilledWithQueuedOps kills a client process (SIGKILL) with ops
// in its outbox, once queued while the relay was unreachable and once
// while sending to a live relay, and starts a new client on the same
// state directory: it is the same person and sends every queued op, each
// applied exactly once.
func TestClientKilledWithQueuedOps(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 10000, OpBurst: 10000})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	px := newProxy(t, tr.http.Listener.Addr().String())
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))

	t.Run("queued offline", func(t *testing.T) {
		for round := range long(2, 10) {
			dir := filepath.Join(t.TempDir(), "state")
			ch := startClientChild(t, dir, px.url(), code)
			px.goDown()
			ch.say("offline")
			if f := ch.next(t); f[0] != "OFFLINE" {
				t.Fatalf("child said %q; want OFFLINE", f)
			}
			prefix := fmt.Sprintf("offline-%d", round)
			const n = 5
			ch.say(fmt.Sprintf("send %d %s", n, prefix))
			for range n {
				ch.next(t)
			}
			ch.kill()
			if files, texts := queuedOnDisk(t, dir); files != 1 || len(texts) != n {
				t.Fatalf("outbox on disk after the kill: %d files holding %q; want one holding %d ops", files, texts, n)
			}
			px.goUp()
			p := joinURL(t, tr.url, code, "Kim again", dir)
			if p.you.ID != ch.you {
				t.Fatalf("the restarted client is %s; want the same person %s", p.you.ID, ch.you)
			}
			p.waitFor("an empty outbox", func() bool { return p.c.Status().Queued == 0 })
			p.pump(100 * time.Millisecond)
			s := roomState(t, tr.srv, codes.Session)
			for i := range n {
				text := fmt.Sprintf("%s %d", prefix, i)
				if c := textCount(s, text); c != 1 {
					t.Errorf("%q queued before the kill is in the log %d times; want exactly 1", text, c)
				}
			}
			p.c.Close()
			wantNoOutbox(t, dir)
		}
	})

	t.Run("killed while sending", func(t *testing.T) {
		for round := range long(3, 20) {
			dir := filepath.Join(t.TempDir(), "state")
			ch := startClientChild(t, dir, px.url(), code)
			prefix := fmt.Sprintf("busy-%d", round)
			const n = 40
			killAt := rng.IntN(n)
			ch.say(fmt.Sprintf("send %d %s", n, prefix))
			for {
				f := ch.next(t)
				if i, _ := strconv.Atoi(f[1]); i >= killAt {
					break
				}
			}
			ch.kill()
			p := joinURL(t, px.url(), code, "Kim again", dir)
			if p.you.ID != ch.you {
				t.Fatalf("the restarted client is %s; want the same person %s", p.you.ID, ch.you)
			}
			p.waitFor("an empty outbox", func() bool { return p.c.Status().Queued == 0 })
			s := roomState(t, tr.srv, codes.Session)
			for i := range n {
				text := fmt.Sprintf("%s %d", prefix, i)
				c := textCount(s, text)
				switch {
				case i <= killAt && c != 1:
					t.Errorf("%q, queued before the kill, is in the log %d times; want exactly 1", text, c)
				case c > 1:
					t.Errorf("%q is in the log %d times; want at most 1", text, c)
				}
			}
			p.c.Close()
			wantNoOutbox(t, dir)
		}
	})
}

// TestScaleOutRelayCutOffNATS runs two relays on one NATS server and cuts
// relay A off NATS. A's clients see "reconnecting"; nothing is
// acknowledged that is not in the log; a client behind a load balancer
// moves to relay B, one tied to A waits with its ops in the outbox; when
// A is back, every replica and both relays converge.
func TestScaleOutRelayCutOffNATS(t *testing.T) {
	ns := startNATS(t)
	natsPx := newProxy(t, strings.TrimPrefix(ns.ClientURL(), "nats://"))
	a := startRelay(t, "", Config{Store: StoreConfig{URL: "nats://" + natsPx.addr}, OpsPerSecond: 1000, OpBurst: 1000})
	b := startRelay(t, "", Config{Store: StoreConfig{URL: ns.ClientURL()}, OpsPerSecond: 1000, OpBurst: 1000})
	codes := b.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	lb := newProxy(t, a.http.Listener.Addr().String()) // a load balancer, sending to A for now

	ana := joinURL(t, a.url, code, "Ana", "")      // tied to A
	rita := joinURL(t, lb.url(), code, "Rita", "") // behind the load balancer
	ben := joinURL(t, b.url, code, "Ben", "")      // on B
	peers := []*peer{ana, rita, ben}
	add := func(p *peer, text string) string {
		id := p.c.NewOpID()
		if err := p.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
			t.Fatal(err)
		}
		return id
	}
	sent := 0
	for i := range 3 {
		for _, p := range peers {
			add(p, fmt.Sprintf("before %s %d", p.you.Name, i))
			sent++
		}
	}
	for _, p := range peers {
		p.waitFor("the ideas before the cut", func() bool { return len(p.state.Ideas) == sent })
	}

	for cycle := range long(1, 5) {
		t0 := time.Now()
		natsPx.goDown()
		for _, p := range []*peer{ana, rita} {
			p.waitFor("reconnecting", func() bool { return p.c.Status().State == Reconnecting })
		}
		if a.srv.Healthy() {
			t.Fatalf("relay A reports healthy without NATS")
		}
		t.Logf("cycle %d: clients of A reconnecting after %v", cycle, time.Since(t0))
		lb.setTarget(b.http.Listener.Addr().String()) // the health check moved on

		outage := map[string]string{} // Ana's op ids → texts
		for i := range 5 {
			text := fmt.Sprintf("outage %d Ana %d", cycle, i)
			outage[add(ana, text)] = text
			add(rita, fmt.Sprintf("outage %d Rita %d", cycle, i))
			add(ben, fmt.Sprintf("outage %d Ben %d", cycle, i))
			sent += 3
		}
		rita.waitFor("Rita's acks through relay B", func() bool { return rita.c.Status().Queued == 0 })
		ben.waitFor("Ben's acks", func() bool { return ben.c.Status().Queued == 0 })
		ana.pump(200 * time.Millisecond)
		for id, text := range outage {
			if _, ok := ana.acks[id]; ok {
				t.Errorf("%q was acknowledged while Ana's relay had no log", text)
			}
		}
		if st := ana.c.Status(); st.State == Live || st.Queued != 5 {
			t.Errorf("Ana during the outage: %s with %d queued; want reconnecting with 5", st.State, st.Queued)
		}
		// A refuses her hellos while it has no log.
		ana.waitFor("A to answer unavailable", func() bool {
			return strings.Contains(ana.c.Status().Err, "("+ErrCodeUnavailable+")")
		})

		t.Logf("cycle %d: outage ops done after %v", cycle, time.Since(t0))
		natsPx.goUp()
		ana.waitFor("Ana's outage ops acknowledged by A", func() bool {
			for id := range outage {
				if _, ok := ana.acks[id]; !ok {
					return false
				}
			}
			return true
		})
		t.Logf("cycle %d: Ana's ops acknowledged after %v", cycle, time.Since(t0))
		// The load balancer sends Rita back to A for the next round.
		lb.setTarget(a.http.Listener.Addr().String())
		rita.pump(10 * time.Millisecond)
		w0 := rita.welcomes
		lb.cutAll()
		rita.waitFor("Rita back on A", func() bool { return rita.c.Status().State == Live && rita.welcomes > w0 })
		t.Logf("cycle %d: Rita back on A after %v", cycle, time.Since(t0))
	}

	// Converge: every replica, and both relays.
	for _, p := range peers {
		p.waitFor("all ideas", func() bool { return len(p.state.Ideas) == sent })
	}
	waitUntil(t, 30*time.Second, "both relays to hold the same state", func() bool {
		sa, sb := roomState(t, a.srv, codes.Session), roomState(t, b.srv, codes.Session)
		ja, _ := sa.MarshalSnapshot()
		jb, _ := sb.MarshalSnapshot()
		return string(ja) == string(jb)
	})
	full := roomState(t, b.srv, codes.Session)
	for _, p := range peers {
		p.waitFor("the relay's view", func() bool {
			return canon(p.state) == canon(full.View(session.Viewer{ID: p.you.ID, Role: p.you.Role, Group: p.you.Group}))
		})
	}
	for _, p := range peers {
		p.pump(50 * time.Millisecond)
	}
	counts := map[string]int{}
	for _, i := range full.Ideas {
		counts[i.Text]++
	}
	for text, n := range counts {
		if n != 1 {
			t.Errorf("%q is in the state %d times; want 1", text, n)
		}
	}
	if len(counts) != sent {
		t.Errorf("the state holds %d ideas; %d were sent", len(counts), sent)
	}
	// Every acknowledged op is in the log.
	inLog := map[string]bool{}
	for _, e := range logEntries(t, b.srv.store, codes.Session, 0) {
		inLog[e.By+"/"+e.Op.ID] = true
	}
	for _, p := range peers {
		for id := range p.acks {
			if !inLog[p.you.ID+"/"+id] {
				t.Errorf("%s's op %s was acknowledged but is not in the log", p.you.Name, id)
			}
		}
	}
}

// TestStalledClientIsCutOffAndResumes has more clients than the relay has
// flushers stop reading while
// a rapporteur floods the room with long minutes. The relay's queues stay
// within their bound, the rapporteur and a reading member are not held
// up, the stalled clients are cut off (too_slow) and, resuming from their
// last seq, end with the same state as everyone else.
func TestStalledClientIsCutOffAndResumes(t *testing.T) {
	for round := range long(1, 10) {
		for _, plain := range []bool{false, true} {
			name := fmt.Sprintf("%d/listener", round+1)
			if plain {
				name = fmt.Sprintf("%d/plain", round+1)
			}
			t.Run(name, func(t *testing.T) { stalledRound(t, plain) })
		}
	}
}

func stalledRound(t *testing.T, plain bool) {
	// Small, but twice what one group commit of these minutes fans out at
	// once (up to maxBatchBytes): a client that reads must never be cut.
	const queueBytes = 2 * maxBatchBytes
	tr := startRelaySmallBuffers(t, Config{QueueBytes: queueBytes, OpsPerSecond: 1000, OpBurst: 1000}, plain)
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	rhea := tr.join(codes.code(t, "Manzoni", session.Rapporteur), "Rhea")
	ben := tr.join(code, "Ben")

	// Stalled clients: raw websockets with a small receive buffer, so the
	// relay's writes block soon after they stop reading.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
		}}
		return d.DialContext(ctx, network, addr)
	}}
	type stalled struct {
		ws      *websocket.Conn
		state   *session.State
		resume  string
		since   int64
		you     session.You
		errCode string
	}
	var sts []*stalled
	// More stalled clients than the relay has flushers: none of them may
	// hold up the writes to the others.
	var names []string
	for i := range max(2, runtime.GOMAXPROCS(0)+1) {
		names = append(names, fmt.Sprintf("Stalled %d", i+1))
	}
	for _, name := range names {
		ws, _, err := dialer.Dial(tr.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: name})
		sts = append(sts, &stalled{ws: ws, state: w.Snapshot, resume: w.Resume, since: w.Seq, you: w.You})
	}

	// Watch every connection's queue while the flood runs. A single frame
	// larger than the bound (a welcome) is let into an empty queue.
	var maxQueued, maxFrameSeen int
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := func() *room { tr.srv.roomsMu.Lock(); defer tr.srv.roomsMu.Unlock(); return tr.srv.rooms[codes.Session] }()
		for {
			for _, c := range r.connections() {
				c.mu.Lock()
				maxQueued = max(maxQueued, c.queued)
				for _, f := range c.queue {
					maxFrameSeen = max(maxFrameSeen, len(f))
				}
				c.mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()

	const edits = 100
	var minutes string
	ids := make([]string, edits)
	for i := range edits {
		// The rapporteur keeps rewriting long minutes: every event ~30 KB.
		minutes = fmt.Sprintf("version %d\n%s", i, strings.Repeat(fmt.Sprintf("line of minutes, edit %d\n", i), 1200))
		ids[i] = rhea.c.NewOpID()
		if err := rhea.c.Send(session.NewOp(ids[i], session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: minutes})); err != nil {
			t.Fatal(err)
		}
		// 3 MB a second: far more than a stalled client's buffers and
		// queue hold within the flood, and little enough that a member
		// who reads keeps up on a busy machine under the race detector
		// (unpaced, one in about twenty runs cut off the reading member).
		time.Sleep(10 * time.Millisecond)
	}
	cutOff := func() float64 { return counter(t, tr.srv.metrics.cutOff) }
	waitUntil(t, 60*time.Second, "a stalled client to be cut off", func() bool { return cutOff() >= 1 })

	// The first stalled client reads again at once: it gets what was
	// already on its way, then the too_slow error and the close.
	read := func(s *stalled) {
		for {
			f, err := readFrame(s.ws, 10*time.Second)
			if err != nil {
				return
			}
			switch f.Type {
			case session.MsgEvent:
				var m session.EventMsg
				json.Unmarshal(f.raw, &m)
				s.state.ApplyEvent(m.Event)
				s.since = max(s.since, m.Seq)
			case session.MsgError:
				var e session.Error
				json.Unmarshal(f.raw, &e)
				s.errCode = e.Code
			}
		}
	}
	read(sts[0])
	if sts[0].errCode != session.ErrCodeSlow {
		t.Errorf("the stalled client was told %q before the close; want %q", sts[0].errCode, session.ErrCodeSlow)
	}

	// The rapporteur and the reading member get everything while the
	// second client still does not read: nobody waits for it.
	rhea.waitFor("every ack", func() bool { return len(rhea.acks) == edits })
	ben.waitFor("the last minutes", func() bool {
		m := ben.state.Text(session.Minutes, "Manzoni", "q1")
		return m != nil && m.Version == edits
	})
	for _, st := range sts[1:] {
		read(st)
		if st.errCode != "" && st.errCode != session.ErrCodeSlow {
			t.Errorf("%s was told %q; want %q or a plain close", st.you.Name, st.errCode, session.ErrCodeSlow)
		}
	}
	close(stop)
	wg.Wait()
	if maxQueued > max(queueBytes, maxFrameSeen) {
		t.Errorf("a connection queued %d bytes; the bound is %d", maxQueued, queueBytes)
	}
	if n := cutOff(); n != float64(len(sts)) {
		t.Errorf("%v clients were cut off; want the %d stalled ones", n, len(sts))
	}
	for _, p := range []*peer{rhea, ben} {
		if st := p.c.Status(); st.State != Live || p.welcomes != 1 {
			t.Errorf("%s is %s after %d connections; want live, never cut off", p.you.Name, st.State, p.welcomes)
		}
	}

	// Both resume from their last seq and miss nothing.
	for _, s := range sts {
		ws := rawDial(t, tr.url)
		w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Resume: s.resume, Since: s.since})
		if w.Snapshot != nil {
			s.state = w.Snapshot
		}
		for _, ev := range w.Events {
			s.state.ApplyEvent(ev)
		}
		m := s.state.Text(session.Minutes, "Manzoni", "q1")
		if m == nil || m.Version != edits || m.Body != minutes {
			t.Errorf("%s after resuming: minutes %+v; want version %d with the last text", s.you.Name, m, edits)
		}
		ben.pump(50 * time.Millisecond)
		if got, want := canon(s.state), canon(ben.state); got != want {
			// Ben saw the resumed client come online; compare ideas and texts.
			if canonTexts(s.state) != canonTexts(ben.state) {
				t.Errorf("%s's replica after resuming differs from Ben's", s.you.Name)
			}
		}
	}
}

// canonTexts encodes a replica's ideas and texts only.
func canonTexts(s *session.State) string {
	b, _ := json.Marshal(s.Texts)
	c := canon(&session.State{Ideas: s.Ideas})
	return string(b) + c
}

// TestResumeWithLargeWelcomeInBusyRoom resumes a client whose welcome is
// larger than its queue bound (a snapshot of a big session) while the
// room keeps busy: the welcome must reach it, not be dropped because the
// next event found the queue "full" of the welcome itself.
func TestResumeWithLargeWelcomeInBusyRoom(t *testing.T) {
	const queueBytes = 64 << 10
	tr := startRelay(t, "", Config{QueueBytes: queueBytes, OpsPerSecond: 100000, OpBurst: 100000})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: "Sleepy"})
	ws.Close()
	token := w.Resume

	// A busy room: a raw client adds ideas until the session is bigger
	// than the queue bound, then keeps editing one of them (and reconnects
	// if it is cut off itself).
	const ideas = 2 * queueBytes / 400
	var firstIdea atomic.Int64 // seq of its first idea, from its ack
	busy := rawDial(t, tr.url)
	bw := rawHello(t, busy, session.Hello{Type: session.MsgHello, Code: code, Name: "Busy"})
	busy.Close()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; {
			ws, _, err := websocket.DefaultDialer.Dial(tr.url, nil)
			if err != nil {
				return
			}
			ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: bw.Resume})
			read := make(chan struct{})
			go func() { // read what comes back
				defer close(read)
				for {
					_, b, err := ws.ReadMessage()
					if err != nil {
						return
					}
					var a session.Ack
					if json.Unmarshal(b, &a) == nil && a.Type == session.MsgAck && a.ID == "b0" {
						firstIdea.Store(a.Seq)
					}
				}
			}()
			for ; ; i++ {
				select {
				case <-stop:
					ws.Close()
					<-read
					return
				case <-read:
				default:
					text := fmt.Sprintf("busy idea %d %s", i, strings.Repeat("x", 300))
					op := session.NewOp(fmt.Sprintf("b%d", i), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})
					if first := firstIdea.Load(); i >= ideas && first > 0 {
						op = session.NewOp(fmt.Sprintf("b%d", i), session.KindIdeaEdit, session.IdeaEdit{Idea: fmt.Sprintf("i%d", first), Text: text})
					}
					if ws.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: op.ID, Kind: op.Kind, Data: op.Data}) == nil {
						time.Sleep(time.Millisecond) // busy, with small bursts
						continue
					}
				}
				break
			}
			ws.Close()
			<-read
		}
	}()
	defer func() { close(stop); <-done }()

	// A session bigger than the queue bound: its snapshot is.
	waitUntil(t, 30*time.Second, "the session to grow", func() bool {
		return len(roomState(t, tr.srv, codes.Session).Ideas) >= ideas
	})
	rounds := long(20, 200)
	cut := 0
	for range rounds {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: token}) // since 0: a snapshot
		f, err := readFrame(ws, 10*time.Second)
		ws.Close()
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		if f.Type != session.MsgWelcome {
			cut++
			t.Logf("resume answered with %s", f.raw)
			continue
		}
		if len(f.raw) <= queueBytes {
			t.Errorf("the welcome is %d bytes; the test wants one over the %d-byte queue bound", len(f.raw), queueBytes)
		}
	}
	if cut > 0 {
		t.Errorf("%d of %d resumes got an error instead of their welcome", cut, rounds)
	}
}

// TestGracefulRestartWhileSending stops the relay the ordinary way
// (Ctrl-C: Shutdown drains) while clients add ideas, and starts it again
// on the same data behind the same address: every op is applied once,
// and the clients come back by themselves.
func TestGracefulRestartWhileSending(t *testing.T) {
	dir := t.TempDir()
	tr := startRelay(t, dir, Config{OpsPerSecond: 1000, OpBurst: 1000})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	px := newProxy(t, tr.http.Listener.Addr().String()) // the relay's address, kept across restarts
	var peers []*peer
	for i := range 5 {
		peers = append(peers, joinURL(t, px.url(), code, fmt.Sprintf("G%d", i), t.TempDir()))
	}
	sent := map[string]bool{}
	n := 0
	for restart := range long(3, 20) {
		for range 4 {
			for _, p := range peers {
				n++
				text := fmt.Sprintf("idea %d", n)
				sent[text] = true
				p.c.Send(session.NewOp(p.c.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text}))
			}
			for _, p := range peers {
				p.pump(time.Millisecond)
			}
		}
		tr.stop()
		tr = startRelay(t, dir, Config{OpsPerSecond: 1000, OpBurst: 1000})
		px.setTarget(tr.http.Listener.Addr().String())
		t.Logf("restart %d", restart+1)
	}
	for _, p := range peers {
		p.waitFor("an empty outbox", func() bool { return p.c.Status().State == Live && p.c.Status().Queued == 0 })
	}
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: "Checker"})
	counts := map[string]int{}
	for _, i := range w.Snapshot.Ideas {
		counts[i.Text]++
	}
	for text := range sent {
		if counts[text] != 1 {
			t.Errorf("%q is there %d times; want exactly 1", text, counts[text])
		}
	}
	if len(counts) != len(sent) {
		t.Errorf("%d ideas; %d were sent", len(counts), len(sent))
	}
	for _, p := range peers {
		p.waitFor("the relay's view", func() bool { return len(p.state.Ideas) == len(sent) })
		for id, r := range p.rejects {
			t.Errorf("%s's op %s rejected: %s %s", p.you.Name, id, r.Code, r.Message)
		}
	}
}
