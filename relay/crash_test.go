package relay

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
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
	srv, err := New(context.Background(), Config{Store: StoreConfig{Dir: dir}, OpsPerSecond: 10000, OpBurst: 10000})
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
	http.Serve(ln, srv.Handler()) // until killed
}

type child struct {
	cmd   *exec.Cmd
	url   string
	codes map[string]string // "group/role" → code
}

func startChild(t *testing.T, dir, addr string, create bool) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRelayChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, childEnv+"_ADDR="+addr)
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

// TestCrashKeepsAcknowledgedOps kills the relay with SIGKILL while clients
// add ideas, restarts it, and checks that every acknowledged op is there
// exactly once and that the clients reconnect by themselves and converge.
func TestCrashKeepsAcknowledgedOps(t *testing.T) {
	cycles := 3
	if os.Getenv("BREAKOUT_LONG") != "" {
		cycles = 20
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	ch := startChild(t, dir, addr, true)
	url := ch.url
	codes := ch.codes
	code := codes["Manzoni/participant"]

	const clients = 10
	peers := make([]*peer, clients)
	for i := range peers {
		peers[i] = joinURL(t, url, code, fmt.Sprintf("P%d", i), t.TempDir())
	}
	acked := map[string]bool{}  // idea text of every acknowledged idea.add
	sent := map[string]string{} // op id → text
	n := 0
	for cycle := range cycles {
		// Each client keeps adding ideas; some acks arrive before the kill.
		for range 5 {
			for _, p := range peers {
				n++
				text := fmt.Sprintf("idea %d", n)
				id := p.c.NewOpID()
				sent[id] = text
				if err := p.c.Send(session.NewOp(id, session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range peers {
				p.pump(5 * time.Millisecond)
			}
		}
		ch.kill()
		for _, p := range peers {
			p.pump(10 * time.Millisecond)
			for id := range p.acks {
				acked[sent[id]] = true
			}
		}
		ch = startChild(t, dir, addr, false)
		t.Logf("cycle %d: killed and restarted", cycle+1)
	}
	// Every client sends what is left in its outbox once it is back.
	for _, p := range peers {
		p.waitFor("an empty outbox", func() bool {
			return p.c.Status().State == Live && p.c.Status().Queued == 0
		})
	}
	// The relay's own view, from a fresh client.
	check := joinURL(t, url, codes["/organizer"], "Checker", "")
	counts := map[string]int{}
	for _, i := range check.state.Ideas {
		counts[i.Text]++
	}
	for text := range acked {
		if counts[text] != 1 {
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
	// All clients converge on the relay's state.
	for _, p := range peers {
		p.waitFor("convergence", func() bool { return len(p.state.Ideas) == len(check.state.Ideas) })
	}
	for _, p := range peers {
		p.pump(100 * time.Millisecond)
		for id := range p.acks {
			acked[sent[id]] = true
		}
	}
	if len(acked) != len(sent) {
		t.Errorf("%d of %d ops were acknowledged in the end; want all", len(acked), len(sent))
	}
	rejected := 0
	for _, p := range peers {
		for id, r := range p.rejects {
			rejected++
			t.Errorf("op %s (%s) rejected: %s %s", id, sent[id], r.Code, r.Message)
		}
	}
	t.Logf("%d cycles, %d ideas sent, %d acknowledged, %d rejected", cycles, len(sent), len(acked), rejected)
}
