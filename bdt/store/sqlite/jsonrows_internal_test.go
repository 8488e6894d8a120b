package sqlite

import (
	"testing"

	"bdt/rules"
)

// Histories that do not come in order of seq are put in order.
func TestHistoryOrder(t *testing.T) {
	var c rules.Certificate
	text := `[[3,"USED","2026-01-03T00:00:00Z","","c"],[1,"WORK_IN_PROGRESS","2026-01-01T00:00:00Z","","a"],[2,"ASSIGNED","2026-01-02T00:00:00Z","","b"]]`
	last, err := statusHistory(&c, text)
	if err != nil || last != 3 {
		t.Fatalf("last %d, %v", last, err)
	}
	var got string
	for _, sc := range c.StatusHistory {
		got += sc.Reason
	}
	if got != "abc" {
		t.Errorf("order %q; want abc", got)
	}
}
