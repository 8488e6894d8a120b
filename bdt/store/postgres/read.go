package postgres

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
	"bdt/rules/calendar"
)

// querier is what reads and writes run on: a pgx.Tx (the driver never
// reads outside a transaction).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// reader implements store.Reader on a querier; Store runs it in a read-only
// snapshot, tx on its own transaction. In a transaction, locked is set:
// Certificates then locks the rows it reads (FOR UPDATE), for a
// transaction that decides on them, and notes them there.
type reader struct {
	q      querier
	locked map[string]bool
}

// routeOrder orders a sponsor's routes as rules declares them.
const routeOrder = `CASE route WHEN 'STUDENT' THEN 1 WHEN 'WORKER' THEN 2 WHEN 'TEMPORARY_WORKER' THEN 3 END`

func (r reader) Sponsor(ctx context.Context, licence string) (*rules.Sponsor, error) {
	return sqlrow.First(r.sponsors(ctx, `WHERE licence = $1`, licence))
}

func (r reader) SponsorList(ctx context.Context) ([]*rules.Sponsor, error) {
	return r.sponsors(ctx, ``)
}

// sponsors reads the sponsors the where clause selects, with their routes,
// ordered by licence, in two queries sent together.
func (r reader) sponsors(ctx context.Context, where string, args ...any) ([]*rules.Sponsor, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT licence, name, status, nation FROM sponsor `+where+` ORDER BY licence`, args...)
	b.Queue(`SELECT licence, route FROM sponsor_route
		WHERE licence IN (SELECT licence FROM sponsor `+where+`)
		ORDER BY licence, `+routeOrder, args...)
	br := r.q.SendBatch(ctx, b)
	defer br.Close()
	var out []*rules.Sponsor
	byLicence := map[string]*rules.Sponsor{}
	rows, _ := br.Query()
	for rows.Next() {
		s := new(rules.Sponsor)
		var status, nation string
		if err := rows.Scan(&s.Licence, &s.Name, &status, &nation); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read sponsors: %w", err)
		}
		s.Status, s.Nation = rules.LicenceStatus(status), calendar.Nation(nation)
		out = append(out, s)
		byLicence[s.Licence] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read sponsors: %w", err)
	}
	rows, _ = br.Query()
	for rows.Next() {
		var licence, route string
		if err := rows.Scan(&licence, &route); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read sponsor routes: %w", err)
		}
		if s := byLicence[licence]; s != nil {
			s.Routes = append(s.Routes, rules.Route(route))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read sponsor routes: %w", err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: read sponsors: %w", err)
	}
	return out, nil
}

func (r reader) User(ctx context.Context, id string) (*rules.User, error) {
	return sqlrow.First(r.users(ctx, `WHERE id = $1`, id))
}

func (r reader) UserList(ctx context.Context, params store.UserListParams) ([]*rules.User, error) {
	if params.Sponsor != "" {
		return r.users(ctx, `WHERE sponsor = $1`, params.Sponsor)
	}
	return r.users(ctx, ``)
}

func (r reader) users(ctx context.Context, where string, args ...any) ([]*rules.User, error) {
	rows, err := r.q.Query(ctx, `SELECT id, sponsor, name, level, status FROM sms_user `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read users: %w", err)
	}
	defer rows.Close()
	var out []*rules.User
	for rows.Next() {
		u := new(rules.User)
		var level int16
		var status string
		if err := rows.Scan(&u.ID, &u.Sponsor, &u.Name, &level, &status); err != nil {
			return nil, fmt.Errorf("postgres: read users: %w", err)
		}
		u.Level, u.Status = rules.UserLevel(level), rules.UserStatus(status)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read users: %w", err)
	}
	return out, nil
}

// History queries of a set of certificates ($1, a text array), each in
// certificate then entry order.
const (
	statusQuery = `SELECT number, status, at, by, reason FROM status_change
		WHERE number = ANY($1) ORDER BY number, seq`
	feeQuery = `SELECT number, at, by, ref,
		before_course_fees_first_year, before_course_fees_paid, before_boarding_fees_paid, before_includes_accommodation, before_accommodation_fees_paid,
		after_course_fees_first_year, after_course_fees_paid, after_boarding_fees_paid, after_includes_accommodation, after_accommodation_fees_paid
		FROM fee_change WHERE number = ANY($1) ORDER BY number, seq`
	activityQuery = `SELECT number, ref, type, event_date, details,
		address_lines, address_town, address_postcode, address_phone, address_email,
		early_completion, previous_date, first_day_of_absence, new_employer,
		reported_at, reported_by, source, sponsor_reference, withdrawn_by, late
		FROM activity_report WHERE number = ANY($1) ORDER BY number, seq`
)

// Certificates reads the certificates among numbers and their three
// histories in four queries sent in one round trip. In a transaction, the
// certificate rows are locked first (in number order, so that two
// transactions never lock the same two rows in opposite orders), and each
// history query, a statement of its own, then sees what the last holder of
// the lock committed.
func (r reader) Certificates(ctx context.Context, numbers ...string) (map[string]*rules.Certificate, error) {
	out := make(map[string]*rules.Certificate, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	lock := ""
	if r.locked != nil {
		lock = ` FOR UPDATE`
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+sqlrow.CertColumns+` FROM certificate WHERE number = ANY($1) ORDER BY number`+lock, numbers)
	b.Queue(statusQuery, numbers)
	b.Queue(feeQuery, numbers)
	b.Queue(activityQuery, numbers)
	br := r.q.SendBatch(ctx, b)
	defer br.Close()
	list, err := scanCerts(br)
	if err != nil {
		return nil, err
	}
	if err := readHistories(br, list); err != nil {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	for _, c := range list {
		out[c.Number] = c
	}
	if r.locked != nil {
		for _, c := range list {
			r.locked[c.Number] = true
		}
	}
	return out, nil
}

// CertificateList selects the certificates, then reads their histories in
// one more round trip.
func (r reader) CertificateList(ctx context.Context, p store.CertificateListParams) ([]*rules.Certificate, error) {
	var limit any // NULL: no limit
	if p.Limit > 0 {
		limit = p.Limit
	}
	return r.list(ctx, `WHERE ($1 = '' OR sponsor = $1) AND ($2 = '' OR kind = $2) AND number > $3
		ORDER BY number LIMIT $4`, p.Sponsor, string(p.Kind), p.After, limit)
}

// CertificateSearch reads the certificates the shared clause selects, then
// their histories in one more round trip.
func (r reader) CertificateSearch(ctx context.Context, p store.CertificateSearchParams) ([]*rules.Certificate, error) {
	clause, args := sqlrow.CertificateSearchClause(p, param, values)
	return r.list(ctx, clause, args...)
}

// CertificateChanges streams the rows of the shared query as the caller
// iterates (pgx reads rows off the connection as they are scanned).
func (r reader) CertificateChanges(ctx context.Context, p store.CertificateChangesParams) iter.Seq2[store.CertificateChange, error] {
	q, args := sqlrow.CertificateChangesQuery(p, param, sqlrow.CertColumns)
	return sqlrow.Changes("postgres", func() (pgx.Rows, error) {
		return r.q.Query(ctx, q, args...)
	}, func(rows pgx.Rows) error { rows.Close(); return nil }, func(rows pgx.Rows) (store.CertificateChange, error) {
		var changedAt, ref *string
		c, err := scanCert(rows, &changedAt, &ref)
		if err != nil {
			return store.CertificateChange{}, err
		}
		return sqlrow.ChangeOf(c, changedAt, ref)
	})
}

// list reads the certificates that the clause after FROM certificate c
// selects (in its order), then their histories in one more round trip.
func (r reader) list(ctx context.Context, clause string, args ...any) ([]*rules.Certificate, error) {
	rows, err := r.q.Query(ctx, `SELECT `+sqlrow.CertColumns+` FROM certificate c `+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	list, err := scanCertRows(rows, scanCert)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	numbers := make([]string, len(list))
	for i, c := range list {
		numbers[i] = c.Number
	}
	b := &pgx.Batch{}
	b.Queue(statusQuery, numbers)
	b.Queue(feeQuery, numbers)
	b.Queue(activityQuery, numbers)
	br := r.q.SendBatch(ctx, b)
	defer br.Close()
	if err := readHistories(br, list); err != nil {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	return list, nil
}

// scanCerts reads the next result of br: certificate rows.
func scanCerts(br pgx.BatchResults) ([]*rules.Certificate, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	return scanCertRows(rows, scanCert)
}

// scanCertRows reads the certificates in rows with scan (scanCert, or
// scanBrief for sqlrow.BriefColumns), and closes rows.
func scanCertRows(rows pgx.Rows, scan func(pgx.Rows, ...any) (*rules.Certificate, error)) ([]*rules.Certificate, error) {
	defer rows.Close()
	var out []*rules.Certificate
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: read certificates: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	return out, nil
}

// readHistories reads the next three results of br, the status, fee and
// activity histories, into the certificates of list.
func readHistories(br pgx.BatchResults, list []*rules.Certificate) error {
	certs := make(map[string]*rules.Certificate, len(list))
	for _, c := range list {
		certs[c.Number] = c
	}
	for _, read := range []func(pgx.Rows, map[string]*rules.Certificate) error{statusHistory, feeHistory, activity} {
		rows, err := br.Query()
		if err == nil {
			err = read(rows, certs)
		}
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// values writes column values as PostgreSQL keeps them: dates as date,
// booleans as boolean.
var values = sqlrow.Values{
	Date: func(d rules.Date) any { return d.Time() },
	Bool: func(b bool) any { return b },
}

// dateOf is the civil date of a nullable date column.
func dateOf(t *time.Time) rules.Date {
	if t == nil {
		return rules.Date{}
	}
	return calendar.DateOf(t.UTC())
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// scanCert reads a row of sqlrow.CertColumns and then into extra, the
// columns a query selects after them.
func scanCert(rows pgx.Rows, extra ...any) (*rules.Certificate, error) {
	var (
		c                                   rules.Certificate
		kind, status                        string
		createdBy, owner                    *string
		assignedOn, dob                     *time.Time
		courseTitle                         *string
		courseStart, courseEnd              *time.Time
		jobTitle, soc, loc                  *string
		jobStart, jobEnd                    *time.Time
		salary                              *int64
		f                                   sqlrow.Fees
		familyName, givenNames, nationality string
	)
	err := rows.Scan(append([]any{&c.Number, &kind, &c.Sponsor, &status, &createdBy, &owner, &assignedOn,
		&familyName, &givenNames, &dob, &nationality,
		&courseTitle, &courseStart, &courseEnd,
		&jobTitle, &soc, &jobStart, &jobEnd, &salary, &loc,
		&f.FirstYear, &f.Paid, &f.Boarding, &f.Includes, &f.Accommodation,
		&c.Note}, extra...)...)
	if err != nil {
		return nil, err
	}
	c.Kind, c.Status = rules.CertKind(kind), rules.CertStatus(status)
	c.CreatedBy, c.Owner = str(createdBy), str(owner)
	c.AssignedOn = dateOf(assignedOn)
	c.Person = rules.Person{FamilyName: familyName, GivenNames: givenNames, DateOfBirth: dateOf(dob), Nationality: nationality}
	if courseTitle != nil {
		c.Course = &rules.Course{Title: *courseTitle, StartDate: dateOf(courseStart), EndDate: dateOf(courseEnd)}
	}
	if jobTitle != nil {
		var pence int64
		if salary != nil {
			pence = *salary
		}
		c.Job = &rules.Job{Title: *jobTitle, SOCCode: str(soc), StartDate: dateOf(jobStart), EndDate: dateOf(jobEnd),
			SalaryPence: rules.Money(pence), Location: str(loc)}
	}
	c.Fees = f.Model()
	return &c, nil
}
