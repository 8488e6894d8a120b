package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// CertificatesForRules implements store.Reader: Certificates without the
// status and fee history queries, and without the activity query unless
// p.Activity; with p.Brief (and not p.Activity) only sqlrow.BriefColumns.
// Rows are locked as Certificates locks them.
func (r reader) CertificatesForRules(ctx context.Context, p store.CertificatesForRulesParams) (map[string]*rules.Certificate, error) {
	out := make(map[string]*rules.Certificate, len(p.Numbers))
	if len(p.Numbers) == 0 {
		return out, nil
	}
	lock := ""
	if r.locked != nil {
		lock = ` FOR UPDATE`
	}
	columns, scan := sqlrow.CertColumns, scanCert
	if p.Brief && !p.Activity {
		columns, scan = sqlrow.BriefColumns, scanBrief
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT `+columns+` FROM certificate WHERE number = ANY($1) ORDER BY number`+lock, p.Numbers)
	if p.Activity {
		b.Queue(activityQuery, p.Numbers)
	}
	br := r.q.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	list, err := scanCertRows(rows, scan)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.Number] = c
	}
	if p.Activity {
		rows, err := br.Query()
		if err == nil {
			err = activity(rows, out)
		}
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: read certificates: %w", err)
	}
	if r.locked != nil {
		for _, c := range list {
			r.locked[c.Number] = true
		}
	}
	return out, nil
}

// scanBrief reads a row of sqlrow.BriefColumns (and extra): the brief of a
// certificate (rules.Brief).
func scanBrief(rows pgx.Rows, extra ...any) (*rules.Certificate, error) {
	var (
		c            rules.Certificate
		kind, status string
		owner        *string
		dob          *time.Time
		f            sqlrow.Fees
	)
	err := rows.Scan(append([]any{&c.Number, &kind, &c.Sponsor, &status, &owner, &c.Person.FamilyName, &dob,
		&f.FirstYear, &f.Paid, &f.Boarding, &f.Includes, &f.Accommodation}, extra...)...)
	if err != nil {
		return nil, err
	}
	c.Kind, c.Status, c.Owner = rules.CertKind(kind), rules.CertStatus(status), str(owner)
	c.Person.DateOfBirth = dateOf(dob)
	c.Fees = f.Model()
	return &c, nil
}
