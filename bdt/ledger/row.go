package ledger

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The drivers of bdt/store keep a File in a row of the table ledger_file and
// an Outcome in a row of ledger_record, with the same columns; what follows
// is the mapping between the two that they share. Instants are text in the
// driver's time layout (its format and parse functions), findings JSON.

// FileColumns are the columns of ledger_file, in the order of FileRow.Dest.
const FileColumns = `id, licence, key, name, sha256, size, kind, version, file_id, header_licence, user_id, created_at,
	status, duplicate_of, declared, read_count, accepted, rejected, warnings, file_findings, truncated,
	processed_at, received_at, started_at, finished_at, reports_written, archived`

// FileSetColumns are the columns of ledger_file a driver writes (all but
// id), in the order of FileArgs.
var FileSetColumns = strings.Split(strings.Join(strings.Fields(strings.TrimPrefix(FileColumns, "id, ")), ""), ",")

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

// FileRow receives a row of FileColumns: a driver scans the row into Dest,
// then takes the entry from File.
type FileRow struct {
	f                                      File
	dup                                    *int64
	findings                               []byte
	processed, received, started, finished *string
}

// Dest returns the scan destinations of FileColumns, in order.
func (r *FileRow) Dest() []any {
	f := &r.f
	return []any{&f.ID, &f.Licence, &f.Key, &f.Name, &f.SHA256, &f.Size, &f.Kind, &f.Version, &f.FileID,
		&f.HeaderLicence, &f.UserID, &f.CreatedAt, &f.Status, &r.dup, &f.Declared, &f.Read, &f.Accepted, &f.Rejected,
		&f.Warnings, &r.findings, &f.Truncated, &r.processed, &r.received, &r.started, &r.finished, &f.ReportsWritten, &f.Archived}
}

// File returns the entry scanned, its findings decoded and its instants
// parsed with parseTime (NULL as the zero time).
func (r *FileRow) File(parseTime func(string) (time.Time, error)) (*File, error) {
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

// ParseFindings decodes the findings of an outcome from FindingsJSON's
// text; empty text (or NULL) is none.
func ParseFindings(b []byte) ([]Finding, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var fs []Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	return fs, nil
}
