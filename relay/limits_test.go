package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// Limits that must hold against one address or one person that sends
// in parallel.

// TestParallelGuessesAreLimited sends 150 hellos with wrong codes at
// once, the right code among them, then wrong admin tokens and wrong
// export codes at once from other addresses: each address gets at most
// the burst of failures the join limiter forgives, however many arrive
// together.
func TestParallelGuessesAreLimited(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)

	const n = 150
	answers := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		d := websocket.Dialer{NetDialContext: dialFrom("127.0.0.1")}
		ws, _, err := d.Dial(tr.url, nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer ws.Close()
		h := session.Hello{Type: session.MsgHello, Code: fmt.Sprintf("aaaa-bbbb-%05d", i), Name: "Mallory"}
		if i == n/2 {
			h.Code = code
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ws.WriteJSON(h)
			f, err := readFrame(ws, 20*time.Second)
			if err != nil {
				answers[i] = "no answer: " + err.Error()
				return
			}
			var e session.Error
			json.Unmarshal(f.raw, &e)
			answers[i] = f.Type + " " + e.Code
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	// The address gets a token back every joinInterval: a busy machine
	// may take that long to read all the hellos.
	allowed := func(t0 time.Time) int { return joinBurst + int(time.Since(t0)/joinInterval) }
	count := map[string]int{}
	for _, a := range answers {
		count[a]++
	}
	t.Logf("answers to %d hellos at once in %v: %v", n, time.Since(t0).Round(time.Millisecond), count)
	if bad, most := count["error "+session.ErrCodeBadCode], allowed(t0); bad > most {
		t.Errorf("%d hellos at once were answered bad_code; want at most the burst of %d (%d in the time they took)", bad, joinBurst, most)
	}
	if count["error "+session.ErrCodeBadCode]+count["error "+session.ErrCodeTooMany]+count["welcome "] != n {
		t.Errorf("answers %v; want only bad_code, too_many_attempts and welcome", count)
	}

	// The admin API and the export, each from an address of its own.
	parallel := func(from, what string, req func() *http.Request) (map[int]int, int) {
		client := &http.Client{Transport: &http.Transport{DialContext: dialFrom(from), MaxConnsPerHost: 0}}
		t0 := time.Now()
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := client.Do(req())
				if err != nil {
					t.Errorf("%s: %v", what, err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		t.Logf("%s, 60 at once in %v: %v", what, time.Since(t0).Round(time.Millisecond), statuses)
		return statuses, allowed(t0)
	}
	base := tr.http.URL
	st, most := parallel("127.0.0.3", "POST /api/sessions with a wrong token", func() *http.Request {
		r, _ := http.NewRequest(http.MethodPost, base+"/api/sessions", strings.NewReader(testPlan))
		r.Header.Set("Authorization", "Bearer wrong")
		return r
	})
	if st[http.StatusUnauthorized] > most {
		t.Errorf("%d wrong admin tokens at once were tried; want at most %d", st[http.StatusUnauthorized], most)
	}
	st, most = parallel("127.0.0.4", "GET /api/export with a wrong code", func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, base+"/api/export", nil)
		r.Header.Set("Authorization", "Code aaaa-bbbb-cccc")
		return r
	})
	if st[http.StatusUnauthorized] > most {
		t.Errorf("%d wrong export codes at once were tried; want at most %d", st[http.StatusUnauthorized], most)
	}
}

// dialFrom dials from a loopback address of its own, as another
// machine would.
func dialFrom(local string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext
}

// TestOpLimitIsPerPerson sends ops as fast as possible on 5 connections
// of one person (one resume token): together they get the one person's
// rate, not five times it.
func TestOpLimitIsPerPerson(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 20, OpBurst: 40})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	first := rawDial(t, tr.url)
	w := rawHello(t, first, session.Hello{Type: session.MsgHello, Code: code, Name: "Flo"})
	const conns, each = 5, 80
	start := time.Now()
	acked := make([]int, conns)
	var wg sync.WaitGroup
	for i := range conns {
		ws := rawDial(t, tr.url)
		rawHello(t, ws, session.Hello{Type: session.MsgHello, Resume: w.Resume})
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range each {
				op := session.OpMsg{Type: session.MsgOp, ID: fmt.Sprintf("c%d-%d", i, j), Kind: session.KindIdeaAdd,
					Data: mustJSON(session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %d/%d", i, j)})}
				if err := ws.WriteJSON(op); err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for answered := 0; answered < each; {
				f, err := readFrame(ws, 10*time.Second)
				if err != nil {
					t.Errorf("connection %d: %v after %d answers", i, err, answered)
					return
				}
				switch f.Type {
				case session.MsgAck:
					acked[i]++
					answered++
				case session.MsgReject:
					answered++
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	total := 0
	for _, n := range acked {
		total += n
	}
	most := 40 + int(20*took.Seconds()) + 2
	t.Logf("%d ops on %d connections of one person in %v: %d acknowledged (%v each)", conns*each, conns, took.Round(time.Millisecond), total, acked)
	if total > most {
		t.Errorf("one person on %d connections got %d ops acknowledged in %v; want at most %d (burst 40, 20 a second)",
			conns, total, took.Round(time.Millisecond), most)
	}
}

// TestExportsAreLimited has 16 goroutines fetch /api/export with a right
// code for two seconds from one address: the address gets its burst and
// then one every exportInterval, and the rest are told to wait.
func TestExportsAreLimited(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "", session.Organizer)
	client := &http.Client{Transport: &http.Transport{DialContext: dialFrom("127.0.0.5"), MaxIdleConnsPerHost: 16}}
	start := time.Now()
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 2*time.Second {
				r, _ := http.NewRequest(http.MethodGet, tr.http.URL+"/api/export", nil)
				r.Header.Set("Authorization", "Code "+code)
				resp, err := client.Do(r)
				if err != nil {
					t.Errorf("export: %v", err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	most := exportBurst + int(took/exportInterval) + 1
	t.Logf("exports in %v from one address: %v", took.Round(time.Millisecond), statuses)
	if statuses[http.StatusOK] > most {
		t.Errorf("%d exports in %v from one address; want at most %d", statuses[http.StatusOK], took.Round(time.Millisecond), most)
	}
	if statuses[http.StatusOK] == 0 {
		t.Errorf("no export went through; want the burst of %d", exportBurst)
	}
	// Another address is not affected.
	r, _ := http.NewRequest(http.MethodGet, tr.http.URL+"/api/export", nil)
	r.Header.Set("Authorization", "Code "+code)
	resp, err := http.DefaultClient.Do(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("export from another address = %v, %v; want 200", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// TestIdleConnectionsCannotExhaustDescriptors opens 400 idle keep-alive
// HTTP connections from one address to a relay (a child process) whose
// descriptor limit is 256, then joins from another address: the join
// must get its welcome. Without caps the idle connections took every
// descriptor (accept4: too many open files) and the join timed out.
func TestIdleConnectionsCannotExhaustDescriptors(t *testing.T) {
	ch := startChild(t, t.TempDir(), freeAddr(t), true, childEnv+"_NOFILE=256")
	host := strings.TrimSuffix(strings.TrimPrefix(ch.url, "ws://"), "/ws")
	open := 0
	for range 400 {
		c, err := dialFrom("127.0.0.1")(context.Background(), "tcp", host)
		if err != nil {
			continue
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
		open++
	}
	time.Sleep(200 * time.Millisecond)
	d := websocket.Dialer{NetDialContext: dialFrom("127.0.0.2"), HandshakeTimeout: 10 * time.Second}
	ws, _, err := d.Dial(ch.url, nil)
	if err != nil {
		t.Fatalf("%d idle connections from one address, then a join from another: dial: %v", open, err)
	}
	defer ws.Close()
	ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: ch.codes["Manzoni/participant"], Name: "Real"})
	f, err := readFrame(ws, 10*time.Second)
	if err != nil || f.Type != session.MsgWelcome {
		t.Fatalf("%d idle connections from one address, then a join from another: %s, %v; want a welcome", open, f.raw, err)
	}
}

// TestIdleKeepAliveIsClosed leaves a keep-alive connection idle after a
// request: the relay closes it after its idle timeout.
func TestIdleKeepAliveIsClosed(t *testing.T) {
	cfg := Config{Store: StoreConfig{Dir: t.TempDir()}}
	cfg.tuning.idleTimeout = 300 * time.Millisecond
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln, nil); close(done) }()
	defer func() { cancel(); <-done }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	start := time.Now()
	var rerr error
	for rerr == nil {
		_, rerr = c.Read(buf)
	}
	if ne, ok := rerr.(net.Error); ok && ne.Timeout() {
		t.Fatalf("an idle keep-alive connection was still open after %v; want it closed after 300ms", time.Since(start).Round(time.Millisecond))
	}
}

// TestWelcomesStayWithinBudget has 60 sockets send a resume hello into
// a session whose welcome is about 1 MB, and never read: the welcomes
// waiting to be written must stay within the relay's welcome budget
// (4 MiB here), not take a megabyte each. Measured as the growth of the
// process's heap, where the welcomes wait.
func TestWelcomesStayWithinBudget(t *testing.T) {
	tr := startRelay(t, "", Config{OpsPerSecond: 1e6, OpBurst: 1e6, WelcomeBytes: 4 << 20})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	ws := rawDial(t, tr.url)
	w := rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: "Writer"})
	const ideas = 1100
	go func() {
		for i := range ideas {
			ws.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: fmt.Sprintf("i%d", i), Kind: session.KindIdeaAdd,
				Data: mustJSON(session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("%d %s", i, strings.Repeat("x", 900))})})
		}
	}()
	for acks := 0; acks < ideas; {
		f, err := readFrame(ws, 30*time.Second)
		if err != nil {
			t.Fatalf("after %d acks: %v", acks, err)
		}
		if f.Type == session.MsgAck {
			acks++
		}
		if f.Type == session.MsgReject {
			t.Fatalf("rejected: %s", f.raw)
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	small := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	d := websocket.Dialer{NetDialContext: small.DialContext}
	for i := range 60 {
		c, _, err := d.Dial(tr.url, nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
		c.WriteJSON(session.Hello{Type: session.MsgHello, Resume: w.Resume})
	}
	time.Sleep(2 * time.Second)
	grew := int64(heap()) - int64(before)
	t.Logf("heap grew %.1f MB with 60 welcomes of about 1 MB unread; %d bytes of welcomes wait", float64(grew)/1e6, tr.srv.welcomeBytes.Load())
	if grew > 24<<20 {
		t.Errorf("heap grew %.1f MB with 60 unread welcomes; want the 4 MiB welcome budget to hold", float64(grew)/1e6)
	}
}

// TestOneCodeMakesAtMostMaxPerCode joins with one shared code until the
// plan's max_per_code (3 here) is reached: the next join is refused
// closed, however fast they come, until the chair removes someone; the
// removed person's connections close with error removed, their resume
// token is refused, and their idea stays.
func TestOneCodeMakesAtMostMaxPerCode(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create("max_per_code = 3\n" + testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	chair := tr.join(codes.code(t, "Manzoni", session.Chair), "Chair")
	var welcomes []session.Welcome
	var spamWS *websocket.Conn
	for i := range 3 {
		ws := rawDial(t, tr.url)
		welcomes = append(welcomes, rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: code, Name: fmt.Sprintf("Spam %d", i)}))
		spamWS = ws
	}
	join := func(name string) frame {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: code, Name: name})
		f, err := readFrame(ws, 10*time.Second)
		if err != nil {
			t.Fatalf("hello %s: %v", name, err)
		}
		return f
	}
	f := join("Spam 4")
	var e session.Error
	json.Unmarshal(f.raw, &e)
	if f.Type != session.MsgError || e.Code != string(session.CodeClosed) {
		t.Fatalf("a 4th join with a code capped at 3 = %s; want error closed", f.raw)
	}
	t.Logf("4th join: %s", e.Message)
	// The last spammer adds an idea, then the chair removes them.
	spam := welcomes[2].You
	spamWS.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: "s-1", Kind: session.KindIdeaAdd,
		Data: mustJSON(session.IdeaAdd{Question: "q1", Text: "spam"})})
	chair.waitFor("the spam idea", func() bool { return len(chair.state.Ideas) == 1 })
	chair.mustSend(session.KindPersonRemove, session.PersonRemove{Person: spam.ID})
	var last frame
	for {
		f, err := readFrame(spamWS, 10*time.Second)
		if err != nil {
			break
		}
		last = f
	}
	json.Unmarshal(last.raw, &e)
	if last.Type != session.MsgError || e.Code != session.ErrCodeRemoved {
		t.Errorf("the removed person's last frame = %s; want error removed", last.raw)
	}
	ws := rawDial(t, tr.url)
	ws.WriteJSON(session.Hello{Type: session.MsgHello, Resume: welcomes[2].Resume})
	if f, err := readFrame(ws, 10*time.Second); err != nil || !strings.Contains(string(f.raw), session.ErrCodeRemoved) {
		t.Errorf("the removed person's resume = %s, %v; want error removed", f.raw, err)
	}
	if f := join("After removal"); f.Type != session.MsgWelcome {
		t.Errorf("a join after a removal = %s; want a welcome", f.raw)
	}
	if s := roomState(t, tr.srv, codes.Session); len(s.Ideas) != 1 || !s.People[spam.ID].Removed {
		t.Errorf("after the removal: %d ideas, person %+v; want the idea kept and the person removed", len(s.Ideas), s.People[spam.ID])
	}
}

// TestMetricsNeedTheAdminToken: /metrics on the public listener answers
// 401 without the admin token (and counts the failure), the metrics with
// it; MetricsHandler, for a private listener, needs none.
func TestMetricsNeedTheAdminToken(t *testing.T) {
	tr := startRelay(t, "", Config{})
	get := func(token string) (int, string) {
		r, _ := http.NewRequest(http.MethodGet, tr.http.URL+"/metrics", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(""); code != http.StatusUnauthorized || strings.Contains(body, "breakout_connections") {
		t.Errorf("/metrics without a token = %d %.80q; want 401 and no metrics", code, body)
	}
	if code, _ := get("wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token = %d; want 401", code)
	}
	if n := counter(t, tr.srv.metrics.failedJoins); n != 2 {
		t.Errorf("failed joins after two unauthorized scrapes = %v; want 2", n)
	}
	if code, body := get(tr.srv.AdminToken()); code != http.StatusOK || !strings.Contains(body, "breakout_connections") {
		t.Errorf("/metrics with the admin token = %d %.80q; want 200 and the metrics", code, body)
	}
	rec := httptest.NewRecorder()
	tr.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "breakout_log_failing 0") {
		t.Errorf("MetricsHandler = %d; want 200 and the metrics", rec.Code)
	}
}
