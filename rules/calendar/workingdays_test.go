package calendar

import (
	"fmt"
	"testing"
)

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		nation Nation
		date   string
		want   bool
	}{
		{EnglandAndWales, "2025-06-13", true},  // Friday
		{EnglandAndWales, "2025-06-14", false}, // Saturday
		{EnglandAndWales, "2025-06-15", false}, // Sunday
		{EnglandAndWales, "2025-06-16", true},  // Monday
		{EnglandAndWales, "2021-12-25", false}, // Christmas, a Saturday
		{EnglandAndWales, "2021-12-27", false}, // its substitute
		{EnglandAndWales, "2025-04-21", false}, // Easter Monday
		{Scotland, "2025-04-21", true},         // not a holiday in Scotland
		{Scotland, "2025-01-02", false},
		{EnglandAndWales, "2025-01-02", true},
		{NorthernIreland, "2026-07-13", false},
		{EnglandAndWales, "2026-07-13", true},
		{"", "2025-04-21", false}, // empty Nation is England and Wales
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.nation, tt.date), func(t *testing.T) {
			if got := IsWorkingDay(tt.nation, MustDate(tt.date)); got != tt.want {
				t.Errorf("IsWorkingDay(%q, %s) = %v, want %v", tt.nation, tt.date, got, tt.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	tests := []struct {
		name   string
		nation Nation
		from   string
		k      int
		want   string
	}{
		{"zero from a weekday", EnglandAndWales, "2025-06-11", 0, "2025-06-11"},
		{"zero from a Saturday is the Saturday", EnglandAndWales, "2025-06-14", 0, "2025-06-14"},
		{"zero from a holiday is the holiday", EnglandAndWales, "2025-12-25", 0, "2025-12-25"},
		{"Friday plus one is Monday", EnglandAndWales, "2025-06-13", 1, "2025-06-16"},
		{"Saturday plus one is Monday", EnglandAndWales, "2025-06-14", 1, "2025-06-16"},
		{"Sunday plus five is Friday", EnglandAndWales, "2025-06-15", 5, "2025-06-20"},
		{"Monday plus five is next Monday", EnglandAndWales, "2025-06-16", 5, "2025-06-23"},
		{"Christmas and New Year", EnglandAndWales, "2025-12-19", 10, "2026-01-07"},
		{"Christmas and New Year, Scotland's 2 January", Scotland, "2025-12-19", 10, "2026-01-08"},
		{"Christmas and New Year, Northern Ireland", NorthernIreland, "2025-12-19", 10, "2026-01-07"},
		{"Easter", EnglandAndWales, "2025-04-17", 10, "2025-05-06"},
		{"Easter, Scotland works Easter Monday", Scotland, "2025-04-17", 10, "2025-05-02"},
		{"Easter, Northern Ireland", NorthernIreland, "2025-04-17", 10, "2025-05-06"},
		{"Christmas substitutes 2021", EnglandAndWales, "2021-12-24", 1, "2021-12-29"},
		{"Christmas substitutes 2022", EnglandAndWales, "2022-12-23", 1, "2022-12-28"},
		{"New Year substitute 2023", EnglandAndWales, "2022-12-30", 1, "2023-01-03"},
		{"New Year substitutes 2023, Scotland", Scotland, "2022-12-30", 1, "2023-01-04"},
		{"Platinum Jubilee", EnglandAndWales, "2022-05-27", 5, "2022-06-07"},
		{"St Andrew's Day substitute", Scotland, "2025-11-28", 1, "2025-12-02"},
		{"St Andrew's Day is not English", EnglandAndWales, "2025-11-28", 1, "2025-12-01"},
		{"Boyne substitute", NorthernIreland, "2026-07-10", 1, "2026-07-14"},
		{"Boyne is not English", EnglandAndWales, "2026-07-10", 1, "2026-07-13"},
		{"a whole year", EnglandAndWales, "2024-12-31", 253, "2025-12-31"},
		{"a whole year, Scotland", Scotland, "2024-12-31", 252, "2025-12-31"},
		{"a whole year, Northern Ireland", NorthernIreland, "2024-12-31", 251, "2025-12-31"},
		{"Millennium", EnglandAndWales, "1999-12-30", 1, "2000-01-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := MustDate(tt.from)
			got := AddWorkingDays(tt.nation, from, tt.k)
			if got != MustDate(tt.want) {
				t.Errorf("AddWorkingDays(%s, %s, %d) = %s, want %s", tt.nation, tt.from, tt.k, got, tt.want)
			}
			if n := WorkingDaysBetween(tt.nation, from, got); n != tt.k {
				t.Errorf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", tt.nation, tt.from, got, n, tt.k)
			}
		})
	}
}

func TestAddWorkingDaysNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AddWorkingDays with k = -1 did not panic")
		}
	}()
	AddWorkingDays(EnglandAndWales, MustDate("2025-06-16"), -1)
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		name     string
		nation   Nation
		from, to string
		want     int
	}{
		{"same day", EnglandAndWales, "2025-06-16", "2025-06-16", 0},
		{"backwards", EnglandAndWales, "2025-06-20", "2025-06-16", 0},
		{"Friday to Monday", EnglandAndWales, "2025-06-13", "2025-06-16", 1},
		{"a weekend", EnglandAndWales, "2025-06-13", "2025-06-15", 0},
		{"Saturday to Sunday", EnglandAndWales, "2025-06-14", "2025-06-15", 0},
		{"a week", EnglandAndWales, "2025-06-16", "2025-06-23", 5},
		{"Christmas Eve to Boxing Day", EnglandAndWales, "2025-12-24", "2025-12-26", 0},
		{"to the deadline", EnglandAndWales, "2025-12-19", "2026-01-07", 10},
		{"one day late", EnglandAndWales, "2026-01-07", "2026-01-08", 1},
		{"late across a weekend", EnglandAndWales, "2026-01-07", "2026-01-12", 3},
		{"Easter week", EnglandAndWales, "2025-04-17", "2025-04-22", 1},
		{"Easter week, Scotland", Scotland, "2025-04-17", "2025-04-22", 2},
		{"2025", EnglandAndWales, "2024-12-31", "2025-12-31", 253},
		{"2025, Scotland", Scotland, "2024-12-31", "2025-12-31", 252},
		{"2025, Northern Ireland", NorthernIreland, "2024-12-31", "2025-12-31", 251},
		{"2026", EnglandAndWales, "2025-12-31", "2026-12-31", 253},
		{"2022 with its extra days", EnglandAndWales, "2021-12-31", "2022-12-31", 250},
		{"2022, Scotland", Scotland, "2021-12-31", "2022-12-31", 249},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WorkingDaysBetween(tt.nation, MustDate(tt.from), MustDate(tt.to)); got != tt.want {
				t.Errorf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", tt.nation, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		nation Nation
		event  string
		days   int
		want   string
	}{
		{EnglandAndWales, "2025-12-19", 10, "2026-01-07"},
		{Scotland, "2025-12-19", 10, "2026-01-08"},
		{EnglandAndWales, "2025-04-17", 10, "2025-05-06"},
		{EnglandAndWales, "2025-06-16", 20, "2025-07-14"}, // organisation changes
		{"", "2025-06-14", 10, "2025-06-27"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%d", tt.nation, tt.event, tt.days), func(t *testing.T) {
			if got := Deadline(tt.nation, MustDate(tt.event), tt.days); got != MustDate(tt.want) {
				t.Errorf("Deadline(%q, %s, %d) = %s, want %s", tt.nation, tt.event, tt.days, got, tt.want)
			}
		})
	}
}

// addWorkingDaysByHand is AddWorkingDays done one day at a time.
func addWorkingDaysByHand(n Nation, d Date, k int) Date {
	for k > 0 {
		d = d.AddDays(1)
		if IsWorkingDay(n, d) {
			k--
		}
	}
	return d
}

// workingDaysBetweenByHand is WorkingDaysBetween done one day at a time.
func workingDaysBetweenByHand(n Nation, from, to Date) int {
	count := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if IsWorkingDay(n, d) {
			count++
		}
	}
	return count
}

func TestWorkingDayArithmeticMatchesDayByDay(t *testing.T) {
	for _, n := range []Nation{EnglandAndWales, Scotland, NorthernIreland} {
		for d := MustDate("2018-12-01"); d.Before(MustDate("2028-01-01")); d = d.AddDays(1) {
			for _, k := range []int{0, 1, 2, 4, 5, 6, 10, 20, 61} {
				want := addWorkingDaysByHand(n, d, k)
				if got := AddWorkingDays(n, d, k); got != want {
					t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, want %s", n, d, k, got, want)
				}
			}
			for _, span := range []int{-3, 0, 1, 2, 3, 7, 12, 40} {
				to := d.AddDays(span)
				want := workingDaysBetweenByHand(n, d, to)
				if got := WorkingDaysBetween(n, d, to); got != want {
					t.Fatalf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", n, d, to, got, want)
				}
			}
		}
	}
}

func FuzzAddWorkingDaysInverse(f *testing.F) {
	f.Add(uint8(0), int32(9484), uint16(10))  // 2025-12-19
	f.Add(uint8(1), int32(9484), uint16(10))  // Scotland
	f.Add(uint8(2), int32(9598), uint16(400)) // 2026-04-12
	f.Add(uint8(3), int32(-25000), uint16(0))
	f.Add(uint8(0), int32(8030), uint16(253)) // 2021-12-25, a Saturday
	f.Fuzz(func(t *testing.T, nation uint8, offset int32, k16 uint16) {
		n := []Nation{EnglandAndWales, Scotland, NorthernIreland, ""}[nation%4]
		d := MustDate("2000-01-01").AddDays(int(offset % 60000)) // about 1836 to 2164
		k := int(k16 % 401)

		got := AddWorkingDays(n, d, k)
		if back := WorkingDaysBetween(n, d, got); back != k {
			t.Fatalf("WorkingDaysBetween(%s, %s, AddWorkingDays(.., %d) = %s) = %d, want %d", n, d, k, got, back, k)
		}
		if k == 0 {
			if got != d {
				t.Fatalf("AddWorkingDays(%s, %s, 0) = %s, want %s", n, d, got, d)
			}
			return
		}
		if !IsWorkingDay(n, got) {
			t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, not a working day", n, d, k, got)
		}
		if want := addWorkingDaysByHand(n, d, k); got != want {
			t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, day by day %s", n, d, k, got, want)
		}
		if before := WorkingDaysBetween(n, d, got.AddDays(-1)); before != k-1 {
			t.Fatalf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", n, d, got.AddDays(-1), before, k-1)
		}
	})
}

func TestDayNumbers(t *testing.T) {
	tests := []struct {
		date string
		want int64
	}{
		{"1970-01-01", 0},
		{"1970-01-02", 1},
		{"1969-12-31", -1},
		{"2000-01-01", 10957},
		{"1900-01-01", -25567},
	}
	for _, tt := range tests {
		if got := dayNumber(MustDate(tt.date)); got != tt.want {
			t.Errorf("dayNumber(%s) = %d, want %d", tt.date, got, tt.want)
		}
	}
	for n := int64(-80000); n <= 80000; n += 7 {
		d := dateOfDayNumber(n)
		if back := dayNumber(d); back != n {
			t.Fatalf("dayNumber(dateOfDayNumber(%d) = %s) = %d", n, d, back)
		}
		if got, want := weekdayIndex(n), (int64(d.Weekday())+6)%7; got != want {
			t.Fatalf("weekdayIndex(%d) (%s, a %v) = %d, want %d", n, d, d.Weekday(), got, want)
		}
	}
}

func TestAddWeekdays(t *testing.T) {
	for n := int64(-30); n <= 30; n++ {
		for k := int64(0); k <= 30; k++ {
			want, left := n, k
			for left > 0 {
				want++
				if weekdayIndex(want) < 5 {
					left--
				}
			}
			if got := addWeekdays(n, k); got != want {
				t.Fatalf("addWeekdays(%d (%v), %d) = %d, want %d", n, dateOfDayNumber(n).Weekday(), k, got, want)
			}
			if k > 0 {
				if got := weekdaysThrough(want) - weekdaysThrough(n); got != k {
					t.Fatalf("weekdays in (%d, %d] = %d, want %d", n, want, got, k)
				}
			}
		}
	}
}

func BenchmarkDeadline(b *testing.B) {
	d := MustDate("2025-12-19")
	for i := 0; b.Loop(); i++ {
		Deadline(EnglandAndWales, d.AddDays(i%400), 10)
	}
}
