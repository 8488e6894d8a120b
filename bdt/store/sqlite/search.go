package sqlite

import (
	"context"
	"database/sql"
	"iter"

	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
	"bdt/rules"
)

// CertificateSearch reads the certificates the shared clause selects with
// their histories, in one query.
func (r reader) CertificateSearch(ctx context.Context, p store.CertificateSearchParams) ([]*rules.Certificate, error) {
	clause, args := sqlrow.CertificateSearchClause(p, param, values)
	return r.certificates(ctx, historyColumns, clause, args...)
}

// CertificateChanges streams the rows of the shared query, each certificate
// as one JSON array (certFromJSON), as the caller iterates.
func (r reader) CertificateChanges(ctx context.Context, p store.CertificateChangesParams) iter.Seq2[store.CertificateChange, error] {
	q, args := sqlrow.CertificateChangesQuery(p, param, `json_array(`+sqlrow.CertColumns+`)`)
	return sqlrow.Changes("sqlite", func() (*sql.Rows, error) {
		return r.q.QueryContext(ctx, q, args...)
	}, (*sql.Rows).Close, func(rows *sql.Rows) (store.CertificateChange, error) {
		var row string
		var changedAt, ref sql.NullString
		if err := rows.Scan(&row, &changedAt, &ref); err != nil {
			return store.CertificateChange{}, err
		}
		c, err := certFromRow(row)
		if err != nil {
			return store.CertificateChange{}, err
		}
		return sqlrow.ChangeOf(c, nullable(changedAt), nullable(ref))
	})
}

// nullable is s as a pointer, nil when NULL.
func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}
