package bench

import (
	"math"
	"slices"
	"time"
)

// Summary is the distribution of a set of latencies.
type Summary struct {
	N   int           `json:"n"`
	P50 time.Duration `json:"p50"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

// Summarize sorts d in place and returns its percentiles.
func Summarize(d []time.Duration) Summary {
	slices.Sort(d)
	s := Summary{N: len(d)}
	if len(d) > 0 {
		s.P50, s.P99, s.Max = Percentile(d, 50), Percentile(d, 99), d[len(d)-1]
	}
	return s
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value that at least p % of the values
// are not greater than. It is always one of the values, never an
// interpolation, so a p99 of 100 samples is the 99th smallest. It returns
// 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// us and ms turn a duration into the units the figures are given in.
func us(d time.Duration) float64 { return round(float64(d)/float64(time.Microsecond), 1) }
func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

// round rounds x to the given number of decimals.
func round(x float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(x*f) / f
}

// spreadOf is the median of xs and their spread (largest − smallest): what
// a scenario reports of its rounds. A middle pair averages, so two rounds
// give their mean.
func spreadOf(xs []float64) (median, spread float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[n-1] - s[0]
}

// bisect finds the highest rate that passes probe, to within tol (0.05:
// the rate found is at least 1/1.05 of the true limit). It doubles from
// start until a rate fails or max passes, then tries the geometric middle
// of the last pass and the first fail until they are within tol. It
// returns 0 when start itself fails, and max when max passes.
func bisect(start, maxRate, tol float64, probe func(rate float64) bool) float64 {
	lo, hi := 0.0, 0.0
	for r := start; ; r = math.Min(2*r, maxRate) {
		if !probe(math.Round(r)) {
			hi = math.Round(r)
			break
		}
		lo = math.Round(r)
		if r >= maxRate {
			return lo
		}
	}
	if lo == 0 {
		return 0
	}
	for hi > lo*(1+tol) {
		mid := math.Round(math.Sqrt(lo * hi))
		if mid <= lo || mid >= hi {
			break
		}
		if probe(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// withTimeouts adds one sample per delivery still missing when the wait
// ended: its latency is at least the time from the op's send until then,
// and leaving it out would hide exactly the tail being measured. sent
// are the send times of the ops (ns on the load's clock), missing how
// many deliveries each lacks, end the moment the wait ended.
func withTimeouts(lat []time.Duration, sent []int64, missing []int, end int64) []time.Duration {
	for i, s := range sent {
		for range missing[i] {
			lat = append(lat, time.Duration(max(end-s, 0)))
		}
	}
	return lat
}
