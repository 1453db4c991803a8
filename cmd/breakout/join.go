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
	"breakout/tui"
)

func newJoinCmd() *cobra.Command {
	var name, background string
	cmd := &cobra.Command{
		Use:   "join URL CODE",
		Short: "Join a session with your code and open your room",
		Long: `Join a session on a relay with the code your organizer gave you, and open the
screen of your role: participant, chair, rapporteur or organizer. The code
says which role and which group.

Without --name you are asked for your name (and, if you like, your
background) in a small form. breakout remembers you per relay and code under
$XDG_STATE_HOME/breakout (~/.local/state/breakout): joining again with the
same code resumes as the same person, and ideas or minutes typed while the
connection was down are sent when it is back, even after a restart.

Press ? in the program for every key of your role.`,
		Example: `  breakout join ws://127.0.0.1:7777 k7dm-x3qa-9fhwp
  breakout join wss://relay.example.org k7dm-x3qa-9fhwp --name "Ada Lovelace" --background "mathematics"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return errors.New("give the relay's URL and your join code: breakout join URL CODE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			return runJoin(ctx, args[0], args[1], name, background)
		},
	}
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
	dir, err := clientStateDir(wsURL, code)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(filepath.Join(dir, "resume"))
	resumable := statErr == nil
	name, background = strings.TrimSpace(name), strings.TrimSpace(background)
	ask := func() (string, string, error) {
		if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
			return "", "", errors.New("a name is needed to join; give one with --name")
		}
		n, b, err := tui.AskName(ctx, "Joining "+strings.TrimSuffix(wsURL, "/ws"))
		if errors.Is(err, tui.ErrCancelled) {
			return "", "", errors.New("not joined: no name given")
		}
		return n, b, err
	}
	if name == "" && !resumable {
		if name, background, err = ask(); err != nil {
			return err
		}
	}
	c, err := dialJoin(ctx, relay.ClientConfig{URL: wsURL, Code: code, Name: name, Background: background, StateDir: dir}, ask)
	if err != nil {
		return err
	}
	defer c.Close()
	return tui.Run(ctx, tui.Options{Client: c})
}

// dialJoin connects to the relay. When the resume token kept from an
// earlier join is no longer valid (the relay lost its data, or the session
// is gone), it drops the token and joins afresh with the code, asking for
// the name if none was given; otherwise every later join would fail the
// same way.
func dialJoin(ctx context.Context, cfg relay.ClientConfig, ask func() (string, string, error)) (*relay.Client, error) {
	c, err := dialOnce(ctx, cfg)
	if err == nil || !errors.Is(err, relay.ErrStaleResume) {
		return c, err
	}
	if err := os.Remove(filepath.Join(cfg.StateDir, "resume")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("forget the old resume token: %w", err)
	}
	if cfg.Name == "" {
		if cfg.Name, cfg.Background, err = ask(); err != nil {
			return nil, err
		}
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
	case errors.Is(err, relay.ErrStaleResume):
		return nil, err
	}
	return nil, fmt.Errorf("%w (is the relay running, and is the URL right?)", err)
}

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
