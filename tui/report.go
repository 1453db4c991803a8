package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
)

// preview shows a Markdown report rendered for the terminal. It renders
// again only when the replica, the width or the colours changed, and only
// while it is on screen.
type preview struct {
	a      *app
	vp     viewport.Model
	source func() string // the Markdown; called on the update goroutine

	built bool
	rev   uint64
	width int
	dark  bool
	r     *glamour.TermRenderer
}

func newPreview(a *app, source func() string) *preview {
	vp := viewport.New()
	return &preview{a: a, vp: vp, source: source}
}

func (p *preview) setSize(w, h int) {
	p.vp.SetWidth(w)
	p.vp.SetHeight(max(h, 1))
}

// refresh renders the report again if anything it depends on changed.
func (p *preview) refresh() {
	w := p.vp.Width()
	dark := p.a.styles.IsDark
	if p.built && p.rev == p.a.rev && p.width == w && p.dark == dark {
		return
	}
	if p.r == nil || p.width != w || p.dark != dark {
		r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(p.a.styles.Glamour), glamour.WithWordWrap(max(w-2, 20)), glamour.WithPreservedNewLines())
		if err != nil {
			p.vp.SetContent("cannot render the preview: " + err.Error())
			return
		}
		p.r = r
	}
	p.built, p.rev, p.width, p.dark = true, p.a.rev, w, dark
	md := p.source()
	out, err := p.r.Render(md)
	if err != nil {
		out = md
	}
	p.vp.SetContent(strings.TrimRight(out, "\n"))
}

func (p *preview) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return cmd
}

func (p *preview) view() string {
	p.refresh()
	return p.vp.View()
}

// exportedMsg says a report file was written, or why not.
type exportedMsg struct {
	path string
	err  error
}

// overwriteMsg is the yes to "overwrite the report file?".
type overwriteMsg struct{ path, body string }

// export writes a report to a new file in the current directory; body is
// made on the update goroutine, the file is written off it. A file there
// already is overwritten only after asking; a symbolic link is never
// followed, nor replaced.
func export(name, body string) tea.Cmd {
	return func() tea.Msg {
		path, err := filepath.Abs(name)
		if err != nil {
			path = name
		}
		if err := refuseSpecial(path); err != nil {
			return exportedMsg{path: path, err: err}
		}
		// O_EXCL fails on any name that exists, a symbolic link
		// included, dangling or not: nothing is followed or clobbered.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			if err := refuseSpecial(path); err != nil {
				return exportedMsg{path: path, err: err}
			}
			return confirmMsg{prompt: filepath.Base(path) + " exists. Overwrite it? (y/n)", yes: overwriteMsg{path, body}}
		}
		if err != nil {
			return exportedMsg{path: path, err: err}
		}
		_, err = f.WriteString(body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return exportedMsg{path: path, err: err}
	}
}

// overwrite replaces the report file the person agreed to overwrite: a
// new file renamed over it, which never writes through a link.
func overwrite(o overwriteMsg) tea.Cmd {
	return func() tea.Msg {
		if err := refuseSpecial(o.path); err != nil {
			return exportedMsg{path: o.path, err: err}
		}
		tmp, err := os.CreateTemp(filepath.Dir(o.path), "."+filepath.Base(o.path)+".*")
		if err != nil {
			return exportedMsg{path: o.path, err: err}
		}
		defer os.Remove(tmp.Name())
		_, err = tmp.WriteString(o.body)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(tmp.Name(), o.path)
		}
		return exportedMsg{path: o.path, err: err}
	}
}

// refuseSpecial says why a report is not written to path: a symbolic
// link, or something other than a regular file.
func refuseSpecial(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil // nothing there (or unreadable: the open will say)
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; not written (remove it or export elsewhere)", filepath.Base(path))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file; not written", filepath.Base(path))
	}
	return nil
}

// fileName makes a group name safe as part of a file name.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r > 127:
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "group"
	}
	return out
}
