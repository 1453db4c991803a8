package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"
)

// drainWait bounds how long Serve waits for the relay to drain once its
// context ends.
const drainWait = 15 * time.Second

// Serve serves the relay on ln until ctx ends, then drains it (see
// Shutdown) and returns nil. Connections are accepted through Listener,
// with Config.SendBuffer, and wrapped in TLS when tlsConfig is not nil.
// It returns the error that stopped the HTTP server otherwise, with the
// relay shut down too. The relay command, the demo, the bench and
// relaytest all run a relay this way.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsConfig *tls.Config) error {
	// ReadTimeout bounds a request with its body (a plan is at most 1 MiB);
	// a websocket sets its own deadlines once upgraded. IdleTimeout closes
	// keep-alive connections nobody uses: each holds a descriptor.
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: s.cfg.tuning.idleTimeout, TLSConfig: tlsConfig}
	ln = cappedListener(ln, s.cfg.SendBuffer, s.cfg.tuning.directWriteWait, s.caps)
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		sctx, cancel := context.WithTimeout(context.Background(), drainWait)
		defer cancel()
		s.Shutdown(sctx)
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), drainWait)
	defer cancel()
	hs.Shutdown(sctx) // stops accepting; websockets are the relay's to close
	s.Shutdown(sctx)
	<-errc
	return nil
}
