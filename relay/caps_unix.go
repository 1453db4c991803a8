//go:build unix

package relay

import "syscall"

// fdLimit is the process's soft limit on open files.
func fdLimit() (int, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return int(min(rl.Cur, 1<<31)), true
}
