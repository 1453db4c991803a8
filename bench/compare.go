package bench

import (
	"fmt"
	"strings"
)

// onCentrifuge is the peer written by others (centrifuge.go).
const onCentrifuge target = "centrifuge"

// prefix is how a target's figures are named in the JSON.
func (t target) prefix() string {
	switch t {
	case onHub:
		return "hub_"
	case onCentrifuge:
		return "centrifuge_"
	case onRelayNoSync:
		return "nosync_"
	}
	return "relay_"
}

// rounds runs a part per target per round, the targets taking turns
// (A B C A B C …), so that a busy moment of a shared machine falls on
// all of them alike; it returns each target's outcomes in round order.
func (b *runner) rounds(n int, ons []target, run func(on target) (outcome, error)) (map[target][]outcome, error) {
	outs := map[target][]outcome{}
	for i := range max(n, 1) {
		for _, on := range ons {
			if n > 1 {
				b.progress("round %d of %d", i+1, n)
			}
			o, err := run(on)
			if err != nil {
				return outs, err
			}
			outs[on] = append(outs[on], o)
		}
	}
	return outs, nil
}

// stat is one figure over the rounds: the median and the range.
type stat struct{ med, lo, hi float64 }

func statOf(xs []float64) stat {
	if len(xs) == 0 {
		return stat{}
	}
	med, _ := spreadOf(xs)
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return stat{med, lo, hi}
}

// metric is one row of a side-by-side table: a figure of an outcome,
// its JSON key (after the target's prefix), how it reads, and whether
// the rounds add up (counts) rather than take the median.
type metric struct {
	key, label string
	of         func(outcome) float64
	format     func(float64) string
	sum        bool
	decimals   int
}

// compare writes each metric's row (median and range per target, the
// relay's ratio to each baseline) and figures (median and spread, or the
// sum), and returns the medians (or sums) by key and target.
func compare(res *Result, ons []target, outs map[target][]outcome, ms []metric) map[string]map[target]float64 {
	res.head = nil
	for _, on := range ons {
		res.head = append(res.head, string(on))
	}
	for _, on := range ons[1:] {
		res.head = append(res.head, "relay/"+string(on))
	}
	got := map[string]map[target]float64{}
	for _, m := range ms {
		got[m.key] = map[target]float64{}
		var cells []string
		for _, on := range ons {
			var xs []float64
			for _, o := range outs[on] {
				xs = append(xs, m.of(o))
			}
			s := statOf(xs)
			if m.sum {
				var t float64
				for _, x := range xs {
					t += x
				}
				got[m.key][on] = t
				res.fig(on.prefix()+m.key, round(t, m.decimals))
				cells = append(cells, m.format(t))
				continue
			}
			got[m.key][on] = s.med
			res.fig(on.prefix()+m.key, round(s.med, m.decimals))
			res.fig(on.prefix()+m.key+"_spread", round(s.hi-s.lo, m.decimals))
			cell := m.format(s.med)
			if len(xs) > 1 {
				// The range without its unit, which the median gave.
				num := func(v float64) string { n, _, _ := strings.Cut(m.format(v), " "); return n }
				cell += " (" + num(s.lo) + "–" + num(s.hi) + ")"
			}
			cells = append(cells, cell)
		}
		for _, on := range ons[1:] {
			r := ""
			if !m.sum {
				r = ratio(got[m.key][ons[0]], got[m.key][on])
			}
			cells = append(cells, r)
		}
		res.row(m.label, cells...)
	}
	return got
}

// Figures of an outcome that most scenarios compare.
func p50ms(o outcome) float64  { return ms(o.load.Latency["all"].P50) }
func p99ms(o outcome) float64  { return ms(o.load.Latency["all"].P99) }
func cpuPct(o outcome) float64 { return o.cpu }

// usPerFrame is the server's CPU per delivered frame, in µs: its CPU
// time over the measured window divided by the deliveries the load saw.
// The load runs in another process, so its own cost is left out and
// servers of different protocols compare on what they do.
func usPerFrame(o outcome) float64 {
	if o.load.Delivered == 0 {
		return 0
	}
	return o.cpuSec * 1e6 / float64(o.load.Delivered)
}

var (
	fmtMsOne  = func(v float64) string { return fmt.Sprintf("%.1f ms", v) }
	fmtMsTwo  = func(v float64) string { return fmt.Sprintf("%.2f ms", v) }
	fmtCount  = func(v float64) string { return fmtInt(int(v)) }
	fmtOne    = func(v float64) string { return fmt.Sprintf("%.1f", v) }
	fmtUsFlat = func(v float64) string { return fmt.Sprintf("%.1f µs", v) }
)

// commonMetrics are the rows every traffic scenario shows after its own.
func commonMetrics() []metric {
	return []metric{
		{key: "gaps", label: "gaps (all rounds)", of: func(o outcome) float64 { return float64(o.load.Gaps) }, format: fmtCount, sum: true},
		{key: "unacked", label: "ops unacknowledged at the end (all rounds)", of: func(o outcome) float64 { return float64(o.load.Unacked) }, format: fmtCount, sum: true},
		{key: "cpu_pct", label: "server CPU, % of a core", of: cpuPct, format: fmtOne, decimals: 1},
		{key: "cpu_us_per_frame", label: "server CPU per delivered frame", of: usPerFrame, format: fmtUsFlat, decimals: 2},
		{key: "load_cpu_pct", label: "load process CPU, % of a core", of: func(o outcome) float64 { return o.load.CPUPct }, format: fmtOne, decimals: 1},
	}
}

// allOuts flattens the outcomes, for the notes of errors.
func allOuts(outs map[target][]outcome) []outcome {
	var all []outcome
	for _, os := range outs {
		all = append(all, os...)
	}
	return all
}
