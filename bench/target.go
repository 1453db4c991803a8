package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"breakout/relay"
	"breakout/session"
)

// Relay settings of the bench. The op rate limit is per connection and
// meant for people; the load's clients send faster than people do, so
// the bench lifts it out of the way.
const (
	benchOpsPerSecond = 100000
	benchOpBurst      = 100000
)

// server is a relay or the hub, serving on a loopback port.
type server struct {
	url string
	hs  *http.Server // the hub's
	ln  net.Listener

	relay  *relay.Server
	stop   context.CancelFunc // ends the relay's Serve
	served chan struct{}      // closed when the relay's Serve has returned
	cfg    relay.Config
	logs   *warnings // what the relay warned about
	hub    *Hub
	cf     *centrifuge.Node
}

// listen serves h on a loopback port; sndbuf, when not 0, fixes the
// kernel's send buffer of every accepted connection.
func listen(h http.Handler, sndbuf int) (*http.Server, net.Listener, string, error) {
	var ln net.Listener
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, "", fmt.Errorf("listen on loopback: %w", err)
	}
	if sndbuf > 0 {
		ln = sndbufListener{ln, sndbuf}
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go hs.Serve(ln)
	return hs, ln, "ws://" + ln.Addr().String() + "/ws", nil
}

// sndbufListener fixes the send buffer of the connections it accepts.
// Loopback's autotuned buffers grow to megabytes, where a thin link
// holds a few dozen kilobytes in flight; the slow-consumer scenario
// uses it so the relay's own queue bound is what a stall runs into.
type sndbufListener struct {
	net.Listener
	size int
}

func (l sndbufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// startRelay starts a relay with its embedded NATS server in dir,
// syncing every write (the default) unless noSync. queueBytes 0 keeps the relay's default;
// sndbuf 0 keeps the kernel's.
func startRelay(ctx context.Context, dir string, queueBytes, sndbuf int, noSync bool) (*server, error) {
	logs := &warnings{}
	cfg := relay.Config{
		Store:        relay.StoreConfig{Dir: dir, NoSync: noSync},
		QueueBytes:   queueBytes,
		OpsPerSecond: benchOpsPerSecond,
		OpBurst:      benchOpBurst,
		// Every simulated client comes from loopback.
		MaxConnsPerAddr: 1 << 30,
		FlushLinger:     relay.DefaultFlushLinger,
		SendBuffer:      sndbuf,
		Logger:          slog.New(logs),
	}
	s := &server{cfg: cfg, logs: logs}
	if err := s.openRelay(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) openRelay(ctx context.Context) error {
	srv, err := relay.New(ctx, s.cfg)
	if err != nil {
		return fmt.Errorf("start relay: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Shutdown(context.Background())
		return fmt.Errorf("listen on loopback: %w", err)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(sctx, ln, nil)
	}()
	s.relay, s.stop, s.served, s.ln, s.url = srv, stop, served, ln, "ws://"+ln.Addr().String()+"/ws"
	return nil
}

// startHub starts the baseline hub.
func startHub() (*server, error) {
	h := NewHub()
	mux := http.NewServeMux()
	mux.Handle("/ws", h)
	hs, ln, url, err := listen(mux, 0)
	if err != nil {
		h.Close()
		return nil, err
	}
	return &server{hub: h, hs: hs, ln: ln, url: url}, nil
}

// close stops the server and waits for it.
func (s *server) close() {
	if s.relay != nil {
		s.stop()
		<-s.served
	}
	if s.hub != nil {
		s.hs.Close()
		s.hub.Close()
	}
	if s.cf != nil {
		s.hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s.cf.Shutdown(ctx)
		cancel()
	}
}

// restart shuts the relay down and starts it again on the same data
// directory; it returns how long from the start until a client with
// resume token tok was welcomed.
func (s *server) restart(ctx context.Context, tok string) (time.Duration, error) {
	s.close()
	start := time.Now()
	if err := s.openRelay(ctx); err != nil {
		return 0, err
	}
	ws, w, err := hello(ctx, &websocket.Dialer{HandshakeTimeout: 30 * time.Second}, s.url,
		session.Hello{Type: session.MsgHello, Resume: tok})
	if err != nil {
		return 0, fmt.Errorf("hello after restart: %w", err)
	}
	el := time.Since(start)
	ws.Close()
	if w.Seq == 0 {
		return 0, errors.New("welcome after restart has no seq")
	}
	return el, nil
}

// session creates a session of groups groups and returns them as the load
// joins them (with the participant code of each) and the organizer code.
// The hub and Centrifuge have no sessions: a group's name is its room
// (its channel).
func (s *server) session(ctx context.Context, groups, clients int) ([]JobGroup, string, error) {
	names := make([]string, groups)
	for i := range names {
		names[i] = fmt.Sprintf("G%03d", i+1)
	}
	if s.hub != nil || s.cf != nil {
		out := make([]JobGroup, groups)
		for i, n := range names {
			out[i] = JobGroup{Name: n, Code: n, Clients: clients}
		}
		return out, "", nil
	}
	plan := &session.Plan{Title: "Breakout bench", Questions: []session.PlanQuestion{{ID: "q1", Text: "What should the partnership do next?"}}}
	for _, n := range names {
		plan.Groups = append(plan.Groups, session.PlanGroup{Name: n})
	}
	plan.MaxPerCode = session.MaxMaxPerCode // the bench joins as many as it measures
	plan.Normalize()
	if err := plan.Validate(); err != nil {
		return nil, "", err
	}
	codes, err := s.relay.CreateSession(ctx, plan)
	if err != nil {
		return nil, "", err
	}
	byGroup := map[string]string{}
	org := ""
	for _, c := range codes.Codes {
		switch {
		case c.Role == session.Organizer && c.Name == "":
			org = c.Code
		case c.Role == session.Participant && c.Name == "":
			byGroup[c.Group] = c.Code
		}
	}
	out := make([]JobGroup, groups)
	for i, n := range names {
		out[i] = JobGroup{Name: n, Code: byGroup[n], Clients: clients}
	}
	return out, org, nil
}

// scrape is one reading of the relay's /metrics, by metric name.
type scrape map[string]*dto.MetricFamily

// metrics reads the relay's /metrics, as a scraper would; read several
// figures from one scrape where they belong to one moment.
func (s *server) metrics() scrape {
	if s.relay == nil {
		return nil
	}
	rec := httptest.NewRecorder()
	s.relay.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, _ := parser.TextToMetricFamilies(rec.Body)
	return fams
}

// counter reads one of the relay's counters.
func (m scrape) counter(name string) float64 {
	if f := m[name]; f != nil && len(f.Metric) > 0 {
		return f.Metric[0].GetCounter().GetValue()
	}
	return 0
}

// histogram reads one of the relay's histograms: its cumulative buckets
// (upper bound → observations at or under it, +Inf holding them all) and
// the sum of its observations.
func (m scrape) histogram(name string) (buckets map[float64]float64, sum float64) {
	buckets = map[float64]float64{}
	f := m[name]
	if f == nil || len(f.Metric) == 0 {
		return buckets, 0
	}
	h := f.Metric[0].GetHistogram()
	for _, b := range h.GetBucket() {
		buckets[b.GetUpperBound()] = float64(b.GetCumulativeCount())
	}
	buckets[math.Inf(1)] = float64(h.GetSampleCount())
	return buckets, h.GetSampleSum()
}

// slowAppends compares two readings of the append histogram: how many
// appends between them took longer than over seconds, and the upper
// bound of the slowest one's bucket.
func slowAppends(before, after map[float64]float64, over float64) (n int, slowest float64) {
	total := after[math.Inf(1)] - before[math.Inf(1)]
	n = int(total - (after[over] - before[over]))
	var bounds []float64
	for b := range after {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	for _, b := range bounds {
		if after[b]-before[b] >= total {
			return n, b
		}
	}
	return n, math.Inf(1)
}

// warnings is a slog handler that keeps what the relay warns about, so
// the report can say so: a relay that logs failures is part of a figure.
type warnings struct {
	mu    sync.Mutex
	order []string
	count map[string]int
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler           { return w }
func (w *warnings) WithGroup(string) slog.Handler                { return w }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			b.WriteString(": " + a.Value.String())
		}
		return true
	})
	msg := b.String()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.count == nil {
		w.count = map[string]int{}
	}
	if w.count[msg] == 0 {
		w.order = append(w.order, msg)
	}
	w.count[msg]++
	return nil
}

// list returns each distinct warning with how often it came.
func (w *warnings) list() []string {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, m := range w.order {
		out = append(out, fmt.Sprintf("%s (×%d)", m, w.count[m]))
	}
	return out
}

// appendWatch follows the relay's log appends while a scenario's ops are
// sent, round by round: how many ops an append carried, and the appends
// over 51 ms. An append waits for its fsync and every op behind it waits
// too, so one such append, which the disk and not the relay sets, can
// hold up a round's p99 by itself. Its mark goes to part (or memPart) as
// the extra func; servers other than the relay are left alone.
type appendWatch struct {
	before, opsBefore map[float64]float64
	opsSumBefore      float64
	// slow holds the appends over 51 ms of each round watched, in order.
	slow    []int
	slowest float64
	// ops and appends are summed over all rounds.
	ops, appends float64
}

func (w *appendWatch) mark(s *server, m string) error {
	if s.relay == nil {
		return nil
	}
	switch m {
	case "start":
		sc := s.metrics()
		w.before, _ = sc.histogram("breakout_append_seconds")
		w.opsBefore, w.opsSumBefore = sc.histogram("breakout_append_ops")
	case "stop":
		sc := s.metrics()
		after, _ := sc.histogram("breakout_append_seconds")
		n, top := slowAppends(w.before, after, 0.0512)
		w.slow = append(w.slow, n)
		if n > 0 {
			w.slowest = max(w.slowest, top)
		}
		opsAfter, opsSumAfter := sc.histogram("breakout_append_ops")
		w.ops += opsSumAfter - w.opsSumBefore
		w.appends += opsAfter[math.Inf(1)] - w.opsBefore[math.Inf(1)]
	}
	return nil
}

// total is the appends over 51 ms of all rounds.
func (w *appendWatch) total() int {
	var n int
	for _, s := range w.slow {
		n += s
	}
	return n
}

// report adds the figures slow_appends and ops_per_append, their rows,
// and a note when an append was slow; when names the time watched.
func (w *appendWatch) report(res *Result, when string) {
	slow := w.total()
	res.fig("slow_appends", slow)
	res.row("relay log appends over 51 ms (all rounds)", fmtInt(slow))
	if w.appends > 0 {
		res.fig("ops_per_append", round(w.ops/w.appends, 2))
		res.row("relay: ops per log append (mean, all rounds)", fmt.Sprintf("%.2f", w.ops/w.appends))
	}
	if slow > 0 {
		res.note("%d of the relay's log appends took over 51 ms %s (the slowest ≤ %s): an append waits for its fsync, every op behind it waits too, and this machine's disk stalls an fsync now and then (see docs/performance.md)",
			slow, when, fmtMs(w.slowest*1000))
	}
}

// byRound says, for the relay, how many appends were slow in each round,
// to follow a note of the rounds' figures; "" for any other server.
func (w *appendWatch) byRound(on target) string {
	if on != onRelay || len(w.slow) == 0 {
		return ""
	}
	rs := make([]string, len(w.slow))
	for i, n := range w.slow {
		rs[i] = fmtInt(n)
	}
	return "; its log appends over 51 ms, round by round: " + strings.Join(rs, ", ")
}
