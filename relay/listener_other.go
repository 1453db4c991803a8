//go:build !unix

package relay

import (
	"errors"
	"syscall"
)

// nonblockingWrites: without a non-blocking write(2) (Windows), every
// write to a client goes through the connection's own goroutine with
// ordinary blocking writes (conn.slowWriter); batches are still joined
// into one write.
const nonblockingWrites = false

// writeNow is never called where nonblockingWrites is false.
func writeNow(syscall.RawConn, []byte) (n int, full bool, err error) {
	return 0, false, errors.New("non-blocking writes are not supported on this system")
}
