// Command breakout runs breakout brainstorming sessions from the terminal.
//
// This package holds flags and subcommands only; the logic lives in the
// session, relay and tui packages.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "breakout:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "breakout",
		Short: "Run breakout brainstorming sessions from the terminal",
		Long: `breakout runs breakout brainstorming sessions from the terminal.

An organizer plans a session (questions, groups, a roster split into blended
groups) and starts a relay; chairs, rapporteurs and participants join with a
code; everyone sees their room live; the organizer merges the group reports
into the conference report.

Try it:  breakout demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newRelayCmd(),
		newNewCmd(),
		newJoinCmd(),
		newDemoCmd(),
		newSplitCmd(),
		newReportCmd(),
		newMergeCmd(),
		newBenchCmd(),
		newBenchLoadCmd(),
	)
	return root
}
