package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"breakout/relay"
	"breakout/session"
)

func newNewCmd() *cobra.Command {
	var relayURL, token, tokenFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "new PLAN",
		Short: "Create a session of a plan file on a running relay and print its join codes",
		Long: `Create a further session on a running relay from a TOML plan file, and print
its join codes: one for the organizer, one per group and role, and one per
person when the plan has a roster. The relay keeps only hashes of the codes,
so keep what this prints.

The admin token is in admin.token in the relay's data directory. Give it with
--token-file (the file itself serves) or in $BREAKOUT_TOKEN: a --token on the
command line shows in 'ps' to everyone on the machine.`,
		Example: `  breakout new plan.toml --relay ws://127.0.0.1:7777 --token-file ~/.local/share/breakout/admin.token
  BREAKOUT_TOKEN=TOKEN breakout new plan.toml --relay wss://relay.example.org --json > codes.json`,
		Args: exactArgs(1, "give the plan file: breakout new PLAN --relay URL --token-file FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if relayURL == "" {
				return errors.New("--relay URL is needed: the relay's address, as 'breakout join' takes it")
			}
			token, err := secret("admin token", "--token-file", tokenFile, token, envToken)
			if err != nil {
				return fmt.Errorf("%w (the token is in the relay's data directory, admin.token)", err)
			}
			plan, err := session.LoadPlan(args[0])
			if err != nil {
				return err
			}
			body, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			admin, err := relay.NewAdmin(relayURL)
			if err != nil {
				return err
			}
			codes, err := admin.CreateSession(cmd.Context(), token, filepath.Base(args[0]), body)
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
			printCodes(out, strings.TrimSuffix(ws, "/ws"), nil, plan.Title, codes)
			return nil
		},
	}
	cmd.Flags().StringVar(&relayURL, "relay", "", "the relay's URL (ws://HOST:PORT or wss://HOST)")
	cmd.Flags().StringVar(&tokenFile, "token-file", "", "read the relay's admin token from this file (DATA/admin.token; else $BREAKOUT_TOKEN)")
	cmd.Flags().StringVar(&token, "token", "", "the relay's admin token (shows in 'ps': prefer --token-file or $BREAKOUT_TOKEN)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the codes as JSON, as 'relay --codes' writes them")
	return cmd
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
