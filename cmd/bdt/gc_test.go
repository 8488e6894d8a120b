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
