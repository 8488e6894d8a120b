package runner

import (
	"context"
	"fmt"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
)

// finish is the last stage of a committed file: its reports (unless
// written already), marked written in the ledger, then the file moved to
// the archive and marked archived. The archived copy has a key of its own,
// named like its reports (names.go), so a later upload under the same name
// never overwrites it. Each step is recorded before the next, so a run that
// stops between two is finished by the next from the ledger.
func (r *Runner) finish(ctx context.Context, e *ledger.File) error {
	if !e.ReportsWritten {
		if err := r.writeReports(ctx, r.cfg.Store, e); err != nil {
			return err
		}
		fail("after-reports")
		e.ReportsWritten = true
		if err := r.update(ctx, e); err != nil {
			return err
		}
		fail("after-mark")
	}
	if !e.Archived {
		fn, err := names(ctx, r.cfg.Store, e)
		if err != nil {
			return err
		}
		if err := storage.MoveAs(ctx, r.cfg.Inbox, r.cfg.Archive, e.Key, fn.archive); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		fail("after-archive")
		e.Archived = true
		if err := r.update(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
