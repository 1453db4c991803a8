package relay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
type Store struct {
	ns        *server.Server // nil with an external server
	nc        *nats.Conn
	js        jetstream.JetStream
	stream    jetstream.Stream
	snapshots jetstream.KeyValue
	codes     jetstream.KeyValue
	meta      jetstream.KeyValue

	lost atomic.Pointer[func()] // called when the connection to NATS drops
}

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

func subject(sessionID string) string { return subjectPrefix + sessionID }

// Append publishes one log message to a session's subject and returns its
// stream sequence once the log holds it.
func (st *Store) Append(ctx context.Context, sessionID string, data []byte) (uint64, error) {
	return st.publish(ctx, sessionID, data)
}

// AppendAfter appends as Append does, only if the session's last message
// in the log is at stream sequence last.
func (st *Store) AppendAfter(ctx context.Context, sessionID string, data []byte, last uint64) (uint64, error) {
	return st.publish(ctx, sessionID, data, jetstream.WithExpectLastSequencePerSubject(last))
}

func (st *Store) publish(ctx context.Context, sessionID string, data []byte, opts ...jetstream.PublishOpt) (uint64, error) {
	ack, err := st.js.Publish(ctx, subject(sessionID), data, opts...)
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// Create appends a session's first message, only if its subject is empty,
// so a session is never created twice.
func (st *Store) Create(ctx context.Context, sessionID string, data []byte) error {
	_, err := st.js.Publish(ctx, subject(sessionID), data, jetstream.WithExpectLastSequencePerSubject(0))
	return err
}
