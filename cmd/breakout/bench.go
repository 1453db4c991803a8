package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"breakout/bench"
)

// benchLoadCmd is the hidden subcommand that runs a bench's load in a
// child process.
const benchLoadCmd = "bench-load"

type benchFlags struct {
	quick, json bool
	scenarios   []string
	dir         string
	profile     string
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the relay against a baseline hub and Centrifuge on this machine",
		Long: `Measure how fast a change reaches everyone in a room, how many rooms one
machine holds, and what one slow client does to the rest, side by side with
two baselines in the same run, driven by the same load: an in-memory
broadcast hub in the shape of the gorilla/websocket chat example (no log, no
auth, no views), and Centrifuge (github.com/centrifugal/centrifuge, the
library behind Centrifugo) with its memory broker, a channel per group. On a
shared machine only same-run ratios mean anything.

The relay runs in this process with its embedded NATS server, syncing every
append to disk (the default), in a temporary data directory (or under --dir);
the hub and Centrifuge run in this process in their turn. The relay's
per-connection op rate limit is lifted for the load, whose clients send
faster than people do. The load (real websocket clients speaking each
server's protocol) runs in a child process, so the CPU and memory figures
are the server's own.

Each scenario runs the servers in turns (relay, hub, Centrifuge, relay, …),
three rounds in a full run, and gives the median of the rounds with their
range. An op not acknowledged, or not delivered to everyone, when the wait
ends counts in the p99 as a timeout, and is counted.

Scenarios, in the order they run:
  floor          websocket echo round trip; write+fsync in the data directory
  room           1 group of 50, one sender at 20 ops/s: time until all 50 have it
  conference     40 groups × 25 clients, each adds an idea every 2 s
  throughput     open loop over the conference: the highest rate with p99 ≤ 50 ms,
                 by bisection to within 5 %; also on the relay with --no-sync
  slow-consumer  room with one client that stops reading
  idle           10,000 idle connections: memory per connection
  large          10,000 connections in 400 groups of 25, 1,000 ops/s in
  catch-up       a session of 50,000 entries: a newcomer's welcome; a restart
  ssh            only when named: 100 SSH sessions on a relay process (breakout
                 relay --ssh): memory per session, key press to another
                 session's screen; beside 100 websocket clients

A full run (without ssh) takes about 30 minutes; --quick runs every
scenario smaller and shorter, one round, within a minute. The idle and large
scenarios need about 11,000 open files: the bench raises its soft limit to
the hard one, and says so if that is not enough.`,
		Example: `  breakout bench --quick
  breakout bench --scenario room --scenario slow-consumer
  breakout bench --json > bench.json
  breakout bench --scenario throughput --profile prof/   # then: go tool pprof prof/throughput-relay.cpu.pprof`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.quick, "quick", false, "run every scenario smaller and shorter (within a minute)")
	fl.BoolVar(&f.json, "json", false, `print the figures as JSON: {"scenarios": [{"name": …, "figures": {…}}]}`)
	fl.StringArrayVar(&f.scenarios, "scenario", nil, "run only this scenario (repeatable; default all)")
	fl.StringVar(&f.dir, "dir", "", "directory for the relay's data and the fsync floor (default: a temporary one)")
	fl.StringVar(&f.profile, "profile", "", "write CPU and heap profiles of the relay process into this directory")
	return cmd
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, bench.Options{
		Quick:      f.quick,
		Scenarios:  f.scenarios,
		Dir:        f.dir,
		ProfileDir: f.profile,
		LoadArgs:   []string{benchLoadCmd},
		Progress:   cmd.ErrOrStderr(),
	})
	if err != nil {
		if rep != nil && len(rep.Scenarios) > 0 {
			rep.WriteText(cmd.ErrOrStderr())
		}
		return fmt.Errorf("bench: %w", err)
	}
	if f.json {
		return rep.WriteJSON(cmd.OutOrStdout())
	}
	return rep.WriteText(cmd.OutOrStdout())
}

// newBenchLoadCmd is the load process of `breakout bench`: it reads one
// job as JSON on stdin and answers on stdout. Not for people.
func newBenchLoadCmd() *cobra.Command {
	return &cobra.Command{
		Use:    benchLoadCmd,
		Short:  "Run the load of 'breakout bench' (internal)",
		Long:   "Run the load of 'breakout bench': one job as a JSON line on stdin, its marks and result as JSON lines on stdout. 'breakout bench' starts it; it is not meant to be run by hand.",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return bench.ServeLoad(ctx, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
}
