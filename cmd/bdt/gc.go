package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target when GOGC is not set: the
// heap may grow to 1.5 times what is live (Go's default is 2 times). bdt's
// live heap is small and mostly free of pointers (a million-record file's
// duplicate check is one compact table), so collecting more often costs
// little time and keeps peak memory down: 92 MB rather than 107 MB of peak
// RSS for a file of a million records (PERFORMANCE.md).
const gcPercent = 50

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
