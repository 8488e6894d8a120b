package daemon

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// ClockChangeWarnings looks at the clock changes of loc in the two years
// from now and warns when the schedule is due in the hour of wall-clock
// time a change skips (spring forward: that night's run may not happen) or
// repeats (fall back: it may run twice). In the UK that is 01:00–01:59.
// Either is harmless to bdt — every run takes all that is pending and no
// file is applied twice — but an operator should know.
func ClockChangeWarnings(s cron.Schedule, loc *time.Location, now time.Time) []string {
	var out []string
	seen := map[bool]bool{}
	for _, ch := range clockChanges(loc, now, now.AddDate(2, 0, 0)) {
		if seen[ch.forward] {
			continue
		}
		// The affected wall-clock hour, as UTC wall times so the schedule
		// can be walked without the zone's own jumps.
		before := ch.at.Add(time.Duration(ch.offBefore) * time.Second).UTC()
		after := ch.at.Add(time.Duration(ch.offAfter) * time.Second).UTC()
		lo, hi := before, after
		if !ch.forward {
			lo, hi = after, before
		}
		day := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, time.UTC)
		for t := s.Next(day.Add(-time.Second)); t.Before(day.AddDate(0, 0, 1)); t = s.Next(t) {
			if t.Before(lo) || !t.Before(hi) {
				continue
			}
			seen[ch.forward] = true
			if ch.forward {
				out = append(out, fmt.Sprintf("the schedule is due at %s local time, an hour that does not exist when clocks go forward (next on %s): that night's run may not happen; the next run takes everything pending",
					t.Format("15:04"), t.Format("2006-01-02")))
			} else {
				out = append(out, fmt.Sprintf("the schedule is due at %s local time, an hour that happens twice when clocks go back (next on %s): that night it may run twice, which is harmless (no file is applied twice)",
					t.Format("15:04"), t.Format("2006-01-02")))
			}
			break
		}
	}
	return out
}

type clockChange struct {
	at                  time.Time // the instant of the change
	offBefore, offAfter int       // UTC offsets in seconds
	forward             bool
}

// clockChanges finds the instants in [from, to) where loc's UTC offset
// changes, to the second.
func clockChanges(loc *time.Location, from, to time.Time) []clockChange {
	var out []clockChange
	_, prev := from.In(loc).Zone()
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		_, off := t.In(loc).Zone()
		if off == prev {
			continue
		}
		lo, hi := t.Add(-time.Hour), t
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, o := mid.In(loc).Zone(); o == prev {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, clockChange{at: hi.Truncate(time.Second), offBefore: prev, offAfter: off, forward: off > prev})
		prev = off
	}
	return out
}
