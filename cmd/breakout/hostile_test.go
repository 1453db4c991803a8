package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeRefusesCraftedReports: a group report whose texts carry escape
// sequences or invisible characters is refused with one line naming the
// file and the field; nothing of it is printed.
func TestMergeRefusesCraftedReports(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct{ name, body, field string }{
		{"osc title in the group name", `{"schema": "breakout.group-report/2", "group": "Verdi\u001b]2;pwned\u0007", "questions": []}`, "group contains control characters"},
		{"c1 csi in an idea", `{"schema": "breakout.group-report/2", "group": "Verdi", "questions": [{"id": "q1", "text": "Q",
			"ideas": [{"id": "i1", "text": "ok\u009b2J", "author": "Ana"}]}]}`, "questions[1].ideas[1].text contains control characters"},
		{"zero-width in an author", `{"schema": "breakout.group-report/2", "group": "Verdi", "chairs": ["Ana\u200b"], "questions": []}`, "chairs[1] contains invisible"},
		{"bidi in minutes", `{"schema": "breakout.group-report/2", "group": "Verdi", "questions": [{"id": "q1", "text": "Q", "minutes": "a\u202eb"}]}`, "questions[1].minutes contains bidirectional"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write("g.json", tc.body)
			out, err := runCmd(t, newMergeCmd, path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("merge = %v; want an error naming %s and %q", err, path, tc.field)
			}
			if err != nil && (strings.ContainsAny(err.Error(), "\x1b\x07\n") || strings.ContainsRune(err.Error(), '\u009b')) {
				t.Errorf("the error holds control characters: %q", err)
			}
			if strings.Contains(out, "\x1b") || strings.Contains(out, "\u009b") {
				t.Errorf("merge printed the escape sequence: %q", out)
			}
		})
	}
}

// TestMergeCSVNeutralisesEverySplit: a question id or idea whose text
// would start a formula in any split of the line goes out neutralised.
func TestMergeCSVNeutralisesEverySplit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.json")
	body := `{"schema": "breakout.group-report/2", "group": "Verdi", "questions": [{"id": "=HYPERLINK(\"http://x\")", "text": "Q",
		"ideas": [{"id": "i1", "text": "Agreed;=cmd|' /C calc'!A0", "author": "Ana"},
		          {"id": "i2", "text": "fine, +1 | -2\n@SUM(A1)", "author": "Ben"},
		          {"id": "i3", "text": "well-known e-mail", "author": "Cy"}]}]}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, newMergeCmd, path, "--format", "csv")
	if err != nil {
		t.Fatalf("merge --format csv = %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("read the CSV: %v", err)
	}
	want := map[string]bool{
		"Agreed;'=cmd|' /C calc'!A0": true,
		"fine, '+1 | '-2\n'@SUM(A1)": true,
		"well-known e-mail":          true,
		"'=HYPERLINK(\"http://x\")":  true,
	}
	for _, row := range rows[1:] {
		for _, c := range row {
			delete(want, c)
			// In any split of the cell on , ; | tab or a line break, no
			// part starts a formula.
			for _, part := range strings.FieldsFunc(c, func(r rune) bool { return strings.ContainsRune(",;|\t\r\n", r) }) {
				if p := strings.TrimLeft(part, " "); p != "" && strings.ContainsRune("=+-@", rune(p[0])) {
					t.Errorf("cell %q: the part %q starts a formula", c, part)
				}
			}
		}
	}
	for c := range want {
		t.Errorf("no cell %q in the CSV:\n%s", c, out)
	}
}

// TestOutputRefusesSymlinks: -o never writes through, nor replaces, a
// symbolic link; a regular file given with -o is replaced.
func TestOutputRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "g.json")
	os.WriteFile(in, []byte(`{"schema": "breakout.group-report/2", "group": "Verdi", "questions": []}`), 0o644)
	target := filepath.Join(dir, "precious")
	os.WriteFile(target, []byte("keep me"), 0o600)
	link := filepath.Join(dir, "out.md")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := runCmd(t, newMergeCmd, in, "-o", link)
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("merge -o LINK = %v; want it refused as a symbolic link", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Errorf("the link's target now holds %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	plain := filepath.Join(dir, "plain.md")
	os.WriteFile(plain, []byte("old"), 0o644)
	if _, err := runCmd(t, newMergeCmd, in, "-o", plain); err != nil {
		t.Errorf("merge -o FILE over a regular file = %v", err)
	}
	if b, _ := os.ReadFile(plain); !strings.Contains(string(b), "Verdi") {
		t.Errorf("the regular file holds %q; want the report", b)
	}
}
