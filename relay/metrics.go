package relay

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the relay's Prometheus metrics, in a registry of its own so
// that two servers in one process (tests) do not collide.
type metrics struct {
	reg           *prometheus.Registry
	connections   prometheus.Gauge
	accepted      prometheus.Counter
	rejected      *prometheus.CounterVec
	cutOff        prometheus.Counter
	failedJoins   prometheus.Counter
	appendLatency prometheus.Histogram
	applyLatency  prometheus.Histogram
	batchSize     prometheus.Histogram
	framesSent    prometheus.Counter
	writes        prometheus.Counter
	logFailing    prometheus.Gauge
	refusedConns  prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "breakout_connections", Help: "Open client connections."}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_ops_accepted_total", Help: "Ops applied and acknowledged."}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breakout_ops_rejected_total", Help: "Ops rejected, by code."}, []string{"code"}),
		cutOff: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_clients_cut_off_total", Help: "Clients cut off for falling behind."}),
		failedJoins: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_failed_joins_total", Help: "Hellos with a wrong code or token."}),
		appendLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "breakout_append_seconds", Help: "Time to append one log message (group commit).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		applyLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "breakout_apply_seconds", Help: "Time to apply one log message and fan it out.",
			Buckets: prometheus.ExponentialBuckets(0.00001, 2, 16)}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "breakout_append_ops", Help: "Ops per log message.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		framesSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_frames_sent_total", Help: "Frames written to clients."}),
		refusedConns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_connections_refused_total", Help: "Connections closed at once: their address, or the relay, held as many as it may."}),
		logFailing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "breakout_log_failing", Help: "1 while the log does not take writes (a full disk), else 0."}),
		writes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "breakout_client_writes_total", Help: "Batches of frames written to client sockets, each in one write where the socket takes it."}),
	}
	m.reg.MustRegister(m.connections, m.accepted, m.rejected, m.cutOff, m.failedJoins,
		m.appendLatency, m.applyLatency, m.batchSize, m.framesSent, m.writes, m.logFailing, m.refusedConns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
