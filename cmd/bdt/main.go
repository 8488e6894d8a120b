// Command bdt processes Bulk Data Transfer files of the UK Sponsorship
// Management System: it validates each file against its XSD, applies every
// record through the shared rules engine against the sponsor register, and
// writes result and error reports.
//
// Each verb lives in a file of its own in this folder (restic's layout),
// built by a constructor newXCommand; newRootCommand (root.go) assembles a
// fresh command tree for every run, so no flag outlives the run that set it.
package main

import (
	"errors"
	"fmt"
	"os"
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

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line args and returns the exit code.
func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	defer setGCTarget(root, args)()
	stop := startProfile()
	err := root.Execute()
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
