package runner

import (
	"context"
	"errors"
	"fmt"

	"bdt/bdt/ledger"
	"bdt/bdt/storage"
)

// finish is the last stage of a committed file: its reports (unless
// written already), marked written in the ledger, then the file moved to
// the archive (under a key of its own, named like its reports, so that a
// later upload under the same name never overwrites it) and marked archived. Each step is recorded before the next,
// so a run that stops between two is finished by the next from the ledger.
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
		if err := moveAs(ctx, r.cfg.Inbox, r.cfg.Archive, e.Key, fn.archive); err != nil {
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

// moveAs moves key from src to dst under dstKey. Like storage.Move it is
// safe to repeat after a crash at any point: a key already gone from src
// counts as moved.
func moveAs(ctx context.Context, src, dst storage.Storage, key, dstKey string) error {
	if key == dstKey {
		return storage.Move(ctx, src, dst, key)
	}
	rd, err := src.Open(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // moved by an earlier attempt
	}
	if err != nil {
		return err
	}
	err = dst.Put(ctx, dstKey, rd)
	rd.Close()
	if err != nil {
		return err
	}
	return src.Delete(ctx, key)
}
