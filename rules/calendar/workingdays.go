package calendar

import "time"

// IsWorkingDay reports whether d is a working day for nation n: a Monday to
// Friday that is not a bank holiday of n. An unknown or empty Nation means
// England and Wales.
func IsWorkingDay(n Nation, d Date) bool {
	t := d.Time()
	if w := t.Weekday(); w == time.Saturday || w == time.Sunday {
		return false
	}
	return !yearOf(n, t.Year()).has(t.YearDay())
}

// AddWorkingDays returns the k-th working day of nation n after d: the day
// on which the count of working days in (d, result] reaches k. k == 0
// returns d itself, even when d is not a working day. An unknown or empty
// Nation means England and Wales.
//
// AddWorkingDays panics if k is negative.
func AddWorkingDays(n Nation, d Date, k int) Date {
	if k < 0 {
		panic("calendar: AddWorkingDays with negative k")
	}
	cur, need := dayNumber(d), int64(k)
	// Step over need weekdays, then step again over as many weekdays as
	// there were bank holidays in the stretch just crossed, until a stretch
	// holds none. The day reached is then a working day, the k-th.
	for need > 0 {
		next := addWeekdays(cur, need)
		need = holidaysIn(n, cur, next)
		cur = next
	}
	return dateOfDayNumber(cur)
}

// WorkingDaysBetween returns the number of working days of nation n in
// (from, to]: after from, up to and including to. It is 0 when to is not
// after from. An unknown or empty Nation means England and Wales.
//
// For k >= 0, WorkingDaysBetween(n, d, AddWorkingDays(n, d, k)) == k.
func WorkingDaysBetween(n Nation, from, to Date) int {
	a, b := dayNumber(from), dayNumber(to)
	if b <= a {
		return 0
	}
	return int(weekdaysThrough(b) - weekdaysThrough(a) - holidaysIn(n, a, b))
}

// Deadline returns the last day on which an event on date event may be
// reported when reports are due within days working days of it, for a
// sponsor in nation n: AddWorkingDays(n, event, days). A report on or
// before the deadline is in time; WorkingDaysBetween(n, deadline, reported)
// is how many working days late a later one is. An unknown or empty Nation
// means England and Wales.
//
// Deadline panics if days is negative.
func Deadline(n Nation, event Date, days int) Date {
	return AddWorkingDays(n, event, days)
}

// holidaysIn counts the bank holidays of n falling on weekdays in the days
// (a, b].
func holidaysIn(n Nation, a, b int64) int64 {
	if b <= a {
		return 0
	}
	var count int64
	for y := dateOfDayNumber(a + 1).Year; y <= dateOfDayNumber(b).Year; y++ {
		for _, h := range yearOf(n, y).days {
			if h > a && h <= b && weekdayIndex(h) < 5 {
				count++
			}
		}
	}
	return count
}
