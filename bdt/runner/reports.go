package runner

import (
	"context"
	"fmt"
	"io"
	"strings"

	"bdt/bdt/ledger"
	"bdt/bdt/report"
	"bdt/bdt/store"
)

// writeReports writes the three reports of e to the outbox under its
// sponsor's folder, reading the record outcomes from rd (the store after
// commit, or the transaction in a dry run). Each report is written
// atomically: it is complete or absent.
func (r *Runner) writeReports(ctx context.Context, rd store.Reader, e *ledger.File, withRecords bool) error {
	f := reportFile(e, r.cfg.DryRun)
	if withRecords {
		f.Records = rd.Outcomes(ctx, e.ID)
	}
	if e.DuplicateOf != 0 {
		if dup, err := rd.File(ctx, e.DuplicateOf); err != nil {
			return err
		} else if dup != nil {
			f.DuplicateOf = &report.Earlier{Name: dup.Name, FileID: dup.FileID, Status: dup.Status, ProcessedAt: dup.ProcessedAt}
		}
	}
	key, err := reportKey(ctx, rd, e)
	if err != nil {
		return err
	}
	resultKey, errorsKey, summaryKey := report.Names(key)
	for _, w := range []struct {
		key   string
		write func(io.Writer, *report.File) error
	}{
		{resultKey, report.WriteResult},
		{errorsKey, report.WriteErrors},
		{summaryKey, report.WriteSummary},
	} {
		if err := r.put(ctx, w.key, func(out io.Writer) error { return w.write(out, f) }); err != nil {
			return fmt.Errorf("write report %s: %w", w.key, err)
		}
	}
	return nil
}

// put streams what write produces into the outbox under key.
func (r *Runner) put(ctx context.Context, key string, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	err := r.cfg.Outbox.Put(ctx, key, pr)
	pr.CloseWithError(err) // unblock the writer if Put stopped early
	return err
}

// reportFile turns a ledger entry into what the reports say of the file.
func reportFile(e *ledger.File, dryRun bool) *report.File {
	return &report.File{
		Name: e.Name, Licence: e.Licence, Kind: e.Kind, Version: e.Version, FileID: e.FileID,
		SHA256: e.SHA256, Size: e.Size, ProcessedAt: e.ProcessedAt, DryRun: dryRun, Status: e.Status,
		Counts:       report.Counts{Declared: e.Declared, Read: e.Read, Accepted: e.Accepted, Rejected: e.Rejected, Warnings: e.Warnings},
		FileFindings: e.FileFindings, Truncated: e.Truncated,
	}
}

// reportKey returns the key the reports of e are named after: the inbox key
// for the first file received under that name, and "NAME.2.xml", "NAME.3.xml"…
// for later uploads of the same name, so that a re-upload never overwrites
// the reports of the file before it.
func reportKey(ctx context.Context, rd store.Reader, e *ledger.File) (string, error) {
	same, err := rd.FileList(ctx, store.FileListParams{Licence: e.Licence, Key: e.Key})
	if err != nil {
		return "", err
	}
	n := 1
	for _, f := range same {
		if f.ID < e.ID {
			n++
		}
	}
	if n == 1 {
		return e.Key, nil
	}
	base := strings.TrimSuffix(strings.TrimSuffix(e.Key, ".xml"), ".XML")
	return fmt.Sprintf("%s.%d.xml", base, n), nil
}
