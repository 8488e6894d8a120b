package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"bdt/rules"
	"bdt/rules/calendar"
)

// dateArg is a civil date as a column value: YYYY-MM-DD, or NULL when zero.
func dateArg(d rules.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// dates parses date columns, keeping the first error.
type dates struct{ err error }

func (d *dates) parse(s sql.NullString) rules.Date {
	if !s.Valid || d.err != nil {
		return rules.Date{}
	}
	v, err := calendar.ParseDate(s.String)
	if err != nil {
		d.err = fmt.Errorf("bad date in the database: %w", err)
	}
	return v
}

// nullString is s as a column value, NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func moneyArg(m *rules.Money) any {
	if m == nil {
		return nil
	}
	return int64(*m)
}

func boolArg(b *bool) any {
	if b == nil {
		return nil
	}
	if *b {
		return 1
	}
	return 0
}

// fees scans the five nullable fee columns.
type fees struct {
	firstYear, paid, boarding, includes, accommodation sql.NullInt64
}

func (f fees) model() rules.Fees {
	money := func(n sql.NullInt64) *rules.Money {
		if !n.Valid {
			return nil
		}
		m := rules.Money(n.Int64)
		return &m
	}
	var includes *bool
	if f.includes.Valid {
		b := f.includes.Int64 != 0
		includes = &b
	}
	return rules.Fees{
		CourseFeesFirstYear:   money(f.firstYear),
		CourseFeesPaid:        money(f.paid),
		BoardingFeesPaid:      money(f.boarding),
		IncludesAccommodation: includes,
		AccommodationFeesPaid: money(f.accommodation),
	}
}

// feeArgs are the five fee columns' values, in the order of fees.
func feeArgs(f rules.Fees) []any {
	return []any{moneyArg(f.CourseFeesFirstYear), moneyArg(f.CourseFeesPaid), moneyArg(f.BoardingFeesPaid),
		boolArg(f.IncludesAccommodation), moneyArg(f.AccommodationFeesPaid)}
}

// jsonArray encodes a set of keys as one parameter, read back in SQL with
// json_each: one query for any number of keys.
func jsonArray(keys []string) (string, error) {
	b, err := json.Marshal(keys)
	if err != nil {
		return "", fmt.Errorf("sqlite: %w", err)
	}
	return string(b), nil
}
