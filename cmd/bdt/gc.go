package main

import (
	"os"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"
)

// gcPercent is the garbage collector's target when GOGC is not set: the
// heap may grow to 1.5 times what is live (Go's default is 2 times). bdt's
// live heap is small and mostly free of pointers (a million-record file's
// duplicate check is one compact table), so collecting more often costs
// little time and keeps peak memory down: 92 MB rather than 107 MB of peak
// RSS for a file of a million records (PERFORMANCE.md).
const gcPercent = 50

// gcAnnotation is the annotation by which a command asks for a target of
// its own (a percent) instead of gcPercent: bdt validate's
// validateGCPercent.
const gcAnnotation = "bdt.gc-percent"

// setGCTarget sets the collector's target for the command args name, unless
// GOGC is set, and returns a function that sets the one before back (tests
// run many commands in one process). It is set once the command is known,
// not in a package initialiser: at 50 the heap's floor is 2 MB, which the
// packages' initialisers alone nearly reach, so every command began with a
// collection of their garbage, bdt validate (which wants 200) included.
func setGCTarget(root *cobra.Command, args []string) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	p := gcPercent
	if cmd, _, err := root.Find(args); err == nil {
		if s, ok := cmd.Annotations[gcAnnotation]; ok {
			if n, err := strconv.Atoi(s); err == nil {
				p = n
			}
		}
	}
	old := debug.SetGCPercent(p)
	return func() { debug.SetGCPercent(old) }
}
