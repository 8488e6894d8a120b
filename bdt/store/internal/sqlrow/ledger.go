package sqlrow

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
	"bdt/bdt/store/jsonrows"
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

// ScanOutcomes yields the outcomes of file fileID in rows, each row one
// chunk (OutcomeChunkColumn, as EncodeOutcomes writes it) in order of its
// first record, as it reads them; after an error, which it yields, it
// stops. It checks that the records come in order, each once. The caller
// closes rows.
func ScanOutcomes(rows Rows, fileID int64) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		last := 0
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				yield(ledger.Outcome{}, fmt.Errorf("read outcomes: %w", err))
				return
			}
			stop := false
			err := jsonrows.Parse(text, outcomeWidth, func(v []jsonrows.Value) error {
				o := ledger.Outcome{Index: int(v[0].N), Line: int(v[1].N), Reference: v[2].S, Cert: v[3].S,
					Status: ledger.RecordStatus(v[4].S), ConfRef: v[5].S}
				if o.Index <= last {
					return fmt.Errorf("record %d after record %d", o.Index, last)
				}
				last = o.Index
				var err error
				if o.Findings, err = parseFindings([]byte(v[6].S)); err != nil {
					return fmt.Errorf("record %d: %w", o.Index, err)
				}
				if !yield(o, nil) {
					stop = true
					return errStop
				}
				return nil
			})
			if stop {
				return
			}
			if err != nil {
				yield(ledger.Outcome{}, fmt.Errorf("read outcomes of file %d: %w", fileID, err))
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ledger.Outcome{}, fmt.Errorf("read outcomes: %w", err))
		}
	}
}

var errStop = errors.New("stop")

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

// FindingsJSON returns the findings of an outcome as a JSON array, or ""
// for none.
func FindingsJSON(fs []ledger.Finding) (string, error) {
	if len(fs) == 0 {
		return "", nil
	}
	b, err := json.Marshal(fs)
	return string(b), err
}

// Record outcomes are kept in chunks, a row of table ledger_outcome
// (file, first, rows) for up to OutcomeChunk records of a file in a row:
// rows is a JSON array with one array per record, [idx, line, reference,
// cert, status, conf_ref, findings], findings the FindingsJSON text ("" for
// none). A row per record cost more to write and to read back than all the
// rest of the ledger; a chunk is one value for the database to store, and
// SQL still reads it record by record (json_each, json_array_elements: the
// view ledger_record does).
const (
	// OutcomeChunk is the most records in a chunk.
	OutcomeChunk = 512
	// OutcomeChunkColumn is the column of ledger_outcome that ScanOutcomes
	// reads.
	OutcomeChunkColumn = "rows"
	outcomeWidth       = 7
)

// OutcomeOrder follows, in one transaction, the last record index whose
// outcome was added for each file, so that a driver refuses an outcome out
// of order across calls of OutcomeInsert (EncodeOutcomes checks within one).
type OutcomeOrder map[int64]int

// Next checks that outs (in order) come after the outcomes added before
// for file fileID, and records them.
func (o OutcomeOrder) Next(fileID int64, outs []ledger.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	if last, ok := o[fileID]; ok && outs[0].Index <= last {
		return fmt.Errorf("outcome of record %d after record %d", outs[0].Index, last)
	}
	o[fileID] = outs[len(outs)-1].Index
	return nil
}

// EncodeOutcomes returns the rows value of a chunk of outs (at most
// OutcomeChunk, in order of index).
func EncodeOutcomes(outs []ledger.Outcome) (string, error) {
	if len(outs) > OutcomeChunk {
		return "", fmt.Errorf("%d outcomes in a chunk of at most %d", len(outs), OutcomeChunk)
	}
	var w jsonrows.Writer
	for i, o := range outs {
		if i > 0 && o.Index <= outs[i-1].Index {
			return "", fmt.Errorf("outcome of record %d after record %d", o.Index, outs[i-1].Index)
		}
		findings, err := FindingsJSON(o.Findings)
		if err != nil {
			return "", err
		}
		w.Row(o.Index, o.Line, o.Reference, o.Cert, string(o.Status), o.ConfRef, findings)
	}
	return w.String(), nil
}

// parseFindings decodes the findings of an outcome from FindingsJSON's
// text; empty text (or NULL) is none.
func parseFindings(b []byte) ([]ledger.Finding, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var fs []ledger.Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	return fs, nil
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

// Outcomes streams the outcomes of file fileID: it runs query, which
// selects OutcomeChunkColumn from ledger_outcome in order of first, when the
// caller iterates, and yields what ScanOutcomes reads as it reads it; close
// closes the rows. Its errors begin with driver.
func Outcomes[R Rows](driver string, fileID int64, query func() (R, error), close func(R) error) iter.Seq2[ledger.Outcome, error] {
	return func(yield func(ledger.Outcome, error) bool) {
		rows, err := query()
		if err != nil {
			yield(ledger.Outcome{}, fmt.Errorf("%s: read outcomes: %w", driver, err))
			return
		}
		defer close(rows)
		for o, err := range ScanOutcomes(rows, fileID) {
			if err != nil {
				err = fmt.Errorf("%s: %w", driver, err)
			}
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

// Insert checks outs against the outcomes added before (Next), then
// encodes them in chunks of up to OutcomeChunk (EncodeOutcomes) and calls
// insert with each chunk's first record index and rows value, in order. It
// stops at the first error.
func (o OutcomeOrder) Insert(fileID int64, outs []ledger.Outcome, insert func(first int, rows string) error) error {
	if err := o.Next(fileID, outs); err != nil {
		return err
	}
	for len(outs) > 0 {
		n := min(len(outs), OutcomeChunk)
		rows, err := EncodeOutcomes(outs[:n])
		if err != nil {
			return err
		}
		if err := insert(outs[0].Index, rows); err != nil {
			return err
		}
		outs = outs[n:]
	}
	return nil
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
