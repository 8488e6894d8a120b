package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newRootCommand returns a fresh bdt command tree: the root and every verb,
// each built by its own constructor with flags at their defaults.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "bdt",
		Short:         "Bulk Data Transfer processor for the Sponsorship Management System",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return flagsFromEnv(cmd)
		},
	}
	root.AddCommand(
		newCASCommand(),
		newCoSCommand(),
		newExportCommand(),
		newFilesCommand(),
		newGenCommand(),
		newHealthcheckCommand(),
		newMigrateCommand(),
		newRegisterCommand(),
		newReplayCommand(),
		newRulesCommand(),
		newRunCommand(),
		newSchemaCommand(),
		newServeCommand(),
		newTokensCommand(),
		newUsersCommand(),
		newValidateCommand(),
		newVersionCommand(),
	)
	setVersion(root)
	groupsSuggest(root)
	return root
}

// flagsFromEnv sets every flag of cmd not given on the command line from the
// environment variable BDT_<NAME> (upper case, '-' as '_'), when set: BDT_DB
// for --db, BDT_ADMIN_TOKEN for --admin-token.
func flagsFromEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil || f.Name == "help" {
			return
		}
		name := "BDT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = exitWith(exitUsage, "%s=%q: %v", name, v, e)
			}
		}
	})
	return err
}
