package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/session"
	"breakout/sshd"
)

// defaultDataDir is $XDG_DATA_HOME/breakout, else ~/.local/share/breakout.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "breakout")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "breakout")
	}
	return "breakout-data"
}

type relayFlags struct {
	listen, data, natsURL, plan, codes, tlsCert, tlsKey, ssh string
	metrics                                                  string
	sshSessions, replicas, maxConnsPerAddr                   int
	sshIdle                                                  time.Duration
	noSync, verbose, acceptDamage                            bool
	origins                                                  []string
	flushLinger                                              time.Duration
}

func newRelayCmd() *cobra.Command {
	var f relayFlags
	cmd := &cobra.Command{
		Use:   "relay",
		Short: "Run a relay: the server that keeps sessions and connects everyone",
		Long: `Run a relay: the websocket server that keeps every session's shared state in a
durable log and sends each change to the people allowed to see it.

By default the log is an embedded NATS JetStream server storing its files in
the data directory, with every write synced to disk before it is
acknowledged. With --nats the relay uses an existing NATS cluster instead, and
any number of relays can serve the same sessions.

With --plan the session of that plan file is created on first start (and
never again on later starts); its join codes are printed once, and written as
JSON with --codes. Keep them: the relay stores only their hashes.

An admin token for 'breakout new' is made on first start and kept in
DATA/admin.token (mode 0600). /metrics on the relay's address asks for it
(Authorization: Bearer TOKEN); --metrics serves it without one on an address
of its own, for a scraper on a private network.

At start the relay checks that its log holds every acknowledged op; if some
are missing it refuses to start and says what (see docs/operations.md).

With --ssh the same screens are served over SSH too: people join with
'ssh -p PORT HOST' and type their code, or 'ssh -p PORT CODE@HOST', with
nothing to install. The SSH host key (ed25519) is made on first start in
DATA/ssh_host_ed25519_key (mode 0600); its fingerprint is printed, and
written with the codes, so people can check it. A person who joined with an
SSH key is remembered by it (DATA/ssh/) and comes back without the code.`,
		Example: `  breakout relay --plan plan.toml --codes codes.json
  breakout relay --listen 0.0.0.0:7777 --tls-cert cert.pem --tls-key key.pem
  breakout relay --nats nats://10.0.0.5:4222 --replicas 3
  breakout relay --listen 0.0.0.0:7777 --ssh 0.0.0.0:2222 --plan plan.toml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRelay(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:7777", "address to listen on (HOST:PORT)")
	fl.StringVar(&f.data, "data", defaultDataDir(), "data directory: the log, snapshots and admin.token")
	fl.StringVar(&f.natsURL, "nats", "", "URL of an existing NATS server or cluster (default: embedded)")
	fl.IntVar(&f.replicas, "replicas", 1, "stream replicas on a NATS cluster (with --nats)")
	fl.StringVar(&f.plan, "plan", "", "plan file (TOML) whose session to create on first start")
	fl.StringVar(&f.codes, "codes", "", "write the plan session's join codes to this JSON file")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM) to serve wss://")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM), with --tls-cert")
	fl.BoolVar(&f.noSync, "no-sync", false, "do not fsync each append (faster; a power loss may lose the last acknowledged ops)")
	fl.StringSliceVar(&f.origins, "allow-origin", nil, "browser origin allowed to connect (repeatable; default none)")
	fl.DurationVar(&f.flushLinger, "flush-linger", relay.DefaultFlushLinger,
		"longest a busy relay (over 20,000 frames a second) holds a client's frames so they share one write; 0 writes at once")
	fl.StringVar(&f.ssh, "ssh", "", "also serve the screens over SSH on this address (HOST:PORT), such as 0.0.0.0:2222")
	fl.IntVar(&f.sshSessions, "ssh-max-sessions", defaultSSHSessions, "most SSH screens open at once (with --ssh)")
	fl.DurationVar(&f.sshIdle, "ssh-idle", defaultSSHIdle, "close an SSH screen after this long without a key press (with --ssh)")
	fl.BoolVar(&f.acceptDamage, "accept-damaged-log", false,
		"start even though acknowledged ops are missing from the log, serving what is left (see docs/operations.md)")
	fl.StringVar(&f.metrics, "metrics", "", "also serve /metrics, without the admin token, on this private address (HOST:PORT)")
	fl.IntVar(&f.maxConnsPerAddr, "max-conns-per-addr", relay.DefaultMaxConnsPerAddr,
		"connections one client address may hold (raise it for a large venue behind one NAT address)")
	fl.BoolVar(&f.verbose, "verbose", false, "log connections and appends to stderr")
	return cmd
}

func runRelay(cmd *cobra.Command, f relayFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together; give both or neither")
	}
	if f.codes != "" && f.plan == "" {
		return errors.New("--codes writes the codes of --plan's session; give --plan too")
	}
	if f.natsURL == "" && f.replicas != 1 {
		return errors.New("--replicas needs --nats: the embedded server keeps one copy")
	}
	if f.flushLinger < 0 || f.flushLinger > time.Second {
		return fmt.Errorf("--flush-linger %v is out of range; give 0 (write at once) up to 1s, such as 10ms", f.flushLinger)
	}
	if f.ssh == "" && (cmd.Flags().Changed("ssh-max-sessions") || cmd.Flags().Changed("ssh-idle")) {
		return errors.New("--ssh-max-sessions and --ssh-idle go with --ssh; give the address to serve SSH on")
	}
	if f.sshSessions < 1 || f.sshSessions > 100000 {
		return fmt.Errorf("--ssh-max-sessions %d is out of range; give 1 to 100000", f.sshSessions)
	}
	if f.sshIdle < time.Minute {
		return fmt.Errorf("--ssh-idle %v is too short; give 1m or more, such as 30m", f.sshIdle)
	}
	var tlsConfig *tls.Config
	if f.tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	var plan *session.Plan
	if f.plan != "" {
		p, err := session.LoadPlan(f.plan)
		if err != nil {
			return err
		}
		plan = p
	}
	if f.maxConnsPerAddr < 1 {
		return fmt.Errorf("--max-conns-per-addr %d is out of range; give 1 or more", f.maxConnsPerAddr)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another relay running? pick another --listen)", f.listen, err)
	}
	var sshLn net.Listener
	if f.ssh != "" {
		if sshLn, err = listenSSH(f.ssh); err != nil {
			ln.Close()
			return err
		}
	}
	var metricsLn net.Listener
	if f.metrics != "" {
		if metricsLn, err = net.Listen("tcp", f.metrics); err != nil {
			ln.Close()
			if sshLn != nil {
				sshLn.Close()
			}
			return fmt.Errorf("listen on %s for --metrics: %w", f.metrics, err)
		}
		defer metricsLn.Close()
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := relay.New(ctx, relay.Config{
		Store:            relay.StoreConfig{Dir: f.data, URL: f.natsURL, Replicas: f.replicas, NoSync: f.noSync},
		AllowedOrigins:   f.origins,
		MaxConnsPerAddr:  f.maxConnsPerAddr,
		FlushLinger:      f.flushLinger,
		Logger:           logger,
		AcceptDamagedLog: f.acceptDamage,
	})
	if err != nil {
		ln.Close()
		if sshLn != nil {
			sshLn.Close()
		}
		return err
	}
	var ssh *sshScreens
	if sshLn != nil {
		ssh, err = startSSH(srv, sshLn, sshd.Config{Dir: f.data, MaxSessions: f.sshSessions, IdleTimeout: f.sshIdle}, logger)
		if err != nil {
			srv.Shutdown(context.Background())
			ln.Close()
			return err
		}
		defer ssh.stop()
	}
	scheme := "ws"
	if f.tlsCert != "" {
		scheme = "wss"
	}
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	out := cmd.OutOrStdout()
	if plan != nil {
		id, codes, err := srv.PlanSession(ctx, f.plan, plan)
		if err != nil {
			srv.Shutdown(context.Background())
			ln.Close()
			return err
		}
		if codes != nil {
			printCodes(out, url, ssh, plan.Title, codes)
			if f.codes != "" {
				if err := writeCodes(f.codes, codes, ssh); err != nil {
					srv.Shutdown(context.Background())
					ln.Close()
					return err
				}
				fmt.Fprintf(out, "codes written to %s\n", f.codes)
			}
		} else {
			fmt.Fprintf(out, "session %s of %s exists already; its codes were printed when it was created\n", id, f.plan)
		}
	}
	fmt.Fprintf(out, "relay listening on %s (data in %s)\n", url, f.data)
	if metricsLn != nil {
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
		go ms.Serve(metricsLn)
		defer ms.Close()
		fmt.Fprintf(out, "metrics on http://%s/metrics\n", metricsLn.Addr())
	}
	fmt.Fprintf(out, "admin token for 'breakout new': %s\n", filepath.Join(f.data, "admin.token"))
	if ssh == nil {
		return srv.Serve(ctx, ln, tlsConfig)
	}
	fmt.Fprintf(out, "ssh screens: %s (host key %s)\n", ssh.Command, ssh.Fingerprint)
	// The SSH screens close first, telling each person, while the relay
	// still takes what their screens save.
	rctx, rstop := context.WithCancel(context.Background())
	defer rstop()
	go func() {
		<-ctx.Done()
		ssh.stop()
		rstop()
	}()
	err = srv.Serve(rctx, ln, tlsConfig)
	stop() // ends the goroutine above when Serve failed on its own
	return err
}

func printCodes(w io.Writer, url string, ssh *sshScreens, title string, codes *relay.Codes) {
	fmt.Fprintf(w, "session %s: %s\n\n", codes.Session, title)
	writeCodeTable(w, codes)
	fmt.Fprintf(w, "\njoin with:  breakout join %s CODE\n", url)
	if ssh != nil {
		fmt.Fprintf(w, "       or:  %s   (then type the code; host key %s)\n", ssh.Command, ssh.Fingerprint)
	}
	fmt.Fprintln(w)
}

// codesJSON is the --codes file: the codes, and how to reach the SSH
// screens when there are some.
type codesJSON struct {
	*relay.Codes
	SSH *sshInfo `json:"ssh,omitempty"`
}

func writeCodes(path string, codes *relay.Codes, ssh *sshScreens) error {
	v := codesJSON{Codes: codes}
	if ssh != nil {
		v.SSH = &sshInfo{Command: ssh.Command, HostKey: ssh.Fingerprint}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write codes: %w", err)
	}
	return nil
}

func writeCodeTable(w io.Writer, codes *relay.Codes) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tROLE\tNAME\tCODE")
	for _, c := range codes.Codes {
		g := c.Group
		if g == "" {
			g = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g, c.Role, c.Name, c.Code)
	}
	tw.Flush()
}
