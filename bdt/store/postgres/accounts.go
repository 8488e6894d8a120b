package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bdt/bdt/store/internal/sqlrow"
)

// accountsDB is what sqlrow.Accounts needs of the store: its statements on
// the pool, each in a transaction of its own (READ COMMITTED).
func (s *Store) accountsDB() sqlrow.AccountsDB {
	exec := func(e interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}) func(context.Context, string, ...any) (int64, error) {
		return func(ctx context.Context, q string, args ...any) (int64, error) {
			tag, err := e.Exec(ctx, q, args...)
			return tag.RowsAffected(), err
		}
	}
	return sqlrow.AccountsDB{
		Exec: exec(s.pool),
		Query: func(ctx context.Context, q string, args ...any) (sqlrow.Rows, func(), error) {
			rows, err := s.pool.Query(ctx, q, args...)
			if err != nil {
				return nil, nil, err
			}
			return rows, rows.Close, nil
		},
		InTx: func(ctx context.Context, fn func(func(context.Context, string, ...any) (int64, error)) error) error {
			return pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error { return fn(exec(t)) })
		},
		Violation: func(err error) (unique, foreign bool) {
			var pe *pgconn.PgError
			if !errors.As(err, &pe) {
				return false, false
			}
			return pe.Code == "23505", pe.Code == "23503"
		},
	}
}
