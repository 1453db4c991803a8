package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Admin is the client of a relay's HTTP API, beside its websocket:
// creating sessions (`breakout new`) and exporting what a code may see
// (`breakout report`). The API is found where the websocket path is,
// without its /ws, so a relay behind a reverse proxy with a path prefix
// (wss://example.org/breakout/ws) is reached at the same prefix.
type Admin struct {
	relay string   // the relay as people name it, for messages: ws://HOST:PORT
	base  *url.URL // http(s)://HOST:PORT/PREFIX
	http  *http.Client
}

// adminTimeout bounds each request.
const adminTimeout = 30 * time.Second

// NewAdmin returns the API client of the relay at relayURL (ws://, wss://,
// http://, https://, or HOST:PORT).
func NewAdmin(relayURL string) (*Admin, error) {
	ws, err := WebsocketURL(relayURL)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(ws)
	if err != nil {
		return nil, fmt.Errorf("relay URL %q is not valid; use ws://HOST:PORT or wss://HOST", relayURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/ws")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	shown := u.String()
	u.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	return &Admin{relay: shown, base: u, http: &http.Client{Timeout: adminTimeout}}, nil
}

// Endpoint returns the URL of an API path ("/api/export") on this relay.
func (a *Admin) Endpoint(path string) string {
	u := *a.base
	u.Path += path
	return u.String()
}

// CreateSession creates a session of a TOML plan (name is its file's,
// for messages) with the relay's admin token, and returns its codes.
func (a *Admin) CreateSession(ctx context.Context, token, name string, plan []byte) (*Codes, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		a.Endpoint("/api/sessions")+"?name="+url.QueryEscape(name), bytes.NewReader(plan))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	req.Header.Set("Content-Type", "application/toml")
	data, err := a.do(req, 4<<20)
	if err != nil {
		return nil, err
	}
	var codes Codes
	if err := json.Unmarshal(data, &codes); err != nil || codes.Session == "" {
		return nil, fmt.Errorf("the answer from %s is not a session's codes; is it a breakout relay?", a.relay)
	}
	return &codes, nil
}

// Export returns the state as the holder of a join code may see it.
func (a *Admin) Export(ctx context.Context, code string) (*Export, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.Endpoint("/api/export"), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Code "+strings.TrimSpace(code))
	data, err := a.do(req, 256<<20)
	if err != nil {
		return nil, err
	}
	var exp Export
	if err := json.Unmarshal(data, &exp); err != nil || exp.State == nil {
		return nil, fmt.Errorf("the answer from %s is not a breakout export; is it a breakout relay?", a.relay)
	}
	return &exp, nil
}

// do sends a request and returns the body of a 200 answer, read up to
// limit bytes; every failure is one line that says what to do.
func (a *Admin) do(req *http.Request, limit int64) ([]byte, error) {
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, a.unreachable(req.Context(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("read the answer of the relay at %s: %w", a.relay, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("the relay refused: %s", e.Error)
		}
		return nil, fmt.Errorf("the relay at %s answered %s; is the URL the one 'breakout join' takes?", a.relay, resp.Status)
	}
	return data, nil
}

// unreachable says in one line that the relay could not be reached, and
// why in a few words, rather than a dial error naming an internal URL.
func (a *Admin) unreachable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	why := "no answer"
	var dns *net.DNSError
	var nerr net.Error
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "connection refused"
	case errors.As(err, &cert):
		why = "its TLS certificate is not trusted"
	case errors.As(err, &dns):
		why = "no such host " + dns.Name
	case errors.As(err, &nerr) && nerr.Timeout():
		why = "no answer in time"
	}
	return fmt.Errorf("cannot reach the relay at %s: is it running? check the URL (%s)", a.relay, why)
}
