package bench

import (
	"math"
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
