package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"breakout/demo"
	"breakout/relay"
	"breakout/session"
	"breakout/sshd"
	"breakout/tui"
)

func newDemoCmd() *cobra.Command {
	var (
		as, group, data, listen, ssh string
		bots                         int
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Watch a live breakout session: an embedded relay, a sample session and simulated people",
		Long: `Start a live breakout session on this machine and open it in the terminal.

The demo starts an embedded relay on a loopback port, creates a sample session
(three groups, Manzoni, Verdi and Rossini, and five questions), and starts
simulated people who join the groups, add ideas, build on and vote for each
other's ideas; simulated chairs pose the questions on a timer and simulated
rapporteurs write minutes, except in the seat you take yourself.

It opens on the organizer's dashboard; --as takes another seat. Before the
screen opens it prints the join codes and the commands that join the same
demo from a second terminal, with breakout join or with nothing but ssh
(on a free loopback port, or --ssh ADDR); 'i' on the screen shows them again.

The demo's data is kept in a temporary directory unless --data names one;
start the demo again with the same --data to come back to the same session.`,
		Example: `  breakout demo
  breakout demo --as participant --group Verdi
  breakout demo --as rapporteur --group Manzoni --bots 20
  breakout demo --data ./demo-data --listen 127.0.0.1:7780 --ssh 127.0.0.1:2222`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			role := session.Role(strings.ToLower(as))
			if !role.Valid() {
				return fmt.Errorf("--as %q is not a role; use organizer, chair, rapporteur or participant", as)
			}
			if bots < 0 || bots > 200 {
				return fmt.Errorf("--bots %d is out of range; use 0 to 200", bots)
			}
			if role == session.Organizer {
				group = ""
			} else if name, ok := demo.SamplePlan().GroupName(group); ok {
				group = name
			} else {
				return fmt.Errorf("--group %q is not a demo group; use Manzoni, Verdi or Rossini", group)
			}
			if data == "" {
				dir, err := os.MkdirTemp("", "breakout-demo-")
				if err != nil {
					return fmt.Errorf("make a data directory: %w", err)
				}
				data = dir
			}
			return runDemo(cmd, demo.Config{Dir: data, Listen: listen, Bots: bots, Role: role, Group: group}, ssh)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&as, "as", "organizer", "your seat: organizer, chair, rapporteur or participant")
	fl.StringVar(&group, "group", "Manzoni", "your group, unless you are the organizer: Manzoni, Verdi or Rossini")
	fl.IntVar(&bots, "bots", 12, "simulated participants (chairs and rapporteurs come on top)")
	fl.StringVar(&data, "data", "", "data directory to keep the demo in (default: a new temporary directory)")
	fl.StringVar(&listen, "listen", "127.0.0.1:0", "the embedded relay's address (default: a free loopback port)")
	fl.StringVar(&ssh, "ssh", "127.0.0.1:0", "address of the demo's SSH screens (default: a free loopback port)")
	return cmd
}

func runDemo(cmd *cobra.Command, cfg demo.Config, sshAddr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	sshLn, err := listenSSH(sshAddr)
	if err != nil {
		return err
	}
	d, err := demo.Start(ctx, cfg)
	if err != nil {
		sshLn.Close()
		return err
	}
	defer d.Close()
	ssh, err := startSSH(d.Server(), sshLn, sshd.Config{Dir: cfg.Dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer ssh.stop() // before the demo's relay closes
	out := cmd.OutOrStdout()
	info := demoInfo(d, ssh)
	fmt.Fprint(out, info)

	code := d.Code(cfg.Group, cfg.Role)
	client, err := relay.Dial(ctx, relay.ClientConfig{URL: d.URL, Code: code, Name: "You",
		Background: "demo visitor", StateDir: filepath.Join(cfg.Dir, "client", string(cfg.Role)+"-"+cfg.Group)})
	if err != nil {
		return err
	}
	defer client.Close()
	if err := tui.Run(ctx, tui.Options{Client: client, Extra: info}); err != nil {
		return err
	}
	// Coming back on the same address lets the clients still open in
	// other terminals reconnect by themselves.
	addr := "127.0.0.1:7780"
	if u, err := url.Parse(d.URL); err == nil && u.Host != "" {
		addr = u.Host
	}
	fmt.Fprintf(out, "\nThe demo's data is in %s.\n", cfg.Dir)
	fmt.Fprintf(out, "Come back to it:    breakout demo --data %s --listen %s\n", cfg.Dir, addr)
	fmt.Fprintf(out, "Export its reports: while it runs, in another terminal:\n")
	fmt.Fprintf(out, "                    breakout report ws://%s %s -o conference.md\n", addr, d.Code("", session.Organizer))
	return nil
}

// demoInfo is what the demo prints before the screen opens, and shows
// again under '?': the relay, the codes and how to join from elsewhere.
func demoInfo(d *demo.Demo, ssh *sshScreens) string {
	var b strings.Builder
	fmt.Fprintf(&b, "breakout demo: relay at %s, data in %s\n\n", d.URL, d.Dir)
	writeCodeTable(&b, d.Codes)
	code := d.Code("Verdi", session.Participant)
	fmt.Fprintf(&b, "\nJoin from a second terminal, for example as a participant of Verdi:\n")
	fmt.Fprintf(&b, "  breakout join %s %s --name \"Your Name\"\n", d.URL, code)
	if ssh != nil {
		fmt.Fprintf(&b, "or with nothing but ssh (host key %s):\n", ssh.Fingerprint)
		fmt.Fprintf(&b, "  %s   (then type the code), or  %s\n", ssh.Command, ssh.As(code))
	}
	b.WriteString("\n")
	return b.String()
}
