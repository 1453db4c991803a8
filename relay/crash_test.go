package relay

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"breakout/session"
)

// The crash tests run the relay in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL.
const childEnv = "BREAKOUT_RELAY_CHILD_DIR"

// TestRelayChild is not a test: it is the relay process of the crash
// tests, run only when the environment asks for it.
func TestRelayChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("runs only as the child of a crash test")
	}
	if n, err := strconv.ParseUint(os.Getenv(childEnv+"_NOFILE"), 10, 64); err == nil {
		var rl syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
		rl.Cur = n
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
	}
	cfg := Config{Store: StoreConfig{Dir: dir}, OpsPerSecond: 10000, OpBurst: 10000}
	if n, err := strconv.Atoi(os.Getenv(childEnv + "_SNAPSHOT")); err == nil {
		cfg.tuning.snapshotEvery = n
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	addr := os.Getenv(childEnv + "_ADDR")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	if os.Getenv(childEnv+"_CREATE") != "" {
		p, _ := session.ParsePlan("test.toml", []byte(testPlan))
		codes, err := srv.CreateSession(context.Background(), p)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		for _, c := range codes.Codes {
			fmt.Printf("CODE %s %s %s\n", c.Group, c.Role, c.Code)
		}
	}
	fmt.Println("LISTENING", ln.Addr())
	srv.Serve(context.Background(), ln, nil) // until killed
}

type child struct {
	cmd   *exec.Cmd
	url   string
	codes map[string]string // "group/role" → code
}

func startChild(t *testing.T, dir, addr string, create bool, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRelayChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, childEnv+"_ADDR="+addr, childEnv+"_SNAPSHOT=50")
	cmd.Env = append(cmd.Env, env...)
	if create {
		cmd.Env = append(cmd.Env, childEnv+"_CREATE=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start relay child: %v", err)
	}
	c := &child{cmd: cmd, codes: map[string]string{}}
	t.Cleanup(func() { c.kill() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "CODE":
			c.codes[f[1]+"/"+f[2]] = f[3]
		case len(f) == 3 && f[0] == "CODE": // organizer: no group
			c.codes["/"+f[1]] = f[2]
		case len(f) == 2 && f[0] == "LISTENING":
			c.url = "ws://" + f[1] + "/ws"
			go func() {
				for sc.Scan() {
				}
			}()
			return c
		case len(f) > 0 && f[0] == "ERROR":
			t.Fatalf("relay child: %s", sc.Text())
		}
	}
	t.Fatalf("relay child ended before listening")
	return nil
}

func (c *child) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestCrashKeepsAcknowledgedOps kills the relay with SIGKILL at random
// moments while ten clients add ideas and a rapporteur among them writes
// minutes, sometimes again while it recovers, restarts it each time, and
// checks that every acknowledged op is there exactly once, that every op
// sent is applied in the end, that the clients reconnect by themselves,
// and that every client's replica ends equal to the relay's view. The
// child relay snapshots every 50 entries, so restarts load a snapshot and
// replay the tail.
func TestCrashKeepsAcknowledgedOps(t *testing.T) {
	cycles := long(3, 20)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 3))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	addr := freeAddr(t)
	ch := startChild(t, dir, addr, true)
	url := ch.url
	codes := ch.codes
	code := codes["Manzoni/participant"]

	const clients = 10
	peers := make([]*peer, clients)
	for i := range peers {
		c := code
		if i == 0 {
			c = codes["Manzoni/rapporteur"]
		}
		peers[i] = joinURL(t, url, c, fmt.Sprintf("P%d", i), t.TempDir())
	}
	rapporteur := peers[0]
	acked := map[string]bool{}  // op id of every acknowledged op
	sent := map[string]string{} // idea op id → text
	var minutes []string        // minutes texts sent, in order; each adds a line
	n, kills := 0, 0
	harvest := func() {
		for _, p := range peers {
			p.pump(2 * time.Millisecond)
			for id := range p.acks {
				acked[id] = true
			}
		}
	}
	for cycle := range cycles {
		rounds := 1 + rng.IntN(6)
		for range rounds {
			for _, p := range peers {
				n++
				text := fmt.Sprintf("idea %d", n)
				id := p.c.NewOpID()
				sent[id] = text
				op := session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text, Anonymous: n%4 == 0})
				if err := p.c.Send(op); err != nil {
					t.Fatal(err)
				}
			}
			line := fmt.Sprintf("minute line %d", len(minutes)+1)
			body := line
			if len(minutes) > 0 {
				body = minutes[len(minutes)-1] + "\n" + line
			}
			minutes = append(minutes, body)
			id := rapporteur.c.NewOpID()
			if err := rapporteur.c.Send(session.NewOp(id, session.KindMinutesEdit, session.TextEdit{Question: "q1", Text: body})); err != nil {
				t.Fatal(err)
			}
			harvest()
		}
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
		ch.kill()
		kills++
		harvest()
		ch = startChild(t, dir, addr, false)
		if rng.IntN(4) == 0 {
			// Again while it recovers and the clients reconnect.
			time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
			ch.kill()
			kills++
			ch = startChild(t, dir, addr, false)
		}
		t.Logf("cycle %d: %d rounds, then killed and restarted", cycle+1, rounds)
	}
	// Every client sends what is left in its outbox once it is back.
	for _, p := range peers {
		p.waitFor("an empty outbox", func() bool {
			return p.c.Status().State == Live && p.c.Status().Queued == 0
		})
	}
	harvest()
	// The relay's own view, from a fresh member of the group.
	check := joinURL(t, url, code, "Checker", "")
	counts := map[string]int{}
	for _, i := range check.state.Ideas {
		counts[i.Text]++
	}
	for id := range acked {
		if text, ok := sent[id]; ok && counts[text] != 1 {
			t.Errorf("acknowledged %q is in the log %d times; want exactly 1", text, counts[text])
		}
	}
	for text, c := range counts {
		if c != 1 {
			t.Errorf("%q is in the log %d times; want 1", text, c)
		}
	}
	// Every op sent was applied in the end: the outboxes are empty.
	if len(counts) != len(sent) {
		t.Errorf("the log holds %d ideas; %d were sent", len(counts), len(sent))
	}
	m := check.state.Text(session.Minutes, "Manzoni", "q1")
	switch {
	case m == nil:
		t.Errorf("no minutes after %d edits", len(minutes))
	case m.Body != minutes[len(minutes)-1]:
		t.Errorf("minutes end as %q; want the last edit, %q", m.Body, minutes[len(minutes)-1])
	case m.Version != len(minutes):
		t.Errorf("minutes at version %d after %d edits; want each applied exactly once", m.Version, len(minutes))
	}
	// All clients converge on the relay's state.
	deadline := time.Now().Add(20 * time.Second)
	for {
		check.pump(10 * time.Millisecond)
		want := canon(check.state)
		same := 0
		for _, p := range peers {
			p.pump(5 * time.Millisecond)
			if canon(p.state) == want {
				same++
			}
		}
		if same == len(peers) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replicas equal the relay's view after 20 s", same, len(peers))
		}
	}
	harvest()
	all := len(sent) + len(minutes)
	if len(acked) != all {
		t.Errorf("%d of %d ops were acknowledged in the end; want all", len(acked), all)
	}
	rejected := 0
	for _, p := range peers {
		for id, r := range p.rejects {
			rejected++
			t.Errorf("op %s (%s) rejected: %s %s", id, sent[id], r.Code, r.Message)
		}
	}
	t.Logf("%d cycles, %d kills, %d ideas and %d minutes edits sent, %d acknowledged, %d rejected; %d replicas equal the relay's view",
		cycles, kills, len(sent), len(minutes), len(acked), rejected, len(peers))
}
