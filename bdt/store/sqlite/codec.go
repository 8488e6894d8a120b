package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
	"bdt/rules/calendar"
)

// values writes column values as SQLite keeps them: dates as YYYY-MM-DD
// text, booleans as 0 or 1.
var values = sqlrow.Values{
	Date: func(d rules.Date) any { return d.String() },
	Bool: func(b bool) any {
		if b {
			return 1
		}
		return 0
	},
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

// feesOf reads the five fee columns of v, JSON values in the order of
// sqlrow.Fees.
func feesOf(v []jvalue) sqlrow.Fees {
	money := func(x jvalue) *int64 {
		if x.Null {
			return nil
		}
		n := x.N
		return &n
	}
	f := sqlrow.Fees{FirstYear: money(v[0]), Paid: money(v[1]), Boarding: money(v[2]), Accommodation: money(v[4])}
	if !v[3].Null {
		b := v[3].N != 0
		f.Includes = &b
	}
	return f
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
