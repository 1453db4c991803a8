// Package relay is breakout's websocket relay and its durable log (NATS
// JetStream), and the client side of the wire: Dial, reconnect, outbox.
package relay

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"breakout/session"
)

// Config configures a Server.
type Config struct {
	Store StoreConfig
	// QueueBytes bounds each connection's send queue (default 1 MiB).
	QueueBytes int
	// WelcomeBytes bounds the welcomes queued and not yet written, on all
	// connections together (default 64 MiB). A welcome is queued outside
	// its connection's QueueBytes (it may be larger: a whole snapshot), so
	// without this bound hellos that never read would hold a snapshot
	// each; a hello over it is answered unavailable and tries again.
	WelcomeBytes int64
	// OpsPerSecond and OpBurst limit each connection's ops (default 20, 40).
	OpsPerSecond float64
	OpBurst      int
	// FlushLinger is the longest a busy relay holds a connection's frames
	// so that they share one write (see pace.go); 0 writes every frame at
	// once, as the --flush-linger flag does. The relay command's default
	// is DefaultFlushLinger.
	FlushLinger time.Duration
	// SendBuffer is the kernel send buffer of each client connection
	// that Serve accepts; 0 takes DefaultSendBuffer.
	SendBuffer int
	// AllowedOrigins lists browser origins that may connect; browsers
	// from any other origin are refused. Clients that send no Origin
	// (terminals) are not affected.
	AllowedOrigins []string
	// MaxConns caps the connections Serve keeps open at once; 0 derives
	// it from the descriptor limit (ulimit -n), less a reserve for the
	// log. MaxConnsPerAddr caps them per client address (default
	// DefaultMaxConnsPerAddr, or half of MaxConns if that is less).
	MaxConns, MaxConnsPerAddr int
	// AdminToken authorizes creating sessions; read from (or made in)
	// Store.Dir/admin.token when empty.
	AdminToken string
	Logger     *slog.Logger
	// AcceptDamagedLog starts the relay on a log that misses acknowledged
	// messages, serving what is left, rather than refuse to start (see
	// checkLog); the damage is logged and recorded as accepted.
	AcceptDamagedLog bool

	tuning tuning // inner knobs, for tests; zero takes the defaults
}

// Server is a relay: it serves /ws, /healthz, /metrics (with the admin
// token) and the admin API.
type Server struct {
	cfg     Config
	store   *Store
	log     *slog.Logger
	metrics *metrics
	joins   *joinLimiter
	exports *addrLimiter
	// exporting holds a token per export being encoded (see exportsAtOnce).
	exporting chan struct{}
	caps      *connCaps
	// welcomeBytes counts the bytes of welcomes queued and not yet
	// written (Config.WelcomeBytes).
	welcomeBytes atomic.Int64
	pace         pacer

	halted     chan struct{} // closed when the server has stopped: what still runs gives up
	flush      *flusher
	connsMu    sync.Mutex
	conns      map[*conn]struct{} // every open connection, for pings and shutdown
	pingerDone chan struct{}
	stop       chan struct{} // closed when shutdown begins
	once       sync.Once
	// wg counts the goroutines Shutdown waits for; trackMu makes adding
	// to it and the start of shutdown exclusive (see track).
	wg      sync.WaitGroup
	trackMu sync.Mutex

	roomsMu sync.Mutex
	rooms   map[string]*room

	logMarks
	writeHealth

	upgrader websocket.Upgrader
}

var (
	errNoSession = errors.New("no such session")
	errStopping  = errors.New("the relay is shutting down")
)

// New opens the log and returns a server ready to serve.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = defaultQueueMB << 20
	}
	if cfg.WelcomeBytes <= 0 {
		cfg.WelcomeBytes = defaultWelcomeMB << 20
	}
	if cfg.OpsPerSecond <= 0 {
		cfg.OpsPerSecond = 20
	}
	if cfg.OpBurst <= 0 {
		cfg.OpBurst = 40
	}
	if cfg.FlushLinger < 0 {
		return nil, fmt.Errorf("flush linger %v is negative; 0 writes at once", cfg.FlushLinger)
	}
	cfg.tuning = cfg.tuning.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.AdminToken == "" && cfg.Store.Dir != "" {
		tok, err := adminToken(cfg.Store.Dir)
		if err != nil {
			return nil, err
		}
		cfg.AdminToken = tok
	}
	store, err := OpenStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, metrics: newMetrics(), joins: newJoinLimiter(),
		exports: newAddrLimiter(exportInterval, exportBurst), exporting: make(chan struct{}, exportsAtOnce),
		halted: make(chan struct{}), stop: make(chan struct{}), rooms: map[string]*room{}}
	if err := s.checkLog(ctx, cfg.AcceptDamagedLog); err != nil {
		store.Close()
		return nil, err
	}
	s.caps = newConnCaps(cfg.MaxConns, cfg.MaxConnsPerAddr)
	s.caps.refused = s.metrics.refusedConns.Inc
	s.markerDone = make(chan struct{})
	go s.marker()
	s.pace.maxFlushLinger = cfg.FlushLinger
	s.pace.flushFrom, s.pace.flushFull = cfg.tuning.flushLingerFrom, cfg.tuning.flushLingerFull
	s.pace.appendFrom, s.pace.appendFull, s.pace.maxAppend = cfg.tuning.appendLingerFrom, cfg.tuning.appendLingerFull, cfg.tuning.appendLinger
	s.flush, s.conns, s.pingerDone = newFlusher(&s.pace), map[*conn]struct{}{}, make(chan struct{})
	go s.pinger()
	store.OnLost(s.logLost)
	s.upgrader = websocket.Upgrader{
		// Small read buffers and pooled write buffers: an idle connection
		// then holds neither (see docs/performance.md, idle).
		ReadBufferSize: 1024, WriteBufferPool: &writeBuffers,
		CheckOrigin:       s.checkOrigin,
		EnableCompression: false,
	}
	return s, nil
}

// AdminToken returns the token that authorizes creating sessions.
func (s *Server) AdminToken() string { return s.cfg.AdminToken }

// adminToken reads dir/admin.token, making it (mode 0600) on first start.
func adminToken(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, "admin.token")
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			return tok, nil
		}
	}
	tok := newSecret()
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	return tok, nil
}

func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// Handler returns the relay's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.Healthy() {
			http.Error(w, "the log is unreachable or does not take writes", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("POST /api/sessions", s.serveCreate)
	mux.HandleFunc("GET /api/export", s.serveExport)
	return mux
}

// MetricsHandler serves the relay's Prometheus metrics to anyone: for a
// listener of its own on a private address (relay --metrics ADDR). On
// the public listener /metrics asks for the admin token.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// serveMetrics is GET /metrics on the public listener: with
// "Authorization: Bearer ADMIN_TOKEN" only, and wrong tokens count as
// failed joins. The metrics tell connections, failed joins and timings,
// which is nobody's business but the operator's.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	att := s.adminGate(w, r, "/metrics needs the admin token (Authorization: Bearer TOKEN), or serve it on a private address with relay --metrics")
	if att == nil {
		return
	}
	defer att.succeeded()
	s.MetricsHandler().ServeHTTP(w, r)
}

// adminGate lets a request through with the admin token only. It takes
// the address's join token first, so guesses sent at once meet the
// failed-join limit; it answers a refused request itself (with wrong when
// the token is wrong) and returns nil. The caller gives the token back
// with succeeded once the request is done.
func (s *Server) adminGate(w http.ResponseWriter, r *http.Request, wrong string) *attempt {
	att := s.joins.take(r.Context(), clientIP(r))
	if att == nil {
		httpError(w, http.StatusTooManyRequests, "too many failed attempts from your address; wait a minute")
		return nil
	}
	if !s.adminAuthorized(r) {
		s.failedJoin(att)
		att.succeeded()
		httpError(w, http.StatusUnauthorized, wrong)
		return nil
	}
	return att
}

// adminAuthorized reports whether a request carries the admin token.
func (s *Server) adminAuthorized(r *http.Request) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	return s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) == 1
}

// Shutdown drains the relay: no new connections, appends in flight
// finish, every connection gets a close frame, and the log closes last.
func (s *Server) Shutdown(ctx context.Context) error {
	s.once.Do(func() {
		s.trackMu.Lock()
		close(s.stop)
		s.trackMu.Unlock()
		for _, c := range s.allConns() {
			c.shutdown()
		}
		done := make(chan struct{})
		go func() { s.wg.Wait(); close(done) }()
		select {
		case <-done:
			s.flush.close()
		case <-ctx.Done():
			// The connections still open end by their write deadlines,
			// and need the flushers until then.
			go func() { <-done; s.flush.close() }()
		}
		<-s.pingerDone
		close(s.halted)
		s.roomsMu.Lock()
		for _, r := range s.rooms {
			r.close()
		}
		s.roomsMu.Unlock()
		<-s.markerDone
		s.writeMark(context.Background())
		s.store.Close()
	})
	return ctx.Err()
}

// Healthy reports whether the log is reachable and takes writes.
func (s *Server) Healthy() bool { return s.store.Healthy() && !s.failing.Load() }

// logLost disconnects every client when the relay loses its log: nothing
// they send could be appended, and nothing others send reaches them. Their
// screens show "reconnecting", and they come back, here or through a
// load balancer to another relay, with their outboxes.
func (s *Server) logLost() {
	if s.stopping() {
		return
	}
	s.roomsMu.Lock()
	rooms := make([]*room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.roomsMu.Unlock()
	for _, r := range rooms {
		for _, c := range r.connections() {
			c.fail(session.Errorf(ErrCodeUnavailable, "the relay lost its log; reconnecting"))
		}
	}
}

// track adds n goroutines for Shutdown to wait for, unless shutdown has
// begun: a WaitGroup may not grow from zero while it is waited on.
func (s *Server) track(n int) bool {
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	return s.trackLocked(n)
}

// trackLocked is track for a caller that holds trackMu.
func (s *Server) trackLocked(n int) bool {
	if s.stopping() {
		return false
	}
	s.wg.Add(n)
	return true
}

// runContext returns the context of a goroutine of the relay's own (a
// room's appender, a snapshotter): canceled when the server has stopped,
// so that what it waits for gives up once Shutdown stops waiting for it.
// The goroutine calls cancel when it ends.
func (s *Server) runContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-s.halted:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func (s *Server) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// writeBuffers are shared by all connections' writers.
var writeBuffers sync.Pool

// serveWS upgrades the connection and runs the hello exchange, then hands
// the connection to its reader and writer goroutines and returns, so that
// net/http's per-request memory is not kept for the connection's life.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if s.stopping() {
		http.Error(w, "relay is shutting down", http.StatusServiceUnavailable)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := newConn(s, ws)
	if !s.admit(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseServiceRestart, "the relay is restarting"),
			time.Now().Add(time.Second))
		ws.Close()
		return
	}
	ws.SetReadLimit(maxFrame)
	s.metrics.connections.Inc()

	ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	if err := s.hello(r, c); err != nil {
		c.fail(err)
		<-c.done
		s.metrics.connections.Dec()
		s.wg.Done()
		return
	}
	ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	go func() {
		defer s.wg.Done()
		defer s.metrics.connections.Dec()
		c.reader()
		c.markClosed()
		if c.room.detach(c) {
			c.room.wentAway(c.viewer.ID)
		}
		<-c.done
	}()
}

// hello reads the client's hello, finds its person (by resume token, or a
// join code that makes one), attaches it to its room and sends welcome.
func (s *Server) hello(r *http.Request, c *conn) *session.Error {
	_, frame, err := c.ws.ReadMessage()
	if err != nil {
		return session.Errorf(session.ErrCodeProtocol, "no hello received")
	}
	msg, err := session.DecodeClient(frame)
	if err != nil {
		return session.Errorf(session.ErrCodeProtocol, "%v", err)
	}
	h, ok := msg.(*session.Hello)
	if !ok {
		return session.Errorf(session.ErrCodeProtocol, "the first message must be a hello")
	}
	if !s.Healthy() {
		return session.Errorf(ErrCodeUnavailable, "the relay cannot write to its log right now; try again shortly")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	att := s.joins.take(ctx, clientIP(r))
	if att == nil {
		return session.Errorf(session.ErrCodeTooMany, "too many failed joins from your address; wait a minute and check your code")
	}
	defer att.succeeded() // unless it failed: only a wrong code or token spends the token

	var person *session.Person
	var secret string
	switch {
	case h.Resume != "":
		rm, p, sec, ok := s.resume(ctx, h.Resume)
		if !ok && p != nil && p.Removed {
			return session.Errorf(session.ErrCodeRemoved, "you were removed from this session; ask your chair or organizer")
		}
		if !ok {
			s.failedJoin(att)
			return session.Errorf(session.ErrCodeBadToken, "that resume token is not valid here; join again with your code")
		}
		att.succeeded() // as soon as it is known, so that others from the address need not wait
		c.room, person, secret = rm, p, sec
	case h.Code != "":
		rm, grant, ok, lerr := s.lookupCode(ctx, h.Code)
		if lerr != nil {
			return lerr
		}
		if !ok {
			s.failedJoin(att)
			return session.Errorf(session.ErrCodeBadCode, "that join code is not valid on this relay; check it with your organizer")
		}
		att.succeeded()
		c.room = rm
		p, sec, werr := s.join(ctx, rm, grant, h)
		if werr != nil {
			return werr
		}
		person, secret = p, sec
	default:
		return session.Errorf(session.ErrCodeProtocol, "a hello needs a code or a resume token")
	}
	c.viewer = session.ViewerOf(person)
	you := session.You{ID: person.ID, Name: person.Name, Role: person.Role, Group: person.Group}
	first, ok := c.room.attach(c, h.Since, you, resumeToken(c.room.id, person.ID, secret))
	if !ok {
		return session.Errorf(ErrCodeUnavailable, "the relay is busy sending welcomes; try again in a few seconds")
	}
	if first {
		c.room.cameOnline(person.ID)
	}
	return nil
}

// failedJoin spends the attempt's token and slows the answer down.
func (s *Server) failedJoin(att *attempt) {
	s.metrics.failedJoins.Inc()
	d := att.failed()
	select {
	case <-time.After(d): // slow down guessing
	case <-s.stop:
	}
}

// resume finds the person a resume token belongs to, and the token's
// secret, which the welcome hands back in the same token.
func (s *Server) resume(ctx context.Context, tok string) (*room, *session.Person, string, bool) {
	sid, pid, secret, ok := parseResumeToken(tok)
	if !ok {
		return nil, nil, "", false
	}
	rm, err := s.loadRoom(ctx, sid)
	if err != nil {
		return nil, nil, "", false
	}
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	p := rm.state.People[pid]
	if p != nil && p.Removed {
		return rm, &session.Person{ID: p.ID, Removed: true}, "", false
	}
	if p == nil || p.TokenHash == "" || !secretMatches(secret, p.TokenHash) {
		return nil, nil, "", false
	}
	cp := *p
	return rm, &cp, secret, true
}

// lookupCode finds the session and grant of a join code. ok is false
// for a code the relay does not know; a known code whose session cannot
// be loaded (its log lost, or unreachable) is an error, never a bad code.
func (s *Server) lookupCode(ctx context.Context, code string) (rm *room, g session.Grant, ok bool, err *session.Error) {
	hash := HashCode(code)
	id, lerr := s.store.CodeSession(ctx, hash)
	if lerr != nil {
		if !errors.Is(lerr, errUnknownCode) {
			return nil, g, false, session.Errorf(ErrCodeUnavailable, "the relay cannot read its join codes right now; try again shortly")
		}
		return nil, g, false, nil
	}
	if s.lostSessions[id] {
		return nil, g, false, session.Errorf(ErrCodeUnavailable,
			"the log of this session was lost on this relay; tell your organizer (the relay's operator must restore it)")
	}
	rm, lerr = s.loadRoom(ctx, id)
	if lerr != nil {
		return nil, g, false, session.Errorf(ErrCodeUnavailable, "the session of this code cannot be loaded right now; try again shortly")
	}
	rm.mu.RLock()
	g, ok = rm.state.Codes[hash]
	rm.mu.RUnlock()
	return rm, g, ok, nil
}

// join appends a person.join for a new person (or a roster person taking
// their place) and waits until the log has applied it. It returns the
// person and the secret of their resume token. A hello with a join key
// that was applied before gives back the person it made.
func (s *Server) join(ctx context.Context, rm *room, g session.Grant, h *session.Hello) (*session.Person, string, *session.Error) {
	if h.Join != "" && !validJoinKey(h.Join) {
		return nil, "", session.Errorf(session.ErrCodeProtocol, "the join key must be 16 to 64 letters, digits, '-' or '_'")
	}
	opID, secret := joinKeys(h.Join)
	d := session.PersonJoin{ID: g.Person, Name: strings.TrimSpace(h.Name), Background: strings.TrimSpace(h.Background),
		Role: g.Role, Group: g.Group, TokenHash: hashSecret(secret)}
	if g.Person != "" {
		// A roster person keeps the roster's name and background: the
		// report's counts by background are drawn from the roster.
		d.Name, d.Background = "", ""
	}
	if g.Person == "" && d.Name == "" {
		return nil, "", session.Errorf(session.ErrCodeNameNeeded, `a name is needed to join with this code: send "name" in the hello, 1 to 80 characters`)
	}
	type result struct {
		o  session.Outcome
		ev *session.Event
	}
	ch := make(chan result, 1)
	rm.submit(session.Entry{Op: session.NewOp(opID, session.KindPersonJoin, d)},
		func(o session.Outcome, ev *session.Event) { ch <- result{o, ev} })
	select {
	case res := <-ch:
		if res.o.Code != "" {
			return nil, "", session.Errorf(string(res.o.Code), "cannot join: %s", res.o.Message)
		}
		if res.ev == nil && h.Join != "" {
			// Applied before: this hello's key made its person already.
			if p := rm.personWithToken(secret); p != nil && grantFits(g, p) {
				return p, secret, nil
			}
			return nil, "", session.Errorf(session.ErrCodeProtocol,
				"that join key was used before and no longer fits; join again without it")
		}
		if res.ev == nil || len(res.ev.Data.People) != 1 {
			return nil, "", session.Errorf(session.ErrCodeInternal, "join was not applied; try again")
		}
		p := *res.ev.Data.People[0]
		return &p, secret, nil
	case <-ctx.Done():
		return nil, "", session.Errorf(ErrCodeUnavailable, "the log did not answer in time; try again shortly")
	}
}

// grantFits reports whether a person is one a join code's grant makes.
func grantFits(g session.Grant, p *session.Person) bool {
	if g.Person != "" {
		return p.ID == g.Person
	}
	return p.Role == g.Role && p.Group == g.Group
}

// personWithToken returns a copy of the person whose resume token has
// this secret, or nil.
func (r *room) personWithToken(secret string) *session.Person {
	hash := hashSecret(secret) // once, not once a person under the lock
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, p := range r.state.People {
		if sameHash(hash, p.TokenHash) {
			cp := *p
			return &cp
		}
	}
	return nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Codes is the join codes of a session, as `relay --codes` and `new
// --json` write them.
type Codes struct {
	Session string `json:"session"`
	Codes   []Code `json:"codes"`
}

// Code is one join code: a role in a group (organizer codes have no
// group), or one roster person's own code.
type Code struct {
	Group string       `json:"group"`
	Role  session.Role `json:"role"`
	Name  string       `json:"name,omitempty"` // the roster person, for personal codes
	Code  string       `json:"code"`
}

// Find returns the code of a role in a group ("" for the organizer), not
// a roster person's own code; "" when there is none.
func (c *Codes) Find(group string, role session.Role) string {
	for _, x := range c.Codes {
		if x.Group == group && x.Role == role && x.Name == "" {
			return x.Code
		}
	}
	return ""
}

// CreateSession creates a new session of plan and returns its join codes.
// The codes exist only in what it returns; the relay keeps their hashes.
func (s *Server) CreateSession(ctx context.Context, plan *session.Plan) (*Codes, error) {
	id := newSessionID()
	out := &Codes{Session: id}
	grants := map[string]session.Grant{}
	add := func(c Code, g session.Grant) {
		c.Code = NewCode()
		out.Codes = append(out.Codes, c)
		grants[HashCode(c.Code)] = g
	}
	add(Code{Role: session.Organizer}, session.Grant{Role: session.Organizer})
	for _, g := range plan.Groups {
		for _, role := range []session.Role{session.Chair, session.Rapporteur, session.Participant} {
			add(Code{Group: g.Name, Role: role}, session.Grant{Role: role, Group: g.Name})
		}
	}
	for i, p := range plan.People {
		add(Code{Group: p.Group, Role: p.Role, Name: p.Name},
			session.Grant{Role: p.Role, Group: p.Group, Person: fmt.Sprintf("r%d", i+1)})
	}
	op := session.NewOp("create-"+id, session.KindSessionCreate, session.SessionCreate{ID: id, Plan: *plan, Codes: grants})
	lm := session.LogMessage{At: time.Now().UTC().Truncate(time.Millisecond), Entries: []session.Entry{{Op: op}}}
	lm.Entries[0].At = lm.At
	if _, err := session.New().Apply(lm.Entries[0]); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	// The log first, then the codes: a code whose session has no log is
	// what the check at start takes for a lost log (check.go), so a crash
	// in between must leave a log without codes, which nobody can reach,
	// rather than codes without a log.
	if err := s.store.Create(ctx, id, mustJSON(lm)); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	for hash := range grants {
		if err := s.store.PutCode(ctx, hash, id); err != nil {
			return nil, fmt.Errorf("store join codes: %w", err)
		}
	}
	if _, err := s.loadRoom(ctx, id); err != nil {
		return nil, err
	}
	return out, nil
}

// PlanSession creates the session of the plan file at path on first call
// and returns its codes; later calls (a relay restart) return the id of
// that session and nil codes, since only hashes of the codes are kept.
func (s *Server) PlanSession(ctx context.Context, path string, plan *session.Plan) (id string, codes *Codes, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	key := "plan." + HashCode(abs)[:32]
	id, ok, err := s.store.PlanSession(ctx, key)
	if err != nil {
		return "", nil, err
	}
	if ok {
		if _, err := s.loadRoom(ctx, id); err != nil {
			return "", nil, fmt.Errorf("load session %s of %s: %w", id, path, err)
		}
		return id, nil, nil
	}
	codes, err = s.CreateSession(ctx, plan)
	if err != nil {
		return "", nil, err
	}
	if err := s.store.RecordPlanSession(ctx, key, codes.Session); err != nil {
		return "", nil, fmt.Errorf("record session of %s: %w", path, err)
	}
	return codes.Session, codes, nil
}

// serveCreate is POST /api/sessions: a TOML plan in, join codes out.
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request) {
	att := s.adminGate(w, r, "wrong admin token; it is in admin.token in the relay's data directory")
	if att == nil {
		return
	}
	defer att.succeeded()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		httpError(w, http.StatusBadRequest, "read plan: "+err.Error())
		return
	}
	plan, err := session.ParsePlan(r.URL.Query().Get("name"), body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	codes, err := s.CreateSession(r.Context(), plan)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(codes)
}

// Export is what GET /api/export returns: the state as the holder of a
// join code may see it, for reports without a screen.
type Export struct {
	Session string         `json:"session"`
	Role    session.Role   `json:"role"`
	Group   string         `json:"group,omitempty"`
	State   *session.State `json:"state"`
}

// serveExport is GET /api/export with "Authorization: Code CODE".
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	att := s.joins.take(r.Context(), clientIP(r))
	if att == nil {
		httpError(w, http.StatusTooManyRequests, "too many failed attempts from your address; wait a minute")
		return
	}
	defer att.succeeded()
	code := strings.TrimPrefix(r.Header.Get("Authorization"), "Code ")
	rm, g, ok, lerr := s.lookupCode(r.Context(), code)
	if lerr != nil {
		httpError(w, http.StatusServiceUnavailable, lerr.Message)
		return
	}
	if !ok {
		s.failedJoin(att)
		httpError(w, http.StatusUnauthorized, "that join code is not valid on this relay")
		return
	}
	if !s.exports.allow(att.ip) {
		w.Header().Set("Retry-After", fmt.Sprint(int(exportInterval.Seconds())))
		httpError(w, http.StatusTooManyRequests, fmt.Sprintf("too many exports from your address; at most %d at once, then one every %v",
			exportBurst, exportInterval))
		return
	}
	select {
	case s.exporting <- struct{}{}:
		defer func() { <-s.exporting }()
	case <-time.After(exportWait):
		httpError(w, http.StatusServiceUnavailable, "the relay is busy with other exports; try again in a minute")
		return
	case <-r.Context().Done():
		return
	}
	rm.mu.RLock()
	view := rm.state.View(session.Viewer{Role: g.Role, Group: g.Group, ID: g.Person})
	rm.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(Export{Session: rm.id, Role: g.Role, Group: g.Group, State: view})
}

func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
