package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"breakout/session"
)

// Outbox files. Two windows of one person on one machine share a state
// directory (same home, relay, code and name), so one outbox file for the
// directory would let each overwrite the other's queue. Each client keeps
// its queue in a file of its own, outbox-ID.json, and locks outbox-ID.lock
// for as long as it runs. A client starting on the directory takes over
// every outbox file whose lock it can take, its client having ended (quit
// or killed) with ops queued, and the outbox.json of earlier versions: it
// adds their ops to its own queue and deletes them once its own file
// holds the ops. The system drops a lock when its process ends, however it
// ends.

// legacyOutbox is the single outbox file of earlier versions; it is
// taken over under the lock outbox.lock.
const legacyOutbox = "outbox.json"

// errLocked says that another client holds a lock.
var errLocked = errors.New("locked by another client")

// errOutboxClosed is returned by Send on a closed client with a state
// directory: its queue is no longer its own to write.
var errOutboxClosed = errors.New("the client is closed; the op was not kept")

// outboxFile is a client's own outbox file, and the lock held on it.
type outboxFile struct {
	path string // outbox-ID.json
	lock *heldLock
}

// heldLock is a locked lock file. Only its holder deletes it, so a lock
// taken on the file a path names shows that no one else holds it.
type heldLock struct {
	path string
	f    *os.File
}

// takeLock opens path (with flag: os.O_CREATE, os.O_EXCL) and locks it
// without waiting. A file that was removed between the open and the lock
// (its holder was done with it) is not the one the path names now, and is
// reported as errLocked too.
func takeLock(path string, flag int) (*heldLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|flag, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if flag&os.O_EXCL != 0 && !errors.Is(err, errLocked) {
			os.Remove(path)
		}
		return nil, err
	}
	held, err1 := f.Stat()
	named, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, named) {
		unlockFile(f)
		f.Close()
		return nil, errLocked
	}
	return &heldLock{path: path, f: f}, nil
}

// release unlocks, and with remove deletes the lock file while still
// holding it. Windows does not delete an open file: there it is deleted
// right after, unless another client opened it meanwhile.
func (l *heldLock) release(remove bool) {
	removed := remove && os.Remove(l.path) == nil
	unlockFile(l.f)
	l.f.Close()
	if remove && !removed {
		os.Remove(l.path)
	}
}

// claimOutbox makes the client's own outbox file name and locks it.
func claimOutbox(dir string) (*outboxFile, error) {
	for range 20 {
		base := filepath.Join(dir, "outbox-"+newSecret()[:16])
		l, err := takeLock(base+".lock", os.O_CREATE|os.O_EXCL)
		if errors.Is(err, errLocked) || errors.Is(err, fs.ErrExist) {
			continue // another client is starting on the same name: take another
		}
		if err != nil {
			return nil, fmt.Errorf("lock the outbox in %s: %w; keep the client state on a file system with file locks", dir, err)
		}
		return &outboxFile{path: base + ".json", lock: l}, nil
	}
	return nil, fmt.Errorf("lock the outbox in %s: no free name after 20 tries", dir)
}

// adoptOutboxesLocked takes over the outbox files of clients that ended:
// their ops join the client's queue (after it, in each file's order, an
// op already queued not twice), then the files are deleted.
func (c *Client) adoptOutboxesLocked() error {
	dir := c.cfg.StateDir
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("client state directory: %w", err)
	}
	type other struct {
		base string // the path without .json or .lock
		mod  time.Time
	}
	var others []other
	seen := map[string]bool{strings.TrimSuffix(c.box.path, ".json"): true}
	for _, e := range entries {
		name := e.Name()
		var base string
		switch {
		case name == legacyOutbox || name == "outbox.lock":
			base = "outbox"
		case strings.HasPrefix(name, "outbox-") && strings.HasSuffix(name, ".json"):
			base = strings.TrimSuffix(name, ".json")
		case strings.HasPrefix(name, "outbox-") && strings.HasSuffix(name, ".lock"):
			base = strings.TrimSuffix(name, ".lock")
		default:
			continue
		}
		base = filepath.Join(dir, base)
		if seen[base] {
			continue
		}
		seen[base] = true
		o := other{base: base}
		if fi, err := os.Stat(base + ".json"); err == nil {
			o.mod = fi.ModTime()
		}
		others = append(others, o)
	}
	// The oldest queue first: the order people typed in, as far as the
	// files tell.
	sort.Slice(others, func(i, j int) bool {
		if !others[i].mod.Equal(others[j].mod) {
			return others[i].mod.Before(others[j].mod)
		}
		return others[i].base < others[j].base
	})

	var taken []*heldLock
	var files []string
	giveBack := func() {
		for _, l := range taken {
			l.release(false)
		}
	}
	queued := map[string]bool{}
	for _, op := range c.outbox {
		queued[op.ID] = true
	}
	for _, o := range others {
		l, err := takeLock(o.base+".lock", os.O_CREATE)
		if errors.Is(err, errLocked) {
			continue // its client is running
		}
		if err != nil {
			giveBack()
			return fmt.Errorf("take over the outbox %s.json: %w", o.base, err)
		}
		taken = append(taken, l)
		path := o.base + ".json"
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // nothing was queued; the lock file is left to delete
		}
		if err != nil {
			giveBack()
			return fmt.Errorf("read the outbox %s: %w", path, err)
		}
		var ops []session.Op
		if err := json.Unmarshal(b, &ops); err != nil {
			giveBack()
			return fmt.Errorf("outbox %s is damaged: %w; move it away to start afresh", path, err)
		}
		files = append(files, path)
		for _, op := range ops {
			if !queued[op.ID] {
				queued[op.ID] = true
				c.outbox = append(c.outbox, op)
			}
		}
	}
	if len(taken) == 0 {
		return nil
	}
	if len(files) > 0 {
		if err := c.saveOutboxLocked(); err != nil {
			giveBack()
			return err
		}
		syncFile(c.box.path)
		syncFile(dir)
	}
	for _, path := range files {
		os.Remove(path)
	}
	for _, l := range taken {
		// Saves cut short by a crash: "outbox.json.tmp" of earlier versions.
		base := strings.TrimSuffix(l.path, ".lock")
		tmps, _ := filepath.Glob(base + ".json.*.tmp")
		for _, tmp := range append(tmps, base+".json.tmp") {
			os.Remove(tmp)
		}
		l.release(true)
	}
	return nil
}

// closeOutboxLocked lets go of the client's outbox file: deleted when
// empty, else left for the next client on the state directory.
func (c *Client) closeOutboxLocked() {
	if c.box == nil {
		return
	}
	if len(c.outbox) == 0 {
		os.Remove(c.box.path)
	}
	c.box.lock.release(true)
	c.box = nil
}

// syncFile asks the system to put a file (or a directory's entries) on
// disk, before the files it replaces are deleted. Where a directory
// cannot be synced (Windows) it does nothing.
func syncFile(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	f.Sync()
	f.Close()
}
