package sshd

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// screenGrid is a small terminal emulator for the tests: enough of the
// sequences Bubble Tea's renderer writes (cursor moves, erases, inserts,
// repeats) to know what a person would see, since a redraw writes only the
// cells that changed.
type screenGrid struct {
	w, h   int
	cells  [][]rune
	x, y   int
	last   rune
	top    int
	bottom int
}

func newGrid(w, h int) *screenGrid {
	g := &screenGrid{w: w, h: h, bottom: h - 1}
	g.cells = make([][]rune, h)
	for i := range g.cells {
		g.cells[i] = blank(w)
	}
	return g
}

func blank(w int) []rune { return []rune(strings.Repeat(" ", w)) }

// String is the screen's text, one line per row, trailing spaces cut.
func (g *screenGrid) String() string {
	var b strings.Builder
	for _, r := range g.cells {
		b.WriteString(strings.TrimRight(string(r), " ") + "\n")
	}
	return b.String()
}

func (g *screenGrid) clamp() {
	g.x = min(max(g.x, 0), g.w-1)
	g.y = min(max(g.y, 0), g.h-1)
}

func (g *screenGrid) scrollUp(n int) {
	for range n {
		copy(g.cells[g.top:g.bottom], g.cells[g.top+1:g.bottom+1])
		g.cells[g.bottom] = blank(g.w)
	}
}

func (g *screenGrid) scrollDown(n int) {
	for range n {
		copy(g.cells[g.top+1:g.bottom+1], g.cells[g.top:g.bottom])
		g.cells[g.top] = blank(g.w)
	}
}

func (g *screenGrid) put(r rune) {
	rw := ansi.StringWidth(string(r))
	if rw == 0 {
		return
	}
	if g.x+rw > g.w {
		g.x = 0
		g.lf()
	}
	g.cells[g.y][g.x] = r
	if rw == 2 && g.x+1 < g.w {
		g.cells[g.y][g.x+1] = 0
	}
	g.x += rw
	if g.x >= g.w {
		g.x = g.w - 1 // pending wrap, approximated
	}
	g.last = r
}

func (g *screenGrid) lf() {
	if g.y == g.bottom {
		g.scrollUp(1)
	} else {
		g.y++
	}
	g.clamp()
}

// Write feeds output of the program to the screen.
func (g *screenGrid) Write(p []byte) {
	s := string(p)
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == 0x1b:
			n := g.escape(s)
			s = s[n:]
			continue
		case c == '\r':
			g.x = 0
		case c == '\n':
			g.lf()
		case c == '\b':
			g.x = max(g.x-1, 0)
		case c == '\t':
			g.x = min((g.x/8+1)*8, g.w-1)
		case c < 0x20 || c == 0x7f:
		default:
			r, size := utf8.DecodeRuneInString(s)
			g.put(r)
			s = s[size:]
			continue
		}
		s = s[1:]
	}
}

// escape handles the sequence at the start of s and returns its length.
func (g *screenGrid) escape(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		i := 2
		for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
			i++
		}
		if i >= len(s) {
			return len(s)
		}
		g.csi(s[2:i], s[i])
		return i + 1
	case ']', 'P', '_', '^':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	case '(', ')', '#':
		return min(3, len(s))
	case 'M':
		if g.y == g.top {
			g.scrollDown(1)
		} else {
			g.y--
		}
		g.clamp()
	case 'D':
		g.lf()
	case 'E':
		g.x = 0
		g.lf()
	}
	return 2
}

func (g *screenGrid) csi(params string, final byte) {
	private := strings.HasPrefix(params, "?") || strings.HasPrefix(params, ">") || strings.HasPrefix(params, "<") || strings.HasPrefix(params, "=")
	var ns []int
	for _, f := range strings.Split(strings.TrimLeft(params, "?><="), ";") {
		n, _ := strconv.Atoi(f)
		ns = append(ns, n)
	}
	arg := func(i, def int) int {
		if i < len(ns) && ns[i] != 0 {
			return ns[i]
		}
		return def
	}
	if private {
		if (final == 'h' || final == 'l') && (arg(0, 0) == 1049 || arg(0, 0) == 47) {
			for i := range g.cells {
				g.cells[i] = blank(g.w)
			}
		}
		return
	}
	switch final {
	case 'A':
		g.y -= arg(0, 1)
	case 'B', 'e':
		g.y += arg(0, 1)
	case 'C', 'a':
		g.x += arg(0, 1)
	case 'D':
		g.x -= arg(0, 1)
	case 'E':
		g.y, g.x = g.y+arg(0, 1), 0
	case 'F':
		g.y, g.x = g.y-arg(0, 1), 0
	case 'G', '`':
		g.x = arg(0, 1) - 1
	case 'd':
		g.y = arg(0, 1) - 1
	case 'H', 'f':
		g.y, g.x = arg(0, 1)-1, arg(1, 1)-1
	case 'J':
		switch arg(0, 0) {
		case 0:
			copy(g.cells[g.y][g.x:], blank(g.w-g.x))
			for i := g.y + 1; i < g.h; i++ {
				g.cells[i] = blank(g.w)
			}
		case 1:
			copy(g.cells[g.y][:g.x+1], blank(g.x+1))
			for i := 0; i < g.y; i++ {
				g.cells[i] = blank(g.w)
			}
		default:
			for i := range g.cells {
				g.cells[i] = blank(g.w)
			}
		}
	case 'K':
		switch arg(0, 0) {
		case 0:
			copy(g.cells[g.y][g.x:], blank(g.w-g.x))
		case 1:
			copy(g.cells[g.y][:g.x+1], blank(g.x+1))
		default:
			g.cells[g.y] = blank(g.w)
		}
	case 'X':
		n := min(arg(0, 1), g.w-g.x)
		copy(g.cells[g.y][g.x:g.x+n], blank(n))
	case 'P':
		n := min(arg(0, 1), g.w-g.x)
		row := g.cells[g.y]
		copy(row[g.x:], row[g.x+n:])
		copy(row[g.w-n:], blank(n))
	case '@':
		n := min(arg(0, 1), g.w-g.x)
		row := g.cells[g.y]
		copy(row[g.x+n:], row[g.x:g.w-n])
		copy(row[g.x:g.x+n], blank(n))
	case 'b':
		for range arg(0, 1) {
			g.put(g.last)
		}
	case 'L', 'M':
		top := g.top
		g.top = g.y
		if final == 'L' {
			g.scrollDown(arg(0, 1))
		} else {
			g.scrollUp(arg(0, 1))
		}
		g.top = top
	case 'S':
		g.scrollUp(arg(0, 1))
	case 'T':
		g.scrollDown(arg(0, 1))
	case 'r':
		g.top, g.bottom = arg(0, 1)-1, arg(1, g.h)-1
		g.x, g.y = 0, 0
	}
	g.clamp()
}
