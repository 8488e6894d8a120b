package calendar

import "time"

// Day numbers count days since 1970-01-01 (day 0, a Thursday), so that
// working-day arithmetic is integer arithmetic.

const secondsPerDay = 24 * 60 * 60

// dayNumber returns the number of days from 1970-01-01 to d (negative before).
func dayNumber(d Date) int64 {
	// Midnight UTC is a whole number of days from the Unix epoch, so the
	// division is exact for dates before 1970 too.
	return d.Time().Unix() / secondsPerDay
}

// dateOfDayNumber is the inverse of dayNumber.
func dateOfDayNumber(n int64) Date {
	return DateOf(time.Unix(n*secondsPerDay, 0).UTC())
}

// weekdayIndex returns 0 for Monday through 6 for Sunday.
func weekdayIndex(n int64) int64 { return floorMod(n+3, 7) }

// weekdaysThrough returns the number of Mondays to Fridays from a fixed
// Monday far in the past through day n, up to a constant: only differences
// between its values mean anything.
func weekdaysThrough(n int64) int64 {
	m := n + 3 // 0 is Monday 1969-12-29
	return 5*floorDiv(m, 7) + min(floorMod(m, 7)+1, 5)
}

// addWeekdays returns the day k (k >= 0) Mondays to Fridays after day n.
func addWeekdays(n, k int64) int64 {
	if k == 0 {
		return n
	}
	w := weekdayIndex(n)
	if w >= 5 { // counting from a weekend day is counting from the Friday before
		n -= w - 4
		w = 4
	}
	r := n + 7*(k/5) + k%5
	if w+k%5 > 4 {
		r += 2
	}
	return r
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - b*floorDiv(a, b) }
