package relay

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// ConnState is the state of a client's connection.
type ConnState int

// Connection states, as the screens show them.
const (
	Connecting ConnState = iota
	Live
	Reconnecting
	Closed
)

func (s ConnState) String() string {
	return [...]string{"connecting", "live", "reconnecting", "closed"}[s]
}

// Status is what a screen shows of the connection.
type Status struct {
	State  ConnState
	Queued int    // ops not yet acknowledged
	Err    string // why the last connection ended, if it did
}

// Update is one thing that happened on a client: exactly one field is set
// (Op only ever comes with Reject).
type Update struct {
	Welcome *session.Welcome
	Event   *session.Event
	Ack     *session.Ack
	Reject  *session.Reject
	// Op comes with Reject when the op refused was in this client's
	// outbox, as it was queued: sent by an earlier run of the program
	// too, so that its text can be given back to the person.
	Op     *session.Op
	Status *Status
	// Fatal ends the client: the code or token was refused for good.
	Fatal error
}

// ClientConfig configures Dial.
type ClientConfig struct {
	// URL of the relay: ws://, wss://, http:// or https://, with or
	// without the /ws path.
	URL        string
	Code       string
	Name       string
	Background string
	// StateDir keeps the resume token and the outbox, so a restarted
	// client is the same person and sends what was queued. Empty keeps
	// them in memory only.
	StateDir string
	// TLS configures wss:// connections; certificates are verified unless
	// it says otherwise.
	TLS *tls.Config
	// NetDial, when set, makes the connection instead of a TCP dial: the
	// SSH server reaches its own relay in process this way, through the
	// same hello as everyone else.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client is a connection to a relay that reconnects by itself. Ops sent
// while offline wait in the outbox and go out, once each, when the
// connection is back.
type Client struct {
	cfg     ClientConfig
	url     string
	updates chan Update
	cancel  context.CancelFunc
	done    chan struct{}

	kick chan struct{} // wakes the writer: the outbox grew

	mu     sync.Mutex
	ws     *websocket.Conn // nil while offline
	sent   map[string]bool // ops sent on the current connection
	resume string
	since  int64
	// join is the key sent with a hello that joins with the code, kept
	// (in StateDir too) until a welcome comes: a retry whose first hello
	// was applied but not answered is then the same person.
	join   string
	outbox []session.Op
	box    *outboxFile // the outbox on disk, with StateDir, until Close
	status Status
	nextID uint64
	prefix string
}

// ErrRefused is a fatal refusal by the relay (wrong code, say).
var ErrRefused = errors.New("refused by the relay")

// WebsocketURL turns what a person types into the relay's websocket URL.
func WebsocketURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "ws://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("relay URL %q is not valid; use ws://HOST:PORT or wss://HOST", raw)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("relay URL %q: scheme %q is not ws, wss, http or https", raw, u.Scheme)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/ws"
	}
	return u.String(), nil
}

// Dial connects to a relay and joins with the code (or the resume token
// kept in StateDir). It returns once the relay has welcomed the client,
// or the first error; afterwards the client reconnects by itself until
// Close. The welcome is the first update.
func Dial(ctx context.Context, cfg ClientConfig) (*Client, error) {
	u, err := WebsocketURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, url: u, updates: make(chan Update, 4096), done: make(chan struct{}),
		kick: make(chan struct{}, 1), prefix: newSecret()[:8]}
	c.mu.Lock()
	err = c.loadStateLocked()
	c.status.Queued = len(c.outbox)
	c.mu.Unlock()
	if err == nil {
		err = c.connect(ctx)
		if errors.Is(err, ErrStaleResume) && c.cfg.Name != "" {
			err = c.connect(ctx) // the token was forgotten; join with the code
		}
	}
	if err != nil {
		c.mu.Lock()
		c.closeOutboxLocked() // what it queued or took over stays for the next
		c.mu.Unlock()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.run(rctx)
	return c, nil
}

// Updates delivers what happens on the connection, in order.
func (c *Client) Updates() <-chan Update { return c.updates }

// Status returns the connection's current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// NewOpID returns an op id unique to this client.
func (c *Client) NewOpID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	return fmt.Sprintf("%s-%d-%d", c.prefix, time.Now().UnixMilli(), c.nextID)
}

// ErrTooLarge is returned by Send for an op larger than the relay takes
// in one frame; it is not queued, so it cannot block the outbox.
var ErrTooLarge = errors.New("too large to send")

// Send queues an op: it is kept in the outbox (on disk with StateDir)
// until the relay acknowledges or rejects it, and sent now if online.
// It does not block on the network.
func (c *Client) Send(op session.Op) error {
	frame, err := json.Marshal(session.OpMsg{Type: session.MsgOp, ID: op.ID, Kind: op.Kind, Data: op.Data})
	if err != nil {
		return fmt.Errorf("send %s: %w", op.Kind, err)
	}
	if len(frame) > maxFrame {
		return fmt.Errorf("send %s: %w: %d KiB, the relay takes at most %d KiB", op.Kind, ErrTooLarge, len(frame)>>10, maxFrame>>10)
	}
	c.mu.Lock()
	c.outbox = append(c.outbox, op)
	c.status.Queued = len(c.outbox)
	err = c.saveOutboxLocked()
	c.mu.Unlock()
	c.pushStatus()
	c.wake()
	return err
}

func (c *Client) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// writer sends the outbox, in order, on one connection: every op not yet
// sent on it. It ends when the connection does.
func (c *Client) writer(ctx context.Context, ws *websocket.Conn, gone <-chan struct{}) {
	for {
		c.mu.Lock()
		var todo []session.Op
		if c.ws == ws {
			for _, op := range c.outbox {
				if !c.sent[op.ID] {
					c.sent[op.ID] = true
					todo = append(todo, op)
				}
			}
		}
		c.mu.Unlock()
		for _, op := range todo {
			ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := ws.WriteJSON(session.OpMsg{Type: session.MsgOp, ID: op.ID, Kind: op.Kind, Data: op.Data}); err != nil {
				ws.Close()
				return
			}
		}
		select {
		case <-c.kick:
		case <-gone:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Close ends the client and its goroutines. Ops still queued stay in the
// state directory for the next client there.
func (c *Client) Close() {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	c.mu.Lock()
	c.closeOutboxLocked()
	c.mu.Unlock()
}

func (c *Client) pushStatus() {
	st := c.Status()
	select {
	case c.updates <- Update{Status: &st}:
	default: // the screen reads Status() on its next frame anyway
	}
}

func (c *Client) setStatus(state ConnState, why string) {
	c.mu.Lock()
	c.status.State, c.status.Err = state, why
	c.mu.Unlock()
	c.pushStatus()
}

// connect dials, says hello, waits for the welcome and resends the
// outbox. It returns a *wireError when the relay refused the client.
func (c *Client) connect(ctx context.Context) error {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, TLSClientConfig: c.cfg.TLS,
		Proxy: http.ProxyFromEnvironment, NetDialContext: c.cfg.NetDial}
	ws, resp, err := d.DialContext(ctx, c.url, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("connect to %s: %s", c.url, resp.Status)
		}
		return fmt.Errorf("connect to %s: %w", c.url, err)
	}
	ws.SetReadLimit(256 << 20) // a welcome holds the whole visible state
	c.mu.Lock()
	h := session.Hello{Type: session.MsgHello, Resume: c.resume, Since: c.since}
	if c.resume == "" {
		if c.join == "" {
			c.join = newSecret()
			c.saveJoinLocked()
		}
		h = session.Hello{Type: session.MsgHello, Code: c.cfg.Code, Name: c.cfg.Name, Background: c.cfg.Background, Join: c.join}
	}
	c.mu.Unlock()
	ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := ws.WriteJSON(h); err != nil {
		ws.Close()
		return fmt.Errorf("say hello: %w", err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, frame, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		return fmt.Errorf("wait for welcome: %w", err)
	}
	ws.SetReadDeadline(time.Time{})
	var head struct {
		Type string `json:"type"`
	}
	json.Unmarshal(frame, &head)
	if head.Type == session.MsgError {
		ws.Close()
		e := &session.Error{}
		json.Unmarshal(frame, e)
		if e.Code == session.ErrCodeBadToken && c.cfg.Code != "" {
			c.mu.Lock()
			c.resume, c.since = "", 0 // join afresh with the code
			c.saveResumeLocked()
			c.mu.Unlock()
			return &wireError{e, false}
		}
		return &wireError{e, fatalCode(e.Code)}
	}
	var w session.Welcome
	if head.Type != session.MsgWelcome || json.Unmarshal(frame, &w) != nil {
		ws.Close()
		return fmt.Errorf("the relay answered hello with %q, not a welcome", head.Type)
	}
	c.mu.Lock()
	c.resume, c.since, c.ws, c.sent = w.Resume, w.Seq, ws, map[string]bool{}
	c.status.State, c.status.Err = Live, ""
	c.saveResumeLocked()
	if c.join != "" {
		c.join = "" // welcomed: the resume token stands for the person now
		c.saveJoinLocked()
	}
	c.mu.Unlock()
	if !c.deliver(ctx, Update{Welcome: &w}) {
		ws.Close()
		return ctx.Err()
	}
	c.pushStatus()
	return nil
}

// deliver hands an update to the reader of Updates, unless the client is
// closing: a program that stopped reading must not keep Close waiting.
func (c *Client) deliver(ctx context.Context, u Update) bool {
	select {
	case c.updates <- u:
		return true
	case <-ctx.Done():
		return false
	}
}

// ErrStaleResume is a stored resume token the relay no longer knows. The
// client has forgotten it; Dial joins afresh with the code when it has a
// name, else returns this error so the caller can ask for one.
var ErrStaleResume = errors.New("resume token no longer valid")

// ErrNameNeeded says the code is a shared one and the hello had no name:
// the caller asks the person for a name and dials again.
var ErrNameNeeded = errors.New("a name is needed")

// wireError is an error message from the relay: errors.As finds the
// *session.Error, errors.Is what the client makes of it (ErrRefused,
// ErrStaleResume).
type wireError struct {
	e     *session.Error
	fatal bool
}

func (e *wireError) Error() string { return e.e.Error() }

func (e *wireError) Unwrap() []error {
	switch {
	case e.fatal:
		return []error{e.e, ErrRefused}
	case e.e.Code == session.ErrCodeBadToken:
		return []error{e.e, ErrStaleResume}
	case e.e.Code == session.ErrCodeNameNeeded:
		return []error{e.e, ErrNameNeeded}
	}
	return []error{e.e}
}

// fatalCode reports whether an error ends the client for good. Not
// too_many_attempts: it counts failures per address, and behind a
// conference's NAT other people's typos must not stop a client with a
// valid token from coming back once the address is let in again.
func fatalCode(code string) bool {
	switch code {
	case session.ErrCodeBadCode, session.ErrCodeBadToken, session.ErrCodeProtocol, session.ErrCodeRemoved:
		return true
	}
	return false
}

// run reads the connection until it drops, then reconnects with backoff
// and jitter; it ends on Close.
func (c *Client) run(ctx context.Context) {
	defer close(c.done)
	defer c.setStatus(Closed, "")
	for {
		c.mu.Lock()
		ws := c.ws
		c.mu.Unlock()
		if ws != nil {
			stop := context.AfterFunc(ctx, func() { ws.Close() })
			gone := make(chan struct{})
			wdone := make(chan struct{})
			go func() { c.writer(ctx, ws, gone); close(wdone) }()
			why := c.read(ctx, ws)
			close(gone)
			<-wdone
			stop()
			c.mu.Lock()
			c.ws = nil
			c.mu.Unlock()
			ws.Close()
			if ctx.Err() != nil {
				return
			}
			c.setStatus(Reconnecting, why)
		}
		for attempt := 0; ; attempt++ {
			wait := backoff(attempt)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			err := c.connect(ctx)
			if err == nil {
				break
			}
			if errors.Is(err, ErrRefused) {
				c.deliver(ctx, Update{Fatal: err})
				return
			}
			c.setStatus(Reconnecting, err.Error())
		}
	}
}

// backoff grows from 100 ms to 5 s, with ±50 % jitter so a room of
// clients does not reconnect in lockstep after a relay restart.
func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	d = min(d, 5*time.Second)
	return d/2 + rand.N(d)
}

// read handles frames until the connection ends, and says why it ended.
func (c *Client) read(ctx context.Context, ws *websocket.Conn) string {
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			return "connection lost"
		}
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(frame, &head) != nil {
			continue
		}
		var u Update
		switch head.Type {
		case session.MsgEvent:
			var m session.EventMsg
			if json.Unmarshal(frame, &m) != nil {
				continue
			}
			c.mu.Lock()
			if m.Seq > c.since {
				c.since = m.Seq
			}
			c.mu.Unlock()
			u.Event = &m.Event
		case session.MsgAck:
			var m session.Ack
			if json.Unmarshal(frame, &m) != nil {
				continue
			}
			c.settle(m.ID)
			u.Ack = &m
		case session.MsgReject:
			var m session.Reject
			if json.Unmarshal(frame, &m) != nil {
				continue
			}
			if m.Code != session.CodeRateLimited {
				if op, ok := c.settle(m.ID); ok {
					u.Op = &op
				}
			} else {
				// Rate-limited ops were never appended: send them again
				// a little later.
				c.retryLater(m.ID)
			}
			u.Reject = &m
		case session.MsgError:
			var m session.Error
			json.Unmarshal(frame, &m)
			return m.Message
		default:
			continue
		}
		if !c.deliver(ctx, u) {
			return "closed"
		}
	}
}

// settle takes an answered op out of the outbox and returns it.
func (c *Client) settle(id string) (session.Op, bool) {
	c.mu.Lock()
	var found session.Op
	ok := false
	for i, op := range c.outbox {
		if op.ID == id {
			found, ok = op, true
			c.outbox = append(c.outbox[:i], c.outbox[i+1:]...)
			break
		}
	}
	c.status.Queued = len(c.outbox)
	c.saveOutboxLocked()
	c.mu.Unlock()
	c.pushStatus()
	return found, ok
}

// retryLater sends a rate-limited op again after a pause.
func (c *Client) retryLater(id string) {
	c.mu.Lock()
	delete(c.sent, id)
	c.mu.Unlock()
	time.AfterFunc(time.Second, c.wake)
}

// State files: the resume token, the join key while joining, and the
// outbox, in a file of the client's own (outbox.go).
func (c *Client) loadStateLocked() error {
	if c.cfg.StateDir == "" {
		return nil
	}
	if err := os.MkdirAll(c.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("client state directory: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(c.cfg.StateDir, "resume")); err == nil {
		c.resume = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(c.cfg.StateDir, "join")); err == nil {
		c.join = strings.TrimSpace(string(b))
	}
	box, err := claimOutbox(c.cfg.StateDir)
	if err != nil {
		return err
	}
	c.box = box
	return c.adoptOutboxesLocked()
}

func (c *Client) saveResumeLocked() {
	if c.cfg.StateDir == "" {
		return
	}
	writeFileAtomic(filepath.Join(c.cfg.StateDir, "resume"), []byte(c.resume+"\n"))
}

// saveJoinLocked keeps the join key, or removes it once it is spent.
func (c *Client) saveJoinLocked() {
	if c.cfg.StateDir == "" {
		return
	}
	path := filepath.Join(c.cfg.StateDir, "join")
	if c.join == "" {
		os.Remove(path)
		return
	}
	writeFileAtomic(path, []byte(c.join+"\n"))
}

// saveOutboxLocked writes the queue to the client's own outbox file, and
// deletes the file when nothing is queued.
func (c *Client) saveOutboxLocked() error {
	if c.cfg.StateDir == "" {
		return nil
	}
	if c.box == nil {
		return errOutboxClosed
	}
	if len(c.outbox) == 0 {
		if err := os.Remove(c.box.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("save %s: %w", c.box.path, err)
		}
		return nil
	}
	b, _ := json.Marshal(c.outbox)
	return writeFileAtomic(c.box.path, b)
}

// writeFileAtomic replaces a file so that a crash leaves the old or the
// new content, never a torn one. The temporary file's name is its own, so
// two clients on one state directory saving the same file at once do not
// write into one another's.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
