package sqlrow

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// The drivers keep a ledger.File in a row of the table ledger_file and
// ledger.Outcomes in chunks in rows of ledger_outcome, with the same columns;
// what follows is the mapping between the two that they share. Instants are
// text (FormatTime), findings JSON.

// FileColumns are the columns of ledger_file that ScanFiles reads, in order.
const FileColumns = `id, licence, key, name, sha256, size, kind, version, file_id, header_licence, user_id, created_at,
	status, duplicate_of, declared, read_count, accepted, rejected, warnings, file_findings, truncated,
	processed_at, received_at, started_at, finished_at, reports_written, archived, submitter, client_name`

// FileSetColumns are the columns of ledger_file a driver writes (all but
// id), in the order of FileArgs.
var FileSetColumns = strings.Split(strings.Join(strings.Fields(strings.TrimPrefix(FileColumns, "id, ")), ""), ",")

// Rows is a result set being read, as pgx.Rows and *sql.Rows give it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanFiles reads the entries in rows, of FileColumns. The caller closes
// rows.
func ScanFiles(rows Rows) ([]*ledger.File, error) {
	var out []*ledger.File
	for rows.Next() {
		var row fileRow
		if err := rows.Scan(row.Dest()...); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		f, err := row.File()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return out, nil
}

// FileArgs returns the values of FileSetColumns for f: its findings as a
// JSON array ("[]" for none), a DuplicateOf of 0 and zero instants as NULL,
// other instants as FormatTime writes them.
func FileArgs(f *ledger.File) ([]any, error) {
	findings := f.FileFindings
	if findings == nil {
		findings = []ledger.Finding{}
	}
	fj, err := json.Marshal(findings)
	if err != nil {
		return nil, err
	}
	var dup any
	if f.DuplicateOf != 0 {
		dup = f.DuplicateOf
	}
	instant := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return FormatTime(t)
	}
	return []any{f.Licence, f.Key, f.Name, f.SHA256, f.Size, f.Kind, f.Version, f.FileID, f.HeaderLicence, f.UserID,
		f.CreatedAt, f.Status, dup, f.Declared, f.Read, f.Accepted, f.Rejected, f.Warnings, string(fj), f.Truncated,
		instant(f.ProcessedAt), instant(f.ReceivedAt), instant(f.StartedAt), instant(f.FinishedAt), f.ReportsWritten, f.Archived,
		f.Submitter, f.ClientName}, nil
}

// FileInsertSQL returns the statement that inserts an entry: the values of
// FileArgs in FileSetColumns, its placeholders written by param (of the nth
// argument, from 1).
func FileInsertSQL(param func(n int) string) string {
	params := make([]string, len(FileSetColumns))
	for i := range params {
		params[i] = param(i + 1)
	}
	return `INSERT INTO ledger_file (` + strings.Join(FileSetColumns, ", ") + `) VALUES (` + strings.Join(params, ", ") + `)`
}

// FileUpdateSQL returns the statement that stores every field of an entry:
// the values of FileArgs in FileSetColumns, then the id of the entry, its
// placeholders written by param (of the nth argument, from 1).
func FileUpdateSQL(param func(n int) string) string {
	sets := make([]string, len(FileSetColumns))
	for i, c := range FileSetColumns {
		sets[i] = c + " = " + param(i+1)
	}
	return `UPDATE ledger_file SET ` + strings.Join(sets, ", ") + ` WHERE id = ` + param(len(sets)+1)
}

// fileRow receives a row of FileColumns: scan the row into Dest, then take
// the entry from File.
type fileRow struct {
	f                                      ledger.File
	dup                                    *int64
	findings                               []byte
	processed, received, started, finished *string
}

// Dest returns the scan destinations of FileColumns, in order.
func (r *fileRow) Dest() []any {
	f := &r.f
	return []any{&f.ID, &f.Licence, &f.Key, &f.Name, &f.SHA256, &f.Size, &f.Kind, &f.Version, &f.FileID,
		&f.HeaderLicence, &f.UserID, &f.CreatedAt, &f.Status, &r.dup, &f.Declared, &f.Read, &f.Accepted, &f.Rejected,
		&f.Warnings, &r.findings, &f.Truncated, &r.processed, &r.received, &r.started, &r.finished, &f.ReportsWritten, &f.Archived,
		&f.Submitter, &f.ClientName}
}

// File returns the entry scanned, its findings decoded and its instants
// parsed (NULL as the zero time).
func (r *fileRow) File() (*ledger.File, error) {
	f := r.f
	if r.dup != nil {
		f.DuplicateOf = *r.dup
	}
	if err := json.Unmarshal(r.findings, &f.FileFindings); err != nil {
		return nil, fmt.Errorf("read ledger file %d findings: %w", f.ID, err)
	}
	for _, tv := range []struct {
		dst *time.Time
		src *string
	}{{&f.ProcessedAt, r.processed}, {&f.ReceivedAt, r.received}, {&f.StartedAt, r.started}, {&f.FinishedAt, r.finished}} {
		if tv.src == nil {
			continue
		}
		t, err := ParseTime(*tv.src)
		if err != nil {
			return nil, fmt.Errorf("read ledger file %d: %w", f.ID, err)
		}
		*tv.dst = t
	}
	return &f, nil
}

// Files runs query, which selects FileColumns from ledger_file, and returns
// the entries it reads (ScanFiles); close closes the rows. Its errors begin
// with driver.
func Files[R Rows](driver string, query func() (R, error), close func(R) error) ([]*ledger.File, error) {
	rows, err := query()
	if err != nil {
		return nil, fmt.Errorf("%s: read ledger: %w", driver, err)
	}
	fs, err := ScanFiles(rows)
	if cerr := close(rows); err == nil && cerr != nil {
		return nil, fmt.Errorf("%s: read ledger: %w", driver, cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", driver, err)
	}
	return fs, nil
}

// FileListClause returns the clauses that follow FROM ledger_file in a
// read of the entries p selects (store.LedgerReader.FileList), and their
// arguments. param writes the placeholder of the nth argument (from 1);
// unarchived is the condition of an entry not archived, as the driver's
// partial index ledger_file_pending writes it, so that the index serves.
func FileListClause(p store.FileListParams, param func(n int) string, unarchived string) (string, []any) {
	var conds []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, cond+param(len(args)))
	}
	if p.Licence != "" {
		arg("licence = ", p.Licence)
	}
	if p.Key != "" {
		arg("key = ", p.Key)
	}
	if p.Status != "" {
		arg("status = ", p.Status)
	}
	if p.Unarchived {
		conds = append(conds, unarchived)
	}
	if p.User != "" {
		args = append(args, p.User, p.User)
		conds = append(conds, "(submitter = "+param(len(args)-1)+" OR (submitter = '' AND user_id = "+param(len(args))+"))")
	}
	if p.After > 0 {
		if p.Newest {
			arg("id < ", p.After)
		} else {
			arg("id > ", p.After)
		}
	}
	q := ""
	if len(conds) > 0 {
		q = "WHERE " + strings.Join(conds, " AND ")
	}
	if p.Newest {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	if p.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", p.Limit)
	}
	return q, args
}

// FileDeleteSQL returns the statement of store.LedgerTx.FileDelete, which
// removes the entry of the one argument only while it is RECEIVED, and the
// query that then tells a missing entry (no row) from a claimed one.
func FileDeleteSQL(param func(n int) string) (del, exists string) {
	return `DELETE FROM ledger_file WHERE id = ` + param(1) + ` AND status = '` + string(ledger.Received) + `'`,
		`SELECT 1 FROM ledger_file WHERE id = ` + param(1)
}

// FileDeleteResult returns FileDelete's error for entry id when the delete
// removed n rows, and whether the entry exists is found (when n is 0).
func FileDeleteResult(driver string, id int64, n int64, exists func() (bool, error)) error {
	if n == 1 {
		return nil
	}
	ok, err := exists()
	switch {
	case err != nil:
		return fmt.Errorf("%s: ledger delete %d: %w", driver, id, err)
	case ok:
		return fmt.Errorf("%s: ledger file %d: claimed, not deleted: %w", driver, id, store.ErrConflict)
	}
	return fmt.Errorf("%s: ledger file %d: %w", driver, id, store.ErrNotFound)
}
