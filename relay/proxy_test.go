package relay

import (
	"net"
	"sync"
	"testing"
)

// proxy is a TCP proxy on loopback, put between a client and a relay (or
// a relay and NATS) so that a test can cut connections at the moment it
// chooses: all at once, or one right after it carried the client's next
// bytes, before anything comes back.
type proxy struct {
	t    *testing.T
	addr string

	mu     sync.Mutex
	ln     net.Listener // nil while down
	target string
	pipes  map[*pipe]struct{}
	arm    *cutOrder // what to do with the next bytes a client sends
	wg     sync.WaitGroup
}

// pipe is one proxied connection.
type pipe struct {
	client, server net.Conn
	mu             sync.Mutex // held while forwarding; cut is final
	cut            bool
}

// cutOrder says what to do with the next bytes from a client: forward
// them (or drop them), then cut that connection at once.
type cutOrder struct {
	drop bool
	skip int // reads to forward before the one the cut follows
	done chan struct{}
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), ln: ln, target: target, pipes: map[*pipe]struct{}{}}
	p.wg.Add(1)
	go p.accept(ln)
	t.Cleanup(p.close)
	return p
}

// url is the proxy's address as a websocket URL.
func (p *proxy) url() string { return "ws://" + p.addr + "/ws" }

func (p *proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		pp := &pipe{client: c, server: s}
		p.mu.Lock()
		if p.ln != ln { // went down meanwhile
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.pipes[pp] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.up(pp)
		go p.down(pp)
	}
}

// up copies client → server, and carries out an armed cut.
func (p *proxy) up(pp *pipe) {
	defer p.wg.Done()
	defer p.forget(pp)
	buf := make([]byte, 64<<10)
	for {
		n, err := pp.client.Read(buf)
		if n > 0 {
			p.mu.Lock()
			order := p.arm
			if order != nil && order.skip > 0 {
				order.skip--
				order = nil
			} else {
				p.arm = nil
			}
			p.mu.Unlock()
			pp.mu.Lock()
			if pp.cut {
				pp.mu.Unlock()
				return
			}
			if order != nil {
				// Nothing the server answers from now on reaches the
				// client: the cut is set before the bytes go out.
				pp.cut = true
				if !order.drop {
					pp.server.Write(buf[:n])
				}
				pp.client.Close()
				pp.server.Close()
				pp.mu.Unlock()
				close(order.done)
				return
			}
			_, werr := pp.server.Write(buf[:n])
			pp.mu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// down copies server → client unless the pipe was cut.
func (p *proxy) down(pp *pipe) {
	defer p.wg.Done()
	defer p.forget(pp)
	buf := make([]byte, 64<<10)
	for {
		n, err := pp.server.Read(buf)
		if n > 0 {
			pp.mu.Lock()
			if pp.cut {
				pp.mu.Unlock()
				return
			}
			_, werr := pp.client.Write(buf[:n])
			pp.mu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// forget closes both ends of a pipe and drops it.
func (p *proxy) forget(pp *pipe) {
	pp.mu.Lock()
	pp.cut = true
	pp.mu.Unlock()
	pp.client.Close()
	pp.server.Close()
	p.mu.Lock()
	delete(p.pipes, pp)
	p.mu.Unlock()
}

// cutNext arms a cut: the next bytes any client sends are forwarded (or
// dropped, with drop) and that connection is closed right after, before
// the server's answer can come back. The channel closes when it happened.
func (p *proxy) cutNext(drop bool) <-chan struct{} {
	o := &cutOrder{drop: drop, done: make(chan struct{})}
	p.mu.Lock()
	p.arm = o
	p.mu.Unlock()
	return o.done
}

// cutAfter is cutNext for the read after the next skip reads (of any
// client): with skip 1, a new client's hello follows its websocket
// handshake.
func (p *proxy) cutAfter(skip int) <-chan struct{} {
	o := &cutOrder{skip: skip, done: make(chan struct{})}
	p.mu.Lock()
	p.arm = o
	p.mu.Unlock()
	return o.done
}

// cutAll closes every connection through the proxy; new ones are let in.
func (p *proxy) cutAll() {
	p.mu.Lock()
	pipes := make([]*pipe, 0, len(p.pipes))
	for pp := range p.pipes {
		pipes = append(pipes, pp)
	}
	p.mu.Unlock()
	for _, pp := range pipes {
		p.forget(pp)
	}
}

// goDown cuts every connection and refuses new ones until goUp.
func (p *proxy) goDown() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	p.cutAll()
}

// goUp listens again on the same address.
func (p *proxy) goUp() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

// setTarget sends new connections elsewhere (a load balancer that moved).
func (p *proxy) setTarget(addr string) {
	p.mu.Lock()
	p.target = addr
	p.mu.Unlock()
}

func (p *proxy) close() {
	p.goDown()
	p.wg.Wait()
}
