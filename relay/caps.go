package relay

import (
	"net"
	"sync"
)

// Connection caps. Every connection holds a file descriptor; a relay
// that runs out of them cannot accept anyone (600 idle keep-alive
// connections under ulimit -n 512 made a real join time out). The relay
// closes a connection at once when its address holds MaxConnsPerAddr
// already, or the relay MaxConns: descriptors are left for the log and
// for other addresses.

// DefaultMaxConnsPerAddr is the default of Config.MaxConnsPerAddr: a
// conference network behind one address may bring a few hundred people.
const DefaultMaxConnsPerAddr = 1000

// fdReserve is the part of the descriptor limit kept for the log's
// files and the relay's own: a quarter, at most 256.
func fdReserve(limit int) int { return min(256, limit/4) }

// defaultMaxConns derives the total cap from the process's descriptor
// limit, where the system has one (fdLimit, per OS).
func defaultMaxConns() int {
	limit, ok := fdLimit()
	if !ok || limit == 0 || limit > 1<<30 {
		return 1 << 20
	}
	return max(32, limit-fdReserve(limit))
}

// connCaps counts connections, per address and in total.
type connCaps struct {
	mu       sync.Mutex
	total    int
	addrs    map[string]int
	max      int
	perAddr  int
	refused  func() // counts a refused connection
	accepted func() // counts an accepted one
}

func newConnCaps(total, perAddr int) *connCaps {
	if total <= 0 {
		total = defaultMaxConns()
	}
	if perAddr <= 0 {
		// By default one address never takes them all.
		perAddr = max(1, min(DefaultMaxConnsPerAddr, total/2))
	}
	return &connCaps{addrs: map[string]int{}, max: total, perAddr: perAddr}
}

// admit counts a connection from ip unless a cap is reached.
func (cc *connCaps) admit(ip string) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.total >= cc.max || cc.addrs[ip] >= cc.perAddr {
		return false
	}
	cc.total++
	cc.addrs[ip]++
	return true
}

// leave uncounts a connection from ip.
func (cc *connCaps) leave(ip string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.total--
	if cc.addrs[ip]--; cc.addrs[ip] <= 0 {
		delete(cc.addrs, ip)
	}
}

// addrOf is the address part of a connection's remote address.
func addrOf(c net.Conn) string {
	a := c.RemoteAddr()
	if a == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
