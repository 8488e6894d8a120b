package main

import (
	"os"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"
)

// gcPercent is the garbage collector's target when GOGC is not set: the
// heap may grow to 1.5 times what is live (Go's default is 2 times). It is
// every command's setting (setGCTarget) but bdt validate's
// (validateGCPercent) and those that process files (filesGC): a
// command whose live heap grows with its input (bdt register import keeps
// ~80 MB live on 100,000 certificates) needs a target relative to it.
const gcPercent = 50

// The collector of a command that processes files (bdt run, bdt serve):
// filesGCPercent is the target, filesMemoryLimit the runtime's soft limit on
// all of Go's memory for one worker, and filesWorkerMemory what each further
// worker adds to it (a file's own live heap, 2–5 MB, with room: two workers
// on 8 files of 12,500 records collect 57 times rather than 191, for 37 MiB
// of work memory rather than 29).
//
// A file is streamed: whatever its size, one worker's live heap is 5–7 MB
// (records in flight, a batch's certificates and outcomes; a large file's
// R.RECORD.DUPLICATE pairs are on disk). At GOGC=50 the heap goal is then
// ~10 MB and a run collects every 3–4 MB allocated: 180 collections on
// 100,000 records, 1,844 on a million, the collector a tenth of the CPU.
// GOGC alone cannot trade that for memory safely: at 200 the work memory
// (RSS less the mapped binary) of a 100,000-record run is 40 MB against the
// 32 MB issue 18 allows. So the target is high, for throughput, and the
// memory limit is the cap: the runtime collects when the heap reaches
// whichever goal is lower, which for a live heap of 5–7 MB is the limit's
// (~15 MB of heap beside the runtime's other memory): 84–94 collections on
// 100,000 records, 744 on a million, work memory 21–25 MiB at 100,000 and
// 28.7 MiB at a million (docs/performance-floor.md, third round; 28 MiB
// took the million to 30.6 MiB, too near the bound).
//
// When the live heap nears the limit (more workers than filesWorkerMemory
// allows for, or a live heap this design does not expect), the runtime
// collects more and more often, up to its own cap of about half the CPU,
// and then lets the heap pass the limit: a soft limit never fails an
// allocation. That is why the limit is not set process-wide (bdt register
// import ran 2.6 times the CPU under it) and why GOGC stays finite: past
// the limit the heap is still bounded by 3 times what is live.
const (
	filesGCPercent    = 200
	filesMemoryLimit  = 26 << 20
	filesWorkerMemory = 4 << 20
)

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

// filesGC sets the collector for a command that processes files with
// workers workers, unless GOGC or GOMEMLIMIT is set (each is then left as
// the environment says), and returns what puts the settings back.
func filesGC(workers int) (restore func()) {
	var undo []func()
	if os.Getenv("GOGC") == "" {
		was := debug.SetGCPercent(filesGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(was) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		was := debug.SetMemoryLimit(filesMemoryLimit + int64(max(workers, 1)-1)*filesWorkerMemory)
		undo = append(undo, func() { debug.SetMemoryLimit(was) })
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}
