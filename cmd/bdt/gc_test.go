package main

import (
	"runtime/debug"
	"testing"
)

// TestFilesGC checks the collector's settings while a command processes
// files, what each environment variable leaves alone, and that they are put
// back afterwards.
func TestFilesGC(t *testing.T) {
	percent := debug.SetGCPercent(gcPercent)
	limit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(percent)
	defer debug.SetMemoryLimit(limit)
	for _, c := range []struct {
		gogc, gomemlimit string
		workers          int
		wantPercent      int
		wantLimit        int64
	}{
		{"", "", 1, filesGCPercent, filesMemoryLimit},
		{"", "", 0, filesGCPercent, filesMemoryLimit},
		{"", "", 3, filesGCPercent, filesMemoryLimit + 2*filesWorkerMemory},
		{"75", "", 1, gcPercent, filesMemoryLimit},
		{"", "1GiB", 1, filesGCPercent, limit},
	} {
		t.Setenv("GOGC", c.gogc)
		t.Setenv("GOMEMLIMIT", c.gomemlimit)
		restore := filesGC(c.workers)
		gotPercent, gotLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
		debug.SetGCPercent(gotPercent)
		if gotPercent != c.wantPercent || gotLimit != c.wantLimit {
			t.Errorf("GOGC=%q GOMEMLIMIT=%q, %d workers: GOGC %d, limit %d; want %d, %d",
				c.gogc, c.gomemlimit, c.workers, gotPercent, gotLimit, c.wantPercent, c.wantLimit)
		}
		restore()
		if p, l := debug.SetGCPercent(gcPercent), debug.SetMemoryLimit(-1); p != gcPercent || l != limit {
			t.Errorf("GOGC=%q GOMEMLIMIT=%q: after, GOGC %d and limit %d; want %d and %d", c.gogc, c.gomemlimit, p, l, gcPercent, limit)
		}
	}
}

// TestSetGCTarget: each command runs with its collector's target, bdt
// validate with its own, and the target before is set back after it; GOGC
// overrides them all.
func TestSetGCTarget(t *testing.T) {
	current := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	before := current()
	for _, tc := range []struct {
		gogc string
		args []string
		want int
	}{
		{"", []string{"validate", "--max-size", "0", "a.xml"}, validateGCPercent},
		{"", []string{"run", "--db", "x.db"}, gcPercent},
		{"", []string{"no-such-command"}, gcPercent},
		{"300", []string{"validate", "a.xml"}, before},
	} {
		t.Setenv("GOGC", tc.gogc)
		restore := setGCTarget(newRootCommand(), tc.args)
		if got := current(); got != tc.want {
			t.Errorf("GOGC=%q %v: target %d, want %d", tc.gogc, tc.args, got, tc.want)
		}
		restore()
		if got := current(); got != before {
			t.Errorf("GOGC=%q %v: target %d after, want %d back", tc.gogc, tc.args, got, before)
		}
	}
}
