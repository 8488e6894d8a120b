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
// sqlrow.Fees. The values read are allocated together, once, not one
// allocation each: this runs for every certificate the rules read.
func feesOf(v []jvalue) sqlrow.Fees {
	var b *feeValues
	block := func() *feeValues {
		if b == nil {
			b = new(feeValues)
		}
		return b
	}
	money := func(x jvalue, i int) *int64 {
		if x.Null {
			return nil
		}
		p := &block().m[i]
		*p = x.N
		return p
	}
	f := sqlrow.Fees{FirstYear: money(v[0], 0), Paid: money(v[1], 1), Boarding: money(v[2], 2), Accommodation: money(v[4], 3)}
	if !v[3].Null {
		p := &block().inc
		*p = v[3].N != 0
		f.Includes = p
	}
	return f
}

// feeValues holds the values the Fees feesOf returns point to.
type feeValues struct {
	m   [4]int64
	inc bool
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
