package rules

import (
	"testing"

	"bdt/rules/calendar"
)

// TestLateNotCountedFromARefusedDate: an event date refused by
// R.ACTIVITY.DATE gives no R.ACTIVITY.LATE warning counted from it.
func TestLateNotCountedFromARefusedDate(t *testing.T) {
	d := Evaluate(actor(), activity(casUsed, StudentAbsent, func(o *ReportActivity) { o.EventDate = calendar.MustDate("2026-01-04") }), state())
	var date, late bool
	for _, f := range d.Findings {
		date = date || f.Rule == RActivityDate
		late = late || f.Rule == RActivityLate
	}
	if !date || late {
		t.Errorf("findings %v: want R.ACTIVITY.DATE and no R.ACTIVITY.LATE", d.Findings)
	}
}
