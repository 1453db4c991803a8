package relay

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names in JetStream.
const (
	streamName     = "BREAKOUT"
	subjectPrefix  = "breakout.s."
	snapshotBucket = "breakout_snapshots"
	codeBucket     = "breakout_codes"
	metaBucket     = "breakout_meta"
	maxLogMessage  = 1 << 20 // NATS' default max payload
	// embeddedPayload lets the embedded server take snapshots of large
	// sessions in one KV value; log messages stay within maxLogMessage.
	embeddedPayload = 16 << 20
)

// StoreConfig says where the log lives.
type StoreConfig struct {
	// Dir holds the embedded server's JetStream files. Unused with URL.
	Dir string
	// URL of an existing NATS server or cluster; empty embeds one.
	URL string
	// Replicas of the stream and buckets on a cluster (1 when embedded).
	Replicas int
	// NoSync turns off the embedded server's fsync after every write:
	// faster, but a power loss can drop the last acknowledged ops.
	NoSync bool
}

// Store is the durable log: a JetStream stream with one subject per
// session, and KV buckets for snapshots, join-code lookup and metadata.
// It is the only part of the relay that knows JetStream: rooms and the
// server speak in sessions, stream sequences and bytes.
type Store struct {
	ns        *server.Server // nil with an external server
	nc        *nats.Conn
	js        jetstream.JetStream
	stream    jetstream.Stream
	snapshots jetstream.KeyValue
	codes     jetstream.KeyValue
	meta      jetstream.KeyValue

	lost atomic.Pointer[func()] // called when the connection to NATS drops

	// heartbeat is how often a log consumer hears from its server; zero
	// leaves the client library's default.
	heartbeat time.Duration
}

// clusterHeartbeat lets a relay on a cluster notice within about two
// seconds that the node serving its log consumer is gone (the library's
// default takes ten), so that its clients' ops are acknowledged again soon
// after a node fails.
const clusterHeartbeat = time.Second

// OpenStore starts the embedded NATS server (or connects to cfg.URL) and
// makes sure the stream and buckets exist.
func OpenStore(ctx context.Context, cfg StoreConfig) (*Store, error) {
	st := &Store{}
	if cfg.URL == "" {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		opts := &server.Options{
			ServerName: "breakout",
			JetStream:  true,
			StoreDir:   filepath.Join(cfg.Dir, "jetstream"),
			DontListen: true,
			SyncAlways: !cfg.NoSync,
			NoLog:      true,
			NoSigs:     true,
			MaxPayload: embeddedPayload,
		}
		ns, err := server.NewServer(opts)
		if err != nil {
			return nil, fmt.Errorf("start embedded NATS: %w", err)
		}
		ns.Start()
		if !ns.ReadyForConnections(30 * time.Second) {
			ns.Shutdown()
			return nil, errors.New("start embedded NATS: not ready after 30s")
		}
		st.ns = ns
		nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Name("breakout-relay"))
		if err != nil {
			ns.Shutdown()
			return nil, fmt.Errorf("connect to embedded NATS: %w", err)
		}
		st.nc = nc
		cfg.Replicas = 1
	} else {
		nc, err := nats.Connect(cfg.URL, nats.Name("breakout-relay"), nats.MaxReconnects(-1),
			nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(false),
			nats.DisconnectErrHandler(func(*nats.Conn, error) {
				if f := st.lost.Load(); f != nil {
					(*f)()
				}
			}))
		if err != nil {
			return nil, fmt.Errorf("connect to NATS at %s: %w", cfg.URL, err)
		}
		st.nc = nc
		st.heartbeat = clusterHeartbeat
	}
	if cfg.Replicas < 1 {
		cfg.Replicas = 1
	}
	if err := st.setup(ctx, cfg.Replicas); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func (st *Store) setup(ctx context.Context, replicas int) error {
	js, err := jetstream.New(st.nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	st.js = js
	st.stream, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       streamName,
		Subjects:   []string{subjectPrefix + "*"},
		Storage:    jetstream.FileStorage,
		Replicas:   replicas,
		MaxMsgSize: maxLogMessage,
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardNew,
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", streamName, err)
	}
	kv := func(bucket string, history uint8) (jetstream.KeyValue, error) {
		b, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: bucket, History: history, Storage: jetstream.FileStorage, Replicas: replicas,
		})
		if err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		return b, nil
	}
	if st.snapshots, err = kv(snapshotBucket, 1); err != nil {
		return err
	}
	if st.codes, err = kv(codeBucket, 1); err != nil {
		return err
	}
	if st.meta, err = kv(metaBucket, 1); err != nil {
		return err
	}
	return nil
}

// Close drains the NATS connection and stops the embedded server last.
func (st *Store) Close() {
	if st.nc != nil {
		st.nc.Drain()
		for i := 0; i < 100 && !st.nc.IsClosed(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		st.nc.Close()
	}
	if st.ns != nil {
		st.ns.Shutdown()
		st.ns.WaitForShutdown()
	}
}

// Healthy reports whether the log is reachable.
func (st *Store) Healthy() bool { return st.nc.IsConnected() }

// OnLost has f called whenever the connection to an external NATS server
// drops (never with the embedded one).
func (st *Store) OnLost(f func()) { st.lost.Store(&f) }

func subject(sessionID string) string { return subjectPrefix + sessionID }

// Append publishes one log message to a session's subject and returns its
// stream sequence once the log holds it.
func (st *Store) Append(ctx context.Context, sessionID string, data []byte) (uint64, error) {
	if st.heartbeat == 0 {
		return st.publish(ctx, sessionID, data)
	}
	// On a cluster, a publish in flight when the stream's leader goes
	// down is never answered. Rather than wait for the caller's deadline
	// (its clients would be cut off and send again), ask again every
	// couple of seconds, under one message id, so the new leader stores
	// the message once however many of the tries reached the log.
	id := jetstream.WithMsgID(newSecret())
	for {
		actx, cancel := context.WithTimeout(ctx, clusterPublishTry)
		seq, err := st.publish(actx, sessionID, data, id)
		cancel()
		if err == nil || ctx.Err() != nil || !retryable(err) {
			return seq, err
		}
	}
}

// clusterPublishTry is how long one try of an append waits on a cluster:
// well over a healthy cluster's answer, about what electing a new stream
// leader takes.
const clusterPublishTry = 2 * time.Second

// retryable is a publish error that a later try may not meet: no answer
// in time, or no stream leader to answer yet.
func retryable(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse)
}

// AppendAfter appends as Append does, only if the session's last message
// in the log is at stream sequence last; otherwise it returns an error
// that is errNotLast.
func (st *Store) AppendAfter(ctx context.Context, sessionID string, data []byte, last uint64) (uint64, error) {
	seq, err := st.publishAfter(ctx, sessionID, data, last)
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return 0, fmt.Errorf("%w: %w", errNotLast, err)
	}
	return seq, err
}

// errNotLast is an AppendAfter whose expected last sequence was not the
// session's last.
var errNotLast = errors.New("the log holds a later message of the session")

func (st *Store) publish(ctx context.Context, sessionID string, data []byte, opts ...jetstream.PublishOpt) (uint64, error) {
	ack, err := st.js.Publish(ctx, subject(sessionID), data, opts...)
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// publishAfter is publish with the expectation that the session's last
// message is at last. It is the appender's publish, once an op or more
// on a relay's every append, so it speaks to JetStream without its
// client library's options and reads the answer without reflection
// when it is a plain acknowledgement; errors are the library's.
func (st *Store) publishAfter(ctx context.Context, sessionID string, data []byte, last uint64) (uint64, error) {
	m := &nats.Msg{Subject: subject(sessionID), Data: data,
		Header: nats.Header{jetstream.ExpectedLastSubjSeqHeader: []string{strconv.FormatUint(last, 10)}}}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, appendTimeout)
		defer cancel()
	}
	resp, err := st.nc.RequestMsgWithContext(ctx, m)
	if errors.Is(err, nats.ErrNoResponders) {
		return 0, jetstream.ErrNoStreamResponse
	}
	if err != nil {
		return 0, err
	}
	return readPubAck(resp.Data)
}

// pubAckPrefix begins JetStream's acknowledgement of a message the
// stream stored.
const pubAckPrefix = `{"stream":"` + streamName + `","seq":`

// readPubAck reads JetStream's answer to a publish: the message's stream
// sequence, or the error it tells.
func readPubAck(b []byte) (uint64, error) {
	if rest, ok := bytes.CutPrefix(b, []byte(pubAckPrefix)); ok {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 0 && n < 20 && string(rest[n:]) == "}" {
			if seq, err := strconv.ParseUint(string(rest[:n]), 10, 64); err == nil && seq > 0 {
				return seq, nil
			}
		}
	}
	var ack struct {
		Error    *jetstream.APIError `json:"error"`
		Stream   string              `json:"stream"`
		Sequence uint64              `json:"seq"`
	}
	if err := json.Unmarshal(b, &ack); err != nil {
		return 0, jetstream.ErrInvalidJSAck
	}
	if ack.Error != nil {
		return 0, fmt.Errorf("nats: %w", ack.Error)
	}
	if ack.Stream == "" {
		return 0, jetstream.ErrInvalidJSAck
	}
	return ack.Sequence, nil
}

// Create appends a session's first message, only if its subject is empty,
// so a session is never created twice.
func (st *Store) Create(ctx context.Context, sessionID string, data []byte) error {
	_, err := st.js.Publish(ctx, subject(sessionID), data, jetstream.WithExpectLastSequencePerSubject(0))
	return err
}

// LastSeq returns the stream sequence of a session's last log message;
// errNoSession when the log holds none.
func (st *Store) LastSeq(ctx context.Context, sessionID string) (uint64, error) {
	msg, err := st.stream.GetLastMsgForSubject(ctx, subject(sessionID))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, errNoSession
	}
	if err != nil {
		return 0, fmt.Errorf("read log of session %s: %w", sessionID, err)
	}
	return msg.Sequence, nil
}

// Consume calls apply with each log message of a session from stream
// sequence from (1 for its start) on, in log order and one at a time,
// as the log grows, until stop is called.
func (st *Store) Consume(ctx context.Context, sessionID string, from uint64, apply func(seq uint64, data []byte),
	log func(error)) (stop func(), err error) {
	return st.consume(ctx, sessionID, from, 0, func(seq uint64, data []byte) bool { apply(seq, data); return true }, log)
}

// Replay calls apply with each log message of a session from stream
// sequence from up to to, the sequence of one of its messages, in log
// order and one at a time, and stops there: done is closed once apply
// has had the message at to. stop ends it sooner. Its consumer is
// removed by the server soon after it stops.
func (st *Store) Replay(ctx context.Context, sessionID string, from, to uint64, apply func(seq uint64, data []byte),
	log func(error)) (done <-chan struct{}, stop func(), err error) {
	ch := make(chan struct{})
	if from > to {
		close(ch)
		return ch, func() {}, nil
	}
	var once sync.Once
	stop, err = st.consume(ctx, sessionID, from, replayInactive, func(seq uint64, data []byte) bool {
		apply(seq, data)
		if seq < to {
			return true
		}
		once.Do(func() { close(ch) })
		return false
	}, log)
	if err != nil {
		return nil, nil, err
	}
	return ch, stop, nil
}

// replayInactive is how long the server keeps a replay's consumer once
// it has stopped pulling.
const replayInactive = 2 * time.Second

// consume runs an ordered consumer of a session's log from stream
// sequence from on; it stops once apply returns false. inactive, when
// not 0, is how long the server keeps the consumer once it stops.
func (st *Store) consume(ctx context.Context, sessionID string, from uint64, inactive time.Duration,
	apply func(seq uint64, data []byte) bool, log func(error)) (stop func(), err error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject(sessionID)}, InactiveThreshold: inactive}
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	cons, err := st.js.OrderedConsumer(ctx, streamName, cfg)
	if err != nil {
		return nil, fmt.Errorf("consume log of session %s: %w", sessionID, err)
	}
	opts := []jetstream.PullConsumeOpt{jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) { log(err) })}
	if st.heartbeat > 0 {
		opts = append(opts, jetstream.PullHeartbeat(st.heartbeat))
	}
	var cc jetstream.ConsumeContext
	var ended atomic.Bool
	ready := make(chan struct{}) // closed once cc is set
	defer close(ready)
	cc, err = cons.Consume(func(msg jetstream.Msg) {
		if ended.Load() {
			return
		}
		md, err := msg.Metadata()
		if err != nil {
			return
		}
		if !apply(md.Sequence.Stream, msg.Data()) {
			ended.Store(true)
			<-ready
			if cc != nil {
				cc.Stop() // from the handler, as the library's own StopAfter does
			}
		}
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("consume log of session %s: %w", sessionID, err)
	}
	return cc.Stop, nil
}

// Snapshot returns a session's newest snapshot: the stream sequence it
// was taken at and the state's JSON. errNoSnapshot when there is none.
func (st *Store) Snapshot(ctx context.Context, sessionID string) (seq uint64, state []byte, err error) {
	entry, err := st.snapshots.Get(ctx, sessionID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil, errNoSnapshot
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read snapshot of session %s: %w", sessionID, err)
	}
	return decodeSnapshot(entry.Value())
}

// errNoSnapshot is a session without a snapshot: its log is replayed
// from the start.
var errNoSnapshot = errors.New("no snapshot")

// SaveSnapshot stores a session's state (JSON) as applied up to stream
// sequence seq, in place of its last snapshot.
func (st *Store) SaveSnapshot(ctx context.Context, sessionID string, seq uint64, state []byte) error {
	_, err := st.snapshots.Put(ctx, sessionID, encodeSnapshot(seq, state))
	return err
}

// PutCode records the session a join code's hash belongs to.
func (st *Store) PutCode(ctx context.Context, hash, sessionID string) error {
	_, err := st.codes.Put(ctx, hash, []byte(sessionID))
	return err
}

// CodeSession returns the session of a join code's hash.
func (st *Store) CodeSession(ctx context.Context, hash string) (string, error) {
	entry, err := st.codes.Get(ctx, hash)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", errUnknownCode
	}
	if err != nil {
		return "", fmt.Errorf("read join codes: %w", err)
	}
	return string(entry.Value()), nil
}

// errUnknownCode is a join code the relay does not know.
var errUnknownCode = errors.New("no such join code")

// PlanSession returns the session made of the plan file that key names;
// ok is false when there is none yet.
func (st *Store) PlanSession(ctx context.Context, key string) (id string, ok bool, err error) {
	e, err := st.meta.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read relay metadata: %w", err)
	}
	return string(e.Value()), true, nil
}

// RecordPlanSession records the session made of the plan file that key
// names; it fails if one was recorded already.
func (st *Store) RecordPlanSession(ctx context.Context, key, sessionID string) error {
	_, err := st.meta.Create(ctx, key, []byte(sessionID))
	return err
}

// logMarkKey holds, in the metadata bucket, the highest stream sequence
// the relay has had acknowledged: a log that ends before it lost
// acknowledged messages.
const logMarkKey = "log.mark"

// logAcceptedKey holds the damage an operator accepted with
// --accept-damaged-log, so that the same damage does not stop the next
// start.
const logAcceptedKey = "log.accepted"

// logState is what the check at start-up reads of the log.
type logState struct {
	First, Last, Msgs uint64
	// Lost counts messages the server found damaged as it loaded them.
	Lost int
}

// state reads the stream's sequences and message count.
func (st *Store) state(ctx context.Context) (logState, error) {
	info, err := st.stream.Info(ctx)
	if err != nil {
		return logState{}, fmt.Errorf("read log state: %w", err)
	}
	s := info.State
	ls := logState{First: s.FirstSeq, Last: s.LastSeq, Msgs: s.Msgs}
	if s.Lost != nil {
		ls.Lost = len(s.Lost.Msgs)
	}
	return ls, nil
}

// metaValue reads a key of the metadata bucket; "" when it is not there.
func (st *Store) metaValue(ctx context.Context, key string) (string, error) {
	e, err := st.meta.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read relay metadata %s: %w", key, err)
	}
	return string(e.Value()), nil
}

// putMeta writes a key of the metadata bucket.
func (st *Store) putMeta(ctx context.Context, key, value string) error {
	_, err := st.meta.Put(ctx, key, []byte(value))
	return err
}

// codeSessions returns every session that has join codes.
func (st *Store) codeSessions(ctx context.Context) (map[string]bool, error) {
	w, err := st.codes.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read join codes: %w", err)
	}
	defer w.Stop()
	out := map[string]bool{}
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // all there is has been sent
				return out, nil
			}
			out[string(e.Value())] = true
		case <-ctx.Done():
			return nil, fmt.Errorf("read join codes: %w", ctx.Err())
		}
	}
}

// snapshotSeqs returns the stream sequence of every session's snapshot.
func (st *Store) snapshotSeqs(ctx context.Context) (map[string]uint64, error) {
	w, err := st.snapshots.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	defer w.Stop()
	out := map[string]uint64{}
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				return out, nil
			}
			if b := e.Value(); len(b) >= len(snapshotMagic)+8 && string(b[:len(snapshotMagic)]) == snapshotMagic {
				out[e.Key()] = binary.BigEndian.Uint64(b[len(snapshotMagic):])
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("read snapshots: %w", ctx.Err())
		}
	}
}

// probeSubject is where Probe writes: in the stream, so that it meets
// the stream's write error, under a name no session id takes.
const probeSubject = subjectPrefix + "~probe"

// Probe reports whether the log takes a write now.
func (st *Store) Probe(ctx context.Context) error {
	_, err := st.js.Publish(ctx, probeSubject, nil)
	return err
}

// Restart restarts the embedded server's JetStream. A file store that
// met a write error (a full disk) fails every later write until it is
// loaded again, even once the disk has room; a restart loads it from
// its files. With an external server it does nothing: its operator's.
func (st *Store) Restart() error {
	if st.ns == nil {
		return nil
	}
	running := st.ns.JetStreamConfig()
	if running == nil {
		return errors.New("restart JetStream: no configuration")
	}
	// EnableJetStream adds its "jetstream" directory to StoreDir again.
	cfg := *running
	cfg.StoreDir = filepath.Dir(running.StoreDir)
	if err := st.ns.ShutdownJetStream(); err != nil {
		return fmt.Errorf("stop JetStream: %w", err)
	}
	if err := st.ns.EnableJetStream(&cfg); err != nil {
		return fmt.Errorf("start JetStream: %w", err)
	}
	return nil
}
