package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breakout/session"
)

// TestExportNeverFollowsLinksNorOverwritesUnasked: E refuses a symbolic
// link where the report would go, asks before overwriting a file, keeps
// it on no, and writes a new file without asking.
func TestExportNeverFollowsLinksNorOverwritesUnasked(t *testing.T) {
	tr := startRelay(t)
	d := newDriver(t, tr.dial("", session.Organizer, "Olga", ""), 100, 30, nil)
	d.settled()
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join(dir, "conference-report.md")
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
	// exportSays presses E and waits for the notice it brings, not one
	// left on the screen by the press before.
	exportSays := func(want string) {
		t.Helper()
		before := d.m.a.notice.id
		d.press("E")
		d.waitFor(want, func() bool { return d.m.a.notice.id != before && strings.Contains(d.view(), want) })
	}

	target := filepath.Join(dir, "precious.txt")
	os.WriteFile(target, []byte("keep me"), 0o600)
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	exportSays("is a symbolic link; not written")
	if got := read(target); got != "keep me" {
		t.Errorf("the link's target holds %q after E", got)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}

	// A dangling link is not followed either.
	os.Remove(path)
	os.Symlink(filepath.Join(dir, "nowhere.md"), path)
	exportSays("is a symbolic link; not written")
	if _, err := os.Stat(filepath.Join(dir, "nowhere.md")); err == nil {
		t.Errorf("E created the dangling link's target")
	}

	os.Remove(path)
	os.WriteFile(path, []byte("an earlier report"), 0o644)
	d.press("E")
	d.waitView("conference-report.md exists. Overwrite it? (y/n)")
	d.press("n")
	d.waitView("left as it was")
	if got := read(path); got != "an earlier report" {
		t.Errorf("after no, the file holds %q", got)
	}
	d.press("E")
	d.waitView("Overwrite it?")
	d.press("y")
	d.waitView("wrote")
	if got := read(path); !strings.Contains(got, "Breakout groups") {
		t.Errorf("after yes, the file holds %q; want the report", got)
	}

	os.Remove(path)
	d.press("E")
	d.waitFor("a new export", func() bool { return strings.Contains(read(path), "Breakout groups") })
}
