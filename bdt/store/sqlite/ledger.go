package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

func (r reader) files(ctx context.Context, where string, args ...any) ([]*ledger.File, error) {
	return sqlrow.Files("sqlite", func() (*sql.Rows, error) {
		return r.q.QueryContext(ctx, `SELECT `+sqlrow.FileColumns+` FROM ledger_file `+where, args...)
	}, (*sql.Rows).Close)
}

func (r reader) File(ctx context.Context, id int64) (*ledger.File, error) {
	return sqlrow.First(r.files(ctx, `WHERE id = ?`, id))
}

func (r reader) FileList(ctx context.Context, p store.FileListParams) ([]*ledger.File, error) {
	q, args := sqlrow.FileListClause(p, param, "archived = 0")
	return r.files(ctx, q, args...)
}

func (r reader) FileDuplicate(ctx context.Context, p store.FileDuplicateParams) (*ledger.File, error) {
	var match []string
	var args = []any{p.Licence, p.Exclude}
	if p.FileID != "" {
		match, args = append(match, "file_id = ?"), append(args, p.FileID)
	}
	if p.SHA256 != "" {
		match, args = append(match, "sha256 = ?"), append(args, p.SHA256)
	}
	if len(match) == 0 {
		return nil, nil
	}
	return sqlrow.First(r.files(ctx, `WHERE licence = ? AND id != ? AND status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED')
		AND (`+strings.Join(match, " OR ")+`) ORDER BY id LIMIT 1`, args...))
}

func (r reader) Outcomes(ctx context.Context, fileID int64) iter.Seq2[ledger.Outcome, error] {
	return sqlrow.Outcomes("sqlite", fileID, func() (*sql.Rows, error) {
		return r.q.QueryContext(ctx, `SELECT `+sqlrow.OutcomeChunkColumn+`
			FROM ledger_outcome WHERE file = ? ORDER BY first`, fileID)
	}, (*sql.Rows).Close)
}

// param writes a placeholder of a statement's argument.
func param(int) string { return "?" }

// The statements of FileInsert and FileUpdate.
var (
	fileInsert = sqlrow.FileInsertSQL(param)
	fileUpdate = sqlrow.FileUpdateSQL(param)

	fileDelete, fileExists = sqlrow.FileDeleteSQL(param)
)

// FileInsert implements store.LedgerTx.
func (t *tx) FileInsert(ctx context.Context, f *ledger.File) error {
	args, err := sqlrow.FileArgs(f)
	if err != nil {
		return fmt.Errorf("sqlite: ledger: %w", err)
	}
	res, err := t.exec(ctx, fileInsert, args...)
	if err != nil {
		return fmt.Errorf("sqlite: ledger insert %s: %w", f.Key, err)
	}
	f.ID, err = res.LastInsertId()
	return err
}

// FileUpdate implements store.LedgerTx.
func (t *tx) FileUpdate(ctx context.Context, f *ledger.File) error {
	args, err := sqlrow.FileArgs(f)
	if err != nil {
		return fmt.Errorf("sqlite: ledger: %w", err)
	}
	res, err := t.exec(ctx, fileUpdate, append(args, f.ID)...)
	if err != nil {
		if isConstraint(err, 2067) { // SQLITE_CONSTRAINT_UNIQUE: an applied file id or content again
			return fmt.Errorf("sqlite: ledger file %d (%s): already applied: %w", f.ID, f.Key, store.ErrConflict)
		}
		return fmt.Errorf("sqlite: ledger update %d: %w", f.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("sqlite: ledger file %d: %w", f.ID, store.ErrNotFound)
	}
	return nil
}

// FileDelete implements store.LedgerTx.
func (t *tx) FileDelete(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, fileDelete, id)
	if err != nil {
		return fmt.Errorf("sqlite: ledger delete %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: ledger delete %d: %w", id, err)
	}
	return sqlrow.FileDeleteResult("sqlite", id, n, func() (bool, error) {
		var one int
		err := t.tx.QueryRowContext(ctx, fileExists, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	})
}

// OutcomeInsert implements store.LedgerTx: a row of ledger_outcome per
// chunk of up to sqlrow.OutcomeChunk outcomes.
func (t *tx) OutcomeInsert(ctx context.Context, fileID int64, outs ...ledger.Outcome) error {
	err := t.outcomes.Insert(fileID, outs, func(first int, rows string) error {
		_, err := t.exec(ctx, `INSERT INTO ledger_outcome (file, first, rows) VALUES (?, ?, ?)`, fileID, first, rows)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: ledger outcomes of file %d: %w", fileID, err)
	}
	return nil
}
