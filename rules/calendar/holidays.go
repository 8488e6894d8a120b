package calendar

import (
	"slices"
	"sync/atomic"
	"time"
)

// Nation is the UK nation whose bank holidays apply.
//
// Only the three constants below name a calendar of their own; any other
// value, including the empty Nation, means England and Wales.
type Nation string

// Nations with their own bank-holiday calendars.
const (
	EnglandAndWales Nation = "ENGLAND_AND_WALES"
	Scotland        Nation = "SCOTLAND"
	NorthernIreland Nation = "NORTHERN_IRELAND"
)

// Holiday is one bank holiday.
type Holiday struct {
	Date Date
	Name string
}

// Holidays returns the bank holidays of nation n in year, sorted by date.
//
// The dates are the days on which the holidays are observed, as GOV.UK
// publishes them: when a fixed-date holiday falls on a Saturday or Sunday,
// the list holds its substitute weekday (named "... (substitute day)") and
// not the weekend date. Every date returned is a Monday to Friday in year.
//
// An unknown or empty Nation means England and Wales. The caller owns the
// returned slice.
//
// The rules are those in force since 1978, when the early May bank holiday
// began (St Andrew's Day in Scotland from 2007), with the one-off changes by
// royal proclamation: 1995 and 2020 (VE day), 1999 (Millennium), 2002, 2012
// and 2022 (jubilees), 2011 (royal wedding), 2022 (state funeral) and 2023
// (coronation). Earlier years are computed with the same rules and are only
// approximate; later years assume no further one-off changes.
func Holidays(n Nation, year int) []Holiday {
	return slices.Clone(yearOf(n, year).list)
}

// IsHoliday reports whether d is an observed bank holiday of nation n, that
// is, one of the dates Holidays returns for d's year. A weekend date whose
// holiday is moved to a substitute weekday (Christmas Day 2021, a Saturday)
// is not itself reported. An unknown or empty Nation means England and
// Wales.
func IsHoliday(n Nation, d Date) bool {
	t := d.Time()
	return yearOf(n, t.Year()).has(t.YearDay())
}

// calendarIndex maps a Nation to a small index: 0 England and Wales (also
// every unknown Nation), 1 Scotland, 2 Northern Ireland.
func calendarIndex(n Nation) int {
	switch n {
	case Scotland:
		return 1
	case NorthernIreland:
		return 2
	}
	return 0
}

// Holiday names, as GOV.UK writes them (with ASCII apostrophes).
const (
	nameNewYear      = "New Year's Day"
	nameSecondJan    = "2nd January"
	nameGoodFriday   = "Good Friday"
	nameEasterMonday = "Easter Monday"
	nameEarlyMay     = "Early May bank holiday"
	nameSpring       = "Spring bank holiday"
	nameSummer       = "Summer bank holiday"
	nameStPatrick    = "St Patrick's Day"
	nameBoyne        = "Battle of the Boyne (Orangemen's Day)"
	nameStAndrew     = "St Andrew's Day"
	nameChristmas    = "Christmas Day"
	nameBoxing       = "Boxing Day"
	substituteSuffix = " (substitute day)"
)

// oneOff is a change to one year's calendar made by royal proclamation.
// They applied in all three nations.
type oneOff struct {
	year int
	// earlyMay and spring, when not zero, move that year's early May or
	// Spring bank holiday to the given month and day.
	earlyMay, spring monthDay
	// earlyMayName renames a moved early May bank holiday.
	earlyMayName string
	// extra holds additional bank holidays.
	extra []extraDay
}

type monthDay struct {
	month time.Month
	day   int
}

type extraDay struct {
	monthDay
	name string
}

// oneOffs lists the one-off changes since 1978, by year.
var oneOffs = map[int]oneOff{
	// VE day, 50th anniversary: the early May bank holiday moved from 1 May.
	1995: {earlyMay: monthDay{time.May, 8}},
	1999: {extra: []extraDay{{monthDay{time.December, 31}, "Millennium celebrations"}}},
	// Golden Jubilee: the Spring bank holiday moved from 27 May.
	2002: {spring: monthDay{time.June, 4}, extra: []extraDay{{monthDay{time.June, 3}, "Queen's Golden Jubilee"}}},
	2011: {extra: []extraDay{{monthDay{time.April, 29}, "Royal wedding"}}},
	// Diamond Jubilee: the Spring bank holiday moved from 28 May.
	2012: {spring: monthDay{time.June, 4}, extra: []extraDay{{monthDay{time.June, 5}, "Queen's Diamond Jubilee"}}},
	// VE day, 75th anniversary: the early May bank holiday moved from 4 May.
	2020: {earlyMay: monthDay{time.May, 8}, earlyMayName: "Early May bank holiday (VE day)"},
	// Platinum Jubilee: the Spring bank holiday moved from 30 May.
	2022: {spring: monthDay{time.June, 2}, extra: []extraDay{
		{monthDay{time.June, 3}, "Platinum Jubilee bank holiday"},
		{monthDay{time.September, 19}, "Bank Holiday for the State Funeral of Queen Elizabeth II"},
	}},
	2023: {extra: []extraDay{{monthDay{time.May, 8}, "Bank holiday for the coronation of King Charles III"}}},
}

// notProclaimed lists computed substitute days that were never appointed.
// In Scotland no royal proclamation moved 2 January 2010 (a Saturday) or
// 1 January 2011 (a Saturday), so Monday 4 January was not a bank holiday in
// either year (confirmed by the Scottish Government in 2014).
var notProclaimed = map[Date]Nation{
	{2010, time.January, 4}: Scotland,
	{2011, time.January, 4}: Scotland,
}

// computeHolidays works out the observed bank holidays of calendar c (see
// calendarIndex) in year y, sorted by date.
func computeHolidays(c int, y int) []Holiday {
	const (
		ew = 0
		sc = 1
		ni = 2
	)
	var (
		fixed []Holiday // fixed dates, substituted when on a weekend
		moved []Holiday // dates already on a weekday, never substituted
	)
	fix := func(m time.Month, d int, name string) { fixed = append(fixed, Holiday{D(y, m, d), name}) }
	on := func(d Date, name string) { moved = append(moved, Holiday{d, name}) }
	off := oneOffs[y]

	fix(time.January, 1, nameNewYear)
	if c == sc {
		fix(time.January, 2, nameSecondJan)
	}
	if c == ni {
		fix(time.March, 17, nameStPatrick)
	}

	easter := EasterSunday(y)
	on(easter.AddDays(-2), nameGoodFriday)
	if c != sc {
		on(easter.AddDays(1), nameEasterMonday)
	}

	if y >= 1978 {
		name := nameEarlyMay
		if off.earlyMayName != "" {
			name = off.earlyMayName
		}
		if off.earlyMay.month != 0 {
			on(D(y, off.earlyMay.month, off.earlyMay.day), name)
		} else {
			on(nthMonday(y, time.May, 1), name)
		}
	}
	if off.spring.month != 0 {
		on(D(y, off.spring.month, off.spring.day), nameSpring)
	} else {
		on(lastMonday(y, time.May), nameSpring)
	}

	if c == ni {
		fix(time.July, 12, nameBoyne)
	}
	if c == sc {
		on(nthMonday(y, time.August, 1), nameSummer)
	} else {
		on(lastMonday(y, time.August), nameSummer)
	}
	if c == sc && y >= 2007 {
		fix(time.November, 30, nameStAndrew)
	}
	fix(time.December, 25, nameChristmas)
	fix(time.December, 26, nameBoxing)

	for _, e := range off.extra {
		on(D(y, e.month, e.day), e.name)
	}

	// A fixed date on a weekend moves to the first later weekday that is not
	// already a bank holiday, taking the holidays in date order: Christmas
	// on a Saturday moves to Monday 27th and Boxing Day (Sunday) to Tuesday
	// 28th; Christmas on a Sunday moves to Tuesday 27th, as Boxing Day holds
	// Monday 26th.
	var out []Holiday
	taken := map[Date]bool{}
	for _, h := range moved {
		out = append(out, h)
		taken[h.Date] = true
	}
	for _, h := range fixed {
		if !isWeekend(h.Date.Weekday()) {
			out = append(out, h)
			taken[h.Date] = true
		}
	}
	for _, h := range fixed { // fixed is in date order
		if !isWeekend(h.Date.Weekday()) {
			continue
		}
		s := h.Date.AddDays(1)
		for isWeekend(s.Weekday()) || taken[s] {
			s = s.AddDays(1)
		}
		taken[s] = true
		if notProclaimed[s] == nationOf(c) {
			continue
		}
		out = append(out, Holiday{s, h.Name + substituteSuffix})
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// nationOf is the inverse of calendarIndex.
func nationOf(c int) Nation {
	return [...]Nation{EnglandAndWales, Scotland, NorthernIreland}[c]
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

// nthMonday returns the k-th (k >= 1) Monday of month m in year y.
func nthMonday(y int, m time.Month, k int) Date {
	first := D(y, m, 1)
	offset := (int(time.Monday) - int(first.Weekday()) + 7) % 7
	return first.AddDays(offset + 7*(k-1))
}

// lastMonday returns the last Monday of month m in year y.
func lastMonday(y int, m time.Month) Date {
	last := D(y, m+1, 0)
	back := (int(last.Weekday()) - int(time.Monday) + 7) % 7
	return last.AddDays(-back)
}

// EasterSunday returns the date of Easter Sunday in the Gregorian calendar
// in year y (y >= 1), by the anonymous Gregorian algorithm (Meeus, Jones,
// Butcher).
func EasterSunday(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return D(y, time.Month(month), day)
}

// yearCal is one nation's bank holidays in one year, with a bit set of
// their days of the year for quick lookup. It is immutable once built.
type yearCal struct {
	list []Holiday
	days []int64 // day numbers (see dayNumber) of list, in order
	mask [6]uint64
}

func (yc *yearCal) has(yearDay int) bool {
	i := yearDay - 1
	return i >= 0 && i < 6*64 && yc.mask[i/64]&(1<<(i%64)) != 0
}

func newYearCal(c, y int) *yearCal {
	yc := &yearCal{list: computeHolidays(c, y)}
	yc.days = make([]int64, len(yc.list))
	for j, h := range yc.list {
		yc.days[j] = dayNumber(h.Date)
		i := h.Date.Time().YearDay() - 1
		yc.mask[i/64] |= 1 << (i % 64)
	}
	return yc
}

// Years whose calendars are cached after their first use; others are
// computed on every call (a few microseconds).
const (
	cacheFirstYear = 1900
	cacheLastYear  = 2299
)

// cache holds the built calendars, per calendarIndex and year. Entries are
// written at most once per racing caller and never change, so readers need
// no lock.
var cache [3][cacheLastYear - cacheFirstYear + 1]atomic.Pointer[yearCal]

// yearOf returns nation n's calendar for year y, from the cache when it can.
func yearOf(n Nation, y int) *yearCal {
	c := calendarIndex(n)
	if y < cacheFirstYear || y > cacheLastYear {
		return newYearCal(c, y)
	}
	p := &cache[c][y-cacheFirstYear]
	if yc := p.Load(); yc != nil {
		return yc
	}
	yc := newYearCal(c, y)
	if p.CompareAndSwap(nil, yc) {
		return yc
	}
	return p.Load()
}
