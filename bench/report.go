package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Report is the outcome of a bench run.
type Report struct {
	Machine Machine `json:"machine"`
	Quick   bool    `json:"quick"`
	// LoadAvg is the machine's load average (1, 5, 15 minutes) when the
	// run started and when it ended: how busy the rest of it was.
	LoadAvg   [2]string `json:"load_avg"`
	Scenarios []Result  `json:"scenarios"`
}

// Result is one scenario's figures and how they compare with its target.
type Result struct {
	Name    string   `json:"name"`
	What    string   `json:"what"`
	Figures Figures  `json:"figures"`
	Checks  []Check  `json:"checks,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	rows    []row
	// head names the columns of the rows after the label; empty for
	// relay, hub and relay/hub.
	head []string
}

// Check is one target and whether it was met.
type Check struct {
	Target string `json:"target"`
	Got    string `json:"got"`
	Met    bool   `json:"met"`
}

// Figure is one named figure; its value is a number, a bool or a string.
type Figure struct {
	Key   string
	Value any
}

// Figures keep their order in JSON, so the output reads like the table.
type Figures []Figure

// MarshalJSON writes the figures as one object, in order.
func (f Figures) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, fig := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(fig.Key)
		v, err := json.Marshal(fig.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns the value of the figure key, or nil.
func (f Figures) Get(key string) any {
	for _, fig := range f {
		if fig.Key == key {
			return fig.Value
		}
	}
	return nil
}

// row is one line of a scenario's table: what, then a cell per column
// (by default the relay's value, the hub's and their ratio); any cell
// may be empty.
type row struct {
	label string
	cells []string
}

func (r *Result) fig(key string, v any) { r.Figures = append(r.Figures, Figure{key, v}) }
func (r *Result) row(label string, cells ...string) {
	r.rows = append(r.rows, row{label, cells})
}
func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *Result) check(met bool, target, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Target: target, Got: fmt.Sprintf(format, args...), Met: met})
}

// WriteJSON writes the report as JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteText writes the report as readable tables, with the ratios to the
// baseline and each target met or missed.
func (rep *Report) WriteText(w io.Writer) error {
	m := rep.Machine
	mode := "full"
	if rep.Quick {
		mode = "quick"
	}
	fmt.Fprintf(w, "breakout bench (%s run) on %d cores (GOMAXPROCS %d), %s, %d GiB, %s %s\n",
		mode, m.CPUs, m.GOMAXPROCS, m.CPU, m.MemoryGiB, m.Go, m.OS)
	fmt.Fprintln(w, "the load runs in a child process; CPU and memory figures are the server's own (relay, hub or Centrifuge, in turns)")
	fmt.Fprintf(w, "load average at the start %s, at the end %s\n", rep.LoadAvg[0], rep.LoadAvg[1])
	met, missed := 0, 0
	for _, r := range rep.Scenarios {
		fmt.Fprintf(w, "\n%s — %s\n", r.Name, r.What)
		// Labels read left-aligned, figures right-aligned.
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		cols, width := 0, 0
		for _, rw := range r.rows {
			for i, c := range rw.cells {
				if c != "" {
					cols = max(cols, i+1)
				}
			}
			width = max(width, utf8.RuneCountInString(rw.label))
		}
		pad := func(s string) string { return "  " + s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
		head := r.head
		if len(head) == 0 {
			head = []string{"relay", "hub", "relay/hub"}
		}
		if cols > 1 {
			cols = max(cols, len(head))
			fmt.Fprintf(tw, "%s\t%s\t\n", pad(""), strings.Join(head[:min(cols, len(head))], "\t"))
		}
		for _, rw := range r.rows {
			cells := make([]string, max(cols, 1))
			copy(cells, rw.cells)
			fmt.Fprintf(tw, "%s\t%s\t\n", pad(rw.label), strings.Join(cells, "\t"))
		}
		tw.Flush()
		for _, c := range r.Checks {
			verdict := "MET"
			if c.Met {
				met++
			} else {
				verdict = "MISSED"
				missed++
			}
			fmt.Fprintf(w, "  %-6s  target %s: %s\n", verdict, c.Target, c.Got)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	fmt.Fprintf(w, "\ntargets: %d met, %d missed\n", met, missed)
	return nil
}

// Formatting of values in the tables.
func fmtUs(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f ms", v/1000)
	}
	return fmt.Sprintf("%.0f µs", v)
}

func fmtMs(v float64) string { return fmt.Sprintf("%.1f ms", v) }

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func fmtInt(v int) string {
	s := fmt.Sprint(v)
	if v < 10000 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
