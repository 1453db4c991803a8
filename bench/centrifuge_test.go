package bench

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Centrifuge serves in the bench's own process, as the relay and the hub
// do, so the CPU it leaves running after its turn would count against
// the next server measured: closing it must end its goroutines.
func TestCentrifugeEndsWithItsTurn(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, err := startCentrifuge()
	if err != nil {
		t.Fatal(err)
	}
	job := Job{Kind: "room", URL: srv.url, Rate: 50, Duration: 300 * time.Millisecond, TextLen: 80, Dials: 4, Proto: protoCentrifuge}
	job.Groups, _, _ = srv.session(context.Background(), 1, 5)
	res, err := RunLoad(context.Background(), job, nil)
	if err != nil {
		t.Fatalf("room on Centrifuge: %v", err)
	}
	if res.Acked == 0 || res.Acked != res.Sent || res.Gaps != 0 || res.Unacked != 0 || res.Delivered != 5*res.Sent {
		t.Errorf("room on Centrifuge: sent %d, acked %d, delivered %d, gaps %d, unacked %d; want every op acked and delivered to all 5",
			res.Sent, res.Acked, res.Delivered, res.Gaps, res.Unacked)
	}
	srv.close()
	deadline := time.Now().Add(30 * time.Second) // goroutines end in their own time on a busy machine
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Centrifuge closed, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
