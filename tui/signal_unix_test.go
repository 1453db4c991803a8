//go:build unix

package tui

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// SIGTERM reaches the program as a request to quit as the person would
// (stopOnDone), not as Bubble Tea's own immediate quit, which would skip
// saving what waits to be saved.
func TestSIGTERMQuitsAsThePersonWould(t *testing.T) {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	m := stopModel{asked: make(chan struct{})}
	p := newProgram(m, newProgramTestIO()...)
	stop := stopOnDone(ctx, p)
	defer stop()
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	time.Sleep(100 * time.Millisecond) // the program is running
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.asked:
	case err := <-done:
		t.Fatalf("the program ended (%v) without being asked to quit", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the program was not asked to quit")
	}
	<-done
}
