// Command bdt processes Bulk Data Transfer files of the UK Sponsorship
// Management System: it validates each file against its XSD, applies every
// record through the shared rules engine against the sponsor register, and
// writes result and error reports.
//
// Each verb lives in a file of its own in this folder (restic's layout) and
// adds itself to the root command in an init function.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes shared by every verb.
const (
	exitOK     = 0 // everything done; for run, even when records were rejected
	exitFailed = 1 // a file or an action was invalid or rejected, or a file could not be processed
	exitUsage  = 2 // usage or I/O error before any work
)

// exitError carries an exit code out of a verb. Its message, if any, is
// printed to standard error by main.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitWith returns an error that makes bdt exit with code; msg may be "".
func exitWith(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

var rootCmd = &cobra.Command{
	Use:           "bdt",
	Short:         "Bulk Data Transfer processor for the Sponsorship Management System",
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
		return flagsFromEnv(cmd)
	},
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

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line args and returns the exit code.
func run(args []string) int {
	resetFlags(rootCmd)
	rootCmd.SetArgs(args)
	stop := startProfile()
	err := rootCmd.Execute()
	stop()
	reportMemory(os.Stderr)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "bdt:", ee.msg)
		}
		return ee.code
	}
	// Cobra's own errors (unknown flag, wrong arguments) are usage errors.
	fmt.Fprintln(os.Stderr, "bdt:", err)
	return exitUsage
}

// resetFlags puts every flag of cmd and its subcommands back to its default,
// so that run can be called more than once in one process (tests do).
func resetFlags(cmd *cobra.Command) {
	reset := func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			sv.Replace(nil)
		} else {
			f.Value.Set(f.DefValue)
		}
		f.Changed = false
	}
	cmd.Flags().VisitAll(reset)
	cmd.PersistentFlags().VisitAll(reset)
	for _, c := range cmd.Commands() {
		resetFlags(c)
	}
}
