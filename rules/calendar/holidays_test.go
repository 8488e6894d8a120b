package calendar

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// dates turns "YYYY-MM-DD" literals into Dates.
func dates(ss ...string) []Date {
	out := make([]Date, len(ss))
	for i, s := range ss {
		out[i] = MustDate(s)
	}
	return out
}

func holidayDates(hs []Holiday) []Date {
	out := make([]Date, len(hs))
	for i, h := range hs {
		out[i] = h.Date
	}
	return out
}

// The published GOV.UK bank holidays, written out by hand (not computed).
var (
	publishedEnglandAndWales = map[int][]Date{
		2019: dates("2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26"),
		2020: dates("2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"),
		2021: dates("2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"),
		2022: dates("2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"),
		2023: dates("2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"),
		2024: dates("2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"),
		2025: dates("2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"),
		2026: dates("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"),
		2027: dates("2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"),
		// Royal wedding; Christmas on a Sunday.
		2011: dates("2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"),
		// Diamond Jubilee; New Year's Day on a Sunday.
		2012: dates("2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"),
	}

	publishedScotland = map[int][]Date{
		2012: dates("2012-01-02", "2012-01-03", "2012-04-06", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-06", "2012-11-30", "2012-12-25", "2012-12-26"),
		2019: dates("2019-01-01", "2019-01-02", "2019-04-19", "2019-05-06", "2019-05-27", "2019-08-05", "2019-12-02", "2019-12-25", "2019-12-26"),
		2020: dates("2020-01-01", "2020-01-02", "2020-04-10", "2020-05-08", "2020-05-25", "2020-08-03", "2020-11-30", "2020-12-25", "2020-12-28"),
		2021: dates("2021-01-01", "2021-01-04", "2021-04-02", "2021-05-03", "2021-05-31", "2021-08-02", "2021-11-30", "2021-12-27", "2021-12-28"),
		2022: dates("2022-01-03", "2022-01-04", "2022-04-15", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-01", "2022-09-19", "2022-11-30", "2022-12-26", "2022-12-27"),
		2023: dates("2023-01-02", "2023-01-03", "2023-04-07", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-07", "2023-11-30", "2023-12-25", "2023-12-26"),
		2024: dates("2024-01-01", "2024-01-02", "2024-03-29", "2024-05-06", "2024-05-27", "2024-08-05", "2024-12-02", "2024-12-25", "2024-12-26"),
		2025: dates("2025-01-01", "2025-01-02", "2025-04-18", "2025-05-05", "2025-05-26", "2025-08-04", "2025-12-01", "2025-12-25", "2025-12-26"),
		2026: dates("2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-08-03", "2026-11-30", "2026-12-25", "2026-12-28"),
		2027: dates("2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02", "2027-11-30", "2027-12-27", "2027-12-28"),
	}

	// Northern Ireland has England and Wales' days plus these two.
	publishedNorthernIrelandExtra = map[int][]Date{
		2019: dates("2019-03-18", "2019-07-12"),
		2020: dates("2020-03-17", "2020-07-13"),
		2021: dates("2021-03-17", "2021-07-12"),
		2022: dates("2022-03-17", "2022-07-12"),
		2023: dates("2023-03-17", "2023-07-12"),
		2024: dates("2024-03-18", "2024-07-12"),
		2025: dates("2025-03-17", "2025-07-14"),
		2026: dates("2026-03-17", "2026-07-13"),
		2027: dates("2027-03-17", "2027-07-12"),
	}
)

func sortedYears[V any](m map[int]V) []int {
	ys := make([]int, 0, len(m))
	for y := range m {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

func TestHolidaysMatchPublished(t *testing.T) {
	type tc struct {
		nation Nation
		year   int
		want   []Date
	}
	var tests []tc
	for _, y := range sortedYears(publishedEnglandAndWales) {
		tests = append(tests, tc{EnglandAndWales, y, publishedEnglandAndWales[y]})
	}
	for _, y := range sortedYears(publishedScotland) {
		tests = append(tests, tc{Scotland, y, publishedScotland[y]})
	}
	for _, y := range sortedYears(publishedNorthernIrelandExtra) {
		want := slices.Concat(publishedEnglandAndWales[y], publishedNorthernIrelandExtra[y])
		slices.SortFunc(want, Date.Compare)
		tests = append(tests, tc{NorthernIreland, y, want})
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.nation, tt.year), func(t *testing.T) {
			got := holidayDates(Holidays(tt.nation, tt.year))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Holidays(%s, %d)\n got  %v\n want %v", tt.nation, tt.year, got, tt.want)
			}
		})
	}
}

func TestHolidayNames(t *testing.T) {
	tests := []struct {
		nation Nation
		date   string
		want   string
	}{
		{EnglandAndWales, "2021-12-27", "Christmas Day (substitute day)"},
		{EnglandAndWales, "2021-12-28", "Boxing Day (substitute day)"},
		{EnglandAndWales, "2022-12-26", "Boxing Day"},
		{EnglandAndWales, "2022-12-27", "Christmas Day (substitute day)"},
		{EnglandAndWales, "2022-01-03", "New Year's Day (substitute day)"},
		{EnglandAndWales, "2023-01-02", "New Year's Day (substitute day)"},
		{EnglandAndWales, "2020-12-28", "Boxing Day (substitute day)"},
		{EnglandAndWales, "2025-04-18", "Good Friday"},
		{EnglandAndWales, "2025-04-21", "Easter Monday"},
		{EnglandAndWales, "2025-05-05", "Early May bank holiday"},
		{EnglandAndWales, "2025-05-26", "Spring bank holiday"},
		{EnglandAndWales, "2025-08-25", "Summer bank holiday"},
		{EnglandAndWales, "2020-05-08", "Early May bank holiday (VE day)"},
		{EnglandAndWales, "2022-06-02", "Spring bank holiday"},
		{EnglandAndWales, "2022-06-03", "Platinum Jubilee bank holiday"},
		{Scotland, "2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"},
		{NorthernIreland, "2023-05-08", "Bank holiday for the coronation of King Charles III"},
		{Scotland, "2025-01-02", "2nd January"},
		{Scotland, "2025-08-04", "Summer bank holiday"},
		{Scotland, "2025-12-01", "St Andrew's Day (substitute day)"},
		{Scotland, "2026-11-30", "St Andrew's Day"},
		{Scotland, "2021-01-04", "2nd January (substitute day)"},
		{NorthernIreland, "2025-03-17", "St Patrick's Day"},
		{NorthernIreland, "2024-03-18", "St Patrick's Day (substitute day)"},
		{NorthernIreland, "2026-07-13", "Battle of the Boyne (Orangemen's Day) (substitute day)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.nation, tt.date), func(t *testing.T) {
			d := MustDate(tt.date)
			var got []string
			for _, h := range Holidays(tt.nation, d.Year) {
				if h.Date == d {
					got = append(got, h.Name)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("holidays of %s on %s = %q, want [%q]", tt.nation, tt.date, got, tt.want)
			}
		})
	}
}

func TestIsHoliday(t *testing.T) {
	tests := []struct {
		name   string
		nation Nation
		date   string
		want   bool
	}{
		{"Christmas on a Saturday is not itself observed", EnglandAndWales, "2021-12-25", false},
		{"Christmas substitute", EnglandAndWales, "2021-12-27", true},
		{"ordinary Monday", EnglandAndWales, "2025-06-16", false},
		{"2 January is Scottish only", EnglandAndWales, "2025-01-02", false},
		{"2 January in Scotland", Scotland, "2025-01-02", true},
		{"Easter Monday not in Scotland", Scotland, "2025-04-21", false},
		{"Easter Monday in Northern Ireland", NorthernIreland, "2025-04-21", true},
		{"last Monday of August not in Scotland", Scotland, "2025-08-25", false},
		{"first Monday of August not in England", EnglandAndWales, "2025-08-04", false},
		{"St Andrew's Day on a Sunday", Scotland, "2025-11-30", false},
		{"St Andrew's Day substitute", Scotland, "2025-12-01", true},
		{"St Andrew's Day not in England", EnglandAndWales, "2026-11-30", false},
		{"St Andrew's Day before the 2007 Act", Scotland, "2006-11-30", false},
		{"first St Andrew's Day bank holiday", Scotland, "2007-11-30", true},
		{"St Patrick's Day not in England", EnglandAndWales, "2025-03-17", false},
		{"Boyne on a Sunday", NorthernIreland, "2026-07-12", false},
		{"Boyne substitute", NorthernIreland, "2026-07-13", true},
		{"2020 early May moved away from 4 May", EnglandAndWales, "2020-05-04", false},
		{"2020 early May moved away from 4 May, Scotland", Scotland, "2020-05-04", false},
		{"2022 Spring moved away from 30 May", Scotland, "2022-05-30", false},
		{"2012 Spring moved away from 28 May", EnglandAndWales, "2012-05-28", false},
		{"2012 Spring moved away from 28 May, Scotland", Scotland, "2012-05-28", false},
		{"royal wedding 2011, Scotland", Scotland, "2011-04-29", true},
		{"royal wedding 2011, Northern Ireland", NorthernIreland, "2011-04-29", true},
		{"2002 Spring moved away from 27 May", EnglandAndWales, "2002-05-27", false},
		{"2002 Golden Jubilee", EnglandAndWales, "2002-06-03", true},
		{"2002 Spring moved to 4 June", EnglandAndWales, "2002-06-04", true},
		{"1999 Millennium", Scotland, "1999-12-31", true},
		{"1995 VE day", EnglandAndWales, "1995-05-08", true},
		{"1995 early May moved away from 1 May", EnglandAndWales, "1995-05-01", false},
		{"no early May holiday before 1978", EnglandAndWales, "1977-05-02", false},
		{"first early May holiday", EnglandAndWales, "1978-05-01", true},
		{"Scotland 4 January 2010 not proclaimed", Scotland, "2010-01-04", false},
		{"Scotland 4 January 2011 not proclaimed", Scotland, "2011-01-04", false},
		{"Scotland 3 January 2011", Scotland, "2011-01-03", true},
		{"England 4 January 2010 never a holiday", EnglandAndWales, "2010-01-04", false},
		{"far future Christmas (outside cache)", EnglandAndWales, "2400-12-25", true},
		{"far past Christmas (outside cache)", EnglandAndWales, "1850-12-25", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsHoliday(tt.nation, MustDate(tt.date)); got != tt.want {
				t.Errorf("IsHoliday(%s, %s) = %v, want %v", tt.nation, tt.date, got, tt.want)
			}
		})
	}
}

func TestUnknownNationIsEnglandAndWales(t *testing.T) {
	for _, n := range []Nation{"", "WALES", "scotland", "Northern Ireland", "GB"} {
		for _, y := range []int{2021, 2022, 2025, 2026} {
			got, want := Holidays(n, y), Holidays(EnglandAndWales, y)
			if !slices.Equal(got, want) {
				t.Errorf("Holidays(%q, %d) = %v, want England and Wales' %v", n, y, got, want)
			}
		}
		if !IsHoliday(n, MustDate("2025-04-21")) || IsHoliday(n, MustDate("2025-01-02")) {
			t.Errorf("IsHoliday(%q, ...) does not follow England and Wales", n)
		}
	}
}

func TestHolidaysReturnsACopy(t *testing.T) {
	h := Holidays(EnglandAndWales, 2025)
	h[0] = Holiday{MustDate("2025-06-16"), "mine"}
	if got := Holidays(EnglandAndWales, 2025)[0]; got.Date != MustDate("2025-01-01") || got.Name != nameNewYear {
		t.Errorf("changing a returned slice changed the calendar: first holiday now %v", got)
	}
	if IsHoliday(EnglandAndWales, MustDate("2025-06-16")) {
		t.Error("changing a returned slice changed IsHoliday")
	}
}

// TestHolidaysInvariants checks every year across and beyond the cached
// range: dates sorted, distinct, Monday to Friday, within the year, a
// plausible count, and IsHoliday true on exactly those days.
func TestHolidaysInvariants(t *testing.T) {
	bounds := map[Nation][2]int{EnglandAndWales: {7, 10}, Scotland: {7, 11}, NorthernIreland: {9, 12}}
	for _, n := range []Nation{EnglandAndWales, Scotland, NorthernIreland} {
		for y := cacheFirstYear - 20; y <= cacheLastYear+20; y++ {
			hs := Holidays(n, y)
			if len(hs) < bounds[n][0] || len(hs) > bounds[n][1] {
				t.Errorf("%s %d: %d holidays, want %d..%d: %v", n, y, len(hs), bounds[n][0], bounds[n][1], hs)
			}
			in := map[Date]bool{}
			for i, h := range hs {
				if h.Date.Year != y {
					t.Errorf("%s %d: %v is outside the year", n, y, h)
				}
				if isWeekend(h.Date.Weekday()) {
					t.Errorf("%s %d: %v falls on a %v", n, y, h, h.Date.Weekday())
				}
				if i > 0 && !hs[i-1].Date.Before(h.Date) {
					t.Errorf("%s %d: %v then %v: not sorted and distinct", n, y, hs[i-1], h)
				}
				if h.Name == "" {
					t.Errorf("%s %d: %v has no name", n, y, h)
				}
				in[h.Date] = true
			}
			for d := D(y, time.January, 1); d.Year == y; d = d.AddDays(1) {
				if got := IsHoliday(n, d); got != in[d] {
					t.Errorf("IsHoliday(%s, %s) = %v, but Holidays lists it: %v", n, d, got, in[d])
				}
			}
		}
	}
}

func TestEasterSunday(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2019, "2019-04-21"}, {2020, "2020-04-12"}, {2021, "2021-04-04"},
		{2022, "2022-04-17"}, {2023, "2023-04-09"}, {2024, "2024-03-31"},
		{2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"},
		{2000, "2000-04-23"}, {2008, "2008-03-23"}, {2011, "2011-04-24"},
		{2038, "2038-04-25"}, {1943, "1943-04-25"}, {1818, "1818-03-22"},
		{2285, "2285-03-22"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.year), func(t *testing.T) {
			if got := EasterSunday(tt.year); got != MustDate(tt.want) {
				t.Errorf("EasterSunday(%d) = %s, want %s", tt.year, got, tt.want)
			}
		})
	}
	for y := 1583; y <= 4099; y++ {
		e := EasterSunday(y)
		if e.Weekday() != time.Sunday || e.Year != y || e.Before(D(y, time.March, 22)) || e.After(D(y, time.April, 25)) {
			t.Fatalf("EasterSunday(%d) = %s (%v): not a Sunday from 22 March to 25 April", y, e, e.Weekday())
		}
	}
}

// resetCache empties the calendar cache so a test can race to fill it.
func resetCache() {
	for c := range cache {
		for i := range cache[c] {
			cache[c][i].Store(nil)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	nations := []Nation{EnglandAndWales, Scotland, NorthernIreland}
	want := map[Nation]map[int][]Holiday{}
	for _, n := range nations {
		want[n] = map[int][]Holiday{}
		for y := 2000; y < 2040; y++ {
			want[n][y] = computeHolidays(calendarIndex(n), y)
		}
	}
	resetCache()
	t.Cleanup(resetCache)

	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				n := nations[(g+i)%3]
				y := 2000 + (i*7+g)%40
				if got := Holidays(n, y); !slices.Equal(got, want[n][y]) {
					errs <- fmt.Sprintf("Holidays(%s, %d) = %v, want %v", n, y, got, want[n][y])
					return
				}
				d := want[n][y][i%len(want[n][y])].Date
				if !IsHoliday(n, d) || IsWorkingDay(n, d) {
					errs <- fmt.Sprintf("%s %s: not a holiday under concurrent use", n, d)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var msgs []string
	for e := range errs {
		msgs = append(msgs, e)
	}
	if len(msgs) > 0 {
		t.Error(strings.Join(msgs, "\n"))
	}
}

func BenchmarkIsWorkingDay(b *testing.B) {
	d := MustDate("2025-12-19")
	for i := 0; b.Loop(); i++ {
		IsWorkingDay(Scotland, d.AddDays(i%400))
	}
}

func BenchmarkHolidaysUncached(b *testing.B) {
	for b.Loop() {
		computeHolidays(1, 2025)
	}
}
