package relay

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"breakout/session"
)

// selfSigned makes a self-signed certificate for 127.0.0.1 and localhost,
// valid from notBefore to notAfter, and writes it and its key as PEM files
// the way --tls-cert and --tls-key take them.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "breakout test relay"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile, pool
}

// startTLSRelay serves a relay over TLS as `breakout relay --tls-cert
// --tls-key` does: the key pair loaded from PEM files, TLS 1.2 at least,
// a TLS listener over the relay's Listener. It returns the relay's address.
func startTLSRelay(t *testing.T, certFile, keyFile string) (*Codes, string) {
	t.Helper()
	srv, err := New(context.Background(), Config{Store: StoreConfig{Dir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatalf("load TLS certificate: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	// The refused handshakes are the point; keep them out of the log.
	hs := &http.Server{Handler: srv.Handler(), TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() { hs.Serve(tls.NewListener(Listener(ln, 0), cfg)); close(done) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
		srv.Shutdown(ctx)
	})
	tr := &testRelay{t: t, srv: srv}
	return tr.create(testPlan), ln.Addr().String()
}

// TestTLSServesWSS: a relay with a certificate serves wss://; clients
// verify its certificate by default and refuse a self-signed one unless
// told to trust it; plain ws:// and old TLS versions do not get in.
func TestTLSServesWSS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	codes, addr := startTLSRelay(t, certFile, keyFile)
	code := codes.code(t, "Manzoni", session.Participant)
	dial := func(url string, cfg *tls.Config) (*Client, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Dial(ctx, ClientConfig{URL: url, Code: code, Name: "Tess", TLS: cfg})
		if err == nil {
			t.Cleanup(c.Close)
		}
		return c, err
	}

	if _, err := dial("wss://"+addr, nil); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Dial of a self-signed relay with default settings = %v; want a certificate error", err)
	}
	if _, err := dial("wss://"+addr, &tls.Config{RootCAs: x509.NewCertPool()}); err == nil {
		t.Errorf("Dial with an empty trust store = nil; want a certificate error")
	}
	if _, err := dial("wss://"+addr, &tls.Config{RootCAs: pool, ServerName: "relay.example.org"}); err == nil {
		t.Errorf("Dial expecting another host name = nil; want a certificate error")
	}
	if _, err := dial("ws://"+addr, nil); err == nil {
		t.Errorf("Dial of a TLS relay with ws:// = nil; want an error")
	}
	if _, err := dial("wss://"+addr, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Errorf("Dial with TLS 1.1 = nil; want the handshake refused")
	}
	for _, url := range []string{"wss://" + addr, "https://" + addr, "wss://" + addr + "/ws"} {
		c, err := dial(url, &tls.Config{RootCAs: pool})
		if err != nil {
			t.Fatalf("Dial(%s) trusting the relay's certificate: %v", url, err)
		}
		p := &peer{t: t, c: c, acks: map[string]int64{}, rejects: map[string]session.Reject{}}
		p.waitFor("welcome", func() bool { return p.state != nil })
		p.mustSend(session.KindIdeaAdd, session.IdeaAdd{Question: "q1", Text: "over TLS via " + url})
		c.Close()
	}

	// An expired certificate is refused even when its issuer is trusted.
	oldCert, oldKey, oldPool := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	_, oldAddr := startTLSRelay(t, oldCert, oldKey)
	if _, err := dial("wss://"+oldAddr, &tls.Config{RootCAs: oldPool}); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("Dial of a relay with an expired certificate = %v; want an expiry error", err)
	}
}

// TestBrowserOriginsRefused: a browser (which sends Origin) is refused
// unless its origin is allowed; terminal clients send none and connect.
func TestBrowserOriginsRefused(t *testing.T) {
	allowed := "https://breakout.example.org"
	tr := startRelay(t, "", Config{AllowedOrigins: []string{allowed}})
	plain := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	plainCodes := plain.create(testPlan)
	try := func(tr *testRelay, codes *Codes, origin string) (int, error) {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ws, resp, err := websocket.DefaultDialer.Dial(tr.url, h)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if err != nil {
			return status, err
		}
		defer ws.Close()
		rawHello(t, ws, session.Hello{Type: session.MsgHello, Code: codes.code(t, "Verdi", session.Participant), Name: "Web"})
		return status, nil
	}
	relayOrigin := "http://" + strings.TrimPrefix(strings.TrimSuffix(plain.url, "/ws"), "ws://")
	for _, c := range []struct {
		tr     *testRelay
		codes  *Codes
		origin string
		ok     bool
	}{
		{tr, codes, "", true},
		{tr, codes, allowed, true},
		{tr, codes, strings.ToUpper(allowed), true},
		{tr, codes, "https://evil.example", false},
		{tr, codes, allowed + ".evil.example", false},
		{tr, codes, "http://breakout.example.org", false},
		{tr, codes, "null", false},
		{plain, plainCodes, "", true},
		{plain, plainCodes, "https://evil.example", false},
		{plain, plainCodes, relayOrigin, false}, // not even the relay's own address
	} {
		status, err := try(c.tr, c.codes, c.origin)
		switch {
		case c.ok && err != nil:
			t.Errorf("origin %q: %v (HTTP %d); want to connect", c.origin, err, status)
		case !c.ok && (err == nil || status != http.StatusForbidden):
			t.Errorf("origin %q: err %v, HTTP %d; want refused with 403", c.origin, err, status)
		}
	}
}
