package relay

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"breakout/session"
)

// A snapshot in the KV bucket is "BKS1", the stream sequence it was taken
// at (8 bytes, big endian), then the state's JSON compressed with zstd.
// JSON of a busy session compresses about tenfold, which keeps large
// sessions under the server's maximum message size.
const snapshotMagic = "BKS1"

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
)

func encodeSnapshot(seq uint64, state []byte) []byte {
	out := make([]byte, 0, len(snapshotMagic)+8+len(state)/8)
	out = append(out, snapshotMagic...)
	out = binary.BigEndian.AppendUint64(out, seq)
	return zenc.EncodeAll(state, out)
}

func decodeSnapshot(b []byte) (seq uint64, state []byte, err error) {
	if len(b) < len(snapshotMagic)+8 || string(b[:len(snapshotMagic)]) != snapshotMagic {
		return 0, nil, errors.New("not a snapshot of this breakout version")
	}
	seq = binary.BigEndian.Uint64(b[len(snapshotMagic):])
	state, err = zdec.DecodeAll(b[len(snapshotMagic)+8:], nil)
	if err != nil {
		return 0, nil, fmt.Errorf("decompress snapshot: %w", err)
	}
	return seq, state, nil
}

// snapshotter keeps a second replica of a room's state in its own
// goroutine and snapshots it every snapshotEvery entries (further apart
// in a large session, see entriesPerSnapshot). Encoding a large state
// takes tens of milliseconds; done by the log consumer, under the room's
// lock, it would hold up every event behind it. The replica
// costs a second copy of the state in memory and a second apply of each
// entry, which is cheap next to fan-out.
type snapshotter struct {
	r *room

	mu      sync.Mutex
	pending []snapItem
	// pendingEntries counts the entries in pending; the run goroutine is
	// woken once they reach need, which it sets to what the next
	// snapshot lacks (see wakeFor), and once when the room has caught
	// up: not for every log message.
	pendingEntries, need int
	sawCaughtUp          bool
	wake                 chan struct{}

	every  int           // entries between snapshots of a small session
	minGap time.Duration // least time between snapshots

	// Only the run goroutine touches these.
	state    *session.State
	seq      uint64
	since    int       // entries applied since the last snapshot
	caughtUp bool      // the room has caught up with the log
	next     time.Time // no snapshot before this (pacing)
}

type snapItem struct {
	entries  []session.Entry
	seq      uint64
	caughtUp bool
}

// newSnapshotter starts from the snapshot the room was loaded from (its
// JSON, or nil for an empty state) at stream sequence seq.
func newSnapshotter(r *room, snapshot []byte, seq uint64) *snapshotter {
	sn := &snapshotter{r: r, wake: make(chan struct{}, 1), seq: seq, state: session.New(),
		every: r.srv.cfg.tuning.snapshotEvery, minGap: r.srv.cfg.tuning.snapshotMinGap}
	if snapshot != nil {
		if st, err := session.UnmarshalSnapshot(snapshot); err == nil {
			sn.state = st
		}
	}
	return sn
}

// add hands over the entries of one log message; it never blocks the
// consumer.
func (sn *snapshotter) add(entries []session.Entry, seq uint64, caughtUp bool) {
	sn.mu.Lock()
	sn.pending = append(sn.pending, snapItem{entries, seq, caughtUp})
	sn.pendingEntries += len(entries)
	wake := sn.pendingEntries >= sn.need || caughtUp && !sn.sawCaughtUp
	sn.sawCaughtUp = sn.sawCaughtUp || caughtUp
	sn.mu.Unlock()
	if !wake {
		return
	}
	select {
	case sn.wake <- struct{}{}:
	default:
	}
}

// maxPendingEntries bounds the entries handed over and not yet applied
// by the snapshotter.
const maxPendingEntries = 1024

// wakeFor sets how many entries the run goroutine waits for before it
// is woken: as many as the next snapshot lacks, none while one is held
// back by pacing (its timer wakes it), and at most maxPendingEntries.
// Applying the entries of many log messages at once costs the same as
// one by one, without a goroutine hand-off for each.
func (sn *snapshotter) wakeFor(heldBack bool) {
	need := maxPendingEntries
	if !heldBack && sn.caughtUp {
		need = min(need, max(1, sn.entriesPerSnapshot()-sn.since))
	}
	sn.mu.Lock()
	sn.need = need
	wake := sn.pendingEntries >= need
	sn.mu.Unlock()
	if wake {
		select {
		case sn.wake <- struct{}{}:
		default:
		}
	}
}

// run applies what was handed over and snapshots; it ends when the server
// stops.
func (sn *snapshotter) run() {
	defer sn.r.srv.wg.Done()
	ctx, cancel := sn.r.srv.runContext()
	defer cancel()
	var due <-chan time.Time // a snapshot held back by pacing falls due
	for {
		select {
		case <-sn.r.srv.stop:
			return
		case <-sn.wake:
		case <-due:
			due = nil
		}
		sn.mu.Lock()
		items := sn.pending
		sn.pending, sn.pendingEntries = nil, 0
		sn.mu.Unlock()
		for _, it := range items {
			for _, e := range it.entries {
				sn.state.Apply(e)
			}
			sn.seq = it.seq
			sn.since += len(it.entries)
			sn.caughtUp = it.caughtUp
		}
		// No snapshots while a room catches up after a load: the replay
		// would pay for one every snapshotEvery entries. One snapshot for
		// all that was handed over at once: a snapshotter that fell
		// behind must not encode the state once per snapshotEvery entries
		// it has yet to apply.
		if !sn.caughtUp || sn.since < sn.entriesPerSnapshot() {
			sn.wakeFor(false)
			continue
		}
		if wait := time.Until(sn.next); wait > 0 {
			if due == nil {
				due = time.After(wait)
			}
			sn.wakeFor(true)
			continue
		}
		sn.since = 0
		start := time.Now()
		sn.save(ctx)
		took := time.Since(start)
		sn.next = time.Now().Add(max(snapshotPace*took, sn.minGap))
		sn.wakeFor(false)
	}
}

// entriesPerSnapshot is how many entries the snapshotter applies between
// snapshots: snapshotEvery, or, once a session holds more than twice as
// many events, half its events. A snapshot's cost grows with the state,
// so the cost per entry stays flat as a session grows, and a restart
// replays fewer entries than half the events its snapshot holds. In a
// session of 100,000 ideas under load, snapshots every few seconds (each
// half a second of a processor and tens of megabytes of garbage) put
// tens of milliseconds on the p99 of every event (docs/performance.md).
func (sn *snapshotter) entriesPerSnapshot() int {
	return max(sn.every, int(sn.state.Seq/2))
}

// snapshotPace paces snapshots by their own cost: after a snapshot that
// took d, the next waits at least snapshotPace × d. A session of tens of
// thousands of ideas takes 50 to 150 ms to encode and store; snapshotted
// every 1,000 entries at thousands of ops a second, it would keep a core
// busy and flood the disk that the log's fsyncs wait for. Paced, a
// snapshot uses at most 1/snapshotPace of a core, and a restart replays
// at most snapshotPace × d of the log's entries more (a replay applies
// about 500,000 entries a second).
const snapshotPace = 20

func (sn *snapshotter) save(ctx context.Context) {
	data, err := sn.state.MarshalSnapshot()
	if err != nil {
		sn.r.srv.log.Error("snapshot", "session", sn.r.id, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, appendTimeout)
	defer cancel()
	if err := sn.r.srv.store.SaveSnapshot(ctx, sn.r.id, sn.seq, data); err != nil {
		sn.r.srv.log.Warn("store snapshot", "session", sn.r.id, "err", err)
	}
}
