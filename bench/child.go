package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
)

// The load process and the bench talk in JSON lines: the bench writes the
// job, the load writes {"mark": NAME} at each mark and waits for a line
// back ("ok", or anything else to stop), and ends with {"result": …} or
// {"error": …}.
type loadLine struct {
	Mark   string      `json:"mark,omitempty"`
	Result *LoadResult `json:"result,omitempty"`
	Error  string      `json:"error,omitempty"`
}

// ServeLoad is the load process: it reads one job from in, runs it and
// writes its marks and result to out. The bench runs it as a child
// (`breakout bench-load`), so the relay's CPU and memory are its own.
func ServeLoad(ctx context.Context, in io.Reader, out io.Writer) error {
	raiseFileLimit()
	// The load's garbage collector should take as little of the two
	// cores from the relay as it can.
	debug.SetGCPercent(400)
	r := bufio.NewReader(in)
	line, err := r.ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("read job: %w", err)
	}
	var job Job
	if err := json.Unmarshal(line, &job); err != nil {
		return fmt.Errorf("read job: %w", err)
	}
	enc := json.NewEncoder(out)
	mark := func(name string) error {
		if err := enc.Encode(loadLine{Mark: name}); err != nil {
			return err
		}
		ans, err := r.ReadString('\n')
		if strings.TrimSpace(ans) != "ok" {
			return fmt.Errorf("stopped at %s: %v %s", name, err, ans)
		}
		return nil
	}
	res, err := RunLoad(ctx, job, mark)
	if err != nil {
		enc.Encode(loadLine{Error: err.Error()})
		return err
	}
	return enc.Encode(loadLine{Result: res})
}

// runChild runs job in a load process and calls onMark at each of its
// marks; the load waits until onMark returns.
func (b *runner) runChild(ctx context.Context, job Job, onMark func(string) error) (*LoadResult, error) {
	if b.opts.InProcess {
		return RunLoad(ctx, job, onMark)
	}
	cmd := exec.CommandContext(ctx, b.exe, b.opts.LoadArgs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start load process: %w", err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	jb, _ := json.Marshal(job)
	if _, err := stdin.Write(append(jb, '\n')); err != nil {
		return nil, fmt.Errorf("send job: %w", err)
	}
	dec := json.NewDecoder(stdout)
	for {
		var ln loadLine
		if err := dec.Decode(&ln); err != nil {
			cmd.Wait()
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("load process (%s): %s", job.Kind, msg)
		}
		switch {
		case ln.Mark != "":
			ans := "ok\n"
			if onMark != nil {
				if err := onMark(ln.Mark); err != nil {
					fmt.Fprintf(stdin, "stop\n")
					return nil, err
				}
			}
			if _, err := io.WriteString(stdin, ans); err != nil {
				return nil, err
			}
		case ln.Error != "":
			return nil, fmt.Errorf("load (%s): %s", job.Kind, ln.Error)
		case ln.Result != nil:
			return ln.Result, nil
		default:
			return nil, errors.New("load process: an empty line")
		}
	}
}

// executable is the binary to run the load with: this one.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own binary for the load process: %w", err)
	}
	return exe, nil
}
