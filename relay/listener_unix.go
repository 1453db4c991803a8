//go:build unix

package relay

import "syscall"

// nonblockingWrites: on unix a flusher writes a batch with write(2) on
// the non-blocking socket, and leaves what the socket does not take to a
// goroutine that may wait (see conn.flushOnce). It spares a goroutine
// hand-off per write; docs/performance.md has the figures.
const nonblockingWrites = true

// writeNow writes as much of p as the socket takes without waiting. full
// reports that the socket's buffer is full (EAGAIN).
func writeNow(raw syscall.RawConn, p []byte) (n int, full bool, err error) {
	var werr error
	rerr := raw.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), p)
			if werr != syscall.EINTR {
				return true // never wait for the socket here
			}
		}
	})
	n = max(n, 0)
	switch {
	case rerr != nil:
		return n, false, rerr
	case werr == syscall.EAGAIN:
		return n, true, nil
	}
	return n, false, werr
}
