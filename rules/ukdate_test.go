package rules

import (
	"testing"
	"time"
	_ "time/tzdata" // the reference for UKDate, whatever the machine has

	"bdt/rules/calendar"
)

// TestUKDate compares UKDate with the time-zone database's Europe/London on
// every half hour around each change of the clocks from 1996 to 2040, and on
// every day at 23:30 and 00:30 UTC of a few years.
func TestUKDate(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	check := func(u time.Time) {
		t.Helper()
		if got, want := UKDate(u), DateOfTime(u.In(london)); got != want {
			t.Fatalf("UKDate(%s) = %s, Europe/London says %s", u.Format(time.RFC3339), got, want)
		}
	}
	for y := 1996; y <= 2040; y++ {
		for _, m := range []time.Month{time.March, time.October} {
			ls := lastSunday(y, m)
			for h := -48; h <= 48; h++ {
				check(ls.Add(time.Duration(h) * 30 * time.Minute))
			}
		}
	}
	for _, y := range []int{2024, 2026, 2027} {
		for day := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == y; day = day.AddDate(0, 0, 1) {
			check(day.Add(23*time.Hour + 30*time.Minute))
			check(day.Add(30 * time.Minute))
		}
	}
	// The instant's own location does not matter.
	ny := time.FixedZone("EST", -5*3600)
	if got := UKDate(time.Date(2026, 3, 15, 21, 0, 0, 0, ny)); got != d("2026-03-16") {
		t.Errorf("UKDate(21:00 EST on 15 March) = %s, want 2026-03-16", got)
	}
}

// DateOfTime is the civil date of t in its location.
func DateOfTime(t time.Time) Date { return calendar.DateOf(t) }
