package sqlrow

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"bdt/bdt/store"
	"bdt/rules"
)

// noSponsor is the condition of a read that names no sponsor: it matches
// nothing, so that a listing never strays into every sponsor's certificates.
const noSponsor = "1 = 0"

// listing builds the conditions of a read of one sponsor's certificates,
// each on the certificate's alias c, and their arguments; param writes the
// placeholder of the nth argument (from 1).
type listing struct {
	param func(n int) string
	conds []string
	args  []any
}

// add adds the condition cond followed by the placeholder of v.
func (l *listing) add(cond string, v any) {
	l.args = append(l.args, v)
	l.conds = append(l.conds, cond+l.param(len(l.args)))
}

// scope adds the conditions every listing has: the sponsor (required),
// and the kind and owner when given.
func (l *listing) scope(sponsor, kind, owner string) {
	if sponsor == "" {
		l.conds = append(l.conds, noSponsor)
	} else {
		l.add("c.sponsor = ", sponsor)
	}
	if kind != "" {
		l.add("c.kind = ", kind)
	}
	if owner != "" {
		l.add("c.owner = ", owner)
	}
}

func (l *listing) where() string { return "WHERE " + strings.Join(l.conds, " AND ") }

// CertificateSearchClause returns the clauses that follow FROM certificate
// c in a read of the certificates p selects (store.Reader.CertificateSearch),
// ordered by number, and their arguments. param writes the placeholder of
// the nth argument (from 1); v writes the date of birth as the driver keeps
// dates. Each detail given is one equality, served by the indexes of
// migration 006 (sponsor, kind, detail, number), so that a page of a
// search is a range of one index however large the register.
func CertificateSearchClause(p store.CertificateSearchParams, param func(n int) string, v Values) (string, []any) {
	l := listing{param: param}
	l.scope(p.Sponsor, string(p.Kind), p.Owner)
	for _, d := range []struct{ col, val string }{
		{"c.family_name = ", p.FamilyName},
		{"c.given_names = ", p.GivenNames},
		{"c.nationality = ", p.Nationality},
	} {
		if d.val != "" {
			l.add(d.col, d.val)
		}
	}
	if !p.DateOfBirth.IsZero() {
		l.add("c.date_of_birth = ", v.DateArg(p.DateOfBirth))
	}
	if p.SponsorReference != "" {
		l.args = append(l.args, p.SponsorReference)
		l.conds = append(l.conds, "c.number IN (SELECT number FROM activity_report WHERE sponsor_reference = "+param(len(l.args))+")")
	}
	if p.After != "" {
		l.add("c.number > ", p.After)
	}
	q := l.where() + " ORDER BY c.number"
	if p.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", p.Limit)
	}
	return q, l.args
}

// CertificateChangesQuery returns the query of store.Reader.CertificateChanges
// for p and its arguments. It selects cols (CertColumns, or the driver's
// form of them), then the instant of the last status change (text, NULL
// when none) and the latest sponsor reference (NULL when none), in number
// order. param writes the placeholder of the nth argument (from 1).
//
// The certificates come in the order of the index (sponsor, kind, number),
// and each one's last status change and latest sponsor reference are one
// look-up each in the histories' primary keys (number, seq), so that the
// rows stream without a sort, whatever the size of the register. Instants
// are text that sorts as time (TimeLayout), so Since compares as text.
func CertificateChangesQuery(p store.CertificateChangesParams, param func(n int) string, cols string) (string, []any) {
	l := listing{param: param}
	l.scope(p.Sponsor, string(p.Kind), p.Owner)
	q := `SELECT ` + cols + `, changed_at, sponsor_ref FROM (SELECT c.*,
		(SELECT h.at FROM status_change h WHERE h.number = c.number ORDER BY h.seq DESC LIMIT 1) AS changed_at,
		(SELECT a.sponsor_reference FROM activity_report a WHERE a.number = c.number AND a.sponsor_reference <> ''
			ORDER BY a.seq DESC LIMIT 1) AS sponsor_ref
		FROM certificate c ` + l.where() + `) x`
	if !p.Since.IsZero() {
		l.args = append(l.args, FormatTime(p.Since))
		q += ` WHERE changed_at >= ` + param(len(l.args))
	}
	return q + ` ORDER BY number`, l.args
}

// CertificateSearch implements store.Reader.
func (s Snapshots) CertificateSearch(ctx context.Context, p store.CertificateSearchParams) ([]*rules.Certificate, error) {
	return snapshot(ctx, s, func(r store.Reader) ([]*rules.Certificate, error) { return r.CertificateSearch(ctx, p) })
}

// CertificateChanges implements store.Reader: the rows are read in one
// snapshot, as the caller iterates, and the snapshot ends with the
// iteration.
func (s Snapshots) CertificateChanges(ctx context.Context, p store.CertificateChangesParams) iter.Seq2[store.CertificateChange, error] {
	return func(yield func(store.CertificateChange, error) bool) {
		r, end, err := s.begin(ctx)
		if err != nil {
			yield(store.CertificateChange{}, err)
			return
		}
		defer end(false)
		for c, err := range r.CertificateChanges(ctx, p) {
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// Changes streams the rows of CertificateChangesQuery: it runs query when
// the caller iterates and yields what scan makes of each row (the
// certificate and the two columns after it, see ChangeOf) as it reads it;
// close closes the rows. Its errors begin with driver.
func Changes[R Rows](driver string, query func() (R, error), close func(R) error,
	scan func(R) (store.CertificateChange, error)) iter.Seq2[store.CertificateChange, error] {
	return func(yield func(store.CertificateChange, error) bool) {
		rows, err := query()
		if err != nil {
			yield(store.CertificateChange{}, fmt.Errorf("%s: read certificate changes: %w", driver, err))
			return
		}
		defer close(rows)
		for rows.Next() {
			c, err := scan(rows)
			if err != nil {
				yield(store.CertificateChange{}, fmt.Errorf("%s: read certificate changes: %w", driver, err))
				return
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(store.CertificateChange{}, fmt.Errorf("%s: read certificate changes: %w", driver, err))
		}
	}
}

// ChangeOf returns the change of certificate c whose last status change and
// latest sponsor reference are the two columns CertificateChangesQuery adds
// (nil when NULL).
func ChangeOf(c *rules.Certificate, changedAt, sponsorRef *string) (store.CertificateChange, error) {
	ch := store.CertificateChange{Certificate: c}
	if changedAt != nil {
		t, err := ParseTime(*changedAt)
		if err != nil {
			return ch, fmt.Errorf("last status change of %s: %w", c.Number, err)
		}
		ch.Changed = t
	}
	if sponsorRef != nil {
		ch.SponsorReference = *sponsorRef
	}
	return ch, nil
}
