package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"bdt/bdt/store/jsonrows"
)

// The drivers of bdt/store keep a File in a row of the table ledger_file and
// Outcomes in chunks in rows of ledger_outcome, with the same columns; what follows
// is the mapping between the two that they share. Instants are text in the
// driver's time layout (its format and parse functions), findings JSON.

// FileColumns are the columns of ledger_file that ScanFiles reads, in order.
const FileColumns = `id, licence, key, name, sha256, size, kind, version, file_id, header_licence, user_id, created_at,
	status, duplicate_of, declared, read_count, accepted, rejected, warnings, file_findings, truncated,
	processed_at, received_at, started_at, finished_at, reports_written, archived`

// FileSetColumns are the columns of ledger_file a driver writes (all but
// id), in the order of FileArgs.
var FileSetColumns = strings.Split(strings.Join(strings.Fields(strings.TrimPrefix(FileColumns, "id, ")), ""), ",")

// Rows is a result set being read, as pgx.Rows and *sql.Rows give it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanFiles reads the entries in rows, of FileColumns, their instants
// parsed with parseTime. The caller closes rows.
func ScanFiles(rows Rows, parseTime func(string) (time.Time, error)) ([]*File, error) {
	var out []*File
	for rows.Next() {
		var row fileRow
		if err := rows.Scan(row.Dest()...); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		f, err := row.File(parseTime)
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
func ScanOutcomes(rows Rows, fileID int64) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		last := 0
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				yield(Outcome{}, fmt.Errorf("read outcomes: %w", err))
				return
			}
			stop := false
			err := jsonrows.Parse(text, outcomeWidth, func(v []jsonrows.Value) error {
				o := Outcome{Index: int(v[0].N), Line: int(v[1].N), Reference: v[2].S, Cert: v[3].S,
					Status: RecordStatus(v[4].S), ConfRef: v[5].S}
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
				yield(Outcome{}, fmt.Errorf("read outcomes of file %d: %w", fileID, err))
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Outcome{}, fmt.Errorf("read outcomes: %w", err))
		}
	}
}

var errStop = errors.New("stop")

// FileArgs returns the values of FileSetColumns for f: its findings as a
// JSON array ("[]" for none), a DuplicateOf of 0 and zero instants as NULL,
// other instants as formatTime writes them.
func FileArgs(f *File, formatTime func(time.Time) string) ([]any, error) {
	findings := f.FileFindings
	if findings == nil {
		findings = []Finding{}
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
		return formatTime(t)
	}
	return []any{f.Licence, f.Key, f.Name, f.SHA256, f.Size, f.Kind, f.Version, f.FileID, f.HeaderLicence, f.UserID,
		f.CreatedAt, f.Status, dup, f.Declared, f.Read, f.Accepted, f.Rejected, f.Warnings, string(fj), f.Truncated,
		instant(f.ProcessedAt), instant(f.ReceivedAt), instant(f.StartedAt), instant(f.FinishedAt), f.ReportsWritten, f.Archived}, nil
}

// fileRow receives a row of FileColumns: scan the row into Dest, then take
// the entry from File.
type fileRow struct {
	f                                      File
	dup                                    *int64
	findings                               []byte
	processed, received, started, finished *string
}

// Dest returns the scan destinations of FileColumns, in order.
func (r *fileRow) Dest() []any {
	f := &r.f
	return []any{&f.ID, &f.Licence, &f.Key, &f.Name, &f.SHA256, &f.Size, &f.Kind, &f.Version, &f.FileID,
		&f.HeaderLicence, &f.UserID, &f.CreatedAt, &f.Status, &r.dup, &f.Declared, &f.Read, &f.Accepted, &f.Rejected,
		&f.Warnings, &r.findings, &f.Truncated, &r.processed, &r.received, &r.started, &r.finished, &f.ReportsWritten, &f.Archived}
}

// File returns the entry scanned, its findings decoded and its instants
// parsed with parseTime (NULL as the zero time).
func (r *fileRow) File(parseTime func(string) (time.Time, error)) (*File, error) {
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
		t, err := parseTime(*tv.src)
		if err != nil {
			return nil, fmt.Errorf("read ledger file %d: %w", f.ID, err)
		}
		*tv.dst = t
	}
	return &f, nil
}

// FindingsJSON returns the findings of an outcome as a JSON array, or ""
// for none.
func FindingsJSON(fs []Finding) (string, error) {
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
func (o OutcomeOrder) Next(fileID int64, outs []Outcome) error {
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
func EncodeOutcomes(outs []Outcome) (string, error) {
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
func parseFindings(b []byte) ([]Finding, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var fs []Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	return fs, nil
}
