package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// querier is what reads and writes run on: a *sql.Tx (the driver never
// reads outside a transaction).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader implements store.Reader on a querier; Store runs it in a read-only
// snapshot, tx on its own transaction (with seqs set).
type reader struct {
	q    querier
	seqs *seqCache // nil outside a read-write transaction
}

// routeOrder orders a sponsor's routes as rules declares them.
const routeOrder = `CASE route WHEN 'STUDENT' THEN 1 WHEN 'WORKER' THEN 2 WHEN 'TEMPORARY_WORKER' THEN 3 END`

func (r reader) Sponsor(ctx context.Context, licence string) (*rules.Sponsor, error) {
	return sqlrow.First(r.sponsors(ctx, `WHERE licence = ?`, licence))
}

func (r reader) SponsorList(ctx context.Context) ([]*rules.Sponsor, error) {
	return r.sponsors(ctx, ``)
}

// sponsors reads the sponsors the where clause selects, with their routes,
// ordered by licence, in two queries.
func (r reader) sponsors(ctx context.Context, where string, args ...any) ([]*rules.Sponsor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT licence, name, status, nation FROM sponsor `+where+` ORDER BY licence`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read sponsors: %w", err)
	}
	var out []*rules.Sponsor
	byLicence := map[string]*rules.Sponsor{}
	for rows.Next() {
		s := new(rules.Sponsor)
		if err := rows.Scan(&s.Licence, &s.Name, &s.Status, &s.Nation); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read sponsors: %w", err)
		}
		out = append(out, s)
		byLicence[s.Licence] = s
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: read sponsors: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	rows, err = r.q.QueryContext(ctx, `SELECT licence, route FROM sponsor_route
		WHERE licence IN (SELECT licence FROM sponsor `+where+`)
		ORDER BY licence, `+routeOrder, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read sponsor routes: %w", err)
	}
	for rows.Next() {
		var licence string
		var route rules.Route
		if err := rows.Scan(&licence, &route); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read sponsor routes: %w", err)
		}
		if s := byLicence[licence]; s != nil {
			s.Routes = append(s.Routes, route)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: read sponsor routes: %w", err)
	}
	return out, nil
}

func (r reader) User(ctx context.Context, id string) (*rules.User, error) {
	return sqlrow.First(r.users(ctx, `WHERE id = ?`, id))
}

func (r reader) UserList(ctx context.Context, params store.UserListParams) ([]*rules.User, error) {
	if params.Sponsor != "" {
		return r.users(ctx, `WHERE sponsor = ?`, params.Sponsor)
	}
	return r.users(ctx, ``)
}

func (r reader) users(ctx context.Context, where string, args ...any) ([]*rules.User, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, sponsor, name, level, status FROM sms_user `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read users: %w", err)
	}
	var out []*rules.User
	for rows.Next() {
		u := new(rules.User)
		if err := rows.Scan(&u.ID, &u.Sponsor, &u.Name, &u.Level, &u.Status); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read users: %w", err)
		}
		out = append(out, u)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: read users: %w", err)
	}
	return out, nil
}

func (r reader) Certificates(ctx context.Context, numbers ...string) (map[string]*rules.Certificate, error) {
	out := make(map[string]*rules.Certificate, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	set, err := jsonArray(numbers)
	if err != nil {
		return nil, err
	}
	list, err := r.certificates(ctx, historyColumns, `WHERE number IN (SELECT value FROM json_each(?)) ORDER BY number`, set)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.Number] = c
	}
	return out, nil
}

func (r reader) CertificateList(ctx context.Context, p store.CertificateListParams) ([]*rules.Certificate, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return r.certificates(ctx, historyColumns, `WHERE (?1 = '' OR sponsor = ?1) AND (?2 = '' OR kind = ?2) AND number > ?3
		ORDER BY number LIMIT ?4`, p.Sponsor, string(p.Kind), p.After, limit)
}

// historyColumns are three columns more for a certificate row: its status,
// fee and activity histories, each a JSON array of the rows' values, so that
// one query reads certificates with their histories. The rows come in the
// order of the primary key (number, seq) the look-up uses; the decoders put
// them in order of seq should they not (an aggregate ORDER BY would make
// SQLite sort every history in a temporary b-tree).
const historyColumns = `,
	(SELECT json_group_array(json_array(seq, status, at, by, reason))
		FROM status_change h WHERE h.number = c.number),
	(SELECT json_group_array(json_array(seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid))
		FROM fee_change h WHERE h.number = c.number),
	(SELECT json_group_array(json_array(seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late))
		FROM activity_report h WHERE h.number = c.number)`

// certificates reads the certificates the clause selects (in its order)
// with the three history columns hist (historyColumns or
// lastSeqActivityColumns), in one query.
func (r reader) certificates(ctx context.Context, hist, clause string, args ...any) ([]*rules.Certificate, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT json_array(`+sqlrow.CertColumns+`)`+hist+` FROM certificate c `+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	var out []*rules.Certificate
	for rows.Next() {
		c, seqs, err := scanCert(rows, hist != historyColumns)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read certificates: %w", err)
		}
		out = append(out, c)
		r.seqs.remember(c.Number, seqs)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	return out, nil
}

// scanCert reads a row of certificates: the certificate as one JSON array
// (certFromJSON), and either its three histories (historyColumns) or, with
// lastSeqs, the last seq of the status and fee histories and the activity
// reports (lastSeqActivityColumns). It returns the last seq of each history
// (histStatus, histFees, histActivity; 0: none).
func scanCert(rows *sql.Rows, lastSeqs bool) (*rules.Certificate, [3]int64, error) {
	var (
		row  string
		hist [3]string
		last [2]sql.NullInt64
		seqs [3]int64
		err  error
	)
	if lastSeqs {
		err = rows.Scan(&row, &last[histStatus], &last[histFees], &hist[histActivity])
	} else {
		err = rows.Scan(&row, &hist[histStatus], &hist[histFees], &hist[histActivity])
	}
	if err != nil {
		return nil, seqs, err
	}
	c, err := certFromRow(row)
	if err != nil {
		return nil, seqs, err
	}
	if lastSeqs {
		seqs[histStatus], seqs[histFees] = last[histStatus].Int64, last[histFees].Int64
		if !last[histStatus].Valid {
			seqs[histStatus] = -1
		}
		if !last[histFees].Valid {
			seqs[histFees] = -1
		}
	} else {
		if seqs[histStatus], err = statusHistory(c, hist[histStatus]); err != nil {
			return nil, seqs, fmt.Errorf("status history of %s: %w", c.Number, err)
		}
		if seqs[histFees], err = feeHistory(c, hist[histFees]); err != nil {
			return nil, seqs, fmt.Errorf("fee history of %s: %w", c.Number, err)
		}
	}
	if seqs[histActivity], err = activity(c, hist[histActivity]); err != nil {
		return nil, seqs, fmt.Errorf("activity of %s: %w", c.Number, err)
	}
	return c, seqs, nil
}

// certWidth is the number of sqlrow.CertColumns.
const certWidth = 26

// certFromJSON makes a certificate of the first certWidth values of v, the
// sqlrow.CertColumns in order.
func certFromJSON(v []jvalue) (*rules.Certificate, error) {
	c := &rules.Certificate{Number: v[0].S, Kind: rules.CertKind(v[1].S), Sponsor: v[2].S, Status: rules.CertStatus(v[3].S),
		CreatedBy: v[4].S, Owner: v[5].S,
		Person: rules.Person{FamilyName: v[7].S, GivenNames: v[8].S, Nationality: v[10].S},
		Note:   v[25].S}
	var d dates
	c.AssignedOn = d.parse(v[6].NullString())
	c.Person.DateOfBirth = d.parse(v[9].NullString())
	if !v[11].Null {
		c.Course = &rules.Course{Title: v[11].S, StartDate: d.parse(v[12].NullString()), EndDate: d.parse(v[13].NullString())}
	}
	if !v[14].Null {
		c.Job = &rules.Job{Title: v[14].S, SOCCode: v[15].S, StartDate: d.parse(v[16].NullString()), EndDate: d.parse(v[17].NullString()),
			SalaryPence: rules.Money(v[18].N), Location: v[19].S}
	}
	c.Fees = feesOf(v[20:25]).Model()
	if d.err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, d.err)
	}
	return c, nil
}

// sqlrow.CertColumns (certFromJSON).
func certFromRow(row string) (c *rules.Certificate, err error) {
	err = jsonRows("["+row+"]", certWidth, func(v []jvalue) (err error) {
		c, err = certFromJSON(v)
		return err
	})
	return c, err
}

// statusHistory decodes a status history (see historyColumns) into c and
// returns its last seq.
func statusHistory(c *rules.Certificate, text string) (int64, error) {
	var o seqOrder
	err := jsonRows(text, 5, func(v []jvalue) error {
		sc := rules.StatusChange{Status: rules.CertStatus(v[1].S), By: v[3].S, Reason: v[4].S}
		var err error
		if sc.At, err = sqlrow.ParseTime(v[2].S); err != nil {
			return err
		}
		c.StatusHistory = append(c.StatusHistory, sc)
		o.add(v[0].N)
		return nil
	})
	if err == nil {
		err = o.sort(c.StatusHistory, text, 5)
	}
	return o.last, err
}

// feeHistory decodes a fee history (see historyColumns) into c and returns
// its last seq.
func feeHistory(c *rules.Certificate, text string) (int64, error) {
	var o seqOrder
	err := jsonRows(text, 14, func(v []jvalue) error {
		fc := rules.FeeChange{By: v[2].S, Ref: v[3].S}
		var err error
		if fc.At, err = sqlrow.ParseTime(v[1].S); err != nil {
			return err
		}
		fc.Before, fc.After = feesOf(v[4:9]).Model(), feesOf(v[9:14]).Model()
		c.FeeHistory = append(c.FeeHistory, fc)
		o.add(v[0].N)
		return nil
	})
	if err == nil {
		err = o.sort(c.FeeHistory, text, 14)
	}
	return o.last, err
}

// activity decodes activity reports (see historyColumns) into c and returns
// the last seq.
func activity(c *rules.Certificate, text string) (int64, error) {
	var o seqOrder
	err := jsonRows(text, 20, func(v []jvalue) error {
		a := rules.ActivityReport{Ref: v[1].S, Type: rules.ActivityType(v[2].S), Details: v[4].S, NewEmployer: v[13].S,
			ReportedBy: v[15].S, Source: v[16].S, SponsorReference: v[17].S, WithdrawnBy: v[18].S, Late: v[19].N != 0}
		var d dates
		a.EventDate, a.EarlyCompletion = d.parse(v[3].NullString()), d.parse(v[10].NullString())
		a.PreviousDate, a.FirstDayOfAbsence = d.parse(v[11].NullString()), d.parse(v[12].NullString())
		var err error
		a.ReportedAt, err = sqlrow.ParseTime(v[14].S)
		if err == nil {
			err = d.err
		}
		if err == nil && !v[5].Null {
			a.Address = &rules.Address{Town: v[6].S, Postcode: v[7].S, Phone: v[8].S, Email: v[9].S}
			err = json.Unmarshal([]byte(v[5].S), &a.Address.Lines)
		}
		if err != nil {
			return fmt.Errorf("report %s: %w", a.Ref, err)
		}
		c.Activity = append(c.Activity, a)
		o.add(v[0].N)
		return nil
	})
	if err == nil {
		err = o.sort(c.Activity, text, 20)
	}
	return o.last, err
}

// closeRows closes rows and returns the error that ended the iteration.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
