package main

import (
	"runtime/debug"
	"testing"
)

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
