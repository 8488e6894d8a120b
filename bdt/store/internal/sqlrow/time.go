package sqlrow

import (
	"fmt"
	"time"
)

// TimeLayout writes instants in UTC, RFC 3339 with a fixed nine fraction
// digits, so that their text sorts in time order. Both drivers keep
// instants as text in it.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// FormatTime returns t as a column value in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads an instant a column holds (RFC 3339), in UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q in the database: %w", s, err)
	}
	return t.UTC(), nil
}
