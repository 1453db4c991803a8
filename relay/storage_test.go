package relay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// Storage faults on real files: a damaged log and a full disk.

// blockFile returns the path of the BREAKOUT stream's first block file.
func blockFile(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "jetstream", "jetstream", "*", "streams", streamName, "msgs", "*.blk"))
	if len(files) == 0 {
		t.Fatalf("no block file of stream %s under %s", streamName, dir)
	}
	return files[0]
}

// TestDamagedLogRefusesToStart acknowledges 40 ideas, stops the relay,
// damages the stream's block file three ways, and starts a relay on it:
// it must refuse, naming what is missing, rather than serve fewer ideas
// (or answer bad_code for a session whose log is gone) with /healthz ok.
// Started with AcceptDamagedLog it serves what is left and answers a
// code of a session whose log is gone "unavailable", and the next start
// goes through without the flag.
func TestDamagedLogRefusesToStart(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"200 bytes overwritten", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			junk := make([]byte, 200)
			for i := range junk {
				junk[i] = 0x5a
			}
			if _, err := f.WriteAt(junk, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, st.Size()*45/100); err != nil {
				t.Fatal(err)
			}
		}},
		{"removed", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tr := startRelay(t, dir, Config{})
			codes := tr.create(testPlan)
			code := codes.code(t, "Manzoni", session.Participant)
			ana := tr.join(code, "Ana")
			for i := range 40 {
				ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: fmt.Sprintf("idea %d", i)})
			}
			tr.stop()
			tc.damage(t, blockFile(t, dir))

			_, err := New(context.Background(), Config{Store: StoreConfig{Dir: dir}})
			if !errors.Is(err, ErrLogDamaged) {
				t.Fatalf("New on a damaged log = %v; want an error that is ErrLogDamaged", err)
			}
			t.Logf("refused: %v", err)

			tr2 := startRelay(t, dir, Config{AcceptDamagedLog: true})
			ws := rawDial(t, tr2.url)
			ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: code, Name: "Ben"})
			var answer struct {
				Type string         `json:"type"`
				Code string         `json:"code"`
				Snap *session.State `json:"snapshot"`
			}

			if err := ws.ReadJSON(&answer); err != nil {
				t.Fatalf("answer to a hello: %v", err)
			}
			switch {
			case answer.Type == session.MsgWelcome:
				if n := len(answer.Snap.Ideas); n >= 40 {
					t.Errorf("the damaged log serves %d ideas; the damage lost none?", n)
				}
			case answer.Code == session.ErrCodeBadCode:
				t.Errorf("a code of a session whose log is gone answered %s; want %s", answer.Code, ErrCodeUnavailable)
			}
			tr2.stop()
			tr3 := startRelay(t, dir, Config{})
			tr3.stop()
		})
	}
}

// mountTmpfs mounts a tmpfs of size bytes in a temp dir, or skips the
// test where it cannot (not root, no mount).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs for a full disk needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs for a full disk: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fillDisk writes a file until the file system is full and returns its
// path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	for {
		if _, err := f.Write(buf[:512]); err != nil {
			break
		}
	}
	return path
}

func healthz(t *testing.T, tr *testRelay) int {
	t.Helper()
	resp, err := http.Get(tr.http.URL + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestFullDiskIsLoudAndRecovers runs a relay on a small tmpfs and fills
// it while a client adds ideas: nothing is acknowledged that the log
// does not hold, /healthz answers 503 while appends fail, and once the
// disk has room again the relay recovers by itself: /healthz is 200, a
// new member joins, and the ideas sent meanwhile are applied once each.
func TestFullDiskIsLoudAndRecovers(t *testing.T) {
	dir := mountTmpfs(t, 48<<20)
	tr := startRelay(t, filepath.Join(dir, "data"), Config{})
	codes := tr.create(testPlan)
	code := codes.code(t, "Manzoni", session.Participant)
	ana := joinURL(t, tr.url, code, "Ana", t.TempDir())
	ana.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "before the disk filled"})
	if c := healthz(t, tr); c != http.StatusOK {
		t.Fatalf("/healthz = %d before the disk filled; want 200", c)
	}
	filler := fillDisk(t, dir)
	var sent []string
	// Large enough not to fit the pages the block file holds already.
	for i := range 20 {
		text := fmt.Sprintf("while full %d %s", i, strings.Repeat("word ", 190))
		sent = append(sent, text)
		if err := ana.c.Send(session.NewOp(ana.c.NewOpID(), session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: text})); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, 60*time.Second, "/healthz to answer 503 while appends fail", func() bool {
		ana.pump(10 * time.Millisecond)
		return healthz(t, tr) == http.StatusServiceUnavailable
	})
	t.Logf("outbox holds %d while the disk is full", ana.c.Status().Queued)
	// A join is refused at once, not after the 15 s a join waits for
	// the log.
	start := time.Now()
	ws := rawDial(t, tr.url)
	ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: code, Name: "Cy"})
	var e session.Error
	if err := ws.ReadJSON(&e); err != nil || e.Code != ErrCodeUnavailable {
		t.Errorf("a hello while the disk is full = %+v, %v; want error %s", e, err, ErrCodeUnavailable)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a hello while the disk is full was answered after %v; want at once", d)
	}
	os.Remove(filler)
	start = time.Now()
	waitUntil(t, 60*time.Second, "/healthz to answer 200 once the disk has room", func() bool {
		ana.pump(10 * time.Millisecond)
		return healthz(t, tr) == http.StatusOK
	})
	t.Logf("healthy again %v after the disk had room", time.Since(start).Round(time.Millisecond))
	ben := tr.join(code, "Ben")
	ana.waitFor("an empty outbox", func() bool { return ana.c.Status().State == Live && ana.c.Status().Queued == 0 })
	ben.waitFor("every idea", func() bool { return len(ben.state.Ideas) == 1+len(sent) })
	for id, r := range ana.rejects {
		t.Errorf("op %s rejected: %s %s", id, r.Code, r.Message)
	}
	for _, text := range sent {
		if n := textCount(roomState(t, tr.srv, codes.Session), text); n != 1 {
			t.Errorf("%q applied %d times; want 1", text, n)
		}
	}
}
