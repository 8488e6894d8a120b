package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"

	"bdt/bdt/store/internal/sqlrow"
)

// accountsDB is what sqlrow.Accounts needs of the store: its statements
// (NumberedForSQLite), reads on the reader connections and writes on the
// writer's, each in a transaction of its own.
func (s *Store) accountsDB() sqlrow.AccountsDB {
	exec := func(e interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) func(context.Context, string, ...any) (int64, error) {
		return func(ctx context.Context, q string, args ...any) (int64, error) {
			res, err := e.ExecContext(ctx, sqlrow.NumberedForSQLite(q), args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}
	}
	return sqlrow.AccountsDB{
		Exec: exec(s.wdb),
		Query: func(ctx context.Context, q string, args ...any) (sqlrow.Rows, func(), error) {
			db := s.wdb // INSERT … RETURNING
			if strings.HasPrefix(q, "SELECT") {
				db = s.rdb
			}
			rows, err := db.QueryContext(ctx, sqlrow.NumberedForSQLite(q), args...)
			if err != nil {
				return nil, nil, err
			}
			return rows, func() { rows.Close() }, nil
		},
		InTx: func(ctx context.Context, fn func(func(context.Context, string, ...any) (int64, error)) error) error {
			t, err := s.wdb.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer t.Rollback()
			if err := fn(exec(t)); err != nil {
				return err
			}
			return t.Commit()
		},
		Violation: func(err error) (unique, foreign bool) {
			var se sqlite3.Error
			if !errors.As(err, &se) {
				return false, false
			}
			return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey,
				se.ExtendedCode == sqlite3.ErrConstraintForeignKey
		},
	}
}
