package main

import (
	"fmt"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"bdt/bdt/buildinfo"
)

// newVersionCommand returns "version", which prints what `bdt --version`
// prints: the module version, VCS revision and time, whether the work tree
// was modified, and the Go and libxml2 versions.
func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of bdt, of the Go it was built with and of libxml2",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(cmd.OutOrStdout(), buildinfo.Read().Text())
			return nil
		},
	}
}

// setVersion gives root the --version flag, printing what `bdt version`
// prints.
func setVersion(root *cobra.Command) {
	root.Version = buildinfo.Read().Text()
	root.SetVersionTemplate("{{.Version}}")
}

// logStart logs the line a run or the daemon starts with: which bdt, built
// from what, with which libraries.
func logStart(log zerolog.Logger, verb string) {
	ev := log.Info()
	for _, f := range buildinfo.Read().Fields() {
		ev = ev.Str(f[0], f[1])
	}
	ev.Msg("bdt " + verb + " starting")
}
