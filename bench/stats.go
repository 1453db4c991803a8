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
