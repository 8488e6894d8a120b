package runner

import (
	"context"
	"errors"
	"fmt"

	"bdt/bdt/ledger"
	"bdt/bdt/store"
)

// errLeaseLost stops a file whose sponsor lease ran out before its commit:
// another process may have taken the queue over, so the work is dropped and
// the file left for whoever holds the lease.
var errLeaseLost = errors.New("the sponsor's lease ran out before the commit; the file is left pending")

// commit stores the settled entry e in tx and commits it, with whatever
// its records did when they stand; a rejected file applies nothing, so its
// records' effects are dropped and the entry stored in a new transaction.
// Fencing: it commits only while this process still holds the sponsor's
// lease; the check locks it until the transaction ends.
func (r *Runner) commit(ctx context.Context, tx store.Tx, e *ledger.File) error {
	if !recordsDecided(e) {
		if err := tx.Rollback(ctx); err != nil {
			return err
		}
		var err error
		if tx, err = r.cfg.Store.Begin(ctx); err != nil {
			return err
		}
		defer tx.Rollback(ctx)
	}
	if err := tx.FileUpdate(ctx, e); err != nil {
		return err
	}
	if held, err := tx.LeaseHeld(ctx, sponsorLease(e.Licence), r.cfg.Owner); err != nil {
		return err
	} else if !held {
		return errLeaseLost
	}
	fail("before-commit")
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	fail("after-commit")
	return nil
}
