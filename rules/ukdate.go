package rules

import (
	"time"

	"bdt/rules/calendar"
)

// UKDate returns the civil date in the United Kingdom (Europe/London) at the
// instant t: the date that counts as "today" for a report made at t.
//
// It applies the UK summer-time rule in force since 1996 (British Summer
// Time, UTC+1, from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
// last Sunday of October; Greenwich Mean Time otherwise) instead of loading
// the time-zone database, so the engine stays pure: no file or environment
// is read and the answer does not depend on the machine. Earlier instants are
// taken by the same rule.
func UKDate(t time.Time) Date {
	u := t.UTC()
	if isBST(u) {
		u = u.Add(time.Hour)
	}
	return calendar.DateOf(u)
}

// isBST reports whether the UTC instant u falls in British Summer Time.
func isBST(u time.Time) bool {
	y := u.Year()
	start := lastSunday(y, time.March).Add(time.Hour)
	end := lastSunday(y, time.October).Add(time.Hour)
	return !u.Before(start) && u.Before(end)
}

// lastSunday returns midnight UTC at the start of the last Sunday of month m of year y.
func lastSunday(y int, m time.Month) time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC) // day 0 of the next month
	return last.AddDate(0, 0, -int(last.Weekday()))
}
