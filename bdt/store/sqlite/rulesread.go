package sqlite

import (
	"context"
	"fmt"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// CertificatesForRules implements store.Reader: the certificate rows, and
// of their histories only the last seq of each (which a later Apply appends
// after) and, when asked, the activity reports. Without activity reports the
// whole set comes as one JSON value in one row: a row of 29 columns costs
// 29 calls from Go into SQLite and as many conversions in database/sql, the
// one value a single call and a scan in Go (~3 times faster in all).
func (r reader) CertificatesForRules(ctx context.Context, p store.CertificatesForRulesParams) (map[string]*rules.Certificate, error) {
	decode, err := r.certificatesForRules(ctx, p)
	if err != nil {
		return nil, err
	}
	return decode()
}

// CertificatesForRulesSplit implements store.CertificatesForRulesSplitter:
// the statement now, on the transaction; the decoding of its JSON (as long
// as the statement) whenever decode is called, on any goroutine. The last
// seqs of the fee histories come apart, as pairs [number, seq], and the
// transaction takes them before it returns.
func (t *tx) CertificatesForRulesSplit(ctx context.Context, p store.CertificatesForRulesParams) (func() (map[string]*rules.Certificate, error), error) {
	return t.certificatesForRules(ctx, p)
}

func (r reader) certificatesForRules(ctx context.Context, p store.CertificatesForRulesParams) (func() (map[string]*rules.Certificate, error), error) {
	done := func(m map[string]*rules.Certificate) func() (map[string]*rules.Certificate, error) {
		return func() (map[string]*rules.Certificate, error) { return m, nil }
	}
	if len(p.Numbers) == 0 {
		return done(map[string]*rules.Certificate{}), nil
	}
	set, err := jsonArray(p.Numbers)
	if err != nil {
		return nil, err
	}
	if p.Activity {
		list, err := r.certificates(ctx, lastSeqActivityColumns, `WHERE number IN (SELECT value FROM json_each(?))`, set)
		if err != nil {
			return nil, err
		}
		out := make(map[string]*rules.Certificate, len(list))
		for _, c := range list {
			out[c.Number] = c
		}
		return done(out), nil
	}
	query, width, fromJSON := certsForRules, certWidth, certFromJSON
	if p.Brief {
		query, width, fromJSON = briefsForRules, briefWidth, briefFromJSON
	}
	var text, seqs string
	if err := r.q.QueryRowContext(ctx, query, set).Scan(&text, &seqs); err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	if err := jsonRows(seqs, 2, func(v []jvalue) error {
		r.seqs.remember(v[0].S, [3]int64{-1, v[1].N, -1})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	return func() (map[string]*rules.Certificate, error) {
		out := make(map[string]*rules.Certificate, len(p.Numbers))
		err := jsonRows(text, width, func(v []jvalue) error {
			c, err := fromJSON(v)
			if err != nil {
				return err
			}
			out[c.Number] = c
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sqlite: read certificates: %w", err)
		}
		return out, nil
	}, nil
}

// certsForRules and briefsForRules read certificates for the rules without
// their activity: the certificates (sqlrow.CertColumns, or sqlrow.BriefColumns) as
// one JSON value, and the last seq of their fee histories as another, pairs
// [number, seq]. A value fewer is work saved twice: SQLite writes each
// value's JSON, the decoder reads it.
var (
	certsForRules  = forRulesSQL(sqlrow.CertColumns)
	briefsForRules = forRulesSQL(sqlrow.BriefColumns)
)

func forRulesSQL(columns string) string {
	return `SELECT json_group_array(json_array(` + columns + `)), json_group_array(json_array(number, fee_seq))
		FROM (SELECT c.*, (SELECT coalesce(max(seq), 0) FROM fee_change h WHERE h.number = c.number) AS fee_seq
			FROM certificate c WHERE number IN (SELECT value FROM json_each(?)))`
}

// lastSeqActivityColumns are three values more for a certificate: the last
// seq of its status and fee histories as far as the changes the rules may
// decide need them (-1: not read, see seqCache), and its activity reports
// (as historyColumns has them). A read without the reports takes the fee
// history's last seq instead, the only other bulk change with a history,
// one look-up in its primary key.
const (
	lastSeqActivityColumns = `,
	-1,
	-1,
	(SELECT json_group_array(json_array(seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late))
		FROM activity_report h WHERE h.number = c.number)`
)

// briefWidth is the number of sqlrow.BriefColumns.
const briefWidth = 12

// briefFromJSON makes the brief of a certificate (rules.Brief) of the
// sqlrow.BriefColumns values v.
func briefFromJSON(v []jvalue) (*rules.Certificate, error) {
	c := &rules.Certificate{Number: v[0].S, Kind: rules.CertKind(v[1].S), Sponsor: v[2].S, Status: rules.CertStatus(v[3].S),
		Owner: v[4].S, Person: rules.Person{FamilyName: v[5].S}}
	var d dates
	c.Person.DateOfBirth = d.parse(v[6].NullString())
	c.Fees = feesOf(v[7:12]).Model()
	if d.err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, d.err)
	}
	return c, nil
}

// certFromRow decodes a certificate read as one JSON array of the
