package daemon

import (
	"strings"
	"testing"
	"time"
)

func TestClockChangeWarnings(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		spec          string
		forward, back bool
	}{
		{"0 2 * * *", false, false},   // 02:00 exists once on both change days
		{"30 1 * * *", true, true},    // 01:30 is skipped in March, repeated in October
		{"0 1 * * *", true, true},     // 01:00 likewise
		{"59 0 * * *", false, false},  // 00:59 is before the change
		{"0 1 * * 1-5", false, false}, // weekdays only: UK clocks change on Sundays
		{"*/15 * * * *", true, true},  // every quarter hour
	} {
		sched, err := parser.Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		ws := ClockChangeWarnings(sched, london, now)
		var fwd, back bool
		for _, w := range ws {
			fwd = fwd || strings.Contains(w, "go forward")
			back = back || strings.Contains(w, "go back")
		}
		if fwd != c.forward || back != c.back {
			t.Errorf("%q: warnings %q; want forward=%v back=%v", c.spec, ws, c.forward, c.back)
		}
	}
	// A zone without clock changes never warns.
	sched, _ := parser.Parse("30 1 * * *")
	if ws := ClockChangeWarnings(sched, time.UTC, now); len(ws) != 0 {
		t.Errorf("UTC: %q", ws)
	}
}
