package bench

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", []time.Duration{7}, 50, 7},
		{"one p99", []time.Duration{7}, 99, 7},
		{"two p50 is the lower", []time.Duration{1, 2}, 50, 1},
		{"two p99 is the upper", []time.Duration{1, 2}, 99, 2},
		{"odd median", []time.Duration{1, 2, 3}, 50, 2},
		{"100 p50", hundred, 50, 50},
		{"100 p99", hundred, 99, 99},
		{"100 p100", hundred, 100, 100},
		{"100 p1", hundred, 1, 1},
		{"100 p0.5 rounds up to the first", hundred, 0.5, 1},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%s, %v) = %v; want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	d := []time.Duration{5, 1, 4, 2, 3}
	got := Summarize(d)
	want := Summary{N: 5, P50: 3, P99: 5, Max: 5}
	if got != want {
		t.Errorf("Summarize = %+v; want %+v", got, want)
	}
	if d[0] != 1 || d[4] != 5 {
		t.Errorf("Summarize left %v; want it sorted in place", d)
	}
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v; want the zero Summary", got)
	}
}

func TestMarker(t *testing.T) {
	tests := []struct {
		frame string
		want  int
		ok    bool
	}{
		{`{"type":"event","seq":9,"data":{"ideas":[{"text":"#b42# an idea"}]}}`, 42, true},
		{`{"type":"event","seq":9,"data":{"text":"#b0# x"}}`, 0, true},
		{`{"type":"event","seq":9,"kind":"person.join"}`, 0, false},
		{`{"type":"event","text":"#bx#"}`, 0, false},
	}
	for _, tt := range tests {
		n, ok := marker([]byte(tt.frame))
		if n != tt.want || ok != tt.ok {
			t.Errorf("marker(%s) = %d, %v; want %d, %v", tt.frame, n, ok, tt.want, tt.ok)
		}
	}
	if n, ok := intAfter([]byte(`{"type":"ack","id":"b17","seq":123}`), `"seq":`); n != 123 || !ok {
		t.Errorf(`intAfter(ack, "seq") = %d, %v; want 123, true`, n, ok)
	}
}

func TestSlowAppends(t *testing.T) {
	inf := math.Inf(1)
	before := map[float64]float64{0.0256: 10, 0.0512: 12, 0.1024: 12, 0.2048: 12, inf: 12}
	after := map[float64]float64{0.0256: 50, 0.0512: 55, 0.1024: 56, 0.2048: 58, inf: 58}
	n, slowest := slowAppends(before, after, 0.0512)
	if n != 3 || slowest != 0.2048 {
		t.Errorf("slowAppends = %d, %v; want 3 appends over 51 ms, the slowest ≤ 0.2048 s", n, slowest)
	}
	n, slowest = slowAppends(after, after, 0.0512)
	if n != 0 || slowest != 0.0256 {
		t.Errorf("no appends between readings = %d, %v; want 0 and the first bound", n, slowest)
	}
}

func TestSpreadOf(t *testing.T) {
	tests := []struct {
		xs          []float64
		med, spread float64
	}{
		{nil, 0, 0},
		{[]float64{4}, 4, 0},
		{[]float64{9, 1, 5}, 5, 8},
		{[]float64{3, 1}, 2, 2},
		{[]float64{10, 2, 7, 3}, 5, 8},
	}
	for _, tt := range tests {
		xs := append([]float64(nil), tt.xs...)
		med, spread := spreadOf(xs)
		if med != tt.med || spread != tt.spread {
			t.Errorf("spreadOf(%v) = %v, %v; want %v, %v", tt.xs, med, spread, tt.med, tt.spread)
		}
		for i := range xs {
			if xs[i] != tt.xs[i] {
				t.Errorf("spreadOf reordered its input: %v", xs)
			}
		}
	}
	if s := statOf([]float64{7, 2, 4}); s != (stat{4, 2, 7}) {
		t.Errorf("statOf = %+v; want median 4, range 2–7", s)
	}
}

func TestBisectFindsTheLimitWithinTolerance(t *testing.T) {
	for _, limit := range []float64{1000, 1234, 5555, 7273, 9999, 16001, 31000} {
		var tried []float64
		got := bisect(1000, 64000, 0.05, func(r float64) bool {
			tried = append(tried, r)
			return r <= limit
		})
		if got > limit || got*1.05 < limit {
			t.Errorf("limit %v: bisect = %v; want within 5 %% under it (tried %v)", limit, got, tried)
		}
		if len(tried) > 12 {
			t.Errorf("limit %v: %d rates tried (%v); want at most 12", limit, len(tried), tried)
		}
		seen := map[float64]bool{}
		for _, r := range tried {
			if seen[r] {
				t.Errorf("limit %v: rate %v tried twice in %v", limit, r, tried)
			}
			seen[r] = true
		}
	}
}

func TestBisectEnds(t *testing.T) {
	if got := bisect(1000, 8000, 0.05, func(float64) bool { return false }); got != 0 {
		t.Errorf("nothing passes: bisect = %v; want 0", got)
	}
	var tried []float64
	if got := bisect(1000, 6000, 0.05, func(r float64) bool { tried = append(tried, r); return true }); got != 6000 {
		t.Errorf("everything passes: bisect = %v; want the max 6000", got)
	}
	if want := []float64{1000, 2000, 4000, 6000}; !slices.Equal(tried, want) {
		t.Errorf("everything passes: tried %v; want %v", tried, want)
	}
}

// A step whose latencies are all fast but whose ops did not all arrive
// must not report the fast p99: the missing deliveries are timeouts.
func TestTimeoutsCountInTheP99(t *testing.T) {
	var lat []time.Duration
	for range 97 {
		lat = append(lat, time.Millisecond)
	}
	// Two ops sent at 0 and 10 ms, each lacking deliveries when the
	// wait ended at 2 s.
	lat = withTimeouts(lat, []int64{0, int64(10 * time.Millisecond)}, []int{2, 1}, int64(2*time.Second))
	if len(lat) != 100 {
		t.Fatalf("%d samples; want 100", len(lat))
	}
	s := Summarize(lat)
	if s.P99 != 2*time.Second || s.Max != 2*time.Second || s.P50 != time.Millisecond {
		t.Errorf("Summarize = %+v; want p50 1ms, p99 and max 2s (the timeouts)", s)
	}
	if got := withTimeouts(nil, []int64{5}, []int{1}, 3); len(got) != 1 || got[0] != 0 {
		t.Errorf("a send after the end = %v; want a timeout of 0, never negative", got)
	}
}

// tally is the load's own count: an op never acknowledged is reported
// and timed out, an op acknowledged but short of receivers is a gap and
// timed out too, a complete op keeps its latency.
func TestTallyTimesOutIncompleteOps(t *testing.T) {
	l := &load{base: time.Now().Add(-time.Second), ops: make([]opRec, 4)}
	expect := func(*opRec) int { return 3 }
	ms := int64(time.Millisecond)
	// 0: complete; 1: acked, one receiver short; 2: never acked, none
	// delivered; 3: rejected.
	for i := range l.ops {
		l.ops[i].sent.Store(int64(i+1) * ms)
	}
	l.ops[0].acked.Store(5 * ms)
	l.ops[0].count.Store(3)
	l.ops[0].last.Store(4 * ms)
	l.ops[1].acked.Store(6 * ms)
	l.ops[1].count.Store(2)
	l.ops[1].last.Store(3 * ms)
	l.ops[3].rejected.Store(true)
	tt := l.tally(0, 4, -1, expect)
	if tt.sent != 4 || tt.acked != 2 || tt.unacked != 1 || tt.gaps != 1 || tt.missing != 4 || tt.delivered != 5 {
		t.Errorf("tally = %+v; want 4 sent, 2 acked, 1 unacked, 1 gap, 4 missing, 5 delivered", tt)
	}
	if len(tt.lat) != 3 || tt.lat[0] != 4*time.Millisecond || tt.lat[1] < 900*time.Millisecond || tt.lat[2] < 900*time.Millisecond {
		t.Errorf("per-op latencies %v; want 4ms, then two timeouts near 1 s", tt.lat)
	}
	if len(tt.timeouts) != 4 {
		t.Errorf("%d per-delivery timeouts; want 4 (1 + 3)", len(tt.timeouts))
	}
}

// dispatch offers every op due within a step, those due in its last
// moments too, each stamped with the time it fell due: at 20,000 ops/s
// for 20 ms, 400 ops, however late the loop's last wake.
func TestDispatchOffersEveryDueOp(t *testing.T) {
	const rate, dur = 20000.0, 20 * time.Millisecond
	for range 5 {
		l := &load{base: time.Now(), ops: make([]opRec, 1000)}
		c := &client{out: make(chan int, 1000)}
		next := 0
		start := l.now()
		dropped := l.dispatch(context.Background(), Step{Rate: rate, Duration: dur}, []*client{c}, &next)
		if sent := int(l.nops.Load()); sent != 400 || dropped != 0 || len(c.out) != 400 {
			t.Fatalf("dispatch offered %d ops (%d queued, %d dropped); want 400", sent, len(c.out), dropped)
		}
		// Each op is stamped with its due time, 50 µs apart from the start.
		first, last := l.ops[0].sent.Load()-start, l.ops[399].sent.Load()-start
		if step := l.ops[1].sent.Load() - l.ops[0].sent.Load(); step != int64(50*time.Microsecond) || first < 0 || first > int64(time.Millisecond) ||
			last-first != int64(399*50*time.Microsecond) {
			t.Fatalf("ops stamped %v after the start, then every %v, the last %v after the first; want their due times",
				time.Duration(first), time.Duration(step), time.Duration(last-first))
		}
	}
}

// A step that fails is tried once more, unless the job says Once; the
// deliveries counted are those of the tries made. Run against the hub,
// with a p99 bound no step can meet.
func TestFailedStepTriedAgainUnlessOnce(t *testing.T) {
	srv, err := startHub()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	groups, _, err := srv.session(context.Background(), 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, once := range []bool{false, true} {
		job := Job{Kind: "throughput", URL: srv.url, Groups: groups, Steps: []Step{{Rate: 100, Duration: 300 * time.Millisecond}},
			MaxP99: time.Nanosecond, TextLen: 20, Once: once}
		res, err := RunLoad(context.Background(), job, nil)
		if err != nil {
			t.Fatalf("once=%v: %v", once, err)
		}
		tries := 2
		if once {
			tries = 1
		}
		if len(res.Steps) != tries {
			t.Fatalf("once=%v: %d tries; want %d", once, len(res.Steps), tries)
		}
		delivered := 0
		for _, s := range res.Steps {
			if s.Pass || s.Delivered == 0 {
				t.Errorf("once=%v: a try passed or delivered nothing: %+v", once, s)
			}
			delivered += s.Delivered
		}
		if res.Delivered != delivered {
			t.Errorf("once=%v: %d deliveries in all; want the tries' %d", once, res.Delivered, delivered)
		}
	}
}
