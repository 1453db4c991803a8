package relay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
