package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"bdt/bdt/replay"
)

// newReplayCommand returns "replay".
func newReplayCommand() *cobra.Command {
	var now string
	var update bool
	cmd := &cobra.Command{
		Use:   "replay DIR...",
		Short: "Replay sample scenarios against a scratch register and compare the reports with golden copies",
		Long: `Replay sample scenarios against a scratch register and compare the reports
with golden copies.

Each DIR holds register.xml (the register fixture), inbox/<licence>/*.xml,
golden/ (the expected reports) and optionally scenario.json ({"now": RFC 3339,
"max_size": bytes, "max_errors": n, "description": text}). A scratch register
is created in a temporary folder, the inbox is run with the fixed processing
time, and every report is compared with golden/. A folder without inbox/ is
skipped with a note.

Exit status: 0 when every report matches, 1 on any difference (a unified diff
is printed), 2 on usage or set-up errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opt replay.Options
			opt.Update = update
			var err error
			if opt.Now, err = parseNow(now, ""); err != nil {
				return err
			}
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			failed, ran := 0, 0
			for _, dir := range args {
				res, err := replay.Run(cmd.Context(), dir, opt)
				if errors.Is(err, replay.ErrNotScenario) {
					fmt.Fprintf(errw, "skip %s: %v\n", dir, err)
					continue
				}
				if err != nil {
					return exitWith(exitUsage, "%s: %v", dir, err)
				}
				ran++
				switch {
				case res.Updated:
					fmt.Fprintf(out, "updated %s: %d files, %d reports\n", dir, res.Files, res.Reports)
				case len(res.Diffs) > 0:
					failed++
					fmt.Fprintf(out, "FAIL %s: %d of %d reports differ\n", dir, len(res.Diffs), res.Reports)
					for _, d := range res.Diffs {
						fmt.Fprint(out, d)
					}
				default:
					fmt.Fprintf(out, "ok   %s: %d files, %d reports match\n", dir, res.Files, res.Reports)
				}
			}
			if ran == 0 {
				return exitWith(exitUsage, "no replay scenario among the folders given")
			}
			if failed > 0 {
				return exitWith(exitFailed, "%d scenario(s) differ from their golden reports", failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "processing time (RFC 3339), overriding each scenario's")
	cmd.Flags().BoolVar(&update, "update", false, "rewrite golden/ with the reports produced")
	return cmd
}
