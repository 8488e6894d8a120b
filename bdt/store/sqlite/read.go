package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"bdt/bdt/store"
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
	list, err := r.sponsors(ctx, `WHERE licence = ?`, licence)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
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
	list, err := r.users(ctx, `WHERE id = ?`, id)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
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

// certColumns are the columns of certificate that scanCert reads, in order.
const certColumns = `number, kind, sponsor, status, created_by, owner, assigned_on,
	family_name, given_names, date_of_birth, nationality,
	course_title, course_start, course_end,
	job_title, job_soc_code, job_start, job_end, job_salary, job_location,
	course_fees_first_year, course_fees_paid, boarding_fees_paid, includes_accommodation, accommodation_fees_paid,
	note`

func (r reader) Certificates(ctx context.Context, numbers ...string) (map[string]*rules.Certificate, error) {
	out := make(map[string]*rules.Certificate, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	set, err := jsonArray(numbers)
	if err != nil {
		return nil, err
	}
	list, err := r.certificates(ctx, `WHERE number IN (SELECT value FROM json_each(?)) ORDER BY number`, set)
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
	return r.certificates(ctx, `WHERE (?1 = '' OR sponsor = ?1) AND (?2 = '' OR kind = ?2) AND number > ?3
		ORDER BY number LIMIT ?4`, p.Sponsor, string(p.Kind), p.After, limit)
}

// certificates reads the certificates the clause selects (in its order),
// then their three histories, one query per table.
func (r reader) certificates(ctx context.Context, clause string, args ...any) ([]*rules.Certificate, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+certColumns+` FROM certificate `+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	var out []*rules.Certificate
	byNumber := map[string]*rules.Certificate{}
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read certificates: %w", err)
		}
		out = append(out, c)
		byNumber[c.Number] = c
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: read certificates: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	numbers := make([]string, len(out))
	for i, c := range out {
		numbers[i] = c.Number
	}
	set, err := jsonArray(numbers)
	if err != nil {
		return nil, err
	}
	if err := r.statusHistory(ctx, set, byNumber); err != nil {
		return nil, err
	}
	if err := r.feeHistory(ctx, set, byNumber); err != nil {
		return nil, err
	}
	if err := r.activity(ctx, set, byNumber); err != nil {
		return nil, err
	}
	return out, nil
}

func scanCert(rows *sql.Rows) (*rules.Certificate, error) {
	var (
		c                                 rules.Certificate
		createdBy, owner, assignedOn, dob sql.NullString
		courseTitle, courseStart, cEnd    sql.NullString
		jobTitle, soc, jStart, jEnd, loc  sql.NullString
		salary                            sql.NullInt64
		f                                 fees
	)
	err := rows.Scan(&c.Number, &c.Kind, &c.Sponsor, &c.Status, &createdBy, &owner, &assignedOn,
		&c.Person.FamilyName, &c.Person.GivenNames, &dob, &c.Person.Nationality,
		&courseTitle, &courseStart, &cEnd,
		&jobTitle, &soc, &jStart, &jEnd, &salary, &loc,
		&f.firstYear, &f.paid, &f.boarding, &f.includes, &f.accommodation,
		&c.Note)
	if err != nil {
		return nil, err
	}
	c.CreatedBy, c.Owner = createdBy.String, owner.String
	var d dates
	c.AssignedOn = d.parse(assignedOn)
	c.Person.DateOfBirth = d.parse(dob)
	if courseTitle.Valid {
		c.Course = &rules.Course{Title: courseTitle.String, StartDate: d.parse(courseStart), EndDate: d.parse(cEnd)}
	}
	if jobTitle.Valid {
		c.Job = &rules.Job{Title: jobTitle.String, SOCCode: soc.String, StartDate: d.parse(jStart), EndDate: d.parse(jEnd),
			SalaryPence: rules.Money(salary.Int64), Location: loc.String}
	}
	c.Fees = f.model()
	if d.err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, d.err)
	}
	return &c, nil
}

func (r reader) statusHistory(ctx context.Context, set string, certs map[string]*rules.Certificate) error {
	rows, err := r.q.QueryContext(ctx, `SELECT number, seq, status, at, by, reason FROM status_change
		WHERE number IN (SELECT value FROM json_each(?)) ORDER BY number, seq`, set)
	if err != nil {
		return fmt.Errorf("sqlite: read status history: %w", err)
	}
	r.seqs.known(histStatus, certs)
	for rows.Next() {
		var number, at string
		var seq int64
		var sc rules.StatusChange
		if err := rows.Scan(&number, &seq, &sc.Status, &at, &sc.By, &sc.Reason); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read status history: %w", err)
		}
		if sc.At, err = parseTime(at); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read status history of %s: %w", number, err)
		}
		c := certs[number]
		c.StatusHistory = append(c.StatusHistory, sc)
		r.seqs.set(histStatus, number, seq)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("sqlite: read status history: %w", err)
	}
	return nil
}

func (r reader) feeHistory(ctx context.Context, set string, certs map[string]*rules.Certificate) error {
	rows, err := r.q.QueryContext(ctx, `SELECT number, seq, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid
		FROM fee_change WHERE number IN (SELECT value FROM json_each(?)) ORDER BY number, seq`, set)
	if err != nil {
		return fmt.Errorf("sqlite: read fee history: %w", err)
	}
	r.seqs.known(histFees, certs)
	for rows.Next() {
		var number, at string
		var seq int64
		var fc rules.FeeChange
		var before, after fees
		if err := rows.Scan(&number, &seq, &at, &fc.By, &fc.Ref,
			&before.firstYear, &before.paid, &before.boarding, &before.includes, &before.accommodation,
			&after.firstYear, &after.paid, &after.boarding, &after.includes, &after.accommodation); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read fee history: %w", err)
		}
		if fc.At, err = parseTime(at); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read fee history of %s: %w", number, err)
		}
		fc.Before, fc.After = before.model(), after.model()
		c := certs[number]
		c.FeeHistory = append(c.FeeHistory, fc)
		r.seqs.set(histFees, number, seq)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("sqlite: read fee history: %w", err)
	}
	return nil
}

func (r reader) activity(ctx context.Context, set string, certs map[string]*rules.Certificate) error {
	rows, err := r.q.QueryContext(ctx, `SELECT number, seq, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late
		FROM activity_report WHERE number IN (SELECT value FROM json_each(?)) ORDER BY number, seq`, set)
	if err != nil {
		return fmt.Errorf("sqlite: read activity: %w", err)
	}
	r.seqs.known(histActivity, certs)
	for rows.Next() {
		var (
			seq                                  int64
			number, reportedAt                   string
			a                                    rules.ActivityReport
			eventDate, early, previous, firstDay sql.NullString
			lines, town, postcode, phone, email  sql.NullString
			withdrawnBy                          sql.NullString
		)
		if err := rows.Scan(&number, &seq, &a.Ref, &a.Type, &eventDate, &a.Details,
			&lines, &town, &postcode, &phone, &email,
			&early, &previous, &firstDay, &a.NewEmployer,
			&reportedAt, &a.ReportedBy, &a.Source, &a.SponsorReference, &withdrawnBy, &a.Late); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read activity: %w", err)
		}
		var d dates
		a.EventDate, a.EarlyCompletion = d.parse(eventDate), d.parse(early)
		a.PreviousDate, a.FirstDayOfAbsence = d.parse(previous), d.parse(firstDay)
		a.WithdrawnBy = withdrawnBy.String
		a.ReportedAt, err = parseTime(reportedAt)
		if err == nil {
			err = d.err
		}
		if err == nil && lines.Valid {
			a.Address = &rules.Address{Town: town.String, Postcode: postcode.String, Phone: phone.String, Email: email.String}
			err = json.Unmarshal([]byte(lines.String), &a.Address.Lines)
		}
		if err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: read activity report %s of %s: %w", a.Ref, number, err)
		}
		c := certs[number]
		c.Activity = append(c.Activity, a)
		r.seqs.set(histActivity, number, seq)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("sqlite: read activity: %w", err)
	}
	return nil
}

// closeRows closes rows and returns the error that ended the iteration.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// histTable names one of the three history tables.
type histTable uint8

const (
	histStatus histTable = iota
	histFees
	histActivity
)

// seqCache remembers, inside one read-write transaction, the highest seq of
// each history of the certificates the transaction has read or written, so
// that appending to a history needs no look-up of it. While the transaction
// is open, only its own statements write to the register (SQLite has one
// writer at a time, and a transaction begins IMMEDIATE), and every history
// row it adds goes through the driver, which keeps the cache up to date: what
// the cache holds stays true until the transaction ends. It holds at most
// seqCacheMax certificates (the runner's batches need a few hundred).
type seqCache struct {
	m map[seqKey]int64
}

type seqKey struct {
	table  histTable
	number string
}

const seqCacheMax = 8192

func newSeqCache() *seqCache { return &seqCache{m: map[seqKey]int64{}} }

// get returns the highest seq of number's history in table (0: none).
func (s *seqCache) get(table histTable, number string) (int64, bool) {
	if s == nil {
		return 0, false
	}
	v, ok := s.m[seqKey{table, number}]
	return v, ok
}

func (s *seqCache) set(table histTable, number string, seq int64) {
	if s == nil {
		return
	}
	k := seqKey{table, number}
	if _, ok := s.m[k]; !ok && len(s.m) >= seqCacheMax {
		clear(s.m)
	}
	s.m[k] = seq
}

// known records that certs, just read with the whole of their history in
// table, have no entry in it beyond the rows about to be read.
func (s *seqCache) known(table histTable, certs map[string]*rules.Certificate) {
	if s == nil {
		return
	}
	for n := range certs {
		s.set(table, n, 0)
	}
}
