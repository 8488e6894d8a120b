package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/internal/sqlrow"
)

func (r reader) files(ctx context.Context, where string, args ...any) ([]*ledger.File, error) {
	return sqlrow.Files("postgres", func() (pgx.Rows, error) {
		return r.q.Query(ctx, `SELECT `+sqlrow.FileColumns+` FROM ledger_file `+where, args...)
	}, closeRows)
}

// closeRows closes rows (for sqlrow, which takes the close of database/sql).
func closeRows(rows pgx.Rows) error {
	rows.Close()
	return nil
}

func (r reader) File(ctx context.Context, id int64) (*ledger.File, error) {
	return sqlrow.First(r.files(ctx, `WHERE id = $1`, id))
}

func (r reader) FileList(ctx context.Context, p store.FileListParams) ([]*ledger.File, error) {
	q, args := sqlrow.FileListClause(p, param, "NOT archived")
	return r.files(ctx, q, args...)
}

func (r reader) FileDuplicate(ctx context.Context, p store.FileDuplicateParams) (*ledger.File, error) {
	if p.FileID == "" && p.SHA256 == "" {
		return nil, nil
	}
	// An empty FileID or SHA256 matches nothing: '' is never compared.
	return sqlrow.First(r.files(ctx, `WHERE licence = $1 AND id <> $2 AND status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED')
		AND (($3 <> '' AND file_id = $3) OR ($4 <> '' AND sha256 = $4)) ORDER BY id LIMIT 1`,
		p.Licence, p.Exclude, p.FileID, p.SHA256))
}

// Outcomes streams on the transaction's connection, decoding rows as they
// arrive from the server, never all held at once: use the transaction for
// nothing else until the iteration ends.
func (r reader) Outcomes(ctx context.Context, fileID int64) iter.Seq2[ledger.Outcome, error] {
	return sqlrow.Outcomes("postgres", fileID, func() (pgx.Rows, error) {
		return r.q.Query(ctx, `SELECT `+sqlrow.OutcomeChunkColumn+`::text
			FROM ledger_outcome WHERE file = $1 ORDER BY first`, fileID)
	}, closeRows)
}

// param writes the placeholder of a statement's nth argument.
func param(n int) string { return fmt.Sprintf("$%d", n) }

// The statements of FileInsert (which returns the new entry's id) and
// FileUpdate.
var (
	fileInsert = sqlrow.FileInsertSQL(param) + ` RETURNING id`
	fileUpdate = sqlrow.FileUpdateSQL(param)

	fileDelete, fileExists = sqlrow.FileDeleteSQL(param)
)

// FileInsert implements store.LedgerTx.
func (t *tx) FileInsert(ctx context.Context, f *ledger.File) error {
	args, err := sqlrow.FileArgs(f)
	if err != nil {
		return fmt.Errorf("postgres: ledger: %w", err)
	}
	err = t.tx.QueryRow(ctx, fileInsert, args...).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("postgres: ledger insert %s: %w", f.Key, err)
	}
	return nil
}

// FileUpdate implements store.LedgerTx.
func (t *tx) FileUpdate(ctx context.Context, f *ledger.File) error {
	args, err := sqlrow.FileArgs(f)
	if err != nil {
		return fmt.Errorf("postgres: ledger: %w", err)
	}
	tag, err := t.tx.Exec(ctx, fileUpdate, append(args, f.ID)...)
	if err != nil {
		if isCode(err, codeUniqueViolation, "ledger_file_applied_id") || isCode(err, codeUniqueViolation, "ledger_file_applied_sha") {
			return fmt.Errorf("postgres: ledger file %d (%s): already applied: %w", f.ID, f.Key, store.ErrConflict)
		}
		return fmt.Errorf("postgres: ledger update %d: %w", f.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: ledger file %d: %w", f.ID, store.ErrNotFound)
	}
	return nil
}

// FileDelete implements store.LedgerTx.
func (t *tx) FileDelete(ctx context.Context, id int64) error {
	tag, err := t.tx.Exec(ctx, fileDelete, id)
	if err != nil {
		return fmt.Errorf("postgres: ledger delete %d: %w", id, err)
	}
	return sqlrow.FileDeleteResult("postgres", id, tag.RowsAffected(), func() (bool, error) {
		var one int
		err := t.tx.QueryRow(ctx, fileExists, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	})
}

// OutcomeInsert implements store.LedgerTx: a row of ledger_outcome per
// chunk of up to sqlrow.OutcomeChunk outcomes, all in one round trip.
func (t *tx) OutcomeInsert(ctx context.Context, fileID int64, outs ...ledger.Outcome) error {
	b := &pgx.Batch{}
	err := t.outcomes.Insert(fileID, outs, func(first int, rows string) error {
		b.Queue(`INSERT INTO ledger_outcome (file, first, rows) VALUES ($1, $2, $3)`, fileID, first, rows)
		return nil
	})
	if err == nil && b.Len() > 0 {
		err = execBatch(ctx, t.tx, b)
	}
	if err != nil {
		return fmt.Errorf("postgres: ledger outcomes of file %d: %w", fileID, err)
	}
	return nil
}
