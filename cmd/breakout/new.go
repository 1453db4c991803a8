package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/session"
)

func newNewCmd() *cobra.Command {
	var relayURL, token string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "new PLAN",
		Short: "Create a session of a plan file on a running relay and print its join codes",
		Long: `Create a further session on a running relay from a TOML plan file, and print
its join codes: one for the organizer, one per group and role, and one per
person when the plan has a roster. The relay keeps only hashes of the codes,
so keep what this prints.

The admin token is in admin.token in the relay's data directory.`,
		Example: `  breakout new plan.toml --relay ws://127.0.0.1:7777 --token "$(cat ~/.local/share/breakout/admin.token)"
  breakout new plan.toml --relay wss://relay.example.org --token TOKEN --json > codes.json`,
		Args: exactArgs(1, "give the plan file: breakout new PLAN --relay URL --token TOKEN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if relayURL == "" || token == "" {
				return errors.New("--relay URL and --token TOKEN are both needed (the token is in the relay's data directory, admin.token)")
			}
			plan, err := session.LoadPlan(args[0])
			if err != nil {
				return err
			}
			body, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			codes, err := createRemote(relayURL, token, filepath.Base(args[0]), body)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(codes)
			}
			ws, _ := relay.WebsocketURL(relayURL)
			printCodes(out, strings.TrimSuffix(ws, "/ws"), plan.Title, codes)
			return nil
		},
	}
	cmd.Flags().StringVar(&relayURL, "relay", "", "the relay's URL (ws://HOST:PORT or wss://HOST)")
	cmd.Flags().StringVar(&token, "token", "", "the relay's admin token (DATA/admin.token)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the codes as JSON, as 'relay --codes' writes them")
	return cmd
}

// httpBase turns a relay URL into the base of its HTTP API.
func httpBase(relayURL string) (string, error) {
	ws, err := relay.WebsocketURL(relayURL)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(ws)
	u.Scheme = strings.Replace(u.Scheme, "ws", "http", 1)
	u.Path = ""
	return u.String(), nil
}

func createRemote(relayURL, token, name string, plan []byte) (*relay.Codes, error) {
	base, err := httpBase(relayURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/sessions?name="+url.QueryEscape(name), bytes.NewReader(plan))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	req.Header.Set("Content-Type", "application/toml")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the relay at %s: %w", base, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("the relay refused: %s", e.Error)
		}
		return nil, fmt.Errorf("the relay answered %s", resp.Status)
	}
	var codes relay.Codes
	if err := json.Unmarshal(data, &codes); err != nil {
		return nil, fmt.Errorf("read the relay's answer: %w", err)
	}
	return &codes, nil
}

// exactArgs is cobra.ExactArgs with a message that says what to do.
func exactArgs(n int, usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return errors.New(usage)
		}
		return nil
	}
}
