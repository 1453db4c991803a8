package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/session"
	"breakout/tui"
)

func newJoinCmd() *cobra.Command {
	var name, background, codeFile string
	cmd := &cobra.Command{
		Use:   "join URL [CODE]",
		Short: "Join a session with your code and open your room",
		Long: `Join a session on a relay with the code your organizer gave you, and open the
screen of your role: participant, chair, rapporteur or organizer. The code
says which role and which group.

With a code of your own (from the organizer's roster) you join under the
roster's name and background. With a code shared by a group, give --name or
you are asked for your name (and, if you like, your background) in a small
form; a wrong code or URL is told before the form. breakout remembers you per relay and code under
$XDG_STATE_HOME/breakout (~/.local/state/breakout): joining again with the
same code resumes as the same person, and ideas or minutes typed while the
connection was down are sent when it is back, even after a restart.

A code on the command line shows in 'ps' to everyone on the machine, and in
your shell history: on a shared machine give it with --code-file FILE or in
$BREAKOUT_CODE instead.

Press ? in the program for every key of your role.`,
		Example: `  breakout join ws://127.0.0.1:7777 k7dm-x3qa-9fhwp
  breakout join wss://relay.example.org --code-file ~/code.txt --name "Ada Lovelace" --background "mathematics"
  BREAKOUT_CODE=k7dm-x3qa-9fhwp breakout join wss://relay.example.org`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return errors.New("give the relay's URL and your join code: breakout join URL CODE (or --code-file FILE)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			// Told to stop from outside, the program saves what waits to
			// be saved before it quits (tui.Run).
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			code, err := secret("join code", "--code-file", codeFile, argAt(args, 1), envCode)
			if err != nil {
				return err
			}
			return runJoin(ctx, args[0], code, name, background)
		},
	}
	cmd.Flags().StringVar(&codeFile, "code-file", "", "read the join code from this file (else CODE, else $BREAKOUT_CODE)")
	cmd.Flags().StringVar(&name, "name", "", "your name, as the others see it (asked for when missing)")
	cmd.Flags().StringVar(&background, "background", "", "your background or organization (optional)")
	return cmd
}

func runJoin(ctx context.Context, rawURL, code, name, background string) error {
	wsURL, err := relay.WebsocketURL(rawURL)
	if err != nil {
		return err
	}
	if relay.NormalizeCode(code) == "" {
		return errors.New("the join code is empty; use the code your organizer gave you")
	}
	name = strings.TrimSpace(name)
	dir, err := stateDirFor(wsURL, code, name)
	if err != nil {
		return err
	}
	cfg := relay.ClientConfig{URL: wsURL, Code: code, Name: name,
		Background: strings.TrimSpace(background), StateDir: dir}
	// Join first, with the name given or none: a roster person's own code
	// needs no name, and a wrong code or URL is told before anyone types.
	c, err := dialJoin(ctx, cfg)
	if err == nil {
		defer c.Close()
		rememberName(dir, name)
		return tui.Run(ctx, tui.Options{Client: c})
	}
	if !errors.Is(err, relay.ErrNameNeeded) {
		return err
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("a name is needed to join; give one with --name")
	}
	err = tui.Join(ctx, tui.JoinOptions{
		Heading: "Joining " + strings.TrimSuffix(wsURL, "/ws"),
		Dial: func(ctx context.Context, name, background string) (*relay.Client, error) {
			cfg.Name, cfg.Background = name, background
			c, err := dialJoin(ctx, cfg)
			if err == nil {
				rememberName(dir, name)
			}
			return c, err
		},
	})
	if errors.Is(err, tui.ErrCancelled) {
		return errors.New("not joined: the form was left with esc; nothing was sent")
	}
	return err
}

// dialJoin connects to the relay. When the resume token kept from an
// earlier join is no longer valid (the relay lost its data, or the session
// is gone), it drops the token and joins afresh with the code; otherwise
// every later join would fail the same way. Without a name that join may
// answer relay.ErrNameNeeded.
func dialJoin(ctx context.Context, cfg relay.ClientConfig) (*relay.Client, error) {
	c, err := dialOnce(ctx, cfg)
	if err == nil || !errors.Is(err, relay.ErrStaleResume) {
		return c, err
	}
	if err := os.Remove(filepath.Join(cfg.StateDir, "resume")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("forget the old resume token: %w", err)
	}
	return dialOnce(ctx, cfg)
}

func dialOnce(ctx context.Context, cfg relay.ClientConfig) (*relay.Client, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := relay.Dial(dctx, cfg)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, relay.ErrRefused):
		return nil, fmt.Errorf("the relay refused to let you in: %w", err)
	case errors.Is(err, relay.ErrStaleResume), errors.Is(err, relay.ErrNameNeeded):
		return nil, err
	}
	var answer *session.Error
	if errors.As(err, &answer) {
		// The relay answered, so it runs: what it said is the whole story.
		return nil, relayAnswer{answer.Message, err}
	}
	return nil, fmt.Errorf("%w (is the relay running, and is the URL right?)", err)
}

// relayAnswer is the relay's refusal of a join, told in its own words.
type relayAnswer struct {
	msg string
	err error
}

func (e relayAnswer) Error() string { return e.msg }
func (e relayAnswer) Unwrap() error { return e.err }

// clientStateDir is where the client keeps its resume token and outbox for
// one relay and code: $XDG_STATE_HOME/breakout/<first 16 hex digits of
// sha256(url+" "+code)>, with the URL as relay.WebsocketURL writes it and
// the code as relay.NormalizeCode does, so the same join resumes however
// it was typed.
func clientStateDir(wsURL, code string) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find a place for the client state: %w (set XDG_STATE_HOME)", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	sum := sha256.Sum256([]byte(wsURL + " " + relay.NormalizeCode(code)))
	return filepath.Join(base, "breakout", hex.EncodeToString(sum[:])[:16]), nil
}

// stateDirFor is the state directory of a join. With --name it is the one
// of the code unless another name joined from there: two people joining
// with one shared code on one machine are two people, so the second gets a
// directory of its own and the first one's token and outbox stay theirs.
func stateDirFor(wsURL, code, name string) (string, error) {
	base, err := clientStateDir(wsURL, code)
	if err != nil || name == "" {
		return base, err
	}
	prev, err := os.ReadFile(filepath.Join(base, "name"))
	if err != nil || strings.TrimSpace(string(prev)) == name {
		return base, nil
	}
	sum := sha256.Sum256([]byte(name))
	return base + "-" + hex.EncodeToString(sum[:])[:8], nil
}

// rememberName notes the name a state directory joined with, for
// stateDirFor; losing it only means a later --name is taken as the same
// person.
func rememberName(dir, name string) {
	if name == "" {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, "name")); err == nil {
		return
	}
	os.WriteFile(filepath.Join(dir, "name"), []byte(name+"\n"), 0o600)
}
