package calendar_test

import (
	"fmt"

	"bdt/rules/calendar"
)

func ExampleDeadline() {
	// A worker stopped working on Friday 19 December 2025. The report is due
	// within 10 working days; Christmas Day, Boxing Day and New Year's Day
	// do not count, and in Scotland neither does 2 January.
	event := calendar.MustDate("2025-12-19")
	fmt.Println(calendar.Deadline(calendar.EnglandAndWales, event, 10))
	fmt.Println(calendar.Deadline(calendar.Scotland, event, 10))

	// A report made on 12 January 2026 in England is this many working days late:
	deadline := calendar.Deadline(calendar.EnglandAndWales, event, 10)
	fmt.Println(calendar.WorkingDaysBetween(calendar.EnglandAndWales, deadline, calendar.MustDate("2026-01-12")))
	// Output:
	// 2026-01-07
	// 2026-01-08
	// 3
}

func ExampleHolidays() {
	for _, h := range calendar.Holidays(calendar.Scotland, 2025) {
		fmt.Println(h.Date, h.Name)
	}
	// Output:
	// 2025-01-01 New Year's Day
	// 2025-01-02 2nd January
	// 2025-04-18 Good Friday
	// 2025-05-05 Early May bank holiday
	// 2025-05-26 Spring bank holiday
	// 2025-08-04 Summer bank holiday
	// 2025-12-01 St Andrew's Day (substitute day)
	// 2025-12-25 Christmas Day
	// 2025-12-26 Boxing Day
}

func ExampleAddWorkingDays() {
	// Christmas 2021 fell on a Saturday: the bank holidays were Monday 27
	// and Tuesday 28 December.
	fmt.Println(calendar.AddWorkingDays(calendar.EnglandAndWales, calendar.MustDate("2021-12-24"), 1))
	// Output: 2021-12-29
}
