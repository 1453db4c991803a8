//go:build !unix

package bench

import (
	"syscall"
	"time"
)

// The bench measures on unix; elsewhere it runs, without the process's
// CPU time, the file limit or small receive buffers.

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }

// raiseFileLimit: there is no such limit to raise here.
func raiseFileLimit() uint64 { return ^uint64(0) }

// receiveBuffer leaves the receive buffer as the system makes it.
func receiveBuffer(int) func(_, _ string, rc syscall.RawConn) error { return nil }
